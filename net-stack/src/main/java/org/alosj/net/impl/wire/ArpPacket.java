package org.alosj.net.impl.wire;

/** ARP for IPv4 over Ethernet (RFC 826): hardware type 1, protocol 0x0800, lengths 6 and 4. */
public record ArpPacket(int operation, long senderMac, int senderIp, long targetMac, int targetIp) {
    public static final int LEN = 28;
    public static final int REQUEST = 1;
    public static final int REPLY = 2;

    public static ArpPacket parse(byte[] b, int o, int length) throws MalformedPacketException {
        Bytes.need("ARP", LEN, length);
        int htype = Bytes.u16(b, o);
        int ptype = Bytes.u16(b, o + 2);
        int hlen = Bytes.u8(b, o + 4);
        int plen = Bytes.u8(b, o + 5);
        if (htype != 1 || ptype != EthernetFrame.ETHERTYPE_IPV4 || hlen != 6 || plen != 4) {
            throw new MalformedPacketException(String.format(
                    "ARP: htype %d ptype 0x%04x hlen %d plen %d (expected 1, 0x0800, 6, 4)", htype, ptype, hlen, plen));
        }
        int op = Bytes.u16(b, o + 6);
        if (op != REQUEST && op != REPLY) {
            throw new MalformedPacketException("ARP: operation " + op + " (expected 1 or 2)");
        }
        return new ArpPacket(op, Bytes.u48(b, o + 8), Bytes.i32(b, o + 14), Bytes.u48(b, o + 18), Bytes.i32(b, o + 24));
    }

    public void emit(byte[] b, int o) {
        Bytes.put16(b, o, 1);
        Bytes.put16(b, o + 2, EthernetFrame.ETHERTYPE_IPV4);
        b[o + 4] = 6;
        b[o + 5] = 4;
        Bytes.put16(b, o + 6, operation);
        Bytes.put48(b, o + 8, senderMac);
        Bytes.put32(b, o + 14, senderIp);
        Bytes.put48(b, o + 18, targetMac);
        Bytes.put32(b, o + 24, targetIp);
    }
}
