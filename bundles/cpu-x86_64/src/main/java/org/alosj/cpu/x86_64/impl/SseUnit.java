package org.alosj.cpu.x86_64.impl;

import org.alosj.hal.cpu.Vector;

/**
 * SSE and SSE2: the 128-bit data moves, packed integer, logical, shuffle and unpack
 * instructions, scalar and packed single/double arithmetic, comparisons and conversions that
 * gcc and musl emit for baseline x86-64. An operation number is {@code opcode * 4 + prefix}
 * (none, 66, F3, F2), so this class reads like the opcode map (Intel SDM Vol. 2, table A-3).
 *
 * <p>Floating point follows the x86 rules where Java's differ: a NaN operand propagates the
 * first NaN (destination before source) quietened; an invalid operation gives the default NaN
 * (negative quiet NaN); MIN/MAX return the source when either operand is NaN or both are zero;
 * MXCSR.RC directs conversions and the arithmetic.
 */
final class SseUnit {
    private static final int N = Decoder.PFX_NONE;
    private static final int D = Decoder.PFX_66;
    private static final int S = Decoder.PFX_F3;
    private static final int F = Decoder.PFX_F2;
    /** Width marker: the operand is a general register or memory of the operand size. */
    private static final int GPR_WIDTH = -1;

    private static final int[] WIDTH = new int[256 * 4];
    private static final boolean[] ALIGNED = new boolean[256 * 4];
    private static final boolean[] STORE = new boolean[256 * 4];
    private static final boolean[] REG_ONLY = new boolean[256 * 4];
    private static final boolean[] MEM_ONLY = new boolean[256 * 4];

    static final long DEFAULT_NAN_D = 0xFFF8_0000_0000_0000L;
    static final int DEFAULT_NAN_S = 0xFFC0_0000;
    private static final long INDEFINITE_64 = Long.MIN_VALUE;
    private static final long INDEFINITE_32 = 0x8000_0000L;

    // MXCSR bits (Intel SDM Vol. 1, 10.2.3)
    static final int MXCSR_IE = 1;
    static final int MXCSR_DE = 1 << 1;
    static final int MXCSR_ZE = 1 << 2;
    static final int MXCSR_OE = 1 << 3;
    static final int MXCSR_UE = 1 << 4;
    static final int MXCSR_PE = 1 << 5;
    static final int MXCSR_IM = 1 << 7;
    static final int MXCSR_ZM = 1 << 9;
    static final int MXCSR_RC_SHIFT = 13;
    static final int RC_NEAREST = 0;
    static final int RC_DOWN = 1;
    static final int RC_UP = 2;
    static final int RC_ZERO = 3;

    static {
        def(0x10, 16, false, false, N, D);
        def(0x10, 4, false, false, S);
        def(0x10, 8, false, false, F);
        def(0x11, 16, false, true, N, D);
        def(0x11, 4, false, true, S);
        def(0x11, 8, false, true, F);
        def(0x12, 8, false, false, N, D);
        memOnly(0x12, D);
        def(0x13, 8, false, true, N, D);
        memOnly(0x13, N, D);
        def(0x14, 16, true, false, N, D);
        def(0x15, 16, true, false, N, D);
        def(0x16, 8, false, false, N, D);
        memOnly(0x16, D);
        def(0x17, 8, false, true, N, D);
        memOnly(0x17, N, D);
        def(0x28, 16, true, false, N, D);
        def(0x29, 16, true, true, N, D);
        def(0x2A, GPR_WIDTH, false, false, S, F);
        def(0x2B, 16, true, true, N, D);
        memOnly(0x2B, N, D);
        def(0x2C, 4, false, false, S);
        def(0x2C, 8, false, false, F);
        def(0x2D, 4, false, false, S);
        def(0x2D, 8, false, false, F);
        def(0x2E, 4, false, false, N);
        def(0x2E, 8, false, false, D);
        def(0x2F, 4, false, false, N);
        def(0x2F, 8, false, false, D);
        def(0x50, 16, false, false, N, D);
        regOnly(0x50, N, D);
        for (int op : new int[] {0x51, 0x58, 0x59, 0x5C, 0x5D, 0x5E, 0x5F}) {
            def(op, 16, true, false, N, D);
            def(op, 4, false, false, S);
            def(op, 8, false, false, F);
        }
        for (int op = 0x54; op <= 0x57; op++) {
            def(op, 16, true, false, N, D);
        }
        def(0x5A, 8, false, false, N);
        def(0x5A, 16, true, false, D);
        def(0x5A, 4, false, false, S);
        def(0x5A, 8, false, false, F);
        def(0x5B, 16, true, false, N, D, S);
        for (int op = 0x60; op <= 0x6D; op++) {
            def(op, 16, true, false, D);
        }
        def(0x6E, GPR_WIDTH, false, false, D);
        def(0x6F, 16, true, false, D);
        def(0x6F, 16, false, false, S);
        def(0x70, 16, true, false, D, S, F);
        for (int op = 0x71; op <= 0x73; op++) {
            def(op, 16, false, false, D);
            regOnly(op, D);
        }
        for (int op = 0x74; op <= 0x76; op++) {
            def(op, 16, true, false, D);
        }
        def(0x7E, GPR_WIDTH, false, true, D);
        def(0x7E, 8, false, false, S);
        def(0x7F, 16, true, true, D);
        def(0x7F, 16, false, true, S);
        def(0xC2, 16, true, false, N, D);
        def(0xC2, 4, false, false, S);
        def(0xC2, 8, false, false, F);
        def(0xC4, 2, false, false, D);
        def(0xC5, 16, false, false, D);
        regOnly(0xC5, D);
        def(0xC6, 16, true, false, N, D);
        for (int op = 0xD1; op <= 0xFE; op++) {
            if (op != 0xD6 && op != 0xD7 && op != 0xE6 && op != 0xE7 && op != 0xF0 && op != 0xF7) {
                def(op, 16, true, false, D);
            }
        }
        def(0xD6, 8, false, true, D);
        def(0xD7, 16, false, false, D);
        regOnly(0xD7, D);
        def(0xE6, 16, true, false, D, F);
        def(0xE6, 8, false, false, S);
        def(0xE7, 16, true, true, D);
        memOnly(0xE7, D);
    }

    private static void def(int opcode, int width, boolean aligned, boolean store, int... prefixes) {
        for (int p : prefixes) {
            WIDTH[opcode * 4 + p] = width;
            ALIGNED[opcode * 4 + p] = aligned;
            STORE[opcode * 4 + p] = store;
        }
    }

    private static void regOnly(int opcode, int... prefixes) {
        for (int p : prefixes) {
            REG_ONLY[opcode * 4 + p] = true;
        }
    }

    private static void memOnly(int opcode, int... prefixes) {
        for (int p : prefixes) {
            MEM_ONLY[opcode * 4 + p] = true;
        }
    }

    /** Memory operand width, -1 for the general-register operand size, 0 if not implemented. */
    static int memoryWidth(int opcode, int prefix) {
        return WIDTH[opcode * 4 + prefix];
    }

    static boolean requiresAlignment(int opcode, int prefix) {
        return ALIGNED[opcode * 4 + prefix];
    }

    static boolean isStore(int opcode, int prefix) {
        return STORE[opcode * 4 + prefix];
    }

    static boolean hasImmediate(int opcode) {
        return opcode >= 0x70 && opcode <= 0x73 || opcode == 0xC2 || opcode == 0xC4 || opcode == 0xC5 || opcode == 0xC6;
    }

    static boolean validForm(int opcode, int prefix, boolean regForm, int modrmReg) {
        int k = opcode * 4 + prefix;
        if (regForm && MEM_ONLY[k] || !regForm && REG_ONLY[k]) {
            return false;
        }
        switch (opcode) {
            case 0x71:
            case 0x72:
                return modrmReg == 2 || modrmReg == 4 || modrmReg == 6;
            case 0x73:
                return modrmReg == 2 || modrmReg == 3 || modrmReg == 6 || modrmReg == 7;
            default:
                return true;
        }
    }

    private final X86Core cpu;
    private final long[] x;
    /** SSE3/SSSE3/SSE4 and CRC32 instructions executed, for tests and tools that ask which paths code took. */
    long extensionsExecuted;

    SseUnit(X86Core cpu) {
        this.cpu = cpu;
        this.x = cpu.xmm;
    }

    private static final int SCRATCH = 16;

    /** Loads the source operand (register or memory) and returns its XMM slot. */
    private int source(Insn in) {
        if (in.rm >= 0) {
            return in.rm;
        }
        long a = cpu.ea(in);
        int w = in.memWidth == GPR_WIDTH ? in.size : in.memWidth;
        if (in.aligned && (a & 15) != 0) {
            throw new GuestFault(Vector.GP, 0);
        }
        Mmu m = cpu.mem;
        switch (w) {
            case 16:
                x[2 * SCRATCH] = m.read64(a);
                x[2 * SCRATCH + 1] = m.read64(a + 8);
                break;
            case 8:
                x[2 * SCRATCH] = m.read64(a);
                x[2 * SCRATCH + 1] = 0;
                break;
            case 4:
                x[2 * SCRATCH] = m.read32(a);
                x[2 * SCRATCH + 1] = 0;
                break;
            default:
                x[2 * SCRATCH] = m.read16(a);
                x[2 * SCRATCH + 1] = 0;
        }
        return SCRATCH;
    }

    private int rc() {
        return (cpu.mxcsr >>> MXCSR_RC_SHIFT) & 3;
    }

    static final int DIRECT_STORE = 1;
    static final int DIRECT_LOAD = 2;
    static final int DIRECT_ARITHMETIC = 3;
    static final int DIRECT_UNPACK = 4;
    static final int DIRECT_LOGIC = 5;
    static final int DIRECT_CVT_INT = 6;
    static final int DIRECT_MOVE = 7;
    static final int DIRECT_COMPARE = 8;
    static final int DIRECT_CVT_TO_INT = 9;
    static final int DIRECT_CONVERT = 10;

    /**
     * The handler {@link #execute} picks for operation {@code k} when it is one of the frequent
     * ones a compiled block calls through {@link #executeDirect} (so HotSpot can inline it with
     * {@code k} constant), else 0.
     */
    static int directKind(int k) {
        if (k >= SseExtensions.BASE) {
            return 0;
        }
        if (STORE[k]) {
            return DIRECT_STORE;
        }
        switch (k >>> 2) {
            case 0x10: return DIRECT_LOAD;
            case 0x51: case 0x58: case 0x59: case 0x5C: case 0x5D: case 0x5E: case 0x5F: return DIRECT_ARITHMETIC;
            case 0x14: case 0x15: case 0x60: case 0x61: case 0x62: case 0x68: case 0x69: case 0x6A:
            case 0x6C: case 0x6D:
                return DIRECT_UNPACK;
            case 0x54: case 0x55: case 0x56: case 0x57: case 0xDB: case 0xDF: case 0xEB: case 0xEF: return DIRECT_LOGIC;
            case 0x2A: return DIRECT_CVT_INT;
            case 0x28: case 0x6F: return DIRECT_MOVE;
            case 0x2E: case 0x2F: return DIRECT_COMPARE;
            case 0x2C: case 0x2D: return DIRECT_CVT_TO_INT;
            case 0x5A: case 0x5B: case 0xE6: return DIRECT_CONVERT;
            default: return 0;
        }
    }

    /** As {@link #execute} for an operation whose {@link #directKind} is {@code kind}. */
    void executeDirect(Insn in, int k, int kind) {
        switch (kind) {
            case DIRECT_STORE: store(in, k); return;
            case DIRECT_LOAD: movLoad(in, k); return;
            case DIRECT_ARITHMETIC: SseFloat.arithmetic(this, in, k, source(in)); return;
            case DIRECT_UNPACK: unpack(in, k >>> 2); return;
            case DIRECT_LOGIC: logic(in, k >>> 2); return;
            case DIRECT_CVT_INT: cvtIntToFloat(in, k); return;
            case DIRECT_MOVE: move(in); return;
            case DIRECT_COMPARE: compareScalar(in, k); return;
            case DIRECT_CVT_TO_INT: cvtFloatToInt(in, k); return;
            default: SseFloat.convert(this, in, k, source(in));
        }
    }

    /** MOVAPS/MOVAPD/MOVDQA/MOVDQU to a register. */
    private void move(Insn in) {
        int s = source(in);
        x[2 * in.reg] = x[2 * s];
        x[2 * in.reg + 1] = x[2 * s + 1];
    }

    void execute(Insn in) {
        int k = in.aux;
        if (k >= SseExtensions.BASE) {
            extensionsExecuted++;
            SseExtensions.execute(this, in);
            return;
        }
        int dst = in.reg;
        int opcode = k >>> 2;
        if (STORE[k]) {
            store(in, k);
            return;
        }
        switch (opcode) {
            case 0x10: movLoad(in, k); return;
            case 0x12: case 0x16: movHalf(in, k); return;
            case 0x14: case 0x15: case 0x60: case 0x61: case 0x62: case 0x68: case 0x69: case 0x6A:
            case 0x6C: case 0x6D:
                unpack(in, opcode); return;
            case 0x28: case 0x6F: move(in); return;
            case 0x2A: cvtIntToFloat(in, k); return;
            case 0x2C: case 0x2D: cvtFloatToInt(in, k); return;
            case 0x2E: case 0x2F: compareScalar(in, k); return;
            case 0x50: moveMask(in, k); return;
            case 0x51: case 0x58: case 0x59: case 0x5C: case 0x5D: case 0x5E: case 0x5F:
                SseFloat.arithmetic(this, in, k, source(in)); return;
            case 0x54: case 0x55: case 0x56: case 0x57: case 0xDB: case 0xDF: case 0xEB: case 0xEF:
                logic(in, opcode); return;
            case 0x5A: case 0x5B: case 0xE6:
                SseFloat.convert(this, in, k, source(in)); return;
            case 0x63: case 0x67: case 0x6B: pack(in, opcode); return;
            case 0x6E: {
                long v = in.rm >= 0 ? cpu.getReg(in.rm, in.size) : cpu.mem.read(cpu.ea(in), in.size);
                x[2 * dst] = v;
                x[2 * dst + 1] = 0;
                return;
            }
            case 0x70: shuffleWords(in, k); return;
            case 0x71: case 0x72: case 0x73: shiftImmediate(in, opcode); return;
            case 0x7E: { // F3: MOVQ xmm, xmm/m64
                int s = source(in);
                x[2 * dst] = x[2 * s];
                x[2 * dst + 1] = 0;
                return;
            }
            case 0xC2: SseFloat.compare(this, in, k, source(in)); return;
            case 0xC4: {
                long v = in.rm >= 0 ? cpu.getReg(in.rm, 4) : cpu.mem.read16(cpu.ea(in));
                int lane = (int) in.imm & 7;
                int half = 2 * dst + (lane >> 2);
                int sh = (lane & 3) * 16;
                x[half] = (x[half] & ~(0xFFFFL << sh)) | ((v & 0xFFFF) << sh);
                return;
            }
            case 0xC5: {
                int lane = (int) in.imm & 7;
                long v = (x[2 * in.rm + (lane >> 2)] >>> ((lane & 3) * 16)) & 0xFFFF;
                cpu.setReg(in.reg, 4, v);
                return;
            }
            case 0xC6: shufflePacked(in, k); return;
            case 0xD7: {
                int s = in.rm;
                long m = 0;
                for (int i = 0; i < 8; i++) {
                    m |= ((x[2 * s] >>> (8 * i + 7)) & 1) << i;
                    m |= ((x[2 * s + 1] >>> (8 * i + 7)) & 1) << (i + 8);
                }
                cpu.setReg(in.reg, 4, m);
                return;
            }
            case 0xD1: case 0xD2: case 0xD3: case 0xE1: case 0xE2: case 0xF1: case 0xF2: case 0xF3:
                shiftByRegister(in, opcode); return;
            default:
                SseInteger.execute(this, in, opcode, dst, source(in));
        }
    }

    long[] regs() {
        return x;
    }

    X86Core cpu() {
        return cpu;
    }

    int roundingControl() {
        return rc();
    }

    void raiseFlags(int flags) {
        cpu.mxcsr |= flags;
        int unmasked = flags & ~(cpu.mxcsr >>> 7) & 0x3F;
        if (unmasked != 0) {
            throw new GuestFault((cpu.cr4 & org.alosj.hal.cpu.Cr.CR4_OSXMMEXCPT) != 0 ? Vector.XM : Vector.UD, 0);
        }
    }

    // --- moves --------------------------------------------------------------------------------------------

    private void store(Insn in, int k) {
        int opcode = k >>> 2;
        int src = in.reg;
        if (in.rm >= 0) {
            // Register forms of the store encodings: a move to the ModRM.rm register.
            int d = in.rm;
            switch (k) {
                case 0x11 * 4 + S: x[2 * d] = (x[2 * d] & ~0xFFFF_FFFFL) | (x[2 * src] & 0xFFFF_FFFFL); return;
                case 0x11 * 4 + F: x[2 * d] = x[2 * src]; return;
                case 0x7E * 4 + D: cpu.setReg(d, in.size, in.size == 8 ? x[2 * src] : x[2 * src] & 0xFFFF_FFFFL); return;
                case 0xD6 * 4 + D: x[2 * d] = x[2 * src]; x[2 * d + 1] = 0; return;
                default:
                    x[2 * d] = x[2 * src];
                    x[2 * d + 1] = x[2 * src + 1];
                    return;
            }
        }
        long a = cpu.ea(in);
        int w = in.memWidth == GPR_WIDTH ? in.size : in.memWidth;
        if (in.aligned && (a & 15) != 0) {
            throw new GuestFault(Vector.GP, 0);
        }
        Mmu m = cpu.mem;
        switch (w) {
            case 16:
                m.probeWrite(a, 16);
                m.write64(a, x[2 * src]);
                m.write64(a + 8, x[2 * src + 1]);
                return;
            case 8:
                m.write64(a, opcode == 0x17 ? x[2 * src + 1] : x[2 * src]);
                return;
            default:
                m.write32(a, x[2 * src]);
        }
    }

    private void movLoad(Insn in, int k) {
        int d = in.reg;
        int s = source(in);
        switch (k & 3) {
            case S:
                if (in.rm >= 0) {
                    x[2 * d] = (x[2 * d] & ~0xFFFF_FFFFL) | (x[2 * s] & 0xFFFF_FFFFL);
                } else {
                    x[2 * d] = x[2 * s];
                    x[2 * d + 1] = 0;
                }
                return;
            case F:
                x[2 * d] = x[2 * s];
                if (in.rm < 0) {
                    x[2 * d + 1] = 0;
                }
                return;
            default:
                x[2 * d] = x[2 * s];
                x[2 * d + 1] = x[2 * s + 1];
        }
    }

    /** MOVLPS/MOVLPD/MOVHLPS (0F 12) and MOVHPS/MOVHPD/MOVLHPS (0F 16). */
    private void movHalf(Insn in, int k) {
        int d = in.reg;
        boolean high = (k >>> 2) == 0x16;
        if (in.rm >= 0) {
            if (high) {
                x[2 * d + 1] = x[2 * in.rm];
            } else {
                x[2 * d] = x[2 * in.rm + 1];
            }
            return;
        }
        long v = cpu.mem.read64(cpu.ea(in));
        x[2 * d + (high ? 1 : 0)] = v;
    }

    private void logic(Insn in, int opcode) {
        int d = in.reg;
        int s = source(in);
        long s0 = x[2 * s];
        long s1 = x[2 * s + 1];
        switch (opcode) {
            case 0x54: case 0xDB: x[2 * d] &= s0; x[2 * d + 1] &= s1; return;
            case 0x55: case 0xDF: x[2 * d] = ~x[2 * d] & s0; x[2 * d + 1] = ~x[2 * d + 1] & s1; return;
            case 0x56: case 0xEB: x[2 * d] |= s0; x[2 * d + 1] |= s1; return;
            default: x[2 * d] ^= s0; x[2 * d + 1] ^= s1;
        }
    }

    private void moveMask(Insn in, int k) {
        int s = in.rm;
        long m;
        if ((k & 3) == N) {
            m = ((x[2 * s] >>> 31) & 1) | ((x[2 * s] >>> 62) & 2) | (((x[2 * s + 1] >>> 31) & 1) << 2)
                    | (((x[2 * s + 1] >>> 63) & 1) << 3);
        } else {
            m = ((x[2 * s] >>> 63) & 1) | (((x[2 * s + 1] >>> 63) & 1) << 1);
        }
        cpu.setReg(in.reg, 4, m);
    }

    // --- shuffles and unpacks ---------------------------------------------------------------------------

    /** Moves the elements of a 32-bit value into the even lane-sized slots of 64 bits (lane 8, 16, 32). */
    private static long spread(long v, int lane) {
        if (lane == 32) {
            return v;
        }
        v = (v | v << 16) & 0x0000_FFFF_0000_FFFFL;
        if (lane == 16) {
            return v;
        }
        return (v | v << 8) & 0x00FF_00FF_00FF_00FFL;
    }

    /**
     * The 64 bits of interleaving the {@code lane}-bit elements (8, 16, 32) of the low 32 bits
     * of {@code a} and {@code b}, {@code a}'s first (PUNPCKLxx and UNPCKLPS half by half; called
     * by compiled traces).
     */
    static long interleave(long a, long b, int lane) {
        return spread(a & 0xFFFF_FFFFL, lane) | spread(b & 0xFFFF_FFFFL, lane) << lane;
    }

    private void unpack(Insn in, int opcode) {
        int d = in.reg;
        int s = source(in);
        boolean high;
        int lane;
        switch (opcode) {
            case 0x60: high = false; lane = 8; break;
            case 0x61: high = false; lane = 16; break;
            case 0x62: case 0x14: high = false; lane = ((in.aux & 3) == D && opcode == 0x14) ? 64 : 32; break;
            case 0x68: high = true; lane = 8; break;
            case 0x69: high = true; lane = 16; break;
            case 0x6A: case 0x15: high = true; lane = ((in.aux & 3) == D && opcode == 0x15) ? 64 : 32; break;
            case 0x6C: high = false; lane = 64; break;
            default: high = true; lane = 64; break;
        }
        long a = x[2 * d + (high ? 1 : 0)];
        long b = x[2 * s + (high ? 1 : 0)];
        if (lane == 64) {
            x[2 * d] = a;
            x[2 * d + 1] = b;
            return;
        }
        // Interleave by spreading each 32-bit half's elements into every other lane-sized slot.
        long lo = spread(a & 0xFFFF_FFFFL, lane) | spread(b & 0xFFFF_FFFFL, lane) << lane;
        long hi = spread(a >>> 32, lane) | spread(b >>> 32, lane) << lane;
        x[2 * d] = lo;
        x[2 * d + 1] = hi;
    }

    private void pack(Insn in, int opcode) {
        int d = in.reg;
        int s = source(in);
        long[] src = {x[2 * d], x[2 * d + 1], x[2 * s], x[2 * s + 1]};
        long lo = 0;
        long hi = 0;
        if (opcode == 0x6B) { // PACKSSDW: 8 dwords to 8 saturated words
            for (int i = 0; i < 8; i++) {
                long v = (int) (src[i / 2] >>> ((i & 1) * 32));
                long w = Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v)) & 0xFFFF;
                if (i < 4) {
                    lo |= w << (16 * i);
                } else {
                    hi |= w << (16 * (i - 4));
                }
            }
        } else { // PACKSSWB / PACKUSWB: 16 words to 16 saturated bytes
            for (int i = 0; i < 16; i++) {
                long v = (short) (src[i / 4] >>> ((i & 3) * 16));
                long bt = opcode == 0x63 ? Math.max(-128, Math.min(127, v)) & 0xFF : Math.max(0, Math.min(255, v));
                if (i < 8) {
                    lo |= bt << (8 * i);
                } else {
                    hi |= bt << (8 * (i - 8));
                }
            }
        }
        x[2 * d] = lo;
        x[2 * d + 1] = hi;
    }

    private void shuffleWords(Insn in, int k) {
        int d = in.reg;
        int s = source(in);
        int imm = (int) in.imm;
        long s0 = x[2 * s];
        long s1 = x[2 * s + 1];
        switch (k & 3) {
            case D: { // PSHUFD
                long[] dw = {s0 & 0xFFFF_FFFFL, s0 >>> 32, s1 & 0xFFFF_FFFFL, s1 >>> 32};
                x[2 * d] = dw[imm & 3] | (dw[(imm >> 2) & 3] << 32);
                x[2 * d + 1] = dw[(imm >> 4) & 3] | (dw[(imm >> 6) & 3] << 32);
                return;
            }
            case S: // PSHUFHW
                x[2 * d] = s0;
                x[2 * d + 1] = shuffle4Words(s1, imm);
                return;
            default: // PSHUFLW
                x[2 * d] = shuffle4Words(s0, imm);
                x[2 * d + 1] = s1;
        }
    }

    private static long shuffle4Words(long v, int imm) {
        long r = 0;
        for (int i = 0; i < 4; i++) {
            r |= ((v >>> (16 * ((imm >> (2 * i)) & 3))) & 0xFFFF) << (16 * i);
        }
        return r;
    }

    private void shufflePacked(Insn in, int k) {
        int d = in.reg;
        int s = source(in);
        int imm = (int) in.imm;
        if ((k & 3) == D) { // SHUFPD
            long lo = x[2 * d + (imm & 1)];
            long hi = x[2 * s + ((imm >> 1) & 1)];
            x[2 * d] = lo;
            x[2 * d + 1] = hi;
            return;
        }
        long[] a = {x[2 * d] & 0xFFFF_FFFFL, x[2 * d] >>> 32, x[2 * d + 1] & 0xFFFF_FFFFL, x[2 * d + 1] >>> 32};
        long[] b = {x[2 * s] & 0xFFFF_FFFFL, x[2 * s] >>> 32, x[2 * s + 1] & 0xFFFF_FFFFL, x[2 * s + 1] >>> 32};
        x[2 * d] = a[imm & 3] | (a[(imm >> 2) & 3] << 32);
        x[2 * d + 1] = b[(imm >> 4) & 3] | (b[(imm >> 6) & 3] << 32);
    }

    // --- shifts -------------------------------------------------------------------------------------------

    private void shiftByRegister(Insn in, int opcode) {
        int s = source(in);
        long count = x[2 * s];
        int kind;
        int lane;
        switch (opcode) {
            case 0xD1: kind = 0; lane = 16; break;
            case 0xD2: kind = 0; lane = 32; break;
            case 0xD3: kind = 0; lane = 64; break;
            case 0xE1: kind = 1; lane = 16; break;
            case 0xE2: kind = 1; lane = 32; break;
            case 0xF1: kind = 2; lane = 16; break;
            case 0xF2: kind = 2; lane = 32; break;
            default: kind = 2; lane = 64; break;
        }
        shiftLanes(in.reg, kind, lane, count);
    }

    private void shiftImmediate(Insn in, int opcode) {
        int d = in.rm;
        long count = in.imm & 0xFF;
        int r = in.cond;
        int lane = opcode == 0x71 ? 16 : opcode == 0x72 ? 32 : 64;
        if (opcode == 0x73 && (r == 3 || r == 7)) {
            int bytes = (int) Math.min(count, 16);
            long lo = x[2 * d];
            long hi = x[2 * d + 1];
            java.math.BigInteger v = new java.math.BigInteger(1, toBytes(hi, lo));
            v = r == 3 ? v.shiftRight(8 * bytes) : v.shiftLeft(8 * bytes);
            long[] parts = fromBig(v);
            x[2 * d] = parts[0];
            x[2 * d + 1] = parts[1];
            return;
        }
        shiftLanes(d, r == 2 ? 0 : r == 4 ? 1 : 2, lane, count);
    }

    private static byte[] toBytes(long hi, long lo) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        return b;
    }

    private static long[] fromBig(java.math.BigInteger v) {
        long lo = v.longValue();
        long hi = v.shiftRight(64).longValue();
        return new long[] {lo, hi};
    }

    /** kind 0 logical right, 1 arithmetic right, 2 left; a count past the lane clears or sign-fills. */
    private void shiftLanes(int d, int kind, int lane, long count) {
        for (int h = 0; h < 2; h++) {
            long v = x[2 * d + h];
            long r = 0;
            long m = lane == 64 ? -1L : (1L << lane) - 1;
            for (int i = 0; i < 64; i += lane) {
                long e = (v >>> i) & m;
                long res;
                boolean big = Long.compareUnsigned(count, lane) >= 0;
                switch (kind) {
                    case 0: res = big ? 0 : e >>> count; break;
                    case 1: {
                        long se = (e << (64 - lane)) >> (64 - lane);
                        res = (big ? se >> (lane - 1) : se >> count) & m;
                        break;
                    }
                    default: res = big ? 0 : (e << count) & m; break;
                }
                r |= res << i;
            }
            x[2 * d + h] = r;
        }
    }

    // --- conversions between integers and floats -----------------------------------------------------------

    private void cvtIntToFloat(Insn in, int k) {
        long v = in.rm >= 0 ? cpu.getReg(in.rm, in.size) : cpu.mem.read(cpu.ea(in), in.size);
        long sv = in.size == 8 ? v : (int) v;
        int d = in.reg;
        if ((k & 3) == F) {
            double dv = SseFloat.longToDouble(sv, rc());
            if (dv >= 0x1p63 || (long) dv != sv) {
                raiseFlags(MXCSR_PE);
            }
            x[2 * d] = Double.doubleToRawLongBits(dv);
        } else {
            float f = SseFloat.longToFloat(sv, rc());
            if (f >= 0x1p63f || (long) f != sv) {
                raiseFlags(MXCSR_PE);
            }
            x[2 * d] = (x[2 * d] & ~0xFFFF_FFFFL) | (Float.floatToRawIntBits(f) & 0xFFFF_FFFFL);
        }
    }

    /**
     * CVTSI2SD's result for compiled traces: an integer of up to 53 bits converts exactly and
     * raises nothing; a wider one rounds per MXCSR and may raise PE, as {@link #cvtIntToFloat}.
     */
    static long intToDoubleInTrace(X86Core cpu, long v) {
        if ((v << 11) >> 11 == v) {
            return Double.doubleToRawLongBits((double) v);
        }
        SseUnit u = cpu.sseUnit();
        double dv = SseFloat.longToDouble(v, u.rc());
        if (dv >= 0x1p63 || (long) dv != v) {
            u.raiseFlags(MXCSR_PE);
        }
        return Double.doubleToRawLongBits(dv);
    }

    private void cvtFloatToInt(Insn in, int k) {
        int s = source(in);
        boolean truncate = (k >>> 2) == 0x2C;
        double v = (k & 3) == F ? Double.longBitsToDouble(x[2 * s]) : Float.intBitsToFloat((int) x[2 * s]);
        long res = toInteger(v, in.size == 8, truncate ? RC_ZERO : rc());
        cpu.setReg(in.reg, in.size, res);
    }

    /** Rounds per {@code rc}; NaN or out of range gives the integer indefinite value and #I. */
    long toInteger(double v, boolean wide, int rc) {
        double r;
        switch (rc) {
            case RC_NEAREST: r = Math.rint(v); break;
            case RC_DOWN: r = Math.floor(v); break;
            case RC_UP: r = Math.ceil(v); break;
            default: r = v < 0 ? Math.ceil(v) : Math.floor(v); break;
        }
        if (wide) {
            if (Double.isNaN(r) || r >= 0x1p63 || r < -0x1p63) {
                raiseFlags(MXCSR_IE);
                return INDEFINITE_64;
            }
            if (r != v) {
                raiseFlags(MXCSR_PE);
            }
            return (long) r;
        }
        if (Double.isNaN(r) || r >= 0x1p31 || r < -0x1p31) {
            raiseFlags(MXCSR_IE);
            return INDEFINITE_32;
        }
        if (r != v) {
            raiseFlags(MXCSR_PE);
        }
        return ((long) r) & 0xFFFF_FFFFL;
    }

    // --- COMISS/UCOMISS/COMISD/UCOMISD -----------------------------------------------------------------

    private void compareScalar(Insn in, int k) {
        int s = source(in);
        boolean dbl = (k & 3) == D;
        boolean signalling = (k >>> 2) == 0x2F;
        double a;
        double b;
        boolean snan;
        if (dbl) {
            a = Double.longBitsToDouble(x[2 * in.reg]);
            b = Double.longBitsToDouble(x[2 * s]);
            snan = SseFloat.isSignalingD(x[2 * in.reg]) || SseFloat.isSignalingD(x[2 * s]);
        } else {
            a = Float.intBitsToFloat((int) x[2 * in.reg]);
            b = Float.intBitsToFloat((int) x[2 * s]);
            snan = SseFloat.isSignalingS((int) x[2 * in.reg]) || SseFloat.isSignalingS((int) x[2 * s]);
        }
        if (!Double.isNaN(a) && !Double.isNaN(b) && (dbl ? SseFloat.isDenormalD(x[2 * in.reg]) || SseFloat.isDenormalD(x[2 * s])
                : SseFloat.isDenormalS((int) x[2 * in.reg]) || SseFloat.isDenormalS((int) x[2 * s]))) {
            raiseFlags(MXCSR_DE);
        }
        long flags;
        if (Double.isNaN(a) || Double.isNaN(b)) {
            flags = org.alosj.hal.cpu.Rflags.ZF | org.alosj.hal.cpu.Rflags.PF | org.alosj.hal.cpu.Rflags.CF;
            if (signalling || snan) {
                raiseFlags(MXCSR_IE);
            }
        } else if (a > b) {
            flags = 0;
        } else if (a < b) {
            flags = org.alosj.hal.cpu.Rflags.CF;
        } else {
            flags = org.alosj.hal.cpu.Rflags.ZF;
        }
        cpu.setStatusFlags(flags, org.alosj.hal.cpu.Rflags.STATUS);
    }
}
