package org.alosj.shell.net;

import java.util.Arrays;

/** A 48-bit Ethernet address, written {@code 52:54:00:12:34:56}. */
public record MacAddress(byte[] bytes) {
    public static final int LENGTH = 6;

    public MacAddress {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, not " + bytes.length);
        }
        bytes = bytes.clone();
    }

    /**
     * Parses six hex bytes separated by {@code :} or {@code -}.
     *
     * @throws IllegalArgumentException naming the text and the expected form
     */
    public static MacAddress parse(String text) {
        String[] parts = text.split("[:-]", -1);
        byte[] b = new byte[LENGTH];
        boolean ok = parts.length == LENGTH;
        for (int i = 0; ok && i < LENGTH; i++) {
            String p = parts[i];
            ok = !p.isEmpty() && p.length() <= 2 && p.chars().allMatch(c -> Character.digit(c, 16) >= 0);
            if (ok) {
                b[i] = (byte) Integer.parseInt(p, 16);
            }
        }
        if (!ok) {
            throw new IllegalArgumentException("bad MAC address '" + text + "' (expected six hex bytes, e.g. 52:54:00:12:34:56)");
        }
        return new MacAddress(b);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && Arrays.equals(bytes, m.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return format(bytes);
    }

    public static String format(byte[] mac) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < mac.length; i++) {
            s.append(i == 0 ? "" : ":").append(String.format("%02x", mac[i] & 0xff));
        }
        return s.toString();
    }
}
