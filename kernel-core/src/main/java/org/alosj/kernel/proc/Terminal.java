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
}
