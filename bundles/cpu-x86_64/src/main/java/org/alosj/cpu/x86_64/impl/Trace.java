package org.alosj.cpu.x86_64.impl;

/**
 * A hot path through several blocks, compiled by {@link TraceCompiler} into one method that
 * keeps guest registers and flags in JVM locals. Entered at its head block; left at one of its
 * exits, each with a link to the block that followed it last time (the dispatcher's chaining
 * slot, which doubles as a one-entry inline cache for exits whose target is dynamic); when that
 * block heads a trace, the CPU runs it straight after the exit, without its run loop.
 */
final class Trace {
    // Exit causes, numbered as org.alosj.hal.cpu.TraceExit.
    /** Side exit at a conditional branch whose other direction the trace follows. */
    static final int EXIT_BRANCH = 0;
    /** The end of a trace that does not loop, to a target known when compiling. */
    static final int EXIT_END = 1;
    /** A return or indirect jump whose target was not the one the trace was recorded with. */
    static final int EXIT_INDIRECT = 2;
    /** A store hit a page holding decoded code. */
    static final int EXIT_CODE_WRITE = 3;
    /** The loop checked for an interrupt, a stop request, the budget or a TLB change. */
    static final int EXIT_CHECK = 4;
    /** Ended at an instruction run through the interpreter's handler (system, far branch ...). */
    static final int EXIT_HANDLER = 5;
    static final int EXIT_CAUSES = 6;

    /**
     * Calls of a new looping trace that run at most {@link #WARM_UP_SLICE} instructions and the
     * trace's length (which the budget must cover for the loop to go round). A
     * loop that runs long in one call is compiled by the JVM only through on-stack replacement,
     * which its interpreter and first tier enter late (at back-edge counter overflows, every
     * 1,024 or 8,192 iterations), and whose method entry stays slow for the next calls; short
     * calls at first make the entry hot, so the JVM's last tier compiles the whole method by its
     * calls: after 600 with the JVM's thresholds, 3,600 with the launcher's (./alos), hence
     * 4,000 (bench/cpu.sh's first run 0.95 s against 1.06 s with 1,000, 12 runs each, load 4.5).
     */
    static final int WARM_UP_CALLS = 4_000;
    static final long WARM_UP_SLICE = 1_024;

    /** The compiled method: runs until an exit, returns the exit's number. */
    abstract static class Code {
        /**
         * Calls left in the warm-up ({@link #WARM_UP_CALLS}); kept with the method, which the
         * trace cache shares between traces and CPUs. Racy when shared: it is only a hint.
         */
        int warmUpCalls = WARM_UP_CALLS;

        /**
         * Runs the trace with a budget of {@code remaining} instructions, which must be at least
         * the trace's length ({@link #code}): it tests the budget only at back edges. A negative
         * budget runs nothing and returns -1 ({@link TraceCompiler#PRIMING_CALLS}).
         */
        abstract int run(X86Core cpu, Trace trace, long remaining);
    }

    final Block[] blocks;
    /** The blocks' instructions, in trace order. */
    final Insn[] code;
    /** Whether the first segment loops. */
    final boolean loops;
    /**
     * The segments: runs of blocks, each a path that may loop back to its own first block.
     * The first is entered at the trace's head; each later one from an exit of an earlier one
     * that the trace was extended at ({@link TraceTier#extend}): the exit at position
     * {@code segmentEntry[i]} (instructions of {@link #code} before it) to its first block.
     */
    final int[] segmentStart;
    final boolean[] segmentLoops;
    final int[] segmentEntry;
    /**
     * The position of an exit whose target is the trace's head that goes back to the head
     * inside the method (a loop through all its segments, {@link TraceTier#extend}), or -1.
     */
    final int selfEntry;
    /** Whether some segment loops, or the trace as a whole does. */
    final boolean anyLoop;
    Code compiled;
    /** False once any of its blocks was dropped (a code write, an invalidation). */
    boolean valid = true;
    /** The TLB generation its blocks' translations were last checked under. */
    int generation;
    /**
     * Per exit: its cause, its position (instructions of {@link #code} done), its target when
     * known when compiling (else -1), the block the dispatcher found after it last time, and
     * how often it led straight into another trace.
     */
    int[] exitCause;
    int[] exitPos;
    long[] exitTarget;
    Block[] exitLink;
    int[] exitLinkGeneration;
    int[] exitHits;
    /** Per exit: the instructions the CPU had retired when its hits started counting. */
    long[] exitCountedFrom;

    Trace(Block[] blocks, boolean loops) {
        this(blocks, new int[] {0}, new boolean[] {loops}, new int[] {0}, -1);
    }

    Trace(Block[] blocks, int[] segmentStart, boolean[] segmentLoops, int[] segmentEntry, int selfEntry) {
        this.blocks = blocks;
        this.segmentStart = segmentStart;
        this.segmentLoops = segmentLoops;
        this.segmentEntry = segmentEntry;
        this.selfEntry = selfEntry;
        this.loops = segmentLoops[0];
        boolean any = selfEntry >= 0;
        for (boolean l : segmentLoops) {
            any |= l;
        }
        this.anyLoop = any;
        int n = 0;
        for (Block b : blocks) {
            n += b.code.length;
        }
        code = new Insn[n];
        int at = 0;
        for (Block b : blocks) {
            System.arraycopy(b.code, 0, code, at, b.code.length);
            at += b.code.length;
        }
    }

    Block head() {
        return blocks[0];
    }

    /** The index in {@link #code} of segment {@code s}'s first instruction. */
    int segmentBase(int s) {
        int k = 0;
        for (int j = 0; j < segmentStart[s]; j++) {
            k += blocks[j].code.length;
        }
        return k;
    }

    /** Segment {@code s}'s blocks end before this index of {@link #blocks}. */
    int segmentEnd(int s) {
        return s + 1 < segmentStart.length ? segmentStart[s + 1] : blocks.length;
    }

    void setExits(int[] causes, int[] positions, long[] targets) {
        exitCause = causes;
        exitPos = positions;
        exitTarget = targets;
        exitLink = new Block[causes.length];
        exitLinkGeneration = new int[causes.length];
        exitHits = new int[causes.length];
        exitCountedFrom = new long[causes.length];
    }
}
