package org.alosj.cpu.x86_64.impl;

import java.nio.ByteBuffer;
import org.alosj.hal.cpu.Vector;

/**
 * The x87 FPU's registers (Intel SDM Vol. 1, 8.1): the eight data registers as a stack with its
 * tags, the control and status words, the last-instruction pointers, the stack operations every
 * instruction uses, and the memory images of that state (FNSTENV/FLDENV, FNSAVE/FRSTOR and the
 * x87 part of FXSAVE). {@link X87Unit} executes the instructions over it.
 */
abstract class X87State {
    // Status word bits
    static final int SW_SF = 1 << 6;
    static final int SW_ES = 1 << 7;
    static final int SW_C0 = 1 << 8;
    static final int SW_C1 = 1 << 9;
    static final int SW_C2 = 1 << 10;
    static final int SW_C3 = 1 << 14;
    static final int SW_B = 1 << 15;
    static final int SW_TOP_SHIFT = 11;
    static final int SW_CONDITION = SW_C0 | SW_C1 | SW_C2 | SW_C3;

    static final int DEFAULT_CW = 0x037F;

    final X86Core cpu;
    final long[] mant = new long[8];
    final int[] se = new int[8];
    final boolean[] empty = new boolean[8];
    int top;
    int cw = DEFAULT_CW;
    int sw;
    /**
     * The last non-control instruction's pointers (SDM Vol. 1, 8.1.8 to 8.1.10): its address and
     * code segment, its opcode (the low 3 bits of the escape byte, then ModRM), and the offset and
     * data segment of the last memory operand.
     */
    long fip;
    int fcs;
    int fop;
    long fdp;
    int fds;

    X87State(X86Core cpu) {
        this.cpu = cpu;
        java.util.Arrays.fill(empty, true);
    }

    // --- stack -------------------------------------------------------------------------------------------

    int phys(int i) {
        return (top + i) & 7;
    }

    int precision() {
        switch ((cw >> 8) & 3) {
            case 0: return 24;
            case 2: return 53;
            default: return 64;
        }
    }

    int rc() {
        return (cw >> 10) & 3;
    }

    /** Records exception flags; unmasked ones make the next waiting x87 instruction raise #MF. */
    void exceptions(int flags) {
        if (flags == 0) {
            return;
        }
        sw |= flags & 0x7F;
        if ((flags & ~cw & 0x3F) != 0) {
            sw |= SW_ES | SW_B;
        }
    }

    void checkPendingException() {
        if ((sw & SW_ES) != 0) {
            throw new GuestFault(Vector.MF, 0);
        }
    }

    /** Stack underflow: reading an empty register gives the indefinite QNaN. */
    boolean checkReadable(int i) {
        if (empty[phys(i)]) {
            sw &= ~SW_C1;
            exceptions(Float80.IE | SW_SF);
            return false;
        }
        return true;
    }

    long m(int i) {
        return empty[phys(i)] ? Float80.INDEFINITE_MANT : mant[phys(i)];
    }

    int e(int i) {
        return empty[phys(i)] ? Float80.INDEFINITE_SE : se[phys(i)];
    }

    void push(long m, int s) {
        int t = (top - 1) & 7;
        if (!empty[t]) {
            sw |= SW_C1;
            exceptions(Float80.IE | SW_SF);
            m = Float80.INDEFINITE_MANT;
            s = Float80.INDEFINITE_SE;
        }
        top = t;
        mant[t] = m;
        se[t] = s;
        empty[t] = false;
    }

    void put(int i, long m, int s) {
        int p = phys(i);
        mant[p] = m;
        se[p] = s;
        empty[p] = false;
    }

    void pop() {
        empty[top] = true;
        top = (top + 1) & 7;
    }

    int statusWord() {
        return (sw & ~(7 << SW_TOP_SHIFT)) | (top << SW_TOP_SHIFT);
    }

    void init() {
        cw = DEFAULT_CW;
        sw = 0;
        top = 0;
        fip = 0;
        fcs = 0;
        fop = 0;
        fdp = 0;
        fds = 0;
        java.util.Arrays.fill(empty, true);
    }

    // --- environment and state images ------------------------------------------------------------------

    int tagWord() {
        int tw = 0;
        for (int p = 0; p < 8; p++) {
            int t;
            if (empty[p]) {
                t = 3;
            } else if (Float80.isZero(mant[p], se[p])) {
                t = 1;
            } else if ((se[p] & 0x7FFF) == 0x7FFF || (se[p] & 0x7FFF) == 0 || mant[p] >= 0) {
                t = 2;
            } else {
                t = 0;
            }
            tw |= t << (2 * p);
        }
        return tw;
    }

    /**
     * FNSTENV's image in protected-mode layout: 28 bytes of 32-bit fields (the upper halves of the
     * control, status and tag words all ones, the opcode above the code selector), or with a
     * 16-bit operand size 14 bytes of 16-bit fields, the opcode left out.
     */
    void storeEnvironment(long a, int size) {
        Mmu mem = cpu.mem;
        if (size == 2) {
            mem.probeWrite(a, 14);
            mem.write16(a, cw);
            mem.write16(a + 2, statusWord());
            mem.write16(a + 4, tagWord());
            mem.write16(a + 6, (int) fip & 0xFFFF);
            mem.write16(a + 8, fcs);
            mem.write16(a + 10, (int) fdp & 0xFFFF);
            mem.write16(a + 12, fds);
            return;
        }
        mem.probeWrite(a, 28);
        mem.write32(a, 0xFFFF_0000L | cw);
        mem.write32(a + 4, 0xFFFF_0000L | statusWord());
        mem.write32(a + 8, 0xFFFF_0000L | tagWord());
        mem.write32(a + 12, fip & 0xFFFF_FFFFL);
        mem.write32(a + 16, (long) (fop & 0x7FF) << 16 | fcs);
        mem.write32(a + 20, fdp & 0xFFFF_FFFFL);
        mem.write32(a + 24, 0xFFFF_0000L | fds);
    }

    void loadEnvironment(long a, int size) {
        Mmu mem = cpu.mem;
        int newCw;
        int newSw;
        int tw;
        if (size == 2) {
            newCw = mem.read16(a);
            newSw = mem.read16(a + 2);
            tw = mem.read16(a + 4);
            fip = mem.read16(a + 6);
            fcs = mem.read16(a + 8);
            fdp = mem.read16(a + 10);
            fds = mem.read16(a + 12);
            fop = 0; // not in the 16-bit image, and cleared (as on the host)
        } else {
            newCw = (int) mem.read32(a) & 0xFFFF;
            newSw = (int) mem.read32(a + 4) & 0xFFFF;
            tw = (int) mem.read32(a + 8) & 0xFFFF;
            fip = mem.read32(a + 12);
            long csOp = mem.read32(a + 16);
            fcs = (int) csOp & 0xFFFF;
            fop = (int) (csOp >>> 16) & 0x7FF;
            fdp = mem.read32(a + 20);
            fds = (int) mem.read32(a + 24) & 0xFFFF;
        }
        cw = newCw;
        sw = newSw & ~(7 << SW_TOP_SHIFT);
        top = (newSw >> SW_TOP_SHIFT) & 7;
        for (int p = 0; p < 8; p++) {
            empty[p] = ((tw >> (2 * p)) & 3) == 3;
        }
    }

    void saveState(long a, int size) {
        Mmu mem = cpu.mem;
        int env = size == 2 ? 14 : 28;
        mem.probeWrite(a, env + 80);
        storeEnvironment(a, size);
        for (int i = 0; i < 8; i++) {
            mem.write64(a + env + 10L * i, mant[phys(i)]);
            mem.write16(a + env + 8 + 10L * i, se[phys(i)]);
        }
        init();
    }

    void restoreState(long a, int size) {
        Mmu mem = cpu.mem;
        int env = size == 2 ? 14 : 28;
        long[] mm = new long[8];
        int[] ss = new int[8];
        for (int i = 0; i < 8; i++) {
            mm[i] = mem.read64(a + env + 10L * i);
            ss[i] = mem.read16(a + env + 8 + 10L * i);
        }
        loadEnvironment(a, size);
        for (int i = 0; i < 8; i++) {
            mant[phys(i)] = mm[i];
            se[phys(i)] = ss[i];
        }
    }

    /**
     * The x87 part of an FXSAVE image (bytes 0..159), the pointers in the 64-bit layout (FIP at
     * byte 8, FDP at byte 16, each 64 bits) or, with {@code wide} false, the 32-bit layout (FIP,
     * FCS, FDP, FDS); when {@code pointers} is false they are zeros, as the FXSAVE instruction of
     * an AMD processor stores them while no unmasked exception is pending.
     */
    void saveTo(ByteBuffer bb, boolean wide, boolean pointers) {
        if (pointers) {
            bb.putShort(6, (short) fop);
            if (wide) {
                bb.putLong(8, fip);
                bb.putLong(16, fdp);
            } else {
                bb.putInt(8, (int) fip);
                bb.putInt(12, fcs);
                bb.putInt(16, (int) fdp);
                bb.putInt(20, fds);
            }
        }
        saveTo(bb);
    }

    /** Whether an unmasked exception is pending (ES). */
    boolean exceptionPending() {
        return (sw & SW_ES) != 0;
    }

    /** The pointers of an FXRSTOR image, in its 64-bit or 32-bit layout. */
    void loadPointersFrom(ByteBuffer bb, boolean wide) {
        fop = bb.getShort(6) & 0x7FF;
        if (wide) {
            fip = bb.getLong(8);
            fdp = bb.getLong(16);
            fcs = 0;
            fds = 0;
        } else {
            fip = bb.getInt(8) & 0xFFFF_FFFFL;
            fcs = bb.getShort(12) & 0xFFFF;
            fdp = bb.getInt(16) & 0xFFFF_FFFFL;
            fds = bb.getShort(20) & 0xFFFF;
        }
    }

    /** The x87 part of an FXSAVE image (bytes 0..159) but the pointers. */
    void saveTo(ByteBuffer bb) {
        bb.putShort(0, (short) cw);
        bb.putShort(2, (short) statusWord());
        int abridged = 0;
        for (int p = 0; p < 8; p++) {
            if (!empty[p]) {
                abridged |= 1 << p;
            }
        }
        bb.put(4, (byte) abridged);
        for (int i = 0; i < 8; i++) {
            bb.putLong(32 + 16 * i, mant[phys(i)]);
            bb.putShort(40 + 16 * i, (short) se[phys(i)]);
        }
    }

    void loadFrom(ByteBuffer bb) {
        cw = bb.getShort(0) & 0xFFFF;
        int newSw = bb.getShort(2) & 0xFFFF;
        sw = newSw & ~(7 << SW_TOP_SHIFT);
        top = (newSw >> SW_TOP_SHIFT) & 7;
        int abridged = bb.get(4) & 0xFF;
        for (int p = 0; p < 8; p++) {
            empty[p] = (abridged & (1 << p)) == 0;
        }
        for (int i = 0; i < 8; i++) {
            mant[phys(i)] = bb.getLong(32 + 16 * i);
            se[phys(i)] = bb.getShort(40 + 16 * i) & 0xFFFF;
        }
    }

    /** For tests and debuggers: ST(i) as (significand, sign|exponent). */
    long stMantissa(int i) {
        return mant[phys(i)];
    }

    int stSignExponent(int i) {
        return se[phys(i)];
    }
}
