package org.alosj.hw.e1000.impl;

import static org.alosj.hw.e1000.impl.E1000Regs.TCP_FIN;
import static org.alosj.hw.e1000.impl.E1000Regs.TCP_PSH;
import static org.alosj.hw.e1000.impl.E1000Regs.TXD_POPTS_IXSM;
import static org.alosj.hw.e1000.impl.E1000Regs.TXD_POPTS_TXSM;

import java.util.ArrayList;
import java.util.List;

/**
 * The transmit offload engines: checksum insertion (the legacy descriptor's CSO/CSS and the
 * context descriptor's IP and TCP/UDP offsets) and TCP segmentation (TSE). Pure functions over
 * the frame the MAC gathered from the data descriptors; {@link E1000Core} sends what they give.
 */
final class TxOffload {
    private TxOffload() {
    }

    /**
     * The offsets of a context descriptor: for checksum offload, and with TSE for segmentation
     * (the MAC keeps one of each).
     */
    static final class Context {
        int ipcss;
        int ipcso;
        int ipcse;
        int tucss;
        int tucso;
        int tucse;
        int payloadLength;
        int headerLength;
        int mss;
        boolean tcp;
        boolean ipv4;
    }

    /**
     * Writes the ones' complement of the ones' complement sum of bytes {@code start} to
     * {@code end} (inclusive; 0 for the end of the frame) at {@code at}, big-endian, as the
     * offload engines do; the field's own content (a pseudo-header seed) is part of the sum.
     *
     * @return false, writing nothing, when the offsets do not fit the frame
     */
    static boolean insertChecksum(byte[] data, int length, int start, int at, int end) {
        int last = end == 0 || end >= length ? length - 1 : end;
        if (start > last || at < 0 || at + 2 > length) {
            return false;
        }
        put16(data, at, ~Checksum.fold(Checksum.sum(data, start, last + 1 - start, 0)) & 0xFFFF);
        return true;
    }

    /**
     * TCP segmentation: {@code request} is HDRLEN bytes of headers and a payload cut into
     * MSS-sized pieces, each behind a copy of the headers with the IPv4 total length (or IPv6
     * payload length), the IP identification plus the segment's index, the TCP sequence number
     * plus the payload already sent, and FIN and PSH kept for the last segment only (UDP: its
     * length). With TXSM the driver has seeded the TCP/UDP checksum with the pseudo-header sum
     * without the length; each segment's length is added and the sum completed. With IXSM the
     * IPv4 header checksum is computed afresh for each segment.
     *
     * @throws IllegalArgumentException when the context does not describe the request (the
     *     message says what is wrong); nothing is sent then
     */
    static List<byte[]> segment(byte[] request, int length, Context c, int popts) {
        int header = c.headerLength;
        int payload = length - header;
        if (header < 14 || header > length || c.mss == 0 || c.tucss + (c.tcp ? 20 : 8) > header
                || c.ipcss + (c.ipv4 ? 20 : 40) > header || c.tucso + 2 > header || c.ipcso + 2 > header) {
            throw new IllegalArgumentException(String.format("%d bytes with HDRLEN %d, MSS %d, IPCSS %d, TUCSS %d",
                    length, header, c.mss, c.ipcss, c.tucss));
        }
        int ipId = get16(request, c.ipcss + 4);
        long sequence = get32(request, c.tucss + 4);
        int flags = request[c.tucss + 13] & 0xFF;
        int seed = get16(request, c.tucso);
        List<byte[]> segments = new ArrayList<>();
        int offset = 0;
        int index = 0;
        do {
            int n = Math.min(c.mss, payload - offset);
            byte[] frame = new byte[header + n];
            System.arraycopy(request, 0, frame, 0, header);
            System.arraycopy(request, header + offset, frame, header, n);
            boolean last = offset + n >= payload;
            if (c.ipv4) {
                put16(frame, c.ipcss + 2, header - c.ipcss + n);
                put16(frame, c.ipcss + 4, ipId + index);
            } else {
                put16(frame, c.ipcss + 4, header - c.ipcss - 40 + n);
            }
            int l4Length = header - c.tucss + n;
            if (c.tcp) {
                put32(frame, c.tucss + 4, sequence + offset);
                frame[c.tucss + 13] = (byte) (last ? flags : flags & ~(TCP_FIN | TCP_PSH));
            } else {
                put16(frame, c.tucss + 4, l4Length);
            }
            if ((popts & TXD_POPTS_TXSM) != 0) {
                put16(frame, c.tucso, Checksum.fold(seed + (long) l4Length));
                insertChecksum(frame, frame.length, c.tucss, c.tucso, 0);
            }
            if (c.ipv4 && (popts & TXD_POPTS_IXSM) != 0) {
                put16(frame, c.ipcso, 0);
                int ipEnd = c.ipcse == 0 || c.ipcse >= header ? c.tucss - 1 : c.ipcse;
                insertChecksum(frame, frame.length, c.ipcss, c.ipcso, ipEnd);
            }
            segments.add(frame);
            offset += n;
            index++;
        } while (offset < payload);
        return segments;
    }

    private static int get16(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
    }

    private static long get32(byte[] b, int at) {
        return (long) get16(b, at) << 16 | get16(b, at + 2);
    }

    private static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    private static void put32(byte[] b, int at, long v) {
        put16(b, at, (int) (v >>> 16));
        put16(b, at + 2, (int) v);
    }
}
