package org.alosj.kernel.proc;

/**
 * A system call that failed with a Linux error number; the call returns {@code -errno()}. The
 * message is for the kernel log and the shell, never for the program.
 */
public final class SysError extends Exception {
    private static final long serialVersionUID = 1L;

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int ENOEXEC = 8;
    public static final int EBADF = 9;
    public static final int ECHILD = 10;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int EMFILE = 24;
    public static final int ENOTTY = 25;
    public static final int ESPIPE = 29;
    public static final int EPIPE = 32;
    public static final int ERANGE = 34;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int ELOOP = 40;
    public static final int ETIMEDOUT = 110;
    /** Kernel-internal: the call was interrupted by a signal whose handler has SA_RESTART. */
    public static final int ERESTARTSYS = 512;

    private final int errno;

    public SysError(int errno, String message) {
        super(message, null, false, false);
        this.errno = errno;
    }

    public SysError(int errno) {
        this(errno, null);
    }

    public int errno() {
        return errno;
    }
}
