package org.alosj.kernel.proc;

import org.alosj.hal.cpu.CpuStatistics;

/**
 * Where guest code's CPU time went over a span, as the CPU model counted it: for one process
 * (all its threads, exited ones included) or the whole machine (every guest thread since boot
 * or the last reset, those of ended processes included).
 *
 * @param counters the CPU model's counters summed over the threads
 * @param cpuNanos CPU time those threads used over the same span
 * @param sinceNanos when the span began, in kernel uptime: a process's start, boot, or the last reset
 */
public record CpuUsage(CpuStatistics counters, long cpuNanos, long sinceNanos) {
    /** Guest instructions retired per second of the threads' CPU time; 0 before any was used. */
    public double instructionsPerCpuSecond() {
        return cpuNanos <= 0 ? 0 : counters.instructionsRetired() * 1e9 / cpuNanos;
    }

    /** Page walks per thousand instructions retired (the model counts misses, not every lookup). */
    public double tlbMissesPerKiloInstruction() {
        long n = counters.instructionsRetired();
        return n <= 0 ? 0 : counters.tlbMisses() * 1000.0 / n;
    }
}
