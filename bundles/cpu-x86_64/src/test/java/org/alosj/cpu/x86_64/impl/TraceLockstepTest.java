package org.alosj.cpu.x86_64.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.alosj.cpu.x86_64.FlatRamBus;
import org.alosj.cpu.x86_64.PageTables;
import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.CpuStatistics;
import org.alosj.hal.cpu.Cr;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.Rflags;
import org.alosj.hal.cpu.RunExit;
import org.alosj.hal.cpu.TrapHandler;
import org.alosj.hal.cpu.TrapKind;
import org.junit.jupiter.api.Test;

/**
 * The trace JIT against the interpreter: seeded random code pages (random bytes, and loops of
 * random instructions from the subset traces run inline, mixed with some they run through
 * handlers, stores into the code page among them) run on two CPUs, one interpreting only, one
 * turning every block into a trace at once; after every return from {@link Cpu#run} (random
 * budgets, so traces stop mid-loop; exits into other traces, which the JIT's CPU runs without
 * going back to its run loop, traces joined to such an exit of another, and traces taken from
 * the cache of compiled ones, where a page repeats a path of an earlier one) both must agree on every register, RIP, RFLAGS, the
 * instruction count, the exception taken and the memory written. The data pointer is sometimes
 * at a page boundary (accesses that cross it) or at the end of the mapped data (page faults).
 */
class TraceLockstepTest {
    static final long SEED = Long.getLong("cpu.trace.seed", 0x7ACEL);
    static final int PAGES = Integer.getInteger("cpu.trace.pages", 600);
    static final long CODE = 0x40_0000L;
    static final long DATA = 0x60_0000L;
    static final int DATA_PAGES = 4;
    /** Registers random instructions use; RBX and RBP hold the data and code pointers, R15 the loop count. */
    static final int[] POOL = {0, 1, 2, 6, 7, 8, 9, 10, 11, 12, 13, 14};
    /** Byte registers without REX that leave RBX alone: AL, CL, DL, AH, CH, DH. */
    static final int[] BYTE_REGS = {0, 1, 2, 4, 5, 6};
    /** The displacement argument of {@link #sse} for a register operand. */
    static final int REGISTER = Integer.MIN_VALUE;

    /** One CPU with its memory and the last trap it took. */
    static final class Machine {
        final FlatRamBus bus = new FlatRamBus(16L << 20);
        final PageTables pt = new PageTables(bus, 0x10_0000);
        final Cpu cpu = new X86CpuFactory().create(bus);
        final long codePhys;
        int lastVector = -1;
        long lastErrorCode;

        Machine() {
            codePhys = pt.map(CODE, PageTables.US | PageTables.RW);
            // In reverse: a page's successor in RAM is not the next virtual page, so an access
            // crossing a page boundary must find both pages.
            for (int i = DATA_PAGES - 1; i >= 0; i--) {
                pt.map(DATA + 0x1000L * i, PageTables.US | PageTables.RW | PageTables.NX);
            }
            cpu.setCr(3, pt.pml4);
            cpu.setCr(0, cpu.cr(0) | Cr.CR0_PG | Cr.CR0_WP);
            cpu.setCr(4, cpu.cr(4) | Cr.CR4_OSFXSR);
            for (int v = 0; v < 256; v++) {
                cpu.setTrapHandler(v, 3, (c, f) -> {
                    lastVector = f.kind() == TrapKind.SOFTWARE_INTERRUPT ? 1000 + f.vector() : f.vector();
                    lastErrorCode = f.errorCode();
                    return TrapHandler.Resume.EXIT_RUN;
                });
            }
        }

        void load(byte[] code, byte[] data, long[] regs, long[] xmm, int mxcsr, long rflags, long rip) {
            bus.write(codePhys, code, 0, code.length);
            cpu.invalidateCode(codePhys, code.length);
            pt.write(DATA, data);
            for (int r = 0; r < 16; r++) {
                cpu.setReg(r, regs[r]);
            }
            System.arraycopy(xmm, 0, ((X86Core) cpu).xmm, 0, xmm.length);
            ((X86Core) cpu).mxcsr = mxcsr;
            cpu.setCs(0x33);
            cpu.setSs(0x2B);
            cpu.setRflags(rflags);
            cpu.setRip(rip);
            lastVector = -1;
        }
    }

    @Test
    void tracesLeaveTheSameArchitecturalStateAsTheInterpreterAtEveryExit() {
        Machine interp = new Machine();
        Machine jit = new Machine();
        X86Core ref = (X86Core) interp.cpu;
        ref.compileThreshold = Integer.MAX_VALUE;
        ref.traceThreshold = 0;
        X86Core core = (X86Core) jit.cpu;
        Random rng = new Random(SEED);
        byte[] data = new byte[DATA_PAGES * 0x1000];
        long exits = 0;
        for (int page = 0; page < PAGES; page++) {
            // Alternate: traces formed on first run, and traces recorded from hot compiled blocks.
            core.traceOnFirstRun = (page & 1) == 0;
            core.compileThreshold = 1;
            core.traceThreshold = core.traceOnFirstRun ? 0 : 2;
            // Traces joined to the exits that lead into other traces, after one such exit or a few.
            core.extendAfter = (page & 2) == 0 ? 1 : 3;
            boolean randomBytes = page % 4 == 3;
            byte[] code = randomBytes ? randomPage(rng) : instructionPage(rng);
            rng.nextBytes(data);
            long[] regs = new long[16];
            for (int r = 0; r < 16; r++) {
                regs[r] = rng.nextInt(3) == 0 ? DATA + rng.nextInt(DATA_PAGES * 0x1000) : rng.nextLong();
            }
            // The data pointer mid-page; or at a page boundary, so that accesses cross it; or at the
            // end of the mapped pages, so that some fault (the trace leaves at its TLB test).
            int dataAt = rng.nextInt(8);
            regs[Reg.RBX] = dataAt < 2 ? DATA + 0x1000L * (1 + rng.nextInt(DATA_PAGES - 1))
                    : dataAt == 2 ? DATA + 0x1000L * DATA_PAGES : DATA + 0x800;
            regs[Reg.RBP] = CODE + 0xE00;
            regs[Reg.RSP] = DATA + 0x2000 + 8 * rng.nextInt(64);
            long[] xmm = new long[32];
            for (int i = 0; i < xmm.length; i++) {
                // Doubles of every kind: ordinary ones, small integers, NaNs and infinities.
                xmm[i] = switch (rng.nextInt(4)) {
                    case 0 -> Double.doubleToRawLongBits(rng.nextGaussian() * 1e3);
                    case 1 -> Double.doubleToRawLongBits(rng.nextInt(100));
                    case 2 -> rng.nextLong();
                    default -> rng.nextLong() & 0xFF00_FF00_FF00_FF00L;
                };
            }
            // Any rounding mode, PE set or not, and now and then precision exceptions unmasked (they fault).
            int mxcsr = (0x1F80 | rng.nextInt(4) << 13 | (rng.nextBoolean() ? 0x20 : 0)) & ~(rng.nextInt(8) == 0 ? 0x1000 : 0);
            long rflags = Rflags.IF | (rng.nextLong() & (Rflags.STATUS | Rflags.DF));
            long rip = randomBytes ? CODE + rng.nextInt(32) : CODE;
            interp.load(code, data, regs, xmm, mxcsr, rflags, rip);
            jit.load(code, data, regs, xmm, mxcsr, rflags, rip);
            // Now and then SSE unusable (CR0.TS: #NM, CR4.OSFXSR clear: #UD) at the first SSE instruction.
            int sseOff = rng.nextInt(16);
            for (Machine m : new Machine[] {interp, jit}) {
                m.cpu.setCr(0, sseOff == 0 ? m.cpu.cr(0) | Cr.CR0_TS : m.cpu.cr(0) & ~Cr.CR0_TS);
                m.cpu.setCr(4, sseOff == 1 ? m.cpu.cr(4) & ~Cr.CR4_OSFXSR : m.cpu.cr(4) | Cr.CR4_OSFXSR);
            }
            for (int round = 0; round < 40; round++) {
                long budget = 1 + rng.nextInt(rng.nextBoolean() ? 50 : 5_000);
                RunExit a = interp.cpu.run(budget);
                RunExit b = jit.cpu.run(budget);
                String where = "page " + page + " round " + round + " (seed " + Long.toHexString(SEED) + ")";
                compare(where, interp, jit, a, b);
                exits++;
                if (a != RunExit.BUDGET) {
                    break;
                }
            }
        }
        CpuStatistics s = jit.cpu.statistics();
        assertTrue(core.tracesCompiled() > 0 && core.traceInstructionsRetired() > s.instructionsRetired() / 4,
                () -> "the traces ran too little: " + core.traceInstructionsRetired() + " of "
                        + s.instructionsRetired() + " instructions, " + core.tracesCompiled() + " traces");
        assertTrue(exits > PAGES, "too few exits compared: " + exits);
        assertTrue(core.tracesLinked() > 0, "no trace exit went straight into another trace");
        assertTrue(core.tracesExtended() > 0, "no trace was joined to an exit of another");
        assertTrue(core.returnsJoined() > 0, "no trace was joined at a return");
        assertTrue(core.traceCache().hits() > 0, "no page reused a trace compiled for an earlier one");
    }

    private static void compare(String where, Machine m1, Machine m2, RunExit a, RunExit b) {
        Cpu x = m1.cpu;
        Cpu y = m2.cpu;
        assertEquals(a, b, where + ": run exit");
        assertEquals(m1.lastVector, m2.lastVector, where + ": exception");
        assertEquals(m1.lastErrorCode, m2.lastErrorCode, where + ": error code");
        assertEquals(Long.toHexString(x.rip()), Long.toHexString(y.rip()), where + ": RIP");
        for (int r = 0; r < 16; r++) {
            assertEquals(Long.toHexString(x.reg(r)), Long.toHexString(y.reg(r)), where + ": register " + r);
        }
        assertEquals(Long.toHexString(x.rflags()), Long.toHexString(y.rflags()), where + ": RFLAGS");
        assertArrayEquals(Arrays.copyOf(((X86Core) x).xmm, 32), Arrays.copyOf(((X86Core) y).xmm, 32), where + ": XMM registers");
        assertEquals(((X86Core) x).mxcsr(), ((X86Core) y).mxcsr(), where + ": MXCSR");
        assertEquals(x.instructionsRetired(), y.instructionsRetired(), where + ": instructions retired");
        assertArrayEquals(m1.pt.read(DATA, DATA_PAGES * 0x1000), m2.pt.read(DATA, DATA_PAGES * 0x1000),
                where + ": data memory");
        assertArrayEquals(m1.pt.read(CODE, 0x1000), m2.pt.read(CODE, 0x1000), where + ": code page");
    }

    private static byte[] randomPage(Random rng) {
        byte[] page = new byte[0x1000];
        rng.nextBytes(page);
        if (rng.nextBoolean()) {
            Arrays.fill(page, 64, page.length, (byte) 0x90);
        }
        return page;
    }

    /**
     * A counted loop (R15) over random instructions, forward conditional jumps among them, a
     * call to a small function at 0xC00 that returns, then UD2. RBP points into the code page
     * at 0xE00: stores through it are self-modifying code.
     */
    static byte[] instructionPage(Random rng) {
        byte[] page = new byte[0x1000];
        Arrays.fill(page, (byte) 0xCC);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        emit(out, 0x41, 0xBF); // mov r15d, iterations
        int32(out, 1 + rng.nextInt(300));
        int loop = out.size();
        List<byte[]> body = new ArrayList<>();
        int n = 3 + rng.nextInt(30);
        for (int i = 0; i < n; i++) {
            body.add(randomInstruction(rng, i, n));
        }
        for (int i = 0; i < body.size(); i++) {
            if (rng.nextInt(6) == 0 && i + 1 < body.size()) {
                int skip = 1 + rng.nextInt(Math.min(3, body.size() - i - 1));
                int len = 0;
                for (int j = i; j < i + skip; j++) {
                    len += body.get(j).length;
                }
                if (len < 120) {
                    emit(out, 0x70 + rng.nextInt(16), len); // jcc over the next instructions
                }
            }
            if (rng.nextInt(12) == 0) {
                int at = out.size() + 5;
                emit(out, 0xE8); // call the function
                int32(out, 0xC00 - at);
            }
            out.writeBytes(body.get(i));
        }
        emit(out, 0x41, 0xFF, 0xCF); // dec r15d
        emit(out, 0x0F, 0x85);
        int32(out, loop - (out.size() + 4));
        emit(out, 0x0F, 0x0B); // ud2
        byte[] main = out.toByteArray();
        System.arraycopy(main, 0, page, 0, Math.min(main.length, 0xC00));
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        for (int i = rng.nextInt(4); i > 0; i--) {
            f.writeBytes(randomInstruction(rng, 0, 0));
        }
        emit(f, 0xC3); // ret
        byte[] fn = f.toByteArray();
        System.arraycopy(fn, 0, page, 0xC00, fn.length);
        return page;
    }

    private static byte[] randomInstruction(Random rng, int i, int n) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int r = POOL[rng.nextInt(POOL.length)];
        int s = POOL[rng.nextInt(POOL.length)];
        boolean w = rng.nextInt(3) != 0;
        int d8 = rng.nextInt(256) - 128 & ~(rng.nextBoolean() ? 7 : 0);
        switch (rng.nextInt(30)) {
            case 0, 1, 2 -> rr(o, w, 0x01 + 8 * rng.nextInt(8), s, r); // ALU r/m, r
            case 3 -> { // ALU r, imm8
                rex(o, w, 0, r);
                emit(o, 0x83, 0xC0 | rng.nextInt(8) << 3 | r & 7, rng.nextInt(256));
            }
            case 4 -> { // ALU r, imm32
                rex(o, w, 0, r);
                emit(o, 0x81, 0xC0 | rng.nextInt(8) << 3 | r & 7);
                int32(o, rng.nextInt());
            }
            case 5 -> mem(o, w, 0x8B, r, Reg.RBX, d8); // mov r, [rbx+d8]
            case 6 -> mem(o, w, rng.nextInt(3) == 0 ? 0x88 : 0x89, r, Reg.RBX, d8); // mov [rbx+d8], r (or r8)
            case 7 -> mem(o, w, 0x03 + 8 * rng.nextInt(8), r, Reg.RBX, d8); // ALU r, [rbx+d8]
            case 8 -> mem(o, w, (rng.nextInt(3) == 0 ? 0x00 : 0x01) + 8 * rng.nextInt(8), r, Reg.RBX, d8); // ALU [rbx+d8], r (or r8)
            case 9 -> { // lea r, [s + r2*scale + d8]
                int t = POOL[rng.nextInt(POOL.length)];
                emit(o, 0x48 | (r >> 3) << 2 | (t >> 3) << 1 | s >> 3, 0x8D, 0x44 | (r & 7) << 3,
                        rng.nextInt(4) << 6 | (t & 7) << 3 | s & 7, d8 & 0xFF);
            }
            case 10 -> { // movzx/movsx r, byte/word [rbx+d8]
                rex(o, w, r, Reg.RBX);
                emit(o, 0x0F, 0xB6 + rng.nextInt(2) + 8 * rng.nextInt(2), 0x43 | (r & 7) << 3, d8 & 0xFF);
            }
            case 11 -> rr(o, w, 0x85, s, r); // test
            case 12 -> { // inc/dec/not/neg
                rex(o, w, 0, r);
                int k = rng.nextInt(4);
                emit(o, k < 2 ? 0xFF : 0xF7, 0xC0 | (k < 2 ? k : k) << 3 | r & 7);
            }
            case 13 -> { // shl/shr/sar r, imm8 (sometimes 0 or 1 or past the width)
                rex(o, w, 0, r);
                int[] kinds = {4, 5, 7, 0, 1};
                emit(o, 0xC1, 0xC0 | kinds[rng.nextInt(rng.nextInt(4) == 0 ? 5 : 3)] << 3 | r & 7, rng.nextInt(70));
            }
            case 14 -> { // imul r, r/m
                rex(o, w, r, s);
                emit(o, 0x0F, 0xAF, 0xC0 | (r & 7) << 3 | s & 7);
            }
            case 15 -> { // imul r, r/m, imm8
                rex(o, w, r, s);
                emit(o, 0x6B, 0xC0 | (r & 7) << 3 | s & 7, rng.nextInt(256));
            }
            case 16 -> { // cmovcc
                rex(o, w, r, s);
                emit(o, 0x0F, 0x40 + rng.nextInt(16), 0xC0 | (r & 7) << 3 | s & 7);
            }
            case 17 -> emit(o, 0x0F, 0x90 + rng.nextInt(16), 0xC0 | BYTE_REGS[rng.nextInt(BYTE_REGS.length)]); // setcc
            case 18 -> { // push r; pop s
                rex(o, false, 0, r);
                emit(o, 0x50 + (r & 7));
                rex(o, false, 0, s);
                emit(o, 0x58 + (s & 7));
            }
            case 19 -> { // cmp r, s; then a flag consumer follows through the jcc of the caller or here
                rr(o, w, 0x39, s, r);
                emit(o, 0x0F, 0x90 + rng.nextInt(16), 0xC0 | rng.nextInt(4));
            }
            case 20 -> { // mov r, imm32 / imm64
                rex(o, w, 0, r);
                emit(o, 0xB8 + (r & 7));
                int32(o, rng.nextInt());
                if (w) {
                    int32(o, rng.nextInt());
                }
            }
            case 21 -> { // through a handler: adc/sbb, xchg, cqo, bswap, mul, bt
                switch (rng.nextInt(6)) {
                    case 0 -> rr(o, w, rng.nextBoolean() ? 0x11 : 0x19, s, r);
                    case 1 -> rr(o, w, 0x87, s, r);
                    case 2 -> emit(o, 0x48, 0x99);
                    case 3 -> {
                        rex(o, w, 0, r);
                        emit(o, 0x0F, 0xC8 + (r & 7));
                    }
                    case 4 -> {
                        rex(o, w, 0, r);
                        emit(o, 0xF7, 0xE0 | r & 7);
                    }
                    default -> {
                        rex(o, w, s, r);
                        emit(o, 0x0F, 0xA3, 0xC0 | (s & 7) << 3 | r & 7);
                    }
                }
            }
            case 22 -> { // now and then a byte stored into the code page (self-modifying code)
                if (rng.nextInt(8) == 0) {
                    emit(o, 0xC6, 0x45, rng.nextInt(256), rng.nextBoolean() ? 0xC3 : 0x90);
                } else {
                    mem(o, w, 0x8B, r, Reg.RBX, d8);
                }
            }
            case 23 -> { // mov r8/r16, narrow ALU
                rr(o, false, rng.nextBoolean() ? 0x88 : 0x00 + 8 * rng.nextInt(8), BYTE_REGS[rng.nextInt(6)],
                        BYTE_REGS[rng.nextInt(6)]);
            }
            case 24 -> { // 16-bit ALU
                emit(o, 0x66);
                rr(o, false, 0x01 + 8 * rng.nextInt(8), s, r);
            }
            case 26, 27 -> { // SSE between registers (some with a general register)
                int[][] forms = {
                    {0xF2, 0x59}, {0xF2, 0x58}, {0xF2, 0x5C}, {0xF2, 0x10}, {0x66, 0x74}, {0x66, 0xEF}, {0x66, 0xEB},
                    {0x66, 0xDA}, {0x66, 0x6F}, {0xF3, 0x6F}, {0x66, 0xD4}, {0, 0x28}, {0x66, 0x2E}, {0x66, 0x2F},
                    {0x66, 0x28}, {0xF2, 0x5E}, {0x66, 0xDB}, {0x66, 0x62}, {0xF3, 0x58}, {0x66, 0x60}, {0x66, 0x61},
                    {0x66, 0x68}, {0x66, 0x69}, {0x66, 0x6A}, {0x66, 0x6C}, {0x66, 0x6D}, {0, 0x14}, {0x66, 0x15},
                    {0, 0x15}, {0x66, 0xDF}, {0, 0x55}, {0x66, 0x57}, {0xF3, 0x10}, {0x66, 0xFB}, {0, 0x10},
                    {0x66, 0x59}, {0, 0x54}, {0x66, 0x29}, {0xF3, 0x7F}, {0xF2, 0x11}, {0x66, 0x58}, {0xF2, 0x51},
                    {0x66, 0x5D}, {0xF2, 0x5F}, {0x66, 0x5E}, {0x66, 0x5C}, {0x66, 0x51}, {0xF2, 0x5D},
                    {0x66, 0x5F}, {0xF2, 0x59}, {0x66, 0x58}, {0x66, 0xFC}, {0x66, 0xFE}, {0x66, 0xDE},
                    {0xF3, 0x59}, {0, 0x58}, {0x66, 0x64}, {0x66, 0xD7},
                };
                int[] f = forms[rng.nextInt(forms.length)];
                // Half of them on XMM0..3: what handlers write, inline forms then read.
                int pool = rng.nextBoolean() ? 4 : 16;
                sse(o, f[0], false, f[1], rng.nextInt(pool), rng.nextInt(pool), REGISTER);
            }
            case 28 -> { // SSE with a general register: pmovmskb, cvttsd2si, cvtsi2sd, movd, movq
                int x = rng.nextInt(16);
                switch (rng.nextInt(5)) {
                    case 0 -> sse(o, 0x66, false, 0xD7, r, x, REGISTER);
                    case 1 -> sse(o, 0xF2, w, 0x2C, r, x, REGISTER);
                    case 2 -> sse(o, 0xF2, w, 0x2A, x, r, REGISTER);
                    case 3 -> sse(o, 0x66, w, 0x6E, x, r, REGISTER);
                    default -> sse(o, 0x66, w, 0x7E, x, r, REGISTER);
                }
            }
            case 29 -> { // SSE with memory, shifts by CL, ADC/SBB with memory, 8- and 16-bit shifts
                int x = rng.nextInt(16);
                int[][] forms = {
                    {0xF2, 0x10}, {0xF2, 0x11}, {0xF2, 0x59}, {0xF2, 0x58}, {0xF3, 0x6F}, {0xF3, 0x7F},
                    {0x66, 0x6F}, {0x66, 0x74}, {0x66, 0xEB}, {0x66, 0xDA}, {0x66, 0x7F}, {0x66, 0xD6},
                    {0, 0x29}, {0x66, 0x29}, {0xF3, 0x11}, {0xF3, 0x10}, {0x66, 0x62}, {0x66, 0x6D}, {0, 0x11},
                    {0x66, 0x10}, {0x66, 0xDF}, {0, 0x57}, {0x66, 0xD4}, {0x66, 0x68}, {0x66, 0x59}, {0, 0x28},
                    {0x66, 0x5C}, {0xF2, 0x5E}, {0x66, 0x51}, {0xF2, 0x2A},
                };
                switch (rng.nextInt(4)) {
                    case 3 -> { // shl/shr/sar r8 (AH..DH too) or r16, imm8 (sometimes 0 or past the width)
                        int[] kinds = {4, 5, 7};
                        int kind = kinds[rng.nextInt(kinds.length)] << 3;
                        if (rng.nextBoolean()) {
                            emit(o, 0xC0, 0xC0 | kind | BYTE_REGS[rng.nextInt(BYTE_REGS.length)], rng.nextInt(20));
                        } else {
                            emit(o, 0x66);
                            rex(o, false, 0, r);
                            emit(o, 0xC1, 0xC0 | kind | r & 7, rng.nextInt(20));
                        }
                    }
                    case 0 -> {
                        int[] f = forms[rng.nextInt(forms.length)];
                        sse(o, f[0], false, f[1], x, Reg.RBX, d8);
                    }
                    case 1 -> {
                        int[] kinds = {4, 5, 7, 0, 1, 2, 3};
                        rex(o, w, 0, r);
                        emit(o, 0xD3, 0xC0 | kinds[rng.nextInt(kinds.length)] << 3 | r & 7);
                    }
                    default -> mem(o, w, new int[] {0x11, 0x13, 0x19, 0x1B}[rng.nextInt(4)], r, Reg.RBX, d8);
                }
            }
            default -> { // movsxd, movzx r, r8
                if (rng.nextBoolean()) {
                    rex(o, true, r, s);
                    emit(o, 0x63, 0xC0 | (r & 7) << 3 | s & 7);
                } else {
                    rex(o, w, r, s);
                    emit(o, 0x0F, 0xB6 + 8 * rng.nextInt(2), 0xC0 | (r & 7) << 3 | s & 7);
                }
            }
        }
        return o.toByteArray();
    }

    /** An SSE instruction: prefix (0: none), REX, 0F opcode, then rm a register, or [rm + d8] when d8 is not {@link #REGISTER}. */
    private static void sse(ByteArrayOutputStream o, int prefix, boolean w, int opcode, int reg, int rm, int d8) {
        if (prefix != 0) {
            o.write(prefix);
        }
        rex(o, w, reg, rm);
        emit(o, 0x0F, opcode);
        if (d8 == REGISTER) {
            emit(o, 0xC0 | (reg & 7) << 3 | rm & 7);
        } else {
            emit(o, 0x40 | (reg & 7) << 3 | rm & 7, d8 & 0xFF);
        }
    }

    private static void rr(ByteArrayOutputStream o, boolean w, int opcode, int reg, int rm) {
        rex(o, w, reg, rm);
        emit(o, opcode, 0xC0 | (reg & 7) << 3 | rm & 7);
    }

    private static void mem(ByteArrayOutputStream o, boolean w, int opcode, int reg, int base, int d8) {
        rex(o, w, reg, base);
        emit(o, opcode, 0x40 | (reg & 7) << 3 | base & 7, d8 & 0xFF);
    }

    private static void rex(ByteArrayOutputStream o, boolean w, int reg, int rm) {
        int rex = (w ? 8 : 0) | (reg >> 3) << 2 | rm >> 3;
        if (rex != 0) {
            o.write(0x40 | rex);
        }
    }

    private static void emit(ByteArrayOutputStream o, int... bytes) {
        for (int x : bytes) {
            o.write(x);
        }
    }

    private static void int32(ByteArrayOutputStream o, int v) {
        for (int i = 0; i < 4; i++) {
            o.write(v >>> (8 * i));
        }
    }
}
