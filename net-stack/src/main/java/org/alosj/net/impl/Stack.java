package org.alosj.net.impl;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
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
import org.alosj.net.impl.socket.TcpConfig;
import org.alosj.net.impl.socket.TcpSocket;
import org.alosj.net.impl.wire.EthernetFrame;
import org.alosj.net.impl.wire.Ipv4Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stack: the lock, the timers and the state every layer shares (interfaces, routes, socket
 * tables), and the public API, which hands each call to the file that does it. The layers:
 * {@link Interfaces} (slots, addresses, routes and ARP entries as commands set them),
 * {@link Ingress} (the receive queue and Ethernet demultiplexing), {@link Arp}, {@link Ipv4}
 * (input, routing, fragmentation, the link out), {@link Icmp}, {@link Udp} and {@link Tcp}
 * (demultiplexing and the service of a connection), and {@link Sockets} (connect, listen, bind,
 * ping, netstat); a connection's state machine is {@link TcpSocket}.
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
    /** The interfaces, the received frames and the socket API, each in its file. */
    final Interfaces ifaces = new Interfaces(this);
    final Ingress ingress = new Ingress(this);
    final Sockets sockets = new Sockets(this);

    /** Time source, nanoseconds. */
    @FunctionalInterface
    public interface Clock {
        long nanos();
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
            ingress.drain();
        } finally {
            lock.unlock();
        }
        // A frame queued after the drain and before the unlock found the lock taken: take it over.
        while (ingress.pending() && lock.tryLock()) {
            try {
                ingress.drain();
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

    // ---- interfaces: in Interfaces ------------------------------------------------------

    /**
     * A NetDevice came for {@code slot}: the interface of that slot (new, or the one that kept
     * its state while the slot had no driver) takes it. Names follow slot order.
     */
    public NetInterface attach(String slot, NetDevice device, String driver) {
        return ifaces.attach(slot, device, driver);
    }

    /** The NetDevice of {@code slot} went away: the interface keeps everything and waits for the next. */
    public void detach(String slot, NetDevice device) {
        ifaces.detach(slot, device);
    }

    /**
     * The device of {@code slot} left the machine: its interface goes with its routes and the
     * TCP connections over its address fail at once.
     *
     * @return the interface's name, or null if there was nothing to remove
     */
    public String remove(String slot) {
        return ifaces.remove(slot);
    }

    /** Whether {@code address} is this machine's: a loopback address or one an interface has. Lock held. */
    boolean ownsAddress(int address) {
        return ifaces.ownsAddress(address);
    }

    public NetInterface interfaceNamed(String name) {
        return ifaces.interfaceNamed(name);
    }

    /** The interface named {@code name}, or null; lock held. */
    NetInterface find(String name) {
        return ifaces.find(name);
    }

    /** Sets (or with ANY clears) an interface's address; the connected route follows. */
    public void configure(String name, Ipv4Address address, int prefixLength) {
        ifaces.configure(name, address, prefixLength);
    }

    public void setMtu(String name, int mtu) {
        ifaces.setMtu(name, mtu);
    }

    public void setUp(String name, boolean up) {
        ifaces.setUp(name, up);
    }

    public void addRoute(Ipv4Address destination, int prefixLength, Ipv4Address gateway, String interfaceName) {
        ifaces.addRoute(destination, prefixLength, gateway, interfaceName);
    }

    public boolean removeRoute(Ipv4Address destination, int prefixLength) {
        return ifaces.removeRoute(destination, prefixLength);
    }

    public List<RouteTable.Route> routes() {
        return ifaces.routes();
    }

    /** Every interface's ARP entries as (interface name, entry). */
    public List<Map.Entry<String, ArpCache.Entry>> arpEntries() {
        return ifaces.arpEntries();
    }

    /** A permanent ARP entry on interface {@code name} (arp -s). */
    public void addStaticArp(String name, Ipv4Address ip, long mac) {
        ifaces.addStaticArp(name, ip, mac);
    }

    public boolean removeArp(Ipv4Address ip) {
        return ifaces.removeArp(ip);
    }

    public void setTap(String name, NetInterface.FrameTap tap) {
        ifaces.setTap(name, tap);
    }

    @Override
    public List<InterfaceInfo> interfaces() {
        return ifaces.interfaces();
    }

    /** The names of the interfaces (in slot order) for commands. */
    public List<String> interfaceNames() {
        return ifaces.interfaceNames();
    }

    /** The interface's address, or ANY. */
    public Ipv4Address addressOf(String name) {
        return ifaces.addressOf(name);
    }

    public long macOf(String name) {
        return ifaces.macOf(name);
    }

    // ---- received frames: in Ingress ---------------------------------------------------

    /** The NetDevice receiver: never blocks. */
    void receive(NetInterface iface, byte[] frame, int off, int len) {
        ingress.receive(iface, frame, off, len);
    }

    /** Frames received and not yet processed (they wait for the thread holding the lock). */
    int queuedFrames() {
        return ingress.queuedFrames();
    }

    // ---- the socket API: in Sockets ----------------------------------------------------

    @Override
    public StreamSocket connect(SocketAddress remote, Duration timeout) throws IOException {
        return sockets.connect(remote, timeout);
    }

    @Override
    public ListeningSocket listen(SocketAddress local, int backlog) throws IOException {
        return sockets.listen(local, backlog);
    }

    @Override
    public DatagramSocket bindDatagram(SocketAddress local) throws IOException {
        return sockets.bindDatagram(local);
    }

    /** Sends a datagram out of the named interface whatever the routes say (DHCP before it has an address). */
    public void sendVia(DatagramSocket socket, String interfaceName, SocketAddress to, byte[] b, int off, int len)
            throws IOException {
        sockets.sendVia(socket, interfaceName, to, b, off, len);
    }

    @Override
    public long ping(Ipv4Address destination, int sequence, int payloadLength, Duration timeout) throws IOException {
        return sockets.ping(destination, sequence, payloadLength, timeout);
    }

    /** One line per socket, for netstat. */
    public List<String> socketTable() {
        return sockets.socketTable();
    }

    /** Stack-wide counters, for netstat -s. */
    public String counters() {
        return sockets.counters();
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
}
