package org.alosj.hw.netdev.impl;

import java.util.concurrent.atomic.AtomicLong;
import org.alosj.hal.net.FrameReceiver;
import org.alosj.hal.net.NetBackend;
import org.alosj.hal.net.NetPort;
import org.slf4j.Logger;

/**
 * A backend that is one end of a cable to something outside the JVM (passt, a UDP peer): one
 * NIC at a time plugs into it, as with QEMU's {@code -netdev stream} and {@code dgram}. The
 * subclass moves frames over its transport; this class keeps the NIC's port, the checks on what
 * the NIC sends and the counters.
 */
abstract class WireBackend implements NetBackend, AutoCloseable, NetdevStatus {
    protected final String id;
    protected final Logger log;
    private final AtomicLong framesIn = new AtomicLong();
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong framesOut = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile WirePort port;
    protected volatile boolean closed;

    WireBackend(String id, Logger log) {
        this.id = Frames.checkId(id);
        this.log = log;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final synchronized NetPort attach(String nicName, FrameReceiver receiver) {
        if (receiver == null) {
            throw new IllegalArgumentException(this + ": " + nicName + " attached without a receiver");
        }
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
        if (port != null) {
            throw new IllegalStateException(this + " already has " + port.nic
                    + " plugged in; one NIC per netdev (put a hub between them)");
        }
        port = new WirePort(nicName, receiver);
        log.debug("{} attached", nicName);
        return port;
    }

    /** Whether frames can go out now (the transport is connected). */
    abstract boolean connected();

    /** Sends a checked frame; counts and returns false when it could not go out. */
    abstract boolean send(byte[] frame, int offset, int length);

    /** Hands a frame from the wire to the NIC (called on the backend's receive thread). */
    final void deliver(byte[] frame, int offset, int length) {
        framesIn.incrementAndGet();
        bytesIn.addAndGet(length);
        WirePort p = port;
        if (p == null) {
            dropped.incrementAndGet();
            return;
        }
        try {
            if (!p.receiver.receive(frame, offset, length)) {
                dropped.incrementAndGet();
            }
        } catch (RuntimeException e) {
            dropped.incrementAndGet();
            log.error("{}: receiver failed on a frame of {} bytes (frame dropped)", p.nic, length, e);
        }
    }

    /** Counts a frame the transport could not send. */
    final void countDropped() {
        dropped.incrementAndGet();
    }

    @Override
    public String status() {
        String problem = problem();
        WirePort p = port;
        return String.format("%s  nic %s  %s%n    from wire %d frames %d bytes; to wire %d frames %d bytes; "
                        + "%d dropped, %d refused",
                id, p == null ? "-" : p.nic, problem == null ? "peer connected" : "no peer: " + problem,
                framesIn.get(), bytesIn.get(), framesOut.get(), bytesOut.get(), dropped.get(), refused.get());
    }

    long framesIn() {
        return framesIn.get();
    }

    long framesOut() {
        return framesOut.get();
    }

    long dropped() {
        return dropped.get();
    }

    private final class WirePort implements NetPort {
        final String nic;
        final FrameReceiver receiver;
        volatile boolean portClosed;

        WirePort(String nic, FrameReceiver receiver) {
            this.nic = nic;
            this.receiver = receiver;
        }

        @Override
        public void transmit(byte[] frame, int offset, int length) {
            if (Frames.refused(frame, offset, length, nic, refused, log)) {
                return;
            }
            if (portClosed || closed) {
                return;
            }
            if (send(frame, offset, length)) {
                framesOut.incrementAndGet();
                bytesOut.addAndGet(length);
            } else {
                dropped.incrementAndGet();
            }
        }

        @Override
        public boolean linkUp() {
            return !portClosed && !closed && connected();
        }

        @Override
        public void close() {
            synchronized (WireBackend.this) {
                portClosed = true;
                if (port == this) {
                    port = null;
                }
            }
            log.debug("{} detached", nic);
        }

        @Override
        public String toString() {
            return WireBackend.this + " port of " + nic;
        }
    }
}
