package org.alosj.kernel.proc;

import java.nio.ByteBuffer;
import org.alosj.kernel.vfs.VfsContext;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An open file description: what a file descriptor refers to, shared by dup and fork. A VFS
 * file, a pipe end, the terminal, a socket. Reads and writes may block through
 * {@link Task#await}, unless the description is non-blocking (EAGAIN).
 */
@ConsumerType
public interface OpenFile {
    int POLLIN = 0x1;
    int POLLPRI = 0x2;
    int POLLOUT = 0x4;
    int POLLERR = 0x8;
    int POLLHUP = 0x10;
    int POLLNVAL = 0x20;

    int read(Task task, ByteBuffer dst) throws SysError;

    int write(Task task, ByteBuffer src) throws SysError;

    default int pread(Task task, ByteBuffer dst, long offset) throws SysError {
        throw new SysError(SysError.ESPIPE);
    }

    default int pwrite(Task task, ByteBuffer src, long offset) throws SysError {
        throw new SysError(SysError.ESPIPE);
    }

    default long seek(long offset, int whence) throws SysError {
        throw new SysError(SysError.ESPIPE);
    }

    /** The events of {@code POLL*} that would not block now. */
    int poll();

    /**
     * Asks to have {@code onChange} run whenever {@link #poll} may have changed, until
     * {@link #unwatch}. It runs on whatever thread made the change, possibly under the file's
     * own lock: it must only note the change and wake a waiter.
     */
    void watch(Runnable onChange);

    void unwatch(Runnable onChange);

    /** False when readiness changes without {@link #watch} callbacks (poll then looks again now and then). */
    default boolean notifiesReadiness() {
        return true;
    }

    /** ioctl(2) on it; ENOTTY when it has no such request. */
    default long ioctl(Task task, int request, long argument) throws SysError {
        throw new SysError(SysError.ENOTTY);
    }

    /** st_mode's type bits for fstat of a file that is not in the VFS (a pipe: S_IFIFO). */
    int modeType();

    /** O_APPEND, O_NONBLOCK and the access mode, as F_GETFL reports them. */
    int statusFlags();

    void setStatusFlags(int flags);

    /** For a file of the VFS: the context and descriptor that hold it; null otherwise. */
    default VfsHandle vfs() {
        return null;
    }

    /** The last descriptor referring to it was closed. */
    void release();

    /** A human name, for /proc/PID/fd and ls -l: a path, "pipe:[N]", "/dev/tty". */
    String describe();

    /** A descriptor of a VFS context: what {@link VfsContext}'s fd-taking calls take. */
    record VfsHandle(VfsContext context, int fd, String path) {
    }
}
