package org.alosj.kernel.impl.proc;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.proc.OpenFile;
import org.alosj.kernel.proc.Signals;
import org.alosj.kernel.proc.SysError;
import org.alosj.kernel.proc.Task;
import org.alosj.kernel.vfs.OpenFlags;

/**
 * A pipe: a 64 KiB ring between a read end and a write end. A read blocks while the ring is
 * empty and a writer remains (then 0: end of file); a write blocks while it is full, and with no
 * reader left is EPIPE and SIGPIPE. Writes of up to PIPE_BUF (4096) bytes are atomic.
 */
final class Pipe {
    static final int CAPACITY = 64 * 1024;
    static final int PIPE_BUF = 4096;

    private final byte[] ring = new byte[CAPACITY];
    private final int id;
    private int head;
    private int size;
    private int readers = 1;
    private int writers = 1;
    private final List<Runnable> watchers = new ArrayList<>();

    Pipe(int id) {
        this.id = id;
    }

    OpenFile readEnd(int flags) {
        return new End(false, flags);
    }

    OpenFile writeEnd(int flags) {
        return new End(true, flags);
    }

    private void changed() {
        notifyAll();
        for (Runnable w : new ArrayList<>(watchers)) {
            w.run();
        }
    }

    private final class End implements OpenFile {
        private final boolean writer;
        private volatile int flags;

        End(boolean writer, int flags) {
            this.writer = writer;
            this.flags = (flags & OpenFlags.O_NONBLOCK) | (writer ? OpenFlags.O_WRONLY : OpenFlags.O_RDONLY);
        }

        @Override
        public int read(Task task, ByteBuffer dst) throws SysError {
            if (writer) {
                throw new SysError(SysError.EBADF);
            }
            if (!dst.hasRemaining()) {
                return 0;
            }
            Pipe p = Pipe.this;
            for (;;) {
                synchronized (p) {
                    if (size > 0 || writers == 0) {
                        int n = Math.min(size, dst.remaining());
                        int first = Math.min(n, CAPACITY - head);
                        dst.put(ring, head, first);
                        dst.put(ring, 0, n - first);
                        head = (head + n) % CAPACITY;
                        size -= n;
                        if (n > 0) {
                            changed();
                        }
                        return n;
                    }
                    if ((flags & OpenFlags.O_NONBLOCK) != 0) {
                        throw new SysError(SysError.EAGAIN);
                    }
                }
                // Never wait for the CPU while holding the pipe: the holder may want it.
                task.await(p, () -> size > 0 || writers == 0, -1);
            }
        }

        @Override
        public int write(Task task, ByteBuffer src) throws SysError {
            if (!writer) {
                throw new SysError(SysError.EBADF);
            }
            int total = src.remaining();
            int written = 0;
            Pipe p = Pipe.this;
            while (src.hasRemaining()) {
                int need = total <= PIPE_BUF ? total : 1;
                synchronized (p) {
                    if (readers == 0) {
                        task.kill(task.pid(), Signals.SIGPIPE);
                        if (written > 0) {
                            return written;
                        }
                        throw new SysError(SysError.EPIPE);
                    }
                    if (CAPACITY - size >= need) {
                        int n = Math.min(src.remaining(), CAPACITY - size);
                        int tail = (head + size) % CAPACITY;
                        int first = Math.min(n, CAPACITY - tail);
                        src.get(ring, tail, first);
                        src.get(ring, 0, n - first);
                        size += n;
                        written += n;
                        changed();
                        continue;
                    }
                    if ((flags & OpenFlags.O_NONBLOCK) != 0) {
                        if (written > 0) {
                            return written;
                        }
                        throw new SysError(SysError.EAGAIN);
                    }
                }
                try {
                    task.await(p, () -> CAPACITY - size >= need || readers == 0, -1);
                } catch (SysError e) {
                    if (written > 0) {
                        return written;
                    }
                    throw e;
                }
            }
            return written;
        }

        @Override
        public int poll() {
            synchronized (Pipe.this) {
                if (writer) {
                    return readers == 0 ? POLLERR : (CAPACITY - size >= PIPE_BUF ? POLLOUT : 0);
                }
                return (size > 0 ? POLLIN : 0) | (writers == 0 ? POLLHUP : 0);
            }
        }

        @Override
        public void watch(Runnable onChange) {
            synchronized (Pipe.this) {
                watchers.add(onChange);
            }
        }

        @Override
        public void unwatch(Runnable onChange) {
            synchronized (Pipe.this) {
                watchers.remove(onChange);
            }
        }

        @Override
        public int modeType() {
            return FileType.FIFO.modeBits();
        }

        @Override
        public int statusFlags() {
            return flags;
        }

        @Override
        public void setStatusFlags(int f) {
            flags = (flags & ~OpenFlags.O_NONBLOCK) | (f & OpenFlags.O_NONBLOCK);
        }

        @Override
        public void release() {
            synchronized (Pipe.this) {
                if (writer) {
                    writers--;
                } else {
                    readers--;
                }
                changed();
            }
        }

        @Override
        public String describe() {
            return "pipe:[" + id + "]";
        }
    }
}
