package org.alosj.cpu.x86_64.impl;

import java.math.BigInteger;

/**
 * The values of the x87 transcendental instructions (Intel SDM Vol. 1, 8.3.9; Vol. 2, F2XM1,
 * FYL2X, FYL2XP1, FPATAN, FSIN, FCOS, FSINCOS, FPTAN) for finite, non-zero operands; the
 * special operands (zeros, infinities, NaNs) are {@link X87Unit}'s.
 *
 * <p>A value is computed from the exact operands with big integers at a working precision of
 * {@code p} bits, as an interval that surely holds the exact value. When no rounding boundary
 * (a representable value or a midpoint between two) lies inside the interval, every point in it
 * rounds alike, and the result is rounded once, to a 64-bit significand in the control word's
 * rounding mode; otherwise {@code p} doubles (Ziv's strategy). The result is therefore the
 * correctly rounded value. Precision control does not apply to these instructions (Vol. 1,
 * 8.1.5.2).
 *
 * <p>What the hardware does differently, and this class follows: FSIN, FCOS, FSINCOS and FPTAN
 * reduce their argument by a multiple of pi/2 where pi is the 66-bit value
 * {@link #PI_66} (so sin of the extended-precision pi is -2^-64, not -5.0e-20), and the
 * instructions report PE for every result they compute, even an exact one (FYL2X of a power of
 * two). What the hardware does differently and this class does not follow: its own results are
 * not always correctly rounded; within about a tenth of a unit in the last place of a rounding
 * boundary it may round the other way (the differential test allows for exactly that).
 */
final class Transcendental {
    /** pi * 2^66, truncated: the processor's pi for the trigonometric argument reduction. */
    static final BigInteger PI_66 = new BigInteger("C90FDAA22168C234C", 16);

    private static final int START_PRECISION = 128;
    /** Denormal operands can need twice their exponent range in bits; beyond this, round what there is. */
    private static final int MAX_PRECISION = 1 << 17;

    /** An interval (mag - err, mag + err) * 2^exp, open, holding the exact magnitude; neg is the sign. */
    private record Approx(boolean neg, BigInteger mag, int exp, BigInteger err) {
    }

    @FunctionalInterface
    private interface Approximation {
        Approx at(int precision);
    }

    private final Float80 f;
    private BigInteger ln2 = BigInteger.ZERO;
    private int ln2Bits;
    private BigInteger pi = BigInteger.ZERO;
    private int piBits;

    /**
     * For tests: the least distance, over the results rounded since a test last set it to
     * +infinity, between an exact value and the nearest rounding boundary, in units in the last
     * place (0.5 at most); exact results do not count.
     */
    double closestMargin = Double.POSITIVE_INFINITY;

    /**
     * For tests, likewise: the least distance between an exact value and the nearest
     * representable value, in units in the last place; there C1 (rounded up or not) is a close call.
     */
    double closestToRepresentable = Double.POSITIVE_INFINITY;

    Transcendental(Float80 f) {
        this.f = f;
    }

    // --- the instructions: special operands first, then the values ----------------------------------------

    /**
     * The start every instruction shares: clears the flags; a NaN operand propagates and an
     * unsupported one is invalid, either of which is the result (true); a denormal sets DE.
     */
    private boolean specialOperands(long am, int ase, long bm, int bse) {
        f.flags = 0;
        f.roundedUp = false;
        if (Float80.isUnsupported(am, ase) || Float80.isUnsupported(bm, bse)) {
            f.invalid(); // even beside a NaN
            return true;
        }
        if (Float80.isNan(am, ase) || Float80.isNan(bm, bse)) {
            f.propagateNan(am, ase, bm, bse);
            return true;
        }
        // A denormal operand sets DE unless the operation is invalid (done by the callers' end).
        if (Float80.isDenormal(am, ase) || Float80.isDenormal(bm, bse)) {
            f.flags |= Float80.DE;
        }
        return false;
    }

    /** An invalid operation reports IE alone. */
    private void invalid() {
        f.invalid();
        f.flags &= ~Float80.DE;
    }

    private void infinity(boolean neg) {
        f.set(Float80.INTEGER_BIT, (neg ? 0x8000 : 0) | Float80.EXP_MAX);
    }

    private void zero(boolean neg) {
        f.set(0, neg ? 0x8000 : 0);
    }

    /** -1, 0 or 1 as |x| is below, at or above 1 (x finite, not zero). */
    private static int compareToOne(long m, int se) {
        int top = 63 - Long.numberOfLeadingZeros(m) + Float80.exp2(se);
        if (top != 0) {
            return top < 0 ? -1 : 1;
        }
        return Long.bitCount(m) == 1 ? 0 : 1;
    }

    /** F2XM1: ST(0) = 2^ST(0) - 1. Out of range (|x| > 1) the processor leaves x as it is, with PE. */
    void f2xm1(long m, int se, int rc) {
        if (specialOperands(m, se, m, se)) {
            return;
        }
        boolean neg = Float80.negative(se);
        if (Float80.isInf(m, se)) {
            f.set(Float80.INTEGER_BIT, neg ? 0xBFFF : se); // -inf gives -1
            return;
        }
        if (Float80.isZero(m, se)) {
            f.set(m, se);
            return;
        }
        int c = compareToOne(m, se);
        if (c > 0) {
            f.set(m, se);
            f.flags |= Float80.PE;
            return;
        }
        if (c == 0) {
            // Exact, but computed: PE; for 1 the processor's value lies just below 1, so that it
            // rounds up to 1 or down to the largest value below it.
            f.flags |= Float80.PE;
            if (neg) {
                f.set(Float80.INTEGER_BIT, 0x3FFE | 0x8000);
            } else if (rc == Float80.RC_DOWN || rc == Float80.RC_ZERO) {
                f.set(-1L, 0x3FFE);
            } else {
                f.set(Float80.INTEGER_BIT, 0x3FFF);
                f.roundedUp = true;
            }
            return;
        }
        twoToXMinusOne(neg, m, Float80.exp2(se), rc);
    }

    /** FYL2X: ST(1) * log2(ST(0)) (x = ST(0), y = ST(1)). */
    void fyl2x(long xm, int xse, long ym, int yse, int rc) {
        if (specialOperands(xm, xse, ym, yse)) {
            return;
        }
        boolean xNeg = Float80.negative(xse);
        boolean yNeg = Float80.negative(yse);
        boolean xZero = Float80.isZero(xm, xse);
        boolean yZero = Float80.isZero(ym, yse);
        boolean yInf = Float80.isInf(ym, yse);
        if (xNeg && !xZero) {
            invalid();
            return;
        }
        if (xZero) {
            if (yZero) {
                invalid();
            } else {
                if (!yInf) {
                    f.flags = f.flags & ~Float80.DE | Float80.ZE; // a zero divide reports no denormal
                }
                infinity(!yNeg);
            }
            return;
        }
        if (Float80.isInf(xm, xse)) {
            if (yZero) {
                invalid();
            } else {
                infinity(yNeg);
            }
            return;
        }
        int c = compareToOne(xm, xse);
        if (yInf || yZero) {
            if (c == 0 && yInf) {
                invalid();
            } else if (yInf) {
                infinity(yNeg != c < 0);
            } else {
                zero(yNeg != c < 0);
            }
            return;
        }
        if (c == 0) {
            zero(yNeg);
            return;
        }
        logarithm(yNeg, ym, Float80.exp2(yse), Float80.mag(xm), Float80.exp2(xse), rc);
    }

    /** FYL2XP1: ST(1) * log2(ST(0) + 1), exact in the sum, for any x the processor accepts. */
    void fyl2xp1(long xm, int xse, long ym, int yse, int rc) {
        if (specialOperands(xm, xse, ym, yse)) {
            return;
        }
        boolean xNeg = Float80.negative(xse);
        boolean yNeg = Float80.negative(yse);
        boolean yZero = Float80.isZero(ym, yse);
        boolean yInf = Float80.isInf(ym, yse);
        if (Float80.isZero(xm, xse)) {
            if (yInf) {
                invalid();
            } else {
                zero(yNeg != xNeg);
            }
            return;
        }
        if (Float80.isInf(xm, xse)) {
            if (xNeg || yZero) {
                invalid();
            } else {
                infinity(yNeg);
            }
            return;
        }
        // 1 + x exactly, as sm * 2^se1.
        int e = Float80.exp2(xse);
        BigInteger x = Float80.mag(xm);
        BigInteger sum;
        int sumE;
        if (e >= 0) {
            sum = xNeg ? BigInteger.ONE.subtract(x.shiftLeft(e)) : BigInteger.ONE.add(x.shiftLeft(e));
            sumE = 0;
        } else {
            BigInteger one = BigInteger.ONE.shiftLeft(-e);
            sum = xNeg ? one.subtract(x) : one.add(x);
            sumE = e;
        }
        if (yInf || yZero) {
            if (yInf) {
                infinity(yNeg != xNeg);
            } else {
                zero(yNeg != xNeg);
            }
            return;
        }
        if (sum.signum() <= 0) {
            // x <= -1: like F2XM1 out of range, the processor leaves x, with PE.
            f.set(xm, xse);
            f.flags |= Float80.PE;
            return;
        }
        logarithm(yNeg, ym, Float80.exp2(yse), sum, sumE, rc);
    }

    private void logarithm(boolean yNeg, long ym, int ye, BigInteger x, int xe, int rc) {
        Integer k = exactLog2(x, xe);
        if (k != null) {
            yTimes(yNeg, ym, ye, k, rc);
        } else {
            yLog2X(yNeg, ym, ye, x, xe, rc);
        }
    }

    /** FPATAN: the angle of (x, y) = (ST(0), ST(1)), in [-pi, pi]. */
    void fpatan(long xm, int xse, long ym, int yse, int rc) {
        if (specialOperands(xm, xse, ym, yse)) {
            return;
        }
        boolean xNeg = Float80.negative(xse);
        boolean yNeg = Float80.negative(yse);
        boolean xInf = Float80.isInf(xm, xse);
        boolean yInf = Float80.isInf(ym, yse);
        if (Float80.isZero(ym, yse)) {
            if (xNeg) {
                piQuarters(yNeg, 4, rc);
            } else {
                zero(yNeg);
            }
            return;
        }
        if (yInf) {
            piQuarters(yNeg, xInf ? (xNeg ? 3 : 1) : 2, rc);
            return;
        }
        if (Float80.isZero(xm, xse)) {
            piQuarters(yNeg, 2, rc);
            return;
        }
        if (xInf) {
            if (xNeg) {
                piQuarters(yNeg, 4, rc);
            } else {
                zero(yNeg);
            }
            return;
        }
        arcTangent(yNeg, ym, Float80.exp2(yse), xNeg, xm, Float80.exp2(xse), rc);
    }

    /**
     * FSIN, FCOS or FPTAN's tangent of ST(0): false when |x| is 2^63 or more, which the processor
     * leaves as it is (C2 set).
     */
    boolean trig(int fn, long m, int se, int rc) {
        if (specialOperands(m, se, m, se)) {
            return true;
        }
        if (Float80.isInf(m, se)) {
            invalid();
            return true;
        }
        if (Float80.isZero(m, se)) {
            if (fn == COS) {
                f.set(Float80.INTEGER_BIT, 0x3FFF);
            } else {
                f.set(m, se);
            }
            return true;
        }
        if (63 - Long.numberOfLeadingZeros(m) + Float80.exp2(se) >= 63) {
            return false;
        }
        trig(fn, Float80.negative(se), m, Float80.exp2(se), rc);
        return true;
    }

    // --- the functions --------------------------------------------------------------------------------

    /** 2^x - 1 for 0 < |x| < 1 (x = m * 2^e, negative if {@code neg}). */
    void twoToXMinusOne(boolean neg, long m, int e, int rc) {
        BigInteger x = Float80.mag(m);
        round(p -> {
            BigInteger one = BigInteger.ONE.shiftLeft(p);
            BigInteger l = ln2(p);
            BigInteger t = shift(x.multiply(l), e);
            if (neg) {
                t = t.negate();
            }
            // (e^t - 1) / t = 1 + t/2! + t^2/3! + ..., between 0.72 and 1.45 for |t| <= ln 2
            BigInteger term = one;
            BigInteger s = one;
            int n = 0;
            for (int k = 2; term.signum() != 0; k++, n++) {
                term = term.multiply(t).shiftRight(p).divide(BigInteger.valueOf(k));
                s = s.add(term);
            }
            BigInteger mag = x.multiply(l).multiply(s);
            return new Approx(neg, mag, e - 2 * p, relative(mag, 3 * n + 32, p));
        }, rc);
    }

    /** y * log2(x) for x = xm * 2^xe > 0, x not 1, y = ym * 2^ye, both finite and non-zero. */
    void yLog2X(boolean yNeg, long ym, int ye, BigInteger xm, int xe, int rc) {
        BigInteger y = Float80.mag(ym);
        round(p -> {
            Approx l = log2(xm, xe, p);
            return new Approx(l.neg != yNeg, l.mag.multiply(y), l.exp + ye, l.err.multiply(y).add(BigInteger.ONE));
        }, rc, true);
    }

    /**
     * The exact log2 of x = xm * 2^xe when x is a power of two, else null (then the logarithm is
     * irrational).
     */
    static Integer exactLog2(BigInteger xm, int xe) {
        if (xm.bitCount() != 1) {
            return null;
        }
        return xm.bitLength() - 1 + xe;
    }

    /** y * k exactly (FYL2X of a power of two), rounded; the processor reports PE even when it is exact. */
    void yTimes(boolean yNeg, long ym, int ye, int k, int rc) {
        BigInteger v = Float80.mag(ym).multiply(BigInteger.valueOf(Math.abs((long) k)));
        f.round(yNeg != k < 0, v, ye, 64, rc);
        f.flags |= Float80.PE;
        tinyIsUnderflow();
    }

    /** atan(y / x) in the quadrant of (x, y): FPATAN, for finite non-zero x and y. */
    void arcTangent(boolean yNeg, long ym, int ye, boolean xNeg, long xm, int xe, int rc) {
        BigInteger a = Float80.mag(ym);
        BigInteger b = Float80.mag(xm);
        // Compare |y| and |x| exactly.
        int c = compareMagnitude(a, ye, b, xe);
        boolean swap = c > 0; // |y| > |x|: atan(y/x) = pi/2 - atan(x/y)
        BigInteger num = swap ? b : a;
        int numE = swap ? xe : ye;
        BigInteger den = swap ? a : b;
        int denE = swap ? ye : xe;
        round(p -> {
            BigInteger one = BigInteger.ONE.shiftLeft(p);
            // t = num / den in (0, 1], to p bits relative.
            int sh = p + den.bitLength() - num.bitLength() + 1;
            BigInteger t = num.shiftLeft(sh).divide(den);
            int te = numE - denE - sh;
            int tTop = num.bitLength() + numE - den.bitLength() - denE; // t < 2^tTop
            if (!swap && !xNeg && 2 * tTop < -(p + 8)) {
                // A tiny ratio: atan t lies in (t - t 2^-(p + 8), t), so the exact quotient
                // decides at once, even when t itself is representable.
                BigInteger[] qr = num.shiftLeft(sh).divideAndRemainder(den);
                if (qr[1].signum() == 0) {
                    return new Approx(yNeg, qr[0].shiftLeft(1).subtract(BigInteger.ONE), te - 1, BigInteger.ONE);
                }
                return new Approx(yNeg, qr[0], te, BigInteger.ONE);
            }
            // Halve the angle twice: atan(t) = 2 atan(t / (1 + sqrt(1 + t^2))), so t <= tan(pi/16).
            for (int i = 0; i < 2; i++) {
                BigInteger tf = shift(t, te + p);
                BigInteger d = one.add(one.shiftLeft(p).add(tf.multiply(tf)).sqrt());
                t = t.shiftLeft(p).divide(d);
            }
            // atan(t) = t (1 - t^2/3 + t^4/5 - ...)
            BigInteger tf = shift(t, te + p);
            BigInteger w = tf.multiply(tf).shiftRight(p);
            BigInteger power = one;
            BigInteger s = one;
            int n = 0;
            for (int j = 1; power.signum() != 0; j++, n++) {
                power = power.multiply(w).shiftRight(p);
                BigInteger term = power.divide(BigInteger.valueOf(2L * j + 1));
                s = (j & 1) != 0 ? s.subtract(term) : s.add(term);
            }
            BigInteger atan = t.multiply(s).shiftLeft(2); // * 2^(te - p)
            int atanE = te - p;
            BigInteger atanErr = relative(atan, 2 * n + 64, p);
            if (!swap && !xNeg) {
                return new Approx(yNeg, atan, atanE, atanErr);
            }
            // pi/2 - atan, pi - atan or pi/2 + atan, all at least pi/4: fixed point at p bits.
            BigInteger at = shift(atan, atanE + p);
            BigInteger halfPi = pi(p + 1).shiftRight(2);
            BigInteger v;
            if (swap) {
                v = xNeg ? halfPi.add(at) : halfPi.subtract(at);
            } else {
                v = halfPi.shiftLeft(1).subtract(at);
            }
            return new Approx(yNeg, v, -p, BigInteger.valueOf(2 * n + 80));
        }, rc);
    }

    /** k * pi / 4 (k = 1, 2, 3 or 4) with the given sign: FPATAN of zeros and infinities. */
    void piQuarters(boolean neg, int k, int rc) {
        round(p -> new Approx(neg, pi(p).multiply(BigInteger.valueOf(k)), -p - 2, BigInteger.valueOf(4L * k + 1)), rc);
    }

    static final int SIN = 0;
    static final int COS = 1;
    static final int TAN = 2;

    /**
     * sin, cos or tan of x = m * 2^e, 0 < |x| < 2^63, reduced by multiples of the processor's
     * pi / 2 ({@link #PI_66}) exactly, as the processor reduces it.
     */
    void trig(int fn, boolean neg, long m, int e, int rc) {
        BigInteger x = Float80.mag(m);
        // n = round(x / (pi66 / 2)), r = x - n * pi66 / 2, exactly: pi66 / 2 = PI_66 * 2^-67.
        int base = Math.min(e, -67);
        BigInteger xs = x.shiftLeft(e - base);
        BigInteger half = PI_66.shiftLeft(-67 - base);
        BigInteger n = xs.shiftLeft(1).add(half).divide(half.shiftLeft(1));
        BigInteger r = xs.subtract(n.multiply(half));
        int q = n.intValue() & 3;
        boolean rNeg = r.signum() < 0;
        BigInteger rm = r.abs();
        boolean odd = (q & 1) != 0;
        // sin x: [s, c, -s, -c][q]; cos x: [c, -s, -c, s][q]; tan x: s/c or -c/s; s carries the sign of r.
        boolean resultNeg;
        boolean useSin;
        switch (fn) {
            case SIN:
                useSin = !odd;
                resultNeg = (odd ? false : rNeg) != (q >= 2);
                break;
            case COS:
                useSin = odd;
                resultNeg = (odd ? !rNeg : false) != (q >= 2);
                break;
            default:
                useSin = false;
                resultNeg = odd ? !rNeg : rNeg;
                break;
        }
        boolean finalNeg = fn == COS ? resultNeg : resultNeg != neg;
        round(p -> {
            int rTop = rm.bitLength() + base; // |r| < 2^rTop
            if (fn != TAN && 2 * rTop < -(p + 8)) {
                // A tiny r: sin r lies in (r - r 2^-(p + 8), r) and cos r in (1 - 2^-(p + 8), 1),
                // which decide at once, even when r itself is representable.
                if (useSin) {
                    int k = Math.max(0, p + 2 - rm.bitLength());
                    return new Approx(finalNeg, rm.shiftLeft(k + 1).subtract(BigInteger.ONE), base - k - 1, BigInteger.ONE);
                }
                return new Approx(finalNeg, BigInteger.ONE.shiftLeft(p + 1).subtract(BigInteger.ONE), -(p + 1), BigInteger.ONE);
            }
            BigInteger one = BigInteger.ONE.shiftLeft(p);
            BigInteger rf = shift(rm, base + p);
            BigInteger w = rf.multiply(rf).shiftRight(p);
            // sin r = r (1 - w/3! + w^2/5! ...), cos r = 1 - w/2! + w^2/4! ...
            BigInteger sTerm = one;
            BigInteger s = one;
            BigInteger cTerm = one;
            BigInteger c = one;
            int k = 0;
            for (int j = 1; sTerm.signum() != 0 || cTerm.signum() != 0; j++, k++) {
                sTerm = sTerm.multiply(w).shiftRight(p).divide(BigInteger.valueOf((2L * j) * (2L * j + 1)));
                cTerm = cTerm.multiply(w).shiftRight(p).divide(BigInteger.valueOf((2L * j - 1) * (2L * j)));
                s = (j & 1) != 0 ? s.subtract(sTerm) : s.add(sTerm);
                c = (j & 1) != 0 ? c.subtract(cTerm) : c.add(cTerm);
            }
            int bound = 2 * k + 16;
            BigInteger sin = rm.multiply(s); // * 2^(base - p), relative
            if (fn != TAN) {
                if (useSin) {
                    return new Approx(finalNeg, sin, base - p, relative(sin, bound, p));
                }
                return new Approx(finalNeg, c, -p, BigInteger.valueOf(bound));
            }
            if (!odd) { // tan = sin / cos
                int sh = p + 2;
                BigInteger v = sin.shiftLeft(sh).divide(c);
                return new Approx(finalNeg, v, base - sh, relative(v, 2 * bound, p));
            }
            // tan = -cos / sin
            int sh = p + sin.bitLength() + 1;
            BigInteger v = c.shiftLeft(sh).divide(sin);
            return new Approx(finalNeg, v, -sh - base, relative(v, 2 * bound, p));
        }, rc);
    }

    /** log2(x) of x = xm * 2^xe > 0, x not 1, to p bits relative. */
    private Approx log2(BigInteger xm, int xe, int p) {
        BigInteger one = BigInteger.ONE.shiftLeft(p);
        // x = f * 2^k with f = xm / 2^s in [sqrt(1/2), sqrt(2)).
        int s = xm.bitLength() - 1;
        int k = s + xe;
        if (xm.multiply(xm).compareTo(BigInteger.ONE.shiftLeft(2 * s + 1)) > 0) {
            s++;
            k++;
        }
        BigInteger twoS = BigInteger.ONE.shiftLeft(s);
        // ln f = 2 atanh(u), u = (f - 1) / (f + 1), |u| < 0.172: exact as a fraction.
        BigInteger num = xm.subtract(twoS);
        BigInteger den = xm.add(twoS);
        BigInteger uf = num.shiftLeft(p).divide(den);
        BigInteger w = uf.multiply(uf).shiftRight(p);
        BigInteger power = one;
        BigInteger a = one; // atanh(u) / u = 1 + w/3 + w^2/5 + ...
        int n = 0;
        for (int j = 1; power.signum() != 0; j++, n++) {
            power = power.multiply(w).shiftRight(p);
            a = a.add(power.divide(BigInteger.valueOf(2L * j + 1)));
        }
        BigInteger l = ln2(p);
        if (k == 0) {
            // log2 x = 2 u a / ln 2, relative all the way, whatever the size of u.
            int sh = p + den.bitLength() - num.abs().bitLength() + 1;
            BigInteger u = num.abs().shiftLeft(sh).divide(den);
            BigInteger mag = u.multiply(a).shiftLeft(p + 1).divide(l);
            return new Approx(num.signum() < 0, mag, -sh - p, relative(mag, 2 * n + 32, p));
        }
        // |log2 x| >= 1/2: fixed point is relative enough.
        BigInteger lf = uf.multiply(a).shiftRight(p - 1).shiftLeft(p).divide(l);
        BigInteger v = BigInteger.valueOf(k).shiftLeft(p).add(lf);
        return new Approx(v.signum() < 0, v.abs(), -p, BigInteger.valueOf(2 * n + 48));
    }

    // --- rounding -------------------------------------------------------------------------------------

    private void round(Approximation fn, int rc) {
        round(fn, rc, false);
    }

    private void round(Approximation fn, int rc, boolean tinyBeforeRounding) {
        Approx a = null;
        for (int p = START_PRECISION; p <= MAX_PRECISION; p *= 2) {
            a = fn.at(p);
            if (decided(a)) {
                break;
            }
        }
        int saved = f.flags;
        f.round(a.neg, a.mag, a.exp, 64, rc);
        f.flags |= saved | Float80.PE;
        double fraction = fraction(a);
        double toRepresentable = Math.min(fraction, 1 - fraction);
        closestMargin = Math.min(closestMargin, rc == Float80.RC_NEAREST ? Math.abs(fraction - 0.5) : toRepresentable);
        closestToRepresentable = Math.min(closestToRepresentable, toRepresentable);
        // FYL2X and FYL2XP1 (seen on the host) take a product tiny before rounding as an underflow
        // even when it rounds up to the smallest normal; the others look after rounding.
        if (tinyBeforeRounding && a.mag.bitLength() - 1 + a.exp < 1 - Float80.EXP_BIAS) {
            f.flags |= Float80.UE;
        }
        tinyIsUnderflow();
    }

    /** True when the open interval holds no point of the 65-bit grid (representable values and midpoints). */
    private static boolean decided(Approx a) {
        BigInteger lo = a.mag.subtract(a.err);
        BigInteger hi = a.mag.add(a.err);
        if (lo.signum() <= 0) {
            return false;
        }
        int top = lo.bitLength() - 1 + a.exp;
        int quantum = Math.max(top - 64, Float80.MIN_Q - 1);
        int sh = quantum - a.exp;
        if (sh <= 0) {
            return false;
        }
        BigInteger k = lo.shiftRight(sh);
        return hi.compareTo(k.add(BigInteger.ONE).shiftLeft(sh)) <= 0;
    }

    /** Where the value lies between two representable values, from 0 to 1. */
    private static double fraction(Approx a) {
        int top = a.mag.bitLength() - 1 + a.exp;
        int sh = Math.max(top - 63, Float80.MIN_Q) - a.exp;
        if (sh <= 0) {
            return 0;
        }
        BigInteger frac = a.mag.subtract(a.mag.shiftRight(sh).shiftLeft(sh));
        return sh > 60 ? frac.shiftRight(sh - 60).doubleValue() / 0x1p60 : frac.doubleValue() / Math.scalb(1.0, sh);
    }

    /** The processor treats every computed result as inexact: a tiny one, even exact, underflows. */
    private void tinyIsUnderflow() {
        if ((f.se & Float80.EXP_MAX) == 0) {
            f.flags |= Float80.UE;
        }
    }

    // --- fixed-point helpers and constants ------------------------------------------------------------

    private static BigInteger shift(BigInteger v, int n) {
        return n >= 0 ? v.shiftLeft(n) : v.shiftRight(-n);
    }

    /** An error of {@code units} * 2^-p relative to {@code mag}, rounded up. */
    private static BigInteger relative(BigInteger mag, long units, int p) {
        return mag.multiply(BigInteger.valueOf(units)).shiftRight(p).add(BigInteger.ONE);
    }

    private static int compareMagnitude(BigInteger a, int ae, BigInteger b, int be) {
        int e = Math.min(ae, be);
        return a.shiftLeft(ae - e).compareTo(b.shiftLeft(be - e));
    }

    /** ln 2 * 2^p, within 4 units. */
    private BigInteger ln2(int p) {
        if (ln2Bits < p) {
            // ln 2 = 2 atanh(1/3) = sum 2 / ((2k + 1) 3^(2k + 1))
            int q = p + 32;
            BigInteger term = BigInteger.TWO.shiftLeft(q).divide(BigInteger.valueOf(3));
            BigInteger sum = BigInteger.ZERO;
            BigInteger nine = BigInteger.valueOf(9);
            for (int k = 0; term.signum() != 0; k++) {
                sum = sum.add(term.divide(BigInteger.valueOf(2L * k + 1)));
                term = term.divide(nine);
            }
            ln2 = sum;
            ln2Bits = q;
        }
        return ln2.shiftRight(ln2Bits - p);
    }

    /** pi * 2^p, within 4 units. */
    private BigInteger pi(int p) {
        if (piBits < p) {
            // Machin: pi = 16 atan(1/5) - 4 atan(1/239)
            int q = p + 32;
            pi = arcTangentOfInverse(5, q).shiftLeft(4).subtract(arcTangentOfInverse(239, q).shiftLeft(2));
            piBits = q;
        }
        return pi.shiftRight(piBits - p);
    }

    private static BigInteger arcTangentOfInverse(int n, int q) {
        BigInteger nn = BigInteger.valueOf((long) n * n);
        BigInteger power = BigInteger.ONE.shiftLeft(q).divide(BigInteger.valueOf(n));
        BigInteger sum = power;
        for (int k = 1; power.signum() != 0; k++) {
            power = power.divide(nn);
            BigInteger term = power.divide(BigInteger.valueOf(2L * k + 1));
            sum = (k & 1) != 0 ? sum.subtract(term) : sum.add(term);
        }
        return sum;
    }
}
