package org.alosj.net.impl;

import org.alosj.net.impl.iface.NetInterface;
import org.alosj.net.impl.socket.TcpSocket;
import org.alosj.net.impl.wire.Bytes;
import org.alosj.net.impl.wire.IcmpMessage;
import org.alosj.net.impl.wire.Ipv4Header;
import org.alosj.net.impl.wire.MalformedPacketException;

/**
 * ICMP (RFC 792): echo replies to requests, echo replies matched to the pings waiting for them,
 * destination unreachable failing the connection it quotes while that connection is being set
 * up, and the errors this host sends (protocol and port unreachable), at most 100 a second.
 *
 * <p>Every method runs with the stack's lock held.
 */
final class Icmp {
    private final Stack stack;
    private long errorsSent;
    private long errorWindowStart;
    private int errorsInWindow;

    Icmp(Stack stack) {
        this.stack = stack;
    }

    void input(NetInterface iface, Ipv4Header ip, byte[] b, int p, int len, boolean broadcast)
            throws MalformedPacketException {
        IcmpMessage m = IcmpMessage.parse(b, p, len);
        switch (m.type()) {
            case IcmpMessage.ECHO_REQUEST -> {
                if (broadcast) {
                    return; // RFC 1122 3.2.2.6 allows silence; we keep quiet to avoid storms
                }
                int dataLen = len - IcmpMessage.HEADER_LEN;
                byte[] f = new byte[Stack.HEADROOM + IcmpMessage.HEADER_LEN + dataLen];
                System.arraycopy(b, p + IcmpMessage.HEADER_LEN, f, Stack.HEADROOM + IcmpMessage.HEADER_LEN, dataLen);
                new IcmpMessage(IcmpMessage.ECHO_REPLY, 0, m.restOfHeader()).emit(f, Stack.HEADROOM, dataLen);
                stack.ipv4.send(f, IcmpMessage.HEADER_LEN + dataLen, ip.destination(), ip.source(), Ipv4Header.PROTO_ICMP, null);
            }
            case IcmpMessage.ECHO_REPLY -> {
                Stack.PingWaiter w = stack.pings.get(m.identifier());
                if (w != null && w.sequence == m.sequence() && w.replyAt < 0) {
                    w.replyAt = stack.now();
                    w.done.signalAll();
                }
            }
            case IcmpMessage.DESTINATION_UNREACHABLE -> unreachableIn(m, b, p + IcmpMessage.HEADER_LEN,
                    len - IcmpMessage.HEADER_LEN);
            default -> {
                // other ICMP types are counted by the interface only
            }
        }
    }

    /** An ICMP destination unreachable about a segment we sent: a connection being set up fails. */
    private void unreachableIn(IcmpMessage m, byte[] b, int p, int len) {
        try {
            Ipv4Header inner = Ipv4Header.parseQuoted(b, p, len);
            int q = p + inner.headerLength();
            if (inner.protocol() != Ipv4Header.PROTO_TCP || len - inner.headerLength() < 8) {
                return;
            }
            TcpEndpoint e = stack.connections.get(new Stack.ConnKey(inner.source(), Bytes.u16(b, q), inner.destination(),
                    Bytes.u16(b, q + 2)));
            if (e != null && e.socket.state() == TcpSocket.State.SYN_SENT) {
                e.failure = m.code() == IcmpMessage.CODE_PORT_UNREACHABLE ? "connection refused (ICMP port unreachable)"
                        : "host unreachable (ICMP code " + m.code() + ")";
                e.socket.abort();
                stack.tcp.service(e);
            }
        } catch (MalformedPacketException ignored) {
            stack.malformed.incrementAndGet();
        }
    }

    /** Sends an ICMP error quoting the offending datagram's header and 8 bytes (RFC 792), at most 100 a second. */
    void sendError(Ipv4Header ip, byte[] b, int ipStart, int code) {
        long now = stack.now();
        if (now - errorWindowStart > 1_000_000_000L) {
            errorWindowStart = now;
            errorsInWindow = 0;
        }
        if (++errorsInWindow > 100 || ip.isFragment() && ip.fragmentOffset() != 0) {
            return;
        }
        int quote = Math.min(ip.headerLength() + 8, ip.totalLength());
        if (ipStart < 0 || ipStart + quote > b.length) {
            return;
        }
        byte[] f = new byte[Stack.HEADROOM + IcmpMessage.HEADER_LEN + quote];
        System.arraycopy(b, ipStart, f, Stack.HEADROOM + IcmpMessage.HEADER_LEN, quote);
        new IcmpMessage(IcmpMessage.DESTINATION_UNREACHABLE, code, 0).emit(f, Stack.HEADROOM, quote);
        errorsSent++;
        stack.ipv4.send(f, IcmpMessage.HEADER_LEN + quote, ip.destination(), ip.source(), Ipv4Header.PROTO_ICMP, null);
    }

    /** ICMP errors sent so far, for netstat -s. */
    long errorsSent() {
        return errorsSent;
    }
}
