package org.alosj.kernel.mem;

/** No physically contiguous run of the requested size is free. */
public final class DmaExhaustedException extends RuntimeException {
    public DmaExhaustedException(String message) {
        super(message);
    }
}
