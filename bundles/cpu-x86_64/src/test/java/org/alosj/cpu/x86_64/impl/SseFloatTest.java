package org.alosj.cpu.x86_64.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.alosj.cpu.x86_64.FlatRamBus;
import org.junit.jupiter.api.Test;

/**
 * ADDSD/SUBSD/MULSD/DIVSD with MXCSR.PE already set (where {@link SseFloat#opD} may skip the
 * rounding error) against the same operation with PE clear (the full path the differential
 * test checks against the host): the same result, and the same flags but PE.
 */
class SseFloatTest {
    @Test
    void aSetPrecisionFlagChangesNeitherResultNorOtherFlags() {
        X86Core core = (X86Core) new X86CpuFactory().create(new FlatRamBus(1 << 20));
        SseUnit u = new SseUnit(core);
        Random rng = new Random(0x55EF);
        int[] opcodes = {0x58, 0x5C, 0x59, 0x5E};
        for (int i = 0; i < 400_000; i++) {
            long a = operand(rng);
            long b = operand(rng);
            int opcode = opcodes[rng.nextInt(4)];
            // Mostly round to nearest with every exception masked; now and then another mode or an unmasked one.
            int control = rng.nextInt(8) == 0 ? 0x1F80 & ~(1 << (7 + rng.nextInt(6))) | rng.nextInt(4) << 13 : 0x1F80;
            core.mxcsr = control;
            long slow = run(u, opcode, a, b);
            int slowFlags = core.mxcsr;
            core.mxcsr = control | SseUnit.MXCSR_PE;
            long fast = run(u, opcode, a, b);
            String what = Integer.toHexString(opcode) + " " + Long.toHexString(a) + " " + Long.toHexString(b)
                    + " mxcsr " + Integer.toHexString(control);
            assertEquals(Long.toHexString(slow), Long.toHexString(fast), what);
            assertEquals(slowFlags | SseUnit.MXCSR_PE, core.mxcsr, what);
        }
    }

    /**
     * The traces' fast path ({@link SseFloat#opDInTrace}) gives what the full path gives, result
     * and flags, at the edges: zero and denormal operands or results, a result of exactly
     * MIN_NORMAL or MAX_VALUE, overflow to infinity, NaNs; with MXCSR on the fast setting and off it.
     */
    @Test
    void theTracesFastPathAgreesWithTheFullOneAtEveryEdge() {
        X86Core core = (X86Core) new X86CpuFactory().create(new FlatRamBus(1 << 20));
        SseUnit u = core.sseUnit();
        Random rng = new Random(0x0DD5);
        int[] opcodes = {0x58, 0x5C, 0x59, 0x5E, 0x51, 0x5D, 0x5F};
        long minNormal = Double.doubleToRawLongBits(Double.MIN_NORMAL);
        long[] edges = {0, Long.MIN_VALUE, 1, minNormal - 1, minNormal, minNormal + 1, Long.MIN_VALUE | minNormal,
            Double.doubleToRawLongBits(Double.MAX_VALUE), Double.doubleToRawLongBits(Double.POSITIVE_INFINITY),
            Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY), 0x7FF8_0000_0000_0000L, 0x7FF0_0000_0000_0001L,
            Double.doubleToRawLongBits(1.0), Double.doubleToRawLongBits(2.0), Double.doubleToRawLongBits(0.5)};
        for (int i = 0; i < 200_000; i++) {
            long a = rng.nextInt(3) == 0 ? edges[rng.nextInt(edges.length)] : operand(rng);
            long b = rng.nextInt(3) == 0 ? edges[rng.nextInt(edges.length)] : operand(rng);
            int opcode = opcodes[rng.nextInt(opcodes.length)];
            int control = switch (rng.nextInt(4)) {
                case 0 -> 0x1F80; // PE clear: not the fast setting
                case 1 -> 0x1F80 | SseUnit.MXCSR_PE | rng.nextInt(4) << 13; // another rounding mode
                default -> 0x1F80 | SseUnit.MXCSR_PE; // the fast setting
            };
            String what = Integer.toHexString(opcode) + " " + Long.toHexString(a) + " " + Long.toHexString(b)
                    + " mxcsr " + Integer.toHexString(control);
            core.mxcsr = control;
            long full = run(u, opcode, a, b);
            int fullFlags = core.mxcsr;
            core.mxcsr = control;
            long fast;
            try {
                fast = SseFloat.opDInTrace(core, opcode, a, b);
            } catch (GuestFault f) {
                fast = -1L << 8 | f.vector;
            }
            assertEquals(Long.toHexString(full), Long.toHexString(fast), what);
            assertEquals(fullFlags, core.mxcsr, what);
        }
    }

    /** The result, or -1 with the vector in the low bits when the operation faults (an unmasked exception). */
    private static long run(SseUnit u, int opcode, long a, long b) {
        try {
            return SseFloat.opD(u, opcode, a, b, u.roundingControl());
        } catch (GuestFault f) {
            return -1L << 8 | f.vector;
        }
    }

    /** Ordinary doubles mostly, and the edges: zeros, denormals, the smallest and largest normals, infinities, NaNs. */
    private static long operand(Random rng) {
        return switch (rng.nextInt(10)) {
            case 0 -> rng.nextLong();
            case 1 -> rng.nextBoolean() ? 0 : Long.MIN_VALUE;
            case 2 -> Double.doubleToRawLongBits(Double.MIN_NORMAL * (1 + rng.nextDouble()) * (rng.nextBoolean() ? 1 : -1));
            case 3 -> Double.doubleToRawLongBits(Double.MAX_VALUE * rng.nextDouble());
            case 4 -> Double.doubleToRawLongBits(Math.scalb(rng.nextDouble(), rng.nextInt(2100) - 1050));
            case 5 -> Double.doubleToRawLongBits(rng.nextInt(1000) - 500);
            default -> Double.doubleToRawLongBits(rng.nextGaussian() * Math.scalb(1.0, rng.nextInt(64) - 32));
        };
    }
}
