package org.alosj.abi.linux.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alosj.kernel.proc.SysError;
import org.junit.jupiter.api.Test;

/** FUTEX_WAKE_OP's encoded argument, as futex(2) and linux/futex.h's FUTEX_OP macro define it. */
class FutexWakeOpTest {
    /** linux/futex.h: FUTEX_OP(op, oparg, cmp, cmparg). */
    private static int futexOp(int op, int oparg, int cmp, int cmparg) {
        return ((op & 0xf) << 28) | ((cmp & 0xf) << 24) | ((oparg & 0xfff) << 12) | (cmparg & 0xfff);
    }

    private static final int OPARG_SHIFT = 8;

    @Test
    void eachOperationGivesTheNewValueOfTheSecondWord() throws SysError {
        assertEquals(5, applied(futexOp(FutexWakeOp.SET, 5, 0, 0), 7));
        assertEquals(12, applied(futexOp(FutexWakeOp.ADD, 5, 0, 0), 7));
        assertEquals(0x3f, applied(futexOp(FutexWakeOp.OR, 0x30, 0, 0), 0x0f));
        assertEquals(0x0c, applied(futexOp(FutexWakeOp.ANDN, 0x3, 0, 0), 0x0f));
        assertEquals(0xf0, applied(futexOp(FutexWakeOp.XOR, 0xff, 0, 0), 0x0f));
    }

    @Test
    void theOperationsArgumentIsTwelveBitsSigned() throws SysError {
        assertEquals(6, applied(futexOp(FutexWakeOp.ADD, 0xfff, 0, 0), 7));
        assertEquals(-2048, FutexWakeOp.decode(futexOp(FutexWakeOp.SET, 0x800, 0, 0)).argument());
        assertEquals(2047, FutexWakeOp.decode(futexOp(FutexWakeOp.SET, 0x7ff, 0, 0)).argument());
    }

    @Test
    void additionWrapsAroundAsThe32BitWordDoes() throws SysError {
        assertEquals(Integer.MIN_VALUE, applied(futexOp(FutexWakeOp.ADD, 1, 0, 0), Integer.MAX_VALUE));
    }

    @Test
    void withOpargShiftTheArgumentIsABitNumberTakenModulo32() throws SysError {
        assertEquals(16, applied(futexOp(FutexWakeOp.SET | OPARG_SHIFT, 4, 0, 0), 7));
        assertEquals(Integer.MIN_VALUE, applied(futexOp(FutexWakeOp.OR | OPARG_SHIFT, 31, 0, 0), 0));
        assertEquals(-2, applied(futexOp(FutexWakeOp.ANDN | OPARG_SHIFT, 0, 0, 0), -1));
        // Linux warns and masks: 33 is bit 1, -1 is bit 31.
        assertEquals(2, applied(futexOp(FutexWakeOp.SET | OPARG_SHIFT, 33, 0, 0), 0));
        assertEquals(Integer.MIN_VALUE, applied(futexOp(FutexWakeOp.SET | OPARG_SHIFT, 0xfff, 0, 0), 0));
    }

    @Test
    void eachComparisonOfTheOldValueDecidesTheSecondWake() throws SysError {
        int[][] cases = { // comparison, comparand, old value, whether woken
            {FutexWakeOp.CMP_EQ, 1, 1, 1}, {FutexWakeOp.CMP_EQ, 1, 2, 0},
            {FutexWakeOp.CMP_NE, 1, 2, 1}, {FutexWakeOp.CMP_NE, 1, 1, 0},
            {FutexWakeOp.CMP_LT, 1, 0, 1}, {FutexWakeOp.CMP_LT, 1, 1, 0},
            {FutexWakeOp.CMP_LE, 1, 1, 1}, {FutexWakeOp.CMP_LE, 1, 2, 0},
            {FutexWakeOp.CMP_GT, 1, 2, 1}, {FutexWakeOp.CMP_GT, 1, 1, 0},
            {FutexWakeOp.CMP_GE, 1, 1, 1}, {FutexWakeOp.CMP_GE, 1, 0, 0},
            // the comparand is 12 bits, signed, and the comparison signed too
            {FutexWakeOp.CMP_LT, 0xfff, -2, 1}, {FutexWakeOp.CMP_LT, 0xfff, 0, 0},
            {FutexWakeOp.CMP_GT, 0, Integer.MIN_VALUE, 0},
        };
        for (int[] c : cases) {
            FutexWakeOp op = FutexWakeOp.decode(futexOp(FutexWakeOp.SET, 0, c[0], c[1]));
            assertEquals(c[3] == 1, op.wakesSecond(c[2]), "comparison " + c[0] + " of old " + c[2] + " with " + c[1]);
        }
    }

    @Test
    void oldGlibcsLockReleaseSetsZeroAndWakesALockWaiterOnlyWhenContended() throws SysError {
        // FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_GT, 1): glibc's condition variables before 2.25.
        FutexWakeOp release = FutexWakeOp.decode(0x04000001);
        release.checkOperation();
        assertEquals(0, release.apply(2));
        assertTrue(release.wakesSecond(2));
        assertFalse(release.wakesSecond(1));
    }

    @Test
    void anUnknownOperationOrComparisonIsEnosys() {
        for (int op = 5; op < 8; op++) {
            FutexWakeOp unknown = FutexWakeOp.decode(futexOp(op, 1, 0, 0));
            assertEquals(SysError.ENOSYS, assertThrows(SysError.class, unknown::checkOperation).errno());
            FutexWakeOp shifted = FutexWakeOp.decode(futexOp(op | OPARG_SHIFT, 1, 0, 0));
            assertEquals(SysError.ENOSYS, assertThrows(SysError.class, shifted::checkOperation).errno());
        }
        for (int cmp = 6; cmp < 16; cmp++) {
            FutexWakeOp unknown = FutexWakeOp.decode(futexOp(FutexWakeOp.SET, 9, cmp, 0));
            assertEquals(SysError.ENOSYS, assertThrows(SysError.class, () -> unknown.wakesSecond(0)).errno());
        }
    }

    private static int applied(int encoded, int old) throws SysError {
        FutexWakeOp op = FutexWakeOp.decode(encoded);
        op.checkOperation();
        return op.apply(old);
    }
}
