package org.alosj.cpu.x86_64.impl;

import java.lang.invoke.VarHandle;
import java.util.function.LongUnaryOperator;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.Rflags;
import org.alosj.hal.cpu.Vector;

/**
 * The integer instruction set: one method per handler, dispatched from {@link #exec}. Every
 * handler reads all it needs and checks every fault before it writes architectural state, so a
 * fault leaves the instruction undone (string instructions excepted, which, as on hardware,
 * leave RCX/RSI/RDI at the faulting iteration). Branches write {@link #rip}; the block loop has
 * already set it to the fall-through address.
 */
abstract class Interpreter extends CpuState implements Mmu.CodeWriteListener {
    /** Iterations a REP string instruction runs before it yields (RIP stays on it), as at an interrupt. */
    static final int STRING_CHUNK = 4096;

    final Mmu mem;
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
        this.mem = new Mmu(this, bus, this);
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

    // --- operands ---------------------------------------------------------------------------------

    final long readE(Insn in, int size) {
        return in.rm >= 0 ? getReg(in.rm, size) : mem.read(ea(in), size);
    }

    final void writeE(Insn in, int size, long v) {
        if (in.rm >= 0) {
            setReg(in.rm, size, v);
        } else {
            mem.write(ea(in), size, v);
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

    // --- shifts and rotates ------------------------------------------------------------------------------

    final void shift(Insn in) {
        int bits = in.size * 8;
        int count = (int) ((in.cond == 1 ? r[Reg.RCX] : in.imm) & (bits == 64 ? 63 : 31));
        if (count == 0) {
            countZero(in);
            return;
        }
        if (in.rm >= 0 && in.size >= 4 && in.aux >= 4) {
            shiftRegister(in, count);
            return;
        }
        long addr = in.rm < 0 ? ea(in) : 0;
        long v = in.rm >= 0 ? getReg(in.rm, in.size) : mem.readForWrite(addr, in.size);
        long m = mask(in.size);
        long res;
        switch (in.aux) {
            case 0: { // ROL
                int n = count % bits;
                res = n == 0 ? v : ((v << n) | (v >>> (bits - n))) & m;
                boolean c = (res & 1) != 0;
                setStatusFlags((c ? Rflags.CF : 0) | (((res >>> (bits - 1)) & 1) != 0 ^ c ? Rflags.OF : 0),
                        Rflags.CF | Rflags.OF);
                break;
            }
            case 1: { // ROR
                int n = count % bits;
                res = n == 0 ? v : ((v >>> n) | (v << (bits - n))) & m;
                boolean msb = ((res >>> (bits - 1)) & 1) != 0;
                boolean msb2 = ((res >>> (bits - 2)) & 1) != 0;
                setStatusFlags((msb ? Rflags.CF : 0) | (msb ^ msb2 ? Rflags.OF : 0), Rflags.CF | Rflags.OF);
                break;
            }
            case 2:
            case 3:
                res = rotateThroughCarry(in.aux == 2, v, count, bits);
                break;
            case 4:
            case 6: { // SHL/SAL
                res = count >= 64 ? 0 : (v << count) & m;
                boolean c = count <= bits && ((v >>> (bits - count)) & 1) != 0;
                boolean o = (((res >>> (bits - 1)) & 1) != 0) ^ c;
                flagsCfOf(sx(res, in.size), c, o);
                break;
            }
            case 5: { // SHR
                res = v >>> count;
                boolean c = ((v >>> (count - 1)) & 1) != 0;
                flagsCfOf(sx(res, in.size), c, ((v >>> (bits - 1)) & 1) != 0);
                break;
            }
            default: { // SAR
                long s = sx(v, in.size);
                res = (s >> count) & m;
                boolean c = ((s >> (count - 1)) & 1) != 0;
                flagsCfOf(sx(res, in.size), c, false);
                break;
            }
        }
        if (in.rm >= 0) {
            setReg(in.rm, in.size, res);
        } else {
            mem.write(addr, in.size, res);
        }
    }

    /** The hot case of SHL/SHR/SAR: a 64- or 32-bit register, count 1..63 (or 1..31). */
    private void shiftRegister(Insn in, int count) {
        shiftRegister(in, count, in.aux, in.size);
    }

    /**
     * A compiled block's SHL/SHR/SAR of a 64- or 32-bit register by an immediate, kind and size
     * as constants.
     */
    final void shiftRegisterImm(Insn in, int kind, int size) {
        int count = (int) (in.imm & (size == 8 ? 63 : 31));
        if (count == 0) {
            shift(in);
            return;
        }
        shiftRegister(in, count, kind, size);
    }

    private void shiftRegister(Insn in, int count, int kind, int size) {
        int rm = in.rm;
        if (size == 8) {
            long v = r[rm];
            long res;
            switch (kind) {
                case 5:
                    res = v >>> count;
                    flagsCfOf(res, ((v >>> (count - 1)) & 1) != 0, v < 0);
                    break;
                case 7:
                    res = v >> count;
                    flagsCfOf(res, ((v >> (count - 1)) & 1) != 0, false);
                    break;
                default: {
                    res = v << count;
                    boolean c = ((v >>> (64 - count)) & 1) != 0;
                    flagsCfOf(res, c, res < 0 ^ c);
                }
            }
            r[rm] = res;
            return;
        }
        long v = r[rm] & 0xFFFF_FFFFL;
        long res;
        switch (kind) {
            case 5:
                res = v >>> count;
                flagsCfOf(res, ((v >>> (count - 1)) & 1) != 0, (v & 0x8000_0000L) != 0);
                break;
            case 7: {
                long sv = (int) v;
                res = (sv >> count) & 0xFFFF_FFFFL;
                flagsCfOf((int) res, ((sv >> (count - 1)) & 1) != 0, false);
                break;
            }
            default: {
                res = (v << count) & 0xFFFF_FFFFL;
                boolean c = ((v >>> (32 - count)) & 1) != 0;
                flagsCfOf((int) res, c, (res & 0x8000_0000L) != 0 ^ c);
            }
        }
        r[rm] = res;
    }

    /** A masked count of zero changes no flags, but the operand is still accessed and written. */
    private void countZero(Insn in) {
        if (in.rm >= 0) {
            if (in.size == 4) {
                r[in.rm] &= 0xFFFF_FFFFL;
            }
        } else {
            mem.readForWrite(ea(in), in.size);
        }
    }

    private long rotateThroughCarry(boolean left, long v, int count, int bits) {
        int n = bits < 32 ? count % (bits + 1) : count;
        boolean c = cf();
        long m = mask(bits / 8);
        long top = 1L << (bits - 1);
        boolean origMsb = (v & top) != 0;
        for (int i = 0; i < n; i++) {
            if (left) {
                boolean out = (v & top) != 0;
                v = ((v << 1) | (c ? 1 : 0)) & m;
                c = out;
            } else {
                boolean out = (v & 1) != 0;
                v = (v >>> 1) | (c ? top : 0);
                c = out;
            }
        }
        if (n != 0) {
            boolean msb = (v & top) != 0;
            boolean o = left ? msb ^ c : msb ^ ((v & (top >>> 1)) != 0);
            setStatusFlags((c ? Rflags.CF : 0) | (o ? Rflags.OF : 0), Rflags.CF | Rflags.OF);
        }
        return v;
    }

    final void doubleShift(Insn in) {
        int bits = in.size * 8;
        int count = (int) ((in.cond == 1 ? r[Reg.RCX] : in.imm) & (bits == 64 ? 63 : 31));
        if (count == 0) {
            countZero(in);
            return;
        }
        long addr = in.rm < 0 ? ea(in) : 0;
        long dst = in.rm >= 0 ? getReg(in.rm, in.size) : mem.readForWrite(addr, in.size);
        long src = getReg(in.reg, in.size);
        long m = mask(in.size);
        long res;
        boolean c;
        if (in.op == Op.SHLD) {
            if (bits == 64) {
                res = (dst << count) | (src >>> (64 - count));
                c = ((dst >>> (64 - count)) & 1) != 0;
            } else if (bits == 32) {
                long cat = (dst << 32) | src;
                res = (cat << count >>> 32) & m;
                c = ((cat >>> (64 - count)) & 1) != 0;
            } else {
                // 16-bit: a count above 16 is undefined; shift the 48-bit dst:src:dst pattern.
                long cat = (dst << 32) | (src << 16) | dst;
                res = (cat >>> (32 - count)) & m;
                c = ((cat >>> (48 - count)) & 1) != 0;
            }
        } else {
            if (bits == 64) {
                res = (dst >>> count) | (src << (64 - count));
            } else if (bits == 32) {
                long cat = (src << 32) | dst;
                res = (cat >>> count) & m;
            } else {
                long cat = (dst << 32) | (src << 16) | dst;
                res = (cat >>> count) & m;
            }
            c = count <= bits ? ((dst >>> (count - 1)) & 1) != 0 : ((src >>> (count - 1 - bits)) & 1) != 0;
        }
        boolean o = ((res ^ dst) >>> (bits - 1) & 1) != 0;
        flagsCfOf(sx(res, in.size), c, o);
        if (in.rm >= 0) {
            setReg(in.rm, in.size, res);
        } else {
            mem.write(addr, in.size, res);
        }
    }

    // --- multiply and divide --------------------------------------------------------------------------

    static long unsignedMultiplyHigh(long a, long b) {
        return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }

    final void mulDiv(Insn in) {
        long src = readE(in, in.size);
        int size = in.size;
        switch (in.aux) {
            case 4: mul(size, src); return;
            case 5: imul1(size, src); return;
            case 6: div(size, src); return;
            default: idiv(size, src);
        }
    }

    private void mul(int size, long src) {
        long a = getReg(Reg.RAX, size);
        switch (size) {
            case 1: {
                long p = a * src;
                setReg(Reg.RAX, 2, p);
                flagsCfOf((byte) p, (p >>> 8) != 0, (p >>> 8) != 0);
                return;
            }
            case 2: {
                long p = a * src;
                setReg(Reg.RAX, 2, p);
                setReg(Reg.RDX, 2, p >>> 16);
                flagsCfOf((short) p, (p >>> 16) != 0, (p >>> 16) != 0);
                return;
            }
            case 4: {
                long p = a * src;
                setReg(Reg.RAX, 4, p);
                setReg(Reg.RDX, 4, p >>> 32);
                flagsCfOf((int) p, (p >>> 32) != 0, (p >>> 32) != 0);
                return;
            }
            default: {
                long hi = unsignedMultiplyHigh(a, src);
                r[Reg.RAX] = a * src;
                r[Reg.RDX] = hi;
                flagsCfOf(a * src, hi != 0, hi != 0);
            }
        }
    }

    private void imul1(int size, long src) {
        long a = sx(getReg(Reg.RAX, size), size);
        long b = sx(src, size);
        switch (size) {
            case 1: {
                long p = a * b;
                setReg(Reg.RAX, 2, p);
                boolean o = p != (byte) p;
                flagsCfOf((byte) p, o, o);
                return;
            }
            case 2: {
                long p = a * b;
                setReg(Reg.RAX, 2, p);
                setReg(Reg.RDX, 2, p >>> 16);
                boolean o = p != (short) p;
                flagsCfOf((short) p, o, o);
                return;
            }
            case 4: {
                long p = a * b;
                setReg(Reg.RAX, 4, p);
                setReg(Reg.RDX, 4, p >>> 32);
                boolean o = p != (int) p;
                flagsCfOf((int) p, o, o);
                return;
            }
            default: {
                long lo = a * b;
                long hi = Math.multiplyHigh(a, b);
                r[Reg.RAX] = lo;
                r[Reg.RDX] = hi;
                boolean o = hi != (lo >> 63);
                flagsCfOf(lo, o, o);
            }
        }
    }

    private void imul2(Insn in, long x, long y) {
        int size = in.size;
        long a = sx(x, size);
        long b = sx(y, size);
        long lo = a * b;
        boolean o;
        if (size == 8) {
            o = Math.multiplyHigh(a, b) != (lo >> 63);
        } else {
            o = lo != sx(lo, size);
        }
        flagsCfOf(sx(lo, size), o, o);
        setReg(in.reg, size, lo);
    }

    private void div(int size, long src) {
        if (src == 0) {
            throw new GuestFault(Vector.DE, 0);
        }
        switch (size) {
            case 1: {
                long n = getReg(Reg.RAX, 2);
                long q = n / src;
                if (q > 0xFF) {
                    throw new GuestFault(Vector.DE, 0);
                }
                setReg(Reg.RAX, 2, ((n % src) << 8) | q);
                break;
            }
            case 2:
            case 4: {
                int bits = size * 8;
                long n = (getReg(Reg.RDX, size) << bits) | getReg(Reg.RAX, size);
                long q = Long.divideUnsigned(n, src);
                if ((q >>> bits) != 0) {
                    throw new GuestFault(Vector.DE, 0);
                }
                long rem = Long.remainderUnsigned(n, src);
                setReg(Reg.RAX, size, q);
                setReg(Reg.RDX, size, rem);
                break;
            }
            default: {
                long hi = r[Reg.RDX];
                long lo = r[Reg.RAX];
                if (hi == 0) {
                    r[Reg.RAX] = Long.divideUnsigned(lo, src);
                    r[Reg.RDX] = Long.remainderUnsigned(lo, src);
                    break;
                }
                if (Long.compareUnsigned(hi, src) >= 0) {
                    throw new GuestFault(Vector.DE, 0);
                }
                // Restoring division of the 128-bit hi:lo by src, one quotient bit a step.
                for (int i = 0; i < 64; i++) {
                    boolean carry = hi < 0;
                    hi = (hi << 1) | (lo >>> 63);
                    lo <<= 1;
                    if (carry || Long.compareUnsigned(hi, src) >= 0) {
                        hi -= src;
                        lo |= 1;
                    }
                }
                r[Reg.RAX] = lo;
                r[Reg.RDX] = hi;
            }
        }
        markDivFlags();
    }

    private void idiv(int size, long src) {
        long d = sx(src, size);
        if (d == 0) {
            throw new GuestFault(Vector.DE, 0);
        }
        switch (size) {
            case 1:
            case 2:
            case 4: {
                int bits = size * 8;
                long n = size == 1 ? (short) getReg(Reg.RAX, 2)
                        : (sx(getReg(Reg.RDX, size), size) << bits) | getReg(Reg.RAX, size);
                if (size == 4 && (n == Long.MIN_VALUE && d == -1)) {
                    throw new GuestFault(Vector.DE, 0);
                }
                long q = n / d;
                long rem = n % d;
                if (q != sx(q, size)) {
                    throw new GuestFault(Vector.DE, 0);
                }
                if (size == 1) {
                    setReg(Reg.RAX, 2, ((rem & 0xFF) << 8) | (q & 0xFF));
                } else {
                    setReg(Reg.RAX, size, q);
                    setReg(Reg.RDX, size, rem);
                }
                break;
            }
            default: {
                long hi = r[Reg.RDX];
                long lo = r[Reg.RAX];
                if (hi == (lo >> 63)) {
                    if (lo == Long.MIN_VALUE && d == -1) {
                        throw new GuestFault(Vector.DE, 0);
                    }
                    r[Reg.RAX] = lo / d;
                    r[Reg.RDX] = lo % d;
                    break;
                }
                java.math.BigInteger n = java.math.BigInteger.valueOf(hi).shiftLeft(64)
                        .add(new java.math.BigInteger(Long.toUnsignedString(lo)));
                java.math.BigInteger[] qr = n.divideAndRemainder(java.math.BigInteger.valueOf(d));
                if (qr[0].bitLength() > 63) {
                    throw new GuestFault(Vector.DE, 0);
                }
                r[Reg.RAX] = qr[0].longValue();
                r[Reg.RDX] = qr[1].longValue();
            }
        }
        markDivFlags();
    }

    /** DIV/IDIV leave all status flags undefined; this model leaves them as they were. */
    private void markDivFlags() {
    }

    // --- bits ---------------------------------------------------------------------------------------------

    final void bitTest(Insn in) {
        int bits = in.size * 8;
        long addr = 0;
        long bitOffset;
        if (in.op == Op.BT_I) {
            bitOffset = in.imm & (bits - 1);
            if (in.rm < 0) {
                addr = ea(in);
            }
        } else {
            long off = sx(getReg(in.reg, in.size), in.size);
            if (in.rm < 0) {
                // A register bit offset reaches any operand-sized word around the address.
                long a = r[in.base] + (r[in.index] << in.scale) + in.disp
                        + (off >> (bits == 64 ? 6 : bits == 32 ? 5 : 4)) * in.size;
                if (in.addr32) {
                    a &= 0xFFFF_FFFFL;
                }
                addr = in.seg != 0 ? a + segBase(in.seg) : a;
            }
            bitOffset = off & (bits - 1);
        }
        if (in.lock) {
            long bit = 1L << bitOffset;
            long v = locked(addr, in.size, old -> bitResult(in.aux, old, bit));
            setCf((v & bit) != 0);
            return;
        }
        bitTestApply(in, addr, bitOffset);
    }

    private static long bitResult(int kind, long v, long bit) {
        switch (kind) {
            case 0: return v;
            case 1: return v | bit;
            case 2: return v & ~bit;
            default: return v ^ bit;
        }
    }

    private void bitTestApply(Insn in, long addr, long bitOffset) {
        long v = in.rm >= 0 ? getReg(in.rm, in.size) : (in.aux != 0 ? mem.readForWrite(addr, in.size) : mem.read(addr, in.size));
        long bit = 1L << bitOffset;
        long res = bitResult(in.aux, v, bit);
        if (in.aux != 0) {
            if (in.rm >= 0) {
                setReg(in.rm, in.size, res);
            } else {
                mem.write(addr, in.size, res);
            }
        }
        setCf((v & bit) != 0);
    }

    final void bitScan(Insn in) {
        long v = readE(in, in.size);
        int bits = in.size * 8;
        switch (in.op) {
            case Op.BSF:
            case Op.BSR:
                if (v == 0) {
                    setStatusFlags(Rflags.ZF, Rflags.ZF);
                    return;
                }
                setStatusFlags(0, Rflags.ZF);
                setReg(in.reg, in.size, in.op == Op.BSF ? Long.numberOfTrailingZeros(v) : 63 - Long.numberOfLeadingZeros(v));
                return;
            case Op.TZCNT: {
                long n = v == 0 ? bits : Long.numberOfTrailingZeros(v);
                setReg(in.reg, in.size, n);
                setStatusFlags((v == 0 ? Rflags.CF : 0) | (n == 0 ? Rflags.ZF : 0), Rflags.CF | Rflags.ZF);
                return;
            }
            case Op.LZCNT: {
                long n = Long.numberOfLeadingZeros(v) - (64 - bits);
                setReg(in.reg, in.size, n);
                setStatusFlags((v == 0 ? Rflags.CF : 0) | (n == 0 ? Rflags.ZF : 0), Rflags.CF | Rflags.ZF);
                return;
            }
            default: {
                setReg(in.reg, in.size, Long.bitCount(v));
                materializeFlags();
                rf = (rf & ~Rflags.STATUS) | (v == 0 ? Rflags.ZF : 0);
            }
        }
    }

    final void bswap(Insn in) {
        if (in.size == 8) {
            r[in.reg] = Long.reverseBytes(r[in.reg]);
        } else if (in.size == 4) {
            r[in.reg] = Integer.reverseBytes((int) r[in.reg]) & 0xFFFF_FFFFL;
        } else {
            setReg(in.reg, 2, 0); // BSWAP of a 16-bit register is undefined; hardware zeroes it.
        }
    }

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

    /**
     * A LOCKed read-modify-write (and XCHG with memory) of the operand at {@code a}: {@code next}
     * computes the new value from the old one, again if another CPU changed the operand in
     * between (the flags are those of its last call); returns the old value. Atomic across CPUs
     * through {@link Atomics}; a split lock or an MMIO operand goes under the RAM's lock instead.
     */
    private long locked(long a, int size, LongUnaryOperator next) {
        long off = mem.lockedRamOffset(a, size);
        if (off >= 0 && Atomics.fits(off, size)) {
            long old = Atomics.get(mem.ram, off, size);
            for (;;) {
                long witness = Atomics.compareAndExchange(mem.ram, off, size, old, next.applyAsLong(old));
                if (witness == old) {
                    return old;
                }
                old = witness;
            }
        }
        synchronized (mem.ram) {
            long old = mem.readForWrite(a, size);
            mem.write(a, size, next.applyAsLong(old));
            VarHandle.fullFence();
            return old;
        }
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
