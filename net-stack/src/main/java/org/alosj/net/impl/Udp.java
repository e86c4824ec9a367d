package org.alosj.net.impl;

import java.io.IOException;
import java.net.NoRouteToHostException;
import org.alosj.net.Ipv4Address;
import org.alosj.net.SocketAddress;
import org.alosj.net.impl.iface.NetInterface;
import org.alosj.net.impl.wire.IcmpMessage;
import org.alosj.net.impl.wire.Ipv4Header;
import org.alosj.net.impl.wire.MalformedPacketException;
import org.alosj.net.impl.wire.UdpHeader;

/**
 * UDP (RFC 768): datagrams delivered to the socket bound to their port (port unreachable when
 * none is), and datagrams sent from a socket, routed or out of a named interface.
 *
 * <p>Every method runs with the stack's lock held.
 */
final class Udp {
    private final Stack stack;

    Udp(Stack stack) {
        this.stack = stack;
    }

    void input(NetInterface iface, Ipv4Header ip, byte[] b, int p, int len, boolean broadcast)
            throws MalformedPacketException {
        UdpHeader u = UdpHeader.parse(b, p, len, ip.source(), ip.destination());
        UdpEndpoint e = stack.udpPorts.get(u.destinationPort());
        if (e == null || !e.local.address().isUnspecified() && e.local.address().bits() != ip.destination() && !broadcast) {
            stack.noSocket.incrementAndGet();
            if (!broadcast) {
                stack.icmp.sendError(ip, b, p - ip.headerLength(), IcmpMessage.CODE_PORT_UNREACHABLE);
            }
            return;
        }
        if (e.queue.size() >= Stack.UDP_QUEUE_LIMIT) {
            e.dropped++;
            return;
        }
        byte[] data = new byte[u.length() - UdpHeader.LEN];
        System.arraycopy(b, p + UdpHeader.LEN, data, 0, data.length);
        e.queue.addLast(new UdpEndpoint.Datagram(new SocketAddress(new Ipv4Address(ip.source()), u.sourcePort()),
                iface.name, data));
        e.ready.signalAll();
    }

    /** Sends a UDP datagram; {@code via} forces the interface (DHCP's broadcasts from 0.0.0.0). */
    void send(UdpEndpoint from, SocketAddress to, byte[] b, int off, int len, NetInterface via) throws IOException {
        if (len > 65507) {
            throw new IOException("datagram of " + len + " bytes exceeds 65507");
        }
        int dst = to.address().bits();
        int src = from.local.address().bits();
        if (via != null && src == 0) {
            src = via.address.bits();
        } else if (src != 0 && via == null && !stack.ownsAddress(src)) {
            // As Linux's route lookup refuses a source that is not local (ENETUNREACH): the
            // socket stays bound and receives again if an interface gets the address back.
            throw new IOException("network is unreachable: " + from.local.address()
                    + " is not an address of this machine (its interface was removed or reconfigured)");
        } else if (src == 0) {
            src = stack.ipv4.sourceFor(dst);
            if (src == 0) {
                throw new NoRouteToHostException("no route to " + to.address());
            }
        }
        byte[] f = new byte[Stack.HEADROOM + UdpHeader.LEN + len];
        System.arraycopy(b, off, f, Stack.HEADROOM + UdpHeader.LEN, len);
        new UdpHeader(from.local.port(), to.port(), UdpHeader.LEN + len).emit(f, Stack.HEADROOM, src, dst);
        if (!stack.ipv4.send(f, UdpHeader.LEN + len, src, dst, Ipv4Header.PROTO_UDP, via)) {
            throw new NoRouteToHostException("no route to " + to.address());
        }
    }
}
