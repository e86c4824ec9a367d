package org.alosj.shell.impl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alosj.hal.cpu.CpuStatistics;
import org.alosj.hal.cpu.RunExit;
import org.alosj.hal.cpu.Vector;
import org.alosj.kernel.proc.CpuUsage;
import org.junit.jupiter.api.Test;

/** cpustat's table: counts, rates per second of guest CPU time, the tiers' shares, the miss rate. */
class CpustatCommandTest {
    @Test
    void theTableShowsCountsRatesSharesAndOnlyTheVectorsThatWereEntered() {
        long[] traps = new long[Vector.SYSCALL + 1];
        traps[Vector.SYSCALL] = 40;
        traps[Vector.PF] = 8;
        long[] exits = new long[RunExit.values().length];
        exits[RunExit.TRAP.ordinal()] = 5;
        long[] traceExits = new long[org.alosj.hal.cpu.TraceExit.values().length];
        traceExits[org.alosj.hal.cpu.TraceExit.BRANCH.ordinal()] = 30;
        CpuStatistics c = new CpuStatistics(2_000_000, 1_500_000, 100, 10, 1, 2, 3, 400, 6, 0, traps, exits, 4,
                1_000_000, 1, 200, 2_000_000, traceExits);

        String t = CpustatCommand.render("process 7", new CpuUsage(c, 500_000_000L, 0));

        assertTrue(t.startsWith("CPU model counters, process 7: 0.500 s of guest CPU time"), t);
        assertTrue(t.matches("(?s).*\\ninstructions +2000000 +4000000\\n.*"), t);
        assertTrue(t.matches("(?s).*\\n  compiled +1500000 +3000000  75\\.0 %\\n.*"), t);
        assertTrue(t.matches("(?s).*\\n    in traces +1000000 +2000000  50\\.0 %\\n.*"), t);
        assertTrue(t.matches("(?s).*\\ntraces compiled +4 +8  10000\\.0 us per 1000 insns compiled\\n.*"), t);
        assertTrue(t.matches("(?s).*\\ntrace exits: branch +30 +60\\n.*"), t);
        assertTrue(t.matches("(?s).*\\nTLB misses +400 +800  0\\.200 per 1000 insns\\n.*"), t);
        assertTrue(t.matches("(?s).*\\nsyscalls +40 +80\\n.*"), t);
        assertTrue(t.matches("(?s).*\\ntrap #PF \\(14\\) +8 +16\\n.*"), t);
        assertTrue(!t.contains("#GP"), t);
        assertTrue(t.matches("(?s).*\\nrun exits: trap +5 +10\\n.*"), t);
    }

    @Test
    void withNoCpuTimeTheRatesAreADash() {
        String t = CpustatCommand.render("machine", new CpuUsage(CpuStatistics.ZERO, 0, 0));
        assertTrue(t.matches("(?s).*\\ninstructions +0 +-\\n.*"), t);
    }
}
