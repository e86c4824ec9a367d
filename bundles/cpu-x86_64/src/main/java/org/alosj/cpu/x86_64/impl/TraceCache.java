package org.alosj.cpu.x86_64.impl;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compiled traces shared by the CPUs one factory makes. A trace whose method would be the
 * same bytes, made from the same decoded instructions, as one compiled before reuses that
 * class, which the JVM may already run as machine code: every process running a program
 * another ran, each child after a fork, each CPU of an SMP machine running the same loop
 * starts warm instead of going through the JVM's interpreter and first tier again.
 *
 * <p>Sharing is safe because a compiled trace is a stateless class: everything it does is in
 * its bytecode, except the instructions its handlers are given, read from the running
 * {@link Trace}; the key holds every field of those too, so a hit behaves as a fresh compile.
 * Bounded: the least recently used entry goes first (its class is unloaded once no trace uses
 * it). Thread-safe: CPUs on several host threads compile at once.
 */
final class TraceCache {
    /** A compiled trace and its exits' causes. */
    record Entry(Trace.Code code, int[] exitCauses) {
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

    /** The trace compiled before from {@code bytecode} and {@code code}, or null. */
    synchronized Entry find(byte[] bytecode, Insn[] code) {
        Entry e = entries.get(new Key(bytecode, describe(code)));
        if (e == null) {
            misses++;
        } else {
            hits++;
        }
        return e;
    }

    synchronized void add(byte[] bytecode, Insn[] code, Entry e) {
        entries.put(new Key(bytecode, describe(code)), e);
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
        private final byte[] bytecode;
        private final long[] insns;
        private final int hash;

        Key(byte[] bytecode, long[] insns) {
            this.bytecode = bytecode;
            this.insns = insns;
            this.hash = 31 * Arrays.hashCode(bytecode) + Arrays.hashCode(insns);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytecode, bytecode)
                    && Arrays.equals(k.insns, insns);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
