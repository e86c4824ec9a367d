package org.alosj.net.impl.wire;

import org.alosj.kernel.device.MacAddress;

/**
 * Ethernet II header (IEEE 802.3 with an EtherType). Frames shorter than the 60-byte minimum are
 * accepted: passt sends them unpadded, and padding is never relied on. Addresses are carried as
 * {@link MacAddress#toLong()} values, so the receive path allocates nothing for them.
 */
public record EthernetFrame(long destination, long source, int etherType) {
    public static final int HEADER_LEN = 14;
    /** {@link MacAddress#BROADCAST} as a long. */
    public static final long BROADCAST = MacAddress.BROADCAST.toLong();
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;

    public static EthernetFrame parse(byte[] b, int offset, int length) throws MalformedPacketException {
        Bytes.need("Ethernet header", HEADER_LEN, length);
        int type = Bytes.u16(b, offset + 12);
        if (type < 0x0600) {
            throw new MalformedPacketException("Ethernet: 802.3 length field " + type + " (only Ethernet II is handled)");
        }
        return new EthernetFrame(Bytes.u48(b, offset), Bytes.u48(b, offset + 6), type);
    }

    public void emit(byte[] b, int offset) {
        Bytes.put48(b, offset, destination);
        Bytes.put48(b, offset + 6, source);
        Bytes.put16(b, offset + 12, etherType);
    }
}
