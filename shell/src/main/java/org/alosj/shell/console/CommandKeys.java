package org.alosj.shell.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;
import org.jline.terminal.Attributes;
import org.jline.terminal.Attributes.ControlChar;
import org.jline.terminal.Attributes.LocalFlag;
import org.jline.terminal.Terminal;
import org.jline.utils.NonBlockingReader;

/**
 * The console's keys as a shell command reads them ({@code cat}, {@code grep} without a file),
 * a line at a time with the editing a Linux tty gives (echo, Backspace, Ctrl-U, Enter, Ctrl-D
 * for the end), done here rather than by the host's line discipline: in canonical mode a read
 * waits in the host's {@code read(2)}, which no timeout or interrupt ends, and the read of a
 * command Ctrl-C ended then took the next key typed at the prompt. While a command runs, the
 * terminal is in {@link #commandMode} (no canonical mode, no echo, Ctrl-C still a signal); a read
 * peeks with a timeout and takes a key only for a command that is still running.
 */
final class CommandKeys extends InputStream {
    private final Terminal terminal;
    private final NonBlockingReader keys;
    private final LongSupplier interrupts;
    private byte[] line = new byte[0];
    private int at;
    /** Reads under way: a command Ctrl-C ended may still be in one for up to a peek's timeout. */
    private final java.util.concurrent.atomic.AtomicInteger reading = new java.util.concurrent.atomic.AtomicInteger();

    /** Keys of {@code terminal}; a read ends when {@code interrupts}, the console's count of Ctrl-C, moves. */
    CommandKeys(Terminal terminal, LongSupplier interrupts) {
        this.terminal = terminal;
        this.keys = terminal.reader();
        this.interrupts = interrupts;
    }

    /** The attributes a command runs under: {@code cooked} less canonical mode and echo. */
    static Attributes commandMode(Attributes cooked) {
        Attributes a = new Attributes(cooked);
        a.setLocalFlag(LocalFlag.ICANON, false);
        a.setLocalFlag(LocalFlag.ECHO, false);
        a.setControlChar(ControlChar.VMIN, 1);
        a.setControlChar(ControlChar.VTIME, 0);
        return a;
    }

    @Override
    public int read() throws IOException {
        byte[] b = new byte[1];
        return read(b, 0, 1) < 0 ? -1 : b[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (at >= line.length && !readLine()) {
            return -1;
        }
        int n = Math.min(len, line.length - at);
        System.arraycopy(line, at, b, off, n);
        at += n;
        return n;
    }

    /**
     * Waits, up to {@code millis}, until no read is under way: the console calls it before its
     * line editor reads again, so that only one of them waits for keys at a time.
     */
    void awaitNoReader(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (reading.get() > 0 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
    }

    /** Reads and echoes one line; false at Ctrl-D on an empty line (the end of input). */
    private boolean readLine() throws IOException {
        reading.incrementAndGet();
        try {
            return readLineNow();
        } finally {
            reading.decrementAndGet();
        }
    }

    private boolean readLineNow() throws IOException {
        long since = interrupts.getAsLong();
        StringBuilder text = new StringBuilder();
        PrintWriter echo = terminal.writer();
        for (;;) {
            int c = nextKey(since);
            switch (c) {
                case '\r', '\n' -> {
                    echo.print("\r\n");
                    echo.flush();
                    return take(text.append('\n'));
                }
                case 4 -> { // Ctrl-D: the line so far, or the end on an empty line
                    if (text.length() == 0) {
                        return false;
                    }
                    return take(text);
                }
                case 0x7F, '\b' -> {
                    if (text.length() > 0) {
                        int cut = Character.isLowSurrogate(text.charAt(text.length() - 1)) && text.length() > 1 ? 2 : 1;
                        text.setLength(text.length() - cut);
                        echo.print("\b \b");
                    }
                }
                case 0x15 -> { // Ctrl-U: the whole line
                    echo.print("\b \b".repeat(text.codePointCount(0, text.length())));
                    text.setLength(0);
                }
                default -> {
                    text.append((char) c);
                    echo.print((char) c);
                }
            }
            echo.flush();
        }
    }

    private boolean take(StringBuilder text) {
        line = text.toString().getBytes(StandardCharsets.UTF_8);
        at = 0;
        return true;
    }

    /** The next key, taken only while the command has not been interrupted since {@code since}. */
    private int nextKey(long since) throws IOException {
        for (;;) {
            if (Thread.currentThread().isInterrupted() || interrupts.getAsLong() != since) {
                throw new InterruptedIOException("interrupted");
            }
            int c = keys.peek(100);
            if (c == NonBlockingReader.EOF) {
                return 4;
            }
            if (c >= 0 && !Thread.currentThread().isInterrupted() && interrupts.getAsLong() == since) {
                return keys.read();
            }
        }
    }
}
