package org.alosj.drivers.e1000e;

/** Ethernet station addresses: the checks and the text form the NetDevice service carries. */
final class MacAddress {
    private MacAddress() {
    }

    /** {@code 52:54:00:12:34:56}: lower-case hex, colon separated. */
    static String format(byte[] mac) {
        StringBuilder s = new StringBuilder(17);
        for (int i = 0; i < mac.length; i++) {
            if (i > 0) {
                s.append(':');
            }
            s.append(Character.forDigit(mac[i] >> 4 & 0xF, 16)).append(Character.forDigit(mac[i] & 0xF, 16));
        }
        return s.toString();
    }

    /** A station address can be neither multicast (I/G bit) nor all zeros. */
    static boolean isValidUnicast(byte[] mac) {
        if (mac.length != 6 || (mac[0] & 0x01) != 0) {
            return false;
        }
        for (byte b : mac) {
            if (b != 0) {
                return true;
            }
        }
        return false;
    }
}
