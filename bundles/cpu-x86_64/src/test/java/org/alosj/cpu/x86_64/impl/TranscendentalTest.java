package org.alosj.cpu.x86_64.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Known values of the x87 transcendental instructions, correctly rounded (reference values from
 * 400-bit arithmetic), and the host processor's own conventions the model follows. The whole
 * domain is checked against the host by {@link X87HostTest}.
 */
class TranscendentalTest {
    private final Float80 f = new Float80();
    private final Transcendental t = new Transcendental(f);

    private void assertResult(int se, long mant) {
        assertEquals(String.format("%04x:%016x", se, mant), String.format("%04x:%016x", f.se, f.mant));
    }

    @Test
    void f2xm1OfOneHalfIsTheSquareRootOfTwoMinusOne() {
        t.f2xm1(1L << 63, 0x3FFE, Float80.RC_NEAREST);
        assertResult(0x3FFD, 0xD413_CCCF_E779_9211L);
        assertEquals(Float80.PE, f.flags);
        assertFalse(f.roundedUp);
    }

    @Test
    void f2xm1OutsideMinusOneToOneLeavesTheOperandWithPrecisionException() {
        t.f2xm1(0xC000_0000_0000_0000L, 0x4000, Float80.RC_NEAREST); // 3.0
        assertResult(0x4000, 0xC000_0000_0000_0000L);
        assertEquals(Float80.PE, f.flags);
    }

    @Test
    void f2xm1OfMinusInfinityIsMinusOne() {
        t.f2xm1(1L << 63, 0xFFFF, Float80.RC_NEAREST);
        assertResult(0xBFFF, 1L << 63);
        assertEquals(0, f.flags);
    }

    @Test
    void sineAndCosineOfOne() {
        assertTrue(t.trig(Transcendental.SIN, 1L << 63, 0x3FFF, Float80.RC_NEAREST));
        assertResult(0x3FFE, 0xD76A_A478_4867_7021L);
        t.trig(Transcendental.COS, 1L << 63, 0x3FFF, Float80.RC_NEAREST);
        assertResult(0x3FFE, 0x8A51_407D_A834_5C92L);
    }

    @Test
    void sineOfExtendedPiIsReducedByTheProcessors66BitPi() {
        // The exact sine is -5.0165e-20; the processor, reducing by pi to 66 bits, gives -2^-64.
        t.trig(Transcendental.SIN, 0xC90F_DAA2_2168_C235L, 0x4000, Float80.RC_NEAREST);
        assertResult(0xBFBF, 1L << 63);
    }

    @Test
    void trigonometryOfTwoToThe63IsOutOfRange() {
        assertFalse(t.trig(Transcendental.SIN, 1L << 63, 0x403E, Float80.RC_NEAREST));
        assertTrue(t.trig(Transcendental.TAN, -1L, 0x403D, Float80.RC_NEAREST));
    }

    @Test
    void cosineOfTheSmallestDenormalRoundsUpToOne() {
        t.trig(Transcendental.COS, 1, 0, Float80.RC_NEAREST);
        assertResult(0x3FFF, 1L << 63);
        assertTrue(f.roundedUp);
        assertEquals(Float80.PE | Float80.DE, f.flags);
        t.trig(Transcendental.COS, 1, 0, Float80.RC_ZERO);
        assertResult(0x3FFE, -1L);
        assertFalse(f.roundedUp);
    }

    @Test
    void arcTangentOfOneOverOneIsPiOverFourInEveryRoundingMode() {
        t.fpatan(1L << 63, 0x3FFF, 1L << 63, 0x3FFF, Float80.RC_NEAREST);
        assertResult(0x3FFE, 0xC90F_DAA2_2168_C235L);
        assertTrue(f.roundedUp);
        t.fpatan(1L << 63, 0x3FFF, 1L << 63, 0x3FFF, Float80.RC_DOWN);
        assertResult(0x3FFE, 0xC90F_DAA2_2168_C234L);
        assertFalse(f.roundedUp);
        t.fpatan(1L << 63, 0xBFFF, 1L << 63, 0x8000 | 0x3FFF, Float80.RC_NEAREST); // atan2(-1, -1) = -3pi/4
        assertResult(0xC000, 0x96CB_E3F9_990E_91A8L);
    }

    @Test
    void arcTangentCloseToAMidpointIsCorrectlyRounded() {
        // The exact value lies 0.00023 ulp above a midpoint: the host rounds it down, correct rounding up.
        t.fpatan(0xDF8B_FDE6_1D24_9FB5L, 0xBFFB, 0xC26C_6CAA_409B_8DB7L, 0x4008, Float80.RC_NEAREST);
        assertResult(0x3FFF, 0xC914_7405_7FC9_55F1L);
        assertTrue(t.closestMargin < 0.001);
    }

    @Test
    void arcTangentAndSineOfATinyRepresentableValueLieJustBelowIt() {
        // atan(2^-100) = 2^-100 (1 - 2^-200 / 3): nearest is 2^-100 (rounded up), toward zero the value below.
        t.fpatan(1L << 63, 0x3FFF, 1L << 63, 0x3FFF - 100, Float80.RC_NEAREST);
        assertResult(0x3FFF - 100, 1L << 63);
        assertTrue(f.roundedUp);
        t.fpatan(1L << 63, 0x3FFF, 1L << 63, 0x3FFF - 100, Float80.RC_ZERO);
        assertResult(0x3FFF - 101, -1L);
        t.trig(Transcendental.SIN, 1L << 63, 0x0400, Float80.RC_DOWN);
        assertResult(0x03FF, -1L);
        t.trig(Transcendental.COS, 1L << 63, 0x0400, Float80.RC_UP);
        assertResult(0x3FFF, 1L << 63);
        assertTrue(f.roundedUp);
    }

    @Test
    void logarithmOfAPowerOfTwoIsExactYetReportsPrecision() {
        t.fyl2x(1L << 63, 0x4002, 0xC000_0000_0000_0000L, 0x3FFF, Float80.RC_NEAREST); // 1.5 * log2(8)
        assertResult(0x4001, 0x9000_0000_0000_0000L);
        assertEquals(Float80.PE, f.flags);
        assertFalse(f.roundedUp);
    }

    @Test
    void logarithmOfOneIsAnExactZero() {
        t.fyl2x(1L << 63, 0x3FFF, 0xC000_0000_0000_0000L, 0xBFFF, Float80.RC_NEAREST);
        assertResult(0x8000, 0);
        assertEquals(0, f.flags);
    }

    @Test
    void logarithmOfZeroIsAZeroDivide() {
        t.fyl2x(0, 0, 1L << 63, 0x3FFF, Float80.RC_NEAREST);
        assertResult(0xFFFF, 1L << 63);
        assertEquals(Float80.ZE, f.flags);
    }

    @Test
    void logarithmOfANegativeNumberIsInvalid() {
        t.fyl2x(1L << 63, 0xBFFF, 1L << 63, 0x3FFF, Float80.RC_NEAREST);
        assertResult(0xFFFF, 0xC000_0000_0000_0000L);
        assertEquals(Float80.IE, f.flags);
    }

    @Test
    void logarithmOfOnePlusXIsExactInTheSum() {
        t.fyl2xp1(0xC000_0000_0000_0000L, 0x3FFF, 1L << 63, 0x3FFF, Float80.RC_NEAREST); // log2(2.5)
        assertResult(0x3FFF, 0xA934_F097_9A37_15FDL);
        // log2(1 + 2^-70) = 2^-70 / ln 2 (1 - 2^-71 ...): relative precision down to the smallest x
        t.fyl2xp1(1L << 63, 0x3FFF - 70, 1L << 63, 0x3FFF, Float80.RC_NEAREST);
        assertResult(0x3FFF - 70, 0xB8AA_3B29_5C17_F0BCL);
    }

    @Test
    void aQuietNaNWinsOverASignallingOne() {
        t.fyl2x(0xC000_0000_0000_0001L, 0x7FFF, 0x8000_0000_0000_5678L, 0x7FFF, Float80.RC_NEAREST);
        assertResult(0x7FFF, 0xC000_0000_0000_0001L);
        assertEquals(Float80.IE, f.flags);
    }
}
