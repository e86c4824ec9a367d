package org.alosj.kernel.impl.proc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.proc.OpenFile;
import org.alosj.kernel.proc.Signals;
import org.alosj.kernel.proc.SysError;
import org.alosj.kernel.proc.Task;
import org.alosj.kernel.vfs.OpenFlags;

/**
 * The console when no person types at it (commands given with -c, or fed on stdin): plain
 * byte streams, as a pipe would be, with no line discipline. A read takes what the console's
 * input has, blocking off the CPU.
 */
final class StreamConsole implements OpenFile {
    private final InputStream in;
    private final OutputStream out;
    private final int accessMode;

    StreamConsole(InputStream in, OutputStream out, int accessMode) {
        this.in = in;
        this.out = out;
        this.accessMode = accessMode;
    }

    @Override
    public int read(Task task, ByteBuffer dst) throws SysError {
        if (in == null) {
            throw new SysError(SysError.EBADF);
        }
        byte[] buf = new byte[Math.min(dst.remaining(), 4096)];
        int n = ((TaskImpl) task).offCpu(() -> {
            try {
                return in.read(buf, 0, buf.length);
            } catch (IOException e) {
                return -1;
            }
        });
        if (n <= 0) {
            return 0;
        }
        dst.put(buf, 0, n);
        return n;
    }

    @Override
    public int write(Task task, ByteBuffer src) throws SysError {
        if (out == null) {
            throw new SysError(SysError.EBADF);
        }
        int n = src.remaining();
        byte[] buf = new byte[n];
        src.get(buf);
        try {
            out.write(buf);
            out.flush();
        } catch (IOException e) {
            throw new SysError(SysError.EIO, "console: " + e.getMessage());
        }
        if (out instanceof java.io.PrintStream ps && ps.checkError()) {
            // The shell's pipe has no reader any more (exec prog | head): as a pipe's write, EPIPE and SIGPIPE.
            task.kill(task.pid(), Signals.SIGPIPE);
            throw new SysError(SysError.EPIPE);
        }
        return n;
    }

    @Override
    public int poll() {
        int ready = out != null ? POLLOUT : 0;
        try {
            if (in != null && in.available() > 0) {
                ready |= POLLIN;
            }
        } catch (IOException e) {
            ready |= POLLHUP;
        }
        return ready;
    }

    @Override
    public void watch(Runnable onChange) {
    }

    @Override
    public void unwatch(Runnable onChange) {
    }

    @Override
    public boolean notifiesReadiness() {
        return false;
    }

    @Override
    public int modeType() {
        return FileType.FIFO.modeBits();
    }

    @Override
    public int statusFlags() {
        return accessMode;
    }

    @Override
    public void setStatusFlags(int flags) {
    }

    @Override
    public void release() {
        if (out != null) {
            try {
                out.flush();
            } catch (IOException e) {
                // the console went away; nothing to keep
            }
        }
    }

    @Override
    public String describe() {
        return accessMode == OpenFlags.O_RDONLY ? "pipe:[console-in]" : "pipe:[console-out]";
    }
}
