package org.alosj.kernel.impl.proc;

import java.nio.ByteBuffer;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.proc.OpenFile;
import org.alosj.kernel.proc.SysError;
import org.alosj.kernel.proc.Task;
import org.alosj.kernel.vfs.OpenFlags;
import org.alosj.kernel.vfs.VfsContext;

/**
 * A file of the VFS opened by a program. It holds a VFS context of its own, so the description
 * outlives the process that opened it (fork, exit of the opener) as on Unix.
 */
final class VfsFile implements OpenFile {
    private final VfsContext context;
    private final int fd;
    private final String path;
    private volatile int flags;

    VfsFile(VfsContext context, int fd, String path, int flags) {
        this.context = context;
        this.fd = fd;
        this.path = path;
        this.flags = flags & (OpenFlags.O_ACCMODE | OpenFlags.O_APPEND | OpenFlags.O_NONBLOCK);
    }

    static SysError error(FsException e) {
        return new SysError(e.errno().number(), e.getMessage());
    }

    @Override
    public int read(Task task, ByteBuffer dst) throws SysError {
        try {
            return Math.max(0, context.read(fd, dst));
        } catch (FsException e) {
            throw error(e);
        }
    }

    @Override
    public int write(Task task, ByteBuffer src) throws SysError {
        try {
            return context.write(fd, src);
        } catch (FsException e) {
            throw error(e);
        }
    }

    @Override
    public int pread(Task task, ByteBuffer dst, long offset) throws SysError {
        try {
            return Math.max(0, context.pread(fd, dst, offset));
        } catch (FsException e) {
            throw error(e);
        }
    }

    @Override
    public int pwrite(Task task, ByteBuffer src, long offset) throws SysError {
        try {
            return context.pwrite(fd, src, offset);
        } catch (FsException e) {
            throw error(e);
        }
    }

    @Override
    public long seek(long offset, int whence) throws SysError {
        try {
            return context.lseek(fd, offset, whence);
        } catch (FsException e) {
            throw error(e);
        }
    }

    @Override
    public int poll() {
        return POLLIN | POLLOUT;
    }

    @Override
    public void watch(Runnable onChange) {
        // Always ready: nothing to report.
    }

    @Override
    public void unwatch(Runnable onChange) {
    }

    @Override
    public int modeType() {
        try {
            return context.fstat(fd).attributes().type().modeBits();
        } catch (FsException e) {
            return 0;
        }
    }

    @Override
    public int statusFlags() {
        return flags;
    }

    @Override
    public void setStatusFlags(int f) {
        int settable = OpenFlags.O_APPEND | OpenFlags.O_NONBLOCK;
        flags = (flags & ~settable) | (f & settable);
    }

    @Override
    public VfsHandle vfs() {
        return new VfsHandle(context, fd, path);
    }

    @Override
    public void release() {
        context.close();
    }

    @Override
    public String describe() {
        return path;
    }
}
