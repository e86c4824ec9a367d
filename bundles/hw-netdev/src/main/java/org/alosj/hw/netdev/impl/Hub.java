package org.alosj.hw.netdev.impl;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.alosj.hal.net.FrameReceiver;
import org.alosj.hal.net.NetBackend;
import org.alosj.hal.net.NetPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-JVM Ethernet hub (QEMU's {@code -netdev hub}): a frame one port transmits is repeated to
 * every other attached port, never back to its sender. Frames are copied on transmit and
 * delivered by the hub's own thread, one at a time, in the order they were sent; so a NIC that
 * transmits while holding its own lock never calls into another NIC (two NICs sending to each
 * other cannot deadlock). A listener (a test, a shell tool) is just another port.
 */
public final class Hub implements NetBackend, AutoCloseable, NetdevStatus {
    /** Frames in flight before the hub starts dropping (a slow receiver must not exhaust the heap). */
    static final int QUEUE_FRAMES = 4096;

    private record Delivery(HubPort from, byte[] frame) {
    }

    private final String id;
    private final Logger log;
    private final List<HubPort> ports = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Delivery> queue = new ArrayBlockingQueue<>(QUEUE_FRAMES);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final Thread thread;
    private volatile boolean closed;

    public Hub(String id) {
        this.id = Frames.checkId(id);
        this.log = LoggerFactory.getLogger("hw.netdev.hub." + id);
        this.thread = new Thread(this::run, "netdev-hub-" + id);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public NetPort attach(String nicName, FrameReceiver receiver) {
        if (receiver == null) {
            throw new IllegalArgumentException("hub " + id + ": " + nicName + " attached without a receiver");
        }
        if (closed) {
            throw new IllegalStateException("hub " + id + " is closed");
        }
        HubPort port = new HubPort(nicName, receiver);
        ports.add(port);
        log.debug("{} attached ({} port(s))", nicName, ports.size());
        return port;
    }

    /** Ports attached now. */
    public int portCount() {
        return ports.size();
    }

    /** Frames the hub's thread has handed to every other port (their receivers returned). */
    public long delivered() {
        return delivered.get();
    }

    /** Frames dropped because the hub's queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Transmits refused as malformed. */
    public long refused() {
        return refused.get();
    }

    @Override
    public String type() {
        return "hub";
    }

    @Override
    public String status() {
        return String.format("%s  %d port(s)%n    %d frames, %d dropped (queue full), %d refused", id, ports.size(),
                frames.get(), dropped.get(), refused.get());
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ports.clear();
        queue.clear();
    }

    private void run() {
        while (!closed) {
            Delivery d;
            try {
                d = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            for (HubPort p : ports) {
                if (p != d.from && !p.closed) {
                    p.deliver(d.frame);
                }
            }
            delivered.incrementAndGet();
        }
    }

    private final class HubPort implements NetPort {
        final String nic;
        final FrameReceiver receiver;
        volatile boolean closed;

        HubPort(String nic, FrameReceiver receiver) {
            this.nic = nic;
            this.receiver = receiver;
        }

        @Override
        public void transmit(byte[] frame, int offset, int length) {
            if (Frames.refused(frame, offset, length, nic, refused, log)) {
                return;
            }
            if (closed || Hub.this.closed) {
                return;
            }
            byte[] copy = new byte[length];
            System.arraycopy(frame, offset, copy, 0, length);
            frames.incrementAndGet();
            if (!queue.offer(new Delivery(this, copy)) && dropped.getAndIncrement() % 1000 == 0) {
                log.warn("{}: hub queue full ({} frames), frame dropped", nic, QUEUE_FRAMES);
            }
        }

        void deliver(byte[] frame) {
            try {
                receiver.receive(frame, 0, frame.length);
            } catch (RuntimeException e) {
                log.error("{}: receiver failed on a frame of {} bytes (frame dropped)", nic, frame.length, e);
            }
        }

        @Override
        public boolean linkUp() {
            return !closed && !Hub.this.closed;
        }

        @Override
        public void close() {
            closed = true;
            ports.remove(this);
            log.debug("{} detached", nic);
        }

        @Override
        public String toString() {
            return "hub " + id + " port of " + nic;
        }
    }

    @Override
    public String toString() {
        return "hub " + id;
    }
}
