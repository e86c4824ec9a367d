package org.alosj.net.impl.socket;

/**
 * The out-of-order ranges of a TCP receive buffer, as offsets past the in-order data
 * (past RCV.NXT). Bounded: at most {@link #MAX_RANGES} holes are tracked; a segment that would
 * need more is dropped (and retransmitted by the peer later). Each range remembers when data
 * last arrived in it, so the SACK blocks (RFC 2018 4) can list the newest first.
 */
final class Assembler {
    static final int MAX_RANGES = 16;
    private final int[] start = new int[MAX_RANGES];
    private final int[] end = new int[MAX_RANGES];
    private final long[] touched = new long[MAX_RANGES];
    private long clock;
    private int count;

    boolean isEmpty() {
        return count == 0;
    }

    /** Records [from, to); returns false when it cannot be tracked. Ranges are kept sorted and merged. */
    boolean add(int from, int to) {
        if (from >= to) {
            return true;
        }
        int i = 0;
        while (i < count && end[i] < from) {
            i++;
        }
        int j = i;
        int s = from;
        int e = to;
        while (j < count && start[j] <= to) {
            s = Math.min(s, start[j]);
            e = Math.max(e, end[j]);
            j++;
        }
        int removed = j - i;
        if (removed == 0 && count == MAX_RANGES) {
            return false;
        }
        int newCount = count - removed + 1;
        System.arraycopy(start, j, start, i + 1, count - j);
        System.arraycopy(end, j, end, i + 1, count - j);
        System.arraycopy(touched, j, touched, i + 1, count - j);
        start[i] = s;
        end[i] = e;
        touched[i] = ++clock;
        count = newCount;
        return true;
    }

    /**
     * Up to {@code max} SACK blocks as sequence numbers {left, right, ...} (RFC 2018 4): the
     * range that received data last comes first (it holds the segment that caused this ACK),
     * then the others by how recently they grew, so each is reported in several ACKs and a lost
     * ACK loses no information. Null when nothing is out of order.
     */
    int[] sackBlocks(int rcvNxt, int max) {
        int n = Math.min(count, max);
        if (n == 0) {
            return null;
        }
        int[] blocks = new int[2 * n];
        long below = Long.MAX_VALUE;
        for (int k = 0; k < n; k++) {
            int best = -1;
            for (int r = 0; r < count; r++) {
                if (touched[r] < below && (best < 0 || touched[r] > touched[best])) {
                    best = r;
                }
            }
            below = touched[best];
            blocks[2 * k] = rcvNxt + start[best];
            blocks[2 * k + 1] = rcvNxt + end[best];
        }
        return blocks;
    }

    /**
     * The in-order data advanced by {@code n} bytes: shifts every range down and returns how many
     * further bytes are now contiguous (the first range, if it starts at 0), removing it.
     */
    int advance(int n) {
        for (int k = 0; k < count; k++) {
            start[k] = Math.max(0, start[k] - n);
            end[k] = Math.max(0, end[k] - n);
        }
        int k = 0;
        while (k < count && end[k] == 0) {
            k++;
        }
        drop(k);
        if (count > 0 && start[0] == 0) {
            int contiguous = end[0];
            drop(1);
            return contiguous;
        }
        return 0;
    }

    private void drop(int k) {
        if (k > 0) {
            System.arraycopy(start, k, start, 0, count - k);
            System.arraycopy(end, k, end, 0, count - k);
            System.arraycopy(touched, k, touched, 0, count - k);
            count -= k;
        }
    }

    void clear() {
        count = 0;
    }
}
