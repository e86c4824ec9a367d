package org.alosj.abi.linux.impl;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.alosj.kernel.klog.KernelLog;
import org.alosj.kernel.proc.SysError;
import org.alosj.kernel.proc.Task;

/**
 * syslog(2), the kernel log as dmesg reads it (busybox's and util-linux's): the records of the
 * kernel's log ring in printk's form, {@code <LEVEL>[seconds.micros] message}, read whole and
 * without consuming them, or cleared. The destructive read of klogd (action 2) and the console's
 * log level (6 to 8) are not kept by this kernel: EINVAL, as for an unknown action.
 */
final class KernelLogCall {
    static final int CLOSE = 0;
    static final int OPEN = 1;
    static final int READ_ALL = 3;
    static final int READ_CLEAR = 4;
    static final int CLEAR = 5;
    static final int SIZE_UNREAD = 9;
    static final int SIZE_BUFFER = 10;

    private KernelLogCall() {
    }

    static long syslog(Task t, KernelLog log, int action, long buffer, int length) throws SysError {
        switch (action) {
            case CLOSE, OPEN:
                return 0;
            case READ_ALL, READ_CLEAR: {
                if (buffer == 0 || length < 0) {
                    throw new SysError(SysError.EINVAL);
                }
                byte[] text = log == null ? new byte[0] : lastRecords(log.entries(), length);
                t.memory().write(buffer, text);
                if (action == READ_CLEAR && log != null) {
                    log.clear();
                }
                return text.length;
            }
            case CLEAR:
                if (log != null) {
                    log.clear();
                }
                return 0;
            case SIZE_UNREAD, SIZE_BUFFER:
                // what a read of everything would copy: no ring of fixed bytes to report
                return log == null ? 0 : size(log.entries());
            default:
                throw new SysError(SysError.EINVAL);
        }
    }

    /** The newest whole records that fit in {@code max} bytes, oldest first, as Linux copies them. */
    static byte[] lastRecords(List<KernelLog.Entry> entries, int max) {
        byte[][] records = new byte[entries.size()][];
        int first = entries.size();
        int size = 0;
        while (first > 0) {
            byte[] r = record(entries.get(first - 1));
            if (size + r.length > max) {
                break;
            }
            records[--first] = r;
            size += r.length;
        }
        byte[] text = new byte[size];
        for (int i = first, at = 0; i < records.length; at += records[i].length, i++) {
            System.arraycopy(records[i], 0, text, at, records[i].length);
        }
        return text;
    }

    /** The bytes a read of every record copies. */
    private static int size(List<KernelLog.Entry> entries) {
        int size = 0;
        for (KernelLog.Entry e : entries) {
            size += record(e).length;
        }
        return size;
    }

    /** {@code <6>[    1.234567] message\n}: printk's level (kernel facility), time since boot, text. */
    static byte[] record(KernelLog.Entry e) {
        long us = e.uptimeNanos() / 1000;
        String line = "<" + level(e.level()) + ">[" + pad(us / 1_000_000) + "." + String.format("%06d", us % 1_000_000)
                + "] " + e.message() + "\n";
        return line.getBytes(StandardCharsets.UTF_8);
    }

    private static String pad(long seconds) {
        String s = Long.toString(seconds);
        return s.length() >= 5 ? s : "     ".substring(s.length()) + s;
    }

    /** Logback's levels as printk's: KERN_ERR 3, KERN_WARNING 4, KERN_INFO 6, KERN_DEBUG 7. */
    static int level(String level) {
        return switch (level == null ? "" : level) {
            case "ERROR" -> 3;
            case "WARN" -> 4;
            case "DEBUG", "TRACE" -> 7;
            default -> 6;
        };
    }
}
