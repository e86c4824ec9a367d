package org.alosj.kernel.proc;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A debugger of one process (ptrace's tracer, as the GDB stub is). The kernel calls it on the
 * traced thread's own Java thread: it must note what happened and return, not block.
 */
@ConsumerType
public interface Tracer {
    /**
     * {@code thread} stopped and waits for {@link TracedThread#resume}: before its first
     * instruction, at a breakpoint ({@code int3}), after a single step, or when interrupted
     * ({@code signal} SIGTRAP, or SIGINT for an interrupt).
     */
    void stopped(TracedThread thread, int signal);

    /** The traced process ended. */
    void exited(int pid, ExitStatus status);
}
