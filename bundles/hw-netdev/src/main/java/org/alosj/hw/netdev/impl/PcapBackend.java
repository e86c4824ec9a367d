package org.alosj.hw.netdev.impl;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.alosj.hal.net.FrameReceiver;
import org.alosj.hal.net.NetBackend;
import org.alosj.hal.net.NetPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pcap capture point. Without an inner backend it is a sink: the NICs attached to it have
 * carrier, and what they send is recorded and goes nowhere else. With an inner backend it is a
 * tap (QEMU's {@code filter-dump}): each NIC gets a port on the inner backend, and frames in
 * both directions pass through unchanged and are recorded. A write error stops the capture
 * (logged once) but never the traffic.
 */
public final class PcapBackend implements NetBackend, AutoCloseable, NetdevStatus {
    private final String id;
    private final Path file;
    private final NetBackend inner;
    private final Logger log;
    private final PcapWriter writer;
    private final List<NetPort> ports = new CopyOnWriteArrayList<>();
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean writing = true;
    private volatile boolean closed;

    /**
     * @param inner the backend to tap, or null for a sink
     * @throws IOException if the capture file cannot be created
     */
    public PcapBackend(String id, Path file, NetBackend inner, Clock clock) throws IOException {
        this.id = Frames.checkId(id);
        this.file = file;
        this.inner = inner;
        this.log = LoggerFactory.getLogger("hw.netdev.pcap." + id);
        this.writer = new PcapWriter(file, clock);
        log.info("capturing to {} ({})", file, inner == null ? "sink" : "tap on " + inner.id());
    }

    public PcapBackend(String id, Path file, NetBackend inner) throws IOException {
        this(id, file, inner, Clock.systemUTC());
    }

    @Override
    public String id() {
        return id;
    }

    public Path file() {
        return file;
    }

    /** Packets written to the file so far. */
    public long packets() {
        return writer.packets();
    }

    @Override
    public String type() {
        return "pcap";
    }

    @Override
    public String status() {
        String p = problem();
        return String.format("%s  %s %s%s%n    %d packets captured%s", id, inner == null ? "sink" : "tap on",
                inner == null ? "" : inner.id(), p == null ? "" : "  no peer: " + p, packets(),
                writing ? "" : " (capture stopped: write error)");
    }

    @Override
    public String problem() {
        return inner == null ? null : inner.problem();
    }

    @Override
    public NetPort attach(String nicName, FrameReceiver receiver) {
        if (receiver == null) {
            throw new IllegalArgumentException("pcap " + id + ": " + nicName + " attached without a receiver");
        }
        if (closed) {
            throw new IllegalStateException("pcap " + id + " is closed");
        }
        NetPort port;
        if (inner == null) {
            port = new SinkPort(nicName);
        } else {
            TapPort tap = new TapPort(nicName, receiver);
            tap.innerPort = inner.attach(nicName, tap::fromWire);
            port = tap;
        }
        ports.add(port);
        return port;
    }

    private void record(String nic, byte[] frame, int offset, int length) {
        if (!writing || closed) {
            return;
        }
        try {
            writer.write(frame, offset, length);
        } catch (IOException e) {
            writing = false;
            log.error("{}: writing {} failed, capture stopped: {}", nic, file, e.toString());
        }
    }

    /** Checks a NIC's transmit; logs and refuses a malformed one. */
    private boolean accept(String nic, byte[] frame, int offset, int length) {
        String problem = Frames.problem(frame, offset, length);
        if (problem == null) {
            return true;
        }
        if (refused.getAndIncrement() % 1000 == 0) {
            log.warn("{}: transmit refused: {}", nic, problem);
        }
        return false;
    }

    @Override
    public void close() {
        closed = true;
        for (NetPort p : ports) {
            p.close();
        }
        try {
            writer.close();
        } catch (IOException e) {
            log.warn("closing {}: {}", file, e.toString());
        }
        log.info("capture {} closed after {} packets", file, writer.packets());
    }

    private final class SinkPort implements NetPort {
        final String nic;
        volatile boolean portClosed;

        SinkPort(String nic) {
            this.nic = nic;
        }

        @Override
        public void transmit(byte[] frame, int offset, int length) {
            if (!portClosed && accept(nic, frame, offset, length)) {
                record(nic, frame, offset, length);
            }
        }

        @Override
        public boolean linkUp() {
            return !portClosed && !closed;
        }

        @Override
        public void close() {
            portClosed = true;
            ports.remove(this);
        }
    }

    private final class TapPort implements NetPort {
        final String nic;
        final FrameReceiver receiver;
        volatile NetPort innerPort;
        volatile boolean portClosed;

        TapPort(String nic, FrameReceiver receiver) {
            this.nic = nic;
            this.receiver = receiver;
        }

        boolean fromWire(byte[] frame, int offset, int length) {
            if (portClosed) {
                return false;
            }
            record(nic, frame, offset, length);
            try {
                return receiver.receive(frame, offset, length);
            } catch (RuntimeException e) {
                log.error("{}: receiver failed on a frame of {} bytes (frame dropped)", nic, length, e);
                return false;
            }
        }

        @Override
        public void transmit(byte[] frame, int offset, int length) {
            if (portClosed || !accept(nic, frame, offset, length)) {
                return;
            }
            record(nic, frame, offset, length);
            innerPort.transmit(frame, offset, length);
        }

        @Override
        public boolean linkUp() {
            return !portClosed && innerPort.linkUp();
        }

        @Override
        public void close() {
            portClosed = true;
            ports.remove(this);
            innerPort.close();
        }
    }

    @Override
    public String toString() {
        return "pcap " + id + " -> " + file;
    }
}
