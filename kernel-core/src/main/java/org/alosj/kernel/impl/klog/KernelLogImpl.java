package org.alosj.kernel.impl.klog;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.kernel.klog.KernelLog;
import org.slf4j.LoggerFactory;

/**
 * klog: a Logback appender on the root logger that keeps the last messages in a ring (dmesg)
 * and prints each on the serial console, COM1, as ALOS did. Messages of the hardware models
 * (loggers {@code hw.*}) are the host's business and stay out: the kernel cannot see them.
 */
public final class KernelLogImpl extends AppenderBase<ILoggingEvent> implements KernelLog {
    public static final int CAPACITY = 4096;
    static final int COM1 = 0x3F8;
    static final int UART_LSR_THRE = 0x20;

    private final ArrayDeque<Entry> ring = new ArrayDeque<>();
    private final IoPortSpace ports;
    private final LongSupplier uptimeNanos;
    private Logger root;

    public KernelLogImpl(IoPortSpace ports, LongSupplier uptimeNanos) {
        this.ports = ports;
        this.uptimeNanos = uptimeNanos;
        setName("klog");
        initSerial();
    }

    private void initSerial() {
        ports.outb(COM1 + 1, 0x00); // no interrupts: klog writes synchronously
        ports.outb(COM1 + 3, 0x80); // DLAB
        ports.outb(COM1, 0x01);     // divisor 1: 115200 baud
        ports.outb(COM1 + 1, 0x00);
        ports.outb(COM1 + 3, 0x03); // 8N1
        ports.outb(COM1 + 2, 0xC7); // FIFO on, cleared, 14-byte threshold
        ports.outb(COM1 + 4, 0x0B); // DTR, RTS, OUT2
    }

    /** Starts collecting; false when the logging backend is not Logback (no klog then). */
    public boolean attach() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return false;
        }
        setContext(context);
        start();
        root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(this);
        return true;
    }

    public void detach() {
        if (root != null) {
            root.detachAppender(this);
        }
        stop();
    }

    @Override
    protected void append(ILoggingEvent event) {
        String source = event.getLoggerName();
        if (source.startsWith("hw.")) {
            return;
        }
        String message = event.getFormattedMessage();
        if (event.getThrowableProxy() != null) {
            message = message + ": " + event.getThrowableProxy().getClassName() + ": "
                    + event.getThrowableProxy().getMessage();
        }
        Entry e = new Entry(uptimeNanos.getAsLong(), event.getLevel().toString(), source, message);
        synchronized (ring) {
            if (ring.size() == CAPACITY) {
                ring.removeFirst();
            }
            ring.addLast(e);
        }
        writeSerial(format(e));
    }

    /** Linux's dmesg form: {@code [    1.234567] message}. */
    public static String format(Entry e) {
        // By hand rather than String.format: every kernel message passes here, most during the boot.
        long us = Math.max(0, e.uptimeNanos() / 1000);
        String seconds = Long.toString(us / 1_000_000);
        String micros = Long.toString(us % 1_000_000);
        StringBuilder line = new StringBuilder(16 + e.message().length()).append('[');
        line.append("     ", 0, Math.max(0, 5 - seconds.length())).append(seconds).append('.');
        line.append("000000", 0, 6 - micros.length()).append(micros).append("] ").append(e.message());
        return line.toString();
    }

    private void writeSerial(String line) {
        byte[] bytes = (line + "\r\n").getBytes(StandardCharsets.UTF_8);
        synchronized (this) {
            for (byte b : bytes) {
                for (int spin = 0; spin < 1000 && (ports.inb(COM1 + 5) & UART_LSR_THRE) == 0; spin++) {
                    Thread.onSpinWait();
                }
                ports.outb(COM1, b & 0xFF);
            }
        }
    }

    @Override
    public List<Entry> entries() {
        synchronized (ring) {
            return new ArrayList<>(ring);
        }
    }

    @Override
    public void clear() {
        synchronized (ring) {
            ring.clear();
        }
    }
}
