package org.alosj.kernel.proc;

import org.alosj.hal.cpu.Cpu;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A traced thread, for its debugger. While it is stopped its registers are those of
 * {@link #cpu()} and its memory may be read and written; {@link #resume} lets it go on.
 */
@ProviderType
public interface TracedThread {
    int pid();

    int tid();

    /** The thread's registers; only while stopped. */
    Cpu cpu();

    boolean stopped();

    /** Reads the process's memory as the program could. */
    byte[] peek(long address, int length) throws SysError;

    /**
     * Writes the process's memory, read-only text included (the process gets its own copy of
     * the page first, as ptrace's POKETEXT): how software breakpoints go in.
     */
    void poke(long address, byte[] bytes) throws SysError;

    /** Lets the thread run on: one instruction (then it stops again) or until the next stop. */
    void resume(boolean singleStep);

    /** Stops the running thread at its next instruction boundary (the debugger's ^C). */
    void interrupt();

    /** Ends the process (SIGKILL). */
    void kill();

    /** Stops tracing: breakpoints are the debugger's to remove first; the thread runs on. */
    void detach();
}
