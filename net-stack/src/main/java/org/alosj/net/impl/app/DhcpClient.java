package org.alosj.net.impl.app;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.alosj.net.DatagramSocket;
import org.alosj.net.Ipv4Address;
import org.alosj.net.SocketAddress;
import org.alosj.net.impl.Stack;
import org.alosj.net.impl.wire.DhcpMessage;
import org.alosj.net.impl.wire.MalformedPacketException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DHCP client of one interface (RFC 2131 4.4): DISCOVER, OFFER, REQUEST, ACK on the caller's
 * thread with retries, then BOUND with renewal at T1 (unicast REQUEST to the server) and
 * rebinding at T2 (broadcast), scheduled on the given executor. An infinite lease (as passt
 * gives) is never renewed. The MTU option caps the interface's MTU at the device's.
 */
public final class DhcpClient {
    private static final Logger LOG = LoggerFactory.getLogger("net.dhcp");
    static final int TRIES = 4;
    static final Duration TRY_TIMEOUT = Duration.ofSeconds(2);

    /** What a lease configured. */
    public record Lease(Ipv4Address address, int prefixLength, Ipv4Address router, List<Ipv4Address> dns,
                        Ipv4Address server, long leaseSeconds, int mtu) {
        @Override
        public String toString() {
            return address + "/" + prefixLength + (router == null ? "" : " router " + router) + " dns " + dns
                    + " server " + server + " lease " + (leaseSeconds == DhcpMessage.INFINITE ? "infinite"
                    : leaseSeconds + " s") + (mtu > 0 ? " mtu " + mtu : "");
        }
    }

    private final Stack stack;
    private final String iface;
    private final ScheduledExecutorService scheduler;
    private final Consumer<Lease> onLease;
    private final SplittableRandom random = new SplittableRandom();
    private volatile Lease lease;
    private volatile ScheduledFuture<?> renewal;

    public DhcpClient(Stack stack, String iface, ScheduledExecutorService scheduler, Consumer<Lease> onLease) {
        this.stack = stack;
        this.iface = iface;
        this.scheduler = scheduler;
        this.onLease = onLease;
    }

    public Lease lease() {
        return lease;
    }

    public void stop() {
        ScheduledFuture<?> r = renewal;
        if (r != null) {
            r.cancel(true);
        }
    }

    /** Runs DISCOVER..ACK and configures the interface; throws when no server answers. */
    public Lease acquire() throws IOException {
        long mac = stack.macOf(iface);
        for (int attempt = 0; attempt < TRIES; attempt++) {
            int xid = random.nextInt();
            DhcpMessage offer = exchange(DhcpMessage.request(DhcpMessage.DISCOVER, xid, mac, 0, 0, 0, true), xid,
                    DhcpMessage.OFFER, null);
            if (offer == null) {
                continue;
            }
            DhcpMessage ack = exchange(DhcpMessage.request(DhcpMessage.REQUEST, xid, mac, 0, offer.yiaddr(),
                    offer.serverId(), true), xid, DhcpMessage.ACK, null);
            if (ack != null) {
                return bind(ack);
            }
        }
        throw new SocketTimeoutException("dhcp " + iface + ": no DHCP server answered after " + TRIES + " tries");
    }

    /** Sends {@code m} and waits for a reply of {@code wantType} (a NAK ends the wait with an exception). */
    private DhcpMessage exchange(DhcpMessage m, int xid, int wantType, Ipv4Address unicastTo) throws IOException {
        synchronized (stack) { // one exchange at a time holds UDP port 68 of this stack
            try (DatagramSocket s = stack.bindDatagram(new SocketAddress(Ipv4Address.ANY, DhcpMessage.CLIENT_PORT))) {
                byte[] out = new byte[m.length()];
                m.emit(out, 0);
                if (unicastTo != null) {
                    s.send(new SocketAddress(unicastTo, DhcpMessage.SERVER_PORT), out, 0, out.length);
                } else {
                    stack.sendVia(s, iface, new SocketAddress(Ipv4Address.BROADCAST, DhcpMessage.SERVER_PORT), out, 0,
                            out.length);
                }
                long deadline = System.nanoTime() + TRY_TIMEOUT.toNanos() + random.nextInt(500) * 1_000_000L;
                byte[] buf = new byte[1500];
                while (true) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return null;
                    }
                    s.setTimeout(Duration.ofNanos(left));
                    DatagramSocket.Received r;
                    try {
                        r = s.receive(buf, 0, buf.length);
                    } catch (SocketTimeoutException e) {
                        return null;
                    }
                    DhcpMessage reply;
                    try {
                        reply = DhcpMessage.parse(buf, 0, r.length());
                    } catch (MalformedPacketException e) {
                        LOG.debug("dhcp {}: ignored a malformed reply: {}", iface, e.getMessage());
                        continue;
                    }
                    if (reply.op() != DhcpMessage.BOOTREPLY || reply.xid() != xid || reply.chaddr() != m.chaddr()) {
                        continue;
                    }
                    if (reply.messageType() == DhcpMessage.NAK) {
                        throw new IOException("dhcp " + iface + ": the server said NAK");
                    }
                    if (reply.messageType() == wantType && reply.yiaddr() != 0) {
                        return reply;
                    }
                }
            }
        }
    }

    private Lease bind(DhcpMessage ack) {
        int mask = ack.subnetMask() != 0 ? ack.subnetMask() : defaultMask(ack.yiaddr());
        int prefix = Integer.bitCount(mask);
        Ipv4Address router = ack.routers().isEmpty() ? null : new Ipv4Address(ack.routers().get(0));
        List<Ipv4Address> dns = ack.dnsServers().stream().map(Ipv4Address::new).toList();
        Lease l = new Lease(new Ipv4Address(ack.yiaddr()), prefix, router, dns, new Ipv4Address(ack.serverId()),
                ack.leaseSeconds(), ack.mtu());
        stack.configure(iface, l.address(), prefix);
        if (l.mtu() >= 68) {
            stack.setMtu(iface, l.mtu());
        }
        if (router != null) {
            stack.addRoute(Ipv4Address.ANY, 0, router, iface);
        }
        lease = l;
        onLease.accept(l);
        LOG.info("dhcp {}: bound {}", iface, l);
        scheduleRenewal(ack);
        return l;
    }

    private static int defaultMask(int address) {
        int first = address >>> 24;
        return first < 128 ? 0xff000000 : first < 192 ? 0xffff0000 : 0xffffff00;
    }

    private void scheduleRenewal(DhcpMessage ack) {
        long leaseSeconds = ack.leaseSeconds();
        if (leaseSeconds < 0 || leaseSeconds == DhcpMessage.INFINITE) {
            return; // an infinite lease is never renewed
        }
        long t1 = ack.renewalSeconds() > 0 ? ack.renewalSeconds() : leaseSeconds / 2;
        renewal = scheduler.schedule(this::renew, Math.max(1, t1), TimeUnit.SECONDS);
    }

    private void renew() {
        Lease l = lease;
        if (l == null) {
            return;
        }
        long mac = stack.macOf(iface);
        try {
            for (int attempt = 0; attempt < TRIES; attempt++) {
                int xid = random.nextInt();
                // RENEWING: unicast to the server that gave the lease; then REBINDING: broadcast.
                boolean rebinding = attempt >= TRIES / 2;
                DhcpMessage ack = exchange(DhcpMessage.request(DhcpMessage.REQUEST, xid, mac, l.address().bits(), 0, 0,
                        false), xid, DhcpMessage.ACK, rebinding ? null : l.server());
                if (ack != null) {
                    bind(ack);
                    return;
                }
            }
            LOG.warn("dhcp {}: renewal got no answer; starting over", iface);
            stack.configure(iface, Ipv4Address.ANY, 0);
            lease = null;
            acquire();
        } catch (IOException e) {
            LOG.warn("dhcp {}: {}", iface, e.getMessage());
            renewal = scheduler.schedule(this::renew, 60, TimeUnit.SECONDS);
        }
    }
}
