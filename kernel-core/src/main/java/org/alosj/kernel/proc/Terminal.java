package org.alosj.kernel.proc;

import java.io.InputStream;
import java.io.OutputStream;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where a process started from the console reads and writes: the console's byte streams. An
 * interactive terminal becomes the process's controlling tty, with the kernel's line discipline
 * (echo, editing, ^C ^Z ^D); a non-interactive one is plain streams, as a pipe would be.
 */
@ConsumerType
public interface Terminal {
    InputStream input();

    OutputStream output();

    /** Whether a person types at it (the host side is then in raw mode while a program runs). */
    boolean interactive();

    /** The window size in characters. */
    default int columns() {
        return 80;
    }

    default int rows() {
        return 24;
    }

    /**
     * The program's standard input when the shell redirected or piped it ({@code cat f | exec
     * prog}), or null: the terminal's. Likewise {@link #redirectedOutput()} and
     * {@link #redirectedErrors()} for descriptors 1 and 2 ({@code exec prog > f}); a redirected
     * descriptor is a plain stream, not the controlling tty.
     */
    default InputStream redirectedInput() {
        return null;
    }

    default OutputStream redirectedOutput() {
        return null;
    }

    default OutputStream redirectedErrors() {
        return null;
    }
}
