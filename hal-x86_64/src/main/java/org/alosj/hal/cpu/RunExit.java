package org.alosj.hal.cpu;

/** Why {@link Cpu#run} returned. */
public enum RunExit {
    /** The instruction budget was used up. */
    BUDGET,
    /** Another thread called {@link Cpu#requestPreemption}. */
    PREEMPTED,
    /** A trap handler asked to leave ({@link TrapHandler.Resume#EXIT_RUN}); see {@link Cpu#lastTrap}. */
    TRAP,
    /** HLT at CPL 0 with no interrupt able to wake the CPU (IF clear or nothing pending). */
    HALTED,
    /**
     * The CPU could not deliver an exception (a fault while delivering a double fault, or no
     * handler and no usable IDT): a triple fault. {@link Cpu#lastTrap} holds the last attempt.
     */
    SHUTDOWN
}
