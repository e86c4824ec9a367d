package org.alosj.net.impl;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.alosj.kernel.device.NetDevice;
import org.alosj.net.DatagramSocket;
import org.alosj.net.InterfaceInfo;
import org.alosj.net.Ipv4Address;
import org.alosj.net.ListeningSocket;
import org.alosj.net.NetworkStack;
import org.alosj.net.SocketAddress;
import org.alosj.net.StreamSocket;
import org.alosj.net.impl.iface.ArpCache;
import org.alosj.net.impl.iface.NetInterface;
import org.alosj.net.impl.iface.Reassembler;
import org.alosj.net.impl.iface.RouteTable;
import org.alosj.net.impl.socket.RingBuffer;
import org.alosj.net.impl.socket.TcpConfig;
import org.alosj.net.impl.socket.TcpSocket;
import org.alosj.net.impl.wire.ArpPacket;
import org.alosj.net.impl.wire.Bytes;
import org.alosj.net.impl.wire.EthernetFrame;
import org.alosj.net.impl.wire.IcmpMessage;
import org.alosj.net.impl.wire.Ipv4Header;
import org.alosj.net.impl.wire.MacAddress;
import org.alosj.net.impl.wire.MalformedPacketException;
import org.alosj.net.impl.wire.TcpHeader;
import org.alosj.net.impl.wire.UdpHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stack: interfaces, the ingress path (Ethernet, ARP, IPv4 with reassembly, ICMP, UDP,
 * TCP demultiplexing), the egress path (routing, ARP resolution, fragmentation) and the socket
 * tables.
 *
 * <p>Concurrency: one lock guards all of it. Frames from a NetDevice's receiver go into a
 * bounded queue and are processed at once if the lock is free; otherwise whoever holds the lock
 * processes them before it lets go ({@link #exit}). So the receiver never blocks, and nothing is
 * processed re-entrantly from inside a transmit. Timers run on one scheduler thread; a TCP
 * connection's timer is (re)armed only when its deadline moves earlier, and a timer that fires
 * early just re-arms.
 */
public final class Stack implements NetworkStack, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("net.stack");
    static final int RX_QUEUE_LIMIT = 4096;
    static final int DEFAULT_TTL = 64;
    static final int EPHEMERAL_FIRST = 49152;
    static final int UDP_QUEUE_LIMIT = 256;
    static final int HEADROOM = EthernetFrame.HEADER_LEN + Ipv4Header.MIN_LEN;

    final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentLinkedQueue<Rx> rxQueue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger rxQueued = new AtomicInteger();
    /** A batch's last frame was dropped on a full queue: its held ACKs are still due. */
    private volatile boolean batchEndedInOverflow;
    /** Whether the frame being processed has more of its receive batch behind it (lock held). */
    private boolean rxMore;
    /** Connections holding an ACK until the end of the receive batch (lock held). */
    private final List<TcpEndpoint> ackHeld = new ArrayList<>();
    private final ScheduledExecutorService timers;
    private final Clock clock;
    final TcpConfig tcpConfig;
    private final SplittableRandom random = new SplittableRandom(new SecureRandom().nextLong());

    private final TreeMap<String, NetInterface> interfaces = new TreeMap<>();
    private final NetInterface loopback = new NetInterface("lo", "lo", true);
    final RouteTable routes = new RouteTable();
    private final Reassembler reassembler = new Reassembler();
    private final Map<ConnKey, TcpEndpoint> connections = new HashMap<>();
    private final Map<Integer, TcpListener> listeners = new HashMap<>();
    private final Map<Integer, UdpEndpoint> udp = new HashMap<>();
    private final Map<Integer, PingWaiter> pings = new HashMap<>();
    private final AtomicInteger ipId = new AtomicInteger();
    private int nextEphemeral = EPHEMERAL_FIRST;
    private int nextPingId = 1;
    private volatile Function<String, List<Ipv4Address>> resolver;
    private volatile boolean closed;

    /** Counters of drops the interfaces do not own, for netstat -s. */
    final AtomicLong malformed = new AtomicLong();
    final AtomicLong noSocket = new AtomicLong();
    final AtomicLong synDropped = new AtomicLong();
    final AtomicLong rxQueueDrops = new AtomicLong();
    private long icmpErrorsSent;
    /** TCP loss-recovery counters of the connections already forgotten (netstat -s adds the live ones). */
    private final long[] tcpClosedCounters = new long[TCP_COUNTERS];
    private static final int TCP_COUNTERS = 6;
    private long icmpErrorWindowStart;
    private int icmpErrorsInWindow;

    /** Time source, nanoseconds. */
    @FunctionalInterface
    public interface Clock {
        long nanos();
    }

    /** A received frame; {@code more}: another frame of the same receive batch follows. */
    private record Rx(NetInterface iface, byte[] frame, int offset, int length, boolean more) {
    }

    record ConnKey(int localAddress, int localPort, int remoteAddress, int remotePort) {
    }

    public Stack(TcpConfig tcpConfig, Clock clock) {
        this.tcpConfig = tcpConfig;
        this.clock = clock;
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "net-timers");
            t.setDaemon(true);
            return t;
        });
        ex.setRemoveOnCancelPolicy(true);
        this.timers = ex;
        loopback.address = Ipv4Address.LOOPBACK;
        loopback.prefixLength = 8;
        routes.add(new RouteTable.Route(new Ipv4Address(0x7f000000), 8, Ipv4Address.ANY, "lo", true));
    }

    public Stack() {
        this(TcpConfig.defaults(), System::nanoTime);
    }

    public long now() {
        return clock.nanos();
    }

    public void setResolver(Function<String, List<Ipv4Address>> resolver) {
        this.resolver = resolver;
    }

    // ---- locking ------------------------------------------------------------------------

    void enter() {
        lock.lock();
    }

    /** Lets go of the lock, first processing the frames that arrived meanwhile. */
    void exit() {
        try {
            drainRx();
        } finally {
            lock.unlock();
        }
        // A frame queued after the drain and before the unlock found the lock taken: take it over.
        while (!rxQueue.isEmpty() && lock.tryLock()) {
            try {
                drainRx();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Waits for {@code signal} with the stack's lock let go, however many times this thread holds
     * it, for at most {@code nanos} ({@code Long.MAX_VALUE}: no limit); returns the nanoseconds left.
     * Frames queued while this thread held the lock are processed first: if they signal, this
     * returns at once. Callers check again what they wait for, as after any wake-up.
     */
    long await(Signal signal, long nanos) throws InterruptedException {
        long seen = signal.generation();
        int holds = lock.getHoldCount();
        for (int i = 1; i < holds; i++) {
            lock.unlock();
        }
        exit();
        try {
            return signal.awaitAfter(seen, nanos);
        } finally {
            for (int i = 0; i < holds; i++) {
                lock.lock();
            }
        }
    }

    /** The deadline ({@link System#nanoTime()}) of a call with this timeout; {@code Long.MAX_VALUE} for none. */
    static long deadlineAfter(long timeoutNanos) {
        return timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
    }

    /**
     * A blocking socket call's wait for {@code signal} until {@code deadline} (from
     * {@link #deadlineAfter}); the caller checks again what it waits for when this returns.
     *
     * @throws SocketTimeoutException "WHAT timed out" once the deadline has passed
     * @throws InterruptedIOException "WHAT interrupted", the thread's interrupt kept
     */
    void awaitUntil(Signal signal, long deadline, String what) throws IOException {
        long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException(what + " timed out");
        }
        try {
            await(signal, left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(what + " interrupted");
        }
    }

    ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        if (closed) {
            return null;
        }
        try {
            return timers.schedule(() -> {
                enter();
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("net timer task failed: {}", e.toString(), e);
                } finally {
                    exit();
                }
            }, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shutDown) {
            return null;
        }
    }

    @Override
    public void close() {
        closed = true;
        timers.shutdownNow();
        enter();
        try {
            for (TcpEndpoint e : new ArrayList<>(connections.values())) {
                e.socket.abort();
                service(e);
            }
            for (NetInterface i : interfaces.values()) {
                if (i.device != null) {
                    i.device.setReceiver(null);
                }
            }
        } finally {
            exit();
        }
    }

    // ---- interfaces ---------------------------------------------------------------------

    /**
     * A NetDevice came for {@code slot}: the interface of that slot (new, or the one that kept
     * its state while the slot had no driver) takes it. Names follow slot order.
     */
    public NetInterface attach(String slot, NetDevice device, String driver) {
        enter();
        try {
            NetInterface i = interfaces.get(slot);
            boolean fresh = i == null;
            if (fresh) {
                i = new NetInterface(slot, "eth?", false);
                interfaces.put(slot, i);
                renumber();
            }
            i.device = device;
            i.driver = driver;
            i.mac = MacAddress.of(device.macAddress());
            NetInterface iface = i;
            device.setReceiver(new NetDevice.Receiver() {
                @Override
                public void frameReceived(NetDevice d, byte[] frame, int off, int len) {
                    receive(iface, frame, off, len, false);
                }

                @Override
                public void frameReceived(NetDevice d, byte[] frame, int off, int len, boolean more) {
                    receive(iface, frame, off, len, more);
                }
            });
            if (iface.hasAddress()) {
                sendGratuitousArp(iface);
            }
            flush(iface);
            LOG.info("{}: {} in slot {}, MAC {}", i.name, driver, slot, MacAddress.format(i.mac));
            return i;
        } finally {
            exit();
        }
    }

    /** The NetDevice of {@code slot} went away: the interface keeps everything and waits for the next. */
    public void detach(String slot, NetDevice device) {
        enter();
        try {
            NetInterface i = interfaces.get(slot);
            if (i != null && i.device == device) {
                i.device = null;
                i.driver = null;
                LOG.info("{}: the driver went away; address, routes and {} TCP connections stay", i.name,
                        connections.size());
            }
        } finally {
            exit();
        }
        try {
            device.setReceiver(null);
        } catch (RuntimeException alreadyClosed) {
            // a device that is gone may refuse
        }
    }

    /**
     * The device of {@code slot} left the machine (a hot-unplug, not a driver swap: the slot is
     * off the bus). Its interface goes with its routes, and the TCP connections that used its
     * address fail at once, as Linux's do when their device is unregistered, rather than
     * retransmit into nothing until they time out. A slot whose driver is back is left alone.
     *
     * @return the interface's name, or null if there was nothing to remove
     */
    public String remove(String slot) {
        enter();
        try {
            NetInterface i = interfaces.get(slot);
            if (i == null || i.device != null) {
                return null;
            }
            interfaces.remove(slot);
            routes.removeInterface(i.name, false);
            int address = i.address.bits();
            int failed = 0;
            for (TcpEndpoint e : new ArrayList<>(connections.values())) {
                if (address != 0 && e.key().localAddress() == address) {
                    e.failure = i.name + ": network is down (its device was removed)";
                    e.socket.abort();
                    service(e);
                    failed++;
                }
            }
            LOG.info("{}: the device in slot {} was removed: interface gone, {} TCP connection(s) failed", i.name,
                    slot, failed);
            return i.name;
        } finally {
            exit();
        }
    }

    private void renumber() {
        int n = 0;
        for (NetInterface i : interfaces.values()) {
            String name = "eth" + n++;
            if (!name.equals(i.name)) {
                routes.routes().stream().filter(r -> r.interfaceName().equals(i.name)).forEach(r -> {
                    routes.removeInterface(i.name, false);
                    routes.add(new RouteTable.Route(r.destination(), r.prefixLength(), r.gateway(), name, r.connected()));
                });
                i.name = name;
            }
        }
    }

    public NetInterface interfaceNamed(String name) {
        enter();
        try {
            return find(name);
        } finally {
            exit();
        }
    }

    private NetInterface find(String name) {
        if ("lo".equals(name)) {
            return loopback;
        }
        for (NetInterface i : interfaces.values()) {
            if (i.name.equals(name)) {
                return i;
            }
        }
        return null;
    }

    private NetInterface requireInterface(String name) {
        NetInterface i = find(name);
        if (i == null) {
            throw new IllegalArgumentException("no interface " + name + " (have: " + names() + ")");
        }
        return i;
    }

    private String names() {
        List<String> n = new ArrayList<>();
        interfaces.values().forEach(i -> n.add(i.name));
        n.add("lo");
        return String.join(", ", n);
    }

    /** Sets (or with ANY clears) an interface's address; the connected route follows. */
    public void configure(String name, Ipv4Address address, int prefixLength) {
        enter();
        try {
            NetInterface i = requireInterface(name);
            Ipv4Address.mask(prefixLength);
            routes.removeInterface(i.name, true);
            i.address = address;
            i.prefixLength = prefixLength;
            if (!address.isUnspecified()) {
                int mask = Ipv4Address.mask(prefixLength);
                routes.add(new RouteTable.Route(new Ipv4Address(address.bits() & mask), prefixLength, Ipv4Address.ANY,
                        i.name, true));
                sendGratuitousArp(i);
            }
        } finally {
            exit();
        }
    }

    public void setMtu(String name, int mtu) {
        enter();
        try {
            NetInterface i = requireInterface(name);
            if (mtu < 68 || mtu > 65535) {
                throw new IllegalArgumentException("MTU " + mtu + " is not in 68..65535");
            }
            i.configuredMtu = mtu;
        } finally {
            exit();
        }
    }

    public void setUp(String name, boolean up) {
        enter();
        try {
            requireInterface(name).up = up;
        } finally {
            exit();
        }
    }

    public void addRoute(Ipv4Address destination, int prefixLength, Ipv4Address gateway, String interfaceName) {
        enter();
        try {
            String dev = interfaceName;
            if (dev == null) {
                RouteTable.Route via = routes.lookup(gateway.bits(), null);
                if (via == null || !via.gateway().isUnspecified()) {
                    throw new IllegalArgumentException("gateway " + gateway + " is not on a connected network; name a dev");
                }
                dev = via.interfaceName();
            } else {
                requireInterface(dev);
            }
            int mask = Ipv4Address.mask(prefixLength);
            routes.add(new RouteTable.Route(new Ipv4Address(destination.bits() & mask), prefixLength, gateway, dev, false));
        } finally {
            exit();
        }
    }

    public boolean removeRoute(Ipv4Address destination, int prefixLength) {
        return routes.remove(destination, prefixLength);
    }

    public List<RouteTable.Route> routes() {
        return routes.routes();
    }

    /** Every interface's ARP entries as (interface name, entry). */
    public List<Map.Entry<String, ArpCache.Entry>> arpEntries() {
        enter();
        try {
            List<Map.Entry<String, ArpCache.Entry>> all = new ArrayList<>();
            long now = now();
            for (NetInterface i : interfaces.values()) {
                i.arp.entries(now).forEach(e -> all.add(Map.entry(i.name, e)));
            }
            return all;
        } finally {
            exit();
        }
    }

    /** A permanent ARP entry on interface {@code name} (arp -s): it never expires and ARP traffic does not change it. */
    public void addStaticArp(String name, Ipv4Address ip, long mac) {
        enter();
        try {
            requireInterface(name).arp.addPermanent(ip.bits(), mac);
        } finally {
            exit();
        }
    }

    public boolean removeArp(Ipv4Address ip) {
        enter();
        try {
            boolean any = false;
            for (NetInterface i : interfaces.values()) {
                any |= i.arp.remove(ip.bits());
            }
            return any;
        } finally {
            exit();
        }
    }

    public void setTap(String name, NetInterface.FrameTap tap) {
        enter();
        try {
            requireInterface(name).tap = tap;
        } finally {
            exit();
        }
    }

    @Override
    public List<InterfaceInfo> interfaces() {
        enter();
        try {
            List<InterfaceInfo> list = new ArrayList<>();
            for (NetInterface i : interfaces.values()) {
                list.add(info(i));
            }
            list.add(info(loopback));
            return list;
        } finally {
            exit();
        }
    }

    private InterfaceInfo info(NetInterface i) {
        NetDevice d = i.device;
        boolean link = i.loopback || d != null && d.linkUp();
        String problem = null;
        if (!i.loopback) {
            if (d == null) {
                problem = "no driver bound to slot " + i.slot + " (frames wait: " + i.txBacklog.size() + ")";
            } else if (!d.linkUp()) {
                problem = "the NIC reports no link (no peer on its backend)";
            }
        }
        return new InterfaceInfo(i.name, i.slot, i.loopback ? "loopback" : i.driver,
                i.loopback ? "00:00:00:00:00:00" : MacAddress.format(i.mac), i.address, i.prefixLength, i.mtu(), i.up,
                link, problem, new InterfaceInfo.Counters(i.rxPackets, i.rxBytes, i.rxErrors, i.rxDropped, i.txPackets,
                i.txBytes, i.txErrors, i.txDropped));
    }

    // ---- ingress ------------------------------------------------------------------------

    /** The NetDevice receiver: never blocks. */
    void receive(NetInterface iface, byte[] frame, int off, int len) {
        receive(iface, frame, off, len, false);
    }

    /** A frame of a receive batch: {@code more} when the driver has another one of it at once. */
    void receive(NetInterface iface, byte[] frame, int off, int len, boolean more) {
        if (rxQueued.incrementAndGet() > RX_QUEUE_LIMIT) {
            rxQueued.decrementAndGet();
            rxQueueDrops.incrementAndGet();
            if (!more) {
                batchEndedInOverflow = true; // still ends the batch: held ACKs go out
            } else {
                return;
            }
        } else {
            rxQueue.add(new Rx(iface, frame, off, len, more));
        }
        if (lock.isHeldByCurrentThread()) {
            return; // a transmit looped back on this thread: the holder drains it
        }
        while (!rxQueue.isEmpty() && lock.tryLock()) {
            try {
                drainRx();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Frames received and not yet processed (they wait for the thread holding the lock). */
    int queuedFrames() {
        return rxQueued.get();
    }

    private void drainRx() {
        Rx rx;
        while ((rx = rxQueue.poll()) != null) {
            rxQueued.decrementAndGet();
            rxMore = rx.more;
            try {
                ingress(rx.iface, rx.frame, rx.offset, rx.length);
            } catch (MalformedPacketException e) {
                rx.iface.rxErrors++;
                malformed.incrementAndGet();
                LOG.debug("{}: dropped a malformed frame: {}", rx.iface.name, e.getMessage());
            } catch (RuntimeException e) {
                rx.iface.rxErrors++;
                LOG.warn("{}: dropped a frame that broke the stack: {}", rx.iface.name, e.toString(), e);
            } finally {
                rxMore = false;
            }
            if (!rx.more) {
                releaseHeldAcks();
            }
        }
        if (batchEndedInOverflow) {
            batchEndedInOverflow = false; // the last frame of a batch found the queue full
            releaseHeldAcks();
        }
    }

    /** The receive batch ended: connections that held their ACK for it send it now. */
    private void releaseHeldAcks() {
        if (ackHeld.isEmpty()) {
            return;
        }
        List<TcpEndpoint> held = new ArrayList<>(ackHeld);
        ackHeld.clear();
        for (TcpEndpoint e : held) {
            e.ackHeld = false;
            e.socket.endAckHold();
            if (connections.get(e.key()) == e) {
                service(e);
            }
        }
    }

    private void ingress(NetInterface iface, byte[] b, int off, int len) throws MalformedPacketException {
        if (!iface.loopback) {
            NetInterface.FrameTap t = iface.tap;
            if (t != null) {
                t.frame(b, off, len);
            }
        }
        iface.rxPackets++;
        iface.rxBytes += len;
        if (!iface.up) {
            iface.rxDropped++;
            return;
        }
        EthernetFrame eth = EthernetFrame.parse(b, off, len);
        if (!iface.loopback && eth.destination() != iface.mac && eth.destination() != MacAddress.BROADCAST) {
            iface.rxDropped++; // another station's frame, or multicast we do not join
            return;
        }
        int p = off + EthernetFrame.HEADER_LEN;
        int plen = len - EthernetFrame.HEADER_LEN;
        switch (eth.etherType()) {
            case EthernetFrame.ETHERTYPE_ARP -> arpIn(iface, ArpPacket.parse(b, p, plen));
            case EthernetFrame.ETHERTYPE_IPV4 -> ipv4In(iface, b, p, plen);
            default -> iface.rxDropped++;
        }
    }

    private void arpIn(NetInterface iface, ArpPacket arp) {
        long now = now();
        if (arp.senderIp() == 0 || MacAddress.isMulticast(arp.senderMac())) {
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

    private void sendArpRequest(NetInterface iface, int targetIp) {
        byte[] f = new byte[EthernetFrame.HEADER_LEN + ArpPacket.LEN];
        new EthernetFrame(MacAddress.BROADCAST, iface.mac, EthernetFrame.ETHERTYPE_ARP).emit(f, 0);
        new ArpPacket(ArpPacket.REQUEST, iface.mac, iface.address.bits(), 0, targetIp).emit(f, EthernetFrame.HEADER_LEN);
        iface.transmit(f);
    }

    /** Announces the interface's address (RFC 5227 3: an ARP request for our own address). */
    private void sendGratuitousArp(NetInterface iface) {
        if (iface.loopback || !iface.hasAddress()) {
            return;
        }
        byte[] f = new byte[EthernetFrame.HEADER_LEN + ArpPacket.LEN];
        new EthernetFrame(MacAddress.BROADCAST, iface.mac, EthernetFrame.ETHERTYPE_ARP).emit(f, 0);
        int a = iface.address.bits();
        new ArpPacket(ArpPacket.REQUEST, iface.mac, a, 0, a).emit(f, EthernetFrame.HEADER_LEN);
        iface.transmit(f);
    }

    private void ipv4In(NetInterface iface, byte[] b, int p, int len) throws MalformedPacketException {
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
            Reassembler.Datagram whole = reassembler.add(now(), ip.source(), dst, ip.identification(), ip.protocol(),
                    ip.fragmentOffset(), ip.moreFragments(), b, payload, plen);
            if (whole == null) {
                return;
            }
            b = whole.payload();
            payload = 0;
            plen = whole.length();
        }
        switch (ip.protocol()) {
            case Ipv4Header.PROTO_ICMP -> icmpIn(iface, ip, b, payload, plen, broadcast);
            case Ipv4Header.PROTO_UDP -> udpIn(iface, ip, b, payload, plen, broadcast || dhcpUnconfigured && !toUs);
            case Ipv4Header.PROTO_TCP -> {
                if (!broadcast) {
                    tcpIn(iface, ip, b, payload, plen);
                }
            }
            default -> {
                noSocket.incrementAndGet();
                if (!broadcast) {
                    sendIcmpError(ip, b, p, IcmpMessage.CODE_PROTOCOL_UNREACHABLE);
                }
            }
        }
    }

    private void icmpIn(NetInterface iface, Ipv4Header ip, byte[] b, int p, int len, boolean broadcast)
            throws MalformedPacketException {
        IcmpMessage m = IcmpMessage.parse(b, p, len);
        switch (m.type()) {
            case IcmpMessage.ECHO_REQUEST -> {
                if (broadcast) {
                    return; // RFC 1122 3.2.2.6 allows silence; we keep quiet to avoid storms
                }
                int dataLen = len - IcmpMessage.HEADER_LEN;
                byte[] f = new byte[HEADROOM + IcmpMessage.HEADER_LEN + dataLen];
                System.arraycopy(b, p + IcmpMessage.HEADER_LEN, f, HEADROOM + IcmpMessage.HEADER_LEN, dataLen);
                new IcmpMessage(IcmpMessage.ECHO_REPLY, 0, m.restOfHeader()).emit(f, HEADROOM, dataLen);
                sendIpv4(f, IcmpMessage.HEADER_LEN + dataLen, ip.destination(), ip.source(), Ipv4Header.PROTO_ICMP, null);
            }
            case IcmpMessage.ECHO_REPLY -> {
                PingWaiter w = pings.get(m.identifier());
                if (w != null && w.sequence == m.sequence() && w.replyAt < 0) {
                    w.replyAt = now();
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
            TcpEndpoint e = connections.get(new ConnKey(inner.source(), Bytes.u16(b, q), inner.destination(),
                    Bytes.u16(b, q + 2)));
            if (e != null && e.socket.state() == TcpSocket.State.SYN_SENT) {
                e.failure = m.code() == IcmpMessage.CODE_PORT_UNREACHABLE ? "connection refused (ICMP port unreachable)"
                        : "host unreachable (ICMP code " + m.code() + ")";
                e.socket.abort();
                service(e);
            }
        } catch (MalformedPacketException ignored) {
            malformed.incrementAndGet();
        }
    }

    private void udpIn(NetInterface iface, Ipv4Header ip, byte[] b, int p, int len, boolean broadcast)
            throws MalformedPacketException {
        UdpHeader u = UdpHeader.parse(b, p, len, ip.source(), ip.destination());
        UdpEndpoint e = udp.get(u.destinationPort());
        if (e == null || !e.local.address().isUnspecified() && e.local.address().bits() != ip.destination() && !broadcast) {
            noSocket.incrementAndGet();
            if (!broadcast) {
                sendIcmpError(ip, b, p - ip.headerLength(), IcmpMessage.CODE_PORT_UNREACHABLE);
            }
            return;
        }
        if (e.queue.size() >= UDP_QUEUE_LIMIT) {
            e.dropped++;
            return;
        }
        byte[] data = new byte[u.length() - UdpHeader.LEN];
        System.arraycopy(b, p + UdpHeader.LEN, data, 0, data.length);
        e.queue.addLast(new UdpEndpoint.Datagram(new SocketAddress(new Ipv4Address(ip.source()), u.sourcePort()),
                iface.name, data));
        e.ready.signalAll();
    }

    /** Sends an ICMP error quoting the offending datagram's header and 8 bytes (RFC 792), at most 100 a second. */
    private void sendIcmpError(Ipv4Header ip, byte[] b, int ipStart, int code) {
        long now = now();
        if (now - icmpErrorWindowStart > 1_000_000_000L) {
            icmpErrorWindowStart = now;
            icmpErrorsInWindow = 0;
        }
        if (++icmpErrorsInWindow > 100 || ip.isFragment() && ip.fragmentOffset() != 0) {
            return;
        }
        int quote = Math.min(ip.headerLength() + 8, ip.totalLength());
        if (ipStart < 0 || ipStart + quote > b.length) {
            return;
        }
        byte[] f = new byte[HEADROOM + IcmpMessage.HEADER_LEN + quote];
        System.arraycopy(b, ipStart, f, HEADROOM + IcmpMessage.HEADER_LEN, quote);
        new IcmpMessage(IcmpMessage.DESTINATION_UNREACHABLE, code, 0).emit(f, HEADROOM, quote);
        icmpErrorsSent++;
        sendIpv4(f, IcmpMessage.HEADER_LEN + quote, ip.destination(), ip.source(), Ipv4Header.PROTO_ICMP, null);
    }

    private void tcpIn(NetInterface iface, Ipv4Header ip, byte[] b, int p, int len) throws MalformedPacketException {
        TcpHeader h = TcpHeader.parse(b, p, len, ip.source(), ip.destination());
        int dataOff = p + h.headerLength();
        int dataLen = len - h.headerLength();
        long now = now();
        TcpEndpoint e = connections.get(new ConnKey(ip.destination(), h.destinationPort(), ip.source(), h.sourcePort()));
        if (e != null && e.socket.state() == TcpSocket.State.TIME_WAIT && h.has(TcpHeader.SYN) && !h.has(TcpHeader.ACK)
                && listeners.containsKey(h.destinationPort())) {
            e.socket.abort(); // RFC 9293 3.10.7.4 allows a new incarnation from TIME_WAIT
            forget(e);
            e = null;
        }
        if (e != null) {
            e.socket.holdAcks(rxMore);
            e.socket.process(now, h, b, dataOff, dataLen);
            if (rxMore && !e.ackHeld) {
                e.ackHeld = true;
                ackHeld.add(e);
            }
            service(e);
            return;
        }
        TcpListener l = listeners.get(h.destinationPort());
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
                synDropped.incrementAndGet(); // a full backlog: the SYN is dropped, the peer will retry
                return;
            }
            NetInterface out = iface.loopback ? loopback : iface;
            TcpSocket s = TcpSocket.accept(tcpConfig, ip.destination(), ip.source(), h, random.nextInt(),
                    out.mtu() - 40, now);
            TcpEndpoint ne = new TcpEndpoint(this, s);
            ne.listener = l;
            s.listener = l;
            l.halfOpen++;
            connections.put(ne.key(), ne);
            service(ne);
            return;
        }
        noSocket.incrementAndGet();
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
        byte[] f = new byte[HEADROOM + TcpHeader.MIN_LEN];
        r.emit(f, HEADROOM, 0, ip.destination(), ip.source());
        sendIpv4(f, TcpHeader.MIN_LEN, ip.destination(), ip.source(), Ipv4Header.PROTO_TCP, null);
    }

    // ---- egress -------------------------------------------------------------------------

    /** The interface and route a packet to {@code dst} from {@code src} (0: any) takes, or null. */
    RouteTable.Route route(int dst, int src) {
        String preferred = null;
        if (src != 0) {
            for (NetInterface i : interfaces.values()) {
                if (i.address.bits() == src) {
                    preferred = i.name;
                }
            }
        }
        return routes.lookup(dst, preferred);
    }

    /** The source address for {@code dst}: the address of the interface its route leaves by, or 0. */
    int sourceFor(int dst) {
        RouteTable.Route r = route(dst, 0);
        if (r == null) {
            return 0;
        }
        NetInterface i = find(r.interfaceName());
        return i == null ? 0 : i.address.bits();
    }

    /**
     * Sends the IPv4 payload that sits in {@code frame} at {@link #HEADROOM}, routing it (or out of
     * {@code via} for broadcasts), fragmenting if it exceeds the MTU. False when there is no route.
     */
    boolean sendIpv4(byte[] frame, int payloadLen, int src, int dst, int protocol, NetInterface via) {
        NetInterface iface = via;
        int nextHop = dst;
        if (iface == null) {
            RouteTable.Route r = route(dst, src);
            if (r == null) {
                return false;
            }
            iface = find(r.interfaceName());
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
        new Ipv4Header(Ipv4Header.MIN_LEN, 0, Ipv4Header.MIN_LEN + payloadLen, ipId.incrementAndGet() & 0xffff,
                protocol == Ipv4Header.PROTO_TCP, false, 0, DEFAULT_TTL, protocol, src, dst)
                .emit(frame, EthernetFrame.HEADER_LEN);
        byte[] f = frame.length == HEADROOM + payloadLen ? frame : java.util.Arrays.copyOf(frame, HEADROOM + payloadLen);
        return linkOut(iface, f, dst, nextHop);
    }

    private boolean fragment(byte[] frame, int payloadLen, int src, int dst, int protocol, NetInterface iface,
                             int nextHop, int mtu) {
        int chunk = (mtu - Ipv4Header.MIN_LEN) & ~7;
        int id = ipId.incrementAndGet() & 0xffff;
        for (int off = 0; off < payloadLen; off += chunk) {
            int n = Math.min(chunk, payloadLen - off);
            byte[] f = new byte[HEADROOM + n];
            System.arraycopy(frame, HEADROOM + off, f, HEADROOM, n);
            new Ipv4Header(Ipv4Header.MIN_LEN, 0, Ipv4Header.MIN_LEN + n, id, false, off + n < payloadLen, off,
                    DEFAULT_TTL, protocol, src, dst).emit(f, EthernetFrame.HEADER_LEN);
            linkOut(iface, f, dst, nextHop);
        }
        return true;
    }

    private boolean linkOut(NetInterface iface, byte[] f, int dst, int nextHop) {
        if (iface.loopback || iface.hasAddress() && dst == iface.address.bits()) {
            new EthernetFrame(iface.mac, iface.mac, EthernetFrame.ETHERTYPE_IPV4).emit(f, 0);
            iface.txPackets++;
            iface.txBytes += f.length;
            receive(iface, f, 0, f.length);
            return true;
        }
        if (iface.isBroadcastFor(dst)) {
            new EthernetFrame(MacAddress.BROADCAST, iface.mac, EthernetFrame.ETHERTYPE_IPV4).emit(f, 0);
            return transmit(iface, f);
        }
        long now = now();
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
            sendArpRequest(iface, nextHop);
            NetInterface i = iface;
            int hop = nextHop;
            schedule(() -> arpRetry(i, hop), ArpCache.RETRY_NANOS);
        }
        return true;
    }

    private void arpRetry(NetInterface iface, int ip) {
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
        sendArpRequest(iface, ip);
        schedule(() -> arpRetry(iface, ip), ArpCache.RETRY_NANOS);
    }

    /** No neighbour answered ARP for frames we sent: connections being set up through it fail. */
    private void neighbourUnreachable(int ip, ArrayDeque<byte[]> frames) {
        for (byte[] f : frames) {
            if (f.length < HEADROOM + TcpHeader.MIN_LEN || f[EthernetFrame.HEADER_LEN + 9] != Ipv4Header.PROTO_TCP) {
                continue;
            }
            int src = Bytes.i32(f, EthernetFrame.HEADER_LEN + 12);
            int dst = Bytes.i32(f, EthernetFrame.HEADER_LEN + 16);
            TcpEndpoint e = connections.get(new ConnKey(src, Bytes.u16(f, HEADROOM), dst, Bytes.u16(f, HEADROOM + 2)));
            if (e != null && e.socket.state() == TcpSocket.State.SYN_SENT) {
                e.failure = "no route to host " + new Ipv4Address(ip) + " (no ARP reply)";
                e.socket.abort();
                service(e);
            }
        }
        for (PingWaiter w : pings.values()) {
            if (w.nextHop == ip) {
                w.unreachable = true;
                w.done.signalAll();
            }
        }
    }

    private boolean transmit(NetInterface iface, byte[] f) {
        boolean ok = iface.transmit(f);
        if (!iface.txBacklog.isEmpty()) {
            flushLater(iface);
        }
        return ok;
    }

    private void flush(NetInterface iface) {
        if (iface.flush()) {
            flushLater(iface);
        }
    }

    private void flushLater(NetInterface iface) {
        if (iface.flushScheduled || iface.device == null) {
            return;
        }
        iface.flushScheduled = true;
        schedule(() -> {
            iface.flushScheduled = false;
            flush(iface);
        }, 200_000L);
    }

    // ---- TCP service --------------------------------------------------------------------

    private final TcpSocket.Output tcpOut = this::tcpSend;

    private void tcpSend(TcpSocket s, TcpHeader h, RingBuffer data, int dataOffset, int length) {
        int hl = h.length();
        byte[] f = new byte[HEADROOM + hl + length];
        if (length > 0) {
            data.peek(dataOffset, f, HEADROOM + hl, length);
        }
        h.emit(f, HEADROOM, length, s.localAddress, s.remoteAddress);
        sendIpv4(f, hl + length, s.localAddress, s.remoteAddress, Ipv4Header.PROTO_TCP, null);
    }

    /** After anything happened to a connection: let it send, settle its listener, timers and waiters. */
    void service(TcpEndpoint e) {
        TcpSocket s = e.socket;
        long now = now();
        s.dispatch(now, tcpOut);
        TcpListener l = e.listener;
        if (l != null && !e.queued && s.state() != TcpSocket.State.SYN_RECEIVED) {
            l.halfOpen--;
            e.queued = true;
            if (s.isEstablishedOrLater() && !l.closed) {
                l.ready.addLast(e);
                l.readyCondition.signalAll();
            } else if (s.state() != TcpSocket.State.CLOSED) {
                s.abort();
                s.dispatch(now, tcpOut);
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
                e.timer = schedule(() -> {
                    e.timer = null;
                    e.timerAt = Long.MAX_VALUE;
                    service(e);
                }, at - now);
            }
        }
        e.changed.signalAll();
    }

    private void forget(TcpEndpoint e) {
        if (connections.remove(e.key(), e)) {
            long[] c = tcpCounters(e.socket);
            for (int i = 0; i < TCP_COUNTERS; i++) {
                tcpClosedCounters[i] += c[i];
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

    private int ephemeralPort(java.util.function.IntPredicate free) {
        for (int tries = 0; tries < 65536 - EPHEMERAL_FIRST; tries++) {
            int port = nextEphemeral;
            nextEphemeral = nextEphemeral == 65535 ? EPHEMERAL_FIRST : nextEphemeral + 1;
            if (free.test(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no ephemeral port free");
    }

    // ---- the socket API -----------------------------------------------------------------

    @Override
    public StreamSocket connect(SocketAddress remote, Duration timeout) throws IOException {
        TcpEndpoint e;
        enter();
        try {
            int dst = remote.address().bits();
            RouteTable.Route r = route(dst, 0);
            if (r == null) {
                throw new NoRouteToHostException("no route to " + remote.address());
            }
            NetInterface iface = find(r.interfaceName());
            int src = iface.address.bits();
            if (src == 0) {
                throw new NoRouteToHostException(iface.name + " has no address");
            }
            int port = ephemeralPort(pt -> !connections.containsKey(new ConnKey(src, pt, dst, remote.port()))
                    && !listeners.containsKey(pt));
            TcpSocket s = TcpSocket.connect(tcpConfig, src, port, dst, remote.port(), random.nextInt(),
                    iface.mtu() - 40, now());
            e = new TcpEndpoint(this, s);
            connections.put(e.key(), e);
            service(e);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (s.state() == TcpSocket.State.SYN_SENT || s.state() == TcpSocket.State.SYN_RECEIVED) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    s.abort();
                    service(e);
                    throw new SocketTimeoutException("connect to " + remote + " timed out after " + timeout.toMillis() + " ms");
                }
                await(e.changed, left);
            }
            if (s.state() == TcpSocket.State.CLOSED) {
                String why = e.failure != null ? e.failure : s.error() != null ? s.error() : "connection failed";
                throw new ConnectException(why + ": " + remote);
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("connect interrupted");
        } finally {
            exit();
        }
        return e;
    }

    @Override
    public ListeningSocket listen(SocketAddress local, int backlog) throws IOException {
        enter();
        try {
            int port = local.port() == 0 ? ephemeralPort(pt -> !listeners.containsKey(pt)) : local.port();
            if (listeners.containsKey(port)) {
                throw new java.net.BindException("TCP port " + port + " is already listening");
            }
            TcpListener l = new TcpListener(this, new SocketAddress(local.address(), port), Math.max(1, backlog));
            listeners.put(port, l);
            return l;
        } finally {
            exit();
        }
    }

    void closeListener(TcpListener l) {
        listeners.remove(l.local.port(), l);
        l.closed = true;
        for (TcpEndpoint e : l.ready) {
            e.socket.abort();
            service(e);
        }
        l.ready.clear();
        l.readyCondition.signalAll();
    }

    @Override
    public DatagramSocket bindDatagram(SocketAddress local) throws IOException {
        enter();
        try {
            int port = local.port() == 0 ? ephemeralPort(pt -> !udp.containsKey(pt)) : local.port();
            if (udp.containsKey(port)) {
                throw new java.net.BindException("UDP port " + port + " is in use");
            }
            UdpEndpoint e = new UdpEndpoint(this, new SocketAddress(local.address(), port));
            udp.put(port, e);
            return e;
        } finally {
            exit();
        }
    }

    void closeUdp(UdpEndpoint e) {
        udp.remove(e.local.port(), e);
        e.ready.signalAll();
    }

    /** Sends a UDP datagram; {@code via} forces the interface (DHCP's broadcasts from 0.0.0.0). */
    void sendUdp(UdpEndpoint from, SocketAddress to, byte[] b, int off, int len, NetInterface via) throws IOException {
        if (len > 65507) {
            throw new IOException("datagram of " + len + " bytes exceeds 65507");
        }
        int dst = to.address().bits();
        int src = from.local.address().bits();
        if (via != null && src == 0) {
            src = via.address.bits();
        } else if (src == 0) {
            src = sourceFor(dst);
            if (src == 0) {
                throw new NoRouteToHostException("no route to " + to.address());
            }
        }
        byte[] f = new byte[HEADROOM + UdpHeader.LEN + len];
        System.arraycopy(b, off, f, HEADROOM + UdpHeader.LEN, len);
        new UdpHeader(from.local.port(), to.port(), UdpHeader.LEN + len).emit(f, HEADROOM, src, dst);
        if (!sendIpv4(f, UdpHeader.LEN + len, src, dst, Ipv4Header.PROTO_UDP, via)) {
            throw new NoRouteToHostException("no route to " + to.address());
        }
    }

    /** Sends a datagram out of the named interface whatever the routes say (DHCP before it has an address). */
    public void sendVia(DatagramSocket socket, String interfaceName, SocketAddress to, byte[] b, int off, int len)
            throws IOException {
        NetInterface iface;
        enter();
        try {
            iface = requireInterface(interfaceName);
        } finally {
            exit();
        }
        ((UdpEndpoint) socket).sendVia(to, b, off, len, iface);
    }

    @Override
    public List<Ipv4Address> resolve(String name, Duration timeout) throws IOException {
        if (Ipv4Address.isLiteral(name)) {
            return List.of(Ipv4Address.parse(name));
        }
        if ("localhost".equals(name)) {
            return List.of(Ipv4Address.LOOPBACK);
        }
        Function<String, List<Ipv4Address>> r = resolver;
        if (r == null) {
            throw new java.net.UnknownHostException(name + ": no DNS resolver configured");
        }
        try {
            return r.apply(name);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** One outstanding echo request. */
    static final class PingWaiter {
        final int sequence;
        final Signal done;
        int nextHop;
        long replyAt = -1;
        boolean unreachable;

        PingWaiter(int sequence, Signal done) {
            this.sequence = sequence;
            this.done = done;
        }
    }

    @Override
    public long ping(Ipv4Address destination, int sequence, int payloadLength, Duration timeout) throws IOException {
        enter();
        try {
            int dst = destination.bits();
            RouteTable.Route r = route(dst, 0);
            if (r == null) {
                throw new NoRouteToHostException("no route to " + destination);
            }
            NetInterface iface = find(r.interfaceName());
            int id = nextPingId;
            nextPingId = nextPingId == 0xffff ? 1 : nextPingId + 1;
            PingWaiter w = new PingWaiter(sequence & 0xffff, new Signal());
            w.nextHop = r.gateway().isUnspecified() ? dst : r.gateway().bits();
            pings.put(id, w);
            try {
                byte[] f = new byte[HEADROOM + IcmpMessage.HEADER_LEN + payloadLength];
                for (int i = 0; i < payloadLength; i++) {
                    f[HEADROOM + IcmpMessage.HEADER_LEN + i] = (byte) (0x10 + i);
                }
                new IcmpMessage(IcmpMessage.ECHO_REQUEST, 0, IcmpMessage.echoRest(id, sequence)).emit(f, HEADROOM,
                        payloadLength);
                long sent = now();
                if (!sendIpv4(f, IcmpMessage.HEADER_LEN + payloadLength, iface.address.bits(), dst,
                        Ipv4Header.PROTO_ICMP, null)) {
                    throw new NoRouteToHostException("cannot send to " + destination);
                }
                long deadline = System.nanoTime() + timeout.toNanos();
                while (w.replyAt < 0 && !w.unreachable) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return -1;
                    }
                    await(w.done, left);
                }
                if (w.unreachable) {
                    throw new NoRouteToHostException("host " + destination + " unreachable (no ARP reply)");
                }
                return w.replyAt - sent;
            } finally {
                pings.remove(id);
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("ping interrupted");
        } finally {
            exit();
        }
    }

    /** One line per socket, for netstat. */
    public List<String> socketTable() {
        enter();
        try {
            List<String> lines = new ArrayList<>();
            for (TcpListener l : listeners.values()) {
                lines.add(String.format("tcp  %-21s %-21s LISTEN (backlog %d, %d half-open, %d to accept)", l.local,
                        "0.0.0.0:*", l.backlog, l.halfOpen, l.ready.size()));
            }
            for (TcpEndpoint e : connections.values()) {
                TcpSocket s = e.socket;
                lines.add(String.format("tcp  %-21s %-21s %s (recv-q %d send-q %d cwnd %d rtt %.3f ms retrans %d"
                                + " fast %d timeouts %d%s)",
                        new Ipv4Address(s.localAddress) + ":" + s.localPort,
                        new Ipv4Address(s.remoteAddress) + ":" + s.remotePort, s.state(), s.readable(), s.sendQueue(),
                        s.congestionWindow(), s.smoothedRttNanos() < 0 ? 0.0 : s.smoothedRttNanos() / 1e6,
                        s.retransmissions(), s.fastRetransmits(), s.timeouts(), s.sackPermitted() ? " sack" : ""));
            }
            for (UdpEndpoint u : udp.values()) {
                lines.add(String.format("udp  %-21s %-21s (recv-q %d datagrams, %d dropped)", u.local, "0.0.0.0:*",
                        u.queue.size(), u.dropped));
            }
            return lines;
        } finally {
            exit();
        }
    }

    private static long[] tcpCounters(TcpSocket s) {
        return new long[] {s.retransmissions(), s.fastRetransmits(), s.sackRecoveries(), s.lostRetransmissions(),
            s.tailLossProbes(), s.timeouts()};
    }

    /** Stack-wide counters, for netstat -s: drops, then what TCP's loss recovery did (all connections so far). */
    public String counters() {
        enter();
        try {
            long[] t = tcpClosedCounters.clone();
            for (TcpEndpoint e : connections.values()) {
                long[] c = tcpCounters(e.socket);
                for (int i = 0; i < TCP_COUNTERS; i++) {
                    t[i] += c[i];
                }
            }
            return String.format("malformed %d, no socket %d, SYNs dropped (backlog full) %d, receive queue overflows %d, "
                    + "reassembly timeouts %d, ICMP errors sent %d%n"
                    + "tcp: %d segments retransmitted, %d fast retransmits (%d of them SACK recoveries), "
                    + "%d lost retransmissions sent again, %d tail loss probes, %d timeouts",
                    malformed.get(), noSocket.get(), synDropped.get(), rxQueueDrops.get(), reassembler.timedOut(),
                    icmpErrorsSent, t[0], t[1], t[2], t[3], t[4], t[5]);
        } finally {
            exit();
        }
    }

    /** The names of the interfaces (in slot order) for commands. */
    public List<String> interfaceNames() {
        enter();
        try {
            List<String> n = new ArrayList<>();
            interfaces.values().forEach(i -> n.add(i.name));
            return n;
        } finally {
            exit();
        }
    }

    /** The interface's address, or ANY. */
    public Ipv4Address addressOf(String name) {
        enter();
        try {
            return requireInterface(name).address;
        } finally {
            exit();
        }
    }

    public long macOf(String name) {
        enter();
        try {
            return requireInterface(name).mac;
        } finally {
            exit();
        }
    }
}
