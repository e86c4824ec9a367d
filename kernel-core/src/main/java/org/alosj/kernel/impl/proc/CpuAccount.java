package org.alosj.kernel.impl.proc;

import org.alosj.hal.cpu.CpuStatistics;
import org.alosj.kernel.proc.CpuUsage;

/**
 * CPU model counters summed over threads that come and go: what exited threads left, plus what
 * the live ones (summed by the caller) have now, less a baseline taken at the last reset. A
 * process keeps one, the process manager one for the machine. The caller's lock guards it (the
 * process tree's).
 */
final class CpuAccount {
    private CpuStatistics exited = CpuStatistics.ZERO;
    private long exitedNanos;
    private CpuStatistics baseline = CpuStatistics.ZERO;
    private long baselineNanos;
    private long sinceNanos;

    CpuAccount(long sinceNanos) {
        this.sinceNanos = sinceNanos;
    }

    /** A thread's CPU is gone: keep what it counted. */
    void threadExited(CpuStatistics counters, long cpuNanos) {
        exited = exited.plus(counters);
        exitedNanos += cpuNanos;
    }

    /** The sums since the span began, given the live threads' sums now. */
    CpuUsage usage(CpuStatistics live, long liveNanos) {
        return new CpuUsage(exited.plus(live).minus(baseline), exitedNanos + liveNanos - baselineNanos, sinceNanos);
    }

    /** Starts the span again at {@code nowNanos}, the live threads then having counted {@code live}. */
    void reset(CpuStatistics live, long liveNanos, long nowNanos) {
        baseline = exited.plus(live);
        baselineNanos = exitedNanos + liveNanos;
        sinceNanos = nowNanos;
    }
}
