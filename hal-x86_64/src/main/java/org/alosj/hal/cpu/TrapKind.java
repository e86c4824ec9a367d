package org.alosj.hal.cpu;

/** How control reached ring 0. */
public enum TrapKind {
    /** A fault or trap raised by the instruction at (fault) or before (trap) the saved RIP. */
    EXCEPTION,
    /** An external interrupt taken from the interrupt pin between instructions. */
    INTERRUPT,
    /** {@code INT n}, {@code INT3} or {@code INT1}: the saved RIP is the next instruction. */
    SOFTWARE_INTERRUPT,
    /** The SYSCALL instruction: RCX holds the return RIP and R11 the saved RFLAGS, as on hardware. */
    SYSCALL
}
