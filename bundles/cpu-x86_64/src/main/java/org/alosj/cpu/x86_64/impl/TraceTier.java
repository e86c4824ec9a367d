package org.alosj.cpu.x86_64.impl;

import java.util.ArrayList;
import java.util.List;

/**
 * One CPU's trace tier: the recorder, turning recorded paths into installed traces, deciding
 * whether a trace may still run, dropping traces with their blocks, and the tier's counters
 * (plain fields written only by the CPU's thread, read racily by its statistics).
 */
final class TraceTier {
    final TraceRecorder recorder = new TraceRecorder();
    private final Mmu mem;
    private final BlockCompiler handlers;
    final TraceCache cache;

    long compiled;
    long instructionsCompiled;
    long compileNanos;
    long invalidated;
    /** Traces made by joining one to an exit of another ({@link #extend}). */
    long extended;
    /** Of those, the ones joined at a return ({@link #extend}). */
    long returnsJoined;
    /** Instructions retired by traces. */
    long retired;
    /** Exits that went straight into the next trace, without the run loop. */
    long linked;
    /** Exits by cause ({@link Trace#EXIT_BRANCH} ...). */
    final long[] exits = new long[Trace.EXIT_CAUSES];

    TraceTier(Mmu mem, BlockCompiler handlers, TraceCache cache) {
        this.mem = mem;
        this.handlers = handlers;
        this.cache = cache;
    }

    /** Whether {@code t} may run: its blocks still decoded, and still where the TLB says they are. */
    boolean usable(Trace t) {
        if (!t.valid) {
            return false;
        }
        if (t.generation == mem.generation) {
            return true;
        }
        try {
            for (Block blk : t.blocks) {
                if (!blk.valid || mem.fetchPhys(blk.vaddr) != blk.paddr) {
                    return false;
                }
                long lastByte = blk.endRip - 1;
                if (((lastByte ^ blk.vaddr) & ~0xFFFL) != 0) {
                    mem.fetchPhys(lastByte);
                }
            }
        } catch (GuestFault f) {
            return false;
        }
        t.generation = mem.generation;
        return true;
    }

    /** Compiles a recorded path (shortened until it fits a method) and makes its first block its head. */
    void install(TraceRecorder.Path p) {
        List<Block> blocks = p.blocks();
        Block head = blocks.get(0);
        for (Block blk : blocks) {
            if (!blk.valid || blk.paddr < 0) {
                return;
            }
        }
        long start = System.nanoTime();
        for (int n = blocks.size(); n >= 1; n /= 2) {
            Trace t = new Trace(blocks.subList(0, n).toArray(new Block[0]), p.loops() && n == blocks.size());
            try {
                t.compiled = TraceCompiler.compile(t, handlers, cache);
            } catch (TraceCompiler.TooLarge e) {
                continue;
            }
            t.generation = mem.generation;
            for (Block blk : t.blocks) {
                if (blk.inTraces == null) {
                    blk.inTraces = new ArrayList<>(2);
                }
                dropInvalid(blk.inTraces); // a block outlives traces dropped for other blocks
                blk.inTraces.add(t);
            }
            head.trace = t;
            compiled++;
            instructionsCompiled += t.code.length;
            break;
        }
        compileNanos += System.nanoTime() - start;
    }

    /**
     * Times an exit leads straight into the same other trace before that trace is joined to it
     * ({@link #extend}). Each join is a new method the JVM compiles from its interpreter up, and
     * a loop joined in several steps wasted C2's time on the steps between: strcspn's token loop,
     * joined in five steps to one 5,900-byte method, had a first run of bench/cpu.sh's strings
     * workload of 1.65-2.29 s after 32,768, 1.20-1.45 s (once 2.29) after 4,096 (load 6).
     */
    static final int EXTEND_AFTER = 4_096;
    /** At most this many instructions retired on average between those exits for a join (an exit costs ~30). */
    static final int EXTEND_SPACING = 256;
    static final int MAX_SEGMENTS = 6;
    /**
     * A joined trace's method and what C2 inlines into it at most this many bytes of bytecode
     * ({@link TraceCompiler#compileJoined}), under C2's 8,000.
     */
    static final int EXTENDED_MAX_BYTECODE = 7_700;
    static final int MAX_EXTENDED_BLOCKS = 48;

    /**
     * Joins trace {@code next} to exit {@code exitId} of {@code t}, which led straight into it
     * often: a trace of both, {@code next}'s segments entered from that exit inside the same
     * method, so the registers stay in locals there instead of being written back, returned,
     * and read again (musl's strcspn: its byte-set loop, the code between, its scan loop, the
     * return to the caller's loop and the next call, five traces a token, become one). Installed
     * at {@code t}'s head when it compiles; else nothing changes.
     */
    void extend(Trace t, int exitId, Trace next) {
        int cause = t.exitCause[exitId];
        Block head = t.head();
        // A return (its target not known until it runs) joins the trace it went to behind a
        // compare of the target with that trace's head: an inline cache for the return.
        boolean ret = cause == Trace.EXIT_INDIRECT && t.exitTarget[exitId] == -1;
        if (cause != Trace.EXIT_BRANCH && cause != Trace.EXIT_END && !ret
                || !ret && t.exitTarget[exitId] != next.head().vaddr || head.trace != t || !t.valid) {
            return;
        }
        if (next == t) {
            if (ret) {
                return;
            }
            // Back to its own head: round again inside the method.
            if (t.selfEntry < 0) {
                install(t, new Trace(t.blocks, t.segmentStart, t.segmentLoops, t.segmentEntry, t.exitPos[exitId]));
            }
            return;
        }
        if (t.selfEntry >= 0 || t.segmentStart.length + next.segmentStart.length > MAX_SEGMENTS
                || t.blocks.length + next.blocks.length > MAX_EXTENDED_BLOCKS) {
            return;
        }
        int segs = t.segmentStart.length;
        int n = next.segmentStart.length;
        Block[] blocks = new Block[t.blocks.length + next.blocks.length];
        System.arraycopy(t.blocks, 0, blocks, 0, t.blocks.length);
        System.arraycopy(next.blocks, 0, blocks, t.blocks.length, next.blocks.length);
        int[] start = java.util.Arrays.copyOf(t.segmentStart, segs + n);
        boolean[] loops = java.util.Arrays.copyOf(t.segmentLoops, segs + n);
        int[] entry = java.util.Arrays.copyOf(t.segmentEntry, segs + n);
        for (int i = 0; i < n; i++) {
            start[segs + i] = t.blocks.length + next.segmentStart[i];
            loops[segs + i] = next.segmentLoops[i];
            entry[segs + i] = i == 0 ? t.exitPos[exitId] : t.code.length + next.segmentEntry[i];
        }
        for (Block blk : blocks) {
            if (!blk.valid || blk.paddr < 0) {
                return;
            }
        }
        if (install(t, new Trace(blocks, start, loops, entry, -1)) && ret) {
            returnsJoined++;
        }
    }

    /** Compiles {@code joined}, made from {@code t}, and installs it at their head; false, and nothing, if it does not compile. */
    private boolean install(Trace t, Trace joined) {
        Block head = t.head();
        Block[] blocks = joined.blocks;
        long begin = System.nanoTime();
        try {
            joined.compiled = TraceCompiler.compileJoined(joined, handlers, cache, EXTENDED_MAX_BYTECODE);
        } catch (TraceCompiler.TooLarge e) {
            compileNanos += System.nanoTime() - begin;
            return false;
        }
        joined.generation = t.generation;
        for (Block blk : blocks) {
            if (blk.inTraces == null) {
                blk.inTraces = new ArrayList<>(2);
            }
            dropInvalid(blk.inTraces);
            if (!blk.inTraces.contains(joined)) {
                blk.inTraces.add(joined);
            }
        }
        head.trace = joined;
        compiled++;
        extended++;
        instructionsCompiled += joined.code.length;
        compileNanos += System.nanoTime() - begin;
        return true;
    }

    /** Removes the traces no longer valid (a loop, not removeIf and a lambda: this runs while the JVM is cold). */
    private static void dropInvalid(List<Trace> traces) {
        for (int i = traces.size() - 1; i >= 0; i--) {
            if (!traces.get(i).valid) {
                traces.remove(i);
            }
        }
    }

    /** {@code b} was dropped (its page written or invalidated): so are the traces through it. */
    void dropped(Block b) {
        if (b.inTraces != null) {
            for (Trace t : b.inTraces) {
                if (t.valid) {
                    t.valid = false;
                    invalidated++;
                }
            }
        }
    }
}
