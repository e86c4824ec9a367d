package org.alosj.net.impl.socket;

import static org.alosj.net.impl.wire.TcpHeader.ACK;
import static org.alosj.net.impl.wire.TcpHeader.FIN;
import static org.alosj.net.impl.wire.TcpHeader.PSH;
import static org.alosj.net.impl.wire.TcpHeader.RST;
import static org.alosj.net.impl.wire.TcpHeader.SYN;

import org.alosj.net.impl.wire.TcpHeader;

/**
 * One TCP connection: the RFC 9293 state machine, RFC 6298 retransmission timer, congestion
 * control (RFC 5681) with loss recovery by SACK (RFC 2018, RFC 6675: scoreboard, IsLost, pipe,
 * NextSeg, rescue retransmission) when both SYNs carried SACK-permitted and NewReno (RFC 6582)
 * otherwise, window scaling and MSS (RFC 7323, RFC 9293 3.7.1), delayed ACK, Nagle, keep-alive,
 * TIME_WAIT and the RFC 5961 checks on RST and SYN. Loss recovery (congestion control, RTT and
 * RTO, SACK and NewReno recovery, tail loss probes) is in {@link LossRecovery}, the receive side
 * (buffer and reassembly, acceptability, when to ACK, the window advertised) in
 * {@link TcpReceiver}; this file keeps the state machine and the send side.
 *
 * <p>It is a plain state machine with no threads, locks or clocks of its own: the stack calls
 * {@link #process} with each arriving segment and {@link #dispatch} to let it send, both with the
 * current time, under the stack's lock; {@link #pollAt} says when it next needs {@code dispatch}
 * for a timer. Sequence numbers are compared modulo 2^32 ({@link #lt}).
 *
 * <p>Invariants: the send buffer holds the bytes from {@code sendBase} (the oldest unacknowledged
 * data byte) on; {@code sndUna <= sndNxt <= sndMax}; the receive buffer holds the bytes the
 * application has not read, and out-of-order data sits in its free space as {@link Assembler}
 * ranges past {@code rcvNxt}.
 */
public final class TcpSocket {
    public enum State { CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT,
        CLOSING, LAST_ACK, TIME_WAIT }

    /** Where segments go: the stack wraps them in IPv4 and Ethernet. */
    @FunctionalInterface
    public interface Output {
        /** Sends {@code header} with {@code length} bytes of {@code data} from offset {@code dataOffset}. */
        void send(TcpSocket socket, TcpHeader header, RingBuffer data, int dataOffset, int length);
    }

    private static final int DEFAULT_MSS = 536; // RFC 9293 3.7.1
    /**
     * While a receive batch goes on ({@link #holdAcks}), in-order data is acknowledged every this
     * many segments at least (about 23 KB at MSS 1460), so the sender's window keeps moving.
     */
    static final int STRETCH_ACK_SEGMENTS = 16;

    final TcpConfig config;
    public final int localAddress;
    public final int localPort;
    public final int remoteAddress;
    public final int remotePort;
    /** The listener this connection came from, until accepted. */
    public Object listener;

    State state;
    String error;

    // Send side.
    final RingBuffer sendBuffer;
    final int iss;
    int sndUna;
    int sndNxt;
    int sndMax;
    int sendBase;
    long sndWnd;
    int sndWl1;
    int sndWl2;
    int sndShift;
    int mss;
    boolean closeRequested;
    int finSeq;
    boolean noDelay;
    boolean orphan;

    // Receive sequence space (the buffer, ACK timing and window are the receiver's).
    int irs;
    int rcvNxt;
    int rcvShift;
    final int ourMss;
    boolean peerFin;
    int peerFinSeq;
    boolean peerFinPending;

    /** The persist timer fired on a closed window: one byte goes into it. */
    boolean probe;
    /** Both SYNs carried SACK-permitted: the receiver reports blocks, the sender keeps a scoreboard. */
    boolean sackOk;

    // Timers (absolute nanoseconds; Long.MAX_VALUE when off).
    long retransmitAt = Long.MAX_VALUE;
    int retries;
    boolean ackNow;
    long timeWaitUntil = Long.MAX_VALUE;
    boolean keepAlive;
    long keepAliveAt = Long.MAX_VALUE;
    int keepAliveSent;
    long lastHeard;
    boolean rstPending;
    int rstSeq;

    /** Congestion control, RTT and RTO, and loss recovery: their state and their rules. */
    final LossRecovery recovery;
    /** The receive buffer, reassembly, the window advertised and when to acknowledge. */
    final TcpReceiver rx;

    private TcpSocket(TcpConfig config, int localAddress, int localPort, int remoteAddress, int remotePort, int iss,
                      int ourMss, long now) {
        this.config = config;
        this.localAddress = localAddress;
        this.localPort = localPort;
        this.remoteAddress = remoteAddress;
        this.remotePort = remotePort;
        this.iss = iss;
        this.ourMss = ourMss;
        this.sendBuffer = new RingBuffer(config.sendBufferSize());
        this.sndUna = iss;
        this.sndNxt = iss;
        this.sndMax = iss;
        this.sendBase = iss + 1;
        this.recovery = new LossRecovery(this, config);
        this.rx = new TcpReceiver(this, config);
        this.mss = DEFAULT_MSS;
        this.lastHeard = now;
    }

    /** An active open: SYN_SENT, the SYN goes out on the next {@link #dispatch}. */
    public static TcpSocket connect(TcpConfig config, int localAddress, int localPort, int remoteAddress,
                                    int remotePort, int iss, int ourMss, long now) {
        TcpSocket s = new TcpSocket(config, localAddress, localPort, remoteAddress, remotePort, iss, ourMss, now);
        s.state = State.SYN_SENT;
        s.recovery.cwnd = s.initialWindow();
        return s;
    }

    /** A passive open from a listener that got {@code syn}: SYN_RECEIVED, the SYN-ACK goes out on dispatch. */
    public static TcpSocket accept(TcpConfig config, int localAddress, int remoteAddress, TcpHeader syn, int iss,
                                   int ourMss, long now) {
        TcpSocket s = new TcpSocket(config, localAddress, syn.destinationPort(), remoteAddress, syn.sourcePort(), iss,
                ourMss, now);
        s.state = State.SYN_RECEIVED;
        s.irs = syn.seq();
        s.rcvNxt = syn.seq() + 1;
        s.takeSynOptions(syn);
        s.sndWnd = syn.window(); // never scaled in a SYN (RFC 7323 2.2)
        s.sndWl1 = syn.seq();
        s.sndWl2 = iss;
        s.recovery.cwnd = s.initialWindow();
        return s;
    }

    private void takeSynOptions(TcpHeader syn) {
        mss = Math.min(syn.mss() > 0 ? syn.mss() : DEFAULT_MSS, ourMss);
        sackOk = config.sack() && syn.sackPermitted();
        if (syn.windowScale() >= 0) {
            sndShift = syn.windowScale();
            rcvShift = config.windowScale();
        } else {
            sndShift = 0;
            rcvShift = -1; // not negotiated: our window field is unscaled and capped at 65535
        }
    }

    private long initialWindow() {
        return Math.min(10L * mss, Math.max(2L * mss, 14600)); // RFC 6928
    }

    // ---- sequence arithmetic ------------------------------------------------------------

    static boolean lt(int a, int b) {
        return a - b < 0;
    }

    static boolean le(int a, int b) {
        return a - b <= 0;
    }

    // ---- the application's side ---------------------------------------------------------

    public State state() {
        return state;
    }

    /** Why the connection ended abnormally (refused, reset, timed out), or null. */
    public String error() {
        return error;
    }

    public void setNoDelay(boolean on) {
        noDelay = on;
    }

    public void setKeepAlive(boolean on) {
        keepAlive = on;
        keepAliveSent = 0;
        keepAliveAt = on ? lastHeard + config.keepAliveIdle() : Long.MAX_VALUE;
    }

    public boolean isEstablishedOrLater() {
        return state != State.SYN_SENT && state != State.SYN_RECEIVED && state != State.CLOSED
                && state != State.LISTEN;
    }

    /** True while the application may still queue data. */
    public boolean canSend() {
        return !closeRequested && (state == State.ESTABLISHED || state == State.CLOSE_WAIT
                || state == State.SYN_SENT || state == State.SYN_RECEIVED);
    }

    public int sendSpace() {
        return sendBuffer.free();
    }

    /** Queues data for sending; returns how many bytes fitted. */
    public int send(byte[] b, int off, int len) {
        if (!canSend()) {
            return 0;
        }
        return sendBuffer.write(b, off, len);
    }

    public int readable() {
        return rx.recvBuffer.length();
    }

    /** The peer sent FIN and every byte before it has been read. */
    public boolean atEndOfStream() {
        return (peerFin && rx.recvBuffer.isEmpty()) || (state == State.CLOSED && rx.recvBuffer.isEmpty());
    }

    /**
     * Dequeues received data. A read schedules a window update only when the window it opens
     * matters: the peer may send at most half the buffer more (as Linux's tcp_cleanup_rbuf asks)
     * and the window grew by min(half the buffer, two segments) since it was last advertised.
     * Otherwise the ACKs of the data carry the window.
     */
    public int recv(byte[] b, int off, int len) {
        int n = rx.recvBuffer.read(b, off, len);
        if (n > 0 && isEstablishedOrLater() && !peerFin) {
            long window = rx.advertisableWindow();
            long peerMaySend = rx.lastAdvertised - (rcvNxt - rx.lastWindowRcvNxt);
            if (rx.assembler.isEmpty() && 2 * peerMaySend <= rx.recvBuffer.capacity()
                    && window - rx.lastAdvertised >= Math.min(rx.recvBuffer.capacity() / 2, 2L * mss)) {
                ackNow = true;
            }
        }
        return n;
    }

    /**
     * The application let go of the connection (close, not shutdownOutput): it will not read
     * again, so FIN_WAIT_2 is given up after 2 MSL if the peer never sends its FIN (as Linux's
     * tcp_fin_timeout does for orphaned connections).
     */
    public void closeOrphaned() {
        orphan = true;
        close();
    }

    /** Queues a FIN after the data (RFC 9293 3.10.4 CLOSE). */
    public void close() {
        switch (state) {
            case LISTEN -> toClosed(null);
            case SYN_SENT -> {
                if (sendBuffer.isEmpty()) {
                    toClosed(null);
                } else {
                    closeRequested = true; // the FIN follows the queued data once established
                    finSeq = sendBase + sendBuffer.length();
                }
            }
            case SYN_RECEIVED, ESTABLISHED -> {
                closeRequested = true;
                finSeq = sendBase + sendBuffer.length();
                if (state == State.ESTABLISHED) {
                    state = State.FIN_WAIT_1;
                }
            }
            case CLOSE_WAIT -> {
                closeRequested = true;
                finSeq = sendBase + sendBuffer.length();
                state = State.LAST_ACK;
            }
            default -> {
                // already closing
            }
        }
    }

    /** RFC 9293 3.10.5 ABORT: a RST goes out if the connection was synchronized. */
    public void abort() {
        if (state == State.SYN_RECEIVED || isEstablishedOrLater() && state != State.TIME_WAIT) {
            rstPending = true;
            rstSeq = sndNxt;
        }
        toClosed(null);
        sendBuffer.clear();
    }

    // ---- arriving segments --------------------------------------------------------------

    /**
     * Processes one arriving segment (RFC 9293 3.10.7) with its payload at {@code [off, off + len)}.
     * Replies it needs (ACKs, RSTs) go out on the next {@link #dispatch}.
     */
    public void process(long now, TcpHeader h, byte[] payload, int off, int len) {
        if (state == State.CLOSED || state == State.LISTEN) {
            return;
        }
        if (state == State.SYN_SENT) {
            processSynSent(now, h);
            return;
        }
        int segLen = len + (h.has(SYN) ? 1 : 0) + (h.has(FIN) ? 1 : 0);
        long window = rx.recvBuffer.free();
        // First: is the segment acceptable?
        if (!rx.acceptable(h.seq(), segLen, window)) {
            if (!h.has(RST)) {
                if (state == State.SYN_RECEIVED && h.has(SYN) && !h.has(ACK)) {
                    sndNxt = iss; // the peer lost our SYN-ACK: send it again
                } else {
                    ackNow = true;
                }
                if (state == State.TIME_WAIT) {
                    timeWaitUntil = now + 2 * config.msl();
                }
            }
            return;
        }
        lastHeard = now;
        keepAliveSent = 0;
        if (keepAlive) {
            keepAliveAt = now + config.keepAliveIdle();
        }
        // Second: RST (RFC 5961 3.2: only an exact match resets; others get a challenge ACK).
        if (h.has(RST)) {
            if (state == State.TIME_WAIT) {
                return; // RFC 1337: a RST must not cut TIME_WAIT short (old duplicates answered by RST do)
            }
            if (h.seq() == rcvNxt) {
                // RFC 9293 3.10.7.4: in CLOSING and LAST_ACK both sides have closed; that is no error
                boolean closing = state == State.CLOSING || state == State.LAST_ACK;
                toClosed(closing || state == State.SYN_RECEIVED && listener != null ? null : "connection reset by peer");
            } else {
                ackNow = true;
            }
            return;
        }
        // Trim what is before RCV.NXT (an old SYN, old data) and what is past the window.
        int seq = h.seq();
        int flags = h.flags();
        if (h.has(SYN)) {
            if (state == State.SYN_RECEIVED && seq == irs) {
                // the peer's SYN again; its acceptable part is trimmed below
            } else {
                ackNow = true; // RFC 5961 4.2: challenge ACK, drop
                return;
            }
            seq++;
            flags &= ~SYN;
        }
        int dataOff = off;
        int dataLen = len;
        if (lt(seq, rcvNxt)) {
            int skip = Math.min(rcvNxt - seq, dataLen);
            dataOff += skip;
            dataLen -= skip;
            seq += skip;
            if (lt(seq, rcvNxt)) {
                flags &= ~FIN; // only a FIN that is itself old remains before RCV.NXT
                seq = rcvNxt;
            }
        }
        long room = window - (seq - rcvNxt);
        if (dataLen > room) {
            dataLen = (int) Math.max(0, room);
            flags &= ~FIN;
        }
        // Fourth: ACK.
        if (!h.has(ACK)) {
            return;
        }
        if (state == State.SYN_RECEIVED) {
            if (lt(sndUna, h.ack()) && le(h.ack(), sndMax)) {
                state = State.ESTABLISHED;
                sndWnd = (long) h.window() << sndShift;
                sndWl1 = h.seq();
                sndWl2 = h.ack();
                if (closeRequested) {
                    state = State.FIN_WAIT_1;
                }
            } else {
                rstPending = true;
                rstSeq = h.ack();
                return;
            }
        }
        if (!processAck(now, h, segLen)) {
            return;
        }
        if (state == State.CLOSED || state == State.TIME_WAIT && !h.has(FIN)) {
            return;
        }
        // Seventh: data.
        if (dataLen > 0 && (state == State.ESTABLISHED || state == State.FIN_WAIT_1 || state == State.FIN_WAIT_2)) {
            rx.receiveData(now, seq, payload, dataOff, dataLen);
        }
        // Eighth: FIN.
        if ((flags & FIN) != 0) {
            peerFinPending = true;
            peerFinSeq = seq + dataLen;
        }
        if (peerFinPending && rcvNxt == peerFinSeq && !peerFin) {
            finArrived(now);
        } else if (peerFinPending && state == State.TIME_WAIT) {
            ackNow = true;
            timeWaitUntil = now + 2 * config.msl();
        }
    }

    private void processSynSent(long now, TcpHeader h) {
        if (h.has(ACK) && (le(h.ack(), iss) || lt(sndMax, h.ack()))) {
            if (!h.has(RST)) {
                rstPending = true;
                rstSeq = h.ack();
            }
            return;
        }
        if (h.has(RST)) {
            if (h.has(ACK)) {
                toClosed("connection refused");
            }
            return;
        }
        if (!h.has(SYN)) {
            return;
        }
        irs = h.seq();
        rcvNxt = h.seq() + 1;
        takeSynOptions(h);
        recovery.cwnd = initialWindow();
        lastHeard = now;
        if (h.has(ACK)) {
            sndUna = h.ack();
            if (lt(sndNxt, sndUna)) {
                sndNxt = sndUna;
            }
            sndWnd = (long) h.window() << sndShift;
            sndWl1 = h.seq();
            sndWl2 = h.ack();
            recovery.sampleRtt(now, h.ack());
            stopRetransmitTimer();
            state = closeRequested ? State.FIN_WAIT_1 : State.ESTABLISHED;
            ackNow = true;
        } else {
            // Simultaneous open (RFC 9293 3.5): our SYN goes out again with the ACK.
            state = State.SYN_RECEIVED;
            sndNxt = iss;
            sndWnd = h.window();
            sndWl1 = h.seq();
        }
    }

    /** The ACK field of a synchronized connection; false when the segment is to be dropped. */
    private boolean processAck(long now, TcpHeader h, int segLen) {
        int ack = h.ack();
        if (lt(sndMax, ack)) {
            ackNow = true; // acks something not yet sent
            return false;
        }
        long newWindow = (long) h.window() << sndShift;
        boolean windowUpdate = lt(sndWl1, h.seq()) || sndWl1 == h.seq() && le(sndWl2, ack);
        if (lt(sndUna, ack)) {
            int acked = ack - sndUna;
            sndUna = ack;
            if (lt(sndNxt, sndUna)) {
                sndNxt = sndUna;
            }
            int dataAcked = Math.max(0, Math.min(ack - sendBase, sendBuffer.length()));
            sendBuffer.drop(dataAcked);
            sendBase += dataAcked;
            recovery.sampleRtt(now, ack);
            retries = 0;
            probe = false;
            if (sackOk) {
                recovery.scoreboard.advance(sndUna);
                recovery.takeSackBlocks(h);
            }
            recovery.onNewAck(acked);
            if (sndUna == sndMax) {
                stopRetransmitTimer();
            } else {
                retransmitAt = now + recovery.rto; // RFC 6298 5.3
            }
            recovery.probeRearm = true;
            recovery.probesUnanswered = 0;
            if (windowUpdate) {
                sndWnd = newWindow;
                sndWl1 = h.seq();
                sndWl2 = ack;
            }
            if (closeRequested && lt(finSeq, sndUna)) {
                finAcked(now);
            }
            if (sackOk) {
                recovery.afterSackAck(now, true);
            }
        } else {
            boolean delivered = sackOk && recovery.takeSackBlocks(h) > 0;
            if (delivered) {
                recovery.probeRearm = true;
                recovery.probesUnanswered = 0;
            }
            if (ack == sndUna && segLen == 0 && newWindow == sndWnd && sndUna != sndMax) {
                recovery.onDuplicateAck(now);
            } else if (windowUpdate) {
                recovery.dupAcks = 0;
            }
            if (windowUpdate) {
                sndWnd = newWindow;
                sndWl1 = h.seq();
                sndWl2 = ack;
            }
            if (sackOk && sndUna != sndMax) {
                recovery.afterSackAck(now, delivered);
            }
        }
        return true;
    }

    private void finAcked(long now) {
        switch (state) {
            case FIN_WAIT_1 -> {
                state = State.FIN_WAIT_2;
                if (orphan) {
                    timeWaitUntil = now + 2 * config.msl();
                }
            }
            case CLOSING -> enterTimeWait(now);
            case LAST_ACK -> toClosed(null);
            default -> {
            }
        }
    }

    /**
     * Whether more segments of the same receive batch (the frames a driver took off its ring in
     * one go) follow the next one {@link #process}ed. While they do, the ACK RFC 5681 4.2 asks
     * for every second full-sized segment waits for the end of the batch, as Linux acknowledges
     * a GRO aggregate once (at most {@link #STRETCH_ACK_SEGMENTS} segments wait); out-of-order
     * data, hole fills and FINs are still acknowledged at once.
     */
    public void holdAcks(boolean hold) {
        rx.ackHold = hold;
    }

    /** The receive batch is over: the held ACK (two segments or more unacknowledged) is due now. */
    public void endAckHold() {
        rx.ackHold = false;
        if (rx.segmentsUnacked >= 2) {
            ackNow = true;
        }
    }

    private void finArrived(long now) {
        peerFin = true;
        rcvNxt++;
        ackNow = true;
        switch (state) {
            case SYN_RECEIVED, ESTABLISHED -> state = State.CLOSE_WAIT;
            case FIN_WAIT_1 -> {
                if (closeRequested && lt(finSeq, sndUna)) {
                    enterTimeWait(now);
                } else {
                    state = State.CLOSING;
                }
            }
            case FIN_WAIT_2 -> enterTimeWait(now);
            default -> {
            }
        }
    }

    private void enterTimeWait(long now) {
        state = State.TIME_WAIT;
        timeWaitUntil = now + 2 * config.msl();
        stopRetransmitTimer();
        keepAliveAt = Long.MAX_VALUE;
    }

    void toClosed(String why) {
        if (state != State.CLOSED && error == null) {
            error = why;
        }
        state = State.CLOSED;
        stopRetransmitTimer();
        rx.ackAt = Long.MAX_VALUE;
        timeWaitUntil = Long.MAX_VALUE;
        keepAliveAt = Long.MAX_VALUE;
    }

    private void stopRetransmitTimer() {
        retransmitAt = Long.MAX_VALUE;
        recovery.probeAt = Long.MAX_VALUE;
    }

    // ---- sending ------------------------------------------------------------------------

    /**
     * The next time a timer of this connection is due, or Long.MAX_VALUE. Replies and data that
     * events make sendable go out on the {@link #dispatch} the stack runs after every event.
     */
    public long pollAt() {
        return Math.min(Math.min(retransmitAt, recovery.probeAt), Math.min(rx.ackAt, Math.min(timeWaitUntil, keepAliveAt)));
    }

    /**
     * The interface this connection goes out on has a driver again after a swap. Segments in
     * flight may have died in the old driver's rings, and the peer's with them: a probe goes out
     * at once (new data, or the last segment again, as the tail loss probe sends) and an ACK with
     * our SACK blocks tells the peer what arrived, so neither side sits out its retransmission
     * timeout.
     */
    public void pathResumed(long now) {
        if (!isEstablishedOrLater() || state == State.TIME_WAIT) {
            return;
        }
        if (sndUna != sndMax) {
            recovery.probesUnanswered = 0;
            recovery.probeAt = now;
        }
        ackNow = true;
    }

    /** True once nothing more will ever be sent or received: the stack forgets the connection. */
    public boolean isClosed() {
        return state == State.CLOSED && !rstPending;
    }

    /**
     * Runs due timers and sends what the state, windows and timers allow. Returns after sending
     * at most {@code budget} segments (the rest on the next call).
     */
    public void dispatch(long now, Output out) {
        if (rstPending) {
            rstPending = false;
            out.send(this, header(rstSeq, 0, RST, 0), sendBuffer, 0, 0);
        }
        if (state == State.CLOSED) {
            return;
        }
        runTimers(now, out);
        if (state == State.CLOSED || state == State.TIME_WAIT && !ackNow) {
            return;
        }
        if (state == State.SYN_SENT || state == State.SYN_RECEIVED) {
            if (sndNxt == iss) {
                int flags = state == State.SYN_SENT ? SYN : SYN | ACK;
                int scale = state == State.SYN_SENT ? config.windowScale() : Math.max(rcvShift, -1);
                boolean offerSack = state == State.SYN_SENT ? config.sack() : sackOk;
                TcpHeader h = new TcpHeader(localPort, remotePort, iss, state == State.SYN_SENT ? 0 : rcvNxt, flags,
                        (int) Math.min(0xffff, rx.recvBuffer.free()), 0, 0, ourMss, scale, offerSack);
                out.send(this, h, sendBuffer, 0, 0);
                sndNxt = iss + 1;
                if (lt(sndMax, sndNxt)) {
                    sndMax = sndNxt;
                }
                if (retransmitAt == Long.MAX_VALUE) {
                    retransmitAt = now + recovery.rto;
                }
                if (retries == 0) {
                    recovery.rttTiming = true;
                    recovery.rttSeq = iss;
                    recovery.rttStart = now;
                }
                ackNow = false;
            }
            if (state == State.SYN_SENT || sndUna == iss) {
                return;
            }
        }
        if (sackOk && recovery.inRecovery && isEstablishedOrLater() && state != State.TIME_WAIT) {
            recovery.sackRetransmit(now, out);
        }
        if (recovery.retransmitOne) {
            recovery.retransmitOne = false;
            recovery.recoveryRetransmitAt = now;
            int n = (int) Math.min(mss, Math.max(0, sendBase + sendBuffer.length() - sndUna));
            boolean fin = closeRequested && sndUna + n == finSeq;
            if (n > 0 || fin) {
                sendSegment(now, out, sndUna, n, fin);
                recovery.retransmittedSegments++;
            }
        }
        sendData(now, out);
        if (sackOk && recovery.inRecovery && !recovery.rescueSent && isEstablishedOrLater() && state != State.TIME_WAIT) {
            recovery.rescueRetransmit(now, out);
        }
        if (ackNow) {
            sendSegment(now, out, sndNxt, 0, false);
        }
        if (recovery.probeRearm) {
            recovery.probeRearm = false;
            recovery.armProbe(now);
        }
    }

    private void runTimers(long now, Output out) {
        if (now >= timeWaitUntil) {
            toClosed(null);
            return;
        }
        if (now >= rx.ackAt) {
            ackNow = true;
        }
        if (now >= retransmitAt) {
            recovery.probeAt = Long.MAX_VALUE;
            recovery.onRetransmitTimeout(now);
            if (state == State.CLOSED) {
                return;
            }
        } else if (now >= recovery.probeAt) {
            recovery.probeAt = Long.MAX_VALUE;
            recovery.sendProbe(now, out);
            recovery.probesUnanswered++;
            recovery.probeRearm = false;
            recovery.armProbe(now); // a second probe (twice the time) if the first or its ACK is lost too
        }
        if (now >= keepAliveAt && keepAlive && isEstablishedOrLater()) {
            if (keepAliveSent >= config.keepAliveProbes()) {
                toClosed("connection timed out (no keep-alive answer)");
                return;
            }
            keepAliveSent++;
            keepAliveAt = now + config.keepAliveInterval();
            // RFC 9293 3.8.4: a probe with SEG.SEQ = SND.NXT - 1 makes the peer answer with an ACK
            out.send(this, header(sndNxt - 1, rcvNxt, ACK, rx.advertise()), sendBuffer, 0, 0);
        }
    }

    private void sendData(long now, Output out) {
        if (!isEstablishedOrLater() || state == State.TIME_WAIT) {
            return;
        }
        int end = sendBase + sendBuffer.length();
        while (true) {
            boolean goingBack = lt(sndNxt, sndMax);
            if (sackOk && goingBack) {
                int after = recovery.scoreboard.skipSacked(sndNxt); // after a timeout: what the peer holds is not sent again
                if (after != sndNxt) {
                    sndNxt = after;
                    continue;
                }
            }
            int unsent = end - sndNxt;
            long inFlight = sndNxt - sndUna;
            long room = Math.min(sndWnd - inFlight, recovery.congestionRoom());
            if (probe && room <= 0 && unsent > 0) {
                room = 1;
                probe = false;
            }
            if (unsent > 0) {
                int n = (int) Math.min(Math.min(unsent, mss), Math.max(0, room));
                if (sackOk && goingBack) {
                    n = Math.min(n, recovery.scoreboard.nextSacked(sndNxt, sndMax) - sndNxt);
                }
                if (n <= 0) {
                    if (sndWnd == 0 && retransmitAt == Long.MAX_VALUE) {
                        retransmitAt = now + recovery.rto; // the persist timer (RFC 9293 3.8.6.1)
                    }
                    return;
                }
                boolean last = n == unsent;
                if (room < Math.min(unsent, mss) && inFlight > 0) {
                    // RFC 9293 3.8.6.2.1: a segment the window, not the data, cuts short waits for the
                    // ACK that widens it (going back after a timeout, cwnd may end in an odd byte)
                    return;
                }
                if (n < mss && inFlight > 0 && !noDelay && !(closeRequested && last) && !goingBack) {
                    return; // Nagle (RFC 9293 3.7.4): one small segment in flight at a time
                }
                boolean fin = closeRequested && last && sndNxt + n == finSeq;
                if (goingBack) {
                    recovery.retransmittedSegments++;
                }
                sendSegment(now, out, sndNxt, n, fin);
                continue;
            }
            if (closeRequested && le(sndNxt, finSeq)) {
                sendSegment(now, out, finSeq, 0, true);
            }
            return;
        }
    }

    void sendSegment(long now, Output out, int seq, int n, boolean fin) {
        int flags = ACK | (fin ? FIN : 0) | (n > 0 && seq + n == sendBase + sendBuffer.length() ? PSH : 0);
        TcpHeader h = header(seq, rcvNxt, flags, rx.advertise());
        if (sackOk && !rx.assembler.isEmpty()) {
            // RFC 6691: options come out of the MSS, so a data segment carries only the blocks that fit beside it
            int fit = n == 0 ? TcpHeader.MAX_SACK_BLOCKS : Math.min(TcpHeader.MAX_SACK_BLOCKS, (mss - n - 4) / 8);
            if (fit > 0) {
                h = h.withSackBlocks(rx.assembler.sackBlocks(rcvNxt, fit));
            }
        }
        out.send(this, h, sendBuffer, seq - sendBase, n);
        int next = seq + n + (fin ? 1 : 0);
        if (n > 0 || fin) {
            if (lt(sndNxt, next) && seq == sndNxt) {
                sndNxt = next;
            }
            if (lt(sndMax, next)) {
                recovery.probeRearm = true;
                if (!recovery.rttTiming && seq == sndMax) {
                    recovery.rttTiming = true;
                    recovery.rttSeq = seq;
                    recovery.rttStart = now;
                }
                sndMax = next;
            }
            if (retransmitAt == Long.MAX_VALUE) {
                retransmitAt = now + recovery.rto;
            }
        }
        ackNow = false;
        rx.ackAt = Long.MAX_VALUE;
        rx.segmentsUnacked = 0;
    }

    private TcpHeader header(int seq, int ack, int flags, int window) {
        return new TcpHeader(localPort, remotePort, seq, ack, flags, window, 0, TcpHeader.MIN_LEN, -1, -1, false);
    }

    // ---- what netstat shows -------------------------------------------------------------

    public int sendQueue() {
        return sendBuffer.length();
    }

    public long retransmissions() {
        return recovery.retransmittedSegments;
    }

    /** Retransmission timeouts (RTO expiries; persist probes are {@link #zeroWindowProbes}). */
    public long timeouts() {
        return recovery.timeouts;
    }

    /** Persist-timer expiries: a byte sent into the peer's closed window. */
    public long zeroWindowProbes() {
        return recovery.zeroWindowProbes;
    }

    /** Loss recoveries started by duplicate ACKs or SACK blocks (each begins with a fast retransmit). */
    public long fastRetransmits() {
        return recovery.fastRetransmits;
    }

    /** Of {@link #fastRetransmits}, those run by the SACK scoreboard (RFC 6675). */
    public long sackRecoveries() {
        return recovery.sackRecoveries;
    }

    /** Retransmissions found lost (data sent after them arrived) and sent once more without a timeout. */
    public long lostRetransmissions() {
        return recovery.lostRetransmissions;
    }

    /** Tail loss probes sent (RFC 8985 7). */
    public long tailLossProbes() {
        return recovery.tailLossProbes;
    }

    /** Both ends agreed on SACK (RFC 2018) in their SYNs. */
    public boolean sackPermitted() {
        return sackOk;
    }

    public long congestionWindow() {
        return recovery.cwnd;
    }

    public long smoothedRttNanos() {
        return recovery.srtt;
    }

    public int sendMss() {
        return mss;
    }

    public int sendWindowShift() {
        return sndShift;
    }

    public long sendWindow() {
        return sndWnd;
    }

    @Override
    public String toString() {
        return String.format("tcp %08x:%d > %08x:%d %s", localAddress, localPort, remoteAddress, remotePort, state);
    }
}
