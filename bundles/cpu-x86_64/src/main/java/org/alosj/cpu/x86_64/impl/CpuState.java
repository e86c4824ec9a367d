package org.alosj.cpu.x86_64.impl;

import org.alosj.hal.cpu.Cr;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.Rflags;

/**
 * The register file with lazily evaluated arithmetic flags.
 *
 * <p>Flags: an ALU instruction records its operation ({@link #fOp}) and its operands and result
 * sign-extended from the operand width to 64 bits. Sign extension is monotonic, so unsigned and
 * signed comparisons and the sign-bit overflow formulas give the same answers at 64 bits as at
 * the operand width, and a flag is computed only when something reads it. {@link #F_EXPLICIT}
 * means the status bits are stored in {@link #rf}.
 */
abstract class CpuState {
    /** Index of the always-zero register slot used as "no base / no index". */
    static final int ZERO = 16;
    /** AH, CH, DH, BH are encoded as AH + 0..3 (the high byte of r[0..3]). */
    static final int AH = 20;

    static final int SEG_FS = 4;
    static final int SEG_GS = 5;

    static final int F_ADD = 0;
    static final int F_ADC = 1;
    static final int F_SUB = 2;
    static final int F_SBB = 3;
    static final int F_LOGIC = 4;
    static final int F_INC = 5;
    static final int F_DEC = 6;
    /** Shifts and multiplies: CF and OF in {@link #fAux}, AF clear, ZF/SF/PF from the result. */
    static final int F_CFOF = 7;
    static final int F_EXPLICIT = 8;
    /**
     * Shifts by 1..width-1 as compiled traces record them, lazily: the operand in {@link #fA}
     * (SAR: sign-extended, else zero-extended), the count in {@link #fB}, the width in bits in
     * {@link #fAux}; CF and OF as {@link #F_CFOF} would hold them, AF clear. The operand and
     * count are live anyway, so a trace computes no flag bits unless something reads them.
     */
    static final int F_SHL = 9;
    static final int F_SHR = 10;
    static final int F_SAR = 11;

    final long[] r = new long[17];
    long rip;

    int fOp = F_EXPLICIT;
    long fA;
    long fB;
    long fRes;
    /** Carry-in for ADC/SBB, preserved CF for INC/DEC, CF|OF bits for F_CFOF. */
    long fAux;
    /** RFLAGS: control bits always, status bits while fOp is F_EXPLICIT. */
    long rf = Rflags.RESERVED_1;

    int csSel = 0x33;
    int ssSel = 0x2B;
    int dsSel;
    int esSel;
    int fsSel;
    int gsSel;
    int cpl = 3;
    long fsBase;
    long gsBase;
    long kernelGsBase;

    long cr0 = Cr.CR0_PE | Cr.CR0_MP | Cr.CR0_ET | Cr.CR0_NE;
    long cr2;
    long cr3;
    long cr4 = Cr.CR4_PAE | Cr.CR4_OSFXSR | Cr.CR4_OSXMMEXCPT;
    long cr8;
    long efer = Cr.EFER_SCE | Cr.EFER_LME | Cr.EFER_LMA | Cr.EFER_NXE;
    long star;
    long lstar;
    long cstar;
    long sfmask;
    long tscAux;
    long gdtBase;
    int gdtLimit;
    long idtBase;
    int idtLimit;
    long tssBase;

    /** XMM0..15 as (low, high) pairs; 16 and 17 are scratch for memory operands. */
    final long[] xmm = new long[2 * 18];
    int mxcsr = 0x1F80;

    // --- registers by operand size --------------------------------------------------------------

    final long getReg(int idx, int size) {
        switch (size) {
            case 8: return r[idx];
            case 4: return r[idx] & 0xFFFF_FFFFL;
            case 2: return r[idx] & 0xFFFFL;
            default: return idx >= AH ? (r[idx - AH] >>> 8) & 0xFF : r[idx] & 0xFF;
        }
    }

    /** Writes like hardware: 32-bit results zero-extend, 8/16-bit results merge. */
    final void setReg(int idx, int size, long v) {
        switch (size) {
            case 8: r[idx] = v; break;
            case 4: r[idx] = v & 0xFFFF_FFFFL; break;
            case 2: r[idx] = (r[idx] & ~0xFFFFL) | (v & 0xFFFFL); break;
            default:
                if (idx >= AH) {
                    int i = idx - AH;
                    r[i] = (r[i] & ~0xFF00L) | ((v & 0xFF) << 8);
                } else {
                    r[idx] = (r[idx] & ~0xFFL) | (v & 0xFFL);
                }
        }
    }

    static long sx(long v, int size) {
        switch (size) {
            case 1: return (byte) v;
            case 2: return (short) v;
            case 4: return (int) v;
            default: return v;
        }
    }

    static long mask(int size) {
        return size == 8 ? -1L : (1L << (size * 8)) - 1;
    }

    // --- flags ------------------------------------------------------------------------------------

    final boolean cf() {
        switch (fOp) {
            case F_ADD: return Long.compareUnsigned(fRes, fA) < 0;
            case F_ADC: return fAux != 0 ? Long.compareUnsigned(fRes, fA) <= 0 : Long.compareUnsigned(fRes, fA) < 0;
            case F_SUB: return Long.compareUnsigned(fA, fB) < 0;
            case F_SBB: return fAux != 0 ? Long.compareUnsigned(fA, fB) <= 0 : Long.compareUnsigned(fA, fB) < 0;
            case F_LOGIC: return false;
            case F_INC:
            case F_DEC: return fAux != 0;
            case F_CFOF: return (fAux & Rflags.CF) != 0;
            case F_SHL: return (fA >>> (fAux - fB) & 1) != 0;
            case F_SHR: return (fA >>> (fB - 1) & 1) != 0;
            case F_SAR: return (fA >> (fB - 1) & 1) != 0;
            default: return (rf & Rflags.CF) != 0;
        }
    }

    final boolean of() {
        switch (fOp) {
            case F_ADD:
            case F_ADC:
            case F_INC: return ((fA ^ fRes) & (fB ^ fRes)) < 0;
            case F_SUB:
            case F_SBB:
            case F_DEC: return ((fA ^ fB) & (fA ^ fRes)) < 0;
            case F_LOGIC: return false;
            case F_CFOF: return (fAux & Rflags.OF) != 0;
            case F_SHL: return fRes < 0 != cf();
            case F_SHR: return (fA >>> (fAux - 1) & 1) != 0;
            case F_SAR: return false;
            default: return (rf & Rflags.OF) != 0;
        }
    }

    final boolean zf() {
        return fOp == F_EXPLICIT ? (rf & Rflags.ZF) != 0 : fRes == 0;
    }

    final boolean sf() {
        return fOp == F_EXPLICIT ? (rf & Rflags.SF) != 0 : fRes < 0;
    }

    final boolean pf() {
        return fOp == F_EXPLICIT ? (rf & Rflags.PF) != 0 : (Integer.bitCount((int) fRes & 0xFF) & 1) == 0;
    }

    final boolean af() {
        switch (fOp) {
            case F_LOGIC:
            case F_CFOF:
            case F_SHL:
            case F_SHR:
            case F_SAR: return false;
            case F_EXPLICIT: return (rf & Rflags.AF) != 0;
            default: return ((fA ^ fB ^ fRes) & 0x10) != 0;
        }
    }

    /** The full RFLAGS value. */
    final long flagsValue() {
        if (fOp == F_EXPLICIT) {
            return rf | Rflags.RESERVED_1;
        }
        long v = rf & ~Rflags.STATUS;
        if (cf()) v |= Rflags.CF;
        if (pf()) v |= Rflags.PF;
        if (af()) v |= Rflags.AF;
        if (zf()) v |= Rflags.ZF;
        if (sf()) v |= Rflags.SF;
        if (of()) v |= Rflags.OF;
        return v | Rflags.RESERVED_1;
    }

    /** Turns lazy flags into explicit bits, before an instruction changes only some of them. */
    final void materializeFlags() {
        if (fOp != F_EXPLICIT) {
            rf = flagsValue();
            fOp = F_EXPLICIT;
        }
    }

    final void setStatusFlags(long bits, long which) {
        materializeFlags();
        rf = (rf & ~which) | (bits & which);
    }

    final void setCf(boolean c) {
        materializeFlags();
        rf = c ? rf | Rflags.CF : rf & ~Rflags.CF;
    }

    final void flagsLogic(long res) {
        fOp = F_LOGIC;
        fRes = res;
    }

    final void flagsAdd(long a, long b, long res) {
        fOp = F_ADD;
        fA = a;
        fB = b;
        fRes = res;
    }

    final void flagsSub(long a, long b, long res) {
        fOp = F_SUB;
        fA = a;
        fB = b;
        fRes = res;
    }

    /** Sets CF and OF explicitly, ZF/SF/PF from the (sign-extended) result, AF clear. */
    final void flagsCfOf(long res, boolean c, boolean o) {
        fOp = F_CFOF;
        fRes = res;
        fAux = (c ? Rflags.CF : 0) | (o ? Rflags.OF : 0);
    }

    /** Condition codes 0..15 as Jcc/SETcc/CMOVcc number them. */
    final boolean cond(int cc) {
        if (fOp == F_SUB) {
            switch (cc) {
                case 0x2: return Long.compareUnsigned(fA, fB) < 0;
                case 0x3: return Long.compareUnsigned(fA, fB) >= 0;
                case 0x4: return fA == fB;
                case 0x5: return fA != fB;
                case 0x6: return Long.compareUnsigned(fA, fB) <= 0;
                case 0x7: return Long.compareUnsigned(fA, fB) > 0;
                case 0xC: return fA < fB;
                case 0xD: return fA >= fB;
                case 0xE: return fA <= fB;
                case 0xF: return fA > fB;
                default: break;
            }
        } else if (fOp == F_LOGIC) {
            switch (cc) {
                case 0x4: return fRes == 0;
                case 0x5: return fRes != 0;
                case 0x8: return fRes < 0;
                case 0x9: return fRes >= 0;
                case 0xC: return fRes < 0;
                case 0xD: return fRes >= 0;
                case 0xE: return fRes <= 0;
                case 0xF: return fRes > 0;
                default: break;
            }
        }
        return condFromFlags(cc);
    }

    /** The general case of {@link #cond}, kept apart so that the common cases inline. */
    private boolean condFromFlags(int cc) {
        boolean b;
        switch (cc >> 1) {
            case 0: b = of(); break;
            case 1: b = cf(); break;
            case 2: b = zf(); break;
            case 3: b = cf() || zf(); break;
            case 4: b = sf(); break;
            case 5: b = pf(); break;
            case 6: b = sf() != of(); break;
            default: b = zf() || sf() != of(); break;
        }
        return b ^ ((cc & 1) != 0);
    }

    /** Loads RFLAGS (POPF, IRET, trap return): every writable bit. */
    final void loadRflags(long v) {
        fOp = F_EXPLICIT;
        rf = (v & 0x3F_7FD5L) | Rflags.RESERVED_1;
    }

    final boolean df() {
        return (rf & Rflags.DF) != 0;
    }

    final boolean interruptsEnabled() {
        return (rf & Rflags.IF) != 0;
    }

    // --- effective addresses ----------------------------------------------------------------------

    final long segBase(int seg) {
        return seg == SEG_FS ? fsBase : gsBase;
    }

    final long ea(Insn in) {
        long a = offset(in);
        if (in.seg != 0) {
            a += segBase(in.seg);
        }
        return a;
    }

    /** A memory operand's offset: its effective address before any segment base. */
    final long offset(Insn in) {
        long a = r[in.base] + (r[in.index] << in.scale) + in.disp;
        if (in.addr32) {
            a &= 0xFFFF_FFFFL;
        }
        return a;
    }

    /** The selector of the segment a memory operand uses: FS or GS when overridden, SS for RSP and RBP bases, else DS. */
    final int dataSelector(Insn in) {
        if (in.seg == SEG_FS) {
            return fsSel;
        }
        if (in.seg == SEG_GS) {
            return gsSel;
        }
        return in.base == Reg.RSP || in.base == Reg.RBP ? ssSel : dsSel;
    }
}
