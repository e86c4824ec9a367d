package org.alosj.kernel.impl.proc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.proc.OpenFile;
import org.alosj.kernel.proc.Signals;
import org.alosj.kernel.proc.SysError;
import org.alosj.kernel.proc.Task;
import org.alosj.kernel.proc.Terminal;
import org.alosj.kernel.vfs.OpenFlags;

/**
 * The console as a terminal for programs: Linux's line discipline (n_tty) over the console's
 * byte streams. Canonical mode collects a line with erase and kill; ISIG turns ^C, ^\ and ^Z
 * into SIGINT, SIGQUIT and SIGTSTP for the foreground process group; echo and output
 * post-processing (NL to CR-NL) as termios says. A pump thread takes keys from the console as a
 * person types them.
 */
final class Tty {
    // termios flags (asm-generic/termbits.h)
    static final int ICRNL = 0x100;
    static final int IXON = 0x400;
    static final int OPOST = 0x1;
    static final int ONLCR = 0x4;
    static final int ISIG = 0x1;
    static final int ICANON = 0x2;
    static final int ECHO = 0x8;
    static final int ECHOE = 0x10;
    static final int ECHOK = 0x20;
    static final int ECHONL = 0x40;
    static final int ECHOCTL = 0x200;
    static final int ECHOKE = 0x800;
    static final int IEXTEN = 0x8000;
    static final int VINTR = 0;
    static final int VQUIT = 1;
    static final int VERASE = 2;
    static final int VKILL = 3;
    static final int VEOF = 4;
    static final int VTIME = 5;
    static final int VMIN = 6;
    static final int VSUSP = 10;
    static final int VWERASE = 14;
    static final int NCCS = 19;

    static final int TCGETS = 0x5401;
    static final int TCSETS = 0x5402;
    static final int TCSETSW = 0x5403;
    static final int TCSETSF = 0x5404;
    static final int TCFLSH = 0x540B;
    static final int TIOCSCTTY = 0x540E;
    static final int TIOCGPGRP = 0x540F;
    static final int TIOCSPGRP = 0x5410;
    static final int TIOCGWINSZ = 0x5413;
    static final int TIOCSWINSZ = 0x5414;
    static final int FIONREAD = 0x541B;
    static final int TIOCNOTTY = 0x5422;
    static final int TIOCGSID = 0x5429;

    private final Terminal terminal;
    private final OutputStream out;
    private final ProcessManagerImpl kernel;
    private int iflag = ICRNL | IXON;
    private int oflag = OPOST | ONLCR;
    private int cflag = 0xBF;
    private int lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
    private final byte[] cc = new byte[NCCS];
    private final StringBuilder line = new StringBuilder();
    private final ByteQueue readable = new ByteQueue();
    private int eofs;
    private boolean hungUp;
    private int rows;
    private int columns;
    volatile int foregroundGroup;
    volatile int session;
    private final List<Runnable> watchers = new ArrayList<>();

    Tty(ProcessManagerImpl kernel, Terminal terminal, int session) {
        this.kernel = kernel;
        this.terminal = terminal;
        this.out = terminal.output();
        this.session = session;
        this.foregroundGroup = session;
        this.rows = terminal.rows();
        this.columns = terminal.columns();
        cc[VINTR] = 3;
        cc[VQUIT] = 0x1C;
        cc[VERASE] = 0x7F;
        cc[VKILL] = 0x15;
        cc[VEOF] = 4;
        cc[VMIN] = 1;
        cc[VSUSP] = 0x1A;
        cc[VWERASE] = 0x17;
        cc[8] = 0x11;
        cc[9] = 0x13;
        cc[12] = 0x12;
        cc[15] = 0x16;
    }

    /** Reads the console's keys into the line discipline until the console or the session ends. */
    void startPump() {
        Thread t = new Thread(() -> {
            InputStream in = terminal.input();
            byte[] buf = new byte[256];
            try {
                for (;;) {
                    int n = in.read(buf);
                    if (n < 0) {
                        break;
                    }
                    for (int i = 0; i < n; i++) {
                        receive(buf[i]);
                    }
                }
            } catch (IOException e) {
                // the console closed
            }
            hangUp();
        }, "tty pump");
        t.setDaemon(true);
        t.start();
    }

    synchronized void hangUp() {
        hungUp = true;
        changed();
    }

    private void changed() {
        notifyAll();
        for (Runnable w : new ArrayList<>(watchers)) {
            w.run();
        }
    }

    /** One byte from the keyboard. */
    void receive(byte b) {
        int sig = 0;
        synchronized (this) {
            if ((iflag & ICRNL) != 0 && b == '\r') {
                b = '\n';
            }
            if ((lflag & ISIG) != 0) {
                if (b == cc[VINTR]) {
                    sig = Signals.SIGINT;
                } else if (b == cc[VQUIT]) {
                    sig = Signals.SIGQUIT;
                } else if (b == cc[VSUSP]) {
                    sig = Signals.SIGTSTP;
                }
                if (sig != 0) {
                    line.setLength(0);
                    readable.clear();
                    if ((lflag & ECHO) != 0) {
                        echo(new byte[] {'^', (byte) (b + 0x40), '\n'});
                    }
                }
            }
            if (sig == 0) {
                if ((lflag & ICANON) != 0) {
                    canonical(b);
                } else {
                    readable.add(b);
                    if ((lflag & ECHO) != 0) {
                        echo(new byte[] {b});
                    }
                }
                changed();
            }
        }
        if (sig != 0) {
            kernel.signals.signalGroup(foregroundGroup, sig);
        }
    }

    private void canonical(byte b) {
        if (b == cc[VERASE] || b == 8) {
            if (line.length() > 0) {
                line.setLength(line.length() - 1);
                if ((lflag & ECHOE) != 0) {
                    echo(new byte[] {8, ' ', 8});
                }
            }
        } else if (b == cc[VKILL]) {
            while (line.length() > 0) {
                line.setLength(line.length() - 1);
                echo(new byte[] {8, ' ', 8});
            }
        } else if (b == cc[VWERASE]) {
            while (line.length() > 0 && line.charAt(line.length() - 1) == ' ') {
                line.setLength(line.length() - 1);
                echo(new byte[] {8, ' ', 8});
            }
            while (line.length() > 0 && line.charAt(line.length() - 1) != ' ') {
                line.setLength(line.length() - 1);
                echo(new byte[] {8, ' ', 8});
            }
        } else if (b == cc[VEOF]) {
            if (line.length() == 0) {
                eofs++;
            }
            flushLine();
        } else {
            line.append((char) (b & 0xFF));
            if ((lflag & ECHO) != 0 || (b == '\n' && (lflag & ECHONL) != 0)) {
                echo(new byte[] {b});
            }
            if (b == '\n') {
                flushLine();
            }
        }
    }

    private void flushLine() {
        for (int i = 0; i < line.length(); i++) {
            readable.add((byte) line.charAt(i));
        }
        line.setLength(0);
    }

    private void echo(byte[] bytes) {
        try {
            writeOut(bytes, bytes.length);
        } catch (IOException e) {
            // the console is gone; nothing to show it on
        }
    }

    private void writeOut(byte[] bytes, int length) throws IOException {
        if ((oflag & OPOST) != 0 && (oflag & ONLCR) != 0) {
            java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream(length + 16);
            for (int i = 0; i < length; i++) {
                if (bytes[i] == '\n') {
                    o.write('\r');
                }
                o.write(bytes[i]);
            }
            out.write(o.toByteArray());
        } else {
            out.write(bytes, 0, length);
        }
        out.flush();
    }

    private boolean canRead() {
        return !readable.isEmpty() || eofs > 0 || hungUp;
    }

    int read(Task task, ByteBuffer dst, int flags) throws SysError {
        for (;;) {
            long timeout;
            synchronized (this) {
                if (!readable.isEmpty()) {
                    int n = 0;
                    boolean canon = (lflag & ICANON) != 0;
                    while (dst.hasRemaining() && !readable.isEmpty()) {
                        byte b = readable.poll();
                        dst.put(b);
                        n++;
                        if (canon && b == '\n') {
                            break;
                        }
                    }
                    return n;
                }
                if (eofs > 0) {
                    eofs--;
                    return 0;
                }
                if (hungUp) {
                    return 0;
                }
                if ((flags & OpenFlags.O_NONBLOCK) != 0) {
                    throw new SysError(SysError.EAGAIN);
                }
                boolean raw = (lflag & ICANON) == 0;
                timeout = raw && cc[VMIN] == 0 ? (cc[VTIME] & 0xFF) * 100_000_000L : -1;
            }
            try {
                task.await(this, this::canRead, timeout);
            } catch (SysError e) {
                if (e.errno() == SysError.ETIMEDOUT) {
                    return 0;
                }
                throw e;
            }
        }
    }

    int write(ByteBuffer src) throws SysError {
        int n = src.remaining();
        byte[] b = new byte[n];
        src.get(b);
        try {
            synchronized (this) {
                writeOut(b, n);
            }
        } catch (IOException e) {
            throw new SysError(SysError.EIO, "console: " + e.getMessage());
        }
        return n;
    }

    synchronized int poll() {
        return (canRead() ? OpenFile.POLLIN : 0) | OpenFile.POLLOUT | (hungUp ? OpenFile.POLLHUP : 0);
    }

    long ioctl(Task task, int request, long arg) throws SysError {
        switch (request) {
            case TCGETS: {
                byte[] t = new byte[36];
                synchronized (this) {
                    putInt(t, 0, iflag);
                    putInt(t, 4, oflag);
                    putInt(t, 8, cflag);
                    putInt(t, 12, lflag);
                    System.arraycopy(cc, 0, t, 17, NCCS);
                }
                task.memory().write(arg, t);
                return 0;
            }
            case TCSETS:
            case TCSETSW:
            case TCSETSF: {
                byte[] t = task.memory().read(arg, 36);
                synchronized (this) {
                    iflag = getInt(t, 0);
                    oflag = getInt(t, 4);
                    cflag = getInt(t, 8);
                    int old = lflag;
                    lflag = getInt(t, 12);
                    System.arraycopy(t, 17, cc, 0, NCCS);
                    if (request == TCSETSF) {
                        readable.clear();
                        line.setLength(0);
                    }
                    if ((old & ICANON) != 0 && (lflag & ICANON) == 0) {
                        flushLine();
                    }
                    changed();
                }
                return 0;
            }
            case TIOCGWINSZ: {
                byte[] w = new byte[8];
                putShort(w, 0, rows);
                putShort(w, 2, columns);
                task.memory().write(arg, w);
                return 0;
            }
            case TIOCSWINSZ: {
                byte[] w = task.memory().read(arg, 8);
                rows = (w[0] & 0xFF) | (w[1] & 0xFF) << 8;
                columns = (w[2] & 0xFF) | (w[3] & 0xFF) << 8;
                kernel.signals.signalGroup(foregroundGroup, Signals.SIGWINCH);
                return 0;
            }
            case TIOCGPGRP:
                task.memory().writeInt(arg, foregroundGroup);
                return 0;
            case TIOCSPGRP: {
                int pgrp = task.memory().readInt(arg);
                if (pgrp <= 0) {
                    throw new SysError(SysError.EINVAL);
                }
                foregroundGroup = pgrp;
                return 0;
            }
            case TIOCGSID:
                task.memory().writeInt(arg, session);
                return 0;
            case TIOCSCTTY:
            case TIOCNOTTY:
                return 0;
            case FIONREAD:
                synchronized (this) {
                    task.memory().writeInt(arg, readable.size());
                }
                return 0;
            case TCFLSH:
                synchronized (this) {
                    if (arg == 0 || arg == 2) {
                        readable.clear();
                        line.setLength(0);
                    }
                }
                return 0;
            default:
                throw new SysError(SysError.ENOTTY);
        }
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }

    private static void putShort(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
    }

    private static int getInt(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }

    /** A descriptor on the terminal: /dev/tty, or 0, 1 and 2 of a console program. */
    OpenFile open(int accessMode) {
        return new OpenFile() {
            private volatile int flags = accessMode;

            @Override
            public int read(Task task, ByteBuffer dst) throws SysError {
                return Tty.this.read(task, dst, flags);
            }

            @Override
            public int write(Task task, ByteBuffer src) throws SysError {
                return Tty.this.write(src);
            }

            @Override
            public int poll() {
                return Tty.this.poll();
            }

            @Override
            public void watch(Runnable onChange) {
                synchronized (Tty.this) {
                    watchers.add(onChange);
                }
            }

            @Override
            public void unwatch(Runnable onChange) {
                synchronized (Tty.this) {
                    watchers.remove(onChange);
                }
            }

            @Override
            public long ioctl(Task task, int request, long argument) throws SysError {
                return Tty.this.ioctl(task, request, argument);
            }

            @Override
            public int modeType() {
                return FileType.CHARACTER_DEVICE.modeBits();
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
            }

            @Override
            public String describe() {
                return "/dev/tty";
            }
        };
    }

    /** A growable FIFO of bytes. */
    private static final class ByteQueue {
        private byte[] buf = new byte[256];
        private int head;
        private int size;

        void add(byte b) {
            if (size == buf.length) {
                byte[] n = new byte[buf.length * 2];
                for (int i = 0; i < size; i++) {
                    n[i] = buf[(head + i) % buf.length];
                }
                buf = n;
                head = 0;
            }
            buf[(head + size) % buf.length] = b;
            size++;
        }

        byte poll() {
            byte b = buf[head];
            head = (head + 1) % buf.length;
            size--;
            return b;
        }

        boolean isEmpty() {
            return size == 0;
        }

        int size() {
            return size;
        }

        void clear() {
            head = 0;
            size = 0;
        }
    }
}
