package org.alosj.net.impl;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
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
import org.alosj.kernel.device.MacAddress;
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
import org.alosj.net.impl.socket.TcpConfig;
import org.alosj.net.impl.socket.TcpSocket;
import org.alosj.net.impl.wire.ArpPacket;
import org.alosj.net.impl.wire.EthernetFrame;
import org.alosj.net.impl.wire.IcmpMessage;
import org.alosj.net.impl.wire.Ipv4Header;
import org.alosj.net.impl.wire.MalformedPacketException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stack: its interfaces, the lock, the Ethernet demultiplexing of received frames, the socket
 * tables and the socket API. Each protocol is in its own file and works on the state kept here:
 * {@link Arp}, {@link Ipv4} (input, routing, fragmentation, the link out), {@link Icmp},
 * {@link Udp} and {@link Tcp} (demultiplexing and the service of a connection); a connection's
 * state machine is {@link TcpSocket}.
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
    boolean rxMore;
    /** Connections holding an ACK until the end of the receive batch (lock held). */
    final List<TcpEndpoint> ackHeld = new ArrayList<>();
    private final ScheduledExecutorService timers;
    private final Clock clock;
    final TcpConfig tcpConfig;
    final SplittableRandom random = new SplittableRandom(new SecureRandom().nextLong());

    final TreeMap<String, NetInterface> interfaces = new TreeMap<>();
    final NetInterface loopback = new NetInterface("lo", "lo", true);
    final RouteTable routes = new RouteTable();
    final Reassembler reassembler = new Reassembler();
    final Map<ConnKey, TcpEndpoint> connections = new HashMap<>();
    final Map<Integer, TcpListener> listeners = new HashMap<>();
    final Map<Integer, UdpEndpoint> udpPorts = new HashMap<>();
    final Map<Integer, PingWaiter> pings = new HashMap<>();
    final AtomicInteger ipId = new AtomicInteger();
    private int nextEphemeral = EPHEMERAL_FIRST;
    private int nextPingId = 1;
    private volatile Function<String, List<Ipv4Address>> resolver;
    private volatile boolean closed;

    /** Counters of drops the interfaces do not own, for netstat -s. */
    final AtomicLong malformed = new AtomicLong();
    final AtomicLong noSocket = new AtomicLong();
    final AtomicLong synDropped = new AtomicLong();
    final AtomicLong rxQueueDrops = new AtomicLong();

    /** The protocols, each in its file; they share this stack's state and run under its lock. */
    final Arp arp = new Arp(this);
    final Ipv4 ipv4 = new Ipv4(this);
    final Icmp icmp = new Icmp(this);
    final Udp udp = new Udp(this);
    final Tcp tcp = new Tcp(this);

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
                tcp.service(e);
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
            i.mac = MacAddress.fromBytes(device.macAddress()).toLong();
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
                arp.announce(iface);
            }
            ipv4.flush(iface);
            LOG.info("{}: {} in slot {}, MAC {}", i.name, driver, slot, MacAddress.of(i.mac));
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
                    tcp.service(e);
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

    /** Whether {@code address} is this machine's: a loopback address or one an interface has. Lock held. */
    boolean ownsAddress(int address) {
        if (address >>> 24 == 127) {
            return true;
        }
        for (NetInterface i : interfaces.values()) {
            if (i.address.bits() == address) {
                return true;
            }
        }
        return false;
    }

    public NetInterface interfaceNamed(String name) {
        enter();
        try {
            return find(name);
        } finally {
            exit();
        }
    }

    NetInterface find(String name) {
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
                arp.announce(i);
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
                i.loopback ? "00:00:00:00:00:00" : MacAddress.of(i.mac).toString(), i.address, i.prefixLength, i.mtu(), i.up,
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
                tcp.service(e);
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
        if (!iface.loopback && eth.destination() != iface.mac && eth.destination() != EthernetFrame.BROADCAST) {
            iface.rxDropped++; // another station's frame, or multicast we do not join
            return;
        }
        int p = off + EthernetFrame.HEADER_LEN;
        int plen = len - EthernetFrame.HEADER_LEN;
        switch (eth.etherType()) {
            case EthernetFrame.ETHERTYPE_ARP -> arp.input(iface, ArpPacket.parse(b, p, plen));
            case EthernetFrame.ETHERTYPE_IPV4 -> ipv4.input(iface, b, p, plen);
            default -> iface.rxDropped++;
        }
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
            RouteTable.Route r = ipv4.route(dst, 0);
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
            tcp.service(e);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (s.state() == TcpSocket.State.SYN_SENT || s.state() == TcpSocket.State.SYN_RECEIVED) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    s.abort();
                    tcp.service(e);
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
            tcp.service(e);
        }
        l.ready.clear();
        l.readyCondition.signalAll();
    }

    @Override
    public DatagramSocket bindDatagram(SocketAddress local) throws IOException {
        enter();
        try {
            int port = local.port() == 0 ? ephemeralPort(pt -> !udpPorts.containsKey(pt)) : local.port();
            if (udpPorts.containsKey(port)) {
                throw new java.net.BindException("UDP port " + port + " is in use");
            }
            UdpEndpoint e = new UdpEndpoint(this, new SocketAddress(local.address(), port));
            udpPorts.put(port, e);
            return e;
        } finally {
            exit();
        }
    }

    void closeUdp(UdpEndpoint e) {
        udpPorts.remove(e.local.port(), e);
        e.ready.signalAll();
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
            RouteTable.Route r = ipv4.route(dst, 0);
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
                if (!ipv4.send(f, IcmpMessage.HEADER_LEN + payloadLength, iface.address.bits(), dst,
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
            for (UdpEndpoint u : udpPorts.values()) {
                lines.add(String.format("udp  %-21s %-21s (recv-q %d datagrams, %d dropped)", u.local, "0.0.0.0:*",
                        u.queue.size(), u.dropped));
            }
            return lines;
        } finally {
            exit();
        }
    }

    /** Stack-wide counters, for netstat -s: drops, then what TCP's loss recovery did (all connections so far). */
    public String counters() {
        enter();
        try {
            long[] t = tcp.closedCounters();
            for (TcpEndpoint e : connections.values()) {
                long[] c = Tcp.counters(e.socket);
                for (int i = 0; i < Tcp.COUNTERS; i++) {
                    t[i] += c[i];
                }
            }
            return String.format("malformed %d, no socket %d, SYNs dropped (backlog full) %d, receive queue overflows %d, "
                    + "reassembly timeouts %d, ICMP errors sent %d%n"
                    + "tcp: %d segments retransmitted, %d fast retransmits (%d of them SACK recoveries), "
                    + "%d lost retransmissions sent again, %d tail loss probes, %d timeouts",
                    malformed.get(), noSocket.get(), synDropped.get(), rxQueueDrops.get(), reassembler.timedOut(),
                    icmp.errorsSent(), t[0], t[1], t[2], t[3], t[4], t[5]);
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
