package org.alosj.hal.cpu;

import java.util.Arrays;

/**
 * Where a CPU's time went, counted by the model since the CPU was created: a snapshot from
 * {@link Cpu#statistics}. Snapshots add ({@link #plus}) and subtract ({@link #minus}), so a
 * kernel can keep sums per process and per machine and reset them by remembering a baseline.
 *
 * <p>Counts taken from another thread than the CPU's own may be a few blocks behind, never torn
 * within one counter.
 *
 * @param instructionsRetired guest instructions retired, by either tier
 * @param instructionsCompiled of those, the ones retired by compiled code: blocks the block
 *     compiler made, and traces
 * @param blocksDecoded basic blocks decoded (each first runs in the interpreter)
 * @param blocksCompiled blocks the block compiler turned into bytecode once they ran often
 * @param codeWrites stores that landed on a page holding decoded code (self-modifying code, a
 *     loader or JIT in the guest): each drops the page's decoded blocks
 * @param codeInvalidations {@link Cpu#invalidateCode} calls that dropped decoded code (pages
 *     written by DMA or the kernel, unmapped, or remapped)
 * @param blocksInvalidated decoded blocks dropped by either of the two
 * @param tlbMisses page-table walks: accesses the TLBs could not answer
 * @param tlbFlushes whole-TLB flushes (CR3, CR0/CR4/EFER writes, {@link Cpu#flushTlb})
 * @param tlbPageInvalidations INVLPG of one page
 * @param trapsByVector entries to ring 0 (a Java handler or the IDT), indexed by vector
 *     0..255, and {@link Vector#SYSCALL} for SYSCALL; length {@code Vector.SYSCALL + 1}
 * @param runExits returns from {@link Cpu#run}, indexed by {@link RunExit#ordinal()}
 * @param tracesCompiled traces (hot paths across blocks, compiled as one unit) compiled
 * @param instructionsTraced of the instructions compiled code retired, the ones traces retired
 * @param tracesInvalidated traces dropped because code they were made of was written or invalidated
 * @param traceInstructionsCompiled guest instructions in the traces compiled (with repeats)
 * @param traceCompileNanos host time spent compiling traces, in nanoseconds
 * @param traceExits exits from traces, indexed by {@link TraceExit#ordinal()}
 */
public record CpuStatistics(long instructionsRetired, long instructionsCompiled, long blocksDecoded,
        long blocksCompiled, long codeWrites, long codeInvalidations, long blocksInvalidated, long tlbMisses,
        long tlbFlushes, long tlbPageInvalidations, long[] trapsByVector, long[] runExits, long tracesCompiled,
        long instructionsTraced, long tracesInvalidated, long traceInstructionsCompiled, long traceCompileNanos,
        long[] traceExits) {

    /** Nothing counted. */
    public static final CpuStatistics ZERO = new CpuStatistics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            new long[Vector.SYSCALL + 1], new long[RunExit.values().length]);

    /** Counters of a CPU without traces. */
    public CpuStatistics(long instructionsRetired, long instructionsCompiled, long blocksDecoded, long blocksCompiled,
            long codeWrites, long codeInvalidations, long blocksInvalidated, long tlbMisses, long tlbFlushes,
            long tlbPageInvalidations, long[] trapsByVector, long[] runExits) {
        this(instructionsRetired, instructionsCompiled, blocksDecoded, blocksCompiled, codeWrites, codeInvalidations,
                blocksInvalidated, tlbMisses, tlbFlushes, tlbPageInvalidations, trapsByVector, runExits, 0, 0, 0, 0, 0,
                new long[TraceExit.values().length]);
    }

    public CpuStatistics {
        if (trapsByVector.length != Vector.SYSCALL + 1) {
            throw new IllegalArgumentException("trapsByVector has " + trapsByVector.length + " entries, expected "
                    + (Vector.SYSCALL + 1));
        }
        if (runExits.length != RunExit.values().length) {
            throw new IllegalArgumentException("runExits has " + runExits.length + " entries, expected "
                    + RunExit.values().length);
        }
        if (traceExits.length != TraceExit.values().length) {
            throw new IllegalArgumentException("traceExits has " + traceExits.length + " entries, expected "
                    + TraceExit.values().length);
        }
        trapsByVector = trapsByVector.clone();
        runExits = runExits.clone();
        traceExits = traceExits.clone();
    }

    @Override
    public long[] trapsByVector() {
        return trapsByVector.clone();
    }

    @Override
    public long[] runExits() {
        return runExits.clone();
    }

    @Override
    public long[] traceExits() {
        return traceExits.clone();
    }

    /** Exits from traces for {@code why}. */
    public long traceExits(TraceExit why) {
        return traceExits[why.ordinal()];
    }

    /** Entries to ring 0 through {@code vector} (0..255, or {@link Vector#SYSCALL}). */
    public long traps(int vector) {
        return trapsByVector[vector];
    }

    /** Returns from {@link Cpu#run} for {@code why}. */
    public long runExits(RunExit why) {
        return runExits[why.ordinal()];
    }

    /** SYSCALL instructions executed. */
    public long syscalls() {
        return trapsByVector[Vector.SYSCALL];
    }

    /** Instructions retired by the interpreter (blocks not yet compiled, single steps). */
    public long instructionsInterpreted() {
        return instructionsRetired - instructionsCompiled;
    }

    /** The sum of two snapshots (of two CPUs, or of a CPU and what an earlier one left). */
    public CpuStatistics plus(CpuStatistics o) {
        return combine(o, 1);
    }

    /** This snapshot less an earlier baseline of the same counters. */
    public CpuStatistics minus(CpuStatistics o) {
        return combine(o, -1);
    }

    private CpuStatistics combine(CpuStatistics o, long sign) {
        long[] traps = new long[trapsByVector.length];
        for (int i = 0; i < traps.length; i++) {
            traps[i] = trapsByVector[i] + sign * o.trapsByVector[i];
        }
        long[] exits = new long[runExits.length];
        for (int i = 0; i < exits.length; i++) {
            exits[i] = runExits[i] + sign * o.runExits[i];
        }
        long[] tExits = new long[traceExits.length];
        for (int i = 0; i < tExits.length; i++) {
            tExits[i] = traceExits[i] + sign * o.traceExits[i];
        }
        return new CpuStatistics(instructionsRetired + sign * o.instructionsRetired,
                instructionsCompiled + sign * o.instructionsCompiled, blocksDecoded + sign * o.blocksDecoded,
                blocksCompiled + sign * o.blocksCompiled, codeWrites + sign * o.codeWrites,
                codeInvalidations + sign * o.codeInvalidations, blocksInvalidated + sign * o.blocksInvalidated,
                tlbMisses + sign * o.tlbMisses, tlbFlushes + sign * o.tlbFlushes,
                tlbPageInvalidations + sign * o.tlbPageInvalidations, traps, exits,
                tracesCompiled + sign * o.tracesCompiled, instructionsTraced + sign * o.instructionsTraced,
                tracesInvalidated + sign * o.tracesInvalidated,
                traceInstructionsCompiled + sign * o.traceInstructionsCompiled,
                traceCompileNanos + sign * o.traceCompileNanos, tExits);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuStatistics c && instructionsRetired == c.instructionsRetired
                && instructionsCompiled == c.instructionsCompiled && blocksDecoded == c.blocksDecoded
                && blocksCompiled == c.blocksCompiled && codeWrites == c.codeWrites
                && codeInvalidations == c.codeInvalidations && blocksInvalidated == c.blocksInvalidated
                && tlbMisses == c.tlbMisses && tlbFlushes == c.tlbFlushes
                && tlbPageInvalidations == c.tlbPageInvalidations && Arrays.equals(trapsByVector, c.trapsByVector)
                && Arrays.equals(runExits, c.runExits) && tracesCompiled == c.tracesCompiled
                && instructionsTraced == c.instructionsTraced && tracesInvalidated == c.tracesInvalidated
                && traceInstructionsCompiled == c.traceInstructionsCompiled
                && traceCompileNanos == c.traceCompileNanos && Arrays.equals(traceExits, c.traceExits);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(instructionsRetired) * 31 + Arrays.hashCode(trapsByVector);
    }

    @Override
    public String toString() {
        return "CpuStatistics[instructions=" + instructionsRetired + " compiled=" + instructionsCompiled
                + " blocksDecoded=" + blocksDecoded + " blocksCompiled=" + blocksCompiled + " codeWrites="
                + codeWrites + " codeInvalidations=" + codeInvalidations + " tlbMisses=" + tlbMisses
                + " tlbFlushes=" + tlbFlushes + " syscalls=" + syscalls() + " tracesCompiled=" + tracesCompiled
                + " traced=" + instructionsTraced + "]";
    }
}
