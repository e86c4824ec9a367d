package org.alosj.hal.cpu;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Ring 0 written in Java: called on the CPU's own thread when an exception, interrupt,
 * {@code INT n} or SYSCALL enters the kernel through the vector it is registered for.
 */
@ConsumerType
@FunctionalInterface
public interface TrapHandler {
    /** What the CPU does once the handler returns. */
    enum Resume {
        /** Return to the (possibly changed) frame and keep running ({@code iretq}/{@code sysretq}). */
        CONTINUE,
        /**
         * Load the frame as for {@link #CONTINUE} but make {@link Cpu#run} return
         * {@link RunExit#TRAP}: the thread leaves user mode (to block, exit, be rescheduled).
         */
        EXIT_RUN
    }

    Resume handle(Cpu cpu, TrapFrame frame);
}
