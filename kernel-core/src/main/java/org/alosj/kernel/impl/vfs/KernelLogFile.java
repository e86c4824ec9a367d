package org.alosj.kernel.impl.vfs;

import static org.alosj.kernel.vfs.OpenFlags.O_APPEND;
import static org.alosj.kernel.vfs.OpenFlags.O_CREAT;
import static org.alosj.kernel.vfs.OpenFlags.O_WRONLY;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.impl.klog.KernelLogImpl;
import org.alosj.kernel.klog.KernelLog;
import org.alosj.kernel.vfs.MountInfo;
import org.alosj.kernel.vfs.Vfs;
import org.alosj.kernel.vfs.VfsContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.LoggerFactory;

/**
 * klogd: appends the kernel log to {@value #PATH} when a writable disk is mounted on /. The
 * logging thread never waits for the disk: an appender only wakes the klogd thread, which
 * copies from the klog ring what it has not written yet (the ring keeps the same entry objects,
 * so the last one written marks the place; the whole ring, boot messages included, goes out
 * the first time). If the disk falls behind by more than the ring holds, a line says how many
 * were lost. klogd's own trouble is logged once, not again until a write works.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, immediate = true)
public final class KernelLogFile {
    static final String PATH = "/system/logs/kernel.log";

    private final Vfs vfs;
    private final KernelLog klog;
    private final Semaphore wake = new Semaphore(0);
    private final Thread thread;
    private final Waker waker = new Waker();
    private Logger root;
    private volatile boolean running = true;
    private KernelLog.Entry lastWritten;
    private boolean reportedFailure;

    /** Wakes klogd on every kernel message; takes no lock the logging thread could wait on. */
    private final class Waker extends AppenderBase<ILoggingEvent> {
        @Override
        protected void append(ILoggingEvent event) {
            if (!event.getLoggerName().startsWith("hw.") && wake.availablePermits() == 0) {
                wake.release();
            }
        }
    }

    @Activate
    public KernelLogFile(@Reference Vfs vfs, @Reference KernelLog klog) {
        this.vfs = vfs;
        this.klog = klog;
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            waker.setContext(context);
            waker.setName("klogd");
            waker.start();
            root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            root.addAppender(waker);
        }
        thread = new Thread(this::run, "klogd");
        thread.setDaemon(true);
        thread.start();
        wake.release();
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        if (root != null) {
            root.detachAppender(waker);
        }
        waker.stop();
        running = false;
        wake.release();
        thread.join(5000);
    }

    private void run() {
        while (running) {
            try {
                wake.acquire();
                wake.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
            writeNew();
        }
        writeNew(); // what came in while stopping
    }

    /** Whether a writable disk is what / shows. */
    private boolean diskAtRoot() {
        List<MountInfo> mounts = vfs.mounts();
        for (int i = mounts.size() - 1; i >= 0; i--) {
            if (mounts.get(i).target().equals("/")) {
                return mounts.get(i).source().startsWith("/dev/") && !mounts.get(i).readOnly();
            }
        }
        return false;
    }

    private void writeNew() {
        if (!diskAtRoot()) {
            return;
        }
        List<KernelLog.Entry> entries = klog.entries();
        int from = 0;
        StringBuilder text = new StringBuilder();
        if (lastWritten != null) {
            from = -1;
            for (int i = entries.size() - 1; i >= 0; i--) {
                if (entries.get(i) == lastWritten) {
                    from = i + 1;
                    break;
                }
            }
            if (from < 0) {
                text.append("[klogd: the disk fell behind, earlier messages were lost]\n");
                from = 0;
            }
        }
        if (from >= entries.size()) {
            return;
        }
        for (KernelLog.Entry e : entries.subList(from, entries.size())) {
            text.append(KernelLogImpl.format(e)).append('\n');
        }
        try (VfsContext c = vfs.createContext(0, 0)) {
            mkdirs(c);
            int fd = c.open(PATH, O_WRONLY | O_CREAT | O_APPEND, 0640);
            try {
                ByteBuffer b = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) {
                    if (c.write(fd, b) == 0) {
                        throw new FsException(Errno.ENOSPC, "short write");
                    }
                }
            } finally {
                c.close(fd);
            }
            lastWritten = entries.get(entries.size() - 1);
            reportedFailure = false;
        } catch (FsException e) {
            if (!reportedFailure && diskAtRoot()) { // not when the disk is being unmounted
                reportedFailure = true;
                // Once: the message wakes klogd, which fails again, quietly this time.
                LoggerFactory.getLogger("kernel.klogd").warn("klogd: cannot append to {}: {}", PATH, e.getMessage());
            }
        }
    }

    private static void mkdirs(VfsContext c) throws FsException {
        for (String d : List.of("/system", "/system/logs")) {
            try {
                c.mkdir(d, 0755);
            } catch (FsException e) {
                if (e.errno() != Errno.EEXIST) {
                    throw e;
                }
            }
        }
    }
}
