package org.alosj.cpu.x86_64.impl;

import java.math.BigInteger;

/**
 * Exact x87 extended-precision arithmetic (Intel SDM Vol. 1, 4.2.2 and 8.2): values are a 16-bit
 * sign/exponent and a 64-bit significand with an explicit integer bit. Operations compute the
 * exact result with BigInteger and round once, honouring precision control (24, 53 or 64
 * bits) and rounding control, with denormals, overflow and the x87 NaN rules.
 *
 * <p>Results land in {@link #mant}/{@link #se}; {@link #flags} collects the x87 exception bits
 * (IE, DE, ZE, OE, UE, PE) and {@link #roundedUp} the C1 answer. One instance per FPU.
 */
final class Float80 {
    static final int EXP_BIAS = 16383;
    static final int EXP_MAX = 0x7FFF;
    static final long INTEGER_BIT = Long.MIN_VALUE;
    static final long QUIET_BIT = 1L << 62;
    /** The "real indefinite" QNaN: negative, quiet, fraction zero. */
    static final long INDEFINITE_MANT = 0xC000_0000_0000_0000L;
    static final int INDEFINITE_SE = 0xFFFF;
    /** Smallest exponent of the significand's last bit: denormals are multiples of 2^MIN_Q. */
    static final int MIN_Q = 1 - EXP_BIAS - 63;

    static final int IE = 1;
    static final int DE = 1 << 1;
    static final int ZE = 1 << 2;
    static final int OE = 1 << 3;
    static final int UE = 1 << 4;
    static final int PE = 1 << 5;

    static final int RC_NEAREST = 0;
    static final int RC_DOWN = 1;
    static final int RC_UP = 2;
    static final int RC_ZERO = 3;

    long mant;
    int se;
    int flags;
    boolean roundedUp;

    // --- classification -------------------------------------------------------------------------

    static boolean isNan(long m, int se) {
        return (se & EXP_MAX) == EXP_MAX && (m & ~INTEGER_BIT) != 0;
    }

    static boolean isInf(long m, int se) {
        return (se & EXP_MAX) == EXP_MAX && (m & ~INTEGER_BIT) == 0;
    }

    static boolean isZero(long m, int se) {
        return (se & EXP_MAX) == 0 && m == 0;
    }

    static boolean isSignaling(long m, int se) {
        return isNan(m, se) && (m & QUIET_BIT) == 0;
    }

    static boolean negative(int se) {
        return (se & 0x8000) != 0;
    }

    /** Unnormals (integer bit clear with a non-zero exponent) are invalid operands on x87 since the 387. */
    static boolean isUnsupported(long m, int se) {
        int e = se & EXP_MAX;
        return e != 0 && (m & INTEGER_BIT) == 0;
    }

    void set(long m, int s) {
        mant = m;
        se = s;
    }

    void setIndefinite() {
        set(INDEFINITE_MANT, INDEFINITE_SE);
    }

    void invalid() {
        flags |= IE;
        setIndefinite();
    }

    /**
     * x87 NaN propagation (SDM Vol. 1, Table 4-7): the NaN operand; of a signalling and a quiet
     * one, the quiet one; of two alike, the one with the larger significand; quietened.
     */
    void propagateNan(long am, int ase, long bm, int bse) {
        boolean an = isNan(am, ase);
        boolean bn = isNan(bm, bse);
        boolean as = isSignaling(am, ase);
        boolean bs = isSignaling(bm, bse);
        if (as || bs) {
            flags |= IE;
        }
        if (an && bn && as != bs) {
            if (as) {
                set(bm, bse);
            } else {
                set(am, ase);
            }
        } else if (an && bn) {
            long qa = am | QUIET_BIT;
            long qb = bm | QUIET_BIT;
            int c = Long.compareUnsigned(qa & ~INTEGER_BIT, qb & ~INTEGER_BIT);
            if (c > 0 || c == 0 && !negative(ase)) {
                set(qa, ase);
            } else {
                set(qb, bse);
            }
        } else if (an) {
            set(am | QUIET_BIT, ase);
        } else {
            set(bm | QUIET_BIT, bse);
        }
    }

    /** A denormal or pseudo-denormal: exponent field zero, significand not zero. */
    static boolean isDenormal(long m, int se) {
        return (se & EXP_MAX) == 0 && m != 0;
    }

    // --- exact values -----------------------------------------------------------------------------

    /** Binary exponent of the significand's last bit for a finite value. */
    static int exp2(int se) {
        int e = se & EXP_MAX;
        return (e == 0 ? 1 : e) - EXP_BIAS - 63;
    }

    static BigInteger mag(long m) {
        return m >= 0 ? BigInteger.valueOf(m) : BigInteger.valueOf(m >>> 1).shiftLeft(1).or(BigInteger.valueOf(m & 1));
    }

    /**
     * Rounds {@code mag * 2^exp} (sign {@code neg}) to {@code precision} bits in {@code rc} and
     * stores it. {@code mag} may be zero.
     */
    void round(boolean neg, BigInteger mag, int exp, int precision, int rc) {
        roundedUp = false;
        int sign = neg ? 0x8000 : 0;
        if (mag.signum() == 0) {
            set(0, sign);
            return;
        }
        int top = mag.bitLength() - 1 + exp;
        int q = Math.max(top - (precision - 1), MIN_Q);
        BigInteger m;
        if (exp >= q) {
            m = mag.shiftLeft(exp - q);
        } else {
            int shift = q - exp;
            m = mag.shiftRight(shift);
            boolean half = mag.testBit(shift - 1);
            boolean sticky = mag.getLowestSetBit() < shift - 1;
            if (half || sticky) {
                flags |= PE;
                boolean up;
                switch (rc) {
                    case RC_NEAREST: up = half && (sticky || m.testBit(0)); break;
                    case RC_DOWN: up = neg; break;
                    case RC_UP: up = !neg; break;
                    default: up = false; break;
                }
                if (up) {
                    m = m.add(BigInteger.ONE);
                    roundedUp = true;
                }
            }
        }
        if (m.signum() == 0) {
            if (top < MIN_Q + 63) {
                flags |= UE;
            }
            set(0, sign);
            return;
        }
        int len = m.bitLength();
        int biased = len - 1 + q + EXP_BIAS;
        if (biased >= EXP_MAX) {
            flags |= OE | PE;
            boolean toMax = rc == RC_ZERO || rc == RC_DOWN && !neg || rc == RC_UP && neg;
            if (toMax) {
                long maxMant = -1L << (64 - precision);
                set(maxMant, sign | (EXP_MAX - 1));
            } else {
                set(INTEGER_BIT, sign | EXP_MAX);
                roundedUp = true;
            }
            return;
        }
        if (biased >= 1) {
            set(m.shiftLeft(64 - len).longValue(), sign | biased);
        } else {
            if ((flags & PE) != 0) {
                flags |= UE;
            }
            set(m.shiftLeft(q - MIN_Q).longValue(), sign);
        }
    }

    // --- arithmetic -------------------------------------------------------------------------------

    /**
     * The start add, multiply and divide share: clears the flags; a NaN operand propagates and an
     * unsupported one is invalid, either of which is the result (true); a denormal one sets DE.
     * The signs do not matter here, so a subtraction passes its operand before negating it.
     */
    private boolean specialOperands(long am, int ase, long bm, int bse) {
        flags = 0;
        roundedUp = false;
        if (isUnsupported(am, ase) || isUnsupported(bm, bse)) {
            invalid(); // even beside a NaN
            return true;
        }
        if (isNan(am, ase) || isNan(bm, bse)) {
            propagateNan(am, ase, bm, bse);
            return true;
        }
        if (isDenormal(am, ase) || isDenormal(bm, bse)) {
            flags |= DE;
        }
        return false;
    }

    void add(long am, int ase, long bm, int bse, boolean subtract, int precision, int rc) {
        if (specialOperands(am, ase, bm, bse)) {
            return;
        }
        if (subtract) {
            bse ^= 0x8000;
        }
        boolean ai = isInf(am, ase);
        boolean bi = isInf(bm, bse);
        if (ai || bi) {
            if (ai && bi && negative(ase) != negative(bse)) {
                invalid();
            } else {
                set(INTEGER_BIT, (ai ? ase : bse) & 0x8000 | EXP_MAX);
            }
            return;
        }
        int ea = exp2(ase);
        int eb = exp2(bse);
        int e = Math.min(ea, eb);
        BigInteger a = mag(am).shiftLeft(ea - e);
        BigInteger b = mag(bm).shiftLeft(eb - e);
        if (negative(ase)) {
            a = a.negate();
        }
        if (negative(bse)) {
            b = b.negate();
        }
        BigInteger sum = a.add(b);
        if (sum.signum() == 0) {
            // An exact zero is +0 except in round-down, or when both addends are zeros of one sign.
            boolean neg;
            if (isZero(am, ase) && isZero(bm, bse) && negative(ase) == negative(bse)) {
                neg = negative(ase);
            } else {
                neg = rc == RC_DOWN;
            }
            set(0, neg ? 0x8000 : 0);
            return;
        }
        round(sum.signum() < 0, sum.abs(), e, precision, rc);
    }

    void multiply(long am, int ase, long bm, int bse, int precision, int rc) {
        if (specialOperands(am, ase, bm, bse)) {
            return;
        }
        int sign = (ase ^ bse) & 0x8000;
        boolean ai = isInf(am, ase);
        boolean bi = isInf(bm, bse);
        if (ai || bi) {
            if (isZero(am, ase) || isZero(bm, bse)) {
                invalid();
            } else {
                set(INTEGER_BIT, sign | EXP_MAX);
            }
            return;
        }
        round(sign != 0, mag(am).multiply(mag(bm)), exp2(ase) + exp2(bse), precision, rc);
    }

    void divide(long am, int ase, long bm, int bse, int precision, int rc) {
        if (specialOperands(am, ase, bm, bse)) {
            return;
        }
        int sign = (ase ^ bse) & 0x8000;
        boolean ai = isInf(am, ase);
        boolean bi = isInf(bm, bse);
        if (ai && bi || isZero(am, ase) && isZero(bm, bse)) {
            invalid();
            return;
        }
        if (ai) {
            set(INTEGER_BIT, sign | EXP_MAX);
            return;
        }
        if (bi) {
            set(0, sign);
            return;
        }
        if (isZero(bm, bse)) {
            flags |= ZE;
            set(INTEGER_BIT, sign | EXP_MAX);
            return;
        }
        if (isZero(am, ase)) {
            set(0, sign);
            return;
        }
        // Enough quotient bits for any precision plus guard bits; the remainder is the sticky bit.
        int extra = 130;
        BigInteger[] qr = mag(am).shiftLeft(extra).divideAndRemainder(mag(bm));
        BigInteger q = qr[0].shiftLeft(1);
        if (qr[1].signum() != 0) {
            q = q.or(BigInteger.ONE);
        }
        round(sign != 0, q, exp2(ase) - exp2(bse) - extra - 1, precision, rc);
    }

    void sqrt(long am, int ase, int precision, int rc) {
        flags = 0;
        roundedUp = false;
        if (isNan(am, ase)) {
            propagateNan(am, ase, am, ase);
            return;
        }
        if (isZero(am, ase)) {
            set(0, ase & 0x8000);
            return;
        }
        if (negative(ase) || isUnsupported(am, ase)) {
            invalid();
            return;
        }
        if (isInf(am, ase)) {
            set(INTEGER_BIT, EXP_MAX);
            return;
        }
        int e = exp2(ase);
        BigInteger m = mag(am);
        int shift = 140;
        if (((e - shift) & 1) != 0) {
            shift++;
        }
        BigInteger scaled = m.shiftLeft(shift);
        BigInteger root = scaled.sqrt();
        BigInteger r = root.shiftLeft(1);
        if (!root.multiply(root).equals(scaled)) {
            r = r.or(BigInteger.ONE);
        }
        round(false, r, (e - shift) / 2 - 1, precision, rc);
    }

    /** FRNDINT: round to an integer in {@code rc}. */
    void roundToInteger(long am, int ase, int rc) {
        flags = 0;
        roundedUp = false;
        if (isUnsupported(am, ase)) {
            invalid();
            return;
        }
        if (isNan(am, ase) || isInf(am, ase) || isZero(am, ase)) {
            if (isNan(am, ase)) {
                propagateNan(am, ase, am, ase);
            } else {
                set(am, ase);
            }
            return;
        }
        if (isDenormal(am, ase)) {
            flags |= DE;
        }
        int e = exp2(ase);
        if (e >= 0) {
            set(am, ase);
            return;
        }
        BigInteger i = integerPart(am, ase, rc);
        round(negative(ase), i, 0, 64, rc);
        if (i.signum() == 0) {
            set(0, ase & 0x8000);
        }
        BigInteger exact = mag(am);
        BigInteger scaled = i.shiftLeft(-e);
        if (scaled.compareTo(exact) != 0) {
            flags |= PE;
        }
        roundedUp = scaled.compareTo(exact) > 0; // C1: the magnitude went up
    }

    /** |value| rounded to an integer in {@code rc} (the sign is applied by the rounding direction). */
    private BigInteger integerPart(long am, int ase, int rc) {
        int e = exp2(ase);
        BigInteger m = mag(am);
        if (e >= 0) {
            return m.shiftLeft(e);
        }
        int shift = -e;
        BigInteger i = m.shiftRight(shift);
        boolean half = shift <= 64 + 1 && m.testBit(shift - 1);
        boolean sticky = m.getLowestSetBit() < shift - 1;
        if (shift > 65) {
            half = false;
            sticky = m.signum() != 0;
        }
        if (half || sticky) {
            flags |= PE;
            boolean neg = negative(ase);
            boolean up;
            switch (rc) {
                case RC_NEAREST: up = half && (sticky || i.testBit(0)); break;
                case RC_DOWN: up = neg; break;
                case RC_UP: up = !neg; break;
                default: up = false; break;
            }
            if (up) {
                i = i.add(BigInteger.ONE);
                roundedUp = true;
            }
        }
        return i;
    }

    /**
     * FIST: the value as a signed integer of {@code bits} (16, 32, 64) in {@code rc}, or the
     * integer indefinite (minimum value) with IE when it does not fit or is NaN/infinite.
     */
    long toInteger(long am, int ase, int bits, int rc) {
        flags = 0;
        roundedUp = false;
        roundedUp = false;
        long indefinite = Long.MIN_VALUE >> (64 - bits);
        if (isNan(am, ase) || isInf(am, ase) || isUnsupported(am, ase)) {
            flags |= IE;
            return indefinite;
        }
        if (isZero(am, ase)) {
            return 0;
        }
        BigInteger i = integerPart(am, ase, rc);
        if (negative(ase)) {
            i = i.negate();
        }
        if (i.bitLength() > bits - 1) {
            flags = IE;
            return indefinite;
        }
        return i.longValue();
    }

    /** Exact comparison: -1, 0, 1, or 2 for unordered. */
    static int compare(long am, int ase, long bm, int bse) {
        if (isNan(am, ase) || isNan(bm, bse) || isUnsupported(am, ase) || isUnsupported(bm, bse)) {
            return 2;
        }
        boolean az = isZero(am, ase);
        boolean bz = isZero(bm, bse);
        if (az && bz) {
            return 0;
        }
        boolean an = negative(ase);
        boolean bn = negative(bse);
        if (az) {
            return bn ? 1 : -1;
        }
        if (bz) {
            return an ? -1 : 1;
        }
        if (an != bn) {
            return an ? -1 : 1;
        }
        int c = compareMagnitude(am, ase, bm, bse);
        return an ? -c : c;
    }

    private static int compareMagnitude(long am, int ase, long bm, int bse) {
        if (isInf(am, ase) || isInf(bm, bse)) {
            return isInf(am, ase) ? (isInf(bm, bse) ? 0 : 1) : -1;
        }
        int za = Long.numberOfLeadingZeros(am);
        int zb = Long.numberOfLeadingZeros(bm);
        long ea = (long) exp2(ase) + 63 - za;
        long eb = (long) exp2(bse) + 63 - zb;
        if (ea != eb) {
            return ea < eb ? -1 : 1;
        }
        return Long.compareUnsigned(am << za, bm << zb);
    }

    // --- conversions --------------------------------------------------------------------------------

    /** Loads a double exactly (FLD m64); a signalling NaN is quietened with IE. */
    void fromDouble(long bits) {
        widen((int) (bits >>> 63) << 15, (int) (bits >>> 52) & 0x7FF, bits & 0x000F_FFFF_FFFF_FFFFL, 52, 0x7FF, 1023);
    }

    /** Loads a float exactly (FLD m32); a signalling NaN is quietened with IE. */
    void fromFloat(int bits) {
        widen((bits >>> 31) << 15, (bits >>> 23) & 0xFF, bits & 0x7F_FFFFL, 23, 0xFF, 127);
    }

    /**
     * Widens an IEEE binary value given as its fields (sign already at bit 15, biased exponent,
     * fraction of {@code fractionBits}) exactly: a denormal sets DE and is normalised, a
     * signalling NaN is quietened with IE.
     */
    private void widen(int sign, int e, long f, int fractionBits, int expMax, int bias) {
        flags = 0;
        roundedUp = false;
        int shift = 63 - fractionBits; // the fraction's top bit goes just below the integer bit
        if (e == expMax) {
            if (f == 0) {
                set(INTEGER_BIT, sign | EXP_MAX);
            } else {
                if ((f & (1L << (fractionBits - 1))) == 0) {
                    flags |= IE;
                }
                set(INTEGER_BIT | QUIET_BIT | (f << shift), sign | EXP_MAX);
            }
            return;
        }
        if (e == 0) {
            if (f == 0) {
                set(0, sign);
                return;
            }
            flags |= DE;
            round(sign != 0, BigInteger.valueOf(f), 1 - bias - fractionBits, 64, RC_NEAREST);
            return;
        }
        set(INTEGER_BIT | (f << shift), sign | (e - bias + EXP_BIAS));
    }

    void fromLong(long v) {
        flags = 0;
        roundedUp = false;
        if (v == 0) {
            set(0, 0);
            return;
        }
        boolean neg = v < 0;
        long mag = neg ? -v : v; // Long.MIN_VALUE stays 2^63 as unsigned
        int lz = Long.numberOfLeadingZeros(mag);
        set(mag << lz, (neg ? 0x8000 : 0) | (EXP_BIAS + 63 - lz));
    }

    /** Rounds to double (FST m64) in {@code rc}; returns the bits. */
    long toDouble(long am, int ase, int rc) {
        flags = 0;
        roundedUp = false;
        roundedUp = false;
        long sign = (long) (ase >>> 15 & 1) << 63;
        if (isNan(am, ase) || isUnsupported(am, ase)) {
            if (isSignaling(am, ase) || isUnsupported(am, ase)) {
                flags |= IE;
            }
            if (isUnsupported(am, ase)) {
                return 0xFFF8_0000_0000_0000L;
            }
            return sign | 0x7FF8_0000_0000_0000L | ((am >>> 11) & 0x000F_FFFF_FFFF_FFFFL);
        }
        if (isInf(am, ase)) {
            return sign | 0x7FF0_0000_0000_0000L;
        }
        if (isZero(am, ase)) {
            return sign;
        }
        return narrow(am, ase, rc, 53, -1074, 1023, false);
    }

    int toFloat(long am, int ase, int rc) {
        flags = 0;
        roundedUp = false;
        roundedUp = false;
        int sign = (ase >>> 15 & 1) << 31;
        if (isNan(am, ase) || isUnsupported(am, ase)) {
            if (isSignaling(am, ase) || isUnsupported(am, ase)) {
                flags |= IE;
            }
            if (isUnsupported(am, ase)) {
                return 0xFFC0_0000;
            }
            return sign | 0x7FC0_0000 | (int) ((am >>> 40) & 0x3F_FFFF);
        }
        if (isInf(am, ase)) {
            return sign | 0x7F80_0000;
        }
        if (isZero(am, ase)) {
            return sign;
        }
        return (int) narrow(am, ase, rc, 24, -149, 127, true);
    }

    /** Rounds to a binary32/binary64 with {@code precision} bits, last-bit quantum {@code minQ}. */
    private long narrow(long am, int ase, int rc, int precision, int minQ, int maxExp, boolean single) {
        boolean neg = negative(ase);
        BigInteger m = mag(am);
        int e = exp2(ase);
        int top = m.bitLength() - 1 + e;
        int q = Math.max(top - (precision - 1), minQ);
        BigInteger r;
        if (e >= q) {
            r = m.shiftLeft(e - q);
        } else {
            int shift = q - e;
            r = m.shiftRight(shift);
            boolean half = shift <= 64 && m.testBit(shift - 1);
            boolean sticky = shift > 64 ? m.signum() != 0 : m.getLowestSetBit() < shift - 1;
            if (half || sticky) {
                flags |= PE;
                boolean up;
                switch (rc) {
                    case RC_NEAREST: up = half && (sticky || r.testBit(0)); break;
                    case RC_DOWN: up = neg; break;
                    case RC_UP: up = !neg; break;
                    default: up = false; break;
                }
                if (up) {
                    r = r.add(BigInteger.ONE);
                    roundedUp = true;
                }
            }
        }
        long signBit = single ? (neg ? 1L << 31 : 0) : (neg ? Long.MIN_VALUE : 0);
        if (r.signum() == 0) {
            flags |= UE;
            return signBit;
        }
        if (top < 1 - maxExp && (flags & PE) != 0) {
            flags |= UE; // tiny and inexact
        }
        int len = r.bitLength();
        int exp = len - 1 + q;
        if (exp > maxExp) {
            flags |= OE | PE;
            boolean toMax = rc == RC_ZERO || rc == RC_DOWN && !neg || rc == RC_UP && neg;
            roundedUp = !toMax; // to infinity: the magnitude went up
            if (single) {
                return signBit | (toMax ? 0x7F7F_FFFFL : 0x7F80_0000L);
            }
            return signBit | (toMax ? 0x7FEF_FFFF_FFFF_FFFFL : 0x7FF0_0000_0000_0000L);
        }
        double d = Math.scalb((double) r.longValue(), q);
        if (single) {
            return signBit | (Float.floatToRawIntBits((float) d) & 0x7FFF_FFFFL);
        }
        return signBit | Double.doubleToRawLongBits(d);
    }

    // --- remainder and scale --------------------------------------------------------------------------

    /**
     * FPREM (truncating) or FPREM1 (round-to-nearest) of a by b. Returns the low three quotient
     * bits, or -1 when the reduction is partial (exponent difference of 64 or more: C2 set).
     */
    int remainder(long am, int ase, long bm, int bse, boolean nearest) {
        flags = 0;
        roundedUp = false;
        if (isUnsupported(am, ase) || isUnsupported(bm, bse)) {
            invalid(); // even beside a NaN
            return 0;
        }
        if (isNan(am, ase) || isNan(bm, bse)) {
            propagateNan(am, ase, bm, bse);
            return 0;
        }
        if (isInf(am, ase) || isZero(bm, bse)) {
            invalid();
            return 0;
        }
        if (isDenormal(am, ase) || isDenormal(bm, bse)) {
            flags |= DE;
        }
        if (isInf(bm, bse) || isZero(am, ase)) {
            // The dividend unchanged, a pseudo-denormal in its normal encoding.
            set(am, isDenormal(am, ase) && am < 0 ? ase | 1 : ase);
            return 0;
        }
        int ea = exp2(ase) + 63 - Long.numberOfLeadingZeros(am);
        int eb = exp2(bse) + 63 - Long.numberOfLeadingZeros(bm);
        BigInteger a = mag(am);
        BigInteger b = mag(bm);
        int expA = exp2(ase);
        int expB = exp2(bse);
        if (ea - eb >= 64) {
            // Partial remainder: reduce by b * 2^(d - n) for some n in 32..63, as hardware does.
            int n = 32 + ((ea - eb) % 32);
            int scale = ea - eb - n;
            int e = Math.min(expA, expB + scale);
            BigInteger aa = a.shiftLeft(expA - e);
            BigInteger bb = b.shiftLeft(expB + scale - e);
            BigInteger rem = aa.mod(bb);
            round(negative(ase), rem, e, 64, RC_NEAREST);
            if (rem.signum() == 0) {
                set(0, ase & 0x8000);
            }
            return -1;
        }
        int e = Math.min(expA, expB);
        BigInteger aa = a.shiftLeft(expA - e);
        BigInteger bb = b.shiftLeft(expB - e);
        BigInteger[] qr = aa.divideAndRemainder(bb);
        BigInteger q = qr[0];
        BigInteger rem = qr[1];
        boolean neg = negative(ase);
        if (nearest) {
            int c = rem.shiftLeft(1).compareTo(bb);
            if (c > 0 || c == 0 && q.testBit(0)) {
                q = q.add(BigInteger.ONE);
                rem = bb.subtract(rem);
                neg = !neg;
            }
        }
        if (rem.signum() == 0) {
            set(0, ase & 0x8000);
        } else {
            round(neg, rem, e, 64, RC_NEAREST);
        }
        return q.intValue() & 7;
    }

    /** FSCALE: a * 2^trunc(b). */
    void scale(long am, int ase, long bm, int bse, int precision, int rc) {
        flags = 0;
        roundedUp = false;
        if (isUnsupported(am, ase) || isUnsupported(bm, bse)) {
            invalid();
            return;
        }
        if (isNan(am, ase) || isNan(bm, bse)) {
            propagateNan(am, ase, bm, bse);
            return;
        }
        if (isDenormal(am, ase) || isDenormal(bm, bse)) {
            flags |= DE;
        }
        if (isInf(bm, bse)) {
            if (isZero(am, ase) && !negative(bse) || isInf(am, ase) && negative(bse)) {
                invalid();
            } else if (negative(bse)) {
                set(0, ase & 0x8000);
            } else {
                set(isZero(am, ase) ? 0 : INTEGER_BIT, isZero(am, ase) ? ase : (ase & 0x8000) | EXP_MAX);
            }
            return;
        }
        if (isInf(am, ase) || isZero(am, ase)) {
            set(am, ase);
            return;
        }
        int operandFlags = flags;
        long n = toInteger(bm, bse, 64, RC_ZERO);
        if ((flags & IE) != 0) {
            n = negative(bse) ? Long.MIN_VALUE : Long.MAX_VALUE; // a huge scale: only its sign matters
        }
        flags = operandFlags;
        int k = (int) Math.max(-100_000, Math.min(100_000, n));
        round(negative(ase), mag(am), exp2(ase) + k, precision, rc);
    }
}
