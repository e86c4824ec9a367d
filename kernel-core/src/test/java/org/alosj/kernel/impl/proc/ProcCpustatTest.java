package org.alosj.kernel.impl.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.alosj.hal.cpu.CpuStatistics;
import org.alosj.hal.cpu.RunExit;
import org.alosj.hal.cpu.TraceExit;
import org.alosj.hal.cpu.Vector;
import org.alosj.kernel.proc.CpuUsage;
import org.junit.jupiter.api.Test;

/** /proc/cpustat's format: one "name value" a line, fixed names first, then each vector entered. */
class ProcCpustatTest {
    @Test
    void everyCounterHasItsLineAndOnlyEnteredVectorsAreListed() {
        long[] traps = new long[Vector.SYSCALL + 1];
        traps[Vector.SYSCALL] = 12;
        traps[Vector.PF] = 3;
        traps[0x20] = 2;
        long[] exits = new long[RunExit.values().length];
        exits[RunExit.PREEMPTED.ordinal()] = 4;
        exits[RunExit.TRAP.ordinal()] = 5;
        long[] traceExits = new long[TraceExit.values().length];
        traceExits[TraceExit.BRANCH.ordinal()] = 15;
        traceExits[TraceExit.CODE_WRITE.ordinal()] = 1;
        CpuStatistics c = new CpuStatistics(1000, 900, 11, 2, 1, 6, 7, 8, 9, 10, traps, exits, 3, 600, 1, 40, 5000,
                traceExits);

        assertEquals("since_ns 77\ncpu_ns 5000\ninstructions 1000\ninstructions_compiled 900\nblocks_decoded 11\n"
                + "blocks_compiled 2\ncode_writes 1\ncode_invalidations 6\nblocks_invalidated 7\ntlb_misses 8\n"
                + "tlb_flushes 9\ntlb_page_invalidations 10\ntraces_compiled 3\ninstructions_traced 600\n"
                + "traces_invalidated 1\ntrace_instructions_compiled 40\ntrace_compile_ns 5000\n"
                + "trace_exit_branch 15\ntrace_exit_end 0\ntrace_exit_indirect 0\ntrace_exit_code_write 1\n"
                + "trace_exit_check 0\ntrace_exit_handler 0\nexit_budget 0\nexit_preempted 4\nexit_trap 5\n"
                + "exit_halted 0\nexit_shutdown 0\nsyscalls 12\ntrap_14 3\ntrap_32 2\n",
                ProcFs.cpustat(new CpuUsage(c, 5000, 77)));
    }
}
