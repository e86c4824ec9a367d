package org.alosj.net.impl.wire;

/**
 * IPv4 header (RFC 791). {@code headerLength} and {@code fragmentOffset} are in bytes.
 * Parsing checks version, IHL, total length against what arrived (trailing Ethernet padding is
 * allowed and ignored) and the header checksum; options are skipped.
 */
public record Ipv4Header(int headerLength, int tos, int totalLength, int identification, boolean dontFragment,
                         boolean moreFragments, int fragmentOffset, int ttl, int protocol, int source,
                         int destination) {
    public static final int MIN_LEN = 20;
    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;

    public static Ipv4Header parse(byte[] b, int o, int length) throws MalformedPacketException {
        Bytes.need("IPv4 header", MIN_LEN, length);
        int version = Bytes.u8(b, o) >>> 4;
        if (version != 4) {
            throw new MalformedPacketException("IPv4: version " + version + " (expected 4)");
        }
        int ihl = (Bytes.u8(b, o) & 0xf) * 4;
        if (ihl < MIN_LEN) {
            throw new MalformedPacketException("IPv4: IHL " + ihl + " bytes (at least 20)");
        }
        Bytes.need("IPv4 header with options", ihl, length);
        int total = Bytes.u16(b, o + 2);
        if (total < ihl || total > length) {
            throw new MalformedPacketException("IPv4: total length " + total + " (header " + ihl + ", arrived " + length + ")");
        }
        if (Checksum.of(b, o, ihl) != 0) {
            throw new MalformedPacketException("IPv4: bad header checksum 0x" + Integer.toHexString(Bytes.u16(b, o + 10)));
        }
        int flagsFrag = Bytes.u16(b, o + 6);
        return new Ipv4Header(ihl, Bytes.u8(b, o + 1), total, Bytes.u16(b, o + 4), (flagsFrag & 0x4000) != 0,
                (flagsFrag & 0x2000) != 0, (flagsFrag & 0x1fff) * 8, Bytes.u8(b, o + 8), Bytes.u8(b, o + 9),
                Bytes.i32(b, o + 12), Bytes.i32(b, o + 16));
    }

    /**
     * Parses the header an ICMP error quotes: the datagram after it is cut short, so only the
     * header itself must be whole (the checksum is not checked: routers may have changed it).
     */
    public static Ipv4Header parseQuoted(byte[] b, int o, int length) throws MalformedPacketException {
        Bytes.need("quoted IPv4 header", MIN_LEN, length);
        int ihl = (Bytes.u8(b, o) & 0xf) * 4;
        if (Bytes.u8(b, o) >>> 4 != 4 || ihl < MIN_LEN || ihl > length) {
            throw new MalformedPacketException("quoted IPv4 header: version/IHL byte 0x"
                    + Integer.toHexString(Bytes.u8(b, o)));
        }
        int flagsFrag = Bytes.u16(b, o + 6);
        return new Ipv4Header(ihl, Bytes.u8(b, o + 1), Bytes.u16(b, o + 2), Bytes.u16(b, o + 4),
                (flagsFrag & 0x4000) != 0, (flagsFrag & 0x2000) != 0, (flagsFrag & 0x1fff) * 8, Bytes.u8(b, o + 8),
                Bytes.u8(b, o + 9), Bytes.i32(b, o + 12), Bytes.i32(b, o + 16));
    }

    public boolean isFragment() {
        return moreFragments || fragmentOffset != 0;
    }

    public int payloadLength() {
        return totalLength - headerLength;
    }

    /** Writes a 20-byte header (no options) with its checksum. */
    public void emit(byte[] b, int o) {
        b[o] = 0x45;
        b[o + 1] = (byte) tos;
        Bytes.put16(b, o + 2, totalLength);
        Bytes.put16(b, o + 4, identification);
        Bytes.put16(b, o + 6, (dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0) | (fragmentOffset / 8));
        b[o + 8] = (byte) ttl;
        b[o + 9] = (byte) protocol;
        Bytes.put16(b, o + 10, 0);
        Bytes.put32(b, o + 12, source);
        Bytes.put32(b, o + 16, destination);
        Bytes.put16(b, o + 10, Checksum.of(b, o, MIN_LEN));
    }
}
