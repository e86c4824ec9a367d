package org.alosj.net.impl.wire;

/** 48-bit MAC addresses held in the low bits of a long. */
public final class MacAddress {
    public static final long BROADCAST = 0xffff_ffff_ffffL;

    private MacAddress() {
    }

    public static long of(byte[] six) {
        return Bytes.u48(six, 0);
    }

    public static String format(long mac) {
        StringBuilder s = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            if (s.length() > 0) {
                s.append(':');
            }
            s.append(String.format("%02x", (mac >>> shift) & 0xff));
        }
        return s.toString();
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (or with '-'); IllegalArgumentException otherwise. */
    public static long parse(String text) {
        String[] parts = text.split("[:-]");
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: '" + text + "' (expected aa:bb:cc:dd:ee:ff)");
        }
        long mac = 0;
        for (String p : parts) {
            if (p.length() != 2 || Character.digit(p.charAt(0), 16) < 0 || Character.digit(p.charAt(1), 16) < 0) {
                throw new IllegalArgumentException("not a MAC address: '" + text + "' (expected aa:bb:cc:dd:ee:ff)");
            }
            mac = mac << 8 | Integer.parseInt(p, 16);
        }
        return mac;
    }

    public static boolean isMulticast(long mac) {
        return (mac >>> 40 & 1) != 0;
    }
}
