package org.alosj.net.impl.socket;

import static org.alosj.net.impl.socket.TcpSocket.le;
import static org.alosj.net.impl.socket.TcpSocket.lt;

/**
 * A connection's receive side: the receive buffer with out-of-order data held in its free space
 * ({@link Assembler}), which arriving segments are acceptable (RFC 9293 3.10.7.4), in-order data
 * and hole fills delivered, when an ACK is due (RFC 5681 4.2: every second segment or after the
 * delayed-ACK time, at once for out-of-order data and hole fills, quick ACKs while the peer
 * repairs losses, stretch ACKs within a receive batch), and the window advertised (RFC 7323
 * scaling, the right edge kept while a hole is open).
 *
 * <p>It belongs to one {@link TcpSocket}, which keeps RCV.NXT and the state machine; like the
 * socket it runs under the stack's lock.
 */
final class TcpReceiver {
    private static final int QUICK_ACKS = 16;

    // The buffer, and out-of-order data in its free space.
    final RingBuffer recvBuffer;
    final Assembler assembler = new Assembler();

    // The window advertised.
    long lastAdvertised;
    int lastWindowField = -1;
    int lastWindowRcvNxt;

    // When to acknowledge.
    long ackAt = Long.MAX_VALUE;
    int segmentsUnacked;
    /**
     * In-order segments still to be acknowledged at once, not delayed, after out-of-order data
     * (as Linux's quick-ACK mode): while the peer repairs losses every ACK tells it something,
     * and one lost ACK does not leave it waiting for the delayed-ACK timer.
     */
    int quickAcks;
    boolean ackHold;

    private final TcpSocket c;
    private final TcpConfig config;

    TcpReceiver(TcpSocket connection, TcpConfig config) {
        this.c = connection;
        this.config = config;
        this.recvBuffer = new RingBuffer(config.receiveBufferSize());
    }

    boolean acceptable(int seq, int segLen, long window) {
        if (segLen == 0) {
            if (window == 0) {
                return seq == c.rcvNxt;
            }
            return le(c.rcvNxt, seq) && lt(seq, (int) (c.rcvNxt + window));
        }
        if (window == 0) {
            return false;
        }
        int last = seq + segLen - 1;
        int edge = (int) (c.rcvNxt + window);
        return (le(c.rcvNxt, seq) && lt(seq, edge)) || (le(c.rcvNxt, last) && lt(last, edge));
    }

    void receiveData(long now, int seq, byte[] payload, int off, int len) {
        int offset = seq - c.rcvNxt;
        if (offset == 0) {
            recvBuffer.writeAt(0, payload, off, len);
            recvBuffer.commit(len);
            c.rcvNxt += len;
            int more = assembler.advance(len);
            boolean filledHole = more > 0; // RFC 5681 4.2: ACK at once when a hole fills
            while (more > 0) {
                recvBuffer.commit(more);
                c.rcvNxt += more;
                more = assembler.advance(more);
            }
            boolean quick = quickAcks > 0;
            if (quick) {
                quickAcks--;
            }
            if (filledHole || !assembler.isEmpty() || ++segmentsUnacked >= (ackHold ? TcpSocket.STRETCH_ACK_SEGMENTS : 2)
                    || quick) {
                c.ackNow = true;
            } else if (ackAt == Long.MAX_VALUE) {
                ackAt = now + config.delayedAck();
            }
        } else {
            if (assembler.add(offset, offset + len)) {
                recvBuffer.writeAt(offset, payload, off, len);
            }
            c.ackNow = true; // RFC 5681 4.2: out-of-order data is acknowledged at once
            quickAcks = QUICK_ACKS;
        }
    }

    int advertise() {
        if (!assembler.isEmpty() && lastWindowField >= 0 && c.rcvNxt == lastWindowRcvNxt) {
            // A hole: keep the window (same right edge) while the application reads, so every
            // ACK for out-of-order data is a duplicate by RFC 5681's definition (equal window)
            // and the sender's fast retransmit is not reset by an apparent window update.
            return lastWindowField;
        }
        int field = advertiseFree();
        lastWindowField = field;
        lastWindowRcvNxt = c.rcvNxt;
        return field;
    }

    private int advertiseFree() {
        long free = recvBuffer.free();
        int field;
        if (c.rcvShift < 0) {
            field = (int) Math.min(free, 0xffff);
            lastAdvertised = field;
        } else {
            field = (int) Math.min(free >> c.rcvShift, 0xffff);
            lastAdvertised = (long) field << c.rcvShift;
        }
        return field;
    }

    long advertisableWindow() {
        long free = recvBuffer.free();
        return c.rcvShift < 0 ? Math.min(free, 0xffff) : Math.min(free >> c.rcvShift, 0xffff) << c.rcvShift;
    }
}
