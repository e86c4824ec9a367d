package org.alosj.abi.linux.impl;

import org.alosj.kernel.proc.SysError;

/**
 * FUTEX_WAKE_OP's fourth argument (futex(2)): an operation on the second word and a comparison of
 * that word's old value, which decides whether the word's waiters are woken too. Bits 31..28 the
 * operation (bit 31: the argument is a shift count, {@code 1 << argument}), 27..24 the comparison,
 * 23..12 the operation's argument and 11..0 the comparison's, both 12-bit signed.
 *
 * <p>As Linux: an unknown operation is ENOSYS before the word is touched, an unknown comparison
 * ENOSYS after the operation was done, and a shift count outside 0..31 is taken modulo 32.
 */
record FutexWakeOp(int operation, int argument, int comparison, int comparand) {
    static final int SET = 0;
    static final int ADD = 1;
    static final int OR = 2;
    static final int ANDN = 3;
    static final int XOR = 4;
    static final int CMP_EQ = 0;
    static final int CMP_NE = 1;
    static final int CMP_LT = 2;
    static final int CMP_LE = 3;
    static final int CMP_GT = 4;
    static final int CMP_GE = 5;

    static FutexWakeOp decode(int encoded) {
        int argument = (encoded << 8) >> 20;
        if (encoded < 0) { // FUTEX_OP_OPARG_SHIFT
            argument = 1 << (argument & 31);
        }
        return new FutexWakeOp((encoded >>> 28) & 7, argument, (encoded >>> 24) & 15, (encoded << 20) >> 20);
    }

    /** ENOSYS unless the operation is one futex(2) defines. */
    void checkOperation() throws SysError {
        if (operation > XOR) {
            throw new SysError(SysError.ENOSYS);
        }
    }

    /** The second word's new value from its old one; the operation must have been checked. */
    int apply(int old) {
        return switch (operation) {
            case SET -> argument;
            case ADD -> old + argument;
            case OR -> old | argument;
            case ANDN -> old & ~argument;
            case XOR -> old ^ argument;
            default -> throw new IllegalStateException("unchecked FUTEX_WAKE_OP operation " + operation);
        };
    }

    /** Whether the second word's waiters are woken, from the word's old value. */
    boolean wakesSecond(int old) throws SysError {
        return switch (comparison) {
            case CMP_EQ -> old == comparand;
            case CMP_NE -> old != comparand;
            case CMP_LT -> old < comparand;
            case CMP_LE -> old <= comparand;
            case CMP_GT -> old > comparand;
            case CMP_GE -> old >= comparand;
            default -> throw new SysError(SysError.ENOSYS);
        };
    }
}
