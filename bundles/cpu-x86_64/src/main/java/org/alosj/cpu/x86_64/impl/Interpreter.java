package org.alosj.cpu.x86_64.impl;

import java.lang.invoke.VarHandle;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.Rflags;
import org.alosj.hal.cpu.Vector;

/**
 * The integer instruction set: one method per handler, dispatched from {@link #exec} (shifts,
 * multiply and divide, bit tests and scans in {@link ArithmeticInstructions}). Every handler
 * reads all it needs and checks every fault before it writes architectural state, so a fault
 * leaves the instruction undone (string instructions excepted, which, as on hardware, leave
 * RCX/RSI/RDI at the faulting iteration). Branches write {@link #rip}; the block loop has
 * already set it to the fall-through address.
 */
abstract class Interpreter extends ArithmeticInstructions {
    /** Iterations a REP string instruction runs before it yields (RIP stays on it), as at an interrupt. */
    static final int STRING_CHUNK = 4096;

    /** A store hit a page with decoded code: the rest of the block may be stale. */
    boolean codeModified;
    /** Index in its block of the instruction a compiled block is running (see {@link BlockCompiler}). */
    int blockPos;
    private final StaleBlock staleBlock = new StaleBlock();

    /** Thrown by a compiled block after a store that hit decoded code: the rest of the block may be stale. */
    static final class StaleBlock extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StaleBlock() {
            super(null, null, false, false);
        }
    }

    /** Called by compiled blocks after each instruction that stores to memory. */
    final void storeDone() {
        if (codeModified) {
            throw staleBlock;
        }
    }

    Interpreter(org.alosj.hal.bus.MemoryBus bus) {
        super(bus);
    }

    /** System, SSE and x87 instructions, implemented by the concrete CPU. */
    abstract void execOther(Insn in);

    /** An {@link Op#SSE} instruction (called directly by compiled blocks). */
    abstract void execSse(Insn in);

    /** A frequent SSE operation {@code k} of {@link SseUnit#directKind} {@code kind} (compiled blocks). */
    abstract void execSse(Insn in, int k, int kind);

    /** An {@link Op#X87} instruction (called directly by compiled blocks). */
    abstract void execX87(Insn in);

    final void exec(Insn in) {
        switch (in.op) {
            case Op.NOP:
                if (in.aux == 1) {
                    VarHandle.fullFence(); // MFENCE: no store passes it to a later load
                }
                return;
            case Op.ALU_RR: aluRR(in); return;
            case Op.ALU_MR: aluMR(in); return;
            case Op.ALU_RM: aluRM(in); return;
            case Op.ALU_RI: aluRI(in); return;
            case Op.ALU_MI: aluMI(in); return;
            case Op.TEST_RR: testRR(in); return;
            case Op.TEST_MR: testMR(in); return;
            case Op.TEST_RI: testRI(in); return;
            case Op.TEST_MI: testMI(in); return;
            case Op.MOV_RR: movRR(in); return;
            case Op.MOV_MR: movMR(in); return;
            case Op.MOV_RM: movRM(in); return;
            case Op.MOV_RI: movRI(in); return;
            case Op.MOV_MI: movMI(in); return;
            case Op.MOVZX: movzx(in); return;
            case Op.MOVSX: movsx(in); return;
            case Op.LEA: lea(in); return;
            case Op.XCHG_RR: xchgRR(in); return;
            case Op.XCHG_MR: xchgMR(in); return;
            case Op.CMOV: cmov(in); return;
            case Op.SETCC: setcc(in); return;
            case Op.UNARY: unary(in); return;
            case Op.SHIFT: shift(in); return;
            case Op.SHLD:
            case Op.SHRD: doubleShift(in); return;
            case Op.MULDIV: mulDiv(in); return;
            case Op.IMUL_RE: imulRE(in); return;
            case Op.IMUL_REI: imulREI(in); return;
            case Op.BT_R:
            case Op.BT_I: bitTest(in); return;
            case Op.BSF:
            case Op.BSR:
            case Op.TZCNT:
            case Op.LZCNT:
            case Op.POPCNT: bitScan(in); return;
            case Op.BSWAP: bswap(in); return;
            case Op.CMPXCHG: cmpxchg(in); return;
            case Op.CMPXCHG_DOUBLE: cmpxchgDouble(in); return;
            case Op.XADD: xadd(in); return;
            case Op.CBW: setReg(Reg.RAX, in.size, sx(r[Reg.RAX], in.size / 2)); return;
            case Op.CWD: setReg(Reg.RDX, in.size, sx(r[Reg.RAX], in.size) < 0 ? -1 : 0); return;
            case Op.PUSH_R: pushR(in); return;
            case Op.POP_R: popReg(in); return;
            case Op.PUSH_I: pushI(in); return;
            case Op.PUSH_E: push(in.size, mem.read(ea(in), in.size)); return;
            case Op.POP_E: popMem(in); return;
            case Op.PUSHF: push(in.size, flagsValue() & ~(Rflags.VM | Rflags.RF)); return;
            case Op.POPF: popf(in); return;
            case Op.LAHF: setReg(CpuState.AH, 1, flagsValue() & 0xD5 | 2); return;
            case Op.SAHF: setStatusFlags(getReg(CpuState.AH, 1), Rflags.CF | Rflags.PF | Rflags.AF | Rflags.ZF | Rflags.SF); return;
            case Op.CALL_REL: callRel(in); return;
            case Op.CALL_E: callE(in); return;
            case Op.RET: ret(in); return;
            case Op.JMP_REL: jmpRel(in); return;
            case Op.JMP_E: jmpE(in); return;
            case Op.JCC: jcc(in); return;
            case Op.LOOP: loop(in); return;
            case Op.JRCXZ: if ((in.addr32 ? r[Reg.RCX] & 0xFFFF_FFFFL : r[Reg.RCX]) == 0) { rip = in.imm; } return;
            case Op.ENTER: enter(in); return;
            case Op.LEAVE: leave(in); return;
            case Op.MOVS:
            case Op.STOS:
            case Op.LODS:
            case Op.SCAS:
            case Op.CMPS: StringOps.execute(this, in); return;
            case Op.CLC: setCf(false); return;
            case Op.STC: setCf(true); return;
            case Op.CMC: setCf(!cf()); return;
            case Op.CLD: rf &= ~Rflags.DF; return;
            case Op.STD: rf |= Rflags.DF; return;
            case Op.XLAT: xlat(in); return;
            default: execOther(in);
        }
    }

    // --- handlers named for compiled blocks (see BlockCompiler) --------------------------------------

    final void testRR(Insn in) {
        testRR(in, in.size);
    }

    final void testRR(Insn in, int size) {
        flagsLogic(((getReg(in.reg, size) & getReg(in.rm, size)) << (64 - 8 * size)) >> (64 - 8 * size));
    }

    final void testMR(Insn in) {
        flagsLogic(((getReg(in.reg, in.size) & mem.read(ea(in), in.size)) << in.shift) >> in.shift);
    }

    final void testRI(Insn in) {
        testRI(in, in.size);
    }

    final void testRI(Insn in, int size) {
        flagsLogic(((getReg(in.reg, size) & in.imm) << (64 - 8 * size)) >> (64 - 8 * size));
    }

    final void testMI(Insn in) {
        flagsLogic(((mem.read(ea(in), in.size) & in.imm) << in.shift) >> in.shift);
    }

    final void movMR(Insn in) {
        movMR(in, in.size);
    }

    final void movMR(Insn in, int size) {
        mem.write(ea(in), size, getReg(in.reg, size));
    }

    final void movRI(Insn in) {
        setReg(in.reg, in.size, in.imm);
    }

    final void movMI(Insn in) {
        mem.write(ea(in), in.size, in.imm);
    }

    final void movzx(Insn in) {
        setReg(in.reg, in.size, readE(in, in.aux));
    }

    final void movsx(Insn in) {
        setReg(in.reg, in.size, sx(readE(in, in.aux), in.aux));
    }

    final void setcc(Insn in) {
        writeE(in, 1, cond(in.cond) ? 1 : 0);
    }

    final void imulRE(Insn in) {
        imul2(in, getReg(in.reg, in.size), readE(in, in.size));
    }

    final void imulREI(Insn in) {
        imul2(in, readE(in, in.size), in.imm);
    }

    final void pushR(Insn in) {
        push(in.size, getReg(in.reg, in.size));
    }

    final void pushI(Insn in) {
        push(in.size, in.imm);
    }

    final void callRel(Insn in) {
        call(in, in.imm);
    }

    final void callE(Insn in) {
        call(in, readE(in, 8));
    }

    final void jmpRel(Insn in) {
        jump(in.imm);
    }

    final void jmpE(Insn in) {
        jump(readE(in, 8));
    }

    final void jcc(Insn in) {
        if (cond(in.cond)) {
            rip = in.imm;
        }
    }

    /** Jcc with the condition as a constant (compiled blocks). */
    final void jcc(Insn in, int cc) {
        if (cond(cc)) {
            rip = in.imm;
        }
    }

    // --- ALU ------------------------------------------------------------------------------------------

    /** ADD, OR, ADC, SBB, AND, SUB, XOR, CMP (ModRM.reg numbering): the result, sign-extended. */
    final long alu(int kind, long a, long b, int sh) {
        a = (a << sh) >> sh;
        b = (b << sh) >> sh;
        long res;
        switch (kind) {
            case 0:
                res = ((a + b) << sh) >> sh;
                fOp = F_ADD;
                break;
            case 1:
                res = a | b;
                fOp = F_LOGIC;
                break;
            case 2: {
                long c = cf() ? 1 : 0;
                res = ((a + b + c) << sh) >> sh;
                fOp = F_ADC;
                fAux = c;
                break;
            }
            case 3: {
                long c = cf() ? 1 : 0;
                res = ((a - b - c) << sh) >> sh;
                fOp = F_SBB;
                fAux = c;
                break;
            }
            case 4:
                res = a & b;
                fOp = F_LOGIC;
                break;
            case 6:
                res = a ^ b;
                fOp = F_LOGIC;
                break;
            default:
                res = ((a - b) << sh) >> sh;
                fOp = F_SUB;
                break;
        }
        fA = a;
        fB = b;
        fRes = res;
        return res;
    }

    final void aluRR(Insn in) {
        aluRR(in, in.aux, in.size);
    }

    final void aluRR(Insn in, int kind, int size) {
        if (size >= 4) {
            long res = alu(kind, r[in.reg], r[in.rm], 64 - 8 * size);
            if (kind != 7) {
                r[in.reg] = size == 8 ? res : res & 0xFFFF_FFFFL;
            }
        } else {
            long res = alu(kind, getReg(in.reg, size), getReg(in.rm, size), 64 - 8 * size);
            if (kind != 7) {
                setReg(in.reg, size, res);
            }
        }
    }

    final void aluRI(Insn in) {
        aluRI(in, in.aux, in.size);
    }

    final void aluRI(Insn in, int kind, int size) {
        if (size >= 4) {
            long res = alu(kind, r[in.reg], in.imm, 64 - 8 * size);
            if (kind != 7) {
                r[in.reg] = size == 8 ? res : res & 0xFFFF_FFFFL;
            }
        } else {
            long res = alu(kind, getReg(in.reg, size), in.imm, 64 - 8 * size);
            if (kind != 7) {
                setReg(in.reg, size, res);
            }
        }
    }

    final void aluRM(Insn in) {
        aluRM(in, in.aux, in.size);
    }

    final void aluRM(Insn in, int kind, int size) {
        long b = mem.read(ea(in), size);
        long res = alu(kind, getReg(in.reg, size), b, 64 - 8 * size);
        if (kind != 7) {
            setReg(in.reg, size, res);
        }
    }

    final void aluMR(Insn in) {
        aluMR(in, in.aux, in.size);
    }

    final void aluMR(Insn in, int kind, int size) {
        long a = ea(in);
        if (in.lock) {
            long src = getReg(in.reg, size);
            locked(a, size, v -> alu(kind, v, src, 64 - 8 * size));
            return;
        }
        long v = kind != 7 ? mem.readForWrite(a, size) : mem.read(a, size);
        long res = alu(kind, v, getReg(in.reg, size), 64 - 8 * size);
        if (kind != 7) {
            mem.write(a, size, res);
        }
    }

    final void aluMI(Insn in) {
        aluMI(in, in.aux, in.size);
    }

    final void aluMI(Insn in, int kind, int size) {
        long a = ea(in);
        if (in.lock) {
            locked(a, size, v -> alu(kind, v, in.imm, 64 - 8 * size));
            return;
        }
        long res = alu(kind, kind != 7 ? mem.readForWrite(a, size) : mem.read(a, size), in.imm, 64 - 8 * size);
        if (kind != 7) {
            mem.write(a, size, res);
        }
    }

    final void movRR(Insn in) {
        movRR(in, in.size);
    }

    final void movRR(Insn in, int size) {
        switch (size) {
            case 8: r[in.reg] = r[in.rm]; return;
            case 4: r[in.reg] = r[in.rm] & 0xFFFF_FFFFL; return;
            default: setReg(in.reg, size, getReg(in.rm, size));
        }
    }

    final void movRM(Insn in) {
        movRM(in, in.size);
    }

    final void movRM(Insn in, int size) {
        long a = ea(in);
        switch (size) {
            case 8: r[in.reg] = mem.read64(a); return;
            case 4: r[in.reg] = mem.read32(a); return;
            default: setReg(in.reg, size, mem.read(a, size));
        }
    }

    final void lea(Insn in) {
        long a = r[in.base] + (r[in.index] << in.scale) + in.disp;
        if (in.addr32) {
            a &= 0xFFFF_FFFFL;
        }
        setReg(in.reg, in.size, a);
    }

    final void xchgRR(Insn in) {
        long a = getReg(in.reg, in.size);
        long b = getReg(in.rm, in.size);
        setReg(in.reg, in.size, b);
        setReg(in.rm, in.size, a);
    }

    final void xchgMR(Insn in) {
        // XCHG with memory is locked whether or not it says so.
        long a = ea(in);
        long src = getReg(in.reg, in.size);
        setReg(in.reg, in.size, locked(a, in.size, v -> src));
    }

    final void cmov(Insn in) {
        long v = readE(in, in.size);
        if (cond(in.cond)) {
            setReg(in.reg, in.size, v);
        } else if (in.size == 4) {
            r[in.reg] &= 0xFFFF_FFFFL;
        }
    }

    /** INC, DEC, NOT, NEG (aux 0..3). */
    final void unary(Insn in) {
        long a = in.rm < 0 ? ea(in) : 0;
        if (in.lock) {
            locked(a, in.size, v -> unaryResult(in, v));
            return;
        }
        long res = unaryResult(in, in.rm >= 0 ? getReg(in.rm, in.size) : mem.readForWrite(a, in.size));
        if (in.rm >= 0) {
            setReg(in.rm, in.size, res);
        } else {
            mem.write(a, in.size, res);
        }
    }

    /** The result of INC, DEC, NOT or NEG of {@code v}, with the flags. */
    private long unaryResult(Insn in, long v) {
        int sh = in.shift;
        v = (v << sh) >> sh;
        long res;
        switch (in.aux) {
            case 0:
                res = ((v + 1) << sh) >> sh;
                fAux = cf() ? 1 : 0;
                fOp = F_INC;
                fA = v;
                fB = 1;
                fRes = res;
                break;
            case 1:
                res = ((v - 1) << sh) >> sh;
                fAux = cf() ? 1 : 0;
                fOp = F_DEC;
                fA = v;
                fB = 1;
                fRes = res;
                break;
            case 2:
                res = ~v;
                break;
            default:
                res = ((-v) << sh) >> sh;
                flagsSub(0, v, res);
                break;
        }
        return res;
    }

    // --- atomic read-modify-write ------------------------------------------------------------------------

    final void cmpxchg(Insn in) {
        if (in.rm < 0) {
            // The destination is always written, the old value back on a mismatch (SDM CMPXCHG):
            // atomic with or without LOCK, which x86 allows.
            long a = ea(in);
            long expected = getReg(Reg.RAX, in.size);
            long src = getReg(in.reg, in.size);
            long dst = locked(a, in.size, v -> v == expected ? src : v);
            alu(7, expected, dst, in.shift);
            if (dst != expected) {
                setReg(Reg.RAX, in.size, dst);
            }
            return;
        }
        long dst = getReg(in.rm, in.size);
        alu(7, getReg(Reg.RAX, in.size), dst, in.shift);
        if (fA == fB) {
            setReg(in.rm, in.size, getReg(in.reg, in.size));
        } else {
            setReg(Reg.RAX, in.size, dst);
        }
    }

    final void cmpxchgDouble(Insn in) {
        long a = ea(in);
        int half = in.size / 2;
        if (in.size == 16 && (a & 15) != 0) {
            throw new GuestFault(Vector.GP, 0);
        }
        if (in.size == 8) {
            // CMPXCHG8B: one 8-byte operand, EDX:EAX against it, ECX:EBX into it.
            long expected = getReg(Reg.RDX, 4) << 32 | getReg(Reg.RAX, 4);
            long value = getReg(Reg.RCX, 4) << 32 | getReg(Reg.RBX, 4);
            long old = locked(a, 8, v -> v == expected ? value : v);
            if (old != expected) {
                setReg(Reg.RAX, 4, old & 0xFFFF_FFFFL);
                setReg(Reg.RDX, 4, old >>> 32);
            }
            setStatusFlags(old == expected ? Rflags.ZF : 0, Rflags.ZF);
            return;
        }
        // CMPXCHG16B: Java has no 16-byte compare-and-exchange, so it takes the RAM's lock, atomic
        // against the other CMPXCHG16Bs and split locks (the only other ways to see 16 bytes at
        // once on x86), not against an 8-byte atomic on either half meanwhile.
        synchronized (mem.ram) {
            mem.probeWrite(a, in.size);
            long lo = mem.read(a, half);
            long hi = mem.read(a + half, half);
            mem.probeWrite(a, in.size);
            boolean equal = lo == getReg(Reg.RAX, half) && hi == getReg(Reg.RDX, half);
            if (equal) {
                mem.write(a, half, getReg(Reg.RBX, half));
                mem.write(a + half, half, getReg(Reg.RCX, half));
            } else {
                mem.write(a, half, lo);
                mem.write(a + half, half, hi);
                setReg(Reg.RAX, half, lo);
                setReg(Reg.RDX, half, hi);
            }
            setStatusFlags(equal ? Rflags.ZF : 0, Rflags.ZF);
            VarHandle.fullFence();
        }
    }

    final void xadd(Insn in) {
        if (in.rm < 0) {
            long a = ea(in);
            long src = getReg(in.reg, in.size);
            setReg(in.reg, in.size, locked(a, in.size, v -> alu(0, v, src, in.shift)));
            return;
        }
        long dst = getReg(in.rm, in.size);
        long src = getReg(in.reg, in.size);
        long sum = alu(0, dst, src, in.shift);
        setReg(in.reg, in.size, dst);
        setReg(in.rm, in.size, sum);
    }

    // --- stack and control flow ---------------------------------------------------------------------------

    final void push(int size, long v) {
        long sp = r[Reg.RSP] - size;
        mem.write(sp, size, v);
        r[Reg.RSP] = sp;
    }

    final long pop(int size) {
        long sp = r[Reg.RSP];
        long v = mem.read(sp, size);
        r[Reg.RSP] = sp + size;
        return v;
    }

    final void popReg(Insn in) {
        long v = pop(in.size);
        setReg(in.reg, in.size, v);
    }

    final void popMem(Insn in) {
        long sp = r[Reg.RSP];
        long v = mem.read(sp, in.size);
        r[Reg.RSP] = sp + in.size;
        try {
            mem.write(ea(in), in.size, v);
        } catch (GuestFault f) {
            r[Reg.RSP] = sp;
            throw f;
        }
    }

    final void popf(Insn in) {
        long v = mem.read(r[Reg.RSP], in.size);
        long old = flagsValue();
        long keep = Rflags.VM | Rflags.RF | Rflags.VIF | Rflags.VIP;
        if (cpl > 0) {
            keep |= Rflags.IOPL;
            if (cpl > ((old & Rflags.IOPL) >>> 12)) {
                keep |= Rflags.IF;
            }
        }
        if (in.size == 2) {
            keep |= ~0xFFFFL;
        }
        r[Reg.RSP] += in.size;
        loadRflags((old & keep) | (v & ~keep));
        alignmentCheckChanged();
    }

    /** RFLAGS.AC or CR0.AM may have changed. */
    abstract void alignmentCheckChanged();

    private void call(Insn in, long target) {
        if (!Mmu.canonical(target)) {
            throw new GuestFault(Vector.GP, 0);
        }
        push(8, in.next);
        rip = target;
    }

    private void jump(long target) {
        if (!Mmu.canonical(target)) {
            throw new GuestFault(Vector.GP, 0);
        }
        rip = target;
    }

    final void ret(Insn in) {
        long sp = r[Reg.RSP];
        long target = mem.read(sp, in.size);
        if (!Mmu.canonical(target)) {
            throw new GuestFault(Vector.GP, 0);
        }
        r[Reg.RSP] = sp + in.size + in.imm;
        rip = target;
    }

    final void loop(Insn in) {
        long c = r[Reg.RCX] - 1;
        boolean nonZero;
        if (in.addr32) {
            r[Reg.RCX] = c & 0xFFFF_FFFFL;
            nonZero = (c & 0xFFFF_FFFFL) != 0;
        } else {
            r[Reg.RCX] = c;
            nonZero = c != 0;
        }
        boolean taken = in.aux == 0 ? nonZero && !zf() : in.aux == 1 ? nonZero && zf() : nonZero;
        if (taken) {
            rip = in.imm;
        }
    }

    final void enter(Insn in) {
        int size = in.size;
        long alloc = in.imm;
        int level = (int) (in.imm2 & 31);
        long sp = r[Reg.RSP];
        long bp = r[Reg.RBP];
        // Check the whole frame is writable first, so a fault changes nothing.
        long frameTemp = sp - size;
        mem.probeWrite(frameTemp, size);
        mem.write(frameTemp, size, bp);
        long cur = frameTemp;
        if (level > 0) {
            long p = bp;
            for (int i = 1; i < level; i++) {
                p -= size;
                cur -= size;
                mem.write(cur, size, mem.read(p, size));
            }
            cur -= size;
            mem.write(cur, size, frameTemp);
        }
        // Hardware checks the final stack pointer is writable (after the frame copy, before the registers change).
        mem.probeWrite(cur - alloc, size);
        setReg(Reg.RBP, size, frameTemp);
        r[Reg.RSP] = cur - alloc;
    }

    final void leave(Insn in) {
        long bp = r[Reg.RBP];
        long v = mem.read(bp, in.size);
        r[Reg.RSP] = bp + in.size;
        setReg(Reg.RBP, in.size, v);
    }

    final void xlat(Insn in) {
        long a = r[Reg.RBX] + (r[Reg.RAX] & 0xFF);
        if (in.addr32) {
            a &= 0xFFFF_FFFFL;
        }
        if (in.seg != 0) {
            a += segBase(in.seg);
        }
        setReg(Reg.RAX, 1, mem.read8(a));
    }
}
