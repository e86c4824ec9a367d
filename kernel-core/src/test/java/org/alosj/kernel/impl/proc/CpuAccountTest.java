package org.alosj.kernel.impl.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.alosj.hal.cpu.CpuStatistics;
import org.alosj.hal.cpu.RunExit;
import org.alosj.hal.cpu.Vector;
import org.alosj.kernel.proc.CpuUsage;
import org.junit.jupiter.api.Test;

/**
 * The sums behind /proc/cpustat and cpustat: what exited threads counted is kept, live threads
 * add theirs, and a reset starts the span again without losing threads that exit after it.
 */
class CpuAccountTest {
    /** A thread's counters: {@code insns} instructions, {@code syscalls} SYSCALLs, {@code walks} page walks. */
    private static CpuStatistics thread(long insns, long syscalls, long walks) {
        long[] traps = new long[Vector.SYSCALL + 1];
        traps[Vector.SYSCALL] = syscalls;
        traps[Vector.PF] = 1;
        long[] exits = new long[RunExit.values().length];
        exits[RunExit.TRAP.ordinal()] = syscalls;
        return new CpuStatistics(insns, insns / 2, 3, 1, 0, 0, 0, walks, 2, 0, traps, exits);
    }

    @Test
    void aProcessKeepsWhatItsExitedThreadsCountedBesideItsLiveOnes() {
        CpuAccount process = new CpuAccount(500);
        process.threadExited(thread(1000, 10, 4), 2_000);

        CpuUsage u = process.usage(thread(300, 1, 2), 700);

        assertEquals(1300, u.counters().instructionsRetired());
        assertEquals(11, u.counters().syscalls());
        assertEquals(2, u.counters().traps(Vector.PF));
        assertEquals(11, u.counters().runExits(RunExit.TRAP));
        assertEquals(2_700, u.cpuNanos());
        assertEquals(500, u.sinceNanos());
        assertEquals(1300 * 1e9 / 2_700, u.instructionsPerCpuSecond(), 1e-6);
        assertEquals(6 * 1000.0 / 1300, u.tlbMissesPerKiloInstruction(), 1e-9);
    }

    @Test
    void aResetCountsFromZeroAndAThreadExitingAfterItAddsOnlyWhatItDidSince() {
        CpuAccount machine = new CpuAccount(0);
        machine.threadExited(thread(1000, 10, 4), 2_000);
        CpuStatistics liveAtReset = thread(300, 1, 2);
        machine.reset(liveAtReset, 700, 9_000);

        assertEquals(CpuStatistics.ZERO, machine.usage(liveAtReset, 700).counters());
        assertEquals(0, machine.usage(liveAtReset, 700).cpuNanos());
        assertEquals(9_000, machine.usage(liveAtReset, 700).sinceNanos());

        // The live thread runs 200 more instructions and 1 more syscall, then exits.
        machine.threadExited(thread(500, 2, 2), 1_000);
        CpuUsage u = machine.usage(CpuStatistics.ZERO, 0);

        assertEquals(200, u.counters().instructionsRetired());
        assertEquals(1, u.counters().syscalls());
        assertEquals(300, u.cpuNanos());
    }

    @Test
    void withNothingCountedTheRatesAreZeroRatherThanNaN() {
        CpuUsage u = new CpuAccount(0).usage(CpuStatistics.ZERO, 0);
        assertEquals(0.0, u.instructionsPerCpuSecond());
        assertEquals(0.0, u.tlbMissesPerKiloInstruction());
    }
}
