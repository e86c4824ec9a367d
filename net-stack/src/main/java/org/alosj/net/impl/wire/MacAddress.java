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

    public static boolean isMulticast(long mac) {
        return (mac >>> 40 & 1) != 0;
    }
}
