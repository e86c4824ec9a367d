package org.alosj.net.impl;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.alosj.net.DatagramSocket;
import org.alosj.net.Ipv4Address;
import org.alosj.net.ListeningSocket;
import org.alosj.net.SocketAddress;
import org.alosj.net.StreamSocket;
import org.alosj.net.impl.iface.NetInterface;
import org.alosj.net.impl.iface.RouteTable;
import org.alosj.net.impl.socket.TcpSocket;
import org.alosj.net.impl.wire.IcmpMessage;
import org.alosj.net.impl.wire.Ipv4Header;

/**
 * The socket API over the stack's tables: TCP connect and listen, UDP bind and close, ephemeral
 * ports, ping (an ICMP echo and its wait), and what netstat shows of the sockets and counters.
 * Each call takes the stack's lock itself; the close hooks run with it held.
 */
final class Sockets {
    private final Stack stack;
    private int nextEphemeral = Stack.EPHEMERAL_FIRST;
    private int nextPingId = 1;

    Sockets(Stack stack) {
        this.stack = stack;
    }

    int ephemeralPort(java.util.function.IntPredicate free) {
        for (int tries = 0; tries < 65536 - Stack.EPHEMERAL_FIRST; tries++) {
            int port = nextEphemeral;
            nextEphemeral = nextEphemeral == 65535 ? Stack.EPHEMERAL_FIRST : nextEphemeral + 1;
            if (free.test(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no ephemeral port free");
    }

    StreamSocket connect(SocketAddress remote, Duration timeout) throws IOException {
        TcpEndpoint e;
        stack.enter();
        try {
            int dst = remote.address().bits();
            RouteTable.Route r = stack.ipv4.route(dst, 0);
            if (r == null) {
                throw new NoRouteToHostException("no route to " + remote.address());
            }
            NetInterface iface = stack.find(r.interfaceName());
            int src = iface.address.bits();
            if (src == 0) {
                throw new NoRouteToHostException(iface.name + " has no address");
            }
            int port = ephemeralPort(pt -> !stack.connections.containsKey(new Stack.ConnKey(src, pt, dst, remote.port()))
                    && !stack.listeners.containsKey(pt));
            TcpSocket s = TcpSocket.connect(stack.tcpConfig, src, port, dst, remote.port(), stack.random.nextInt(),
                    iface.mtu() - 40, stack.now());
            e = new TcpEndpoint(stack, s);
            stack.connections.put(e.key(), e);
            stack.tcp.service(e);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (s.state() == TcpSocket.State.SYN_SENT || s.state() == TcpSocket.State.SYN_RECEIVED) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    s.abort();
                    stack.tcp.service(e);
                    throw new SocketTimeoutException("connect to " + remote + " timed out after " + timeout.toMillis() + " ms");
                }
                stack.await(e.changed, left);
            }
            if (s.state() == TcpSocket.State.CLOSED) {
                String why = e.failure != null ? e.failure : s.error() != null ? s.error() : "connection failed";
                throw new ConnectException(why + ": " + remote);
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("connect interrupted");
        } finally {
            stack.exit();
        }
        return e;
    }

    ListeningSocket listen(SocketAddress local, int backlog) throws IOException {
        stack.enter();
        try {
            int port = local.port() == 0 ? ephemeralPort(pt -> !stack.listeners.containsKey(pt)) : local.port();
            if (stack.listeners.containsKey(port)) {
                throw new java.net.BindException("TCP port " + port + " is already listening");
            }
            TcpListener l = new TcpListener(stack, new SocketAddress(local.address(), port), Math.max(1, backlog));
            stack.listeners.put(port, l);
            return l;
        } finally {
            stack.exit();
        }
    }

    void closeListener(TcpListener l) {
        stack.listeners.remove(l.local.port(), l);
        l.closed = true;
        for (TcpEndpoint e : l.ready) {
            e.socket.abort();
            stack.tcp.service(e);
        }
        l.ready.clear();
        l.readyCondition.signalAll();
    }

    DatagramSocket bindDatagram(SocketAddress local) throws IOException {
        stack.enter();
        try {
            int port = local.port() == 0 ? ephemeralPort(pt -> !stack.udpPorts.containsKey(pt)) : local.port();
            if (stack.udpPorts.containsKey(port)) {
                throw new java.net.BindException("UDP port " + port + " is in use");
            }
            UdpEndpoint e = new UdpEndpoint(stack, new SocketAddress(local.address(), port));
            stack.udpPorts.put(port, e);
            return e;
        } finally {
            stack.exit();
        }
    }

    void closeUdp(UdpEndpoint e) {
        stack.udpPorts.remove(e.local.port(), e);
        e.ready.signalAll();
    }

    /** Sends a datagram out of the named interface whatever the routes say (DHCP before it has an address). */
    void sendVia(DatagramSocket socket, String interfaceName, SocketAddress to, byte[] b, int off, int len)
            throws IOException {
        NetInterface iface;
        stack.enter();
        try {
            iface = stack.ifaces.requireInterface(interfaceName);
        } finally {
            stack.exit();
        }
        ((UdpEndpoint) socket).sendVia(to, b, off, len, iface);
    }

    long ping(Ipv4Address destination, int sequence, int payloadLength, Duration timeout) throws IOException {
        stack.enter();
        try {
            int dst = destination.bits();
            RouteTable.Route r = stack.ipv4.route(dst, 0);
            if (r == null) {
                throw new NoRouteToHostException("no route to " + destination);
            }
            NetInterface iface = stack.find(r.interfaceName());
            int id = nextPingId;
            nextPingId = nextPingId == 0xffff ? 1 : nextPingId + 1;
            Stack.PingWaiter w = new Stack.PingWaiter(sequence & 0xffff, new Signal());
            w.nextHop = r.gateway().isUnspecified() ? dst : r.gateway().bits();
            stack.pings.put(id, w);
            try {
                byte[] f = new byte[Stack.HEADROOM + IcmpMessage.HEADER_LEN + payloadLength];
                for (int i = 0; i < payloadLength; i++) {
                    f[Stack.HEADROOM + IcmpMessage.HEADER_LEN + i] = (byte) (0x10 + i);
                }
                new IcmpMessage(IcmpMessage.ECHO_REQUEST, 0, IcmpMessage.echoRest(id, sequence)).emit(f, Stack.HEADROOM,
                        payloadLength);
                long sent = stack.now();
                if (!stack.ipv4.send(f, IcmpMessage.HEADER_LEN + payloadLength, iface.address.bits(), dst,
                        Ipv4Header.PROTO_ICMP, null)) {
                    throw new NoRouteToHostException("cannot send to " + destination);
                }
                long deadline = System.nanoTime() + timeout.toNanos();
                while (w.replyAt < 0 && !w.unreachable) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return -1;
                    }
                    stack.await(w.done, left);
                }
                if (w.unreachable) {
                    throw new NoRouteToHostException("host " + destination + " unreachable (no ARP reply)");
                }
                return w.replyAt - sent;
            } finally {
                stack.pings.remove(id);
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("ping interrupted");
        } finally {
            stack.exit();
        }
    }

    /** One line per socket, for netstat. */
    List<String> socketTable() {
        stack.enter();
        try {
            List<String> lines = new ArrayList<>();
            for (TcpListener l : stack.listeners.values()) {
                lines.add(String.format("tcp  %-21s %-21s LISTEN (backlog %d, %d half-open, %d to accept)", l.local,
                        "0.0.0.0:*", l.backlog, l.halfOpen, l.ready.size()));
            }
            for (TcpEndpoint e : stack.connections.values()) {
                TcpSocket s = e.socket;
                lines.add(String.format("tcp  %-21s %-21s %s (recv-q %d send-q %d cwnd %d rtt %.3f ms retrans %d"
                                + " fast %d timeouts %d%s)",
                        new Ipv4Address(s.localAddress) + ":" + s.localPort,
                        new Ipv4Address(s.remoteAddress) + ":" + s.remotePort, s.state(), s.readable(), s.sendQueue(),
                        s.congestionWindow(), s.smoothedRttNanos() < 0 ? 0.0 : s.smoothedRttNanos() / 1e6,
                        s.retransmissions(), s.fastRetransmits(), s.timeouts(), s.sackPermitted() ? " sack" : ""));
            }
            for (UdpEndpoint u : stack.udpPorts.values()) {
                lines.add(String.format("udp  %-21s %-21s (recv-q %d datagrams, %d dropped)", u.local, "0.0.0.0:*",
                        u.queue.size(), u.dropped));
            }
            return lines;
        } finally {
            stack.exit();
        }
    }

    /** Stack-wide counters, for netstat -s: drops, then what TCP's loss recovery did (all connections so far). */
    String counters() {
        stack.enter();
        try {
            long[] t = stack.tcp.closedCounters();
            for (TcpEndpoint e : stack.connections.values()) {
                long[] c = Tcp.counters(e.socket);
                for (int i = 0; i < Tcp.COUNTERS; i++) {
                    t[i] += c[i];
                }
            }
            return String.format("malformed %d, no socket %d, SYNs dropped (backlog full) %d, receive queue overflows %d, "
                    + "reassembly timeouts %d, ICMP errors sent %d%n"
                    + "tcp: %d segments retransmitted, %d fast retransmits (%d of them SACK recoveries), "
                    + "%d lost retransmissions sent again, %d tail loss probes, %d timeouts, %d zero-window probes",
                    stack.malformed.get(), stack.noSocket.get(), stack.synDropped.get(), stack.rxQueueDrops.get(),
                    stack.reassembler.timedOut(), stack.icmp.errorsSent(), t[0], t[1], t[2], t[3], t[4], t[5], t[6]);
        } finally {
            stack.exit();
        }
    }
}
