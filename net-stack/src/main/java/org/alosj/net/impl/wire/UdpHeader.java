package org.alosj.net.impl.wire;

/** UDP header (RFC 768). A zero checksum means none was computed; otherwise it is verified. */
public record UdpHeader(int sourcePort, int destinationPort, int length) {
    public static final int LEN = 8;

    /** Parses and checks the datagram in {@code [o, o + available)} carried from src to dst. */
    public static UdpHeader parse(byte[] b, int o, int available, int src, int dst) throws MalformedPacketException {
        Bytes.need("UDP header", LEN, available);
        int length = Bytes.u16(b, o + 4);
        if (length < LEN || length > available) {
            throw new MalformedPacketException("UDP: length " + length + " (header 8, IP payload " + available + ")");
        }
        int checksum = Bytes.u16(b, o + 6);
        if (checksum != 0) {
            long sum = Checksum.pseudoHeader(src, dst, Ipv4Header.PROTO_UDP, length);
            if (Checksum.finish(Checksum.add(sum, b, o, length)) != 0) {
                throw new MalformedPacketException("UDP: bad checksum 0x" + Integer.toHexString(checksum));
            }
        }
        return new UdpHeader(Bytes.u16(b, o), Bytes.u16(b, o + 2), length);
    }

    /** Writes the header and the checksum over it and the payload that follows. */
    public void emit(byte[] b, int o, int src, int dst) {
        Bytes.put16(b, o, sourcePort);
        Bytes.put16(b, o + 2, destinationPort);
        Bytes.put16(b, o + 4, length);
        Bytes.put16(b, o + 6, 0);
        int c = Checksum.finish(Checksum.add(Checksum.pseudoHeader(src, dst, Ipv4Header.PROTO_UDP, length), b, o, length));
        Bytes.put16(b, o + 6, c == 0 ? 0xffff : c);
    }
}
