package org.alosj.net.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.alosj.kernel.device.NetDevice;

/**
 * An Ethernet segment for tests: every station's frames reach every other station, delivered on
 * one thread of its own (as a NIC's interrupt thread would), through a seeded fault filter that
 * drops, duplicates and reorders.
 */
final class TestLink implements AutoCloseable {
    private final List<Station> stations = new ArrayList<>();
    private final ScheduledExecutorService wire = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-link");
        t.setDaemon(true);
        return t;
    });
    /** Batch mode (0: off): frames reach the receivers in groups, as a NIC's ring poll yields them. */
    private int batch;
    private final List<Station> batchFrom = new ArrayList<>();
    private final List<byte[]> batchFrames = new ArrayList<>();
    private boolean lingerScheduled;
    private final SplittableRandom random;
    private final double drop;
    private final double duplicate;
    private final double reorder;
    private byte[] held;
    private Station heldFrom;
    final AtomicLong frames = new AtomicLong();

    TestLink(long seed, double drop, double duplicate, double reorder) {
        this.random = new SplittableRandom(seed);
        this.drop = drop;
        this.duplicate = duplicate;
        this.reorder = reorder;
    }

    Station station(int lastMacByte) {
        Station s = new Station(new byte[] {0x52, 0x54, 0, 0, 0, (byte) lastMacByte});
        synchronized (stations) {
            stations.add(s);
        }
        return s;
    }

    /**
     * From now on frames are delivered in batches of {@code frames} (or what came within a
     * millisecond), every frame but a batch's last with {@code more}; no faults in this mode.
     */
    TestLink batched(int frames) {
        batch = frames;
        return this;
    }

    private void carry(Station from, byte[] frame) {
        if (batch > 0) {
            synchronized (this) {
                batchFrom.add(from);
                batchFrames.add(frame);
                if (batchFrames.size() >= batch) {
                    flushBatch();
                } else if (!lingerScheduled) {
                    lingerScheduled = true;
                    wire.schedule(() -> {
                        synchronized (this) {
                            lingerScheduled = false;
                            flushBatch();
                        }
                    }, 1, TimeUnit.MILLISECONDS);
                }
            }
            return;
        }
        wire.execute(() -> {
            frames.incrementAndGet();
            synchronized (this) {
                if (random.nextDouble() < drop) {
                    return;
                }
                if (held == null && random.nextDouble() < reorder) {
                    held = frame;
                    heldFrom = from;
                    return;
                }
            }
            deliver(from, frame);
            boolean dup;
            byte[] late;
            Station lateFrom;
            synchronized (this) {
                dup = random.nextDouble() < duplicate;
                late = held;
                lateFrom = heldFrom;
                held = null;
            }
            if (dup) {
                deliver(from, frame);
            }
            if (late != null) {
                deliver(lateFrom, late);
            }
        });
    }

    /** Hands the frames gathered so far to the wire thread as one batch; lock held. */
    private void flushBatch() {
        if (batchFrames.isEmpty()) {
            return;
        }
        List<Station> from = new ArrayList<>(batchFrom);
        List<byte[]> group = new ArrayList<>(batchFrames);
        batchFrom.clear();
        batchFrames.clear();
        wire.execute(() -> {
            for (int i = 0; i < group.size(); i++) {
                frames.incrementAndGet();
                deliver(from.get(i), group.get(i), i < group.size() - 1);
            }
        });
    }

    private void deliver(Station from, byte[] frame) {
        deliver(from, frame, false);
    }

    private void deliver(Station from, byte[] frame, boolean more) {
        List<Station> to;
        synchronized (stations) {
            to = new ArrayList<>(stations);
        }
        for (Station s : to) {
            if (s != from) {
                NetDevice.Receiver r = s.receiver;
                if (r != null) {
                    byte[] copy = frame.clone();
                    if (batch > 0) {
                        r.frameReceived(s, copy, 0, copy.length, more);
                    } else {
                        r.frameReceived(s, copy, 0, copy.length);
                    }
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        wire.shutdownNow();
        wire.awaitTermination(5, TimeUnit.SECONDS);
    }

    /** One NIC on the link. */
    final class Station implements NetDevice {
        private final byte[] mac;
        volatile Receiver receiver;
        volatile boolean unplugged;
        final AtomicLong sent = new AtomicLong();

        Station(byte[] mac) {
            this.mac = mac;
        }

        @Override
        public byte[] macAddress() {
            return mac.clone();
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public boolean linkUp() {
            return true;
        }

        @Override
        public boolean transmit(byte[] frame, int offset, int length) {
            if (length < 14 || length > 1514) {
                throw new IllegalArgumentException("frame of " + length + " bytes");
            }
            if (unplugged) {
                return true;
            }
            sent.incrementAndGet();
            byte[] copy = new byte[length];
            System.arraycopy(frame, offset, copy, 0, length);
            carry(this, copy);
            return true;
        }

        @Override
        public void setReceiver(Receiver receiver) {
            this.receiver = receiver;
        }

        @Override
        public Statistics statistics() {
            return new Statistics(0, 0, 0, 0, sent.get(), 0, 0, 0, 0);
        }
    }
}
