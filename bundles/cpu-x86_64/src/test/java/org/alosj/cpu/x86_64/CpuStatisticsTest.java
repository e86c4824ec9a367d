package org.alosj.cpu.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.alosj.hal.cpu.CpuStatistics;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.RunExit;
import org.alosj.hal.cpu.TrapHandler;
import org.alosj.hal.cpu.Vector;
import org.junit.jupiter.api.Test;

/**
 * The model's counters where they are exact: instructions retired by a known loop and by which
 * tier, blocks decoded and compiled, one SYSCALL trap per SYSCALL, decoded code dropped by a
 * store into a code page and by {@code invalidateCode}, page walks after a TLB flush, and run
 * exits by cause.
 */
class CpuStatisticsTest {
    /** X86Core.COMPILE_THRESHOLD: the run of a block on which it is compiled. */
    private static final int COMPILE_THRESHOLD = 64;
    /** A user page both writable and executable, for self-modifying code. */
    private static final long RWX = 0x50_0000L;

    private static TrapsTest.Rig rigStoppingOnSyscall() {
        TrapsTest.Rig rig = new TrapsTest.Rig();
        rig.cpu.setTrapHandler(Vector.SYSCALL, (c, f) -> TrapHandler.Resume.EXIT_RUN);
        return rig;
    }

    @Test
    void aCountedLoopRetiresExactlyItsInstructionsAndIsCompiledOnceItRunsOften() {
        TrapsTest.Rig rig = rigStoppingOnSyscall();
        // mov ecx, 1000; L: dec ecx; jnz L; syscall
        rig.code(TrapsTest.USER_CODE, 0xB9, 0xE8, 0x03, 0, 0, 0xFF, 0xC9, 0x75, 0xFC, 0x0F, 0x05);
        CpuStatistics before = rig.cpu.statistics();

        assertEquals(RunExit.TRAP, rig.cpu.run(1_000_000));
        CpuStatistics d = rig.cpu.statistics().minus(before);

        assertEquals(1 + 2 * 1000 + 1, d.instructionsRetired());
        assertEquals(rig.cpu.instructionsRetired(), rig.cpu.statistics().instructionsRetired());
        // Blocks: [mov, dec, jnz] once, [dec, jnz] 999 times, [syscall] once.
        assertEquals(3, d.blocksDecoded());
        assertEquals(1, d.blocksCompiled());
        assertEquals(2L * (999 - (COMPILE_THRESHOLD - 1)), d.instructionsCompiled());
        assertEquals(1, d.syscalls());
        assertEquals(1, d.runExits(RunExit.TRAP));
        assertEquals(0, d.codeWrites());
    }

    @Test
    void everySyscallEntersRingZeroOnceAndOnlyAnExitingHandlerEndsTheRun() {
        TrapsTest.Rig rig = new TrapsTest.Rig();
        int[] handled = {0};
        rig.cpu.setTrapHandler(Vector.SYSCALL, (c, f) -> {
            handled[0]++;
            return TrapHandler.Resume.CONTINUE;
        });
        // mov ebx, 5; L: syscall; dec ebx; jnz L; hlt (at CPL 3: #GP, which stops the run)
        rig.code(TrapsTest.USER_CODE, 0xBB, 5, 0, 0, 0, 0x0F, 0x05, 0xFF, 0xCB, 0x75, 0xFA, 0xF4);
        CpuStatistics before = rig.cpu.statistics();

        assertEquals(RunExit.TRAP, rig.cpu.run(10_000));
        CpuStatistics d = rig.cpu.statistics().minus(before);

        assertEquals(5, handled[0]);
        assertEquals(5, d.syscalls());
        assertEquals(1, d.traps(Vector.GP));
        assertEquals(1, d.runExits(RunExit.TRAP));
        assertEquals(1 + 5 * 3, d.instructionsRetired());
    }

    @Test
    void aStoreIntoAPageOfDecodedCodeDropsItsBlocksAndInvalidateCodeCountsOnlyWhenItDropsSome() {
        TrapsTest.Rig rig = rigStoppingOnSyscall();
        rig.pt.map(RWX, PageTables.US | PageTables.RW);
        rig.code(RWX, 0x0F, 0x05); // syscall
        // at +0x100: mov byte [RWX], 0x90; syscall
        rig.code(RWX + 0x100, 0xC6, 0x04, 0x25, 0x00, 0x00, 0x50, 0x00, 0x90, 0x0F, 0x05);
        rig.cpu.setRip(RWX);
        assertEquals(RunExit.TRAP, rig.cpu.run(100));
        rig.cpu.setRip(RWX + 0x100);
        CpuStatistics before = rig.cpu.statistics();

        assertEquals(RunExit.TRAP, rig.cpu.run(100));
        CpuStatistics d = rig.cpu.statistics().minus(before);

        assertEquals(0x90, rig.pt.read(RWX, 1)[0] & 0xFF);
        assertEquals(1, d.codeWrites());
        // The first program's block and the storing block itself, both decoded from that page.
        assertEquals(2, d.blocksInvalidated());
        assertEquals(0, d.codeInvalidations());
        assertEquals(2, d.blocksDecoded()); // the storing block, then the rest of it after the store

        before = rig.cpu.statistics();
        rig.cpu.invalidateCode(rig.pt.physical(RWX), 0x1000);
        rig.cpu.invalidateCode(rig.pt.physical(TrapsTest.USER_DATA), 0x1000);
        d = rig.cpu.statistics().minus(before);
        assertEquals(1, d.codeInvalidations());
        assertEquals(1, d.blocksInvalidated()); // [syscall] decoded after the store
        assertEquals(0, d.codeWrites());
    }

    @Test
    void afterATlbFlushEachPageTouchedCostsOneWalkAndNoneBeforeIt() {
        TrapsTest.Rig rig = rigStoppingOnSyscall();
        // mov rax, [USER_DATA]; syscall
        rig.code(TrapsTest.USER_CODE, 0x48, 0x8B, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00, 0x0F, 0x05);
        rig.write64(TrapsTest.USER_DATA, 42);
        rig.cpu.flushTlb();
        CpuStatistics before = rig.cpu.statistics();

        assertEquals(RunExit.TRAP, rig.cpu.run(100));
        CpuStatistics cold = rig.cpu.statistics().minus(before);
        assertEquals(42, rig.cpu.reg(Reg.RAX));
        assertEquals(2, cold.tlbMisses()); // the code page's fetch and the data page's read

        rig.cpu.setRip(TrapsTest.USER_CODE);
        before = rig.cpu.statistics();
        assertEquals(RunExit.TRAP, rig.cpu.run(100));
        assertEquals(0, rig.cpu.statistics().minus(before).tlbMisses());

        rig.cpu.setRip(TrapsTest.USER_CODE);
        before = rig.cpu.statistics();
        rig.cpu.flushTlb();
        assertEquals(RunExit.TRAP, rig.cpu.run(100));
        CpuStatistics flushed = rig.cpu.statistics().minus(before);
        assertEquals(1, flushed.tlbFlushes());
        assertEquals(2, flushed.tlbMisses());
    }

    @Test
    void runExitsAreCountedByCause() {
        TrapsTest.Rig rig = new TrapsTest.Rig();
        rig.code(TrapsTest.USER_CODE, 0xEB, 0xFE); // jmp $
        CpuStatistics before = rig.cpu.statistics();

        assertEquals(RunExit.BUDGET, rig.cpu.run(100));
        rig.cpu.requestPreemption();
        assertEquals(RunExit.PREEMPTED, rig.cpu.run(100));
        rig.cpu.setRip(TrapsTest.USER_DATA - 0x10_0000); // unmapped: #PF on the fetch
        assertEquals(RunExit.TRAP, rig.cpu.run(100));
        CpuStatistics d = rig.cpu.statistics().minus(before);

        assertEquals(1, d.runExits(RunExit.BUDGET));
        assertEquals(1, d.runExits(RunExit.PREEMPTED));
        assertEquals(1, d.runExits(RunExit.TRAP));
        assertEquals(1, d.traps(Vector.PF));
        assertEquals(100, d.instructionsRetired());
        assertEquals(CpuStatistics.ZERO, CpuStatistics.ZERO.plus(d).minus(d));
    }
}
