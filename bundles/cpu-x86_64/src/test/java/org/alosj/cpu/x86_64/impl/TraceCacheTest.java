package org.alosj.cpu.x86_64.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alosj.cpu.x86_64.FlatRamBus;
import org.alosj.cpu.x86_64.PageTables;
import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.CpuFactory;
import org.alosj.hal.cpu.Cr;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.RunExit;
import org.alosj.hal.cpu.TrapHandler;
import org.junit.jupiter.api.Test;

/** Compiled traces shared by the CPUs of one factory, and only when method and instructions are the same. */
class TraceCacheTest {
    static final long CODE = 0x40_0000L;
    static final long DATA = 0x60_0000L;

    /**
     * rax = 0; for (rcx = n; rcx != 0; rcx--) { rdx = 2 * rcx; rax += rdx; bswap rax or rdx;
     * [rbx] = rax }; ud2. BSWAP runs through its handler with every register spilled and
     * reloaded: both forms compile to the same method, only the instruction differs.
     */
    static byte[] loop(int n, boolean swapRax) {
        return new byte[] {
            (byte) 0xB9, (byte) n, (byte) (n >> 8), 0, 0, // mov ecx, n
            0x31, (byte) 0xC0, // xor eax, eax
            // loop:
            0x48, (byte) 0x8D, 0x14, 0x09, // lea rdx, [rcx+rcx]
            0x48, 0x01, (byte) 0xD0, // add rax, rdx
            0x48, 0x0F, swapRax ? (byte) 0xC8 : (byte) 0xCA, // bswap rax | bswap rdx
            0x48, (byte) 0x89, 0x03, // mov [rbx], rax
            (byte) 0xFF, (byte) 0xC9, // dec ecx
            0x75, (byte) 0xEF, // jnz loop
            0x0F, 0x0B, // ud2
        };
    }

    static long expected(int n, boolean swapRax) {
        long rax = 0;
        for (long rcx = n; rcx != 0; rcx--) {
            rax += 2 * rcx;
            if (swapRax) {
                rax = Long.reverseBytes(rax);
            }
        }
        return rax;
    }

    /** Runs {@code code} on a new CPU of {@code cpus} until its UD2; RAX then. */
    static long run(CpuFactory cpus, byte[] code, X86Core[] made) {
        FlatRamBus bus = new FlatRamBus(4L << 20);
        PageTables pt = new PageTables(bus, 0x10_0000);
        long codePhys = pt.map(CODE, PageTables.US | PageTables.RW);
        pt.map(DATA, PageTables.US | PageTables.RW | PageTables.NX);
        bus.write(codePhys, code, 0, code.length);
        Cpu cpu = cpus.create(bus);
        X86Core core = (X86Core) cpu;
        core.compileThreshold = 1;
        core.traceThreshold = 2;
        cpu.setCr(3, pt.pml4);
        cpu.setCr(0, cpu.cr(0) | Cr.CR0_PG | Cr.CR0_WP);
        cpu.setTrapHandler(6, 3, (c, f) -> TrapHandler.Resume.EXIT_RUN);
        cpu.setCs(0x33);
        cpu.setSs(0x2B);
        cpu.setReg(Reg.RBX, DATA);
        cpu.setRip(CODE);
        assertEquals(RunExit.TRAP, cpu.run(1_000_000));
        assertEquals(CODE + code.length - 2, cpu.rip(), "stopped at the UD2");
        made[0] = core;
        return cpu.reg(Reg.RAX);
    }

    @Test
    void aCpuOfTheSameFactoryRunsTheTracesAnotherCompiled() {
        X86CpuFactory cpus = new X86CpuFactory();
        X86Core[] made = new X86Core[1];
        assertEquals(expected(1000, false), run(cpus, loop(1000, false), made));
        X86Core first = made[0];
        assertTrue(first.tracesCompiled() > 0, "the loop became a trace");
        long hitsBefore = first.traceCache().hits();
        assertEquals(expected(500, false), run(cpus, loop(500, false), made));
        X86Core second = made[0];
        assertSame(first.traceCache(), second.traceCache());
        assertTrue(second.traceCache().hits() > hitsBefore, "the second CPU reused the first one's trace");
        assertTrue(second.traceInstructionsRetired() > 1000, "and ran it: " + second.traceInstructionsRetired());
    }

    @Test
    void aLoopCompilingToTheSameMethodWithOtherInstructionsIsCompiledAfresh() {
        X86CpuFactory cpus = new X86CpuFactory();
        X86Core[] made = new X86Core[1];
        assertEquals(expected(1000, false), run(cpus, loop(1000, false), made));
        long hits = made[0].traceCache().hits();
        // The same method with another BSWAP: the key tells the instructions apart.
        assertEquals(expected(1000, true), run(cpus, loop(1000, true), made));
        assertEquals(hits, made[0].traceCache().hits(), "no trace of the first loop reused");
    }

    @Test
    void cpusOfDifferentFactoriesShareNothing() {
        X86Core[] made = new X86Core[1];
        run(new X86CpuFactory(), loop(1000, false), made);
        TraceCache first = made[0].traceCache();
        run(new X86CpuFactory(), loop(1000, false), made);
        assertTrue(first != made[0].traceCache());
        assertEquals(0, made[0].traceCache().hits());
    }

    @Test
    void everyFieldOfTheInstructionsAndTheTracesShapeIsPartOfTheKey() {
        TraceCache cache = new TraceCache(8);
        Insn a = new Insn();
        a.op = Op.ALU_RR;
        a.reg = Reg.RAX;
        a.rm = Reg.RCX;
        Insn b = new Insn();
        b.op = Op.ALU_RR;
        b.reg = Reg.RAX;
        b.rm = Reg.RDX;
        Trace ta = new Trace(new Block[] {new Block(CODE, 0, new Insn[] {a})}, true);
        TraceCache.Entry e = entry();
        cache.add(TraceCache.key(ta, 7_000), e);
        assertSame(e, cache.find(TraceCache.key(new Trace(new Block[] {new Block(CODE, 0, new Insn[] {a})}, true), 7_000)));
        assertNull(cache.find(TraceCache.key(new Trace(new Block[] {new Block(CODE, 0, new Insn[] {b})}, true), 7_000)),
                "another operand register");
        assertNull(cache.find(TraceCache.key(new Trace(new Block[] {new Block(CODE, 0, new Insn[] {a})}, false), 7_000)),
                "not a loop");
        assertNull(cache.find(TraceCache.key(new Trace(new Block[] {new Block(CODE + 16, 0, new Insn[] {a})}, true), 7_000)),
                "another address");
        assertNull(cache.find(TraceCache.key(ta, 4_000)), "another bytecode limit");
        assertEquals(1, cache.hits());
        assertEquals(4, cache.misses());
    }

    private static TraceCache.Entry entry() {
        return new TraceCache.Entry(null, new int[0], new int[0], new long[0], new byte[0]);
    }

    @Test
    void theLeastRecentlyUsedTraceGoesFirst() {
        TraceCache cache = new TraceCache(2);
        TraceCache.Entry e = entry();
        cache.add(new long[] {1}, e);
        cache.add(new long[] {2}, e);
        assertNotNull(cache.find(new long[] {1})); // 1 is now the most recent
        cache.add(new long[] {3}, e);
        assertEquals(2, cache.size());
        assertNull(cache.find(new long[] {2}), "the least recently used one was dropped");
        assertNotNull(cache.find(new long[] {1}));
        assertNotNull(cache.find(new long[] {3}));
        assertThrows(IllegalArgumentException.class, () -> new TraceCache(0));
    }
}
