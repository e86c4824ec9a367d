package org.alosj.shell.impl;

import static org.alosj.kernel.vfs.OpenFlags.O_APPEND;
import static org.alosj.kernel.vfs.OpenFlags.O_CREAT;
import static org.alosj.kernel.vfs.OpenFlags.O_WRONLY;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.vfs.MountInfo;
import org.alosj.kernel.vfs.Vfs;
import org.alosj.kernel.vfs.VfsContext;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.CommandSessionListener;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shell history on the disk. Gogo's console keeps its history in the host file its
 * {@code history-file} variable names (jline appends each line there). gosh_profile sets that
 * variable to what {@code historyfile RUNFILE} returns: when a disk is mounted on /, the disk's
 * /system/history is copied to RUNFILE for jline to load, and from then on every line the
 * session runs is also appended to /system/history through the VFS (a
 * CommandSessionListener), so the history lives on the disk; with no disk, RUNFILE alone.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = {HistoryCommands.class, CommandSessionListener.class}, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=historyfile",
})
public final class HistoryCommands implements CommandSessionListener {
    private static final Logger LOG = LoggerFactory.getLogger("shell.history");
    static final String DISK_HISTORY = "/system/history";

    private final ShellContexts contexts;
    private final Set<CommandSession> recorded = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));

    @Activate
    public HistoryCommands(@Reference ShellContexts contexts) {
        this.contexts = contexts;
    }

    /** Whether a disk (a block device) is what / shows. */
    static boolean diskAtRoot(Vfs vfs) {
        List<MountInfo> mounts = vfs.mounts();
        for (int i = mounts.size() - 1; i >= 0; i--) {
            if (mounts.get(i).target().equals("/")) {
                return mounts.get(i).source().startsWith("/dev/") && !mounts.get(i).readOnly();
            }
        }
        return false;
    }

    @Descriptor("where the console keeps its history: /system/history on the disk when one is mounted on /"
            + " (copied to RUNFILE for the console to load), else RUNFILE")
    public String historyfile(CommandSession session, @Descriptor("RUNFILE") String runFile) throws IOException {
        Path host = Path.of(runFile);
        Vfs vfs = contexts.vfs();
        if (!diskAtRoot(vfs)) {
            return host.toString();
        }
        try (VfsContext c = vfs.createContext(0, 0)) {
            try {
                c.mkdir("/system", 0755);
            } catch (FsException e) {
                if (e.errno() != Errno.EEXIST) {
                    throw e;
                }
            }
            if (host.getParent() != null) {
                Files.createDirectories(host.getParent());
            }
            ByteArrayOutputStream disk = new ByteArrayOutputStream();
            try {
                FileCommands.readAll(c, DISK_HISTORY, (data, n) -> disk.write(data, 0, n));
            } catch (FsException e) {
                if (e.errno() != Errno.ENOENT) {
                    throw e;
                }
            }
            Files.writeString(host, toJlineHistory(disk.toString(StandardCharsets.UTF_8), System.currentTimeMillis()));
            recorded.add(session);
            return host.toString();
        } catch (Exception e) {
            LOG.info("history: {} is not usable ({}), keeping {}", DISK_HISTORY, e.getMessage(), host);
            return host.toString();
        }
    }

    /**
     * The disk keeps one command a line, as a person reads it; JLine's history file wants
     * {@code EPOCHMILLIS:LINE} with backslashes doubled, and refuses the whole file otherwise.
     */
    static String toJlineHistory(String diskHistory, long millis) {
        StringBuilder out = new StringBuilder();
        diskHistory.lines().filter(l -> !l.isBlank())
                .forEach(l -> out.append(millis).append(':').append(l.replace("\\", "\\\\")).append('\n'));
        return out.toString();
    }

    @Override
    public void beforeExecute(CommandSession session, CharSequence command) {
        try {
            contexts.of(session); // from the first line on, Gogo's > and >> go to VFS files
        } catch (IllegalStateException noVfs) {
            // the kernel is not running: Gogo keeps the host's directory
        }
        if (!recorded.contains(session)) {
            return;
        }
        String line = command.toString().strip();
        if (line.isEmpty() || line.contains("\n")) {
            return;
        }
        try (VfsContext c = contexts.vfs().createContext(0, 0)) {
            int fd = c.open(DISK_HISTORY, O_WRONLY | O_CREAT | O_APPEND, 0600);
            try {
                FileCommands.writeFully(c, fd, ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
            } finally {
                c.close(fd);
            }
        } catch (FsException | IllegalStateException e) {
            LOG.debug("history: cannot append to {}: {}", DISK_HISTORY, e.getMessage());
        }
    }

    @Override
    public void afterExecute(CommandSession session, CharSequence command, Exception exception) {
        // recorded before
    }

    @Override
    public void afterExecute(CommandSession session, CharSequence command, Object result) {
        // recorded before
    }

}
