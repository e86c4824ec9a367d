package org.alosj.net.impl.socket;

import static org.alosj.net.impl.socket.TcpSocket.le;
import static org.alosj.net.impl.socket.TcpSocket.lt;

import java.util.List;
import org.alosj.net.impl.socket.TcpSocket.Output;
import org.alosj.net.impl.socket.TcpSocket.State;
import org.alosj.net.impl.wire.TcpHeader;

/**
 * A connection's loss recovery: the RFC 6298 round-trip estimate and retransmission timeout,
 * congestion control (RFC 5681 slow start and congestion avoidance, RFC 3042 limited transmit,
 * RFC 5827 early retransmit), recovery by the SACK scoreboard (RFC 6675: IsLost, pipe, NextSeg,
 * rescue retransmission) when both SYNs carried SACK-permitted and NewReno (RFC 6582) otherwise,
 * retransmissions found lost again (RFC 8985 6.2's reasoning) and tail loss probes (RFC 8985 7),
 * and what a retransmission timeout does.
 *
 * <p>It belongs to one {@link TcpSocket} and works on that connection's sequence space and
 * buffers; the socket calls it as ACKs arrive, timers fire and it sends. Like the socket it has
 * no threads or locks: everything runs under the stack's lock.
 */
final class LossRecovery {
    private static final int DUPACK_THRESHOLD = 3;
    private static final int MAX_CWND = 1 << 30;
    /** Tail loss probes in a row without an ACK: RFC 8985 sends one; a second halves the cost of losing it. */
    private static final int MAX_PROBES = 2;

    // Congestion control.
    long cwnd;
    long ssthresh = Integer.MAX_VALUE;
    int dupAcks;
    boolean inRecovery;
    int recover;
    /** A timeout went back to SND.UNA: duplicate ACKs up to {@link #recover} start no fast retransmit. */
    boolean recoverAfterTimeout;
    /** When SND.UNA was last sent again in recovery (fast or partial-ACK retransmission). */
    long recoveryRetransmitAt;
    boolean retransmitOne;

    // SACK (RFC 2018) and its loss recovery (RFC 6675).
    final SackScoreboard scoreboard = new SackScoreboard();
    /** Recovery just began: the first hole goes out whatever pipe says (RFC 6675 5 step 4.3). */
    boolean retransmitFirstHole;
    /** This recovery began with a retransmission timeout: cwnd grows in slow start meanwhile. */
    boolean timeoutRecovery;
    /** The rescue retransmission of this recovery was sent (RFC 6675 RescueRxt). */
    boolean rescueSent;
    /** When the tail loss probe fires (RFC 8985 7), or Long.MAX_VALUE. */
    long probeAt = Long.MAX_VALUE;
    /** An ACK delivered data or new data went out: the probe timer is set afresh after this dispatch. */
    boolean probeRearm;
    /** Probes sent since the last ACK that delivered data. */
    int probesUnanswered;

    // Round-trip time and the retransmission timeout (RFC 6298).
    long rto;
    long srtt = -1;
    long rttvar;
    boolean rttTiming;
    int rttSeq;
    long rttStart;

    // What netstat -s shows.
    long retransmittedSegments;
    long timeouts;
    long fastRetransmits;
    long sackRecoveries;
    long lostRetransmissions;
    long tailLossProbes;
    /** Persist-timer expiries: a byte into a closed window (RFC 9293 3.8.6.1), not a loss. */
    long zeroWindowProbes;

    private final TcpSocket c;
    private final TcpConfig config;

    LossRecovery(TcpSocket connection, TcpConfig config) {
        this.c = connection;
        this.config = config;
        this.rto = config.initialRto();
    }

    /** Adds the segment's SACK blocks to the scoreboard; returns the bytes newly SACKed. */
    int takeSackBlocks(TcpHeader h) {
        int[] blocks = h.sackBlocks();
        int newly = 0;
        for (int k = 0; blocks != null && k < blocks.length; k += 2) {
            newly += scoreboard.add(blocks[k], blocks[k + 1], c.sndUna, c.sndMax);
        }
        return newly;
    }

    /**
     * After an ACK on a SACK connection ({@code delivered}: it acknowledged or SACKed new data):
     * an RTT sample if the timed segment was SACKed, lost retransmissions, and the start of
     * recovery (RFC 6675 5: DupThresh duplicates, or SND.UNA's segment lost by IsLost — which
     * also catches a hole right after a recovery ended, where three duplicates may never come).
     */
    void afterSackAck(long now, boolean delivered) {
        if (rttTiming && scoreboard.isSacked(rttSeq)) {
            rttTiming = false;
            takeRttSample(now - rttStart);
        }
        if (inRecovery && delivered) {
            detectLostRetransmissions(now);
        }
        if (!inRecovery && c.sndUna != c.sndMax && !(recoverAfterTimeout && le(c.sndUna, recover))
                && (lt(c.sndUna, scoreboard.lostBoundary(c.sndUna, c.mss, DUPACK_THRESHOLD))
                || dupAcks >= duplicateAckThreshold())) {
            ssthresh = Math.max(flightSize() / 2, 2L * c.mss);
            cwnd = ssthresh;
            inRecovery = true;
            recover = c.sndMax;
            retransmitFirstHole = true;
            rescueSent = false;
            fastRetransmits++;
            sackRecoveries++;
        }
    }

    /**
     * A retransmission is taken as lost when data sent after it has arrived: more than
     * (DupThresh - 1) segments' worth SACKed above what had been sent when it went out, or —
     * more than an RTT (plus a quarter for reordering) after it went out — any new data sent
     * after it or a retransmission sent after it: the reasoning of RACK (RFC 8985 6.2) with the
     * send order the scoreboard knows. Its bytes become candidates for NextSeg again instead of
     * waiting for the retransmission timeout. A delivery of something sent before it is no sign:
     * after a driver swap hundreds of holes go out in one burst and are acknowledged one after
     * another, the last ones well over an RTT after they left, and taking them as lost sent
     * most of the burst twice.
     */
    private void detectLostRetransmissions(long now) {
        List<SackScoreboard.Retransmission> list = scoreboard.retransmissions();
        for (int i = list.size() - 1; i >= 0; i--) {
            SackScoreboard.Retransmission r = list.get(i);
            boolean laterDataArrived = lt(r.highData(), c.sndMax)
                    && scoreboard.sackedBetween(r.highData(), c.sndMax) > (DUPACK_THRESHOLD - 1) * c.mss;
            boolean sentAfterArrived = lt(r.highData(), c.sndMax) && scoreboard.sackedBetween(r.highData(), c.sndMax) > 0
                    || scoreboard.deliveredAfter(r);
            boolean rttPassed = srtt >= 0 && now - r.at() > srtt + Math.max(srtt / 4, TcpConfig.MS);
            if (laterDataArrived || sentAfterArrived && rttPassed) {
                list.remove(i);
                lostRetransmissions++;
            }
        }
    }

    // RFC 5681 3.1 and RFC 6582 3.2: slow start, congestion avoidance, NewReno partial ACKs.
    void onNewAck(int acked) {
        if (recoverAfterTimeout && lt(recover, c.sndUna)) {
            recoverAfterTimeout = false;
        }
        if (inRecovery) {
            if (le(recover, c.sndUna)) {
                inRecovery = false;
                if (timeoutRecovery) {
                    timeoutRecovery = false;
                } else {
                    cwnd = c.sackOk ? ssthresh : Math.min(ssthresh, Math.max(flightSize(), 0) + c.mss);
                }
                dupAcks = 0;
            } else if (timeoutRecovery) {
                cwnd = Math.min(cwnd + Math.min(acked, 2L * c.mss), Math.max(ssthresh, cwnd)); // slow start (RFC 5681 3.1)
            } else if (!c.sackOk) {
                retransmitOne = true; // partial ACK: the next hole
                cwnd = Math.max(c.mss, cwnd - acked + c.mss);
            }
            return;
        }
        dupAcks = 0;
        if (cwnd < ssthresh) {
            cwnd += Math.min(acked, 2L * c.mss);
        } else {
            cwnd += Math.max(1, (long) c.mss * c.mss / cwnd);
        }
        cwnd = Math.min(cwnd, MAX_CWND);
    }

    void onDuplicateAck(long now) {
        dupAcks++;
        if (c.sackOk) {
            return; // recovery starts and proceeds by the scoreboard (afterSackAck, sackRetransmit)
        }
        if (inRecovery) {
            cwnd += c.mss;
            if (srtt >= 0 && now - recoveryRetransmitAt > srtt + Math.max(srtt / 4, TcpConfig.MS)) {
                // Duplicates still come an RTT (plus a reordering allowance) after SND.UNA went out
                // again: segments sent after it arrived, so the retransmission itself was lost
                // (the RACK reasoning of RFC 8985 6.2, applied to the cumulative ACK). Send it
                // once more now rather than wait for the retransmission timeout.
                retransmitOne = true;
            }
        } else if (dupAcks >= duplicateAckThreshold() && !(recoverAfterTimeout && le(c.sndUna, recover))) {
            // RFC 6582 4.1: after a timeout, duplicates of what went out twice start no recovery
            ssthresh = Math.max(flightSize() / 2, 2L * c.mss);
            cwnd = ssthresh + 3L * c.mss;
            inRecovery = true;
            recover = c.sndMax;
            retransmitOne = true;
            rttTiming = false;
            fastRetransmits++;
        }
    }

    /**
     * Three duplicate ACKs (RFC 5681), or fewer when so little is in flight that three can never
     * come and no new data could be sent to make more (early retransmit, RFC 5827 3.1): a
     * loss in a window of 2–3 segments is then repaired in one RTT instead of by the timeout.
     */
    private int duplicateAckThreshold() {
        long outstanding = (flightSize() + c.mss - 1) / c.mss;
        boolean newDataSendable = lt(c.sndMax, c.sendBase + c.sendBuffer.length()) && c.sndWnd > flightSize();
        if (outstanding < DUPACK_THRESHOLD + 1 && !newDataSendable) {
            return (int) Math.max(1, outstanding - 1);
        }
        return DUPACK_THRESHOLD;
    }

    /**
     * The congestion window plus, outside recovery, one segment per duplicate ACK up to two:
     * limited transmit (RFC 3042) sends new data on the first two duplicates, so that a small
     * window still yields the three that trigger fast retransmit.
     */
    private long sendableWindow() {
        return cwnd + (inRecovery ? 0 : Math.min(dupAcks, 2) * (long) c.mss);
    }

    private long flightSize() {
        return c.sndMax - c.sndUna;
    }

    /**
     * RFC 6675 pipe on a SACK connection: the bytes outstanding that are neither SACKed nor
     * (in recovery) lost, plus those sent again and not yet delivered. While going back after a
     * timeout, what is past SND.NXT counts as lost.
     */
    private long pipe() {
        if (lt(c.sndNxt, c.sndMax)) {
            return (c.sndNxt - c.sndUna) - scoreboard.sackedBetween(c.sndUna, c.sndNxt);
        }
        int lostEnd = inRecovery ? scoreboard.lostBoundary(c.sndUna, c.mss, DUPACK_THRESHOLD) : c.sndUna;
        long lost = (lostEnd - c.sndUna) - scoreboard.sackedBetween(c.sndUna, lostEnd);
        return flightSize() - scoreboard.sackedBytes() - lost + scoreboard.retransmittedInFlight();
    }

    /** How much more the congestion window lets out now. */
    long congestionRoom() {
        return c.sackOk ? cwnd - pipe() : sendableWindow() - (c.sndNxt - c.sndUna);
    }

    void sampleRtt(long now, int ack) {
        if (!rttTiming || le(ack, rttSeq)) {
            return;
        }
        rttTiming = false;
        takeRttSample(now - rttStart);
    }

    /**
     * RFC 6298 2: a new measurement from data sent once (Karn). It also takes back any backoff
     * of the RTO (5.7): the RTO is computed afresh from SRTT and RTTVAR.
     */
    private void takeRttSample(long r) {
        if (srtt < 0) {
            srtt = r;
            rttvar = r / 2;
        } else {
            rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
            srtt = (7 * srtt + r) / 8;
        }
        rto = Math.min(config.maxRto(), Math.max(config.minRto(), srtt + Math.max(TcpConfig.MS, 4 * rttvar)));
    }

    /**
     * The tail loss probe timer (RFC 8985 7.2) of a SACK connection with data outstanding: two
     * smoothed RTTs (at least 10 ms; plus the peer's delayed ACK when one segment is out),
     * while that is before the retransmission timeout. It makes a loss at the end of a flight
     * — or of the ACKs that would have reported it — cost a few RTTs instead of the RTO.
     */
    void armProbe(long now) {
        probeAt = Long.MAX_VALUE;
        if (!c.sackOk || srtt < 0 || c.sndUna == c.sndMax || c.state == State.TIME_WAIT || c.sndWnd == 0
                || !c.isEstablishedOrLater() || probesUnanswered >= MAX_PROBES) {
            return;
        }
        long pto = Math.max(2 * srtt, 10 * TcpConfig.MS) << probesUnanswered;
        if (flightSize() <= c.mss) {
            pto += config.delayedAck();
        }
        if (now + pto < c.retransmitAt) {
            probeAt = now + pto;
        }
    }

    /**
     * The probe (RFC 8985 7.3): in recovery, the first hole again (its retransmission, if older
     * than an RTT, taken as lost); otherwise a new segment if the peer's window allows,
     * else the last segment again. Whatever the congestion window says; the RTO is restarted.
     */
    void sendProbe(long now, Output out) {
        tailLossProbes++;
        c.retransmitAt = now + rto;
        if (lt(c.sndNxt, c.sndMax)) {
            // going back after a timeout and nothing came back: the first hole once more
            int s = nextHole(c.sndNxt);
            if (s != -1) {
                retransmitHole(now, out, s, c.sndNxt);
            }
            return;
        }
        if (inRecovery) {
            // One segment, as a probe is: the first hole's retransmission if it is older than an
            // RTT. What was sent again after it is found lost when this one's ACK shows it delivered.
            SackScoreboard.Retransmission first = scoreboard.retransmissionAt(c.sndUna);
            if (first != null && now - first.at() > srtt) {
                scoreboard.forget(first);
                lostRetransmissions++;
            }
            int s = nextHole(c.sndMax);
            if (s != -1 && retransmitHole(now, out, s, c.sndMax)) {
                return;
            }
        }
        int end = c.sendBase + c.sendBuffer.length();
        if (!inRecovery && c.sndNxt == c.sndMax && lt(c.sndMax, end) && c.sndWnd > flightSize()) {
            int n = (int) Math.min(Math.min(end - c.sndMax, c.mss), c.sndWnd - flightSize());
            boolean fin = c.closeRequested && c.sndMax + n == c.finSeq;
            c.sendSegment(now, out, c.sndMax, n, fin);
            return;
        }
        int top = scoreboard.unsackedTop(c.sndMax);
        if (!lt(c.sndUna, top)) {
            return;
        }
        int from = lastSegmentStart(top);
        retransmitHole(now, out, from, top);
    }

    /**
     * RFC 6675 5 (C): while pipe leaves a segment's room in cwnd, NextSeg rule 1 — the first
     * un-SACKed bytes that IsLost and that are not already sent again — then rule 2 (new data)
     * in {@link #sendData}. At the start of recovery the first hole goes out whatever pipe says.
     */
    void sackRetransmit(long now, Output out) {
        int lostEnd = scoreboard.lostBoundary(c.sndUna, c.mss, DUPACK_THRESHOLD);
        if (retransmitFirstHole) {
            retransmitFirstHole = false;
            int s = nextHole(c.sndMax);
            if (s != -1) {
                retransmitHole(now, out, s, c.sndMax);
            }
        }
        while (cwnd - pipe() >= c.mss) {
            int s = nextHole(lostEnd);
            if (s == -1 || !retransmitHole(now, out, s, lostEnd)) {
                return;
            }
        }
    }

    /** The first byte from SND.UNA below {@code limit} that is neither SACKed nor sent again and in flight, or -1. */
    private int nextHole(int limit) {
        int s = c.sndUna;
        while (lt(s, limit)) {
            int after = scoreboard.skipSacked(s);
            if (after != s) {
                s = after;
                continue;
            }
            SackScoreboard.Retransmission r = scoreboard.retransmissionAt(s);
            if (r == null) {
                return s;
            }
            s = r.to();
        }
        return -1;
    }

    /** Sends again at most a segment of the hole at {@code s} (up to the next SACKed or resent bytes, below {@code limit}). */
    private boolean retransmitHole(long now, Output out, int s, int limit) {
        int holeEnd = scoreboard.nextRetransmission(s, scoreboard.nextSacked(s, limit));
        int dataLeft = Math.max(0, c.sendBase + c.sendBuffer.length() - s);
        int n = Math.min(c.mss, Math.min(holeEnd - s, dataLeft));
        boolean fin = c.closeRequested && s + n == c.finSeq && lt(c.finSeq, holeEnd);
        if (n <= 0 && !fin) {
            return false;
        }
        int to = s + n + (fin ? 1 : 0);
        c.sendSegment(now, out, s, n, fin);
        scoreboard.retransmitted(s, to, c.sndMax, now);
        retransmittedSegments++;
        if (rttTiming && le(s, rttSeq) && lt(rttSeq, to)) {
            rttTiming = false; // Karn: the timed segment went out twice
        }
        return true;
    }

    /**
     * Where the last segment below {@code top} (the end of the un-SACKed data, FIN included)
     * starts: one MSS of data before it, but not below what the peer holds under it.
     */
    private int lastSegmentStart(int top) {
        int dataTop = c.closeRequested && top == c.finSeq + 1 ? c.finSeq : top;
        int from = dataTop - c.mss;
        int below = scoreboard.sackedEndBelow(top, c.sndUna);
        return lt(from, below) ? below : from;
    }

    /**
     * RFC 6675 5 (C) rescue retransmission: once per recovery, when no hole is lost yet and no
     * new data can go, the segment ending at the highest un-SACKed byte goes out again, so a
     * loss at the tail of the window is found without the retransmission timeout.
     */
    void rescueRetransmit(long now, Output out) {
        boolean newData = lt(c.sndMax, c.sendBase + c.sendBuffer.length()) || c.closeRequested && le(c.sndMax, c.finSeq);
        if (newData && c.sndWnd > flightSize() || cwnd - pipe() < c.mss
                || nextHole(scoreboard.lostBoundary(c.sndUna, c.mss, DUPACK_THRESHOLD)) != -1) {
            return;
        }
        int top = scoreboard.unsackedTop(c.sndMax);
        if (!lt(c.sndUna, top) || scoreboard.retransmissionAt(top - 1) != null) {
            return;
        }
        int from = lastSegmentStart(top);
        rescueSent = true;
        retransmitHole(now, out, from, top);
    }

    void onRetransmitTimeout(long now) {
        int limit = c.state == State.SYN_SENT || c.state == State.SYN_RECEIVED ? config.synRetries()
                : config.maxRetransmissions();
        if (c.retries >= limit) {
            c.toClosed("connection timed out");
            return;
        }
        c.retries++;
        if (!c.isEstablishedOrLater()) {
            retransmittedSegments++; // the SYN; data sent again is counted as it goes
        }
        rto = Math.min(config.maxRto(), rto * 2); // RFC 6298 5.5
        boolean zeroWindow = c.sndWnd == 0 && c.sendBase + c.sendBuffer.length() != c.sndUna;
        if (zeroWindow) {
            c.probe = true; // the persist timer: one byte into the closed window
            c.retries = Math.max(0, c.retries - 1);
            zeroWindowProbes++;
        } else if (c.sackOk && c.isEstablishedOrLater()) {
            timeouts++;
            // Every byte outstanding is taken as lost and the scoreboard's recovery sends the holes
            // again from SND.UNA in slow start, as Linux's loss state does: the retransmissions are
            // tracked, so one lost again is found by what arrives after it, not by another timeout.
            ssthresh = Math.max(flightSize() / 2, 2L * c.mss); // RFC 5681 (4)
            cwnd = c.mss;
            recover = c.sndMax;
            inRecovery = true;
            timeoutRecovery = true;
            dupAcks = 0;
            // RFC 2018 8: the receiver may have reneged; SACK blocks that come again rebuild it
            scoreboard.clear();
            scoreboard.allLostBelow(c.sndMax);
            retransmitFirstHole = true;
            rescueSent = true;
            probeRearm = true; // a probe an RTT or two later if this retransmission is lost too
            probesUnanswered = 0;
            rttTiming = false; // Karn's algorithm
            c.retransmitAt = now + rto;
            return;
        } else {
            timeouts++;
            ssthresh = Math.max(flightSize() / 2, 2L * c.mss); // RFC 5681 (4)
            cwnd = c.mss;
            recover = c.sndMax;
            recoverAfterTimeout = true;
            inRecovery = false;
            dupAcks = 0;
        }
        c.sndNxt = c.sndUna; // go back: everything unacknowledged is sent again
        rttTiming = false; // Karn's algorithm
        c.retransmitAt = now + rto;
    }
}
