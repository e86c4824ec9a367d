package org.alosj.cpu.x86_64.impl;

import static org.alosj.cpu.x86_64.impl.Bytecode.*;

import org.alosj.hal.cpu.Reg;

/**
 * The instructions a trace runs inline, on register and flag locals: MOV forms, LEA, MOVZX and
 * MOVSX, the ALU operations (not ADC/SBB), TEST, INC/DEC/NOT/NEG of a register, SHL/SHR/SAR of
 * a register by an immediate (or, at 32 and 64 bits, by CL), IMUL with two or three operands, CMOVcc, SETcc of a register, PUSH,
 * POP and the stack side of CALL and RET. Each computes what can fault first (address
 * translation happens inside the Mmu's accessors), then writes locals; flags are set exactly
 * as the interpreter's handlers set {@link CpuState}'s lazy flags.
 */
abstract class TraceOps extends TraceCode {

    /** Whether {@code in} is emitted inline by {@link #emitNative}. */
    static boolean isNative(Insn in) {
        boolean wide = in.size >= 4;
        switch (in.op) {
            case Op.NOP:
                return in.aux != 1;
            case Op.MOV_RR:
            case Op.MOV_RM:
            case Op.MOV_MR:
            case Op.MOV_RI:
            case Op.MOV_MI:
            case Op.LEA:
            case Op.MOVZX:
            case Op.MOVSX:
            case Op.TEST_RR:
            case Op.TEST_RI:
            case Op.TEST_MR:
            case Op.TEST_MI:
                return true;
            case Op.ALU_RR:
            case Op.ALU_RI:
            case Op.ALU_RM:
                return in.aux != 2 && in.aux != 3;
            case Op.ALU_MR:
            case Op.ALU_MI:
                return in.aux != 2 && in.aux != 3 && !in.lock;
            case Op.UNARY:
                return in.rm >= 0 && !in.lock;
            case Op.SHIFT: {
                int count = (int) (in.imm & (in.size == 8 ? 63 : 31));
                if (!wide) {
                    // 8 and 16 bits by an immediate below the width (musl's strcspn: SHR AL, 6).
                    return in.rm >= 0 && in.aux >= 4 && in.cond != 1 && count != 0 && count < in.size * 8;
                }
                return in.rm >= 0 && in.aux >= 4 && (in.cond == 1 || count != 0);
            }
            case Op.IMUL_RE:
            case Op.IMUL_REI:
            case Op.CMOV:
                return wide || in.op == Op.CMOV && in.size == 2;
            case Op.SETCC:
                return in.rm >= 0;
            case Op.PUSH_R:
            case Op.POP_R:
            case Op.PUSH_I:
            case Op.RET:
                return in.size == 8;
            case Op.CALL_REL:
            case Op.JMP_REL:
                return Mmu.canonical(in.imm);
            case Op.JCC:
                return true;
            case Op.SSE:
                return isInlineSse(in);
            default:
                return false;
        }
    }

    /**
     * The SSE forms traces run inline, on {@code cpu.xmm}: the 128-, 64- and 32-bit moves, the
     * logical operations, PADDQ/PSUBQ, PCMPEQB and the unpacks (what compiled loops move and
     * scan bytes with), PMOVMSKB, and double arithmetic and CVTSI2SD through
     * {@link SseFloat#opDInTrace} and {@link SseUnit#intToDoubleInTrace}, whose fast paths the
     * JVM inlines (MXCSR flags and other rounding modes through the handler's code).
     */
    static boolean isInlineSse(Insn in) {
        int k = in.aux;
        if (k >= SseExtensions.BASE) {
            return false;
        }
        int p = k & 3;
        boolean legacyOr66 = p == Decoder.PFX_NONE || p == Decoder.PFX_66;
        boolean mem = in.rm < 0;
        switch (k >>> 2) {
            case 0x10:
                return true;
            case 0x28, 0x54, 0x55, 0x56, 0x57, 0x14, 0x15:
                return legacyOr66;
            case 0x6F:
                return p == Decoder.PFX_66 || p == Decoder.PFX_F3;
            case 0x29:
                return mem && legacyOr66;
            case 0x7F:
                return mem && (p == Decoder.PFX_66 || p == Decoder.PFX_F3);
            case 0x11:
                return mem;
            case 0x51, 0x58, 0x59, 0x5C, 0x5D, 0x5E, 0x5F:
                return p == Decoder.PFX_66 || p == Decoder.PFX_F2;
            case 0x2A:
                return p == Decoder.PFX_F2;
            case 0xD7:
                return p == Decoder.PFX_66 && !mem;
            case 0xD6, 0xDB, 0xDF, 0xEB, 0xEF, 0xD4, 0xFB, 0x74, 0x60, 0x61, 0x62, 0x68, 0x69, 0x6A, 0x6C, 0x6D:
                return p == Decoder.PFX_66 && (k >>> 2 != 0xD6 || mem);
            default:
                return false;
        }
    }

    /**
     * Emits {@code in} (position {@code k} in the trace) inline; control transfer is left to
     * the caller: a CALL only pushes, a RET leaves its checked target in {@link #L_T2}.
     */
    void emitNative(int k, Insn in) {
        int size = in.size;
        switch (in.op) {
            case Op.NOP:
            case Op.JMP_REL:
            case Op.JCC:
                return;
            case Op.MOV_RR:
                getReg(in.rm, size);
                setReg(in.reg, size);
                return;
            case Op.MOV_RI:
                b.pushLong(in.imm);
                setReg(in.reg, size);
                return;
            case Op.MOV_RM:
                position(k);
                b.op(ALOAD, L_MEM);
                address(in);
                read(size);
                setReg(in.reg, size);
                return;
            case Op.MOV_MR:
                position(k);
                b.op(ALOAD, L_MEM);
                address(in);
                getReg(in.reg, size);
                write(size);
                return;
            case Op.MOV_MI:
                position(k);
                b.op(ALOAD, L_MEM);
                address(in);
                b.pushLong(in.imm);
                write(size);
                return;
            case Op.LEA:
                lea(in);
                setReg(in.reg, size);
                return;
            case Op.MOVZX:
            case Op.MOVSX:
                position(k);
                readE(in, in.aux);
                if (in.op == Op.MOVSX) {
                    signExtend(in.aux);
                }
                setReg(in.reg, size);
                return;
            case Op.TEST_RR:
            case Op.TEST_RI:
            case Op.TEST_MR:
            case Op.TEST_MI:
                test(k, in);
                return;
            case Op.ALU_RR:
            case Op.ALU_RI:
            case Op.ALU_RM:
                aluToRegister(k, in);
                return;
            case Op.ALU_MR:
            case Op.ALU_MI:
                aluToMemory(k, in);
                return;
            case Op.UNARY:
                unary(in);
                return;
            case Op.SHIFT:
                shift(in);
                return;
            case Op.IMUL_RE:
            case Op.IMUL_REI:
                imul(k, in);
                return;
            case Op.CMOV:
                cmov(k, in);
                return;
            case Op.SETCC:
                setcc(in);
                return;
            case Op.SSE:
                sse(k, in);
                return;
            case Op.PUSH_R:
            case Op.PUSH_I:
            case Op.CALL_REL:
                position(k);
                push(in);
                return;
            case Op.POP_R:
                position(k);
                b.op(ALOAD, L_MEM);
                b.op(LLOAD, regSlot(Reg.RSP));
                read(8);
                b.op(LSTORE, L_T0);
                b.op(LLOAD, regSlot(Reg.RSP));
                b.pushLong(8);
                b.op(LADD);
                setReg(Reg.RSP, 8);
                b.op(LLOAD, L_T0);
                setReg(in.reg, 8);
                return;
            case Op.RET:
                position(k);
                b.op(ALOAD, L_MEM);
                b.op(LLOAD, regSlot(Reg.RSP));
                read(8);
                b.invokeStatic(PKG + "TraceCompiler", "canonicalTarget", "(J)J");
                b.op(LSTORE, L_T2);
                b.op(LLOAD, regSlot(Reg.RSP));
                b.pushLong(8 + in.imm);
                b.op(LADD);
                setReg(Reg.RSP, 8);
                return;
            default:
                throw new IllegalArgumentException("not an inline instruction: op " + in.op);
        }
    }

    /** Pushes {@code cpu.xmm[i]}, from its local copy. */
    private void xmmGet(int i) {
        if ((xmmNamed & (1 << i)) == 0) {
            throw new IllegalStateException("XMM half " + i + " has no local: not named by the trace");
        }
        b.op(LLOAD, xmmSlot(i));
    }

    /** Stores long local {@code slot} into {@code cpu.xmm[i]} and its local copy. */
    private void xmmSetFrom(int i, int slot) {
        xmmSetBegin(i);
        b.op(LLOAD, slot);
        xmmSetEnd(i);
    }

    /**
     * With {@link #xmmSetEnd}, around the code that pushes a long: stores it into
     * {@code cpu.xmm[i]} and its local copy. (A pair of calls, not a method taking the code as
     * a lambda: each lambda's first use spins a class, and the first traces are compiled while
     * the JVM is cold.)
     */
    private void xmmSetBegin(int i) {
        b.op(ALOAD, L_XMM);
        b.pushInt(i);
    }

    private void xmmSetEnd(int i) {
        b.op(0x5E); // dup2_x2: the value under the array and index, for the local
        b.op(0x50); // lastore
        b.op(LSTORE, xmmSlot(i));
    }

    /** An SSE instruction of {@link #isInlineSse}, in the interpreter's order: CR0/CR4, alignment, memory, result. */
    private void sse(int k, Insn in) {
        int op = in.aux >>> 2;
        int p = in.aux & 3;
        int d = 2 * in.reg;
        position(k);
        if (!sseChecked) {
            // CR0 and CR4 cannot change while a trace runs (writing them ends one): the first
            // inline SSE instruction of the trace's code, which runs before any other, checks them.
            b.op(ALOAD, L_CPU);
            b.invokeVirtual(CPU, "checkSseAvailable", "()V");
            sseChecked = true;
        }
        if (op == 0x2A) {
            intToDouble(in);
            return;
        }
        if (in.writesMem) {
            sseStore(in);
            return;
        }
        // The source's halves into S0 and S1.
        boolean mem = in.rm < 0;
        if (!mem) {
            xmmGet(2 * in.rm);
            b.op(LSTORE, L_S0);
            xmmGet(2 * in.rm + 1);
            b.op(LSTORE, L_S1);
        } else {
            sseAddress(in);
            int w = in.memWidth;
            b.op(ALOAD, L_MEM);
            b.op(LLOAD, L_T1);
            read(w == 16 ? 8 : w);
            b.op(LSTORE, L_S0);
            if (w == 16) {
                b.op(ALOAD, L_MEM);
                b.op(LLOAD, L_T1);
                b.pushLong(8);
                b.op(LADD);
                read(8);
            } else {
                b.op(LCONST_0);
            }
            b.op(LSTORE, L_S1);
        }
        switch (op) {
            case 0x10 -> {
                if (p == Decoder.PFX_F3 && !mem) {
                    // MOVSS between registers: the low 32 bits only.
                    xmmSetBegin(d);
                    xmmGet(d);
                    b.pushLong(~0xFFFF_FFFFL);
                    b.op(LAND);
                    b.op(LLOAD, L_S0);
                    b.pushLong(0xFFFF_FFFFL);
                    b.op(LAND);
                    b.op(LOR);
                    xmmSetEnd(d);
                } else {
                    xmmSetFrom(d, L_S0);
                    if (mem || p == Decoder.PFX_NONE || p == Decoder.PFX_66) {
                        xmmSetFrom(d + 1, L_S1); // a scalar load from memory clears the upper half
                    }
                }
            }
            case 0x28, 0x6F -> {
                xmmSetFrom(d, L_S0);
                xmmSetFrom(d + 1, L_S1);
            }
            case 0x14, 0x15, 0x60, 0x61, 0x62, 0x68, 0x69, 0x6A, 0x6C, 0x6D -> unpack(in, op, p, d);
            case 0xD7 -> { // PMOVMSKB: the bytes' sign bits into a general register, zero-extended
                b.op(LLOAD, L_S0);
                b.op(LLOAD, L_S1);
                b.invokeStatic(PKG + "SseInteger", "byteSigns", "(JJ)J");
                setReg(in.reg, 4);
            }
            case 0x51, 0x58, 0x59, 0x5C, 0x5D, 0x5E, 0x5F -> {
                // Each double through SseFloat.opDInTrace, low half first as the handler does.
                for (int h = 0; h < (p == Decoder.PFX_66 ? 2 : 1); h++) {
                    int half = d + h;
                    int src = h == 0 ? L_S0 : L_S1;
                    xmmSetBegin(half);
                    b.op(ALOAD, L_CPU);
                    b.pushInt(op);
                    xmmGet(half);
                    b.op(LLOAD, src);
                    b.invokeStatic(PKG + "SseFloat", "opDInTrace", "(L" + CPU + ";IJJ)J");
                    xmmSetEnd(half);
                }
            }
            default -> {
                for (int h = 0; h < 2; h++) {
                    int half = d + h;
                    int src = h == 0 ? L_S0 : L_S1;
                    xmmSetBegin(half);
                    xmmGet(half);
                    if (op == 0x55 || op == 0xDF) {
                        b.pushLong(-1);
                        b.op(LXOR); // ANDN: the destination inverted
                    }
                    b.op(LLOAD, src);
                    switch (op) {
                        case 0x54, 0x55, 0xDB, 0xDF -> b.op(LAND);
                        case 0x56, 0xEB -> b.op(LOR);
                        case 0xD4 -> b.op(LADD);
                        case 0xFB -> b.op(LSUB);
                        case 0x74 -> {
                            b.op(LXOR);
                            b.invokeStatic(PKG + "SseInteger", "equalBytes", "(J)J");
                        }
                        default -> b.op(LXOR);
                    }
                    xmmSetEnd(half);
                }
            }
        }
    }

    /** The address of an SSE memory operand into T1, with #GP when the form needs 16-byte alignment and lacks it. */
    private void sseAddress(Insn in) {
        address(in);
        b.op(LSTORE, L_T1);
        if (in.aligned) {
            Bytecode.Label ok = b.label();
            b.op(LLOAD, L_T1);
            b.pushLong(15);
            b.op(LAND);
            b.op(LCONST_0);
            b.op(LCMP);
            b.jump(IFEQ, ok);
            b.invokeStatic(PKG + "TraceCompiler", "generalProtection", "()L" + PKG + "GuestFault;");
            b.op(ATHROW);
            b.bind(ok);
        }
    }

    /** CVTSI2SD from a 32- or 64-bit register or memory: the low double of the destination. */
    private void intToDouble(Insn in) {
        // The source first, with nothing else on the stack: a TLB miss leaves the trace from there.
        readE(in, in.size);
        signExtend(in.size);
        b.op(LSTORE, L_T0);
        xmmSetBegin(2 * in.reg);
        b.op(ALOAD, L_CPU);
        b.op(LLOAD, L_T0);
        b.invokeStatic(PKG + "SseUnit", "intToDoubleInTrace", "(L" + CPU + ";J)J");
        xmmSetEnd(2 * in.reg);
    }

    /** PUNPCKLxx/PUNPCKHxx, UNPCKLPS/PD and UNPCKHPS/PD: elements of one half of both operands, interleaved. */
    private void unpack(Insn in, int op, int p, int d) {
        boolean high = op == 0x68 || op == 0x69 || op == 0x6A || op == 0x6D || op == 0x15;
        int lane = switch (op) {
            case 0x60, 0x68 -> 8;
            case 0x61, 0x69 -> 16;
            case 0x62, 0x6A -> 32;
            case 0x14, 0x15 -> p == Decoder.PFX_66 ? 64 : 32;
            default -> 64;
        };
        int src = high ? L_S1 : L_S0;
        xmmGet(d + (high ? 1 : 0));
        b.op(LSTORE, L_D0);
        if (lane == 64) {
            xmmSetFrom(d, L_D0);
            xmmSetFrom(d + 1, src);
            return;
        }
        xmmSetBegin(d);
        b.op(LLOAD, L_D0);
        b.op(LLOAD, src);
        b.pushInt(lane);
        b.invokeStatic(PKG + "SseUnit", "interleave", "(JJI)J");
        xmmSetEnd(d);
        xmmSetBegin(d + 1);
        b.op(LLOAD, L_D0);
        b.pushInt(32);
        b.op(LUSHR);
        b.op(LLOAD, src);
        b.pushInt(32);
        b.op(LUSHR);
        b.pushInt(lane);
        b.invokeStatic(PKG + "SseUnit", "interleave", "(JJI)J");
        xmmSetEnd(d + 1);
    }

    /** MOVAPS/MOVUPS/MOVDQA/MOVDQU/MOVSD/MOVSS/MOVQ to memory: a 16-byte store stores nothing unless both halves are mapped. */
    private void sseStore(Insn in) {
        int s = 2 * in.reg;
        sseAddress(in);
        int w = in.memWidth;
        if (w == 16) {
            // Both halves in one page the write TLB maps before either is stored, else the interpreter stores them.
            b.op(LLOAD, L_T1);
            b.op(LSTORE, L_VA);
            tlbHit(L_WTAG, 16, tlbMiss());
            b.op(0x57); // pop the offset
            b.op(0x57); // and the array
        }
        b.op(ALOAD, L_MEM);
        b.op(LLOAD, L_T1);
        xmmGet(s);
        write(w == 16 ? 8 : w);
        if (w == 16) {
            b.op(ALOAD, L_MEM);
            b.op(LLOAD, L_T1);
            b.pushLong(8);
            b.op(LADD);
            xmmGet(s + 1);
            write(8);
        }
    }

    private void push(Insn in) {
        // The value first: PUSH RSP pushes the old RSP.
        if (in.op == Op.PUSH_R) {
            getReg(in.reg, 8);
        } else {
            b.pushLong(in.op == Op.CALL_REL ? in.next : in.imm);
        }
        b.op(LSTORE, L_T1);
        b.op(LLOAD, regSlot(Reg.RSP));
        b.pushLong(8);
        b.op(LSUB);
        b.op(LSTORE, L_T0);
        b.op(ALOAD, L_MEM);
        b.op(LLOAD, L_T0);
        b.op(LLOAD, L_T1);
        write(8);
        b.op(LLOAD, L_T0);
        setReg(Reg.RSP, 8);
    }

    private void test(int k, Insn in) {
        int size = in.size;
        if (in.op == Op.TEST_MR || in.op == Op.TEST_MI) {
            position(k);
            b.op(ALOAD, L_MEM);
            address(in);
            read(size);
        } else {
            getReg(in.reg, size);
        }
        if (in.op == Op.TEST_RR) {
            getReg(in.rm, size);
        } else if (in.op == Op.TEST_MR) {
            getReg(in.reg, size);
        } else {
            b.pushLong(in.imm);
        }
        b.op(LAND);
        signExtend(size);
        b.op(LSTORE, L_FRES);
        setFlagOp(CpuState.F_LOGIC);
    }

    /** The ALU operation of {@code kind} on FA and FB into FRES, with its flag operation. */
    private void aluCore(int kind, int size) {
        b.op(LLOAD, L_FA);
        b.op(LLOAD, L_FB);
        int flag;
        switch (kind) {
            case 0 -> {
                b.op(LADD);
                flag = CpuState.F_ADD;
            }
            case 1 -> {
                b.op(LOR);
                flag = CpuState.F_LOGIC;
            }
            case 4 -> {
                b.op(LAND);
                flag = CpuState.F_LOGIC;
            }
            case 6 -> {
                b.op(LXOR);
                flag = CpuState.F_LOGIC;
            }
            default -> {
                b.op(LSUB);
                flag = CpuState.F_SUB;
            }
        }
        signExtend(size);
        b.op(LSTORE, L_FRES);
        setFlagOp(flag);
    }

    private void aluToRegister(int k, Insn in) {
        int size = in.size;
        // The source first: a memory source may fault, and nothing is written before it.
        if (in.op == Op.ALU_RM) {
            position(k);
            b.op(ALOAD, L_MEM);
            address(in);
            read(size);
            signExtend(size);
        } else if (in.op == Op.ALU_RR) {
            getRegSx(in.rm, size);
        } else {
            b.pushLong(CpuState.sx(in.imm, size));
        }
        b.op(LSTORE, L_T0);
        getRegSx(in.reg, size);
        b.op(LSTORE, L_FA);
        b.op(LLOAD, L_T0);
        b.op(LSTORE, L_FB);
        aluCore(in.aux, size);
        if (in.aux != 7) {
            b.op(LLOAD, L_FRES);
            setReg(in.reg, size);
        }
    }

    private void aluToMemory(int k, Insn in) {
        int size = in.size;
        position(k);
        address(in);
        b.op(LSTORE, L_T1);
        if (in.aux != 7) {
            // The read of a read-modify-write through the write TLB (it needs write access), inline.
            b.op(LLOAD, L_T1);
            b.op(LSTORE, L_VA);
            tlbHit(L_WTAG, size, tlbMiss());
            ramGet(size);
        } else {
            b.op(ALOAD, L_MEM);
            b.op(LLOAD, L_T1);
            read(size);
        }
        signExtend(size);
        b.op(LSTORE, L_FA);
        if (in.op == Op.ALU_MR) {
            getRegSx(in.reg, size);
        } else {
            b.pushLong(CpuState.sx(in.imm, size));
        }
        b.op(LSTORE, L_FB);
        aluCore(in.aux, size);
        if (in.aux != 7) {
            b.op(ALOAD, L_MEM);
            b.op(LLOAD, L_T1);
            b.op(LLOAD, L_FRES);
            write(size);
        }
    }

    /** INC, DEC, NOT, NEG of a register. */
    private void unary(Insn in) {
        int size = in.size;
        switch (in.aux) {
            case 0, 1 -> {
                carry();
                b.op(LSTORE, L_FAUX);
                getRegSx(in.rm, size);
                b.op(LSTORE, L_FA);
                b.op(LCONST_1);
                b.op(LSTORE, L_FB);
                b.op(LLOAD, L_FA);
                b.op(LCONST_1);
                b.op(in.aux == 0 ? LADD : LSUB);
                signExtend(size);
                b.op(LSTORE, L_FRES);
                setFlagOp(in.aux == 0 ? CpuState.F_INC : CpuState.F_DEC);
                b.op(LLOAD, L_FRES);
            }
            case 2 -> {
                getReg(in.rm, size);
                b.pushLong(-1);
                b.op(LXOR);
            }
            default -> {
                b.op(LCONST_0);
                b.op(LSTORE, L_FA);
                getRegSx(in.rm, size);
                b.op(LSTORE, L_FB);
                b.op(LLOAD, L_FB);
                b.op(LNEG);
                signExtend(size);
                b.op(LSTORE, L_FRES);
                setFlagOp(CpuState.F_SUB);
                b.op(LLOAD, L_FRES);
            }
        }
        setReg(in.rm, size);
    }

    /** SHL/SAL, SHR, SAR of a register by a nonzero immediate count, or of a 64- or 32-bit one by CL. */
    private void shift(Insn in) {
        int size = in.size;
        if (in.cond != 1) {
            int count = (int) (in.imm & (size == 8 ? 63 : 31));
            shiftBy(in, count);
            return;
        }
        // By CL: a count of 0 changes neither the flags nor the operand, except that a 32-bit
        // register's upper half is cleared (as the interpreter's countZero).
        getReg(Reg.RCX, 8);
        b.op(L2I);
        b.pushInt(size == 8 ? 63 : 31);
        b.op(0x7E); // iand
        b.op(ISTORE, L_COUNT);
        Bytecode.Label zero = b.label();
        Bytecode.Label done = b.label();
        b.op(ILOAD, L_COUNT);
        b.jump(IFEQ, zero);
        shiftBy(in, -1);
        b.jump(GOTO, done);
        b.bind(zero);
        if (size == 4) {
            getReg(in.rm, 4);
            setReg(in.rm, 4);
        }
        b.bind(done);
        flagKind = -1; // the shift's flags or the ones before it
    }

    /** Pushes a shift's count as an int: {@code count}, or the one in {@code L_COUNT} when -1. */
    private void pushCount(int count) {
        if (count >= 0) {
            b.pushInt(count);
        } else {
            b.op(ILOAD, L_COUNT);
        }
    }

    /** SHL/SHR/SAR of a register by a count of 1..bits-1: {@code count}, or -1 for the one in {@code L_COUNT}. */
    private void shiftBy(Insn in, int count) {
        int size = in.size;
        int bits = size * 8;
        getReg(in.rm, size);
        if (in.aux == 7 && size < 8) {
            signExtend(size);
        }
        b.op(LSTORE, L_T0); // the operand (SAR below 64 bits: sign-extended)
        int kind = in.aux == 6 ? 4 : in.aux;
        // The flags lazily (CpuState.F_SHL/F_SHR/F_SAR): operand, count and width, no bits computed.
        b.op(LLOAD, L_T0);
        b.op(LSTORE, L_FA);
        if (count >= 0) {
            b.pushLong(count);
        } else {
            pushCount(count);
            b.op(I2L);
        }
        b.op(LSTORE, L_FB);
        b.pushLong(bits);
        b.op(LSTORE, L_FAUX);
        b.op(LLOAD, L_T0);
        pushCount(count);
        b.op(kind == 4 ? LSHL : kind == 5 ? LUSHR : LSHR);
        signExtend(size);
        b.op(LSTORE, L_FRES);
        setFlagOp(kind == 4 ? CpuState.F_SHL : kind == 5 ? CpuState.F_SHR : CpuState.F_SAR);
        b.op(LLOAD, L_FRES);
        setReg(in.rm, size);
    }

    private void imul(int k, Insn in) {
        int size = in.size;
        position(k);
        if (in.op == Op.IMUL_RE) {
            readE(in, size);
            signExtend(size);
            b.op(LSTORE, L_T1);
            getRegSx(in.reg, size);
        } else {
            readE(in, size);
            signExtend(size);
            b.op(LSTORE, L_T1);
            b.pushLong(CpuState.sx(in.imm, size));
        }
        b.op(LSTORE, L_T0);
        b.op(LLOAD, L_T0);
        b.op(LLOAD, L_T1);
        b.op(LMUL);
        b.op(LSTORE, L_T2); // the full low product
        b.op(LCONST_0);
        b.op(LSTORE, L_FAUX);
        Bytecode.Label fits = b.label();
        if (size == 8) {
            b.op(LLOAD, L_T0);
            b.op(LLOAD, L_T1);
            b.invokeStatic("java/lang/Math", "multiplyHigh", "(JJ)J");
            b.op(LLOAD, L_T2);
            b.pushInt(63);
            b.op(LSHR);
        } else {
            b.op(LLOAD, L_T2);
            b.op(LLOAD, L_T2);
            signExtend(size);
        }
        b.op(LCMP);
        b.jump(IFEQ, fits);
        b.pushLong(CF_BIT | OF_BIT);
        b.op(LSTORE, L_FAUX);
        b.bind(fits);
        b.op(LLOAD, L_T2);
        signExtend(size);
        b.op(LSTORE, L_FRES);
        setFlagOp(CpuState.F_CFOF);
        b.op(LLOAD, L_T2);
        setReg(in.reg, size);
    }

    private void cmov(int k, Insn in) {
        int size = in.size;
        position(k);
        readE(in, size);
        b.op(LSTORE, L_T0);
        Bytecode.Label move = b.label();
        Bytecode.Label done = b.label();
        int before = dirty;
        branchIf(in.cond, move);
        if (size == 4) {
            getReg(in.reg, 4);
            setReg(in.reg, 4);
        }
        b.jump(GOTO, done);
        b.bind(move);
        b.op(LLOAD, L_T0);
        setReg(in.reg, size);
        b.bind(done);
        dirty |= before;
    }

    private void setcc(Insn in) {
        b.op(LCONST_0);
        b.op(LSTORE, L_T0);
        Bytecode.Label skip = b.label();
        Bytecode.Label set = b.label();
        branchIf(in.cond, set);
        b.jump(GOTO, skip);
        b.bind(set);
        b.op(LCONST_1);
        b.op(LSTORE, L_T0);
        b.bind(skip);
        b.op(LLOAD, L_T0);
        setReg(in.rm, 1);
    }
}
