package org.alosj.cpu.x86_64.impl;

import java.math.BigDecimal;

/**
 * SSE floating point: ADD/SUB/MUL/DIV/SQRT/MIN/MAX in packed and scalar, single and double
 * forms, CMPxx, and the float/float and float/integer conversions. Java computes the
 * round-to-nearest result; other MXCSR rounding modes are reached from it by one step using the
 * exact error of the operation (TwoSum, FMA residuals), so directed rounding is exact too.
 */
final class SseFloat {
    private static final int N = Decoder.PFX_NONE;
    private static final int D = Decoder.PFX_66;
    private static final int S = Decoder.PFX_F3;
    private static final int F = Decoder.PFX_F2;

    private SseFloat() {
    }

    static boolean isSignalingD(long bits) {
        return (bits & 0x7FF0_0000_0000_0000L) == 0x7FF0_0000_0000_0000L
                && (bits & 0x000F_FFFF_FFFF_FFFFL) != 0 && (bits & 0x0008_0000_0000_0000L) == 0;
    }

    static boolean isSignalingS(int bits) {
        return (bits & 0x7F80_0000) == 0x7F80_0000 && (bits & 0x007F_FFFF) != 0 && (bits & 0x0040_0000) == 0;
    }

    static boolean isNanD(long bits) {
        return (bits & 0x7FFF_FFFF_FFFF_FFFFL) > 0x7FF0_0000_0000_0000L;
    }

    static boolean isNanS(int bits) {
        return (bits & 0x7FFF_FFFF) > 0x7F80_0000;
    }

    static boolean isDenormalD(long bits) {
        return (bits & 0x7FF0_0000_0000_0000L) == 0 && (bits & 0x000F_FFFF_FFFF_FFFFL) != 0;
    }

    static boolean isDenormalS(int bits) {
        return (bits & 0x7F80_0000) == 0 && (bits & 0x007F_FFFF) != 0;
    }

    /**
     * PE, UE and OE for a double result {@code r} (round-to-nearest) whose exact value differs
     * from it by {@code err} (only its sign and whether it is zero matter). Tininess is detected
     * before rounding, as on Intel processors.
     */
    private static void resultFlagsD(SseUnit u, double r, double err, boolean finiteOperands) {
        if (Double.isInfinite(r) && finiteOperands) {
            u.raiseFlags(SseUnit.MXCSR_OE | SseUnit.MXCSR_PE);
            return;
        }
        if (err != 0) {
            double m = Math.abs(r);
            boolean tiny = m < Double.MIN_NORMAL || m == Double.MIN_NORMAL && Math.signum(err) != Math.signum(r);
            u.raiseFlags(SseUnit.MXCSR_PE | (tiny ? SseUnit.MXCSR_UE : 0));
        }
    }

    /** The same for a single result computed as double {@code r} with residual sign {@code err}. */
    private static void resultFlagsS(SseUnit u, double r, double err, boolean finiteOperands) {
        if (Double.isNaN(r) || Double.isInfinite(r) && !finiteOperands) {
            return;
        }
        float nearest = (float) r;
        if (Float.isInfinite(nearest) && finiteOperands) {
            u.raiseFlags(SseUnit.MXCSR_OE | SseUnit.MXCSR_PE);
            return;
        }
        if ((double) nearest != r || err != 0) {
            boolean tiny = Math.abs(r) < Float.MIN_NORMAL;
            u.raiseFlags(SseUnit.MXCSR_PE | (tiny ? SseUnit.MXCSR_UE : 0));
        }
    }

    // --- arithmetic ---------------------------------------------------------------------------------------

    static void arithmetic(SseUnit u, Insn in, int k, int s) {
        long[] x = u.regs();
        int d = in.reg;
        int opcode = k >>> 2;
        int rc = u.roundingControl();
        switch (k & 3) {
            case F:
                x[2 * d] = opD(u, opcode, x[2 * d], x[2 * s], rc);
                return;
            case D:
                x[2 * d] = opD(u, opcode, x[2 * d], x[2 * s], rc);
                x[2 * d + 1] = opD(u, opcode, x[2 * d + 1], x[2 * s + 1], rc);
                return;
            case S:
                x[2 * d] = (x[2 * d] & ~0xFFFF_FFFFL) | (opS(u, opcode, (int) x[2 * d], (int) x[2 * s], rc) & 0xFFFF_FFFFL);
                return;
            default:
                for (int h = 0; h < 2; h++) {
                    long a = x[2 * d + h];
                    long b = x[2 * s + h];
                    long lo = opS(u, opcode, (int) a, (int) b, rc) & 0xFFFF_FFFFL;
                    long hi = opS(u, opcode, (int) (a >>> 32), (int) (b >>> 32), rc) & 0xFFFF_FFFFL;
                    x[2 * d + h] = lo | (hi << 32);
                }
        }
    }

    /** MXCSR.PE set, PM set (precision exceptions masked), RC round to nearest: the fast path of {@link #opD}. */
    private static final int FAST_MXCSR_MASK = SseUnit.MXCSR_PE | 1 << 12 | 3 << SseUnit.MXCSR_RC_SHIFT;
    private static final int FAST_MXCSR = SseUnit.MXCSR_PE | 1 << 12;

    /** A double that is zero or normal: no NaN, infinity or denormal (no flag of its own). */
    private static boolean ordinaryD(long bits) {
        long e = bits & 0x7FF0_0000_0000_0000L;
        return e != 0x7FF0_0000_0000_0000L && (e != 0 || (bits & 0x000F_FFFF_FFFF_FFFFL) == 0);
    }

    /**
     * One double of ADD/SUB/MUL/DIV/MIN/MAX/SQRT (SD or PD) for compiled traces: the fast path
     * of {@link #opD} small enough to be inlined into the trace, everything else through it.
     */
    static long opDInTrace(X86Core cpu, int opcode, long ab, long bb) {
        if ((cpu.mxcsr & FAST_MXCSR_MASK) == FAST_MXCSR && ordinaryD(ab) && ordinaryD(bb)) {
            double a = Double.longBitsToDouble(ab);
            double b = Double.longBitsToDouble(bb);
            double r;
            switch (opcode) {
                case 0x58 -> r = a + b;
                case 0x5C -> r = a - b;
                case 0x59 -> r = a * b;
                case 0x5E -> r = a / b;
                default -> r = 0;
            }
            double m = Math.abs(r);
            if (m > Double.MIN_NORMAL && m <= Double.MAX_VALUE) {
                return Double.doubleToRawLongBits(r);
            }
        }
        SseUnit u = cpu.sseUnit();
        return opD(u, opcode, ab, bb, u.roundingControl());
    }

    static long opD(SseUnit u, int opcode, long ab, long bb, int rc) {
        double a = Double.longBitsToDouble(ab);
        double b = Double.longBitsToDouble(bb);
        if (opcode == 0x5D || opcode == 0x5F) {
            if (isNanD(ab) || isNanD(bb)) {
                u.raiseFlags(SseUnit.MXCSR_IE);
                return bb;
            }
            if (isDenormalD(ab) || isDenormalD(bb)) {
                u.raiseFlags(SseUnit.MXCSR_DE);
            }
            if (opcode == 0x5D) {
                return a < b ? ab : bb;
            }
            return a > b ? ab : bb;
        }
        if (opcode == 0x51) {
            if (isNanD(bb)) {
                if (isSignalingD(bb)) {
                    u.raiseFlags(SseUnit.MXCSR_IE);
                }
                return bb | 0x0008_0000_0000_0000L;
            }
            if (b < 0) {
                u.raiseFlags(SseUnit.MXCSR_IE);
                return SseUnit.DEFAULT_NAN_D;
            }
            if (isDenormalD(bb)) {
                u.raiseFlags(SseUnit.MXCSR_DE);
            }
            double r = Math.sqrt(b);
            double err = Double.isInfinite(r) || r == 0 ? 0 : rootResidual(b, r);
            resultFlagsD(u, r, err, !Double.isInfinite(b));
            if (rc != SseUnit.RC_NEAREST && err != 0) {
                r = direct(r, err, rc);
            }
            return Double.doubleToRawLongBits(r);
        }
        if ((u.cpu().mxcsr & FAST_MXCSR_MASK) == FAST_MXCSR && ordinaryD(ab) && ordinaryD(bb)) {
            // Round to nearest with PE already set and masked: a normal result raises nothing
            // new, so its rounding error need not be known.
            double r = switch (opcode) {
                case 0x58 -> a + b;
                case 0x5C -> a - b;
                case 0x59 -> a * b;
                default -> a / b;
            };
            double m = Math.abs(r);
            if (m > Double.MIN_NORMAL && m <= Double.MAX_VALUE) {
                return Double.doubleToRawLongBits(r);
            }
        }
        if (isNanD(ab) || isNanD(bb)) {
            if (isSignalingD(ab) || isSignalingD(bb)) {
                u.raiseFlags(SseUnit.MXCSR_IE);
            }
            return (isNanD(ab) ? ab : bb) | 0x0008_0000_0000_0000L;
        }
        boolean zeroDivide = opcode == 0x5E && b == 0 && a != 0 && !Double.isInfinite(a);
        if (zeroDivide) {
            u.raiseFlags(SseUnit.MXCSR_ZE); // takes precedence over a denormal dividend
        } else if (isDenormalD(ab) || isDenormalD(bb)) {
            u.raiseFlags(SseUnit.MXCSR_DE);
        }
        double r;
        double err;
        switch (opcode) {
            case 0x58: r = a + b; err = twoSumError(a, b, r); break;
            case 0x5C: r = a - b; err = twoSumError(a, -b, r); break;
            case 0x59: r = a * b; err = Double.isInfinite(r) ? 0 : productResidual(a, b, r); break;
            default:
                r = a / b;
                err = Double.isInfinite(r) || r == 0 && a == 0 || b == 0 ? 0 : quotientResidual(a, b, r);
                break;
        }
        if (Double.isNaN(r)) {
            u.raiseFlags(SseUnit.MXCSR_IE);
            return SseUnit.DEFAULT_NAN_D;
        }
        resultFlagsD(u, r, err, !Double.isInfinite(a) && !Double.isInfinite(b) && !(opcode == 0x5E && b == 0));
        if (r == 0 && rc == SseUnit.RC_DOWN && (opcode == 0x58 || opcode == 0x5C)) {
            r = exactZeroSum(a, opcode == 0x58 ? b : -b);
        }
        if (rc != SseUnit.RC_NEAREST) {
            if (Double.isInfinite(r) && !Double.isInfinite(a) && !Double.isInfinite(b) && !(opcode == 0x5E && b == 0)) {
                r = overflow(r > 0, rc);
            } else if (err != 0) {
                r = direct(r, err, rc);
            }
        }
        return Double.doubleToRawLongBits(r);
    }

    
    private static final double TINY = 0x1p-900;

    /** The sign of a*b - r; exact also where an FMA residual would underflow (then in BigDecimal, rarely). */
    static double productResidual(double a, double b, double r) {
        if (!Double.isFinite(a) || !Double.isFinite(b) || !Double.isFinite(r) || a == 0 || b == 0) {
            return 0; // a zero factor makes the product exact
        }
        if (Math.abs(r) < TINY || Math.abs(a) < TINY || Math.abs(b) < TINY) {
            return new BigDecimal(a).multiply(new BigDecimal(b)).subtract(new BigDecimal(r)).signum();
        }
        return Math.signum(Math.fma(a, b, -r));
    }

    /** The sign of a/b - r. */
    static double quotientResidual(double a, double b, double r) {
        if (!Double.isFinite(a) || !Double.isFinite(b) || !Double.isFinite(r) || a == 0 || b == 0) {
            return 0;
        }
        if (Math.abs(r) < TINY || Math.abs(a) < TINY || Math.abs(b) < TINY) {
            return new BigDecimal(a).subtract(new BigDecimal(r).multiply(new BigDecimal(b))).signum() * Math.signum(b);
        }
        return Math.signum(Math.fma(-r, b, a)) * Math.signum(b);
    }

    /** The sign of sqrt(b) - r, from b - r*r. */
    static double rootResidual(double b, double r) {
        if (!Double.isFinite(b) || !Double.isFinite(r)) {
            return 0;
        }
        if (b < TINY) {
            BigDecimal rr = new BigDecimal(r);
            return new BigDecimal(b).subtract(rr.multiply(rr)).signum();
        }
        return Math.signum(Math.fma(-r, r, b));
    }

    /** IEEE 754: an exact zero sum of operands of opposite sign is -0 when rounding toward negative. */
    private static double exactZeroSum(double a, double b) {
        boolean bothNegativeZero = a == 0 && b == 0 && Double.doubleToRawLongBits(a) < 0 && Double.doubleToRawLongBits(b) < 0;
        boolean sameSignZeros = a == 0 && b == 0 && (Double.doubleToRawLongBits(a) < 0) == (Double.doubleToRawLongBits(b) < 0);
        return bothNegativeZero || !sameSignZeros ? -0.0 : 0.0;
    }

    private static double twoSumError(double a, double b, double s) {
        if (Double.isInfinite(s)) {
            return 0;
        }
        double bb = s - a;
        return (a - (s - bb)) + (b - bb);
    }

    /** One step from the round-to-nearest result toward the mode's direction, given the error's sign. */
    private static double direct(double r, double err, int rc) {
        switch (rc) {
            case SseUnit.RC_DOWN: return err < 0 ? Math.nextDown(r) : r;
            case SseUnit.RC_UP: return err > 0 ? Math.nextUp(r) : r;
            case SseUnit.RC_ZERO:
                if (r > 0 && err < 0) {
                    return Math.nextDown(r);
                }
                if (r < 0 && err > 0) {
                    return Math.nextUp(r);
                }
                return r;
            default: return r;
        }
    }

    private static double overflow(boolean positive, int rc) {
        boolean toMax = rc == SseUnit.RC_ZERO || positive && rc == SseUnit.RC_DOWN || !positive && rc == SseUnit.RC_UP;
        double m = toMax ? Double.MAX_VALUE : Double.POSITIVE_INFINITY;
        return positive ? m : -m;
    }

    static int opS(SseUnit u, int opcode, int ab, int bb, int rc) {
        float a = Float.intBitsToFloat(ab);
        float b = Float.intBitsToFloat(bb);
        if (opcode == 0x5D || opcode == 0x5F) {
            if (isNanS(ab) || isNanS(bb)) {
                u.raiseFlags(SseUnit.MXCSR_IE);
                return bb;
            }
            if (isDenormalS(ab) || isDenormalS(bb)) {
                u.raiseFlags(SseUnit.MXCSR_DE);
            }
            if (opcode == 0x5D) {
                return a < b ? ab : bb;
            }
            return a > b ? ab : bb;
        }
        if (opcode == 0x51) {
            if (isNanS(bb)) {
                if (isSignalingS(bb)) {
                    u.raiseFlags(SseUnit.MXCSR_IE);
                }
                return bb | 0x0040_0000;
            }
            if (b < 0) {
                u.raiseFlags(SseUnit.MXCSR_IE);
                return SseUnit.DEFAULT_NAN_S;
            }
            if (isDenormalS(bb)) {
                u.raiseFlags(SseUnit.MXCSR_DE);
            }
            double r = Math.sqrt(b);
            double err = Double.isInfinite(r) || r == 0 ? 0 : rootResidual(b, r);
            resultFlagsS(u, r, err, !Float.isInfinite(b));
            return Float.floatToRawIntBits(toFloat(r, rc, err));
        }
        if (isNanS(ab) || isNanS(bb)) {
            if (isSignalingS(ab) || isSignalingS(bb)) {
                u.raiseFlags(SseUnit.MXCSR_IE);
            }
            return (isNanS(ab) ? ab : bb) | 0x0040_0000;
        }
        // Double has more than twice float's precision: computing in double and rounding once
        // to float gives the correctly rounded float result.
        boolean zeroDivide = opcode == 0x5E && b == 0 && a != 0 && !Float.isInfinite(a);
        if (zeroDivide) {
            u.raiseFlags(SseUnit.MXCSR_ZE);
        } else if (isDenormalS(ab) || isDenormalS(bb)) {
            u.raiseFlags(SseUnit.MXCSR_DE);
        }
        double r;
        double err = 0;
        switch (opcode) {
            case 0x58: r = (double) a + b; err = twoSumError(a, b, r); break;
            case 0x5C: r = (double) a - b; err = twoSumError(a, -(double) b, r); break;
            case 0x59: r = (double) a * b; break; // exact: 24 + 24 bits fit in 53
            default:
                r = (double) a / b;
                err = Double.isInfinite(r) || r == 0 ? 0 : quotientResidual(a, b, r);
                break;
        }
        if (Double.isNaN(r)) {
            u.raiseFlags(SseUnit.MXCSR_IE);
            return SseUnit.DEFAULT_NAN_S;
        }
        resultFlagsS(u, r, err, !Float.isInfinite(a) && !Float.isInfinite(b) && !(opcode == 0x5E && b == 0));
        if (r == 0 && rc == SseUnit.RC_DOWN && (opcode == 0x58 || opcode == 0x5C)) {
            r = exactZeroSum(a, opcode == 0x58 ? b : -(double) b);
        }
        return Float.floatToRawIntBits(toFloat(r, rc, err));
    }

    /** Rounds a double to float in the given mode. */
    static float toFloat(double v, int rc) {
        return toFloat(v, rc, 0);
    }

    /**
     * Rounds {@code v + tail} to float in the given mode, where the exact value differs from
     * {@code v} by a residual of sign {@code tail} far below float precision.
     */
    static float toFloat(double v, int rc, double tail) {
        float f = (float) v;
        if (rc == SseUnit.RC_NEAREST || Double.isNaN(v)) {
            return f;
        }
        if ((double) f == v) {
            if (tail == 0 || Float.isInfinite(f)) {
                return f;
            }
            switch (rc) {
                case SseUnit.RC_DOWN: return tail < 0 ? Math.nextDown(f) : f;
                case SseUnit.RC_UP: return tail > 0 ? Math.nextUp(f) : f;
                default: return f > 0 && tail < 0 ? Math.nextDown(f) : f < 0 && tail > 0 ? Math.nextUp(f) : f;
            }
        }
        if (Float.isInfinite(f) && !Double.isInfinite(v)) {
            boolean toMax = rc == SseUnit.RC_ZERO || v > 0 && rc == SseUnit.RC_DOWN || v < 0 && rc == SseUnit.RC_UP;
            if (toMax) {
                return v > 0 ? Float.MAX_VALUE : -Float.MAX_VALUE;
            }
            return f;
        }
        double err = v - f;
        switch (rc) {
            case SseUnit.RC_DOWN: return err < 0 ? Math.nextDown(f) : f;
            case SseUnit.RC_UP: return err > 0 ? Math.nextUp(f) : f;
            default:
                if (f > 0 && err < 0) {
                    return Math.nextDown(f);
                }
                if (f < 0 && err > 0) {
                    return Math.nextUp(f);
                }
                return f;
        }
    }

    private static long intToFloatBits(SseUnit u, int v, int rc) {
        float f = longToFloat(v, rc);
        if ((long) f != v) {
            u.raiseFlags(SseUnit.MXCSR_PE);
        }
        return Float.floatToRawIntBits(f) & 0xFFFF_FFFFL;
    }

    static double longToDouble(long v, int rc) {
        double d = (double) v;
        if (rc == SseUnit.RC_NEAREST) {
            return d;
        }
        int cmp = new BigDecimal(d).compareTo(BigDecimal.valueOf(v));
        if (cmp == 0) {
            return d;
        }
        return direct(d, cmp > 0 ? -1 : 1, rc);
    }

    static float longToFloat(long v, int rc) {
        float f = (float) v;
        if (rc == SseUnit.RC_NEAREST) {
            return f;
        }
        int cmp = new BigDecimal(f).compareTo(BigDecimal.valueOf(v));
        if (cmp == 0) {
            return f;
        }
        double err = cmp > 0 ? -1 : 1;
        switch (rc) {
            case SseUnit.RC_DOWN: return err < 0 ? Math.nextDown(f) : f;
            case SseUnit.RC_UP: return err > 0 ? Math.nextUp(f) : f;
            default: return f > 0 && err < 0 ? Math.nextDown(f) : f < 0 && err > 0 ? Math.nextUp(f) : f;
        }
    }

    // --- float <-> double and packed integer conversions ---------------------------------------------------

    /** CVTSS2SD/CVTPS2PD of one value: exact, but #I for a signalling NaN and #D for a denormal. */
    private static long widen(SseUnit u, int f) {
        if (isSignalingS(f)) {
            u.raiseFlags(SseUnit.MXCSR_IE);
        } else if (isDenormalS(f)) {
            u.raiseFlags(SseUnit.MXCSR_DE);
        }
        return floatToDoubleBits(f);
    }

    static long floatToDoubleBits(int f) {
        if (isNanS(f)) {
            long sign = (long) (f >>> 31) << 63;
            long payload = (long) (f & 0x003F_FFFF) << 29;
            return sign | 0x7FF8_0000_0000_0000L | payload;
        }
        return Double.doubleToRawLongBits(Float.intBitsToFloat(f));
    }

    static int doubleToFloatBits(SseUnit u, long d, int rc) {
        if (isNanD(d)) {
            if (isSignalingD(d)) {
                u.raiseFlags(SseUnit.MXCSR_IE);
            }
            int sign = (int) (d >>> 63) << 31;
            int payload = (int) ((d >>> 29) & 0x003F_FFFF);
            return sign | 0x7FC0_0000 | payload;
        }
        if (isDenormalD(d)) {
            u.raiseFlags(SseUnit.MXCSR_DE);
        }
        double v = Double.longBitsToDouble(d);
        resultFlagsS(u, v, 0, !Double.isInfinite(v));
        return Float.floatToRawIntBits(toFloat(v, rc));
    }

    static void convert(SseUnit u, Insn in, int k, int s) {
        long[] x = u.regs();
        int d = in.reg;
        int rc = u.roundingControl();
        long s0 = x[2 * s];
        long s1 = x[2 * s + 1];
        switch (k) {
            case 0x5A * 4 + N: // CVTPS2PD
                x[2 * d] = widen(u, (int) s0);
                x[2 * d + 1] = widen(u, (int) (s0 >>> 32));
                return;
            case 0x5A * 4 + D: // CVTPD2PS
                x[2 * d] = (doubleToFloatBits(u, s0, rc) & 0xFFFF_FFFFL) | ((long) doubleToFloatBits(u, s1, rc) << 32);
                x[2 * d + 1] = 0;
                return;
            case 0x5A * 4 + S: // CVTSS2SD
                x[2 * d] = widen(u, (int) s0);
                return;
            case 0x5A * 4 + F: // CVTSD2SS
                x[2 * d] = (x[2 * d] & ~0xFFFF_FFFFL) | (doubleToFloatBits(u, s0, rc) & 0xFFFF_FFFFL);
                return;
            case 0x5B * 4 + N: { // CVTDQ2PS
                long r0 = intToFloatBits(u, (int) s0, rc);
                long r1 = intToFloatBits(u, (int) (s0 >>> 32), rc);
                long r2 = intToFloatBits(u, (int) s1, rc);
                long r3 = intToFloatBits(u, (int) (s1 >>> 32), rc);
                x[2 * d] = r0 | (r1 << 32);
                x[2 * d + 1] = r2 | (r3 << 32);
                return;
            }
            case 0x5B * 4 + D: // CVTPS2DQ
            case 0x5B * 4 + S: { // CVTTPS2DQ
                int mode = k == 0x5B * 4 + S ? SseUnit.RC_ZERO : rc;
                long r0 = u.toInteger(Float.intBitsToFloat((int) s0), false, mode);
                long r1 = u.toInteger(Float.intBitsToFloat((int) (s0 >>> 32)), false, mode);
                long r2 = u.toInteger(Float.intBitsToFloat((int) s1), false, mode);
                long r3 = u.toInteger(Float.intBitsToFloat((int) (s1 >>> 32)), false, mode);
                x[2 * d] = r0 | (r1 << 32);
                x[2 * d + 1] = r2 | (r3 << 32);
                return;
            }
            case 0xE6 * 4 + S: // CVTDQ2PD
                x[2 * d] = Double.doubleToRawLongBits((int) s0);
                x[2 * d + 1] = Double.doubleToRawLongBits((int) (s0 >>> 32));
                return;
            default: { // CVTTPD2DQ (66), CVTPD2DQ (F2)
                int mode = (k & 3) == D ? SseUnit.RC_ZERO : rc;
                long r0 = u.toInteger(Double.longBitsToDouble(s0), false, mode);
                long r1 = u.toInteger(Double.longBitsToDouble(s1), false, mode);
                x[2 * d] = r0 | (r1 << 32);
                x[2 * d + 1] = 0;
            }
        }
    }

    // --- CMPPS/CMPPD/CMPSS/CMPSD ---------------------------------------------------------------------------

    static void compare(SseUnit u, Insn in, int k, int s) {
        long[] x = u.regs();
        int d = in.reg;
        int pred = (int) in.imm & 7;
        switch (k & 3) {
            case F:
                x[2 * d] = cmpD(u, x[2 * d], x[2 * s], pred);
                return;
            case D:
                x[2 * d] = cmpD(u, x[2 * d], x[2 * s], pred);
                x[2 * d + 1] = cmpD(u, x[2 * d + 1], x[2 * s + 1], pred);
                return;
            case S:
                x[2 * d] = (x[2 * d] & ~0xFFFF_FFFFL) | (cmpS(u, (int) x[2 * d], (int) x[2 * s], pred) & 0xFFFF_FFFFL);
                return;
            default:
                for (int h = 0; h < 2; h++) {
                    long a = x[2 * d + h];
                    long b = x[2 * s + h];
                    long lo = cmpS(u, (int) a, (int) b, pred) & 0xFFFF_FFFFL;
                    long hi = cmpS(u, (int) (a >>> 32), (int) (b >>> 32), pred) & 0xFFFF_FFFFL;
                    x[2 * d + h] = lo | (hi << 32);
                }
        }
    }

    private static boolean predicate(double a, double b, int pred) {
        boolean unordered = Double.isNaN(a) || Double.isNaN(b);
        switch (pred) {
            case 0: return a == b;
            case 1: return a < b;
            case 2: return a <= b;
            case 3: return unordered;
            case 4: return !(a == b);
            case 5: return !(a < b);
            case 6: return !(a <= b);
            default: return !unordered;
        }
    }

    private static long cmpD(SseUnit u, long a, long b, int pred) {
        if (!isNanD(a) && !isNanD(b) && (isDenormalD(a) || isDenormalD(b))) {
            u.raiseFlags(SseUnit.MXCSR_DE);
        }
        if (isSignalingD(a) || isSignalingD(b) || (pred == 1 || pred == 2 || pred == 5 || pred == 6) && (isNanD(a) || isNanD(b))) {
            u.raiseFlags(SseUnit.MXCSR_IE);
        }
        return predicate(Double.longBitsToDouble(a), Double.longBitsToDouble(b), pred) ? -1L : 0;
    }

    private static int cmpS(SseUnit u, int a, int b, int pred) {
        if (!isNanS(a) && !isNanS(b) && (isDenormalS(a) || isDenormalS(b))) {
            u.raiseFlags(SseUnit.MXCSR_DE);
        }
        if (isSignalingS(a) || isSignalingS(b) || (pred == 1 || pred == 2 || pred == 5 || pred == 6) && (isNanS(a) || isNanS(b))) {
            u.raiseFlags(SseUnit.MXCSR_IE);
        }
        return predicate(Float.intBitsToFloat(a), Float.intBitsToFloat(b), pred) ? -1 : 0;
    }
}
