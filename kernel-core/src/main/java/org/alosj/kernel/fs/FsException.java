package org.alosj.kernel.fs;

import java.io.IOException;

/**
 * A filesystem operation that failed with a Linux error number. The message says what was being
 * done and to what ("ext2 hda: inode 12: indirect block 9000 beyond the 8192 blocks of the
 * filesystem"), so a user can act on it; {@link #errno()} is what a system call returns.
 */
public class FsException extends IOException {
    private static final long serialVersionUID = 1L;

    private final Errno errno;

    public FsException(Errno errno, String message) {
        super(message);
        this.errno = errno;
    }

    public FsException(Errno errno, String message, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
