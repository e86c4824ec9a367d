package org.alosj.hw.netdev.impl;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.LoggerFactory;

/**
 * Raw Ethernet frames in UDP datagrams, one frame per datagram and nothing else (QEMU's
 * {@code -netdev dgram} and {@code -netdev socket,udp=}): bound to a local address, sending to
 * one remote address and taking frames only from it. Two machines so configured, or this one and
 * a QEMU guest, or a Linux tap bridged by socat, share an Ethernet segment. UDP has no carrier:
 * the link is up while the socket is open.
 *
 * <p>Sending is asynchronous, as a wire is: {@link #send} copies the frame into a queue and a
 * sender thread makes the system calls, draining every queued frame per wake-up. The NIC model,
 * the driver and the stack above call {@code send} with their locks held; a {@code sendto} on
 * loopback also runs the peer's receive path in the kernel, and with it in the caller every
 * other thread that needed one of those locks (the interrupt thread taking ACKs, the backend's
 * receive thread delivering them) parked and was woken again per frame. A frame the kernel
 * then refuses counts as dropped (it was counted as sent when queued).
 *
 * <p>A queued frame is copied once, into a direct buffer the system call reads as it is (a heap
 * array would be copied again, into the JDK's temporary direct buffer); the sender thread gives
 * the buffer back for the next frame, so the data path allocates nothing per frame.
 */
public final class UdpBackend extends WireBackend {
    /** The largest UDP payload over IPv4; a longer frame cannot be carried. */
    static final int MAX_DATAGRAM = 65507;
    /**
     * The socket receive buffer asked for. The default (net.core.rmem_default, 208 KiB) holds
     * about 90 full-size frames on loopback, fewer than one TCP window of the peer: a burst
     * that arrives while the receive thread waits for the NIC overflows it and the kernel drops
     * datagrams (UdpRcvbufErrors), which the guests see as loss. The kernel caps the request at
     * net.core.rmem_max.
     */
    static final int RECEIVE_BUFFER = 4 << 20;
    /**
     * Frames that may wait for the sender thread (a qdisc's length); more are dropped and
     * counted, as a full transmit queue drops. A TCP window of full-size frames fits.
     */
    static final int SEND_QUEUE = 1024;
    /** Sent frames' buffers kept for reuse; a burst beyond them allocates and drops the extra ones. */
    static final int SPARE_BUFFERS = 256;
    /** Buffer sizes are multiples of this, so frames near one size share buffers. */
    static final int BUFFER_QUANTUM = 2048;

    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final DatagramChannel channel;
    private final Thread receiveThread;
    private final Thread sendThread;
    private final ConcurrentLinkedQueue<ByteBuffer> outbound = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final ConcurrentLinkedQueue<ByteBuffer> spare = new ConcurrentLinkedQueue<>();
    private final AtomicInteger spareCount = new AtomicInteger();
    /** Set while the sender thread is about to park or parked: a new frame must unpark it. */
    private volatile boolean senderIdle;
    private final AtomicLong foreign = new AtomicLong();
    private volatile String problem;

    /**
     * @throws IOException if the local address cannot be bound (in use, not ours)
     */
    public UdpBackend(String id, InetSocketAddress local, InetSocketAddress remote) throws IOException {
        super(id, LoggerFactory.getLogger("hw.netdev.udp." + id));
        if (remote.isUnresolved() || remote.getAddress().isAnyLocalAddress() || remote.getAddress().isMulticastAddress()
                || remote.getPort() == 0) {
            throw new IllegalArgumentException("udp " + id + ": remote " + remote
                    + " must be a unicast address and a port 1-65535");
        }
        boolean v4 = remote.getAddress() instanceof Inet4Address;
        channel = DatagramChannel.open(v4 ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
            channel.bind(local);
        } catch (IOException e) {
            channel.close();
            throw new IOException("udp " + id + ": cannot bind " + local + ": " + e.getMessage(), e);
        }
        this.local = (InetSocketAddress) channel.getLocalAddress();
        this.remote = remote;
        receiveThread = new Thread(this::receive, "netdev-udp-" + id);
        receiveThread.setDaemon(true);
        sendThread = new Thread(this::sendQueued, "netdev-udp-tx-" + id);
        sendThread.setDaemon(true);
        receiveThread.start();
        sendThread.start();
        log.info("udp {}: {} <-> {}", id, this.local, remote);
    }

    /** Parses {@code HOST:PORT} (IPv4 literal, {@code [IPv6]}, or empty host for any). */
    static InetSocketAddress parseAddress(String text, boolean hostRequired) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("missing address: expected HOST:PORT, like 127.0.0.1:5555");
        }
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("bad address '" + text + "': expected HOST:PORT, like 127.0.0.1:5555");
        }
        String host = text.substring(0, colon);
        String portText = text.substring(colon + 1);
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("bad address '" + text + "': port '" + portText + "' is not 1-65535");
        }
        if (host.isEmpty()) {
            if (hostRequired) {
                throw new IllegalArgumentException("bad address '" + text + "': a host address is needed");
            }
            return new InetSocketAddress(port);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
            if (!host.matches("[0-9a-fA-F:.]+") || !host.contains(":")) {
                throw new IllegalArgumentException("bad address '" + text + "': '" + host + "' is not an IPv6 address");
            }
        } else if (!HostForward.isIpv4(host)) {
            throw new IllegalArgumentException("bad address '" + text + "': '" + host
                    + "' is not an IP address (numeric IPv4, or IPv6 in brackets)");
        }
        try {
            // A literal: no name lookup happens.
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (IOException e) {
            throw new IllegalArgumentException("bad address '" + text + "': " + e.getMessage());
        }
    }

    @Override
    public String type() {
        return "udp";
    }

    public InetSocketAddress localAddress() {
        return local;
    }

    public InetSocketAddress remoteAddress() {
        return remote;
    }

    /** The receive buffer the kernel granted (bytes, as SO_RCVBUF reads). */
    int receiveBufferSize() throws IOException {
        return channel.getOption(StandardSocketOptions.SO_RCVBUF);
    }

    /** Datagrams from somewhere other than the remote address (ignored). */
    public long foreignDatagrams() {
        return foreign.get();
    }

    @Override
    public String problem() {
        return closed ? "closed" : problem;
    }

    @Override
    boolean connected() {
        return channel.isOpen();
    }

    @Override
    boolean send(byte[] frame, int offset, int length) {
        if (length > MAX_DATAGRAM || closed) {
            return false;
        }
        if (queued.incrementAndGet() > SEND_QUEUE) {
            queued.decrementAndGet();
            return false;
        }
        ByteBuffer buffer = spare.poll();
        if (buffer != null) {
            spareCount.decrementAndGet();
        }
        if (buffer == null || buffer.capacity() < length) {
            // none spare, or too small for this frame (the MTU grew): a new one, the old one freed
            buffer = ByteBuffer.allocateDirect((length + BUFFER_QUANTUM - 1) / BUFFER_QUANTUM * BUFFER_QUANTUM);
        }
        buffer.clear();
        buffer.put(frame, offset, length).flip();
        outbound.add(buffer);
        if (senderIdle) {
            LockSupport.unpark(sendThread);
        }
        return true;
    }

    /** The sender thread: one datagram per queued frame, each buffer given back once sent. */
    private void sendQueued() {
        while (!closed) {
            ByteBuffer out = outbound.poll();
            if (out == null) {
                senderIdle = true;
                // A frame queued after the poll sees senderIdle and unparks (the permit stays).
                if (outbound.isEmpty() && !closed) {
                    LockSupport.park(this);
                }
                senderIdle = false;
                continue;
            }
            queued.decrementAndGet();
            try {
                channel.send(out, remote);
                if (problem != null) {
                    problem = null;
                }
                recycle(out);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                recycle(out);
                countDropped();
                String p = "sending to " + remote + ": " + e.getMessage();
                if (!p.equals(problem)) {
                    log.warn("{}", p);
                }
                problem = p;
            }
        }
    }

    private void recycle(ByteBuffer buffer) {
        if (spareCount.incrementAndGet() <= SPARE_BUFFERS) {
            spare.add(buffer);
        } else {
            spareCount.decrementAndGet();
        }
    }

    private void receive() {
        ByteBuffer buf = ByteBuffer.allocate(65536);
        while (!closed) {
            SocketAddress from;
            buf.clear();
            try {
                from = channel.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    log.debug("receive: {}", e.toString());
                }
                continue;
            }
            if (!remote.equals(from)) {
                if (foreign.getAndIncrement() % 1000 == 0) {
                    log.warn("datagram from {} ignored: only {} is this link's peer", from, remote);
                }
                continue;
            }
            if (buf.position() < Frames.MIN_FRAME) {
                countDropped();
                continue;
            }
            deliver(buf.array(), 0, buf.position());
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing: {}", e.toString());
        }
        LockSupport.unpark(sendThread);
        try {
            receiveThread.join(2000);
            sendThread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "udp " + id;
    }
}
