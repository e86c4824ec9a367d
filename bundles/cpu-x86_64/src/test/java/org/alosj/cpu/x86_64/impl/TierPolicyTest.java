package org.alosj.cpu.x86_64.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alosj.cpu.x86_64.FlatRamBus;
import org.alosj.cpu.x86_64.PageTables;
import org.alosj.hal.cpu.Cr;
import org.alosj.hal.cpu.CpuStatistics;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.RunExit;
import org.alosj.hal.cpu.TrapHandler;
import org.junit.jupiter.api.Test;

/**
 * Which blocks are compiled and traced, with the CPU's own thresholds: a block that runs densely
 * (a loop body) at the compile and trace thresholds, one whose runs are thousands of
 * instructions apart (a shell interpreting its script) only after many more runs.
 */
class TierPolicyTest {
    static final long CODE = 0x40_0000L;

    /**
     * for (ebx = outer; ebx != 0; ebx--) for (ecx = inner; ecx != 0; ecx--) ; then UD2. Four
     * blocks: the entry (once), the inner loop's body, the outer loop's tail (dec ebx; jnz) and
     * its head (mov ecx; dec ecx; jnz), the last two once every 2 * inner instructions.
     */
    static byte[] nestedLoops(int outer, int inner) {
        return new byte[] {
            (byte) 0xBB, (byte) outer, (byte) (outer >> 8), (byte) (outer >> 16), 0, // mov ebx, outer
            // outer:
            (byte) 0xB9, (byte) inner, (byte) (inner >> 8), 0, 0, // mov ecx, inner
            // inner:
            (byte) 0xFF, (byte) 0xC9, // dec ecx
            0x75, (byte) 0xFC, // jnz inner
            (byte) 0xFF, (byte) 0xCB, // dec ebx
            0x75, (byte) 0xF3, // jnz outer
            0x0F, 0x0B, // ud2
        };
    }

    /** Runs {@code code} to its UD2 on a CPU with the default thresholds; its statistics. */
    static CpuStatistics run(byte[] code) {
        FlatRamBus bus = new FlatRamBus(4L << 20);
        PageTables pt = new PageTables(bus, 0x10_0000);
        long codePhys = pt.map(CODE, PageTables.US | PageTables.RW);
        bus.write(codePhys, code, 0, code.length);
        X86Core cpu = (X86Core) new X86CpuFactory().create(bus);
        cpu.setCr(3, pt.pml4);
        cpu.setCr(0, cpu.cr(0) | Cr.CR0_PG | Cr.CR0_WP);
        cpu.setTrapHandler(6, 3, (c, f) -> TrapHandler.Resume.EXIT_RUN);
        cpu.setCs(0x33);
        cpu.setSs(0x2B);
        cpu.setRip(CODE);
        assertEquals(RunExit.TRAP, cpu.run(100_000_000));
        assertEquals(CODE + code.length - 2, cpu.rip(), "stopped at the UD2");
        assertEquals(0, cpu.reg(Reg.RBX));
        return cpu.statistics();
    }

    @Test
    void blocksRunningEveryFewInstructionsAreCompiledAtTheThreshold() {
        // The outer loop's blocks every ~200 instructions, 300 times.
        CpuStatistics st = run(nestedLoops(300, 100));
        assertEquals(3, st.blocksCompiled(), "the inner loop and the outer loop's two blocks");
        assertTrue(st.tracesCompiled() > 0, "the inner loop traced");
    }

    @Test
    void blocksRunningThousandsOfInstructionsApartStayInTheInterpreter() {
        // The outer loop's blocks every ~2,000 instructions: 300 runs is past the compile
        // threshold (64) four times, never densely enough.
        CpuStatistics st = run(nestedLoops(300, 1_000));
        assertEquals(1, st.blocksCompiled(), "only the inner loop");
        assertTrue(st.tracesCompiled() > 0, "the inner loop traced");
    }

    @Test
    void sparseBlocksAreCompiledOnceTheyHaveRunLukewarmWindowsOfTheThreshold() {
        int lukewarm = X86Core.COMPILE_THRESHOLD * X86Core.LUKEWARM_WINDOWS;
        CpuStatistics before = run(nestedLoops(lukewarm - 1, 1_000));
        assertEquals(1, before.blocksCompiled(), "one run short: only the inner loop");
        // Then past the trace threshold (256) as compiled blocks, still sparse: no trace of them.
        CpuStatistics st = run(nestedLoops(lukewarm + 2 * X86Core.TRACE_THRESHOLD, 1_000));
        assertEquals(3, st.blocksCompiled(), "the outer loop's blocks too, at their " + lukewarm + "th run");
        assertEquals(before.tracesCompiled(), st.tracesCompiled(), "only the inner loop's traces");
    }

    @Test
    void denseCompiledBlocksAreTracedAtTheThreshold() {
        CpuStatistics inner = run(nestedLoops(300, 1_000));
        CpuStatistics both = run(nestedLoops(3 * X86Core.TRACE_THRESHOLD, 100));
        assertTrue(both.tracesCompiled() > inner.tracesCompiled(), "a trace of the outer loop's blocks too: "
                + both.tracesCompiled() + " against " + inner.tracesCompiled());
    }
}
