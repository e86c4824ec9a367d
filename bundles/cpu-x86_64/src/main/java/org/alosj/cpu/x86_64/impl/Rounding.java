package org.alosj.cpu.x86_64.impl;

/**
 * SSE4.1 floating point: ROUNDPS/PD/SS/SD (imm8 picks the rounding mode or MXCSR.RC, and may
 * suppress the precision exception) and the dot products DPPS/DPPD, which round after every
 * multiply and every add in the order the SDM's pseudocode gives.
 */
final class Rounding {
    private static final int IMM_USE_MXCSR = 4;
    private static final int IMM_NO_PRECISION = 8;

    private Rounding() {
    }

    static void round(SseUnit u, int opcode, byte[] d, byte[] s, byte[] r, int imm) {
        int rc = (imm & IMM_USE_MXCSR) != 0 ? u.roundingControl() : imm & 3;
        boolean reportInexact = (imm & IMM_NO_PRECISION) == 0;
        System.arraycopy(d, 0, r, 0, 16);
        int[] flags = {0};
        switch (opcode) {
            case 0x08:
                for (int i = 0; i < 4; i++) {
                    SseExtensions.setDwordOf(r, i, roundS(SseExtensions.dwordOf(s, i), rc, reportInexact, flags));
                }
                break;
            case 0x09:
                for (int i = 0; i < 2; i++) {
                    SseExtensions.setQwordOf(r, i, roundD(SseExtensions.qwordOf(s, i), rc, reportInexact, flags));
                }
                break;
            case 0x0A:
                SseExtensions.setDwordOf(r, 0, roundS(SseExtensions.dwordOf(s, 0), rc, reportInexact, flags));
                break;
            default:
                SseExtensions.setQwordOf(r, 0, roundD(SseExtensions.qwordOf(s, 0), rc, reportInexact, flags));
        }
        // Every element first: an unmasked exception leaves the destination as it was, and an
        // unmasked invalid operation faults before the precision flag is recorded.
        if ((flags[0] & SseUnit.MXCSR_IE) != 0) {
            u.raiseFlags(SseUnit.MXCSR_IE);
        }
        if (flags[0] != 0) {
            u.raiseFlags(flags[0]);
        }
    }

    private static double toIntegral(double v, int rc) {
        switch (rc) {
            case SseUnit.RC_NEAREST: return Math.rint(v);
            case SseUnit.RC_DOWN: return Math.floor(v);
            case SseUnit.RC_UP: return Math.ceil(v);
            default: return v < 0 ? Math.ceil(v) : Math.floor(v);
        }
    }

    private static long roundD(long bits, int rc, boolean reportInexact, int[] flags) {
        if (SseFloat.isNanD(bits)) {
            if (SseFloat.isSignalingD(bits)) {
                flags[0] |= SseUnit.MXCSR_IE;
            }
            return bits | 0x0008_0000_0000_0000L;
        }
        double v = Double.longBitsToDouble(bits);
        double r = toIntegral(v, rc);
        if (r != v && reportInexact) {
            flags[0] |= SseUnit.MXCSR_PE;
        }
        return Double.doubleToRawLongBits(r);
    }

    private static int roundS(int bits, int rc, boolean reportInexact, int[] flags) {
        if (SseFloat.isNanS(bits)) {
            if (SseFloat.isSignalingS(bits)) {
                flags[0] |= SseUnit.MXCSR_IE;
            }
            return bits | 0x0040_0000;
        }
        double v = Float.intBitsToFloat(bits);
        double r = toIntegral(v, rc); // exact: an integral float is an integral double
        if (r != v && reportInexact) {
            flags[0] |= SseUnit.MXCSR_PE;
        }
        return Float.floatToRawIntBits((float) r);
    }

    /** DPPS (0x40) and DPPD (0x41): imm8's high bits pick the products, its low bits where the sum goes. */
    static void dotProduct(SseUnit u, int opcode, byte[] d, byte[] s, byte[] r, int imm) {
        int rc = u.roundingControl();
        if (opcode == 0x40) {
            int[] t = new int[4];
            for (int i = 0; i < 4; i++) {
                t[i] = (imm >> (4 + i) & 1) != 0
                        ? SseFloat.opS(u, 0x59, SseExtensions.dwordOf(d, i), SseExtensions.dwordOf(s, i), rc) : 0;
            }
            int lo = SseFloat.opS(u, 0x58, t[0], t[1], rc);
            int hi = SseFloat.opS(u, 0x58, t[2], t[3], rc);
            int sum = SseFloat.opS(u, 0x58, lo, hi, rc);
            for (int i = 0; i < 4; i++) {
                SseExtensions.setDwordOf(r, i, (imm >> i & 1) != 0 ? sum : 0);
            }
            return;
        }
        long[] t = new long[2];
        for (int i = 0; i < 2; i++) {
            t[i] = (imm >> (4 + i) & 1) != 0
                    ? SseFloat.opD(u, 0x59, SseExtensions.qwordOf(d, i), SseExtensions.qwordOf(s, i), rc) : 0;
        }
        long sum = SseFloat.opD(u, 0x58, t[0], t[1], rc);
        for (int i = 0; i < 2; i++) {
            SseExtensions.setQwordOf(r, i, (imm >> i & 1) != 0 ? sum : 0);
        }
    }
}
