package org.alosj.shell.net;

/**
 * Builds an Ethernet II frame: destination, source, EtherType, payload, zero-padded to the
 * 60-byte minimum (64 on the wire with the FCS, which the NIC appends).
 */
public final class EthernetFrame {
    public static final int HEADER = 14;
    public static final int MIN_LENGTH = 60;

    private EthernetFrame() {
    }

    /**
     * Parses an EtherType: hex with or without {@code 0x}, 0x0600 to 0xffff (smaller values are
     * 802.3 lengths, not types).
     */
    public static int parseEtherType(String text) {
        String digits = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
        int value = -1;
        if (!digits.isEmpty() && digits.length() <= 4 && digits.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            value = Integer.parseInt(digits, 16);
        }
        if (value < 0x0600) {
            throw new IllegalArgumentException("bad EtherType '" + text
                    + "' (expected hex 0x0600-0xffff, e.g. 0x88b5; smaller values are 802.3 lengths)");
        }
        return value;
    }

    public static byte[] build(MacAddress destination, MacAddress source, int etherType, byte[] payload) {
        if (etherType < 0 || etherType > 0xffff) {
            throw new IllegalArgumentException("EtherType " + etherType + " is not 16 bits");
        }
        byte[] frame = new byte[Math.max(MIN_LENGTH, HEADER + payload.length)];
        System.arraycopy(destination.bytes(), 0, frame, 0, 6);
        System.arraycopy(source.bytes(), 0, frame, 6, 6);
        frame[12] = (byte) (etherType >> 8);
        frame[13] = (byte) etherType;
        System.arraycopy(payload, 0, frame, HEADER, payload.length);
        return frame;
    }
}
