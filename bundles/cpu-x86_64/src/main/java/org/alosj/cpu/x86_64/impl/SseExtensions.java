package org.alosj.cpu.x86_64.impl;

import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.Rflags;
import org.alosj.hal.cpu.Vector;

/**
 * SSE3, SSSE3, SSE4.1 and the SSE4.2 packed compare (PCMPGTQ), the instructions compilers emit
 * for {@code -march=x86-64-v2}. An operation number is {@link #BASE} + map * 1024 + opcode * 4 +
 * prefix, map 0 being 0F (the SSE3 additions), 1 the 0F 38 map and 2 the 0F 3A map (Intel SDM
 * Vol. 2, tables ), so it never meets {@link SseUnit}'s numbers. Only the XMM forms
 * are implemented: this model has no MMX registers, so the 0F 38 / 0F 3A encodings without the
 * 66 prefix stay #UD (CPUID does not advertise MMX). The string compares (PCMPxSTRx) are in
 * {@link StringCompare}.
 */
final class SseExtensions {
    static final int BASE = 4096;
    private static final int N = Decoder.PFX_NONE;
    private static final int D = Decoder.PFX_66;
    private static final int S = Decoder.PFX_F3;
    private static final int F = Decoder.PFX_F2;
    /** Width marker: a general register, or memory of the operand size. */
    private static final int GPR_WIDTH = -1;

    private static final int SIZE = 3 * 1024;
    private static final int[] WIDTH = new int[SIZE];
    private static final boolean[] ALIGNED = new boolean[SIZE];
    private static final boolean[] STORE = new boolean[SIZE];
    private static final boolean[] REG_ONLY = new boolean[SIZE];
    private static final boolean[] MEM_ONLY = new boolean[SIZE];

    static {
        // SSE3 in the 0F map
        def(0, 0xD0, 16, true, D, F); // ADDSUBPD, ADDSUBPS
        def(0, 0x7C, 16, true, D, F); // HADDPD, HADDPS
        def(0, 0x7D, 16, true, D, F); // HSUBPD, HSUBPS
        def(0, 0x12, 16, true, S); // MOVSLDUP
        def(0, 0x16, 16, true, S); // MOVSHDUP
        def(0, 0x12, 8, false, F); // MOVDDUP
        def(0, 0xF0, 16, false, F); // LDDQU
        MEM_ONLY[0xF0 * 4 + F] = true;
        // SSSE3 and SSE4.1 in 0F 38
        for (int op : new int[] {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x1C, 0x1D, 0x1E,
            0x10, 0x14, 0x15, 0x17, 0x28, 0x29, 0x2B, 0x37, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x40, 0x41}) {
            def(1, op, 16, true, D);
        }
        for (int op : new int[] {0x20, 0x23, 0x25, 0x30, 0x33, 0x35}) {
            def(1, op, 8, false, D); // PMOVSX/ZX BW, WD, DQ
        }
        def(1, 0x21, 4, false, D);
        def(1, 0x24, 4, false, D);
        def(1, 0x31, 4, false, D);
        def(1, 0x34, 4, false, D);
        def(1, 0x22, 2, false, D);
        def(1, 0x32, 2, false, D);
        def(1, 0x2A, 16, true, D); // MOVNTDQA
        MEM_ONLY[1024 + 0x2A * 4 + D] = true;
        // SSSE3, SSE4.1 and SSE4.2 in 0F 3A (every one has an imm8)
        for (int op : new int[] {0x08, 0x09, 0x0C, 0x0D, 0x0E, 0x0F, 0x40, 0x41, 0x42}) {
            def(2, op, 16, true, D);
        }
        for (int op = 0x60; op <= 0x63; op++) {
            def(2, op, 16, false, D); // the string compares need no alignment
        }
        def(2, 0x0A, 4, false, D); // ROUNDSS
        def(2, 0x0B, 8, false, D); // ROUNDSD
        def(2, 0x14, 1, false, D); // PEXTRB
        def(2, 0x15, 2, false, D); // PEXTRW
        def(2, 0x16, GPR_WIDTH, false, D); // PEXTRD/Q
        def(2, 0x17, 4, false, D); // EXTRACTPS
        for (int op = 0x14; op <= 0x17; op++) {
            STORE[2048 + op * 4 + D] = true;
        }
        def(2, 0x20, 1, false, D); // PINSRB
        def(2, 0x21, 4, false, D); // INSERTPS
        def(2, 0x22, GPR_WIDTH, false, D); // PINSRD/Q
    }

    private static void def(int map, int opcode, int width, boolean aligned, int... prefixes) {
        for (int p : prefixes) {
            int k = map * 1024 + opcode * 4 + p;
            WIDTH[k] = width;
            ALIGNED[k] = aligned;
        }
    }

    private SseExtensions() {
    }

    /** The operation number of a form, or -1 if this model does not implement it. */
    static int operation(int map, int opcode, int prefix) {
        int k = map * 1024 + opcode * 4 + prefix;
        return WIDTH[k] == 0 ? -1 : BASE + k;
    }

    static int memoryWidth(int k) {
        return WIDTH[k - BASE];
    }

    static boolean requiresAlignment(int k) {
        return ALIGNED[k - BASE];
    }

    static boolean isStore(int k) {
        return STORE[k - BASE];
    }

    static boolean validForm(int k, boolean regForm) {
        return !(regForm && MEM_ONLY[k - BASE] || !regForm && REG_ONLY[k - BASE]);
    }

    /** The 0F 3A map: every instruction there has an imm8. */
    static boolean hasImmediate(int k) {
        return k - BASE >= 2048;
    }

    /** Forms whose behaviour depends on REX.W (a 64-bit general register or length). */
    static boolean sizeMatters(int k) {
        int m = k - BASE;
        return m == 2048 + 0x16 * 4 + D || m == 2048 + 0x22 * 4 + D || m == 2048 + 0x60 * 4 + D || m == 2048 + 0x61 * 4 + D;
    }

    /** For tools and tests: "38 00/66" (0F 38 00 with 66), "D0/F2" (0F D0 with F2). */
    static String formName(int k) {
        int m = k - BASE;
        String map = new String[] {"", "38 ", "3A "}[m >> 10];
        return String.format("%s%02X/%s", map, (m >> 2) & 0xFF, new String[] {"np", "66", "F3", "F2"}[m & 3]);
    }

    // --- execution ------------------------------------------------------------------------------------

    static void execute(SseUnit u, Insn in) {
        int m = in.aux - BASE;
        int map = m >> 10;
        int opcode = (m >> 2) & 0xFF;
        switch (map) {
            case 0: sse3(u, in, opcode, m & 3); return;
            case 1: map38(u, in, opcode); return;
            default: map3A(u, in, opcode);
        }
    }

    /** The 16 bytes of the source operand (register or memory), little-endian. */
    private static byte[] sourceBytes(SseUnit u, Insn in) {
        long[] x = u.regs();
        if (in.rm >= 0) {
            return bytes(x[2 * in.rm], x[2 * in.rm + 1]);
        }
        X86Core cpu = u.cpu();
        long a = cpu.ea(in);
        int w = WIDTH[in.aux - BASE];
        if (ALIGNED[in.aux - BASE] && (a & 15) != 0) {
            throw new GuestFault(Vector.GP, 0);
        }
        Mmu mem = cpu.mem;
        switch (w) {
            case 16: {
                long lo = mem.read64(a);
                return bytes(lo, mem.read64(a + 8));
            }
            case 8: return bytes(mem.read64(a), 0);
            case 4: return bytes(mem.read32(a), 0);
            case 2: return bytes(mem.read16(a), 0);
            default: return bytes(mem.read8(a), 0);
        }
    }

    static byte[] bytes(long lo, long hi) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (lo >>> (8 * i));
            b[8 + i] = (byte) (hi >>> (8 * i));
        }
        return b;
    }

    static byte[] register(SseUnit u, int reg) {
        long[] x = u.regs();
        return bytes(x[2 * reg], x[2 * reg + 1]);
    }

    private static void put(SseUnit u, int reg, byte[] b) {
        long lo = 0;
        long hi = 0;
        for (int i = 7; i >= 0; i--) {
            lo = lo << 8 | (b[i] & 0xFF);
            hi = hi << 8 | (b[8 + i] & 0xFF);
        }
        long[] x = u.regs();
        x[2 * reg] = lo;
        x[2 * reg + 1] = hi;
    }

    private static int word(byte[] b, int i) {
        return (short) ((b[2 * i] & 0xFF) | b[2 * i + 1] << 8);
    }

    private static void setWord(byte[] b, int i, int v) {
        b[2 * i] = (byte) v;
        b[2 * i + 1] = (byte) (v >> 8);
    }

    private static int dword(byte[] b, int i) {
        return (b[4 * i] & 0xFF) | (b[4 * i + 1] & 0xFF) << 8 | (b[4 * i + 2] & 0xFF) << 16 | b[4 * i + 3] << 24;
    }

    private static void setDword(byte[] b, int i, int v) {
        for (int k = 0; k < 4; k++) {
            b[4 * i + k] = (byte) (v >> (8 * k));
        }
    }

    private static long qword(byte[] b, int i) {
        return (dword(b, 2 * i) & 0xFFFF_FFFFL) | (long) dword(b, 2 * i + 1) << 32;
    }

    private static void setQword(byte[] b, int i, long v) {
        setDword(b, 2 * i, (int) v);
        setDword(b, 2 * i + 1, (int) (v >>> 32));
    }

    private static int saturateWord(int v) {
        return Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
    }

    // --- SSE3 -----------------------------------------------------------------------------------------

    private static void sse3(SseUnit u, Insn in, int opcode, int prefix) {
        byte[] s = sourceBytes(u, in);
        byte[] d = register(u, in.reg);
        byte[] r = new byte[16];
        int rc = u.roundingControl();
        switch (opcode) {
            case 0x12:
                if (prefix == S) { // MOVSLDUP
                    for (int i = 0; i < 4; i++) {
                        setDword(r, i, dword(s, i & ~1));
                    }
                } else { // MOVDDUP
                    setQword(r, 0, qword(s, 0));
                    setQword(r, 1, qword(s, 0));
                }
                break;
            case 0x16: // MOVSHDUP
                for (int i = 0; i < 4; i++) {
                    setDword(r, i, dword(s, i | 1));
                }
                break;
            case 0xF0: // LDDQU
                r = s;
                break;
            case 0xD0: // ADDSUB: even elements subtract, odd ones add
                if (prefix == D) {
                    setQword(r, 0, SseFloat.opD(u, 0x5C, qword(d, 0), qword(s, 0), rc));
                    setQword(r, 1, SseFloat.opD(u, 0x58, qword(d, 1), qword(s, 1), rc));
                } else {
                    for (int i = 0; i < 4; i++) {
                        setDword(r, i, SseFloat.opS(u, (i & 1) == 0 ? 0x5C : 0x58, dword(d, i), dword(s, i), rc));
                    }
                }
                break;
            default: { // HADD (7C), HSUB (7D): adjacent pairs of the destination, then of the source
                int op = opcode == 0x7C ? 0x58 : 0x5C;
                if (prefix == D) {
                    setQword(r, 0, SseFloat.opD(u, op, qword(d, 0), qword(d, 1), rc));
                    setQword(r, 1, SseFloat.opD(u, op, qword(s, 0), qword(s, 1), rc));
                } else {
                    setDword(r, 0, SseFloat.opS(u, op, dword(d, 0), dword(d, 1), rc));
                    setDword(r, 1, SseFloat.opS(u, op, dword(d, 2), dword(d, 3), rc));
                    setDword(r, 2, SseFloat.opS(u, op, dword(s, 0), dword(s, 1), rc));
                    setDword(r, 3, SseFloat.opS(u, op, dword(s, 2), dword(s, 3), rc));
                }
            }
        }
        put(u, in.reg, r);
    }

    // --- 0F 38: SSSE3, SSE4.1, PCMPGTQ -------------------------------------------------------------------

    private static void map38(SseUnit u, Insn in, int opcode) {
        if (laneWise(u, in, opcode)) {
            return;
        }
        byte[] s = sourceBytes(u, in);
        byte[] d = register(u, in.reg);
        byte[] r = new byte[16];
        switch (opcode) {
            case 0x01: case 0x02: case 0x03: case 0x05: case 0x06: case 0x07:
                horizontal(opcode, d, s, r);
                break;
            case 0x04: // PMADDUBSW: unsigned bytes of the destination times signed bytes of the source
                for (int i = 0; i < 8; i++) {
                    int p = (d[2 * i] & 0xFF) * s[2 * i] + (d[2 * i + 1] & 0xFF) * s[2 * i + 1];
                    setWord(r, i, saturateWord(p));
                }
                break;
            case 0x08: // PSIGNB
                for (int i = 0; i < 16; i++) {
                    r[i] = (byte) (s[i] < 0 ? -d[i] : s[i] == 0 ? 0 : d[i]);
                }
                break;
            case 0x09:
                for (int i = 0; i < 8; i++) {
                    int v = word(s, i);
                    setWord(r, i, v < 0 ? -word(d, i) : v == 0 ? 0 : word(d, i));
                }
                break;
            case 0x0A:
                for (int i = 0; i < 4; i++) {
                    int v = dword(s, i);
                    setDword(r, i, v < 0 ? -dword(d, i) : v == 0 ? 0 : dword(d, i));
                }
                break;
            case 0x0B: // PMULHRSW
                for (int i = 0; i < 8; i++) {
                    int p = word(d, i) * word(s, i);
                    setWord(r, i, ((p >> 14) + 1) >> 1);
                }
                break;
            case 0x1C:
                for (int i = 0; i < 16; i++) {
                    r[i] = (byte) Math.abs(s[i]);
                }
                break;
            case 0x1D:
                for (int i = 0; i < 8; i++) {
                    setWord(r, i, Math.abs(word(s, i)));
                }
                break;
            case 0x1E:
                for (int i = 0; i < 4; i++) {
                    setDword(r, i, Math.abs(dword(s, i)));
                }
                break;
            case 0x14: { // BLENDVPS
                byte[] mask = register(u, 0);
                for (int i = 0; i < 4; i++) {
                    setDword(r, i, mask[4 * i + 3] < 0 ? dword(s, i) : dword(d, i));
                }
                break;
            }
            case 0x15: { // BLENDVPD
                byte[] mask = register(u, 0);
                for (int i = 0; i < 2; i++) {
                    setQword(r, i, mask[8 * i + 7] < 0 ? qword(s, i) : qword(d, i));
                }
                break;
            }
            case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25:
            case 0x30: case 0x31: case 0x32: case 0x33: case 0x34: case 0x35:
                extend(opcode, s, r);
                break;
            case 0x2A: // MOVNTDQA: a load (the hint has nothing to bypass here)
                r = s;
                break;
            case 0x2B: // PACKUSDW
                for (int i = 0; i < 8; i++) {
                    int v = i < 4 ? dword(d, i) : dword(s, i - 4);
                    setWord(r, i, Math.max(0, Math.min(0xFFFF, v)));
                }
                break;
            case 0x38: case 0x3C: // PMINSB, PMAXSB
                for (int i = 0; i < 16; i++) {
                    r[i] = opcode == 0x38 ? (byte) Math.min(d[i], s[i]) : (byte) Math.max(d[i], s[i]);
                }
                break;
            case 0x3A: case 0x3E: // PMINUW, PMAXUW
                for (int i = 0; i < 8; i++) {
                    int a = word(d, i) & 0xFFFF;
                    int b = word(s, i) & 0xFFFF;
                    setWord(r, i, opcode == 0x3A ? Math.min(a, b) : Math.max(a, b));
                }
                break;
            default: { // 0x41 PHMINPOSUW: the lowest unsigned word and its (first) index
                int min = 0x10000;
                int at = 0;
                for (int i = 0; i < 8; i++) {
                    int v = word(s, i) & 0xFFFF;
                    if (v < min) {
                        min = v;
                        at = i;
                    }
                }
                setDword(r, 0, min | at << 16);
            }
        }
        put(u, in.reg, r);
    }

    private static final int SCRATCH = 16;
    private static final long LOW_BITS = 0x0101_0101_0101_0101L;

    /** Loads a 16-byte source operand into the scratch XMM slot, or names its register. */
    private static int sourceSlot(SseUnit u, Insn in) {
        if (in.rm >= 0) {
            return in.rm;
        }
        X86Core cpu = u.cpu();
        long a = cpu.ea(in);
        if (ALIGNED[in.aux - BASE] && (a & 15) != 0) {
            throw new GuestFault(Vector.GP, 0);
        }
        long[] x = u.regs();
        long lo = cpu.mem.read64(a);
        x[2 * SCRATCH + 1] = cpu.mem.read64(a + 8);
        x[2 * SCRATCH] = lo;
        return SCRATCH;
    }

    /**
     * The frequent 0F 38 operations on full 16-byte operands, straight on the register file's
     * 64-bit halves (no byte arrays): PSHUFB, PBLENDVB, PTEST, PCMPEQQ, PCMPGTQ, PMULDQ, PMULLD
     * and the dword min/max. False for the rest.
     */
    private static boolean laneWise(SseUnit u, Insn in, int opcode) {
        switch (opcode) {
            case 0x00: case 0x10: case 0x17: case 0x28: case 0x29: case 0x37: case 0x39: case 0x3B: case 0x3D: case 0x3F:
            case 0x40:
                break;
            default:
                return false;
        }
        long[] x = u.regs();
        int si = sourceSlot(u, in);
        int di = in.reg;
        long s0 = x[2 * si];
        long s1 = x[2 * si + 1];
        long d0 = x[2 * di];
        long d1 = x[2 * di + 1];
        long r0;
        long r1;
        switch (opcode) {
            case 0x00: { // PSHUFB
                r0 = 0;
                r1 = 0;
                for (int i = 0; i < 8; i++) {
                    r0 |= shuffleByte(d0, d1, (int) (s0 >>> (8 * i))) << (8 * i);
                    r1 |= shuffleByte(d0, d1, (int) (s1 >>> (8 * i))) << (8 * i);
                }
                break;
            }
            case 0x10: { // PBLENDVB: each byte's sign in XMM0 picks the source byte
                long m0 = (x[0] >>> 7 & LOW_BITS) * 0xFF;
                long m1 = (x[1] >>> 7 & LOW_BITS) * 0xFF;
                r0 = d0 & ~m0 | s0 & m0;
                r1 = d1 & ~m1 | s1 & m1;
                break;
            }
            case 0x17: { // PTEST
                boolean zero = (d0 & s0) == 0 && (d1 & s1) == 0;
                boolean carry = (~d0 & s0) == 0 && (~d1 & s1) == 0;
                u.cpu().setStatusFlags((zero ? Rflags.ZF : 0) | (carry ? Rflags.CF : 0), Rflags.STATUS);
                return true;
            }
            case 0x28: // PMULDQ
                r0 = (long) (int) d0 * (int) s0;
                r1 = (long) (int) d1 * (int) s1;
                break;
            case 0x29: // PCMPEQQ
                r0 = d0 == s0 ? -1 : 0;
                r1 = d1 == s1 ? -1 : 0;
                break;
            case 0x37: // PCMPGTQ
                r0 = d0 > s0 ? -1 : 0;
                r1 = d1 > s1 ? -1 : 0;
                break;
            default: // dword lanes: PMINSD 39, PMINUD 3B, PMAXSD 3D, PMAXUD 3F, PMULLD 40
                r0 = dwordPair(opcode, d0, s0);
                r1 = dwordPair(opcode, d1, s1);
        }
        x[2 * di] = r0;
        x[2 * di + 1] = r1;
        return true;
    }

    private static long shuffleByte(long d0, long d1, int index) {
        if ((index & 0x80) != 0) {
            return 0;
        }
        int i = index & 15;
        return (i < 8 ? d0 >>> (8 * i) : d1 >>> (8 * (i - 8))) & 0xFF;
    }

    private static long dwordPair(int opcode, long d, long s) {
        long r = 0;
        for (int h = 0; h < 64; h += 32) {
            int a = (int) (d >>> h);
            int b = (int) (s >>> h);
            int v;
            switch (opcode) {
                case 0x39: v = Math.min(a, b); break;
                case 0x3B: v = Integer.compareUnsigned(a, b) < 0 ? a : b; break;
                case 0x3D: v = Math.max(a, b); break;
                case 0x3F: v = Integer.compareUnsigned(a, b) > 0 ? a : b; break;
                default: v = a * b; break;
            }
            r |= (v & 0xFFFF_FFFFL) << h;
        }
        return r;
    }

    /** PHADDW/D, PHADDSW, PHSUBW/D, PHSUBSW: adjacent pairs of the destination, then of the source. */
    private static void horizontal(int opcode, byte[] d, byte[] s, byte[] r) {
        boolean sub = opcode >= 0x05;
        if (opcode == 0x02 || opcode == 0x06) {
            for (int i = 0; i < 4; i++) {
                byte[] from = i < 2 ? d : s;
                int j = 2 * (i & 1);
                int a = dword(from, j);
                int b = dword(from, j + 1);
                setDword(r, i, sub ? a - b : a + b);
            }
            return;
        }
        boolean saturate = opcode == 0x03 || opcode == 0x07;
        for (int i = 0; i < 8; i++) {
            byte[] from = i < 4 ? d : s;
            int j = 2 * (i & 3);
            int a = word(from, j);
            int b = word(from, j + 1);
            int v = sub ? a - b : a + b;
            setWord(r, i, saturate ? saturateWord(v) : v);
        }
    }

    /** PMOVSX (20-25) and PMOVZX (30-35): BW, BD, BQ, WD, WQ, DQ. */
    private static void extend(int opcode, byte[] s, byte[] r) {
        boolean signed = opcode < 0x30;
        int from;
        int to;
        switch (opcode & 0xF) {
            case 0: from = 1; to = 2; break;
            case 1: from = 1; to = 4; break;
            case 2: from = 1; to = 8; break;
            case 3: from = 2; to = 4; break;
            case 4: from = 2; to = 8; break;
            default: from = 4; to = 8; break;
        }
        for (int i = 0; i < 16 / to; i++) {
            long v = 0;
            for (int k = from - 1; k >= 0; k--) {
                v = v << 8 | (s[i * from + k] & 0xFF);
            }
            if (signed) {
                v = v << (64 - 8 * from) >> (64 - 8 * from);
            }
            for (int k = 0; k < to; k++) {
                r[i * to + k] = (byte) (v >> (8 * k));
            }
        }
    }

    // --- 0F 3A: PALIGNR, SSE4.1, the string compares ----------------------------------------------------------

    private static void map3A(SseUnit u, Insn in, int opcode) {
        int imm = (int) in.imm & 0xFF;
        X86Core cpu = u.cpu();
        switch (opcode) {
            case 0x14: case 0x15: case 0x16: case 0x17: { // PEXTRB/W/D/Q, EXTRACTPS
                byte[] d = register(u, in.reg);
                long v;
                int w;
                switch (opcode) {
                    case 0x14: v = d[imm & 15] & 0xFF; w = 1; break;
                    case 0x15: v = word(d, imm & 7) & 0xFFFF; w = 2; break;
                    case 0x16:
                        w = in.size;
                        v = w == 8 ? qword(d, imm & 1) : dword(d, imm & 3) & 0xFFFF_FFFFL;
                        break;
                    default: v = dword(d, imm & 3) & 0xFFFF_FFFFL; w = 4; break;
                }
                if (in.rm >= 0) {
                    cpu.setReg(in.rm, w == 8 ? 8 : 4, v); // zero-extended into the whole register
                } else {
                    cpu.mem.write(cpu.ea(in), w, v);
                }
                return;
            }
            case 0x20: case 0x22: { // PINSRB, PINSRD/Q
                int w = opcode == 0x20 ? 1 : in.size;
                long v = in.rm >= 0 ? cpu.getReg(in.rm, 8) : cpu.mem.read(cpu.ea(in), w);
                byte[] d = register(u, in.reg);
                if (w == 1) {
                    d[imm & 15] = (byte) v;
                } else if (w == 4) {
                    setDword(d, imm & 3, (int) v);
                } else {
                    setQword(d, imm & 1, v);
                }
                put(u, in.reg, d);
                return;
            }
            case 0x60: case 0x61: case 0x62: case 0x63:
                StringCompare.execute(u, in, opcode, register(u, in.reg), sourceBytes(u, in), imm);
                return;
            default:
                break;
        }
        byte[] s = sourceBytes(u, in);
        byte[] d = register(u, in.reg);
        byte[] r = new byte[16];
        switch (opcode) {
            case 0x08: case 0x09: case 0x0A: case 0x0B:
                Rounding.round(u, opcode, d, s, r, imm);
                break;
            case 0x0C: // BLENDPS
                for (int i = 0; i < 4; i++) {
                    setDword(r, i, (imm >> i & 1) != 0 ? dword(s, i) : dword(d, i));
                }
                break;
            case 0x0D: // BLENDPD
                for (int i = 0; i < 2; i++) {
                    setQword(r, i, (imm >> i & 1) != 0 ? qword(s, i) : qword(d, i));
                }
                break;
            case 0x0E: // PBLENDW
                for (int i = 0; i < 8; i++) {
                    setWord(r, i, (imm >> i & 1) != 0 ? word(s, i) : word(d, i));
                }
                break;
            case 0x0F: // PALIGNR: destination:source shifted right by imm8 bytes
                for (int i = 0; i < 16; i++) {
                    int j = i + imm;
                    r[i] = j < 16 ? s[j] : j < 32 ? d[j - 16] : 0;
                }
                break;
            case 0x21: { // INSERTPS
                int v = in.rm >= 0 ? dword(s, imm >> 6) : dword(s, 0);
                r = d;
                setDword(r, (imm >> 4) & 3, v);
                for (int i = 0; i < 4; i++) {
                    if ((imm >> i & 1) != 0) {
                        setDword(r, i, 0);
                    }
                }
                break;
            }
            case 0x40: case 0x41:
                Rounding.dotProduct(u, opcode, d, s, r, imm);
                break;
            default: { // 0x42 MPSADBW
                int a = 4 * (imm >> 2 & 1);
                int b = 4 * (imm & 3);
                for (int i = 0; i < 8; i++) {
                    int sum = 0;
                    for (int k = 0; k < 4; k++) {
                        sum += Math.abs((d[a + i + k] & 0xFF) - (s[b + k] & 0xFF));
                    }
                    setWord(r, i, sum);
                }
            }
        }
        put(u, in.reg, r);
    }

    // --- lane access for the helpers beside this class ------------------------------------------------------------

    static int dwordOf(byte[] b, int i) {
        return dword(b, i);
    }

    static long qwordOf(byte[] b, int i) {
        return qword(b, i);
    }

    static void setDwordOf(byte[] b, int i, int v) {
        setDword(b, i, v);
    }

    static void setQwordOf(byte[] b, int i, long v) {
        setQword(b, i, v);
    }

    static void putRegister(SseUnit u, int reg, byte[] b) {
        put(u, reg, b);
    }

    static void setCount(X86Core cpu, long v) {
        cpu.setReg(Reg.RCX, 4, v);
    }
}
