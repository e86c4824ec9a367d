package org.alosj.hal.net;

import java.util.Locale;

/**
 * A 48-bit unicast station address, {@code aa:bb:cc:dd:ee:ff}, as a NIC model's {@code mac}
 * property gives it (QEMU's rules: six hex octets, not multicast, not zero; the default is
 * QEMU's 52:54:00:12:34:56 plus the NIC's number). Below the bus line: the kernel's drivers have
 * their own value type in the device API, and read the address from the card as real drivers do.
 */
public record MacAddress(long value) {
    /** QEMU's first default address; the n-th NIC gets this plus n. */
    public static final long QEMU_DEFAULT = 0x52_54_00_12_34_56L;

    public MacAddress {
        if ((value & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("MAC address wider than 48 bits: " + Long.toHexString(value));
        }
    }

    /**
     * Parses {@code aa:bb:cc:dd:ee:ff} (or with dashes).
     *
     * @throws IllegalArgumentException naming the text and what was expected
     */
    public static MacAddress parse(String text) {
        String[] parts = text == null ? new String[0] : text.trim().split("[:-]", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("bad MAC address '" + text + "': expected six hex octets like 52:54:00:12:34:56");
        }
        long v = 0;
        for (String p : parts) {
            if (!p.matches("[0-9A-Fa-f]{1,2}")) {
                throw new IllegalArgumentException("bad MAC address '" + text + "': octet '" + p + "' is not hex 00-ff");
            }
            v = v << 8 | Integer.parseInt(p, 16);
        }
        MacAddress mac = new MacAddress(v);
        if ((mac.octet(0) & 1) != 0) {
            throw new IllegalArgumentException("bad MAC address '" + text + "': it is a multicast address (low bit of the first octet set)");
        }
        if (v == 0) {
            throw new IllegalArgumentException("bad MAC address '" + text + "': all zeros");
        }
        return mac;
    }

    /** QEMU's default for the NIC whose name ends in {@code n} (pcnet0 → 52:54:00:12:34:56). */
    public static MacAddress defaultFor(String nicName) {
        int i = nicName.length();
        while (i > 0 && Character.isDigit(nicName.charAt(i - 1))) {
            i--;
        }
        long index = i == nicName.length() ? 0 : Long.parseLong(nicName.substring(i, Math.min(nicName.length(), i + 6)));
        return new MacAddress((QEMU_DEFAULT + index) & 0xFFFF_FFFF_FFFFL);
    }

    public int octet(int i) {
        return (int) (value >>> (8 * (5 - i))) & 0xFF;
    }

    public byte[] octets() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) octet(i);
        }
        return b;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            s.append(i == 0 ? "" : ":").append(String.format(Locale.ROOT, "%02x", octet(i)));
        }
        return s.toString();
    }
}
