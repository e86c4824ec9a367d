package org.alosj.cpu.x86_64.impl;

import org.alosj.hal.cpu.Rflags;

/**
 * The x87 FPU (Intel SDM Vol. 1, chapter 8): every x87 instruction of 64-bit mode over the
 * registers of {@link X87State} (the undocumented register aliases too, but FISTTP, which is
 * SSE3's); the values of arithmetic are
 * {@link Float80}'s and those of the transcendental instructions {@link Transcendental}'s. Where
 * processors differ, this one does what the AMD processors the differential test ran on do:
 * FXSAVE stores the pointers only while an exception is pending, D9 D8+i is FSTPNCE.
 *
 * <p>An operation number is {@code escape * 16 + (register form ? 8 : 0) + ModRM.reg}, with
 * escape 0..7 for D8..DF.
 */
final class X87Unit extends X87State {
    private final Float80 f = new Float80();
    final Transcendental transcendental = new Transcendental(f);

    X87Unit(X86Core cpu) {
        super(cpu);
    }

    // --- the decoder's questions -------------------------------------------------------------------

    /** FLDENV, FNSTENV, FRSTOR, FNSAVE: the images with a 16-bit operand-size form. */
    static boolean isEnvironment(int op) {
        return op == 0x14 || op == 0x16 || op == 0x54 || op == 0x56;
    }

    static int memoryWidth(int op, int size) {
        int esc = op >> 4;
        int r = op & 7;
        int env = size == 2 ? 14 : 28;
        switch (esc) {
            case 0: return 4;
            case 4: return 8;
            case 2: return 4;
            case 6: return 2;
            case 1: return r == 0 || r == 2 || r == 3 ? 4 : r == 4 || r == 6 ? env : 2;
            case 3: return r <= 3 ? 4 : 10;
            case 5: return r == 4 || r == 6 ? env + 80 : r == 7 ? 2 : 8;
            default: return r <= 3 ? 2 : r == 4 || r == 6 ? 10 : 8;
        }
    }

    static boolean isStore(int op) {
        int esc = op >> 4;
        int r = op & 7;
        switch (esc) {
            case 1: return r == 2 || r == 3 || r == 6 || r == 7;
            case 3: return r == 1 || r == 2 || r == 3 || r == 7;
            case 5: return r == 1 || r == 2 || r == 3 || r == 6 || r == 7;
            case 7: return r == 1 || r == 2 || r == 3 || r == 6 || r == 7;
            default: return false;
        }
    }

    static boolean implemented(int op, int modrm) {
        int esc = op >> 4;
        boolean reg = (op & 8) != 0;
        int r = op & 7;
        if (!reg) {
            switch (esc) {
                case 1: return r != 1;
                case 3: return r != 4 && r != 6;
                case 5: return r != 5;
                case 7: return true;
                default: return true;
            }
        }
        switch (esc) {
            case 0: return true;
            case 1:
                if (r <= 1 || r == 3) { // FLD, FXCH, and FSTP1 (D9 D8+i, an alias of FSTP ST(i))
                    return true;
                }
                switch (modrm) {
                    case 0xD0: case 0xE0: case 0xE1: case 0xE4: case 0xE5: case 0xE8: case 0xE9: case 0xEA: case 0xEB:
                    case 0xEC: case 0xED: case 0xEE: case 0xF0: case 0xF1: case 0xF2: case 0xF3: case 0xF4: case 0xF5:
                    case 0xF6: case 0xF7: case 0xF8: case 0xF9: case 0xFA: case 0xFB: case 0xFC: case 0xFD: case 0xFE:
                    case 0xFF:
                        return true;
                    default:
                        return false;
                }
            case 2: return r <= 3 || modrm == 0xE9;
            case 3: return r <= 3 || modrm == 0xE2 || modrm == 0xE3 || r == 5 || r == 6;
            case 4: return true; // DC D0+i and D8+i: FCOM2 and FCOMP3, aliases of FCOM and FCOMP
            case 5: return r != 6 && r != 7; // DD C8+i: FXCH4
            case 6: return r != 3 || modrm == 0xD9; // DE D0+i: FCOMP5
            default: return r <= 3 || modrm == 0xE0 || r == 5 || r == 6; // FFREEP, FXCH7, FSTP8, FSTP9
        }
    }

    // --- execution -------------------------------------------------------------------------------------

    void execute(Insn in) {
        int op = in.aux;
        int esc = op >> 4;
        boolean reg = (op & 8) != 0;
        int r = op & 7;
        int modrm = in.cond;
        boolean nonWaiting = esc == 3 && reg && (modrm == 0xE2 || modrm == 0xE3)
                || esc == 7 && reg && modrm == 0xE0
                || !reg && (esc == 1 && (r == 6 || r == 7) || esc == 5 && (r == 6 || r == 7));
        if (!nonWaiting) {
            checkPendingException();
        }
        // Control instructions leave the pointers as they are: the non-waiting ones, FLDCW, FLDENV, FRSTOR.
        boolean control = nonWaiting || !reg && (esc == 1 && (r == 4 || r == 5) || esc == 5 && r == 4);
        if (reg) {
            executeRegister(in, esc, r, (int) in.imm, modrm);
        } else {
            executeMemory(in, esc, r);
        }
        if (!control) {
            fip = in.rip;
            fcs = cpu.cs();
            fop = esc << 8 | modrm;
            if (!reg) {
                fdp = cpu.offset(in);
                fds = cpu.dataSelector(in);
            }
        }
    }

    private void executeMemory(Insn in, int esc, int r) {
        Mmu mem = cpu.mem;
        long a = cpu.ea(in);
        switch (esc) {
            case 0: case 2: case 4: case 6: {
                switch (esc) {
                    case 0: f.fromFloat((int) mem.read32(a)); break;
                    case 4: f.fromDouble(mem.read64(a)); break;
                    case 2: f.fromLong((int) mem.read32(a)); break;
                    default: f.fromLong((short) mem.read16(a)); break;
                }
                int loadFlags = f.flags & (Float80.IE | Float80.DE);
                arithmetic(r, 0, f.mant, f.se, false, loadFlags, esc == 2 || esc == 6);
                return;
            }
            case 1:
                switch (r) {
                    case 0: f.fromFloat((int) mem.read32(a)); loadPush(); return;
                    case 2: case 3: {
                        checkReadable(0);
                        int v = f.toFloat(m(0), e(0), rc());
                        mem.write32(a, v & 0xFFFF_FFFFL);
                        finishStore(r == 3);
                        return;
                    }
                    case 4: loadEnvironment(a, in.size); return;
                    case 5: cw = mem.read16(a) & 0x1F7F | 0x40; return;
                    case 6: storeEnvironment(a, in.size); cw |= 0x3F; return;
                    default: mem.write16(a, cw); return;
                }
            case 3:
                switch (r) {
                    case 0: f.fromLong((int) mem.read32(a)); push(f.mant, f.se); return;
                    case 1: storeTruncated(a, 32); return;
                    case 2: case 3: {
                        checkReadable(0);
                        long v = f.toInteger(m(0), e(0), 32, rc());
                        mem.write32(a, v & 0xFFFF_FFFFL);
                        finishStore(r == 3);
                        return;
                    }
                    case 5: {
                        long mm = mem.read64(a);
                        int s = mem.read16(a + 8);
                        push(mm, s);
                        return;
                    }
                    default: {
                        checkReadable(0);
                        mem.probeWrite(a, 10);
                        mem.write64(a, m(0));
                        mem.write16(a + 8, e(0));
                        pop();
                        return;
                    }
                }
            case 5:
                switch (r) {
                    case 0: f.fromDouble(mem.read64(a)); loadPush(); return;
                    case 1: storeTruncated(a, 64); return;
                    case 2: case 3: {
                        checkReadable(0);
                        long v = f.toDouble(m(0), e(0), rc());
                        mem.write64(a, v);
                        finishStore(r == 3);
                        return;
                    }
                    case 4: restoreState(a, in.size); return;
                    case 6: saveState(a, in.size); return;
                    default: mem.write16(a, statusWord()); return;
                }
            default:
                switch (r) {
                    case 0: f.fromLong((short) mem.read16(a)); push(f.mant, f.se); return;
                    case 1: storeTruncated(a, 16); return;
                    case 2: case 3: {
                        checkReadable(0);
                        long v = f.toInteger(m(0), e(0), 16, rc());
                        mem.write16(a, (int) v);
                        finishStore(r == 3);
                        return;
                    }
                    case 4: loadBcd(a); return;
                    case 5: f.fromLong(mem.read64(a)); push(f.mant, f.se); return;
                    case 6: storeBcd(a); return;
                    default: {
                        checkReadable(0);
                        long v = f.toInteger(m(0), e(0), 64, rc());
                        mem.write64(a, v);
                        finishStore(true);
                    }
                }
        }
    }

    /**
     * FBLD: 18 packed decimal digits, two a byte with the less significant in the low nibble,
     * and the sign in bit 7 of byte 9. Nibbles above 9 are not decimal digits; they count with
     * their binary value, as the processor counts them.
     */
    private void loadBcd(long a) {
        Mmu mem = cpu.mem;
        long low = mem.read64(a);
        int high = mem.read16(a + 8);
        long v = 0;
        for (int i = 1; i >= 0; i--) {
            v = v * 10 + ((high >> (4 * i)) & 0xF);
        }
        for (int i = 15; i >= 0; i--) {
            v = v * 10 + ((low >>> (4 * i)) & 0xF);
        }
        f.fromLong(v);
        int sign = (high & 0x8000) != 0 ? 0x8000 : 0;
        push(f.mant, f.se | sign);
    }

    /**
     * FBSTP: ST(0) rounded to an integer (per RC) as 18 packed decimal digits, then pop; NaNs,
     * infinities and magnitudes of 10^18 or more are invalid and store the packed BCD indefinite.
     */
    private void storeBcd(long a) {
        Mmu mem = cpu.mem;
        checkReadable(0);
        long mm = m(0);
        int s = e(0);
        mem.probeWrite(a, 10);
        long v = f.toInteger(mm, s, 64, rc());
        boolean negative = Float80.negative(s);
        long magnitude = negative ? -v : v;
        if ((f.flags & Float80.IE) != 0 || v == Long.MIN_VALUE || magnitude >= 1_000_000_000_000_000_000L) {
            sw &= ~SW_C1;
            exceptions(Float80.IE);
            if ((cw & Float80.IE) != 0) {
                mem.write64(a, 0xC000_0000_0000_0000L);
                mem.write16(a + 8, 0xFFFF);
            }
            pop();
            return;
        }
        long low = 0;
        for (int i = 0; i < 16; i++) {
            low |= (magnitude % 10) << (4 * i);
            magnitude /= 10;
        }
        int high = (int) (magnitude % 10) | (int) (magnitude / 10 % 10) << 4 | (negative ? 0x8000 : 0);
        mem.write64(a, low);
        mem.write16(a + 8, high);
        finishStore(true);
    }

    /** FLD m32/m64: a full stack (stack fault) takes precedence over the conversion's own flags. */
    private void loadPush() {
        if (empty[(top - 1) & 7]) {
            exceptions(f.flags);
        }
        push(f.mant, f.se);
    }

    /** SSE3's FISTTP (DF /1, DB /1, DD /1): FISTP that truncates whatever FCW.RC says. */
    private void storeTruncated(long a, int bits) {
        checkReadable(0);
        long v = f.toInteger(m(0), e(0), bits, 3);
        cpu.mem.write(a, bits / 8, v);
        finishStore(true);
    }

    private void finishStore(boolean popAfter) {
        sw = f.roundedUp && (f.flags & Float80.IE) == 0 ? sw | SW_C1 : sw & ~SW_C1;
        exceptions(f.flags);
        if (popAfter) {
            pop();
        }
    }

    /**
     * D8-style arithmetic: {@code r} 0 ADD, 1 MUL, 2 COM, 3 COMP, 4 SUB (dst - src), 5 SUBR
     * (src - dst), 6 DIV (dst / src), 7 DIVR (src / dst); the destination is ST({@code dst}).
     */
    private void arithmetic(int r, int dst, long sm, int sse, boolean popAfter, int extraFlags, boolean fromInteger) {
        if (!checkReadable(dst)) {
            // Stack underflow, masked: the result is the indefinite QNaN (compares: unordered).
            if (r == 2 || r == 3) {
                sw |= SW_C0 | SW_C2 | SW_C3;
            } else {
                put(dst, Float80.INDEFINITE_MANT, Float80.INDEFINITE_SE);
            }
            if (popAfter || r == 3) {
                pop();
            }
            return;
        }
        long dm = m(dst);
        int dse = e(dst);
        if (r == 2 || r == 3) {
            compare(dm, dse, sm, sse, true);
            exceptions(extraFlags);
            if (r == 3) {
                pop();
            }
            return;
        }
        int p = precision();
        int rc = rc();
        switch (r) {
            case 0: f.add(dm, dse, sm, sse, false, p, rc); break;
            case 1: f.multiply(dm, dse, sm, sse, p, rc); break;
            case 4: f.add(dm, dse, sm, sse, true, p, rc); break;
            case 5: f.add(sm, sse, dm, dse, true, p, rc); break;
            case 6: f.divide(dm, dse, sm, sse, p, rc); break;
            default: f.divide(sm, sse, dm, dse, p, rc); break;
        }
        int raised = f.flags | extraFlags;
        if ((raised & Float80.ZE) != 0) {
            raised &= ~Float80.DE; // zero divide takes precedence over a denormal dividend
        }
        if (aborts(raised)) {
            exceptions(raised);
            return;
        }
        put(dst, f.mant, f.se);
        sw = f.roundedUp ? sw | SW_C1 : sw & ~SW_C1;
        exceptions(raised);
        if (popAfter) {
            pop();
        }
    }

    /**
     * An unmasked invalid-operation, denormal or zero-divide exception is raised before the
     * result is computed: the instruction then leaves the stack and its destination as they were
     * (SDM Vol. 1, 8.7.1); overflow, underflow and precision come after and store the result.
     */
    private boolean aborts(int raised) {
        return (raised & ~cw & (Float80.IE | Float80.DE | Float80.ZE)) != 0;
    }

    private void compare(long am, int ase, long bm, int bse, boolean signalling) {
        int c = Float80.compare(am, ase, bm, bse);
        sw &= ~SW_CONDITION;
        switch (c) {
            case -1: sw |= SW_C0; break;
            case 0: sw |= SW_C3; break;
            case 1: break;
            default:
                sw |= SW_C0 | SW_C2 | SW_C3;
                if (invalidComparison(am, ase, bm, bse, signalling)) {
                    exceptions(Float80.IE);
                }
                return;
        }
        if (Float80.isDenormal(am, ase) || Float80.isDenormal(bm, bse)) {
            exceptions(Float80.DE);
        }
    }

    /** Unordered compares are invalid for signalling NaNs and unsupported operands, and for any NaN when {@code signalling}. */
    private static boolean invalidComparison(long am, int ase, long bm, int bse, boolean signalling) {
        return signalling || Float80.isSignaling(am, ase) || Float80.isSignaling(bm, bse)
                || Float80.isUnsupported(am, ase) || Float80.isUnsupported(bm, bse);
    }

    private void compareToFlags(int i, boolean signalling, boolean popAfter) {
        checkReadable(0);
        checkReadable(i);
        long am = m(0);
        int ase = e(0);
        long bm = m(i);
        int bse = e(i);
        int c = Float80.compare(am, ase, bm, bse);
        long flags;
        switch (c) {
            case -1: flags = Rflags.CF; break;
            case 0: flags = Rflags.ZF; break;
            case 1: flags = 0; break;
            default:
                flags = Rflags.ZF | Rflags.PF | Rflags.CF;
                if (invalidComparison(am, ase, bm, bse, signalling)) {
                    exceptions(Float80.IE);
                }
        }
        if (c != 2 && (Float80.isDenormal(am, ase) || Float80.isDenormal(bm, bse))) {
            exceptions(Float80.DE);
        }
        sw &= ~SW_C1;
        cpu.setStatusFlags(flags, Rflags.STATUS);
        if (popAfter) {
            pop();
        }
    }

    private void executeRegister(Insn in, int esc, int r, int i, int modrm) {
        switch (esc) {
            case 0:
                checkReadable(i);
                arithmetic(r, 0, m(i), e(i), false, 0, false);
                return;
            case 4:
            case 6: {
                if (esc == 4 && (r == 2 || r == 3) || esc == 6 && r == 2) { // FCOM2, FCOMP3, FCOMP5: ST(0) against ST(i)
                    checkReadable(i);
                    arithmetic(esc == 4 && r == 2 ? 2 : 3, 0, m(i), e(i), false, 0, false);
                    return;
                }
                if (esc == 6 && modrm == 0xD9) { // FCOMPP
                    checkReadable(1);
                    compare(m(0), e(0), m(1), e(1), true);
                    pop();
                    pop();
                    return;
                }
                // DC/DE: the destination is ST(i); SUB/SUBR and DIV/DIVR trade places.
                int rr = r >= 4 ? r ^ 1 : r;
                checkReadable(0);
                arithmetic(rr, i, m(0), e(0), esc == 6, 0, false);
                return;
            }
            case 1:
                executeD9(i, r, modrm);
                return;
            case 2:
                if (modrm == 0xE9) { // FUCOMPP
                    checkReadable(1);
                    compare(m(0), e(0), m(1), e(1), false);
                    pop();
                    pop();
                    return;
                }
                fcmov(r, i, false);
                return;
            case 3:
                if (modrm == 0xE2) { // FNCLEX
                    sw &= ~(0x3F | SW_SF | SW_ES | SW_B);
                    return;
                }
                if (modrm == 0xE3) { // FNINIT
                    init();
                    return;
                }
                if (r == 5 || r == 6) { // FUCOMI / FCOMI
                    compareToFlags(i, r == 6, false);
                    return;
                }
                fcmov(r, i, true);
                return;
            case 5:
                switch (r) {
                    case 0: empty[phys(i)] = true; return; // FFREE
                    case 1: exchange(i); return; // FXCH4
                    case 2: case 3: // FST/FSTP ST(i)
                        checkReadable(0);
                        put(i, m(0), e(0));
                        if (r == 3) {
                            pop();
                        }
                        return;
                    default: // FUCOM/FUCOMP
                        checkReadable(i);
                        compare(m(0), e(0), m(i), e(i), false);
                        if (r == 5) {
                            pop();
                        }
                        return;
                }
            default:
                if (modrm == 0xE0) { // FNSTSW AX
                    cpu.setReg(org.alosj.hal.cpu.Reg.RAX, 2, statusWord());
                    return;
                }
                switch (r) {
                    case 0: empty[phys(i)] = true; pop(); return; // FFREEP
                    case 1: exchange(i); return; // FXCH7
                    case 2: case 3: storePop(i); return; // FSTP8, FSTP9
                    default: compareToFlags(i, r == 6, true); // FUCOMIP / FCOMIP
                }
        }
    }

    private void exchange(int i) {
        checkReadable(0);
        checkReadable(i);
        long m0 = m(0);
        int e0 = e(0);
        put(0, m(i), e(i));
        put(i, m0, e0);
        sw &= ~SW_C1;
    }

    /** FSTP ST(i) and its aliases. */
    private void storePop(int i) {
        checkReadable(0);
        put(i, m(0), e(0));
        pop();
    }

    private void fcmov(int r, int i, boolean negate) {
        boolean c;
        switch (r) {
            case 0: c = cpu.cf(); break;
            case 1: c = cpu.zf(); break;
            case 2: c = cpu.cf() || cpu.zf(); break;
            default: c = cpu.pf(); break;
        }
        // Both registers are checked whatever the condition: an empty one is a stack underflow.
        if (empty[phys(0)] || empty[phys(i)]) {
            checkReadable(empty[phys(0)] ? 0 : i);
            put(0, Float80.INDEFINITE_MANT, Float80.INDEFINITE_SE);
            return;
        }
        if (c != negate) {
            put(0, m(i), e(i));
        }
    }

    private void executeD9(int i, int r, int modrm) {
        if (r == 0) { // FLD ST(i)
            checkReadable(i);
            push(m(i), e(i));
            return;
        }
        if (r == 1) { // FXCH
            exchange(i);
            return;
        }
        if (r == 3) { // D9 D8+i, FSTP1 to Intel, FSTPNCE to AMD: no stack underflow; an empty ST(0) empties ST(i)
            boolean wasEmpty = empty[phys(0)];
            put(i, mant[phys(0)], se[phys(0)]);
            empty[phys(i)] = wasEmpty;
            pop();
            return;
        }
        switch (modrm) {
            case 0xD0: return; // FNOP
            case 0xE0: put(0, m(0), checkReadable(0) ? e(0) ^ 0x8000 : e(0)); return;
            case 0xE1: put(0, m(0), checkReadable(0) ? e(0) & 0x7FFF : e(0)); return;
            case 0xE4: checkReadable(0); compare(m(0), e(0), 0, 0, true); return;
            case 0xE5: examine(); return;
            case 0xE8: push(Float80.INTEGER_BIT, 0x3FFF); return;
            // The constants are held to more bits than 64 and rounded per RC (below: the
            // round-to-nearest significand and whether the exact value lies above it).
            case 0xE9: push(roundConstant(0xD49A_784B_CD1B_8AFEL, true), 0x4000); return;
            case 0xEA: push(roundConstant(0xB8AA_3B29_5C17_F0BCL, false), 0x3FFF); return;
            case 0xEB: push(roundConstant(0xC90F_DAA2_2168_C235L, false), 0x4000); return;
            case 0xEC: push(roundConstant(0x9A20_9A84_FBCF_F799L, false), 0x3FFD); return;
            case 0xED: push(roundConstant(0xB172_17F7_D1CF_79ACL, false), 0x3FFE); return;
            case 0xEE: push(0, 0); return;
            case 0xF0: // F2XM1
                checkReadable(0);
                transcendental.f2xm1(m(0), e(0), rc());
                finishUnary();
                return;
            case 0xF1: case 0xF3: case 0xF9: { // FYL2X, FPATAN, FYL2XP1: ST(1) = f(ST(0), ST(1)), pop
                if (stackUnderflow(1)) {
                    pop();
                    return;
                }
                if (modrm == 0xF1) {
                    transcendental.fyl2x(m(0), e(0), m(1), e(1), rc());
                } else if (modrm == 0xF3) {
                    transcendental.fpatan(m(0), e(0), m(1), e(1), rc());
                } else {
                    transcendental.fyl2xp1(m(0), e(0), m(1), e(1), rc());
                }
                if (aborts(f.flags)) {
                    exceptions(f.flags);
                    return;
                }
                put(1, f.mant, f.se);
                sw = f.roundedUp ? sw | SW_C1 : sw & ~SW_C1;
                exceptions(f.flags);
                pop();
                return;
            }
            case 0xFE: case 0xFF: // FSIN, FCOS
                checkReadable(0);
                sw &= ~SW_C2;
                if (!transcendental.trig(modrm == 0xFE ? Transcendental.SIN : Transcendental.COS, m(0), e(0), rc())) {
                    sw |= SW_C2;
                    return;
                }
                finishUnary();
                return;
            case 0xF2: case 0xFB: // FPTAN, FSINCOS
                tangentOrSineCosine(modrm == 0xF2);
                return;
            case 0xF4: extract(); return;
            case 0xF5: case 0xF8: { // FPREM1 / FPREM
                if (stackUnderflow(0)) {
                    return;
                }
                int q = f.remainder(m(0), e(0), m(1), e(1), modrm == 0xF5);
                put(0, f.mant, f.se);
                exceptions(f.flags);
                sw &= ~SW_CONDITION;
                if (q < 0) {
                    sw |= SW_C2;
                } else {
                    sw |= ((q & 4) != 0 ? SW_C0 : 0) | ((q & 2) != 0 ? SW_C3 : 0) | ((q & 1) != 0 ? SW_C1 : 0);
                }
                return;
            }
            case 0xF6: top = (top - 1) & 7; sw &= ~SW_C1; return;
            case 0xF7: top = (top + 1) & 7; sw &= ~SW_C1; return;
            case 0xFA:
                checkReadable(0);
                f.sqrt(m(0), e(0), precision(), rc());
                put(0, f.mant, f.se);
                sw = f.roundedUp ? sw | SW_C1 : sw & ~SW_C1;
                exceptions(f.flags);
                return;
            case 0xFC:
                checkReadable(0);
                f.roundToInteger(m(0), e(0), rc());
                put(0, f.mant, f.se);
                sw = f.roundedUp ? sw | SW_C1 : sw & ~SW_C1;
                exceptions(f.flags);
                return;
            default: // 0xFD FSCALE
                if (stackUnderflow(0)) {
                    return;
                }
                f.scale(m(0), e(0), m(1), e(1), 64, rc()); // precision control does not apply (SDM Vol. 1, 8.1.5.2)
                put(0, f.mant, f.se);
                sw = f.roundedUp ? sw | SW_C1 : sw & ~SW_C1;
                exceptions(f.flags);
        }
    }

    /**
     * For the instructions of ST(0) and ST(1): when either is empty, a stack underflow whose
     * (masked) result is the indefinite in ST({@code dst}), whatever the other operand; true then.
     */
    private boolean stackUnderflow(int dst) {
        if (!empty[phys(0)] && !empty[phys(1)]) {
            return false;
        }
        checkReadable(0);
        checkReadable(1);
        put(dst, Float80.INDEFINITE_MANT, Float80.INDEFINITE_SE);
        return true;
    }

    /** ST(0) = the result in {@link #f}, with C1 and the exceptions. */
    private void finishUnary() {
        if (aborts(f.flags)) {
            exceptions(f.flags);
            return;
        }
        put(0, f.mant, f.se);
        sw = f.roundedUp ? sw | SW_C1 : sw & ~SW_C1;
        exceptions(f.flags);
    }

    /** FPTAN (ST(0) = tan, then push 1) or FSINCOS (ST(0) = sin, then push cos). */
    private void tangentOrSineCosine(boolean tangent) {
        sw &= ~SW_C2;
        if (!empty[(top - 1) & 7]) {
            // No room for the second result: stack overflow, both results are the indefinite.
            sw |= SW_C1;
            exceptions(Float80.IE | SW_SF);
            put(0, Float80.INDEFINITE_MANT, Float80.INDEFINITE_SE);
            push(Float80.INDEFINITE_MANT, Float80.INDEFINITE_SE);
            return;
        }
        checkReadable(0);
        long xm = m(0);
        int xse = e(0);
        int rc = rc();
        if (!transcendental.trig(tangent ? Transcendental.TAN : Transcendental.SIN, xm, xse, rc)) {
            sw |= SW_C2;
            return;
        }
        long firstM = f.mant;
        int firstSe = f.se;
        int flags = f.flags;
        boolean up = f.roundedUp;
        long secondM;
        int secondSe;
        if (tangent) {
            boolean nanOrInvalid = Float80.isNan(firstM, firstSe);
            secondM = nanOrInvalid ? firstM : Float80.INTEGER_BIT;
            secondSe = nanOrInvalid ? firstSe : 0x3FFF;
        } else {
            // C1 stays the sine's.
            transcendental.trig(Transcendental.COS, xm, xse, rc);
            secondM = f.mant;
            secondSe = f.se;
            flags |= f.flags;
        }
        put(0, firstM, firstSe);
        push(secondM, secondSe);
        sw = up ? sw | SW_C1 : sw & ~SW_C1;
        exceptions(flags);
    }

    /** A positive constant's significand in the current rounding mode, from its nearest value. */
    private long roundConstant(long nearest, boolean exactAbove) {
        int mode = rc();
        if (exactAbove) {
            return mode == 2 ? nearest + 1 : nearest; // up rounds up; nearest, down and zero keep it
        }
        return mode == 1 || mode == 3 ? nearest - 1 : nearest; // down and zero round down
    }

    /** FXAM: classify ST(0) into C3, C2, C0; C1 is the sign. */
    private void examine() {
        sw &= ~SW_CONDITION;
        long mm = mant[top];
        int s = se[top];
        if (Float80.negative(s)) {
            sw |= SW_C1;
        }
        if (empty[top]) {
            sw |= SW_C3 | SW_C0;
        } else if (Float80.isUnsupported(mm, s)) {
            return;
        } else if (Float80.isNan(mm, s)) {
            sw |= SW_C0;
        } else if (Float80.isInf(mm, s)) {
            sw |= SW_C2 | SW_C0;
        } else if (Float80.isZero(mm, s)) {
            sw |= SW_C3;
        } else if ((s & 0x7FFF) == 0) {
            sw |= SW_C3 | SW_C2;
        } else {
            sw |= SW_C2;
        }
    }

    /** FXTRACT: ST(0) becomes the unbiased exponent, then the significand is pushed. */
    private void extract() {
        if (!empty[(top - 1) & 7]) {
            // No room for the second result: stack overflow, both results are the indefinite.
            sw |= SW_C1;
            exceptions(Float80.IE | SW_SF);
            put(0, Float80.INDEFINITE_MANT, Float80.INDEFINITE_SE);
            push(Float80.INDEFINITE_MANT, Float80.INDEFINITE_SE);
            return;
        }
        checkReadable(0);
        long mm = m(0);
        int s = e(0);
        if (Float80.isZero(mm, s)) {
            exceptions(Float80.ZE);
            put(0, Float80.INTEGER_BIT, 0xFFFF);
            push(0, s);
            return;
        }
        if (Float80.isUnsupported(mm, s)) {
            exceptions(Float80.IE);
            put(0, Float80.INDEFINITE_MANT, Float80.INDEFINITE_SE);
            push(Float80.INDEFINITE_MANT, Float80.INDEFINITE_SE);
            return;
        }
        if (Float80.isNan(mm, s)) {
            if (Float80.isSignaling(mm, s)) {
                exceptions(Float80.IE);
            }
            put(0, mm | Float80.QUIET_BIT, s);
            push(mm | Float80.QUIET_BIT, s);
            return;
        }
        if (Float80.isInf(mm, s)) {
            put(0, mm, s & 0x7FFF);
            push(mm, s);
            return;
        }
        if (Float80.isDenormal(mm, s)) {
            exceptions(Float80.DE);
        }
        int lz = Long.numberOfLeadingZeros(mm);
        int exp = ((s & 0x7FFF) == 0 ? 1 : s & 0x7FFF) - Float80.EXP_BIAS - lz;
        f.fromLong(exp);
        put(0, f.mant, f.se);
        push(mm << lz, (s & 0x8000) | Float80.EXP_BIAS);
    }
}
