package org.alosj.cpu.x86_64.impl;

import org.alosj.hal.cpu.Reg;

/**
 * MOVS, STOS, LODS, SCAS and CMPS, with REP/REPE/REPNE. A repeated instruction runs at most
 * {@link Interpreter#STRING_CHUNK} iterations per execution and then leaves RIP on itself, as
 * hardware does when it takes an interrupt mid-string: a huge RCX cannot starve preemption.
 * RCX, RSI and RDI advance after each completed iteration, so a fault resumes exactly.
 */
final class StringOps {
    private StringOps() {
    }

    static void execute(Interpreter s, Insn in) {
        if (in.rep == 0) {
            once(s, in);
            return;
        }
        long amask = in.addr32 ? 0xFFFF_FFFFL : -1L;
        boolean compares = in.op == Op.CMPS || in.op == Op.SCAS;
        for (int n = 0;; n++) {
            long count = s.r[Reg.RCX] & amask;
            if (count == 0) {
                return;
            }
            if (n >= Interpreter.STRING_CHUNK) {
                s.rip = in.rip;
                return;
            }
            if (!compares && in.op != Op.LODS && !s.df() && count > 1) {
                int done = bulk(s, in, amask);
                if (done > 0) {
                    n += done - 1;
                    continue;
                }
            }
            once(s, in);
            s.r[Reg.RCX] = (count - 1) & amask;
            if (compares && (in.rep == 0xF3 ? !s.zf() : s.zf())) {
                return;
            }
        }
    }

    /**
     * Forward REP MOVS/STOS within one page on each side: whole runs of elements through the
     * TLB without per-element dispatch. Returns the elements done (0: none).
     */
    private static int bulk(Interpreter s, Insn in, long amask) {
        int size = in.size;
        long rdi = s.r[Reg.RDI] & amask;
        long count = s.r[Reg.RCX] & amask;
        long room = (0x1000 - (rdi & 0xFFF)) / size;
        long rsi = 0;
        long srcBase = in.seg != 0 ? s.segBase(in.seg) : 0;
        if (in.op == Op.MOVS) {
            rsi = s.r[Reg.RSI] & amask;
            room = Math.min(room, (0x1000 - ((rsi + srcBase) & 0xFFF)) / size);
        }
        long n = Math.min(Math.min(room, count), Interpreter.STRING_CHUNK);
        if (n < 2) {
            return 0;
        }
        Mmu m = s.mem;
        long acc = s.getReg(Reg.RAX, size);
        for (long i = 0; i < n; i++) {
            long v = in.op == Op.MOVS ? m.read(srcBase + rsi + i * size, size) : acc;
            m.write(rdi + i * size, size, v);
            // Keep the registers exact after every element in case the next one faults.
            s.r[Reg.RDI] = (rdi + (i + 1) * size) & amask;
            if (in.op == Op.MOVS) {
                s.r[Reg.RSI] = (rsi + (i + 1) * size) & amask;
            }
            s.r[Reg.RCX] = (count - i - 1) & amask;
        }
        return (int) n;
    }

    private static void once(Interpreter s, Insn in) {
        int size = in.size;
        long amask = in.addr32 ? 0xFFFF_FFFFL : -1L;
        long delta = s.df() ? -size : size;
        long srcBase = in.seg != 0 ? s.segBase(in.seg) : 0;
        Mmu m = s.mem;
        switch (in.op) {
            case Op.MOVS: {
                long rsi = s.r[Reg.RSI] & amask;
                long rdi = s.r[Reg.RDI] & amask;
                m.write(rdi, size, m.read(srcBase + rsi, size));
                s.r[Reg.RSI] = (rsi + delta) & amask;
                s.r[Reg.RDI] = (rdi + delta) & amask;
                return;
            }
            case Op.STOS: {
                long rdi = s.r[Reg.RDI] & amask;
                m.write(rdi, size, s.getReg(Reg.RAX, size));
                s.r[Reg.RDI] = (rdi + delta) & amask;
                return;
            }
            case Op.LODS: {
                long rsi = s.r[Reg.RSI] & amask;
                s.setReg(Reg.RAX, size, m.read(srcBase + rsi, size));
                s.r[Reg.RSI] = (rsi + delta) & amask;
                return;
            }
            case Op.SCAS: {
                long rdi = s.r[Reg.RDI] & amask;
                long v = m.read(rdi, size);
                s.alu(7, s.getReg(Reg.RAX, size), v, in.shift);
                s.r[Reg.RDI] = (rdi + delta) & amask;
                return;
            }
            default: {
                long rsi = s.r[Reg.RSI] & amask;
                long rdi = s.r[Reg.RDI] & amask;
                long a = m.read(srcBase + rsi, size);
                long b = m.read(rdi, size);
                s.alu(7, a, b, in.shift);
                s.r[Reg.RSI] = (rsi + delta) & amask;
                s.r[Reg.RDI] = (rdi + delta) & amask;
            }
        }
    }

    static boolean isString(int op) {
        return op == Op.MOVS || op == Op.STOS || op == Op.LODS || op == Op.SCAS || op == Op.CMPS;
    }
}
