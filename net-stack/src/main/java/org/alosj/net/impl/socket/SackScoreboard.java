package org.alosj.net.impl.socket;

import static org.alosj.net.impl.socket.TcpSocket.le;
import static org.alosj.net.impl.socket.TcpSocket.lt;

import java.util.ArrayList;
import java.util.List;

/**
 * The data sender's scoreboard of RFC 6675: which bytes past SND.UNA the receiver reported
 * holding (SACK blocks, kept as sorted disjoint sequence ranges), and which holes were sent
 * again in the current recovery and are still in flight. From these come IsLost (as a boundary:
 * every un-SACKed byte below it is lost), pipe and NextSeg's first candidate.
 *
 * <p>Bounded whatever the peer sends: blocks are clipped to [SND.UNA, SND.MAX] and at most
 * {@link #MAX_RANGES} ranges are kept (a block that would need more is ignored; the receiver
 * repeats its blocks, and the cumulative ACK is what frees data anyway).
 */
final class SackScoreboard {
    static final int MAX_RANGES = 64;

    /** A hole's bytes [from, to) sent again at {@code at} when SND.MAX was {@code highData}. */
    record Retransmission(int from, int to, int highData, long at) {
    }

    private final int[] start = new int[MAX_RANGES];
    private final int[] end = new int[MAX_RANGES];
    private int count;
    private final List<Retransmission> retransmissions = new ArrayList<>();
    /**
     * The start of the highest retransmission found delivered (SACKed), or {@link #NONE}: the
     * bytes below it that are neither SACKed nor sent again since were sent before it and
     * should have arrived first, so they are lost (RACK's reasoning, RFC 8985 6.2, for the one
     * send order this scoreboard knows: originals before retransmissions).
     */
    private int deliveredRetransmission;
    private boolean anyDeliveredRetransmission;
    /** The delivered retransmission sent last (SACKed or acknowledged), or null: RACK's RACK.segment among them. */
    private Retransmission newestDelivered;

    boolean isEmpty() {
        return count == 0;
    }

    int ranges() {
        return count;
    }

    /**
     * Records the SACK block [left, right) clipped to [una, max]; returns how many bytes it newly
     * marks as SACKed. Blocks that are empty, reversed, below SND.UNA (a D-SACK, RFC 2883) or past
     * SND.MAX are ignored.
     */
    int add(int left, int right, int una, int max) {
        if (!lt(left, right) || le(max, left) || le(right, una)) {
            return 0;
        }
        int from = lt(left, una) ? una : left;
        int to = lt(max, right) ? max : right;
        if (!lt(from, to)) {
            return 0;
        }
        int before = sackedBytes();
        int i = 0;
        while (i < count && lt(end[i], from)) {
            i++;
        }
        int j = i;
        int s = from;
        int e = to;
        while (j < count && le(start[j], to)) {
            if (lt(start[j], s)) {
                s = start[j];
            }
            if (lt(e, end[j])) {
                e = end[j];
            }
            j++;
        }
        int removed = j - i;
        if (removed == 0 && count == MAX_RANGES) {
            return 0;
        }
        System.arraycopy(start, j, start, i + 1, count - j);
        System.arraycopy(end, j, end, i + 1, count - j);
        start[i] = s;
        end[i] = e;
        count = count - removed + 1;
        dropDeliveredRetransmissions();
        return sackedBytes() - before;
    }

    /** SND.UNA moved to {@code una}: forgets what is below it. */
    void advance(int una) {
        int k = 0;
        while (k < count && le(end[k], una)) {
            k++;
        }
        if (k > 0) {
            System.arraycopy(start, k, start, 0, count - k);
            System.arraycopy(end, k, end, 0, count - k);
            count -= k;
        }
        if (count > 0 && lt(start[0], una)) {
            start[0] = una;
        }
        if (anyDeliveredRetransmission && le(deliveredRetransmission, una)) {
            anyDeliveredRetransmission = false;
        }
        for (Retransmission r : retransmissions) {
            if (le(r.to, una)) {
                noteDelivered(r);
            }
        }
        retransmissions.removeIf(r -> le(r.to, una));
        for (int i = 0; i < retransmissions.size(); i++) {
            Retransmission r = retransmissions.get(i);
            if (lt(r.from, una)) {
                retransmissions.set(i, new Retransmission(una, r.to, r.highData, r.at));
            }
        }
    }

    int sackedBytes() {
        int n = 0;
        for (int k = 0; k < count; k++) {
            n += end[k] - start[k];
        }
        return n;
    }

    /** SACKed bytes within [from, to). */
    int sackedBetween(int from, int to) {
        int n = 0;
        for (int k = 0; k < count; k++) {
            int s = lt(start[k], from) ? from : start[k];
            int e = lt(to, end[k]) ? to : end[k];
            if (lt(s, e)) {
                n += e - s;
            }
        }
        return n;
    }

    boolean isSacked(int seq) {
        for (int k = 0; k < count; k++) {
            if (le(start[k], seq) && lt(seq, end[k])) {
                return true;
            }
        }
        return false;
    }

    /** The end of the SACKed range holding {@code seq}, or {@code seq} when it is not SACKed. */
    int skipSacked(int seq) {
        for (int k = 0; k < count; k++) {
            if (le(start[k], seq) && lt(seq, end[k])) {
                return end[k];
            }
        }
        return seq;
    }

    /** The start of the first SACKed range after {@code seq}, or {@code limit}. */
    int nextSacked(int seq, int limit) {
        for (int k = 0; k < count; k++) {
            if (lt(seq, start[k])) {
                return lt(start[k], limit) ? start[k] : limit;
            }
        }
        return limit;
    }

    /** The highest SACKed sequence number plus one, or {@code una} when nothing is SACKed. */
    int highestSacked(int una) {
        return count == 0 ? una : end[count - 1];
    }

    /** The highest un-SACKed byte plus one: {@code max}, or the start of the SACKed range that ends there. */
    int unsackedTop(int max) {
        return count > 0 && end[count - 1] == max ? start[count - 1] : max;
    }

    /** The end of the last SACKed range below {@code seq} (or {@code una}). */
    int sackedEndBelow(int seq, int una) {
        int e = una;
        for (int k = 0; k < count && lt(start[k], seq); k++) {
            e = lt(seq, end[k]) ? seq : end[k];
        }
        return e;
    }

    /**
     * RFC 6675 IsLost as a boundary: an un-SACKed byte is lost when {@code dupThresh} SACKed
     * ranges or more than {@code (dupThresh - 1) * mss} SACKed bytes lie above it. Both grow as
     * the byte gets lower, so the lost bytes are exactly the un-SACKed ones below the returned
     * sequence number ({@code una}: none). Bytes below a retransmission that was delivered are
     * lost too (see {@link #deliveredRetransmission}).
     */
    int lostBoundary(int una, int mss, int dupThresh) {
        int boundary = una;
        long bytes = 0;
        for (int k = count - 1; k >= 0; k--) {
            bytes += end[k] - start[k];
            if (count - k >= dupThresh || bytes > (long) (dupThresh - 1) * mss) {
                boundary = start[k];
                break;
            }
        }
        if (anyDeliveredRetransmission && lt(boundary, deliveredRetransmission)) {
            boundary = deliveredRetransmission;
        }
        return boundary;
    }

    // ---- retransmissions in flight ------------------------------------------------------

    void retransmitted(int from, int to, int highData, long at) {
        retransmissions.add(new Retransmission(from, to, highData, at));
    }

    /** The retransmission in flight that holds {@code seq}, or null. */
    Retransmission retransmissionAt(int seq) {
        for (Retransmission r : retransmissions) {
            if (le(r.from, seq) && lt(seq, r.to)) {
                return r;
            }
        }
        return null;
    }

    /** The start of the first retransmission in flight after {@code seq}, or {@code limit}. */
    int nextRetransmission(int seq, int limit) {
        int next = limit;
        for (Retransmission r : retransmissions) {
            if (lt(seq, r.from) && lt(r.from, next)) {
                next = r.from;
            }
        }
        return next;
    }

    /** Bytes sent again and neither SACKed nor acknowledged yet. */
    int retransmittedInFlight() {
        int n = 0;
        for (Retransmission r : retransmissions) {
            n += (r.to - r.from) - sackedBetween(r.from, r.to);
        }
        return n;
    }

    List<Retransmission> retransmissions() {
        return retransmissions;
    }

    /** The retransmission is taken as lost: its bytes are candidates for NextSeg again. */
    void forget(Retransmission r) {
        retransmissions.remove(r);
    }

    private void dropDeliveredRetransmissions() {
        for (int i = retransmissions.size() - 1; i >= 0; i--) {
            Retransmission r = retransmissions.get(i);
            if (sackedBetween(r.from, r.to) == r.to - r.from) {
                retransmissions.remove(i);
                noteDelivered(r);
                if (!anyDeliveredRetransmission || lt(deliveredRetransmission, r.from)) {
                    deliveredRetransmission = r.from;
                    anyDeliveredRetransmission = true;
                }
            }
        }
    }

    private void noteDelivered(Retransmission r) {
        if (newestDelivered == null || sentAfter(r, newestDelivered)) {
            newestDelivered = r;
        }
    }

    /** RFC 8985's send order: later, or at the same instant and higher in sequence (sent after it in one burst). */
    static boolean sentAfter(Retransmission a, Retransmission b) {
        return a.at > b.at || a.at == b.at && lt(b.from, a.from);
    }

    /**
     * Whether a retransmission sent after {@code r} has been delivered: then {@code r}, still in
     * flight, should have arrived first (RACK, RFC 8985 6.2). One sent before it being delivered
     * says nothing about it: in a burst of retransmissions the later ones are acknowledged later.
     */
    boolean deliveredAfter(Retransmission r) {
        return newestDelivered != null && sentAfter(newestDelivered, r);
    }

    /** After a timeout: every byte below {@code seq} not SACKed is lost. */
    void allLostBelow(int seq) {
        deliveredRetransmission = seq;
        anyDeliveredRetransmission = true;
    }

    void clearRetransmissions() {
        retransmissions.clear();
    }

    void clear() {
        count = 0;
        retransmissions.clear();
        anyDeliveredRetransmission = false;
        newestDelivered = null;
    }
}
