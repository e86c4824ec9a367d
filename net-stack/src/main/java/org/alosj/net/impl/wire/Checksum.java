package org.alosj.net.impl.wire;

/** The Internet checksum (RFC 1071): one's complement sum of 16-bit words. */
public final class Checksum {
    private Checksum() {
    }

    /** Adds the bytes to a running 32-bit sum (not folded). */
    public static long add(long sum, byte[] b, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i + 1 < end) {
            sum += (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
            i += 2;
        }
        if (i < end) {
            sum += (b[i] & 0xff) << 8;
        }
        return sum;
    }

    /** The pseudo-header sum of TCP and UDP (RFC 9293 3.1, RFC 768). */
    public static long pseudoHeader(int src, int dst, int protocol, int length) {
        return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
    }

    /** Folds and complements a running sum into the 16-bit field value. */
    public static int finish(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    public static int of(byte[] b, int offset, int length) {
        return finish(add(0, b, offset, length));
    }
}
