package org.alosj.shell.impl;

import java.lang.ref.Cleaner;
import java.util.Map;
import java.util.WeakHashMap;
import org.alosj.kernel.fs.FsException;
import org.alosj.shell.impl.nio.VfsNioFileSystem;
import org.alosj.kernel.vfs.Vfs;
import org.alosj.kernel.vfs.VfsContext;
import org.apache.felix.service.command.CommandSession;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The VFS context of each shell session (root, like ALOS's shell): its working directory and
 * umask live as long as the session. A context whose session was collected is closed, so a
 * forgotten {@code cd /mnt} does not keep /mnt busy for ever.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = ShellContexts.class)
public final class ShellContexts {
    private static final Cleaner CLEANER = Cleaner.create();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Vfs vfs;

    private final Map<CommandSession, Held> contexts = new WeakHashMap<>();

    private record Held(Vfs vfs, VfsContext context, VfsNioFileSystem nio) {
    }

    /**
     * Makes Gogo's idea of the session's current directory the VFS working directory, as a
     * java.nio path of the VFS: Gogo resolves {@code >}, {@code >>} and its builtins' file
     * arguments against it, so they land in VFS files.
     */
    synchronized void followWorkingDirectory(CommandSession session) {
        Held h = contexts.get(session);
        if (h == null) {
            return;
        }
        try {
            session.currentDir(h.nio.path(h.context.cwd()));
        } catch (FsException | RuntimeException e) {
            // the working directory is gone: Gogo keeps its previous one
        }
    }

    public Vfs vfs() {
        Vfs v = vfs;
        if (v == null) {
            throw new IllegalStateException("the kernel is not running (no Vfs service)");
        }
        return v;
    }

    /** The session's context, made on first use (also its java.nio view); a fresh one if the VFS was restarted. */
    public synchronized VfsContext of(CommandSession session) {
        Vfs v = vfs();
        Object key = session != null ? session : this;
        if (session == null) {
            return v.createContext(0, 0);
        }
        Held h = contexts.get(session);
        if (h == null || h.vfs != v) {
            VfsContext c = v.createContext(0, 0);
            contexts.put(session, new Held(v, c, new VfsNioFileSystem(c)));
            CLEANER.register(key, c::close);
            followWorkingDirectory(session);
            return c;
        }
        return h.context;
    }

    /** The working directory for a prompt or a message; "?" when it cannot be had. */
    public String cwd(CommandSession session) {
        try {
            return of(session).cwd();
        } catch (FsException | IllegalStateException e) {
            return "?";
        }
    }
}
