package org.alosj.cpu.x86_64.impl;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compiled traces shared by the CPUs one factory makes. A trace made of the same decoded
 * instructions in the same shape (blocks, segments, where they are entered) as one compiled
 * before reuses that class, which the JVM may already run as machine code: every process
 * running a program another ran, each child after a fork, each CPU of an SMP machine running
 * the same loop starts warm instead of going through the JVM's interpreter and first tier
 * again; and the method is not even built again (that was 12-35 ms of each later run of
 * bench/cpu.sh).
 *
 * <p>Sharing is safe because a compiled trace is a stateless class: everything it does is in
 * its bytecode, except the instructions its handlers are given, read from the running
 * {@link Trace}; the key ({@link #key}) holds every field of those and everything else the
 * compiler reads, so a hit behaves as a fresh compile (with assertions on, each hit is built
 * again and compared). Bounded: the least recently used entry goes first (its class is
 * unloaded once no trace uses it). Thread-safe: CPUs on several host threads compile at once.
 */
final class TraceCache {
    /** A compiled trace, its exits (cause, position, target) and its bytecode. */
    record Entry(Trace.Code code, int[] exitCauses, int[] exitPositions, long[] exitTargets, byte[] bytecode) {
    }

    private static final int INSN_FIELDS = 20;

    private final int capacity;
    private final Map<Key, Entry> entries;
    private long hits;
    private long misses;

    TraceCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("trace cache capacity " + capacity + ", expected at least 1");
        }
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
                return size() > TraceCache.this.capacity;
            }
        };
    }

    /** The trace compiled before under {@code key} ({@link #key}), or null. */
    synchronized Entry find(long[] key) {
        Entry e = entries.get(new Key(key));
        if (e == null) {
            misses++;
        } else {
            hits++;
        }
        return e;
    }

    synchronized void add(long[] key, Entry e) {
        entries.put(new Key(key), e);
    }

    synchronized long hits() {
        return hits;
    }

    synchronized long misses() {
        return misses;
    }

    synchronized int size() {
        return entries.size();
    }

    /**
     * What the trace compiler reads of {@code t} compiling it with a bytecode limit of
     * {@code limit}: its instructions ({@link #describe}), its blocks' addresses, lengths and
     * fall-through addresses, its segments and where they are entered, and the limit.
     */
    static long[] key(Trace t, int limit) {
        long[] insns = describe(t.code);
        int segs = t.segmentStart.length;
        long[] k = Arrays.copyOf(insns, insns.length + 3 * t.blocks.length + 3 * segs + 3);
        int at = insns.length;
        for (Block b : t.blocks) {
            k[at++] = b.vaddr;
            k[at++] = b.code.length;
            k[at++] = b.endRip;
        }
        for (int s = 0; s < segs; s++) {
            k[at++] = t.segmentStart[s];
            k[at++] = t.segmentLoops[s] ? 1 : 0;
            k[at++] = t.segmentEntry[s];
        }
        k[at++] = t.selfEntry;
        k[at++] = t.loops ? 1 : 0;
        k[at] = limit;
        return k;
    }

    /** Every field of every instruction, in order. */
    static long[] describe(Insn[] code) {
        long[] d = new long[code.length * INSN_FIELDS];
        int at = 0;
        for (Insn in : code) {
            d[at++] = in.op;
            d[at++] = in.size;
            d[at++] = in.shift;
            d[at++] = in.reg;
            d[at++] = in.rm;
            d[at++] = in.base;
            d[at++] = in.index;
            d[at++] = in.scale;
            d[at++] = in.disp;
            d[at++] = in.seg;
            d[at++] = (in.addr32 ? 1 : 0) | (in.lock ? 2 : 0) | (in.writesMem ? 4 : 0) | (in.aligned ? 8 : 0);
            d[at++] = in.aux;
            d[at++] = in.cond;
            d[at++] = in.rep;
            d[at++] = in.memWidth;
            d[at++] = in.imm;
            d[at++] = in.imm2;
            d[at++] = in.rip;
            d[at++] = in.next;
            d[at++] = code.length;
        }
        return d;
    }

    private static final class Key {
        private final long[] key;
        private final int hash;

        Key(long[] key) {
            this.key = key;
            this.hash = Arrays.hashCode(key);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.key, key);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
