package org.alosj.cpu.x86_64.impl;

import org.alosj.hal.cpu.Vector;

/** SSE2 packed-integer arithmetic and comparisons, lane by lane over the two 64-bit halves. */
final class SseInteger {
    private static final long LOW7 = 0x7F7F_7F7F_7F7F_7F7FL;

    private SseInteger() {
    }

    static void execute(SseUnit u, Insn in, int opcode, int d, int s) {
        long[] x = u.regs();
        switch (opcode) {
            case 0x74: // PCMPEQB, the hot one (strlen, memchr): SWAR zero-byte detection
                x[2 * d] = equalBytes(x[2 * d] ^ x[2 * s]);
                x[2 * d + 1] = equalBytes(x[2 * d + 1] ^ x[2 * s + 1]);
                return;
            case 0xD4: x[2 * d] += x[2 * s]; x[2 * d + 1] += x[2 * s + 1]; return;
            case 0xFB: x[2 * d] -= x[2 * s]; x[2 * d + 1] -= x[2 * s + 1]; return;
            case 0xF4:
                x[2 * d] = (x[2 * d] & 0xFFFF_FFFFL) * (x[2 * s] & 0xFFFF_FFFFL);
                x[2 * d + 1] = (x[2 * d + 1] & 0xFFFF_FFFFL) * (x[2 * s + 1] & 0xFFFF_FFFFL);
                return;
            case 0xF5:
                x[2 * d] = maddwd(x[2 * d], x[2 * s]);
                x[2 * d + 1] = maddwd(x[2 * d + 1], x[2 * s + 1]);
                return;
            case 0xF6:
                x[2 * d] = sad(x[2 * d], x[2 * s]);
                x[2 * d + 1] = sad(x[2 * d + 1], x[2 * s + 1]);
                return;
            default:
                break;
        }
        int lane = laneBits(opcode);
        if (lane == 0) {
            throw new GuestFault(Vector.UD, 0);
        }
        for (int h = 0; h < 2; h++) {
            long a = x[2 * d + h];
            long b = x[2 * s + h];
            long m = (1L << lane) - 1;
            long r = 0;
            for (int i = 0; i < 64; i += lane) {
                long ea = (a >>> i) & m;
                long eb = (b >>> i) & m;
                r |= (element(opcode, ea, eb, lane) & m) << i;
            }
            x[2 * d + h] = r;
        }
    }

    /** 0xFF in each byte of {@code v} that is zero, 0 in the others. */
    static long equalBytes(long v) {
        long zeroHigh = ~(((v & LOW7) + LOW7) | v | LOW7);
        return (zeroHigh >>> 7) * 0xFF;
    }

    /** PMOVMSKB: bit i of the result is the top bit of byte i of {@code lo}:{@code hi} (called by compiled traces). */
    static long byteSigns(long lo, long hi) {
        return gatherTopBits(lo) | gatherTopBits(hi) << 8;
    }

    /** The top bit of each byte of {@code v}, byte i's as bit i. */
    private static long gatherTopBits(long v) {
        // One bit a byte at the bottom, then a multiply moves byte i's bit to bit 56 + i.
        return ((v >>> 7) & 0x0101_0101_0101_0101L) * 0x0102_0408_1020_4080L >>> 56;
    }

    private static int laneBits(int opcode) {
        switch (opcode) {
            case 0x64: case 0xD8: case 0xDA: case 0xDC: case 0xDE: case 0xE0: case 0xE8: case 0xEC: case 0xF8: case 0xFC:
                return 8;
            case 0x65: case 0x75: case 0xD5: case 0xD9: case 0xDD: case 0xE3: case 0xE4: case 0xE5: case 0xE9:
            case 0xEA: case 0xED: case 0xEE: case 0xF9: case 0xFD:
                return 16;
            case 0x66: case 0x76: case 0xFA: case 0xFE:
                return 32;
            default:
                return 0;
        }
    }

    /** One lane; {@code a} and {@code b} are zero-extended, the result is masked by the caller. */
    private static long element(int opcode, long a, long b, int lane) {
        long sa = (a << (64 - lane)) >> (64 - lane);
        long sb = (b << (64 - lane)) >> (64 - lane);
        long max = (1L << lane) - 1;
        long smax = (1L << (lane - 1)) - 1;
        long smin = -(1L << (lane - 1));
        switch (opcode) {
            case 0xFC: case 0xFD: case 0xFE: return a + b;
            case 0xF8: case 0xF9: case 0xFA: return a - b;
            case 0xEC: case 0xED: return Math.max(smin, Math.min(smax, sa + sb));
            case 0xE8: case 0xE9: return Math.max(smin, Math.min(smax, sa - sb));
            case 0xDC: case 0xDD: return Math.min(max, a + b);
            case 0xD8: case 0xD9: return Math.max(0, a - b);
            case 0xDA: return Math.min(a, b);
            case 0xDE: return Math.max(a, b);
            case 0xEA: return Math.min(sa, sb);
            case 0xEE: return Math.max(sa, sb);
            case 0xE0: case 0xE3: return (a + b + 1) >>> 1;
            case 0xD5: return a * b;
            case 0xE5: return (sa * sb) >> 16;
            case 0xE4: return (a * b) >>> 16;
            case 0x74: case 0x75: case 0x76: return a == b ? -1 : 0;
            default: return sa > sb ? -1 : 0; // PCMPGTB/W/D
        }
    }

    private static long maddwd(long a, long b) {
        long r = 0;
        for (int i = 0; i < 2; i++) {
            long p0 = (long) (short) (a >>> (32 * i)) * (short) (b >>> (32 * i));
            long p1 = (long) (short) (a >>> (32 * i + 16)) * (short) (b >>> (32 * i + 16));
            r |= ((p0 + p1) & 0xFFFF_FFFFL) << (32 * i);
        }
        return r;
    }

    private static long sad(long a, long b) {
        long sum = 0;
        for (int i = 0; i < 64; i += 8) {
            sum += Math.abs(((a >>> i) & 0xFF) - ((b >>> i) & 0xFF));
        }
        return sum;
    }
}
