package org.alosj.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * The distribution's {@code deploy/} folder, Karaf's convention after Felix File Install (which
 * is not among the artifacts this build has, so this is a small watcher of the launcher's own):
 * a bundle jar that appears there is installed and started, one that changes is updated, one
 * that goes is uninstalled. Jars there at boot are installed too. A jar is best moved in
 * whole ({@code mv}, or a copy then a rename): one still being written fails to install, is
 * reported, and is tried again at its next change.
 */
final class DeployFolder implements AutoCloseable {
    static final String LOCATION_PREFIX = "deploy:";

    private final Path dir;
    private final BundleContext ctx;
    private final PrintStream err;
    private final WatchService watcher;
    private final Thread thread;

    DeployFolder(Path dir, BundleContext ctx, PrintStream err) throws IOException {
        this.dir = dir;
        this.ctx = ctx;
        this.err = err;
        this.watcher = dir.getFileSystem().newWatchService();
        dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        this.thread = new Thread(this::watch, "alos-deploy");
        thread.setDaemon(true);
    }

    /** Installs what is there already, then follows the folder. */
    void start() throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "*.jar")) {
            for (Path jar : jars) {
                deploy(jar);
            }
        }
        thread.start();
    }

    private void watch() {
        try {
            while (true) {
                WatchKey key = watcher.take();
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (!(event.context() instanceof Path name) || !name.toString().endsWith(".jar")) {
                        continue;
                    }
                    Path jar = dir.resolve(name);
                    if (event.kind() == StandardWatchEventKinds.ENTRY_DELETE) {
                        undeploy(jar);
                    } else {
                        deploy(jar);
                    }
                }
                if (!key.reset()) {
                    err.println("alos: " + dir + " went away: deploy/ is no longer watched");
                    return;
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        }
    }

    private static String location(Path jar) {
        return LOCATION_PREFIX + jar.getFileName();
    }

    private void deploy(Path jar) {
        if (!Files.isRegularFile(jar)) {
            return;
        }
        try (InputStream in = Files.newInputStream(jar)) {
            Bundle existing = ctx.getBundle(location(jar));
            if (existing != null) {
                existing.update(in);
                err.println("alos: deploy: updated " + existing.getSymbolicName() + " from " + jar.getFileName());
                return;
            }
            Bundle b = ctx.installBundle(location(jar), in);
            if (b.getHeaders().get("Fragment-Host") == null) {
                b.start();
            }
            err.println("alos: deploy: installed and started " + b.getSymbolicName() + " (bundle " + b.getBundleId()
                    + ") from " + jar.getFileName());
        } catch (IOException | BundleException | IllegalStateException e) {
            err.println("alos: deploy: " + jar.getFileName() + ": " + e.getMessage());
        }
    }

    private void undeploy(Path jar) {
        Bundle b = ctx.getBundle(location(jar));
        if (b == null) {
            return;
        }
        try {
            b.uninstall();
            err.println("alos: deploy: uninstalled " + b.getSymbolicName() + " (" + jar.getFileName() + " removed)");
        } catch (BundleException | IllegalStateException e) {
            err.println("alos: deploy: " + jar.getFileName() + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            watcher.close();
        } catch (IOException e) {
            // nothing to keep
        }
        thread.interrupt();
    }
}
