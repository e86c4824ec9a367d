package org.alosj.net.impl.wire;

/**
 * ICMP (RFC 792) header: type, code and the 4-byte rest-of-header (identifier and sequence for
 * echo). The payload follows at offset 8. Parsing verifies the checksum over the whole message.
 */
public record IcmpMessage(int type, int code, int restOfHeader) {
    public static final int HEADER_LEN = 8;
    public static final int ECHO_REPLY = 0;
    public static final int DESTINATION_UNREACHABLE = 3;
    public static final int ECHO_REQUEST = 8;
    public static final int TIME_EXCEEDED = 11;
    public static final int CODE_NET_UNREACHABLE = 0;
    public static final int CODE_HOST_UNREACHABLE = 1;
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    public static final int CODE_PORT_UNREACHABLE = 3;
    public static final int CODE_FRAGMENTATION_NEEDED = 4;

    public static IcmpMessage parse(byte[] b, int o, int length) throws MalformedPacketException {
        Bytes.need("ICMP", HEADER_LEN, length);
        if (Checksum.of(b, o, length) != 0) {
            throw new MalformedPacketException("ICMP: bad checksum 0x" + Integer.toHexString(Bytes.u16(b, o + 2)));
        }
        return new IcmpMessage(Bytes.u8(b, o), Bytes.u8(b, o + 1), Bytes.i32(b, o + 4));
    }

    public int identifier() {
        return restOfHeader >>> 16;
    }

    public int sequence() {
        return restOfHeader & 0xffff;
    }

    public static int echoRest(int identifier, int sequence) {
        return (identifier & 0xffff) << 16 | (sequence & 0xffff);
    }

    /** Writes the header and the checksum over header plus the {@code payloadLength} bytes after it. */
    public void emit(byte[] b, int o, int payloadLength) {
        b[o] = (byte) type;
        b[o + 1] = (byte) code;
        Bytes.put16(b, o + 2, 0);
        Bytes.put32(b, o + 4, restOfHeader);
        Bytes.put16(b, o + 2, Checksum.of(b, o, HEADER_LEN + payloadLength));
    }
}
