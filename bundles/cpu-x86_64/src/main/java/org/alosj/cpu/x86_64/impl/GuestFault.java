package org.alosj.cpu.x86_64.impl;

/**
 * An exception the guest raised (#PF, #GP, #UD ...), unwinding the interpreter to the
 * instruction boundary where it is delivered. Carries no stack trace: it is control flow.
 */
final class GuestFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int vector;
    final long errorCode;

    GuestFault(int vector, long errorCode) {
        super(null, null, false, false);
        this.vector = vector;
        this.errorCode = errorCode;
    }

    @Override
    public String getMessage() {
        return "vector " + vector + " error " + Long.toHexString(errorCode);
    }
}
