package org.alosj.net.impl;

import org.alosj.net.impl.iface.NetInterface;
import org.alosj.net.impl.socket.RingBuffer;
import org.alosj.net.impl.socket.TcpSocket;
import org.alosj.net.impl.wire.Ipv4Header;
import org.alosj.net.impl.wire.MalformedPacketException;
import org.alosj.net.impl.wire.TcpHeader;

/**
 * TCP demultiplexing (RFC 9293 3.10.7): a segment goes to its connection, or to a listener that
 * makes a new one from a SYN, or is answered with a reset. After anything happens to a
 * connection, {@link #service} lets it send, settles its listener, re-arms its timer and wakes
 * its waiters; {@link #forget} drops it from the table, keeping its loss-recovery counters.
 *
 * <p>Every method runs with the stack's lock held.
 */
final class Tcp {
    private final Stack stack;
    static final int COUNTERS = 7;
    private final TcpSocket.Output output = this::send;
    /** TCP loss-recovery counters of the connections already forgotten (netstat -s adds the live ones). */
    private final long[] closedCounters = new long[COUNTERS];

    Tcp(Stack stack) {
        this.stack = stack;
    }

    void input(NetInterface iface, Ipv4Header ip, byte[] b, int p, int len) throws MalformedPacketException {
        TcpHeader h = TcpHeader.parse(b, p, len, ip.source(), ip.destination());
        int dataOff = p + h.headerLength();
        int dataLen = len - h.headerLength();
        long now = stack.now();
        TcpEndpoint e = stack.connections.get(new Stack.ConnKey(ip.destination(), h.destinationPort(), ip.source(), h.sourcePort()));
        if (e != null && e.socket.state() == TcpSocket.State.TIME_WAIT && h.has(TcpHeader.SYN) && !h.has(TcpHeader.ACK)
                && stack.listeners.containsKey(h.destinationPort())) {
            e.socket.abort(); // RFC 9293 3.10.7.4 allows a new incarnation from TIME_WAIT
            forget(e);
            e = null;
        }
        if (e != null) {
            e.socket.holdAcks(stack.rxMore);
            e.socket.process(now, h, b, dataOff, dataLen);
            if (stack.rxMore && !e.ackHeld) {
                e.ackHeld = true;
                stack.ackHeld.add(e);
            }
            service(e);
            return;
        }
        TcpListener l = stack.listeners.get(h.destinationPort());
        if (l != null && (l.local.address().isUnspecified() || l.local.address().bits() == ip.destination())) {
            if (h.has(TcpHeader.RST)) {
                return;
            }
            if (h.has(TcpHeader.ACK)) {
                sendReset(ip, h, dataLen);
                return;
            }
            if (!h.has(TcpHeader.SYN)) {
                return;
            }
            if (l.halfOpen + l.ready.size() >= l.backlog) {
                stack.synDropped.incrementAndGet(); // a full backlog: the SYN is dropped, the peer will retry
                return;
            }
            NetInterface out = iface.loopback ? stack.loopback : iface;
            TcpSocket s = TcpSocket.accept(stack.tcpConfig, ip.destination(), ip.source(), h, stack.random.nextInt(),
                    out.mtu() - 40, now);
            TcpEndpoint ne = new TcpEndpoint(stack, s);
            ne.listener = l;
            s.listener = l;
            l.halfOpen++;
            stack.connections.put(ne.key(), ne);
            service(ne);
            return;
        }
        stack.noSocket.incrementAndGet();
        if (!h.has(TcpHeader.RST)) {
            sendReset(ip, h, dataLen);
        }
    }

    /** RFC 9293 3.10.7.1: the reset for a segment to no connection. */
    private void sendReset(Ipv4Header ip, TcpHeader h, int dataLen) {
        TcpHeader r;
        if (h.has(TcpHeader.ACK)) {
            r = new TcpHeader(h.destinationPort(), h.sourcePort(), h.ack(), 0, TcpHeader.RST, 0, 0, 20, -1, -1, false);
        } else {
            int segLen = dataLen + (h.has(TcpHeader.SYN) ? 1 : 0) + (h.has(TcpHeader.FIN) ? 1 : 0);
            r = new TcpHeader(h.destinationPort(), h.sourcePort(), 0, h.seq() + segLen, TcpHeader.RST | TcpHeader.ACK, 0,
                    0, 20, -1, -1, false);
        }
        byte[] f = new byte[Stack.HEADROOM + TcpHeader.MIN_LEN];
        r.emit(f, Stack.HEADROOM, 0, ip.destination(), ip.source());
        stack.ipv4.send(f, TcpHeader.MIN_LEN, ip.destination(), ip.source(), Ipv4Header.PROTO_TCP, null);
    }

    private void send(TcpSocket s, TcpHeader h, RingBuffer data, int dataOffset, int length) {
        int hl = h.length();
        byte[] f = new byte[Stack.HEADROOM + hl + length];
        if (length > 0) {
            data.peek(dataOffset, f, Stack.HEADROOM + hl, length);
        }
        h.emit(f, Stack.HEADROOM, length, s.localAddress, s.remoteAddress);
        stack.ipv4.send(f, hl + length, s.localAddress, s.remoteAddress, Ipv4Header.PROTO_TCP, null);
    }

    /** After anything happened to a connection: let it send, settle its listener, timers and waiters. */
    void service(TcpEndpoint e) {
        TcpSocket s = e.socket;
        long now = stack.now();
        s.dispatch(now, output);
        TcpListener l = e.listener;
        if (l != null && !e.queued && s.state() != TcpSocket.State.SYN_RECEIVED) {
            l.halfOpen--;
            e.queued = true;
            if (s.isEstablishedOrLater() && !l.closed) {
                l.ready.addLast(e);
                l.readyCondition.signalAll();
            } else if (s.state() != TcpSocket.State.CLOSED) {
                s.abort();
                s.dispatch(now, output);
            }
        }
        if (s.isClosed()) {
            forget(e);
        } else {
            long at = s.pollAt();
            if (at != Long.MAX_VALUE && (e.timer == null || at < e.timerAt)) {
                if (e.timer != null) {
                    e.timer.cancel(false);
                }
                e.timerAt = at;
                e.timer = stack.schedule(() -> {
                    e.timer = null;
                    e.timerAt = Long.MAX_VALUE;
                    service(e);
                }, at - now);
            }
        }
        if (e.wakeWaiters() || s.isClosed()) {
            e.changed.signalAll();
        }
    }

    void forget(TcpEndpoint e) {
        if (stack.connections.remove(e.key(), e)) {
            long[] c = counters(e.socket);
            for (int i = 0; i < COUNTERS; i++) {
                closedCounters[i] += c[i];
            }
        }
        if (e.timer != null) {
            e.timer.cancel(false);
            e.timer = null;
        }
        if (e.listener != null && !e.queued) {
            e.listener.halfOpen--;
            e.queued = true;
        }
        e.changed.signalAll();
    }

    static long[] counters(TcpSocket s) {
        return new long[] {s.retransmissions(), s.fastRetransmits(), s.sackRecoveries(), s.lostRetransmissions(),
            s.tailLossProbes(), s.timeouts(), s.zeroWindowProbes()};
    }

    /** The loss-recovery counters of the connections already forgotten. */
    long[] closedCounters() {
        return closedCounters.clone();
    }
}
