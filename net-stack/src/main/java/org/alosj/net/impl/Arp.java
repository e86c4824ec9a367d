package org.alosj.net.impl;

import java.util.ArrayDeque;
import java.util.List;
import org.alosj.kernel.device.MacAddress;
import org.alosj.net.Ipv4Address;
import org.alosj.net.impl.iface.ArpCache;
import org.alosj.net.impl.iface.NetInterface;
import org.alosj.net.impl.socket.TcpSocket;
import org.alosj.net.impl.wire.ArpPacket;
import org.alosj.net.impl.wire.Bytes;
import org.alosj.net.impl.wire.EthernetFrame;
import org.alosj.net.impl.wire.Ipv4Header;
import org.alosj.net.impl.wire.TcpHeader;

/**
 * ARP (RFC 826) on the stack's interfaces: answers requests for our addresses, learns senders,
 * releases the frames that waited for a neighbour, asks again on a timer and gives up after
 * {@link ArpCache#MAX_REQUESTS}, failing what waited; announces an address (RFC 5227).
 *
 * <p>Every method runs with the stack's lock held.
 */
final class Arp {
    private final Stack stack;

    Arp(Stack stack) {
        this.stack = stack;
    }

    void input(NetInterface iface, ArpPacket arp) {
        long now = stack.now();
        if (arp.senderIp() == 0 || MacAddress.of(arp.senderMac()).isMulticast()) {
            return; // an ARP probe (RFC 5227) or nonsense: nothing to learn
        }
        boolean forUs = iface.hasAddress() && arp.targetIp() == iface.address.bits();
        boolean merged = iface.arp.refresh(arp.senderIp(), arp.senderMac(), now);
        List<byte[]> waiting = forUs || arp.operation() == ArpPacket.REPLY && iface.arp.pending().containsKey(arp.senderIp())
                ? iface.arp.learn(arp.senderIp(), arp.senderMac(), now) : List.of();
        if (!merged && waiting.isEmpty() && !forUs) {
            return;
        }
        for (byte[] frame : waiting) {
            Bytes.put48(frame, 0, arp.senderMac());
            iface.transmit(frame);
        }
        if (forUs && arp.operation() == ArpPacket.REQUEST) {
            byte[] f = new byte[EthernetFrame.HEADER_LEN + ArpPacket.LEN];
            new EthernetFrame(arp.senderMac(), iface.mac, EthernetFrame.ETHERTYPE_ARP).emit(f, 0);
            new ArpPacket(ArpPacket.REPLY, iface.mac, iface.address.bits(), arp.senderMac(), arp.senderIp())
                    .emit(f, EthernetFrame.HEADER_LEN);
            iface.transmit(f);
        }
    }

    void request(NetInterface iface, int targetIp) {
        byte[] f = new byte[EthernetFrame.HEADER_LEN + ArpPacket.LEN];
        new EthernetFrame(EthernetFrame.BROADCAST, iface.mac, EthernetFrame.ETHERTYPE_ARP).emit(f, 0);
        new ArpPacket(ArpPacket.REQUEST, iface.mac, iface.address.bits(), 0, targetIp).emit(f, EthernetFrame.HEADER_LEN);
        iface.transmit(f);
    }

    /** Announces the interface's address (RFC 5227 3: an ARP request for our own address). */
    void announce(NetInterface iface) {
        if (iface.loopback || !iface.hasAddress()) {
            return;
        }
        byte[] f = new byte[EthernetFrame.HEADER_LEN + ArpPacket.LEN];
        new EthernetFrame(EthernetFrame.BROADCAST, iface.mac, EthernetFrame.ETHERTYPE_ARP).emit(f, 0);
        int a = iface.address.bits();
        new ArpPacket(ArpPacket.REQUEST, iface.mac, a, 0, a).emit(f, EthernetFrame.HEADER_LEN);
        iface.transmit(f);
    }

    void retry(NetInterface iface, int ip) {
        ArpCache.Pending p = iface.arp.pending().get(ip);
        if (p == null) {
            return;
        }
        if (p.requests >= ArpCache.MAX_REQUESTS) {
            iface.arp.pending().remove(ip);
            iface.txDropped += p.frames.size();
            neighbourUnreachable(ip, p.frames);
            return;
        }
        p.requests++;
        request(iface, ip);
        stack.schedule(() -> retry(iface, ip), ArpCache.RETRY_NANOS);
    }

    /** No neighbour answered ARP for frames we sent: connections being set up through it fail. */
    void neighbourUnreachable(int ip, ArrayDeque<byte[]> frames) {
        for (byte[] f : frames) {
            if (f.length < Stack.HEADROOM + TcpHeader.MIN_LEN || f[EthernetFrame.HEADER_LEN + 9] != Ipv4Header.PROTO_TCP) {
                continue;
            }
            int src = Bytes.i32(f, EthernetFrame.HEADER_LEN + 12);
            int dst = Bytes.i32(f, EthernetFrame.HEADER_LEN + 16);
            TcpEndpoint e = stack.connections.get(new Stack.ConnKey(src, Bytes.u16(f, Stack.HEADROOM), dst, Bytes.u16(f, Stack.HEADROOM + 2)));
            if (e != null && e.socket.state() == TcpSocket.State.SYN_SENT) {
                e.failure = "no route to host " + new Ipv4Address(ip) + " (no ARP reply)";
                e.socket.abort();
                stack.tcp.service(e);
            }
        }
        for (Stack.PingWaiter w : stack.pings.values()) {
            if (w.nextHop == ip) {
                w.unreachable = true;
                w.done.signalAll();
            }
        }
    }
}
