package org.alosj.hw.netdev.impl;

import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.alosj.hal.net.FrameReceiver;
import org.alosj.hal.net.NetBackend;
import org.alosj.hal.net.NetPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hostile cable for tests (smoltcp's fault injector, netem's loss/duplicate/reorder/delay):
 * wraps another backend and, in each direction, delays every frame by a fixed time, then drops,
 * duplicates or reorders frames at the configured rates. Decisions come from a seeded
 * {@link Random} per direction, taken in the order frames arrive, so a run is repeatable.
 *
 * <p>Reordering: a frame chosen for it is held back until the next frame in its direction has
 * passed, then follows it; with no successor within {@value #HOLD_MS} ms it goes out alone. The
 * rate is the share of frames so held, so a frame is only chosen while none is held (at
 * probability {@code reorder / (1 - reorder)}, which makes the share {@code reorder}): at most
 * 0.5.
 */
public final class FaultFilter implements NetBackend, AutoCloseable, NetdevStatus {
    /** Longest a reordered frame waits for a successor. */
    static final long HOLD_MS = 10;

    /** Rates are fractions of frames (0 to 1); {@code delayNanos} applies to every frame. */
    public record Spec(double drop, double duplicate, double reorder, long delayNanos, long seed) {
        public Spec {
            check("drop", drop, 1);
            check("dup", duplicate, 1);
            check("reorder", reorder, 0.5);
            if (delayNanos < 0 || delayNanos > TimeUnit.SECONDS.toNanos(10)) {
                throw new IllegalArgumentException("delay must be 0 to 10s, got " + delayNanos + " ns");
            }
        }

        private static void check(String name, double rate, double max) {
            if (!(rate >= 0 && rate <= max)) {
                throw new IllegalArgumentException(name + " must be a rate from 0 to " + (max == 1 ? "1" : Double.toString(max)) + ", got " + rate);
            }
        }

        /** {@code 2ms}, {@code 500us}, {@code 1s}, {@code 100ns}, or a bare number of milliseconds. */
        public static long parseDelay(String text) {
            String t = text.trim().toLowerCase();
            long unit = 1_000_000;
            String digits = t;
            for (String[] u : new String[][] {{"ns", "1"}, {"us", "1000"}, {"ms", "1000000"}, {"s", "1000000000"}}) {
                if (t.endsWith(u[0])) {
                    unit = Long.parseLong(u[1]);
                    digits = t.substring(0, t.length() - u[0].length());
                    break;
                }
            }
            try {
                double v = Double.parseDouble(digits);
                if (v >= 0 && v * unit <= Long.MAX_VALUE) {
                    return Math.round(v * unit);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("bad delay '" + text + "': expected a time like 2ms, 500us or 1s");
        }
    }

    private final String id;
    private final NetBackend inner;
    private final Spec spec;
    private final double reorderChance;
    private final Logger log;
    private final ScheduledThreadPoolExecutor timer;
    private final List<FaultPort> ports = new CopyOnWriteArrayList<>();
    private final AtomicInteger portsMade = new AtomicInteger();
    private final AtomicLong in = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong droppedIpv4 = new AtomicLong();
    private final AtomicLong droppedArp = new AtomicLong();
    private final AtomicLong duplicated = new AtomicLong();
    private final AtomicLong reordered = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong heldAlone = new AtomicLong();
    private volatile boolean closed;

    public FaultFilter(String id, NetBackend inner, Spec spec) {
        this.id = Frames.checkId(id);
        if (inner == null) {
            throw new IllegalArgumentException("fault " + id + ": no netdev to wrap");
        }
        this.inner = inner;
        this.spec = spec;
        this.reorderChance = spec.reorder() >= 0.5 ? 1 : spec.reorder() / (1 - spec.reorder());
        this.log = LoggerFactory.getLogger("hw.netdev.fault." + id);
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "netdev-fault-" + id);
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        log.info("fault {} on {}: drop {} dup {} reorder {} delay {} us seed {}", id, inner.id(), spec.drop(),
                spec.duplicate(), spec.reorder(), spec.delayNanos() / 1000, spec.seed());
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String type() {
        return "fault";
    }

    public Spec spec() {
        return spec;
    }

    @Override
    public String problem() {
        return inner.problem();
    }

    @Override
    public NetPort attach(String nicName, FrameReceiver receiver) {
        if (receiver == null) {
            throw new IllegalArgumentException("fault " + id + ": " + nicName + " attached without a receiver");
        }
        if (closed) {
            throw new IllegalStateException("fault " + id + " is closed");
        }
        int n = portsMade.getAndIncrement();
        FaultPort port = new FaultPort(nicName, receiver, spec.seed() + 2L * n);
        port.inner = inner.attach(nicName, port::fromWire);
        ports.add(port);
        return port;
    }

    /** Counters over both directions of every port: [frames in, dropped, duplicated, reordered, frames out]. */
    public long[] counters() {
        return new long[] {in.get(), dropped.get(), duplicated.get(), reordered.get(), sent.get()};
    }

    /**
     * Dropped frames by EtherType: [IPv4, ARP, other]. With only ICMP echo on the wire, the IPv4
     * drops are exactly the pings lost on the way (a dropped request has no reply to drop).
     */
    public long[] droppedByType() {
        long ipv4 = droppedIpv4.get();
        long arp = droppedArp.get();
        return new long[] {ipv4, arp, dropped.get() - ipv4 - arp};
    }

    /** Reordered frames that no successor overtook within {@value #HOLD_MS} ms (they went out alone). */
    public long heldAlone() {
        return heldAlone.get();
    }

    @Override
    public String status() {
        long[] c = counters();
        long[] t = droppedByType();
        return String.format("%s  on %s%s%n    %d frames in, %d dropped, %d duplicated, %d reordered, %d out"
                        + " (drop %s dup %s reorder %s delay %d us seed %d)%n    dropped by type: IPv4 %d, ARP %d, other %d",
                id, inner.id(), problem() == null ? "" : "  no peer: " + problem(), c[0], c[1], c[2], c[3], c[4],
                spec.drop(), spec.duplicate(), spec.reorder(), spec.delayNanos() / 1000, spec.seed(), t[0], t[1], t[2]);
    }

    /**
     * One direction of one port. Frames are processed one at a time under the lane's lock, so
     * the random decisions follow arrival order.
     */
    private final class Lane {
        final String name;
        final Random random;
        final Consumer<byte[]> out;
        byte[] held;
        boolean heldTwice;
        ScheduledFuture<?> holdTimer;

        Lane(String name, long seed, Consumer<byte[]> out) {
            this.name = name;
            this.random = new Random(seed);
            this.out = out;
        }

        void accept(byte[] frame) {
            if (spec.delayNanos() == 0) {
                process(frame);
            } else if (!closed) {
                timer.schedule(() -> process(frame), spec.delayNanos(), TimeUnit.NANOSECONDS);
            }
        }

        synchronized void process(byte[] frame) {
            in.incrementAndGet();
            // Always draw all three, so one decision never shifts the others' sequence.
            boolean drop = random.nextDouble() < spec.drop();
            boolean twice = random.nextDouble() < spec.duplicate();
            boolean hold = random.nextDouble() < reorderChance;
            if (drop) {
                int type = frame.length >= 14 ? (frame[12] & 0xff) << 8 | frame[13] & 0xff : -1;
                if (type == 0x0800) {
                    droppedIpv4.incrementAndGet();
                } else if (type == 0x0806) {
                    droppedArp.incrementAndGet();
                }
                dropped.incrementAndGet();
                return;
            }
            if (twice) {
                duplicated.incrementAndGet();
            }
            if (held != null) {
                emit(frame, twice);
                releaseHeld();
            } else if (hold && !closed) {
                reordered.incrementAndGet();
                held = frame;
                heldTwice = twice;
                holdTimer = timer.schedule(this::flush, HOLD_MS, TimeUnit.MILLISECONDS);
            } else {
                emit(frame, twice);
            }
        }

        private synchronized void flush() {
            if (held != null) {
                heldAlone.incrementAndGet();
                releaseHeld();
            }
        }

        private void releaseHeld() {
            byte[] f = held;
            held = null;
            if (holdTimer != null) {
                holdTimer.cancel(false);
                holdTimer = null;
            }
            emit(f, heldTwice);
        }

        private void emit(byte[] frame, boolean twice) {
            for (int i = twice ? 2 : 1; i > 0; i--) {
                try {
                    out.accept(frame);
                    sent.incrementAndGet();
                } catch (RuntimeException e) {
                    log.error("{}: passing a frame of {} bytes on failed (frame dropped)", name, frame.length, e);
                }
            }
        }

    }

    private final class FaultPort implements NetPort {
        final String nic;
        final FrameReceiver receiver;
        final Lane tx;
        final Lane rx;
        volatile NetPort inner;
        volatile boolean portClosed;

        FaultPort(String nic, FrameReceiver receiver, long seed) {
            this.nic = nic;
            this.receiver = receiver;
            this.tx = new Lane(nic + " tx", seed, f -> {
                if (!portClosed) {
                    inner.transmit(f, 0, f.length);
                }
            });
            this.rx = new Lane(nic + " rx", seed + 1, f -> {
                if (!portClosed) {
                    receiver.receive(f, 0, f.length);
                }
            });
        }

        boolean fromWire(byte[] frame, int offset, int length) {
            if (portClosed || closed) {
                return false;
            }
            byte[] copy = new byte[length];
            System.arraycopy(frame, offset, copy, 0, length);
            rx.accept(copy);
            return true;
        }

        @Override
        public void transmit(byte[] frame, int offset, int length) {
            if (portClosed || closed || Frames.problem(frame, offset, length) != null) {
                if (!portClosed && !closed) {
                    inner.transmit(frame, offset, length);   // the inner backend refuses and counts it
                }
                return;
            }
            byte[] copy = new byte[length];
            System.arraycopy(frame, offset, copy, 0, length);
            tx.accept(copy);
        }

        @Override
        public boolean linkUp() {
            return !portClosed && !closed && inner.linkUp();
        }

        @Override
        public void close() {
            portClosed = true;
            ports.remove(this);
            inner.close();
        }

        @Override
        public String toString() {
            return "fault " + id + " port of " + nic;
        }
    }

    @Override
    public void close() {
        closed = true;
        for (FaultPort p : ports) {
            p.close();
        }
        timer.shutdownNow();
    }

    @Override
    public String toString() {
        return "fault " + id + " on " + inner.id();
    }
}
