package org.alosj.hw.netdev.impl;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

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

    /**
     * Whether a port must refuse what {@code nic} transmits (see {@link #problem}): counts it in
     * {@code refused} and warns on the first and then every thousandth, so a broken NIC model
     * cannot flood the log.
     */
    static boolean refused(byte[] frame, int offset, int length, String nic, AtomicLong refused, Logger log) {
        String problem = problem(frame, offset, length);
        if (problem == null) {
            return false;
        }
        if (refused.getAndIncrement() % 1000 == 0) {
            log.warn("{}: transmit refused: {}", nic, problem);
        }
        return true;
    }

    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_IPV6 = 0x86DD;

    /**
     * The length of the frame without Ethernet padding: for IPv4 {@code 14 +} the IP total
     * length, for IPv6 {@code 14 + 40 +} the payload length, when that is shorter than
     * {@code length}; otherwise {@code length}. NICs pad short frames to 60 bytes; peers that
     * take the frame length as the packet length (passt) need the padding gone.
     */
    static int unpaddedLength(byte[] frame, int offset, int length) {
        if (length < MIN_FRAME + 20) {
            return length;
        }
        int type = u16(frame, offset + 12);
        int ip = offset + MIN_FRAME;
        int packet;
        if (type == ETHERTYPE_IPV4 && (frame[ip] & 0xF0) == 0x40) {
            packet = u16(frame, ip + 2);
            if (packet < (frame[ip] & 0x0F) * 4) {
                return length;      // malformed: leave it to the peer to refuse
            }
        } else if (type == ETHERTYPE_IPV6 && length >= MIN_FRAME + 40 && (frame[ip] & 0xF0) == 0x60) {
            packet = 40 + u16(frame, ip + 4);
        } else {
            return length;
        }
        return MIN_FRAME + packet < length ? MIN_FRAME + packet : length;
    }

    static int u16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
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
