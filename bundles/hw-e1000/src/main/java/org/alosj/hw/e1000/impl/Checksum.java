package org.alosj.hw.e1000.impl;

/** The Internet checksum (RFC 1071) as the offload engines compute it: big-endian 16-bit words. */
final class Checksum {
    private Checksum() {
    }

    /** Adds {@code length} bytes from {@code offset} to {@code sum}, an odd last byte padded with zero. */
    static long sum(byte[] data, int offset, int length, long sum) {
        int end = offset + length;
        int i = offset;
        for (; i + 1 < end; i += 2) {
            sum += (data[i] & 0xFF) << 8 | (data[i + 1] & 0xFF);
        }
        if (i < end) {
            sum += (data[i] & 0xFF) << 8;
        }
        return sum;
    }

    /** Folds the carries into 16 bits (the ones' complement sum; 0xFFFF when a checksum verifies). */
    static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }
}
