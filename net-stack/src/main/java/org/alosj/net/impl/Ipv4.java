package org.alosj.net.impl;

import org.alosj.net.impl.iface.ArpCache;
import org.alosj.net.impl.iface.NetInterface;
import org.alosj.net.impl.iface.Reassembler;
import org.alosj.net.impl.iface.RouteTable;
import org.alosj.net.impl.wire.EthernetFrame;
import org.alosj.net.impl.wire.IcmpMessage;
import org.alosj.net.impl.wire.Ipv4Header;
import org.alosj.net.impl.wire.MalformedPacketException;

/**
 * IPv4 (RFC 791) and routing: the input side checks a datagram is for this host (strong host
 * model, no forwarding), reassembles fragments and hands the payload to ICMP, UDP or TCP; the
 * output side picks the route and source address, fragments what exceeds the MTU (never TCP),
 * and puts the frame on the link: looped back, broadcast, or to the next hop's MAC from ARP
 * (queued while ARP asks).
 *
 * <p>Every method runs with the stack's lock held.
 */
final class Ipv4 {
    private final Stack stack;

    Ipv4(Stack stack) {
        this.stack = stack;
    }

    void input(NetInterface iface, byte[] b, int p, int len) throws MalformedPacketException {
        Ipv4Header ip = Ipv4Header.parse(b, p, len);
        int dst = ip.destination();
        boolean toUs = iface.loopback || iface.hasAddress() && dst == iface.address.bits();
        boolean broadcast = iface.isBroadcastFor(dst);
        boolean dhcpUnconfigured = !iface.hasAddress() && ip.protocol() == Ipv4Header.PROTO_UDP;
        if (!toUs && !broadcast && !dhcpUnconfigured) {
            iface.rxDropped++; // not for this interface (strong host model; no forwarding)
            return;
        }
        int payload = p + ip.headerLength();
        int plen = ip.payloadLength();
        if (ip.isFragment()) {
            Reassembler.Datagram whole = stack.reassembler.add(stack.now(), ip.source(), dst, ip.identification(), ip.protocol(),
                    ip.fragmentOffset(), ip.moreFragments(), b, payload, plen);
            if (whole == null) {
                return;
            }
            b = whole.payload();
            payload = 0;
            plen = whole.length();
        }
        switch (ip.protocol()) {
            case Ipv4Header.PROTO_ICMP -> stack.icmp.input(iface, ip, b, payload, plen, broadcast);
            case Ipv4Header.PROTO_UDP -> stack.udp.input(iface, ip, b, payload, plen, broadcast || dhcpUnconfigured && !toUs);
            case Ipv4Header.PROTO_TCP -> {
                if (!broadcast) {
                    stack.tcp.input(iface, ip, b, payload, plen);
                }
            }
            default -> {
                stack.noSocket.incrementAndGet();
                if (!broadcast) {
                    stack.icmp.sendError(ip, b, p, IcmpMessage.CODE_PROTOCOL_UNREACHABLE);
                }
            }
        }
    }

    /** The interface and route a packet to {@code dst} from {@code src} (0: any) takes, or null. */
    RouteTable.Route route(int dst, int src) {
        String preferred = null;
        if (src != 0) {
            for (NetInterface i : stack.interfaces.values()) {
                if (i.address.bits() == src) {
                    preferred = i.name;
                }
            }
        }
        return stack.routes.lookup(dst, preferred);
    }

    /** The source address for {@code dst}: the address of the interface its route leaves by, or 0. */
    int sourceFor(int dst) {
        RouteTable.Route r = route(dst, 0);
        if (r == null) {
            return 0;
        }
        NetInterface i = stack.find(r.interfaceName());
        return i == null ? 0 : i.address.bits();
    }

    /**
     * Sends the IPv4 payload that sits in {@code frame} at {@link Stack#HEADROOM}, routing it (or out of
     * {@code via} for broadcasts), fragmenting if it exceeds the MTU. False when there is no route.
     */
    boolean send(byte[] frame, int payloadLen, int src, int dst, int protocol, NetInterface via) {
        NetInterface iface = via;
        int nextHop = dst;
        if (iface == null) {
            RouteTable.Route r = route(dst, src);
            if (r == null) {
                return false;
            }
            iface = stack.find(r.interfaceName());
            if (iface == null) {
                return false;
            }
            if (!r.gateway().isUnspecified()) {
                nextHop = r.gateway().bits();
            }
        }
        if (!iface.up) {
            iface.txDropped++;
            return false;
        }
        if (src == 0 && !(via != null)) {
            src = iface.address.bits();
        }
        int mtu = iface.mtu();
        if (Ipv4Header.MIN_LEN + payloadLen > mtu) {
            if (protocol == Ipv4Header.PROTO_TCP) {
                iface.txDropped++;
                return false;
            }
            return fragment(frame, payloadLen, src, dst, protocol, iface, nextHop, mtu);
        }
        new Ipv4Header(Ipv4Header.MIN_LEN, 0, Ipv4Header.MIN_LEN + payloadLen, stack.ipId.incrementAndGet() & 0xffff,
                protocol == Ipv4Header.PROTO_TCP, false, 0, Stack.DEFAULT_TTL, protocol, src, dst)
                .emit(frame, EthernetFrame.HEADER_LEN);
        byte[] f = frame.length == Stack.HEADROOM + payloadLen ? frame : java.util.Arrays.copyOf(frame, Stack.HEADROOM + payloadLen);
        return linkOut(iface, f, dst, nextHop);
    }

    private boolean fragment(byte[] frame, int payloadLen, int src, int dst, int protocol, NetInterface iface,
                             int nextHop, int mtu) {
        int chunk = (mtu - Ipv4Header.MIN_LEN) & ~7;
        int id = stack.ipId.incrementAndGet() & 0xffff;
        for (int off = 0; off < payloadLen; off += chunk) {
            int n = Math.min(chunk, payloadLen - off);
            byte[] f = new byte[Stack.HEADROOM + n];
            System.arraycopy(frame, Stack.HEADROOM + off, f, Stack.HEADROOM, n);
            new Ipv4Header(Ipv4Header.MIN_LEN, 0, Ipv4Header.MIN_LEN + n, id, false, off + n < payloadLen, off,
                    Stack.DEFAULT_TTL, protocol, src, dst).emit(f, EthernetFrame.HEADER_LEN);
            linkOut(iface, f, dst, nextHop);
        }
        return true;
    }

    private boolean linkOut(NetInterface iface, byte[] f, int dst, int nextHop) {
        if (iface.loopback || iface.hasAddress() && dst == iface.address.bits()) {
            new EthernetFrame(iface.mac, iface.mac, EthernetFrame.ETHERTYPE_IPV4).emit(f, 0);
            iface.txPackets++;
            iface.txBytes += f.length;
            stack.receive(iface, f, 0, f.length);
            return true;
        }
        if (iface.isBroadcastFor(dst)) {
            new EthernetFrame(EthernetFrame.BROADCAST, iface.mac, EthernetFrame.ETHERTYPE_IPV4).emit(f, 0);
            return transmit(iface, f);
        }
        long now = stack.now();
        ArpCache.Entry e = iface.arp.lookup(nextHop, now);
        if (e != null) {
            new EthernetFrame(e.mac(), iface.mac, EthernetFrame.ETHERTYPE_IPV4).emit(f, 0);
            return transmit(iface, f);
        }
        new EthernetFrame(0, iface.mac, EthernetFrame.ETHERTYPE_IPV4).emit(f, 0);
        boolean[] dropped = {false};
        ArpCache.Pending p = iface.arp.enqueue(nextHop, f, now, dropped);
        if (dropped[0]) {
            iface.txDropped++;
        }
        if (p != null) {
            stack.arp.request(iface, nextHop);
            NetInterface i = iface;
            int hop = nextHop;
            stack.schedule(() -> stack.arp.retry(i, hop), ArpCache.RETRY_NANOS);
        }
        return true;
    }

    boolean transmit(NetInterface iface, byte[] f) {
        boolean ok = iface.transmit(f);
        if (!iface.txBacklog.isEmpty()) {
            flushLater(iface);
        }
        return ok;
    }

    void flush(NetInterface iface) {
        if (iface.flush()) {
            flushLater(iface);
        }
    }

    private void flushLater(NetInterface iface) {
        if (iface.flushScheduled || iface.device == null) {
            return;
        }
        iface.flushScheduled = true;
        stack.schedule(() -> {
            iface.flushScheduled = false;
            flush(iface);
        }, 200_000L);
    }
}
