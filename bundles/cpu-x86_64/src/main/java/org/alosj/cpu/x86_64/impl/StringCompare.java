package org.alosj.cpu.x86_64.impl;

import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.Rflags;

/**
 * SSE4.2's packed string compares PCMPESTRM (0F 3A 60), PCMPESTRI (61), PCMPISTRM (62) and
 * PCMPISTRI (63), as Intel SDM Vol. 2, section 4.1 describes them: imm8 chooses the element
 * (unsigned/signed bytes/words), the aggregation (equal any, ranges, equal each, equal
 * ordered), the polarity, and the output (least/most significant index in ECX, or a bit/element
 * mask in XMM0). The first operand (ModRM.reg) is the set, ranges or needle; the second
 * (register or memory) is the string looked through. Lengths are explicit (EAX/RAX, EDX/RDX)
 * or implicit (up to the first zero element).
 */
final class StringCompare {
    private static final int EQUAL_ANY = 0;
    private static final int RANGES = 1;
    private static final int EQUAL_EACH = 2;
    private static final int EQUAL_ORDERED = 3;

    private StringCompare() {
    }

    static void execute(SseUnit u, Insn in, int opcode, byte[] a, byte[] b, int imm) {
        X86Core cpu = u.cpu();
        boolean words = (imm & 1) != 0;
        boolean signed = (imm & 2) != 0;
        int n = words ? 8 : 16;
        int[] ea = elements(a, words, signed);
        int[] eb = elements(b, words, signed);
        boolean explicit = opcode == 0x60 || opcode == 0x61;
        int la;
        int lb;
        if (explicit) {
            la = explicitLength(cpu.getReg(Reg.RAX, in.size == 8 ? 8 : 4), in.size == 8, n);
            lb = explicitLength(cpu.getReg(Reg.RDX, in.size == 8 ? 8 : 4), in.size == 8, n);
        } else {
            la = implicitLength(ea);
            lb = implicitLength(eb);
        }
        int res1 = aggregate((imm >> 2) & 3, ea, eb, la, lb, n);
        int all = (1 << n) - 1;
        int res2;
        switch ((imm >> 4) & 3) {
            case 1: res2 = ~res1 & all; break;
            case 3: res2 = res1 ^ ((1 << lb) - 1); break; // negate only where the string is valid
            default: res2 = res1; break;
        }
        if (opcode == 0x61 || opcode == 0x63) {
            int index = res2 == 0 ? n : (imm & 0x40) == 0 ? Integer.numberOfTrailingZeros(res2) : 31 - Integer.numberOfLeadingZeros(res2);
            cpu.setReg(Reg.RCX, 4, index);
        } else {
            byte[] mask = new byte[16];
            if ((imm & 0x40) == 0) {
                mask[0] = (byte) res2;
                mask[1] = (byte) (res2 >> 8);
            } else {
                int width = words ? 2 : 1;
                for (int i = 0; i < n; i++) {
                    if ((res2 >> i & 1) != 0) {
                        for (int k = 0; k < width; k++) {
                            mask[i * width + k] = (byte) 0xFF;
                        }
                    }
                }
            }
            SseExtensions.putRegister(u, 0, mask);
        }
        long flags = (res2 != 0 ? Rflags.CF : 0) | (lb < n ? Rflags.ZF : 0) | (la < n ? Rflags.SF : 0)
                | ((res2 & 1) != 0 ? Rflags.OF : 0);
        cpu.setStatusFlags(flags, Rflags.STATUS);
    }

    private static int[] elements(byte[] v, boolean words, boolean signed) {
        int n = words ? 8 : 16;
        int[] e = new int[n];
        for (int i = 0; i < n; i++) {
            int x = words ? (v[2 * i] & 0xFF) | (v[2 * i + 1] & 0xFF) << 8 : v[i] & 0xFF;
            if (signed) {
                x = words ? (short) x : (byte) x;
            }
            e[i] = x;
        }
        return e;
    }

    /** The absolute value of the length register, saturated to the element count. */
    private static int explicitLength(long v, boolean wide, int n) {
        long len = wide ? v : (int) v;
        if (len < 0) {
            len = -len; // the most negative value stays negative: saturate it below
        }
        return len < 0 || len > n ? n : (int) len;
    }

    private static int implicitLength(int[] e) {
        for (int i = 0; i < e.length; i++) {
            if (e[i] == 0) {
                return i;
            }
        }
        return e.length;
    }

    /** IntRes1: bit j for element j of the string (second operand). */
    private static int aggregate(int mode, int[] a, int[] b, int la, int lb, int n) {
        if (mode == EQUAL_ANY && n == 16) {
            // Bytes: a 256-bit set of the first operand's valid values, then one lookup per element.
            long[] set = new long[4];
            for (int i = 0; i < la; i++) {
                int v = a[i] & 0xFF;
                set[v >>> 6] |= 1L << v;
            }
            int res = 0;
            for (int j = 0; j < lb; j++) {
                int v = b[j] & 0xFF;
                res |= (int) (set[v >>> 6] >>> v & 1) << j;
            }
            return res;
        }
        int res = 0;
        for (int j = 0; j < n; j++) {
            boolean bit;
            switch (mode) {
                case EQUAL_ANY:
                    bit = false;
                    if (j < lb) {
                        for (int i = 0; i < la; i++) {
                            bit |= a[i] == b[j];
                        }
                    }
                    break;
                case RANGES:
                    bit = false;
                    if (j < lb) {
                        for (int i = 0; i + 1 < la; i += 2) {
                            bit |= b[j] >= a[i] && b[j] <= a[i + 1];
                        }
                    }
                    break;
                case EQUAL_EACH:
                    // Both invalid compare true, one invalid false.
                    bit = j >= la && j >= lb || j < la && j < lb && a[j] == b[j];
                    break;
                default: { // EQUAL_ORDERED: the needle (first operand) starts at string element j
                    bit = true;
                    for (int i = 0; i < n - j && bit; i++) {
                        int k = j + i;
                        if (i >= la) {
                            break; // the needle ended: a match so far is a match
                        }
                        bit = k < lb && a[i] == b[k];
                    }
                }
            }
            if (bit) {
                res |= 1 << j;
            }
        }
        return res;
    }
}
