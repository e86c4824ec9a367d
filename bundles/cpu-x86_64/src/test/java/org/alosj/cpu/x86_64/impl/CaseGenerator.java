package org.alosj.cpu.x86_64.impl;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.Rflags;

/**
 * Makes random concrete instances of an instruction form: random registers (REX bits, ModRM
 * and SIB choices), addressing modes, immediates, operand values and flags, with the registers
 * a memory operand uses pointed into the data pages, branch targets kept inside the code, and
 * the implicit operands (stack, string pointers, return addresses) set up so the instruction
 * does its work rather than fault on a wild pointer. Faults still happen (division by zero,
 * misaligned MOVAPS, privileged instructions, page crossings off the data) and are compared.
 */
final class CaseGenerator {
    private static final long STATUS = Rflags.STATUS;
    private static final long[] INTERESTING = {
        0, 1, 2, -1, -2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL,
        Long.MAX_VALUE, Long.MIN_VALUE, 0x1_0000_0000L, 31, 32, 63, 64, 8, 16};
    private static final long[] DOUBLES = {
        0, 0x8000_0000_0000_0000L, Double.doubleToRawLongBits(1.0), Double.doubleToRawLongBits(-1.5),
        Double.doubleToRawLongBits(Math.PI), Double.doubleToRawLongBits(1e300), Double.doubleToRawLongBits(-1e-300),
        Double.doubleToRawLongBits(0.1), Double.doubleToRawLongBits(2.5), Double.doubleToRawLongBits(3.5),
        Double.doubleToRawLongBits(-2.5), Double.doubleToRawLongBits(1e18), Double.doubleToRawLongBits(-9.3e18),
        Double.doubleToRawLongBits(Double.MIN_VALUE), Double.doubleToRawLongBits(Double.POSITIVE_INFINITY),
        Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY), 0x7FF8_0000_0000_0000L, 0x7FF0_0000_0000_0001L,
        0xFFF8_0000_0000_1234L, Double.doubleToRawLongBits(4294967296.0), Double.doubleToRawLongBits(65536.75)};

    private final InstructionForms forms;
    /** The cases' randomness, shared with {@link FlagSequences} so a seed still names every case. */
    final Random rng;

    CaseGenerator(InstructionForms forms, long seed) {
        this.forms = forms;
        this.rng = new Random(seed);
    }

    // --- random values ----------------------------------------------------------------------------

    long value() {
        switch (rng.nextInt(6)) {
            case 0: return INTERESTING[rng.nextInt(INTERESTING.length)];
            case 1: return rng.nextInt(256);
            case 2: return rng.nextInt() & 0xFFFF_FFFFL;
            case 3: return rng.nextInt(100) - 50;
            case 4: return INTERESTING[rng.nextInt(INTERESTING.length)] ^ (rng.nextInt(3) - 1);
            default: return rng.nextLong();
        }
    }

    long doubleBits() {
        return rng.nextInt(3) == 0 ? Double.doubleToRawLongBits((rng.nextDouble() - 0.5) * Math.pow(10, rng.nextInt(40) - 20))
                : DOUBLES[rng.nextInt(DOUBLES.length)];
    }

    int floatBits() {
        long d = doubleBits();
        if (rng.nextInt(8) == 0) {
            return new int[] {0x7FC0_0000, 0x7F80_0001, 0xFFC0_1234, 0x0000_0001, 0x7F80_0000}[rng.nextInt(5)];
        }
        return Float.floatToRawIntBits((float) Double.longBitsToDouble(d));
    }

    /** A 128-bit lane pair: two doubles, four floats, or integer noise. */
    long[] xmmValue() {
        switch (rng.nextInt(3)) {
            case 0: return new long[] {doubleBits(), doubleBits()};
            case 1: return new long[] {(floatBits() & 0xFFFF_FFFFL) | ((long) floatBits() << 32),
                (floatBits() & 0xFFFF_FFFFL) | ((long) floatBits() << 32)};
            default: return new long[] {value(), value()};
        }
    }

    /** The starting state: random registers and flags, random data, a random but valid FPU state. */
    DiffCase.State randomState() {
        DiffCase.State s = new DiffCase.State();
        for (int r = 0; r < 16; r++) {
            s.gpr[r] = value();
        }
        s.gpr[Reg.RSP] = DiffCase.DATA + 0xF00 + 8 * rng.nextInt(16);
        s.rflags = (rng.nextLong() & STATUS) | Rflags.IF | Rflags.RESERVED_1 | (rng.nextInt(8) == 0 ? Rflags.DF : 0);
        ByteBuffer d = ByteBuffer.wrap(s.data).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < DiffCase.DATA_SIZE; i += 8) {
            switch (rng.nextInt(4)) {
                case 0: d.putLong(i, doubleBits()); break;
                case 1: d.putInt(i, floatBits()); d.putInt(i + 4, floatBits()); break;
                default: d.putLong(i, value()); break;
            }
        }
        ByteBuffer fx = s.fxBuffer();
        int rc = rng.nextInt(4) == 0 ? rng.nextInt(4) : 0;
        // Precision control: 64 bits mostly, sometimes 24 or 53 (which only some instructions heed).
        int pc = rng.nextInt(4) == 0 ? new int[] {0, 2}[rng.nextInt(2)] : 3;
        fx.putShort(0, (short) (0x007F | (pc << 8) | (rc << 10)));
        int top = rng.nextInt(8);
        int valid = rng.nextInt(9);
        fx.putShort(2, (short) (top << 11));
        int tags = 0;
        for (int i = 0; i < 8; i++) {
            if (i < valid) {
                // ST(i) is physical register (top + i) & 7; the abridged tag is by physical register.
                tags |= 1 << ((top + i) & 7);
                long mant;
                int se;
                if (rng.nextInt(6) == 0) {
                    mant = 0;
                    se = rng.nextBoolean() ? 0x8000 : 0;
                } else {
                    double v = Double.longBitsToDouble(doubleBits());
                    if (Double.isNaN(v) || Double.isInfinite(v) || v == 0 || Math.abs(v) < 1e-300) {
                        v = 1.25;
                    }
                    long bits = Double.doubleToRawLongBits(v);
                    int exp = (int) ((bits >>> 52) & 0x7FF) - 1023 + 16383;
                    mant = (1L << 63) | ((bits & 0xF_FFFF_FFFF_FFFFL) << 11) | (rng.nextInt(4) == 0 ? rng.nextInt(2048) : 0);
                    se = exp | (bits < 0 ? 0x8000 : 0);
                }
                fx.putLong(32 + 16 * i, mant);
                fx.putShort(40 + 16 * i, (short) se);
            }
        }
        fx.put(4, (byte) tags);
        int mxRc = rng.nextInt(4) == 0 ? rng.nextInt(4) : 0;
        fx.putInt(24, 0x1F80 | (mxRc << 13));
        fx.putInt(28, 0xFFFF);
        for (int i = 0; i < 16; i++) {
            long[] x = xmmValue();
            fx.putLong(160 + 16 * i, x[0]);
            fx.putLong(168 + 16 * i, x[1]);
        }
        return s;
    }

    // --- instructions -----------------------------------------------------------------------------

    /** An encoded instruction and where in it the displacement and immediate sit. */
    static final class Encoded {
        byte[] bytes;
        Insn insn;
        int dispAt = -1;
        boolean ripRelative;
    }

    /** A random instance of the form, or null if none came out right in a number of tries. */
    Encoded instance(String key, InstructionForms.Probe p) {
        for (int attempt = 0; attempt < 200; attempt++) {
            Encoded e = tryInstance(p, attempt);
            if (e != null && forms.key(e.insn, p.hasModrm()).equals(key)) {
                return e;
            }
        }
        return null;
    }

    private Encoded tryInstance(InstructionForms.Probe p, int attempt) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        boolean memForm = p.hasModrm() && (p.modrm() >> 6) != 3;
        if (memForm && rng.nextInt(8) == 0) {
            b.write(0x65); // GS override
        }
        if (memForm && rng.nextInt(16) == 0) {
            b.write(0x67); // 32-bit addressing
        }
        if (p.prefix() > 0xFF) {
            b.write(p.prefix() >> 8);
        }
        if (p.prefix() != 0) {
            b.write(p.prefix() & 0xFF);
        }
        boolean plainRex = attempt < 100 ? rng.nextBoolean() : false;
        if (p.rexW() || plainRex) {
            int rex = 0x40 | (p.rexW() ? 8 : 0);
            if (attempt < 150) {
                rex |= rng.nextInt(8);
            }
            b.write(rex);
        }
        if (p.twoByte()) {
            b.write(0x0F);
        }
        if (p.opcode() > 0xFF) {
            b.write(p.opcode() >> 8);
        }
        b.write(p.opcode() & 0xFF);
        int dispAt = -1;
        boolean ripRel = false;
        if (p.hasModrm()) {
            int reg = rng.nextBoolean() || attempt >= 50 ? (p.modrm() >> 3) & 7 : rng.nextInt(8);
            if (!memForm) {
                int rm = (p.opcode() >= 0xD8 && p.opcode() <= 0xDF && !p.twoByte() && rng.nextBoolean())
                        || attempt >= 100 ? p.modrm() & 7 : rng.nextInt(8);
                b.write(0xC0 | reg << 3 | rm);
            } else {
                int mode = rng.nextInt(7);
                switch (mode) {
                    case 0: { // [base], base not rsp/rbp
                        int rm = new int[] {0, 1, 2, 3, 6, 7}[rng.nextInt(6)];
                        b.write(reg << 3 | rm);
                        break;
                    }
                    case 1: // [base + disp8]
                        b.write(0x40 | reg << 3 | pickNot4());
                        dispAt = b.size();
                        b.write(rng.nextInt(256));
                        break;
                    case 2: // [base + disp32]
                        b.write(0x80 | reg << 3 | pickNot4());
                        dispAt = b.size();
                        writeInt(b, rng.nextInt(0x2000) - 0x1000);
                        break;
                    case 3: { // SIB with base and index, disp8
                        b.write(0x44 | reg << 3);
                        b.write(rng.nextInt(4) << 6 | rng.nextInt(8) << 3 | rng.nextInt(8));
                        dispAt = b.size();
                        b.write(rng.nextInt(256));
                        break;
                    }
                    case 4: // SIB, no base: [index * scale + disp32]
                        b.write(0x04 | reg << 3);
                        b.write(rng.nextInt(4) << 6 | rng.nextInt(8) << 3 | 5);
                        dispAt = b.size();
                        writeInt(b, (int) DiffCase.DATA);
                        break;
                    case 5: // RIP-relative
                        b.write(0x05 | reg << 3);
                        dispAt = b.size();
                        ripRel = true;
                        writeInt(b, 0);
                        break;
                    default: // SIB, base only (index none), mod 0
                        b.write(0x04 | reg << 3);
                        b.write(rng.nextInt(4) << 6 | 4 << 3 | new int[] {0, 1, 2, 3, 4, 6, 7}[rng.nextInt(7)]);
                        break;
                }
            }
        }
        for (int i = 0; i < 10; i++) {
            b.write(rng.nextInt(256));
        }
        byte[] raw = b.toByteArray();
        Insn in;
        try {
            in = forms.decode(raw);
        } catch (GuestFault f) {
            return null;
        }
        if (in.op == Op.UD) {
            return null;
        }
        int len = (int) in.next;
        Encoded e = new Encoded();
        e.bytes = java.util.Arrays.copyOf(raw, len);
        e.insn = in;
        e.dispAt = dispAt;
        e.ripRelative = ripRel;
        return e;
    }

    private int pickNot4() {
        int rm = rng.nextInt(7);
        return rm >= 4 ? rm + 1 : rm;
    }

    private static void writeInt(ByteArrayOutputStream b, int v) {
        b.write(v);
        b.write(v >> 8);
        b.write(v >> 16);
        b.write(v >> 24);
    }

    // --- cases ------------------------------------------------------------------------------------------

    /** Padding after the instruction: branches land in it, so every path reaches the end. */
    static final int PAD = 16;

    DiffCase generate(String key, InstructionForms.Probe p) {
        Encoded e = instance(key, p);
        if (e == null) {
            return null;
        }
        DiffCase.State s = randomState();
        byte[] insn = e.bytes;
        Insn in = e.insn;
        int len = insn.length;
        long end = DiffCase.CODE + len;
        // Branch targets: somewhere in the padding (relative forms keep the offset in their last bytes).
        switch (in.op) {
            case Op.JCC:
            case Op.JMP_REL:
            case Op.CALL_REL:
            case Op.LOOP:
            case Op.JRCXZ: {
                int k = rng.nextInt(PAD);
                int op = p.opcode();
                boolean rel8 = !p.twoByte() && (op >= 0x70 && op <= 0x7F || op == 0xEB || op >= 0xE0 && op <= 0xE3);
                if (rel8) {
                    insn[len - 1] = (byte) k;
                } else {
                    ByteBuffer.wrap(insn, len - 4, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(k);
                }
                break;
            }
            case Op.INT:
                // Never 0x80: on the host that is a real (32-bit) system call.
                insn[len - 1] = (byte) new int[] {3, 4, 0x0D, 0x0E, 0x21, 0x41, 0xFF}[rng.nextInt(7)];
                break;
            default:
                break;
        }
        fixImplicitRegisters(in, insn, s);
        x87Operands(in, s);
        in = forms.decode(insn);
        // Memory operand: point its registers into the data pages.
        long target = DiffCase.DATA + 0x100 + rng.nextInt(DiffCase.DATA_SIZE - 0x300);
        if (rng.nextInt(10) == 0) {
            target = DiffCase.DATA + DiffCase.DATA_SIZE - 1 - rng.nextInt(12); // straddle the end
        } else if (rng.nextInt(4) == 0) {
            target &= ~15L;
        }
        if (in.memOperand() && p.hasModrm()) {
            if (e.ripRelative) {
                long disp = target - end - (in.seg == CpuState.SEG_GS ? DiffCase.GS_BASE : 0);
                ByteBuffer.wrap(insn, e.dispAt, 4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) disp);
                in = forms.decode(insn);
            }
            long seg = in.seg == CpuState.SEG_GS ? DiffCase.GS_BASE : 0;
            long want = target - seg - in.disp;
            if (!e.ripRelative) {
                if (in.index != CpuState.ZERO && in.base != CpuState.ZERO && in.index == in.base) {
                    long m = 1 + (1L << in.scale);
                    want -= Math.floorMod(want, m);
                    s.gpr[in.base] = want / m;
                } else if (in.index != CpuState.ZERO) {
                    long idx = rng.nextInt(64) - 32;
                    s.gpr[in.index] = idx;
                    if (in.base != CpuState.ZERO) {
                        s.gpr[in.base] = want - (idx << in.scale);
                    } else {
                        // No base: the displacement holds DATA; make the index reach the target.
                        long step = 1L << in.scale;
                        s.gpr[in.index] = Math.floorDiv(want, step);
                    }
                } else if (in.base != CpuState.ZERO) {
                    s.gpr[in.base] = want;
                }
            }
            in = forms.decode(insn);
        }
        fixImplicitMemory(in, s, end, e.ripRelative);
        in = forms.decode(insn);
        if (in.op == Op.SSE && in.aux >= SseExtensions.BASE) {
            if (SseExtensions.hasImmediate(in.aux)) {
                insn[insn.length - 1] = (byte) immSweep++; // every imm8 in turn across a form's cases
                in = forms.decode(insn);
            }
            extensionOperands(in, s, in.memOperand() ? eaOf(in, s, end, e.ripRelative) : 0);
        }
        if (in.op == Op.X87 && (in.aux == 0x74 || in.aux == 0x76)) {
            bcdOperands(in, s, eaOf(in, s, end, e.ripRelative));
        }
        if ((in.op == Op.SHLD || in.op == Op.SHRD) && in.size == 2 && in.cond == 1 && (s.gpr[Reg.RCX] & 31) > 16) {
            return null; // CL became a memory base: a count above 16 is undefined for 16 bits
        }
        long undefinedFlags = undefinedFlags(in, s);
        int undefinedRegs = 0;
        if ((in.op == Op.BSF || in.op == Op.BSR) && readSource(in, s, e.ripRelative) == 0) {
            undefinedRegs |= 1 << (in.reg & 15);
        }
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        if ((in.op == Op.X87 && X87Unit.isEnvironment(in.aux) || in.op == Op.FXSAVE) && !e.ripRelative && rng.nextInt(4) != 0) {
            // A non-control x87 instruction first, so the image's last-instruction pointers are its;
            // for FXSAVE, which stores them only while an exception is pending, often 1/0 with ZE unmasked.
            if (in.op == Op.FXSAVE && rng.nextBoolean()) {
                ByteBuffer fx = s.fxBuffer();
                fx.putShort(0, (short) (fx.getShort(0) & ~0x04));
                code.writeBytes(new byte[] {(byte) 0xD9, (byte) 0xE8, (byte) 0xD9, (byte) 0xEE, (byte) 0xDE, (byte) 0xF9});
            } else {
                code.writeBytes(X87_BEFORE[rng.nextInt(X87_BEFORE.length)]);
            }
        }
        code.writeBytes(insn);
        for (int i = 0; i < PAD; i++) {
            code.write(0x90);
        }
        // Half the time read the flags back with a SETcc on a fresh register: exercises the lazy flag paths.
        if ((undefinedFlags & (STATUS & ~Rflags.AF)) == 0 && rng.nextBoolean() && !endsFlow(in.op)) {
            code.write(0x0F);
            code.write(0x90 + rng.nextInt(16));
            code.write(0xC0 | rng.nextInt(4));
        }
        String desc = key + " [" + DiffCase.hex(insn) + "]";
        DiffCase c = new DiffCase(key, code.toByteArray(), s, undefinedFlags, undefinedRegs, desc);
        if (in.memOperand() && p.hasModrm()) {
            int at = (int) (eaOf(in, s, end, e.ripRelative) - DiffCase.DATA);
            if (in.op == Op.FXSAVE) {
                c.ignored.add(new int[] {at + 28, at + 32});
            }
            if (!DifferentialTest.HOST_KEEPS_POINTERS_AS_AMD) {
                if (in.op == Op.FXSAVE) {
                    c.ignored.add(new int[] {at + 6, at + 24});
                } else if (in.op == Op.X87 && (in.aux == 0x16 || in.aux == 0x56)) {
                    c.ignored.add(in.size == 2 ? new int[] {at + 6, at + 14} : new int[] {at + 12, at + 28});
                }
            }
        }
        return c;
    }

    private static boolean endsFlow(int op) {
        return op == Op.RET || op == Op.JMP_E || op == Op.CALL_E;
    }

    private long readSource(Insn in, DiffCase.State s, boolean ripRelative) {
        if (in.rm >= 0) {
            return s.gpr[in.rm & 15] & CpuState.mask(in.size);
        }
        long off = eaOf(in, s, 0, ripRelative) - DiffCase.DATA;
        if (off < 0 || off + in.size > DiffCase.DATA_SIZE) {
            return 1; // faults before it matters
        }
        long v = 0;
        for (int i = in.size - 1; i >= 0; i--) {
            v = v << 8 | (s.data[(int) off + i] & 0xFF);
        }
        return v;
    }

    /** Registers an instruction uses implicitly (before the memory operand claims its own). */
    private void fixImplicitRegisters(Insn in, byte[] insn, DiffCase.State s) {
        if (in.op == Op.SSE && in.aux >= SseExtensions.BASE && SseExtensions.formName(in.aux).startsWith("3A 6")) {
            // PCMPESTRx: the explicit lengths in RAX and RDX, short ones mostly, some past the element count.
            long[] lengths = {0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, -1, -3, -8, -16, -17, 0x7FFF_FFFFL, 0x8000_0000L,
                0xFFFF_FFFFL, Long.MIN_VALUE, 0x1_0000_0004L, 0xFFFF_FFFF_0000_0003L};
            s.gpr[Reg.RAX] = rng.nextBoolean() ? lengths[rng.nextInt(lengths.length)] : rng.nextInt(40) - 20;
            s.gpr[Reg.RDX] = rng.nextBoolean() ? lengths[rng.nextInt(lengths.length)] : rng.nextInt(40) - 20;
            return;
        }
        switch (in.op) {
            case Op.LEAVE:
                s.gpr[Reg.RBP] = DiffCase.DATA + 0x800 + 8 * rng.nextInt(64);
                break;
            case Op.ENTER: {
                // Keep the frame inside the data: whether ENTER probes a faulting final RSP differs
                // between vendors (AMD does, the SDM's pseudocode does not).
                s.gpr[Reg.RBP] = DiffCase.DATA + 0x800 + 8 * rng.nextInt(64);
                int alloc = rng.nextInt(0x400);
                insn[insn.length - 3] = (byte) alloc;
                insn[insn.length - 2] = (byte) (alloc >> 8);
                insn[insn.length - 1] = (byte) rng.nextInt(4);
                break;
            }
            case Op.MOVS:
            case Op.STOS:
            case Op.LODS:
            case Op.SCAS:
            case Op.CMPS:
                s.gpr[Reg.RSI] = DiffCase.DATA + 0x600 + rng.nextInt(0x600) - (in.seg == CpuState.SEG_GS ? DiffCase.GS_BASE : 0);
                s.gpr[Reg.RDI] = DiffCase.DATA + 0xC00 + rng.nextInt(0x600);
                if (in.rep != 0) {
                    s.gpr[Reg.RCX] = rng.nextInt(5) == 0 ? 0 : rng.nextInt(40);
                }
                if (in.op == Op.CMPS && rng.nextBoolean()) {
                    // Equal runs so REPE goes on for a while.
                    int n = rng.nextInt(64);
                    int si = (int) (s.gpr[Reg.RSI] + (in.seg == CpuState.SEG_GS ? DiffCase.GS_BASE : 0) - DiffCase.DATA);
                    int di = (int) (s.gpr[Reg.RDI] - DiffCase.DATA);
                    System.arraycopy(s.data, si, s.data, di, n);
                }
                break;
            case Op.XLAT:
                s.gpr[Reg.RBX] = DiffCase.DATA + 0x400 + rng.nextInt(0x800);
                break;
            case Op.MULDIV:
                if (in.aux >= 6 && rng.nextBoolean()) {
                    s.gpr[Reg.RDX] = rng.nextBoolean() ? 0 : rng.nextInt(16);
                    if (in.aux == 7 && rng.nextBoolean()) {
                        s.gpr[Reg.RDX] = s.gpr[Reg.RAX] < 0 ? -1 : 0;
                    }
                }
                break;
            case Op.SHLD:
            case Op.SHRD:
                if (in.size == 2) {
                    // Counts above 16 leave a 16-bit double shift undefined.
                    s.gpr[Reg.RCX] = (s.gpr[Reg.RCX] & ~0xFFL) | rng.nextInt(17);
                    if (in.cond != 1) {
                        insn[insn.length - 1] = (byte) rng.nextInt(17);
                    }
                }
                break;
            case Op.BT_R:
                if (in.rm < 0) {
                    // The bit offset reaches memory around the operand: keep it within the data pages.
                    s.gpr[in.reg & 15] = rng.nextInt(4096) - 2048;
                }
                break;
            case Op.CMPXCHG:
                if (rng.nextBoolean() && in.rm >= 0) {
                    s.gpr[Reg.RAX] = s.gpr[in.rm & 15]; // the compare succeeds
                }
                break;
            default:
                break;
        }
    }

    /**
     * FBLD and FBSTP: most of the time a valid packed decimal in memory (FBLD) and an ST(0) within
     * the 18 digits (FBSTP), otherwise whatever was there.
     */
    private void bcdOperands(Insn in, DiffCase.State s, long address) {
        if (rng.nextInt(4) == 0) {
            return;
        }
        if (in.aux == 0x74) {
            long off = address - DiffCase.DATA;
            if (off < 0 || off + 10 > DiffCase.DATA_SIZE) {
                return;
            }
            int digits = 1 + rng.nextInt(18);
            for (int i = 0; i < 9; i++) {
                int lo = 2 * i < digits ? rng.nextInt(10) : 0;
                int hi = 2 * i + 1 < digits ? rng.nextInt(10) : 0;
                s.data[(int) off + i] = (byte) (lo | hi << 4);
            }
            s.data[(int) off + 9] = (byte) (rng.nextBoolean() ? 0x80 : 0);
            return;
        }
        ByteBuffer fx = s.fxBuffer();
        int top = (fx.getShort(2) >> 11) & 7;
        fx.put(4, (byte) (fx.get(4) | 1 << top));
        double v = Math.scalb(rng.nextDouble() + 0.5, rng.nextInt(62) - 2) * (rng.nextBoolean() ? -1 : 1);
        if (rng.nextInt(8) == 0) {
            v = (rng.nextBoolean() ? 1 : -1) * (rng.nextBoolean() ? 999_999_999_999_999_999.0 : 1e18);
        }
        long bits = Double.doubleToRawLongBits(v);
        int exp = (int) ((bits >>> 52) & 0x7FF) - 1023 + 16383;
        long mant = (1L << 63) | ((bits & 0xF_FFFF_FFFF_FFFFL) << 11) | rng.nextInt(2048);
        fx.putLong(32, mant);
        fx.putShort(40, (short) (exp | (bits < 0 ? 0x8000 : 0)));
    }

    /**
     * Instructions that set the x87 pointers (FIP, FCS, FOP, and FDP, FDS for the memory ones):
     * FCHS, FADD ST, ST(1), FSIN, FLD m64 [rsp], FADD m64 [rsp + 8], FLD m64 gs:[rsp], FIMUL m16 [rsp].
     */
    private static final byte[][] X87_BEFORE = {
        {(byte) 0xD9, (byte) 0xE0}, {(byte) 0xD8, (byte) 0xC1}, {(byte) 0xD9, (byte) 0xFE}, {(byte) 0xDD, 0x04, 0x24},
        {(byte) 0xDC, 0x44, 0x24, 0x08}, {0x65, (byte) 0xDD, 0x04, 0x24}, {(byte) 0xDE, 0x0C, 0x24}};

    /** FXAM, FTST, FCOM/FUCOM/FCOMI/FUCOMI (and popping forms) of registers, FCMOVcc. */
    static boolean compareOrClassify(Insn in) {
        if (in.op != Op.X87 || (in.aux & 8) == 0) {
            return false;
        }
        int esc = in.aux >> 4;
        int r = in.aux & 7;
        return esc == 1 && (in.cond == 0xE4 || in.cond == 0xE5) || esc == 0 && (r == 2 || r == 3)
                || esc == 2 && r <= 3 || esc == 3 && (r <= 3 || r == 5 || r == 6) || esc == 5 && (r == 4 || r == 5)
                || esc == 7 && (r == 5 || r == 6) || esc == 6 && in.cond == 0xD9 || esc == 2 && in.cond == 0xE9;
    }

    /** True for the x87 instructions whose operands {@link #x87Operands} chooses. */
    static boolean transcendental(Insn in) {
        if (in.op != Op.X87 || in.aux != 0x1E && in.aux != 0x1F) {
            return false;
        }
        switch (in.cond) {
            case 0xF0: case 0xF1: case 0xF2: case 0xF3: case 0xF9: case 0xFB: case 0xFE: case 0xFF:
            case 0xF5: case 0xF8: case 0xFC: case 0xFD: case 0xF4:
                return true;
            default:
                return false;
        }
    }

    /**
     * ST(0) and ST(1) for the transcendental and remaining arithmetic instructions (F2XM1, FYL2X,
     * FYL2XP1, FPATAN, FSIN, FCOS, FSINCOS, FPTAN, FPREM, FPREM1, FRNDINT, FSCALE, FXTRACT): mostly
     * within the instruction's domain with any exponent, often an edge (zeros, infinities, NaNs,
     * denormals, unnormals, +-1, powers of two, the ends of the domain).
     */
    private void x87Operands(Insn in, DiffCase.State s) {
        if (compareOrClassify(in)) {
            // FXAM, FTST and the register compares: edge values in every register half the time.
            if (rng.nextBoolean()) {
                ByteBuffer fx = s.fxBuffer();
                for (int i = 0; i < 8; i++) {
                    long[] v = rng.nextInt(3) == 0 ? x87Operand(0x100, 0) : X87_EDGES[rng.nextInt(X87_EDGES.length)];
                    fx.putLong(32 + 16 * i, v[0]);
                    fx.putShort(40 + 16 * i, (short) v[1]);
                }
            }
            return;
        }
        if (!transcendental(in)) {
            return;
        }
        ByteBuffer fx = s.fxBuffer();
        int top = (fx.getShort(2) >> 11) & 7;
        int tags = fx.get(4) & 0xFF;
        if (rng.nextInt(8) != 0) {
            // Usually both operands present and, for the pushing forms, room to push.
            tags |= 1 << top | 1 << ((top + 1) & 7);
            if (rng.nextInt(4) != 0) {
                tags &= ~(1 << ((top + 7) & 7));
            }
            fx.put(4, (byte) tags);
        }
        for (int i = 0; i < 2; i++) {
            long[] v = x87Operand(in.cond, i);
            fx.putLong(32 + 16 * i, v[0]);
            fx.putShort(40 + 16 * i, (short) v[1]);
        }
    }

    private static final long[][] X87_EDGES = {
        {0, 0}, {0, 0x8000}, {1L << 63, 0x7FFF}, {1L << 63, 0xFFFF}, {0xC000_0000_0000_0000L, 0xFFFF},
        {0xC000_0000_1234_0000L, 0x7FFF}, {0x8000_0000_0000_5678L, 0x7FFF}, {0x0000_0000_0000_0001L, 0},
        {0x0000_1234_5678_9ABCL, 0x8000}, {0x8000_0000_0000_0000L, 0}, {0x4000_0000_0000_0000L, 0x3FFF},
        {1L << 63, 0x3FFF}, {1L << 63, 0xBFFF}, {1L << 63, 0x3FFE}, {1L << 63, 0x4000}, {0x8000_0000_0000_0001L, 0x3FFF},
        {0xFFFF_FFFF_FFFF_FFFFL, 0x3FFE}, {0xFFFF_FFFF_FFFF_FFFFL, 0xBFFE}, {1L << 63, 0x403E}, {0xFFFF_FFFF_FFFF_FFFFL, 0x403D},
        {0xFFFF_FFFF_FFFF_FFFFL, 0xC03D}, {0xC90F_DAA2_2168_C235L, 0x4000}, {0xC90F_DAA2_2168_C234L, 0x3FFF},
        {0xC90F_DAA2_2168_C235L, 0x3FFE}, {1L << 63, 0x7FFE}, {0xFFFF_FFFF_FFFF_FFFFL, 0x7FFE}, {1L << 63, 0x0001},
        {1L << 63, 0x3FBF}, {1L << 63, 0x4005}, {0xB504_F333_F9DE_6484L, 0x3FFE}, {0x95F6_1998_0C43_36F7L, 0xBFFD},
        {1L << 63, 0xBFFE}, {0xC000_0000_0000_0000L, 0x3FFF}, {0xA000_0000_0000_0000L, 0x4002}};

    /** One operand: {significand, sign and exponent}. */
    private long[] x87Operand(int modrm, int which) {
        if (rng.nextInt(4) == 0) {
            return X87_EDGES[rng.nextInt(X87_EDGES.length)].clone();
        }
        long m = rng.nextLong() | Long.MIN_VALUE;
        int sign = rng.nextBoolean() ? 0x8000 : 0;
        int e;
        switch (which == 0 ? modrm : 0x100) {
            case 0xF0: // F2XM1: |x| < 1
                e = 0x3FFE - (rng.nextInt(4) == 0 ? rng.nextInt(200) : rng.nextInt(20));
                break;
            case 0xF9: // FYL2XP1: |x| < 1 - sqrt(2)/2, sometimes beyond
                e = 0x3FFD - (rng.nextInt(4) == 0 ? rng.nextInt(200) : rng.nextInt(20)) + (rng.nextInt(8) == 0 ? 2 : 0);
                break;
            case 0xF1: // FYL2X: x > 0, near 1 as often as not
                sign = rng.nextInt(16) == 0 ? 0x8000 : 0;
                if (rng.nextBoolean()) {
                    e = rng.nextBoolean() ? 0x3FFF : 0x3FFE;
                    m = rng.nextBoolean() ? Long.MIN_VALUE | rng.nextInt(1 << 20) : -1L - rng.nextInt(1 << 20);
                } else {
                    e = 0x3FFF + rng.nextInt(400) - 200;
                }
                break;
            case 0xFE: case 0xFF: case 0xF2: case 0xFB: // trigonometric: |x| < 2^63, sometimes beyond
                e = 0x3FFF + rng.nextInt(70) - (rng.nextInt(4) == 0 ? 80 : 4);
                break;
            default: // FPATAN, FPREM, FSCALE ... and every ST(1)
                e = 0x3FFF + (rng.nextInt(4) == 0 ? rng.nextInt(4000) - 2000 : rng.nextInt(80) - 40);
                if (modrm == 0xFD && which == 1) {
                    e = 0x3FFF + rng.nextInt(16); // FSCALE: a scale that keeps the result finite, mostly
                }
                break;
        }
        return new long[] {m, sign | e};
    }

    private int immSweep;

    /** Bytes from a small alphabet (with zeros), so the string compares find matches, ranges and ends. */
    private long alphabetBytes(boolean words) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            int c = rng.nextInt(12) == 0 ? 0 : "abcAB0z\u00e9\u0080\u00ff".charAt(rng.nextInt(10)) & 0xFF;
            if (words && (i & 1) == 1) {
                c = rng.nextInt(6) == 0 ? 0x80 : rng.nextInt(6) == 0 ? 0xFF : 0;
            }
            v |= (long) c << (8 * i);
        }
        return v;
    }

    private static final long[] ROUNDING_DOUBLES = {
        Double.doubleToRawLongBits(2.5), Double.doubleToRawLongBits(-2.5), Double.doubleToRawLongBits(0.5),
        Double.doubleToRawLongBits(-0.5), Double.doubleToRawLongBits(1.0000001), Double.doubleToRawLongBits(-7.75),
        Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(0x1p52 + 0.5), Double.doubleToRawLongBits(4.5e15),
        Double.doubleToRawLongBits(Double.MIN_VALUE), 0x8000_0000_0000_0001L, 0x7FF0_0000_0000_0001L, 0xFFF8_0000_0000_0000L,
        Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY), Double.doubleToRawLongBits(1e300)};
    private static final int[] ROUNDING_FLOATS = {
        Float.floatToRawIntBits(2.5f), Float.floatToRawIntBits(-3.5f), Float.floatToRawIntBits(0.49999997f),
        Float.floatToRawIntBits(-0.5f), Float.floatToRawIntBits(8388607.5f), 0x8000_0000, 0x0000_0001, 0x8000_0001,
        0x7F80_0001, 0x7FC0_0000, 0xFF80_0000, Float.floatToRawIntBits(1.75f), Float.floatToRawIntBits(-1e30f)};

    /**
     * Operands for the SSE3/SSSE3/SSE4 forms where random bits would miss the interesting cases:
     * strings from a small alphabet and short lengths for PCMPxSTRx, halfway and tiny values for
     * ROUND*, equal or disjoint operands for PTEST and PCMPEQQ, zeros for PSIGN.
     */
    private void extensionOperands(Insn in, DiffCase.State s, long address) {
        String name = SseExtensions.formName(in.aux);
        ByteBuffer fx = s.fxBuffer();
        int src = in.rm >= 0 ? in.rm & 15 : -1;
        long[] a = {fx.getLong(160 + 16 * (in.reg & 15)), fx.getLong(168 + 16 * (in.reg & 15))};
        long[] b = null;
        if (name.startsWith("3A 6")) {
            boolean words = (in.imm & 1) != 0;
            a = new long[] {alphabetBytes(words), alphabetBytes(words)};
            b = new long[] {alphabetBytes(words), alphabetBytes(words)};
            if (rng.nextInt(3) == 0) {
                // The needle (or set) inside the string, so equal ordered finds it.
                int shift = 8 * rng.nextInt(8);
                b[0] = a[0] << shift | b[0] & ((1L << shift) - 1);
                b[1] = a[0] >>> (64 - shift) & ((1L << shift) - 1) | (shift == 0 ? a[1] : b[1] & ~((1L << shift) - 1));
            }
        } else if (name.startsWith("3A 08") || name.startsWith("3A 0A")) {
            b = new long[2];
            for (int i = 0; i < 2; i++) {
                b[i] = (ROUNDING_FLOATS[rng.nextInt(ROUNDING_FLOATS.length)] & 0xFFFF_FFFFL)
                        | (long) ROUNDING_FLOATS[rng.nextInt(ROUNDING_FLOATS.length)] << 32;
            }
        } else if (name.startsWith("3A 09") || name.startsWith("3A 0B")) {
            b = new long[] {ROUNDING_DOUBLES[rng.nextInt(ROUNDING_DOUBLES.length)],
                ROUNDING_DOUBLES[rng.nextInt(ROUNDING_DOUBLES.length)]};
        } else if ((name.startsWith("38 17") || name.startsWith("38 29") || name.startsWith("38 37")) && rng.nextBoolean()) {
            b = rng.nextBoolean() ? a.clone() : new long[] {~a[0] & rng.nextLong(), ~a[1] & rng.nextLong()};
        } else if (name.startsWith("38 0") && rng.nextBoolean()) {
            b = new long[] {rng.nextLong() & 0xFF00_FF00_0000_FFFFL, rng.nextLong() & 0x0000_FFFF_FF00_00FFL};
        }
        if (rng.nextInt(8) == 0 && b == null) {
            b = a.clone(); // ties for PHMINPOSUW, the MIN/MAX forms, zero sums for MPSADBW
        }
        fx.putLong(160 + 16 * (in.reg & 15), a[0]);
        fx.putLong(168 + 16 * (in.reg & 15), a[1]);
        if (b == null) {
            return;
        }
        if (src >= 0) {
            fx.putLong(160 + 16 * src, b[0]);
            fx.putLong(168 + 16 * src, b[1]);
        } else {
            ByteBuffer d = ByteBuffer.wrap(s.data).order(ByteOrder.LITTLE_ENDIAN);
            long off = address - DiffCase.DATA;
            for (int i = 0; i < 16; i++) {
                if (off + i >= 0 && off + i < DiffCase.DATA_SIZE) {
                    d.put((int) (off + i), (byte) (b[i >> 3] >>> (8 * (i & 7))));
                }
            }
        }
    }

    /** Memory an instruction uses implicitly: return addresses, flag images, IRET frames. */
    private void fixImplicitMemory(Insn in, DiffCase.State s, long end, boolean ripRelative) {
        ByteBuffer d = ByteBuffer.wrap(s.data).order(ByteOrder.LITTLE_ENDIAN);
        long rsp = s.gpr[Reg.RSP];
        int spOff = (int) (rsp - DiffCase.DATA);
        switch (in.op) {
            case Op.RET:
                if (spOff >= 0 && spOff + 8 <= DiffCase.DATA_SIZE) {
                    d.putLong(spOff, end + rng.nextInt(PAD));
                }
                break;
            case Op.JMP_E:
            case Op.CALL_E: {
                long t = end + rng.nextInt(PAD);
                if (in.rm >= 0) {
                    s.gpr[in.rm & 15] = t;
                } else {
                    long a = eaOf(in, s, end, ripRelative);
                    long off = a - DiffCase.DATA;
                    if (off >= 0 && off + 8 <= DiffCase.DATA_SIZE) {
                        d.putLong((int) off, t);
                    }
                }
                break;
            }
            case Op.POPF:
                if (spOff >= 0 && spOff + 8 <= DiffCase.DATA_SIZE) {
                    d.putLong(spOff, (rng.nextLong() & (STATUS | Rflags.DF)) | Rflags.IF | Rflags.RESERVED_1);
                }
                break;
            case Op.IRET:
                if (spOff >= 0 && spOff + 40 <= DiffCase.DATA_SIZE) {
                    d.putLong(spOff, end + rng.nextInt(PAD));
                    d.putLong(spOff + 8, 0x33);
                    d.putLong(spOff + 16, (rng.nextLong() & (STATUS | Rflags.DF)) | Rflags.IF | Rflags.RESERVED_1);
                    d.putLong(spOff + 24, DiffCase.DATA + 0x400 + 8 * rng.nextInt(64));
                    d.putLong(spOff + 32, 0x2B);
                }
                break;
            default:
                break;
        }
    }

    private long eaOf(Insn in, DiffCase.State s, long end) {
        return eaOf(in, s, end, false);
    }

    /** The operand's linear address; RIP-relative displacements were decoded at address 0. */
    private long eaOf(Insn in, DiffCase.State s, long end, boolean ripRelative) {
        long base = in.base == CpuState.ZERO ? 0 : s.gpr[in.base];
        long index = in.index == CpuState.ZERO ? 0 : s.gpr[in.index];
        long a = base + (index << in.scale) + in.disp + (ripRelative ? DiffCase.CODE : 0);
        if (in.addr32) {
            a &= 0xFFFF_FFFFL;
        }
        if (in.seg == CpuState.SEG_GS) {
            a += DiffCase.GS_BASE;
        }
        return a;
    }

    /** The status flags the SDM leaves undefined after this instruction with these inputs. */
    static long undefinedFlags(Insn in, DiffCase.State s) {
        final long cf = Rflags.CF;
        final long pf = Rflags.PF;
        final long af = Rflags.AF;
        final long zf = Rflags.ZF;
        final long sf = Rflags.SF;
        final long of = Rflags.OF;
        switch (in.op) {
            case Op.ALU_RR:
            case Op.ALU_RM:
            case Op.ALU_MR:
            case Op.ALU_RI:
            case Op.ALU_MI:
                return in.aux == 1 || in.aux == 4 || in.aux == 6 ? af : 0;
            case Op.TEST_RR:
            case Op.TEST_MR:
            case Op.TEST_RI:
            case Op.TEST_MI:
                return af;
            case Op.MULDIV:
                return in.aux < 6 ? sf | zf | af | pf : STATUS;
            case Op.IMUL_RE:
            case Op.IMUL_REI:
                return sf | zf | af | pf;
            case Op.SHIFT: {
                int bits = in.size * 8;
                long count = in.cond == 1 ? s.gpr[Reg.RCX] & 0xFF : in.imm & 0xFF;
                count &= in.size == 8 ? 63 : 31;
                if (count == 0) {
                    return 0;
                }
                long u = count != 1 ? of : 0;
                switch (in.aux) {
                    case 0: case 1: case 2: case 3: // ROL ROR RCL RCR: only CF and OF change
                        return u;
                    default:
                        return u | af | (count >= bits && in.size < 4 ? cf : 0);
                }
            }
            case Op.SHLD:
            case Op.SHRD: {
                long count = in.cond == 1 ? s.gpr[Reg.RCX] & 0xFF : in.imm & 0xFF;
                count &= in.size == 8 ? 63 : 31;
                if (count == 0) {
                    return 0;
                }
                return af | (count != 1 ? of : 0) | (count >= in.size * 8 ? STATUS : 0);
            }
            case Op.BT_R:
            case Op.BT_I:
                return of | sf | af | pf;
            case Op.BSF:
            case Op.BSR:
                return cf | of | sf | af | pf;
            case Op.TZCNT:
            case Op.LZCNT:
                return of | sf | af | pf;
            default:
                return 0;
        }
    }
}
