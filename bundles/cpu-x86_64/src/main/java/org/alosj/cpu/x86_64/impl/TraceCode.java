package org.alosj.cpu.x86_64.impl;

import static org.alosj.cpu.x86_64.impl.Bytecode.*;

import org.alosj.hal.cpu.Reg;

/**
 * The bytecode a trace is made of, below the trace's shape (that is {@link TraceCompiler}'s):
 * guest registers in long locals, the lazy flags ({@link CpuState#fOp} and its operands) in
 * locals, memory operands with the TLB hit test inline on the {@link Mmu}'s arrays (a miss
 * leaves the trace for the interpreter: {@link #tlbMiss}), and the instructions of the common integer subset emitted inline. Every other instruction goes through its
 * interpreter handler with the locals spilled before and reloaded after.
 *
 * <p>Invariant at every instruction boundary: each register local holds the architectural
 * value, and {@code cpu.r[i]} does too unless the register is in {@link #dirty}. A native
 * instruction calls everything that can fault before it writes a local, so a fault leaves the
 * locals as they were before the instruction; the method's fault handler writes them back.
 */
abstract class TraceCode {
    static final String PKG = TraceCode.class.getPackageName().replace('.', '/') + "/";
    static final String CPU = PKG + "X86Core";
    static final String MMU = PKG + "Mmu";
    static final String INSN = PKG + "Insn";
    static final String TRACE = PKG + "Trace";

    // Local variable slots.
    static final int L_CPU = 1;
    static final int L_TRACE = 2;
    static final int L_REMAINING = 3;
    static final int L_MEM = 5;
    static final int L_N = 6;
    static final int L_POS = 8;
    static final int L_EXIT = 9;
    static final int L_R0 = 10;
    static final int L_FOP = 42;
    static final int L_FA = 43;
    static final int L_FB = 45;
    static final int L_FRES = 47;
    static final int L_FAUX = 49;
    static final int L_T0 = 51;
    static final int L_T1 = 53;
    static final int L_T2 = 55;
    static final int L_REGS = 57;
    static final int L_CODE = 58;
    static final int L_GEN = 59;
    static final int L_EXC = 60;
    // The Mmu's TLB arrays, and the TLB entry, address, index and value of an access.
    static final int L_RTAG = 61;
    static final int L_RARR = 62;
    static final int L_WTAG = 63;
    static final int L_WARR = 64;
    static final int L_ENTRY = 65;
    static final int L_VA = 67;
    static final int L_VALUE = 69;
    static final int L_I = 71;
    // The XMM registers (cpu.xmm), and the halves of an SSE source and destination.
    static final int L_XMM = 73;
    static final int L_S0 = 74;
    static final int L_S1 = 76;
    static final int L_D0 = 78;
    /** The iteration count at which a looping trace next checks what the run loop checks. */
    static final int L_CHECK = 80;
    /** A shift's count taken from CL. */
    static final int L_COUNT = 82;
    /**
     * Copies of the XMM halves (cpu.xmm[0..31]) the trace's inline SSE instructions name, the
     * last locals: a method has only as many as its highest named half needs ({@link #maxLocals}),
     * as the verifier's work grows with the number of locals.
     */
    static final int L_XMM0 = 83;
    /** Set in {@link #L_POS} while an interpreter handler runs: its fault leaves {@code cpu} as it wants it. */
    static final int IN_HANDLER = 0x10000;

    static final long CF_BIT = 1;
    static final long OF_BIT = 0x800;

    final Bytecode b = new Bytecode();
    /** Registers whose local differs (or may differ) from {@code cpu.r}. */
    int dirty;
    /** Registers some native instruction writes: written back at exits. */
    int written;
    /** The flag locals changed since they were last stored to {@code cpu}. */
    boolean flagsDirty;
    /** Some native instruction writes the flag locals: they are written back at exits. */
    boolean flagsWritten;
    /**
     * The halves of cpu.xmm (bit i: xmm[i]) the inline SSE instructions name. Each has a local
     * copy, loaded on entry and after a handler that may write it; inline instructions write
     * both (the array stays architectural, so faults and exits need nothing), and read the copy.
     */
    int xmmNamed;
    /** An inline SSE instruction earlier in the trace's code checked CR0 and CR4 for SSE. */
    boolean sseChecked;
    /** The flag operation known at this point of the code, or -1. */
    int flagKind = -1;

    static int regSlot(int r) {
        return L_R0 + 2 * r;
    }

    static int xmmSlot(int half) {
        return L_XMM0 + 2 * half;
    }

    /** The method's local variable count: up to the highest XMM half with a copy. */
    int maxLocals() {
        return xmmNamed == 0 ? L_XMM0 : xmmSlot(31 - Integer.numberOfLeadingZeros(xmmNamed)) + 2;
    }

    /** Reads the halves of {@code halves} (bit i: xmm[i]) that have a local copy from cpu.xmm into it. */
    void loadXmm(int halves) {
        for (int i = 0; i < 32; i++) {
            if ((halves & xmmNamed & (1 << i)) != 0) {
                b.op(ALOAD, L_XMM);
                b.pushInt(i);
                b.op(0x2F); // laload
                b.op(LSTORE, xmmSlot(i));
            }
        }
    }

    /** The halves of XMM registers {@code reg} and {@code rm} (when 0..15) as bits of {@link #xmmNamed}. */
    static int xmmHalves(Insn in) {
        int m = 0;
        if (in.reg >= 0 && in.reg < 16) {
            m |= 3 << (2 * in.reg);
        }
        if (in.rm >= 0 && in.rm < 16) {
            m |= 3 << (2 * in.rm);
        }
        return m;
    }

    // --- registers ------------------------------------------------------------------------------------

    /** Pushes register {@code idx} (0..15, {@link CpuState#ZERO}, or AH..BH) zero-extended from {@code size}. */
    void getReg(int idx, int size) {
        if (idx == CpuState.ZERO) {
            b.op(LCONST_0);
            return;
        }
        if (size == 1 && idx >= CpuState.AH) {
            b.op(LLOAD, regSlot(idx - CpuState.AH));
            b.pushInt(8);
            b.op(LUSHR);
            b.pushLong(0xFF);
            b.op(LAND);
            return;
        }
        b.op(LLOAD, regSlot(idx));
        if (size < 8) {
            b.pushLong(CpuState.mask(size));
            b.op(LAND);
        }
    }

    /** Pushes register {@code idx} sign-extended from {@code size}. */
    void getRegSx(int idx, int size) {
        if (size == 8) {
            getReg(idx, 8);
            return;
        }
        getReg(idx, size);
        signExtend(size);
    }

    /** Sign-extends the long on the stack from {@code size} bytes. */
    void signExtend(int size) {
        switch (size) {
            case 1:
                b.op(L2I);
                b.op(I2B);
                b.op(I2L);
                break;
            case 2:
                b.op(L2I);
                b.op(I2S);
                b.op(I2L);
                break;
            case 4:
                b.op(L2I);
                b.op(I2L);
                break;
            default:
                break;
        }
    }

    /** Pops a long into register {@code idx} as hardware writes {@code size} bytes: 32 zero-extends, 8/16 merge. */
    void setReg(int idx, int size) {
        int r = size == 1 && idx >= CpuState.AH ? idx - CpuState.AH : idx;
        switch (size) {
            case 8:
                break;
            case 4:
                b.pushLong(0xFFFF_FFFFL);
                b.op(LAND);
                break;
            default: {
                boolean high = size == 1 && idx >= CpuState.AH;
                long m = CpuState.mask(size);
                b.pushLong(m);
                b.op(LAND);
                if (high) {
                    b.pushInt(8);
                    b.op(LSHL);
                    m <<= 8;
                }
                b.op(LLOAD, regSlot(r));
                b.pushLong(~m);
                b.op(LAND);
                b.op(LOR);
            }
        }
        b.op(LSTORE, regSlot(r));
        dirty |= 1 << r;
        written |= 1 << r;
    }

    /** Writes the dirty registers to {@code cpu.r}. */
    void spillRegisters() {
        for (int r = 0; r < 16; r++) {
            if ((dirty & (1 << r)) != 0) {
                b.op(ALOAD, L_REGS);
                b.pushInt(r);
                b.op(LLOAD, regSlot(r));
                b.op(0x50); // lastore
            }
        }
        dirty = 0;
    }

    /** Reads {@code regs} from {@code cpu.r} into their locals. */
    void loadRegisters(int regs) {
        for (int r = 0; r < 16; r++) {
            if ((regs & (1 << r)) != 0) {
                b.op(ALOAD, L_REGS);
                b.pushInt(r);
                b.op(0x2F); // laload
                b.op(LSTORE, regSlot(r));
            }
        }
    }

    /** Writes {@code regs} to {@code cpu.r}. */
    void storeRegisters(int regs) {
        for (int r = 0; r < 16; r++) {
            if ((regs & (1 << r)) != 0) {
                b.op(ALOAD, L_REGS);
                b.pushInt(r);
                b.op(LLOAD, regSlot(r));
                b.op(0x50); // lastore
            }
        }
    }

    // --- flags ----------------------------------------------------------------------------------------

    void loadFlags() {
        b.op(ALOAD, L_CPU);
        b.getField(CPU, "fOp", "I");
        b.op(ISTORE, L_FOP);
        loadFlag("fA", L_FA);
        loadFlag("fB", L_FB);
        loadFlag("fRes", L_FRES);
        loadFlag("fAux", L_FAUX);
        flagsDirty = false;
        flagKind = -1;
    }

    private void loadFlag(String name, int slot) {
        b.op(ALOAD, L_CPU);
        b.getField(CPU, name, "J");
        b.op(LSTORE, slot);
    }

    void storeFlags() {
        b.op(ALOAD, L_CPU);
        b.op(ILOAD, L_FOP);
        b.putField(CPU, "fOp", "I");
        storeFlag("fA", L_FA);
        storeFlag("fB", L_FB);
        storeFlag("fRes", L_FRES);
        storeFlag("fAux", L_FAUX);
    }

    private void storeFlag(String name, int slot) {
        b.op(ALOAD, L_CPU);
        b.op(LLOAD, slot);
        b.putField(CPU, name, "J");
    }

    void spillFlags() {
        if (flagsDirty) {
            storeFlags();
            flagsDirty = false;
        }
    }

    /** The flag locals now describe operation {@code op}. */
    void setFlagOp(int op) {
        b.pushInt(op);
        b.op(ISTORE, L_FOP);
        flagKind = op;
        flagsDirty = true;
        flagsWritten = true;
    }

    /**
     * Branches to {@code target} when condition {@code cc} (Jcc numbering) holds: a direct
     * compare of the flag operands when the producing operation is known here (CMP/SUB, TEST,
     * AND, OR, XOR), else through {@link CpuState#cond} on the spilled flags.
     */
    void branchIf(int cc, Bytecode.Label target) {
        if (flagKind == CpuState.F_SUB) {
            boolean unsigned = cc == 2 || cc == 3 || cc == 6 || cc == 7;
            int test = switch (cc) {
                case 2, 0xC -> IFLT;
                case 3, 0xD -> IFGE;
                case 4 -> IFEQ;
                case 5 -> IFNE;
                case 6, 0xE -> IFLE;
                case 7, 0xF -> IFGT;
                default -> -1;
            };
            if (test >= 0) {
                b.op(LLOAD, L_FA);
                b.op(LLOAD, L_FB);
                if (unsigned) {
                    b.invokeStatic("java/lang/Long", "compareUnsigned", "(JJ)I");
                } else {
                    b.op(LCMP);
                }
                b.jump(test, target);
                return;
            }
            if (cc == 8 || cc == 9) {
                compareResult(cc == 8 ? IFLT : IFGE, target);
                return;
            }
        } else if (flagKind == CpuState.F_LOGIC) {
            int test = switch (cc) {
                case 4 -> IFEQ;
                case 5 -> IFNE;
                case 8, 0xC -> IFLT;
                case 9, 0xD -> IFGE;
                case 0xE -> IFLE;
                case 0xF -> IFGT;
                default -> -1;
            };
            if (test >= 0) {
                compareResult(test, target);
                return;
            }
        } else if (flagKind >= 0 && flagKind != CpuState.F_EXPLICIT && (cc == 4 || cc == 5 || cc == 8 || cc == 9)) {
            // ZF and SF come from the result for every lazy operation.
            compareResult(cc == 4 ? IFEQ : cc == 5 ? IFNE : cc == 8 ? IFLT : IFGE, target);
            return;
        }
        spillFlags();
        b.op(ALOAD, L_CPU);
        b.pushInt(cc);
        b.invokeVirtual(CPU, "cond", "(I)Z");
        b.jump(IFNE, target);
    }

    private void compareResult(int test, Bytecode.Label target) {
        b.op(LLOAD, L_FRES);
        b.op(LCONST_0);
        b.op(LCMP);
        b.jump(test, target);
    }

    /** Pushes CF (0 or 1, as a long) of the current flags. */
    void carry() {
        switch (flagKind) {
            case CpuState.F_LOGIC:
                b.op(LCONST_0);
                return;
            case CpuState.F_SUB:
                b.op(LLOAD, L_FA);
                b.op(LLOAD, L_FB);
                unsignedLess();
                return;
            case CpuState.F_ADD:
                b.op(LLOAD, L_FRES);
                b.op(LLOAD, L_FA);
                unsignedLess();
                return;
            case CpuState.F_INC:
            case CpuState.F_DEC:
            case CpuState.F_CFOF:
                b.op(LLOAD, L_FAUX);
                b.op(LCONST_1);
                b.op(LAND);
                return;
            default:
                spillFlags();
                b.op(ALOAD, L_CPU);
                b.invokeVirtual(CPU, "cf", "()Z");
                b.op(I2L);
        }
    }

    /** Two longs on the stack: pushes 1L when the first is below the second unsigned, else 0L. */
    private void unsignedLess() {
        b.invokeStatic("java/lang/Long", "compareUnsigned", "(JJ)I");
        b.pushInt(31);
        b.op(0x7C); // iushr
        b.op(I2L);
    }

    // --- memory ---------------------------------------------------------------------------------------

    /** Pushes the linear address of {@code in}'s memory operand. */
    void address(Insn in) {
        lea(in);
        if (in.seg != 0) {
            b.op(ALOAD, L_CPU);
            b.getField(CPU, in.seg == CpuState.SEG_FS ? "fsBase" : "gsBase", "J");
            b.op(LADD);
        }
    }

    /** Pushes the effective address (offset) of {@code in}'s memory operand. */
    void lea(Insn in) {
        boolean any = false;
        if (in.base != CpuState.ZERO) {
            b.op(LLOAD, regSlot(in.base));
            any = true;
        }
        if (in.index != CpuState.ZERO) {
            b.op(LLOAD, regSlot(in.index));
            if (in.scale != 0) {
                b.pushInt(in.scale);
                b.op(LSHL);
            }
            if (any) {
                b.op(LADD);
            }
            any = true;
        }
        if (!any) {
            b.pushLong(in.disp);
        } else if (in.disp != 0) {
            b.pushLong(in.disp);
            b.op(LADD);
        }
        if (in.addr32) {
            b.pushLong(0xFFFF_FFFFL);
            b.op(LAND);
        }
    }

    /** Loads the TLB arrays into locals, and gives the access locals a value (for the verifier). */
    void loadTlb() {
        String[] names = {"rTag", "rArr", "wTag", "wArr"};
        String[] types = {"[J", "[[B", "[J", "[[B"};
        for (int i = 0; i < names.length; i++) {
            b.op(ALOAD, L_MEM);
            b.getField(MMU, names[i], types[i]);
            b.op(ASTORE, L_RTAG + i);
        }
        b.op(LCONST_0);
        b.op(LSTORE, L_ENTRY);
        b.op(LCONST_0);
        b.op(LSTORE, L_VA);
        b.op(LCONST_0);
        b.op(LSTORE, L_VALUE);
        b.op(ICONST_0);
        b.op(ISTORE, L_I);
        b.op(ALOAD, L_CPU);
        b.getField(CPU, "xmm", "[J");
        b.op(ASTORE, L_XMM);
        loadXmm(-1);
        for (int slot : new int[] {L_S0, L_S1, L_D0}) {
            b.op(LCONST_0);
            b.op(LSTORE, slot);
        }
    }

    /**
     * The TLB hit test inline: with the address in {@link #L_VA}, sets the index and branches
     * to {@code miss} unless the TLB whose tags are in {@code tagSlot} maps the page and the
     * {@code size} bytes do not cross it; else pushes the RAM array and offset behind the hit.
     * One compare tests both: the tag against the page of the access's last byte (an entry
     * holds only pages of its own index, so the next page's tag is never there). The offset
     * comes from the tag's low bits ({@link Mmu#chunkOffset(long, long)}). Kept short:
     * C2 inlines callees into a method only up to 8,000 bytes of bytecode, its own included.
     */
    void tlbHit(int tagSlot, int size, Bytecode.Label miss) {
        b.op(LLOAD, L_VA);
        b.pushInt(12);
        b.op(LUSHR);
        b.op(L2I);
        b.pushInt(Mmu.TLB_MASK);
        b.op(0x7E); // iand
        b.op(ISTORE, L_I);
        b.op(ALOAD, tagSlot);
        b.op(ILOAD, L_I);
        b.op(0x2F); // laload
        b.op(DUP2);
        b.op(LSTORE, L_ENTRY);
        b.op(LLOAD, L_VA);
        if (size > 1) {
            b.pushLong(size - 1);
            b.op(LADD);
        }
        b.op(LXOR);
        b.pushInt(12);
        b.op(LUSHR);
        b.op(LCONST_0);
        b.op(LCMP);
        b.jump(IFNE, miss);
        // The RAM array and offset behind the hit.
        b.op(ALOAD, tagSlot + 1);
        b.op(ILOAD, L_I);
        b.op(AALOAD);
        b.op(LLOAD, L_ENTRY);
        b.op(L2I);
        b.pushInt(0xFFF);
        b.op(0x7E); // iand
        b.pushInt(12);
        b.op(0x78); // ishl
        b.op(LLOAD, L_VA);
        b.op(L2I);
        b.pushInt(0xFFF);
        b.op(0x7E); // iand
        b.op(0x80); // ior
    }

    /**
     * Bytecode C2 inlines into a trace at a call, as C2 counts it against its limit of 8,000
     * bytes a compiled method (the method's own included; a callee marked to be inlined counts
     * 1): a small helper 20; a RAM access of 2 to 8 bytes 50 (Mmu's accessor 14, its VarHandle's
     * and Unsafe's methods); the fence of a byte access 1; an interpreter handler 300 (C2
     * inlines hot ones of up to 325 bytes, and their callees).
     */
    static final int INLINED_PER_CALL = 20;
    static final int INLINED_PER_ACCESS = 50;
    static final int INLINED_PER_HANDLER = 300;

    /** What C2 inlines at the calls that {@link #INLINED_PER_CALL} does not cover, beyond that figure. */
    int inlinedBeyondCalls;

    /** Estimated bytecode C2 inlines into the trace at its calls. */
    int inlinedBytes() {
        return INLINED_PER_CALL * b.invokes + inlinedBeyondCalls;
    }

    /**
     * With a RAM array and offset pushed: pushes the {@code size}-byte value there, zero-extended,
     * with the fence of {@link Mmu#ramGet8}; a byte inline (no call to count against C2's limit).
     */
    void ramGet(int size) {
        if (size == 1) {
            b.op(0x33); // baload
            b.pushInt(0xFF);
            b.op(0x7E); // iand
            b.op(I2L);
            b.invokeStatic("java/lang/invoke/VarHandle", "acquireFence", "()V");
            inlinedBeyondCalls += 1 - INLINED_PER_CALL;
            return;
        }
        b.invokeStatic(MMU, "ramGet" + 8 * size, "([BI)J");
        inlinedBeyondCalls += INLINED_PER_ACCESS - INLINED_PER_CALL;
    }

    /** With a RAM array, offset and long value pushed: stores {@code size} bytes of it, as {@link Mmu#ramSet8}. */
    void ramSet(int size) {
        if (size == 1) {
            b.invokeStatic("java/lang/invoke/VarHandle", "releaseFence", "()V");
            inlinedBeyondCalls += 1 - INLINED_PER_CALL;
            b.op(L2I);
            b.op(0x54); // bastore
            return;
        }
        b.invokeStatic(MMU, "ramSet" + 8 * size, "([BIJ)V");
        inlinedBeyondCalls += INLINED_PER_ACCESS - INLINED_PER_CALL;
    }

    /**
     * With the Mmu and an address pushed (and nothing under them): pushes the {@code size}-byte
     * value there, zero-extended, when the read TLB maps it; anything else leaves the trace
     * before the instruction ({@link #tlbMiss}), which the CPU then interprets with the rest of
     * its block. No call
     * stays on the path back into the trace: Java calls keep no register, so one there made C2
     * keep every guest register of a loop in its stack frame (0.62 s against 0.44 s, bench/cpu.sh).
     */
    void read(int size) {
        b.op(LSTORE, L_VA);
        b.op(0x57); // pop the Mmu
        tlbHit(L_RTAG, size, tlbMiss());
        ramGet(size);
    }

    /**
     * With the Mmu, an address and a long value pushed (and nothing under them): stores
     * {@code size} bytes of it when the write TLB maps it (never a page holding decoded code);
     * anything else leaves the trace before the instruction, as {@link #read}.
     */
    void write(int size) {
        b.op(LSTORE, L_VALUE);
        b.op(LSTORE, L_VA);
        b.op(0x57); // pop the Mmu
        tlbHit(L_WTAG, size, tlbMiss());
        b.op(LLOAD, L_VALUE);
        ramSet(size);
    }

    /**
     * Where a memory access of the current instruction goes when the TLB does not map it: an
     * exit before the instruction that has the CPU interpret it and the rest of its block
     * ({@link X86Core#interpretNext}); the interpreter's access walks the page tables, fills the
     * TLB, or reaches MMIO or a page holding code, each once. Nothing the instruction changes is
     * written before its accesses (a 16-byte store tests both halves first).
     */
    abstract Bytecode.Label tlbMiss();

    /** Pushes {@code in}'s r/m operand of {@code size} bytes (register or memory), zero-extended. */
    void readE(Insn in, int size) {
        if (in.rm >= 0) {
            getReg(in.rm, size);
        } else {
            b.op(ALOAD, L_MEM);
            address(in);
            read(size);
        }
    }

    /** The position {@link #position} last recorded in the code being emitted (the compiler resets it). */
    int positionSet = -1;

    /** Records the instruction position a fault would report. */
    void position(int pos) {
        positionSet = pos;
        b.pushInt(pos);
        b.op(ISTORE, L_POS);
    }

    static boolean isStackOp(int op) {
        return op == Op.PUSH_R || op == Op.POP_R || op == Op.PUSH_I || op == Op.CALL_REL || op == Op.RET;
    }

    /** The registers (0..15) an instruction names, and RSP for stack operations. */
    static int registersNamed(Insn in) {
        int m = regBit(in.reg) | regBit(in.rm) | regBit(in.base) | regBit(in.index);
        if (isStackOp(in.op)) {
            m |= 1 << Reg.RSP;
        }
        if (in.op == Op.SHIFT && in.cond == 1) {
            m |= 1 << Reg.RCX;
        }
        return m;
    }

    private static int regBit(int r) {
        if (r >= CpuState.AH && r < CpuState.AH + 4) {
            r -= CpuState.AH;
        }
        return r >= 0 && r < 16 ? 1 << r : 0;
    }
}
