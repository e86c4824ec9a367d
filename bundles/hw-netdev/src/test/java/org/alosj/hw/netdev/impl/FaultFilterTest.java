package org.alosj.hw.netdev.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.alosj.hal.net.NetPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fault filter between a NIC and a real hub: its drop, duplicate and reorder rates match
 * the configuration within five standard deviations of the binomial, what it does is exactly
 * what its counters say, and a seed replays the same decisions.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FaultFilterTest {
    static final int FRAMES = 50_000;

    /** A frame carrying its sequence number after the Ethernet header. */
    static byte[] frame(int seq) {
        ByteBuffer b = ByteBuffer.allocate(60);
        b.put(TestFrames.BROADCAST).put(TestFrames.mac("52:54:00:12:34:56")).putShort((short) 0x88b5).putInt(seq);
        return b.array();
    }

    static int seq(byte[] f, int offset) {
        return ByteBuffer.wrap(f, offset + 14, 4).getInt();
    }

    record Run(FaultFilter filter, List<Integer> received) {
    }

    /** Sends {@code FRAMES} frames from a NIC through the filter to a listener on the hub. */
    static Run run(FaultFilter.Spec spec, Hub hub) throws InterruptedException {
        ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
        hub.attach("listener", (f, o, l) -> got.add(seq(f, o)));
        FaultFilter filter = new FaultFilter("f0", hub, spec);
        try {
            NetPort nic = filter.attach("pcnet0", (f, o, l) -> true);
            for (int i = 0; i < FRAMES; i++) {
                byte[] f = frame(i);
                nic.transmit(f, 0, f.length);
                while (filter.counters()[4] - got.size() > Hub.QUEUE_FRAMES / 2) {
                    Thread.sleep(1);   // let the hub's queue drain: it drops when full
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (got.size() < filter.counters()[4] || filter.counters()[0] < FRAMES
                    || filter.counters()[4] != FRAMES - filter.counters()[1] + filter.counters()[2]) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("frames still missing: " + got.size() + " of "
                            + java.util.Arrays.toString(filter.counters()));
                }
                Thread.sleep(5);
            }
            assertEquals(0, hub.dropped(), "the hub dropped nothing");
            return new Run(filter, new ArrayList<>(got));
        } finally {
            filter.close();
        }
    }

    static void assertRate(String what, long observed, long trials, double p) {
        double mean = trials * p;
        double sd = Math.sqrt(trials * p * (1 - p));
        assertTrue(Math.abs(observed - mean) <= 5 * sd, what + ": " + observed + " of " + trials
                + ", expected " + mean + " ± " + 5 * sd);
    }

    @Test
    void droppedFramesAreCountedByEtherTypeExactly() throws Exception {
        Hub hub = new Hub("lan0");
        int[] types = {0x0800, 0x0806, 0x88b5};
        int[] got = new int[3];
        hub.attach("listener", (f, o, l) -> {
            int type = (f[o + 12] & 0xff) << 8 | f[o + 13] & 0xff;
            synchronized (got) {
                got[type == 0x0800 ? 0 : type == 0x0806 ? 1 : 2]++;
            }
            return true;
        });
        FaultFilter filter = new FaultFilter("f0", hub, new FaultFilter.Spec(0.3, 0, 0, 0, 7));
        try {
            NetPort nic = filter.attach("pcnet0", (f, o, l) -> true);
            int n = 3000;
            for (int i = 0; i < n; i++) {
                ByteBuffer b = ByteBuffer.allocate(60);
                b.put(TestFrames.BROADCAST).put(TestFrames.mac("52:54:00:12:34:56")).putShort((short) types[i % 3])
                        .putInt(i);
                nic.transmit(b.array(), 0, 60);
                while (filter.counters()[4] - sum(got) > Hub.QUEUE_FRAMES / 2) {
                    Thread.sleep(1);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (sum(got) < filter.counters()[4] && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            long[] dropped = filter.droppedByType();
            for (int t = 0; t < 3; t++) {
                assertEquals(n / 3 - got[t], dropped[t], "dropped frames of type " + Integer.toHexString(types[t]));
            }
            assertEquals(filter.counters()[1], dropped[0] + dropped[1] + dropped[2]);
            assertTrue(filter.status().contains("dropped by type: IPv4 " + dropped[0] + ", ARP " + dropped[1]
                    + ", other " + dropped[2]), filter.status());
        } finally {
            filter.close();
            hub.close();
        }
    }

    static int sum(int[] counts) {
        synchronized (counts) {
            return counts[0] + counts[1] + counts[2];
        }
    }

    @Test
    void dropDuplicateAndReorderHappenAtTheirRatesAndAsTheCountersSay() throws Exception {
        Hub hub = new Hub("lan0");
        try {
            Run r = run(new FaultFilter.Spec(0.05, 0.01, 0.02, 0, 42), hub);
            long[] c = r.filter().counters();
            assertEquals(FRAMES, c[0], "frames in");
            long survivors = FRAMES - c[1];
            assertRate("dropped", c[1], FRAMES, 0.05);
            assertRate("duplicated", c[2], survivors, 0.01);
            assertRate("reordered", c[3], survivors, 0.02);
            assertEquals(survivors + c[2], c[4], "out = in - dropped + duplicated");
            assertEquals(c[4], r.received().size(), "the listener got what the filter sent");

            // Every frame that was not dropped arrived, as many times as it was duplicated.
            int[] copies = new int[FRAMES];
            r.received().forEach(s -> copies[s]++);
            long missing = 0;
            long twice = 0;
            for (int n : copies) {
                missing += n == 0 ? 1 : 0;
                twice += n == 2 ? 1 : 0;
                assertTrue(n <= 2);
            }
            assertEquals(c[1], missing);
            assertEquals(c[2], twice);
            // A reordered frame arrives right after the frame that overtook it.
            long overtaken = 0;
            for (int i = 1; i < r.received().size(); i++) {
                if (r.received().get(i) < r.received().get(i - 1)) {
                    overtaken++;
                }
            }
            assertEquals(c[3] - r.filter().heldAlone(), overtaken);
        } finally {
            hub.close();
        }
    }

    @Test
    void theSameSeedDropsTheSameFramesAndAnotherSeedOthers() throws Exception {
        List<Set<Integer>> dropped = new ArrayList<>();
        for (long seed : new long[] {7, 7, 8}) {
            Hub hub = new Hub("lan0");
            try {
                Run r = run(new FaultFilter.Spec(0.1, 0, 0, 0, seed), hub);
                Set<Integer> missing = new HashSet<>();
                Set<Integer> got = new HashSet<>(r.received());
                for (int i = 0; i < FRAMES; i++) {
                    if (!got.contains(i)) {
                        missing.add(i);
                    }
                }
                dropped.add(missing);
            } finally {
                hub.close();
            }
        }
        assertEquals(dropped.get(0), dropped.get(1), "seed 7 twice");
        assertNotEquals(dropped.get(0), dropped.get(2), "seed 8");
    }

    @Test
    void aDelayHoldsEveryFrameAtLeastThatLongAndKeepsTheirOrder() throws Exception {
        Hub hub = new Hub("lan0");
        FaultFilter filter = new FaultFilter("f0", hub, new FaultFilter.Spec(0, 0, 0,
                FaultFilter.Spec.parseDelay("2ms"), 1));
        try {
            ConcurrentLinkedQueue<long[]> got = new ConcurrentLinkedQueue<>();
            hub.attach("listener", (f, o, l) -> got.add(new long[] {seq(f, o), System.nanoTime()}));
            NetPort nic = filter.attach("pcnet0", (f, o, l) -> true);
            long[] sentAt = new long[200];
            for (int i = 0; i < sentAt.length; i++) {
                byte[] f = frame(i);
                sentAt[i] = System.nanoTime();
                nic.transmit(f, 0, f.length);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (got.size() < sentAt.length && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            List<long[]> list = new ArrayList<>(got);
            assertEquals(sentAt.length, list.size());
            for (int i = 0; i < list.size(); i++) {
                assertEquals(i, list.get(i)[0], "order kept");
                assertTrue(list.get(i)[1] - sentAt[i] >= TimeUnit.MILLISECONDS.toNanos(2), "held 2 ms at least");
            }
        } finally {
            filter.close();
            hub.close();
        }
    }

    @Test
    void framesFromTheWireAreFilteredToo() throws Exception {
        Hub hub = new Hub("lan0");
        FaultFilter filter = new FaultFilter("f0", hub, new FaultFilter.Spec(0.5, 0, 0, 0, 3));
        try {
            ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
            filter.attach("pcnet0", (f, o, l) -> got.add(seq(f, o)));
            NetPort other = hub.attach("other", (f, o, l) -> true);
            for (int i = 0; i < 2000; i++) {
                byte[] f = frame(i);
                other.transmit(f, 0, f.length);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (filter.counters()[0] < 2000 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            long[] c = filter.counters();
            assertEquals(2000, c[0]);
            assertRate("dropped from the wire", c[1], 2000, 0.5);
            assertEquals(2000 - c[1], got.size());
        } finally {
            filter.close();
            hub.close();
        }
    }

    @Test
    void ratesAndDelaysOutOfRangeAreRefusedWithTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FaultFilter.Spec(1.5, 0, 0, 0, 1));
        assertTrue(e.getMessage().contains("1.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FaultFilter.Spec(0, 0, 0.6, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new FaultFilter.Spec(0, -0.1, 0, 0, 1));
        assertEquals(2_000_000, FaultFilter.Spec.parseDelay("2ms"));
        assertEquals(500_000, FaultFilter.Spec.parseDelay("500us"));
        assertEquals(1_000_000_000, FaultFilter.Spec.parseDelay("1s"));
        assertEquals(3_000_000, FaultFilter.Spec.parseDelay("3"));
        e = assertThrows(IllegalArgumentException.class, () -> FaultFilter.Spec.parseDelay("soon"));
        assertTrue(e.getMessage().contains("soon"), e.getMessage());
    }
}
