package org.alosj.net.impl.wire;

/**
 * TCP header (RFC 9293 3.1) with the options this stack speaks: MSS (kind 2), window scale
 * (kind 3, RFC 7323), SACK-permitted (kind 4) and SACK (kind 5, RFC 2018). Options absent are
 * -1; {@code sackBlocks} is null or the blocks as {left, right, left, right, ...} sequence
 * numbers. {@code window} is the raw 16-bit field, not scaled.
 *
 * <p>Parsing checks the data offset against what arrived, walks the options without trusting any
 * option length, and verifies the checksum with the pseudo-header. A SACK option whose length is
 * not 2 + 8n (n = 1..4) is ignored (as Linux does), not taken as a malformed segment: the ACK it
 * rides on is still good; whether each block makes sense is for the socket to judge.
 */
public record TcpHeader(int sourcePort, int destinationPort, int seq, int ack, int flags, int window,
                        int urgentPointer, int headerLength, int mss, int windowScale, boolean sackPermitted,
                        int[] sackBlocks) {
    public static final int MIN_LEN = 20;
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;

    public static final int OPT_END = 0;
    public static final int OPT_NOP = 1;
    public static final int OPT_MSS = 2;
    public static final int OPT_WINDOW_SCALE = 3;
    public static final int OPT_SACK_PERMITTED = 4;
    public static final int OPT_SACK = 5;
    /** At most four SACK blocks fit the 40 bytes of option space (RFC 2018 3). */
    public static final int MAX_SACK_BLOCKS = 4;
    private static final int MAX_OPTIONS = 40;

    /** A header without SACK blocks. */
    public TcpHeader(int sourcePort, int destinationPort, int seq, int ack, int flags, int window, int urgentPointer,
                     int headerLength, int mss, int windowScale, boolean sackPermitted) {
        this(sourcePort, destinationPort, seq, ack, flags, window, urgentPointer, headerLength, mss, windowScale,
                sackPermitted, null);
    }

    public TcpHeader {
        if (sackBlocks != null && (sackBlocks.length == 0 || sackBlocks.length % 2 != 0)) {
            throw new IllegalArgumentException("SACK blocks come in pairs: " + sackBlocks.length + " numbers");
        }
    }

    /** The same header with these SACK blocks (null: none), as many as fit beside the other options. */
    public TcpHeader withSackBlocks(int[] blocks) {
        int[] b = blocks;
        if (b != null) {
            int room = (MAX_OPTIONS - optionLength(mss, windowScale, sackPermitted) - 4) / 8;
            int n = Math.min(Math.min(b.length / 2, MAX_SACK_BLOCKS), Math.max(0, room));
            b = n == 0 ? null : (n * 2 == b.length ? b : java.util.Arrays.copyOf(b, n * 2));
        }
        return new TcpHeader(sourcePort, destinationPort, seq, ack, flags, window, urgentPointer, headerLength, mss,
                windowScale, sackPermitted, b);
    }

    /** How many SACK blocks this header carries. */
    public int sackBlockCount() {
        return sackBlocks == null ? 0 : sackBlocks.length / 2;
    }

    /** Parses the segment in {@code [o, o + length)} carried from src to dst. */
    public static TcpHeader parse(byte[] b, int o, int length, int src, int dst) throws MalformedPacketException {
        Bytes.need("TCP header", MIN_LEN, length);
        int dataOffset = (Bytes.u8(b, o + 12) >>> 4) * 4;
        if (dataOffset < MIN_LEN || dataOffset > length) {
            throw new MalformedPacketException("TCP: data offset " + dataOffset + " bytes (20.." + length + ")");
        }
        long sum = Checksum.pseudoHeader(src, dst, Ipv4Header.PROTO_TCP, length);
        if (Checksum.finish(Checksum.add(sum, b, o, length)) != 0) {
            throw new MalformedPacketException("TCP: bad checksum 0x" + Integer.toHexString(Bytes.u16(b, o + 16)));
        }
        int mss = -1;
        int scale = -1;
        boolean sack = false;
        int[] blocks = null;
        int i = o + MIN_LEN;
        int end = o + dataOffset;
        while (i < end) {
            int kind = Bytes.u8(b, i);
            if (kind == OPT_END) {
                break;
            }
            if (kind == OPT_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                throw new MalformedPacketException("TCP: option " + kind + " has no length byte");
            }
            int len = Bytes.u8(b, i + 1);
            if (len < 2 || i + len > end) {
                throw new MalformedPacketException("TCP: option " + kind + " length " + len + " (2.." + (end - i) + ")");
            }
            switch (kind) {
                case OPT_MSS -> {
                    if (len != 4) {
                        throw new MalformedPacketException("TCP: MSS option length " + len + " (expected 4)");
                    }
                    mss = Bytes.u16(b, i + 2);
                }
                case OPT_WINDOW_SCALE -> {
                    if (len != 3) {
                        throw new MalformedPacketException("TCP: window scale option length " + len + " (expected 3)");
                    }
                    scale = Math.min(14, Bytes.u8(b, i + 2)); // RFC 7323 2.3: larger shifts are used as 14
                }
                case OPT_SACK_PERMITTED -> sack = len == 2;
                case OPT_SACK -> {
                    int n = (len - 2) / 8;
                    if ((len - 2) % 8 == 0 && n >= 1 && n <= MAX_SACK_BLOCKS) {
                        blocks = new int[2 * n];
                        for (int k = 0; k < 2 * n; k++) {
                            blocks[k] = Bytes.i32(b, i + 2 + 4 * k);
                        }
                    }
                }
                default -> {
                    // unknown options are skipped by their length
                }
            }
            i += len;
        }
        return new TcpHeader(Bytes.u16(b, o), Bytes.u16(b, o + 2), Bytes.i32(b, o + 4), Bytes.i32(b, o + 8),
                Bytes.u8(b, o + 13) & 0x3f, Bytes.u16(b, o + 14), Bytes.u16(b, o + 18), dataOffset, mss, scale, sack, blocks);
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** The header length the options given here need: 20, plus MSS 4, plus window scale 4 (NOP-padded). */
    public static int lengthFor(int mss, int windowScale) {
        return MIN_LEN + (mss >= 0 ? 4 : 0) + (windowScale >= 0 ? 4 : 0);
    }

    private static int optionLength(int mss, int windowScale, boolean sackPermitted) {
        return (mss >= 0 ? 4 : 0) + (windowScale >= 0 ? 4 : 0) + (sackPermitted ? 4 : 0);
    }

    /** The length {@link #emit} writes: 20 plus the options of this record, each NOP-padded to 4 bytes. */
    public int length() {
        return MIN_LEN + optionLength(mss, windowScale, sackPermitted) + (sackBlocks == null ? 0 : 4 + 4 * sackBlocks.length);
    }

    /**
     * Writes the header (with this record's options: MSS, window scale, SACK-permitted, SACK
     * blocks) and then the checksum over it and the {@code payloadLength} bytes that follow it.
     */
    public void emit(byte[] b, int o, int payloadLength, int src, int dst) {
        int hl = length();
        Bytes.put16(b, o, sourcePort);
        Bytes.put16(b, o + 2, destinationPort);
        Bytes.put32(b, o + 4, seq);
        Bytes.put32(b, o + 8, ack);
        b[o + 12] = (byte) ((hl / 4) << 4);
        b[o + 13] = (byte) flags;
        Bytes.put16(b, o + 14, window);
        Bytes.put16(b, o + 16, 0);
        Bytes.put16(b, o + 18, urgentPointer);
        int i = o + MIN_LEN;
        if (mss >= 0) {
            b[i] = OPT_MSS;
            b[i + 1] = 4;
            Bytes.put16(b, i + 2, mss);
            i += 4;
        }
        if (windowScale >= 0) {
            b[i] = OPT_NOP;
            b[i + 1] = OPT_WINDOW_SCALE;
            b[i + 2] = 3;
            b[i + 3] = (byte) windowScale;
            i += 4;
        }
        if (sackPermitted) {
            b[i] = OPT_NOP;
            b[i + 1] = OPT_NOP;
            b[i + 2] = OPT_SACK_PERMITTED;
            b[i + 3] = 2;
            i += 4;
        }
        if (sackBlocks != null) {
            b[i] = OPT_NOP;
            b[i + 1] = OPT_NOP;
            b[i + 2] = OPT_SACK;
            b[i + 3] = (byte) (2 + 4 * sackBlocks.length);
            i += 4;
            for (int v : sackBlocks) {
                Bytes.put32(b, i, v);
                i += 4;
            }
        }
        int length = hl + payloadLength;
        long sum = Checksum.pseudoHeader(src, dst, Ipv4Header.PROTO_TCP, length);
        Bytes.put16(b, o + 16, Checksum.finish(Checksum.add(sum, b, o, length)));
    }

    /** Flags as tcpdump prints them: S, F, R, P, . for ACK. */
    public static String flagString(int flags) {
        StringBuilder s = new StringBuilder();
        if ((flags & SYN) != 0) {
            s.append('S');
        }
        if ((flags & FIN) != 0) {
            s.append('F');
        }
        if ((flags & RST) != 0) {
            s.append('R');
        }
        if ((flags & PSH) != 0) {
            s.append('P');
        }
        if ((flags & ACK) != 0) {
            s.append('.');
        }
        return s.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TcpHeader h && sourcePort == h.sourcePort && destinationPort == h.destinationPort
                && seq == h.seq && ack == h.ack && flags == h.flags && window == h.window
                && urgentPointer == h.urgentPointer && headerLength == h.headerLength && mss == h.mss
                && windowScale == h.windowScale && sackPermitted == h.sackPermitted
                && java.util.Arrays.equals(sackBlocks, h.sackBlocks);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(sourcePort, destinationPort, seq, ack, flags, window, urgentPointer, headerLength,
                mss, windowScale, sackPermitted) * 31 + java.util.Arrays.hashCode(sackBlocks);
    }

    @Override
    public String toString() {
        StringBuilder sack = new StringBuilder();
        for (int k = 0; sackBlocks != null && k < sackBlocks.length; k += 2) {
            sack.append(k == 0 ? " sack " : ",").append(sackBlocks[k] & 0xffffffffL).append('-')
                    .append(sackBlocks[k + 1] & 0xffffffffL);
        }
        return String.format("%d > %d [%s] seq %d ack %d win %d%s%s%s%s", sourcePort, destinationPort,
                flagString(flags), seq & 0xffffffffL, ack & 0xffffffffL, window, mss >= 0 ? " mss " + mss : "",
                windowScale >= 0 ? " wscale " + windowScale : "", sackPermitted ? " sackOK" : "", sack);
    }
}
