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
                blk.inTraces.removeIf(old -> !old.valid); // a block outlives traces dropped for other blocks
                blk.inTraces.add(t);
            }
            head.trace = t;
            compiled++;
            instructionsCompiled += t.code.length;
            break;
        }
        compileNanos += System.nanoTime() - start;
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
