package org.alosj.hw.netdev.impl;

/**
 * What a backend accepts from a NIC: a whole Ethernet frame without FCS, from the 14-byte
 * header up to 65535 bytes (the largest frame QEMU's netdevs carry).
 */
final class Frames {
    static final int MIN_FRAME = 14;
    static final int MAX_FRAME = 65535;

    private Frames() {
    }

    /** Why {@code frame[offset, offset + length)} is not a frame a backend can carry, or null. */
    static String problem(byte[] frame, int offset, int length) {
        if (frame == null) {
            return "frame is null";
        }
        if (offset < 0 || length < 0 || offset > frame.length - length) {
            return "frame slice [" + offset + ", +" + length + ") is outside an array of "
                    + frame.length + " bytes";
        }
        if (length < MIN_FRAME) {
            return "frame of " + length + " bytes is shorter than an Ethernet header ("
                    + MIN_FRAME + " bytes)";
        }
        if (length > MAX_FRAME) {
            return "frame of " + length + " bytes is longer than " + MAX_FRAME + " bytes";
        }
        return null;
    }

    /** Backend ids become LDAP filter values and file names in logs: keep them plain. */
    static String checkId(String id) {
        if (id == null || !id.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("netdev id must be 1-64 characters of [A-Za-z0-9_.-], got '"
                    + id + "'");
        }
        return id;
    }
}
