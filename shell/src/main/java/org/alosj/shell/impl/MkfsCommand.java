package org.alosj.shell.impl;

import java.io.IOException;
import java.util.List;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.fs.FileSystemFormatter;
import org.alosj.kernel.fs.FileSystemType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.vfs.MountInfo;
import org.alosj.kernel.vfs.VfsContext;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * {@code mkfs.ext2 DEVICE}: formats a block device with the {@link FileSystemFormatter} service
 * the fs-ext2 bundle registers for "ext2". The reference is optional and dynamic, so the shell
 * resolves and runs without fs-ext2 and follows it when it is updated. A Gogo Function, since a
 * Java method cannot be named mkfs.ext2.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Function.class, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=mkfs.ext2",
})
public final class MkfsCommand implements Function {
    private final ShellContexts contexts;

    @Reference(service = FileSystemFormatter.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, target = "(" + FileSystemType.TYPE + "=ext2)")
    private volatile FileSystemFormatter ext2;

    @Activate
    public MkfsCommand(@Reference ShellContexts contexts) {
        this.contexts = contexts;
    }

    @Override
    public Object execute(CommandSession session, List<Object> arguments) throws Exception {
        mkfs_ext2(session, arguments.stream().map(String::valueOf).toArray(String[]::new));
        return null;
    }

    private static void fail(String message) {
        throw new CommandErrors.CommandFailure(message);
    }

    @Descriptor("make an ext2 filesystem on a block device (needs the fs-ext2 bundle): mkfs.ext2 [-L LABEL] DEVICE")
    public void mkfs_ext2(CommandSession session, @Descriptor("[-L LABEL] DEVICE") String... args) throws Exception {
        String label = null;
        String device = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-L") && i + 1 < args.length) {
                label = args[++i];
            } else if (device == null && !args[i].startsWith("-")) {
                device = args[i];
            } else {
                fail("usage: mkfs.ext2 [-L LABEL] DEVICE");
            }
        }
        if (device == null) {
            fail("usage: mkfs.ext2 [-L LABEL] DEVICE");
        }
        VfsContext c = contexts.of(session);
        BlockDevice dev = null;
        try {
            dev = c.blockDevice(device);
        } catch (FsException e) {
            fail("mkfs.ext2: " + device + ": " + e.errno().text());
        }
        String name = c.blockDeviceName(device).orElse(device);
        for (MountInfo m : contexts.vfs().mounts()) {
            if (m.source().equals("/dev/" + name)) {
                fail("mkfs.ext2: " + device + " is mounted on " + m.target() + "; will not make a filesystem here!");
            }
        }
        FileSystemFormatter formatter = ext2;
        if (formatter == null) {
            fail("mkfs.ext2: no ext2 support: the fs-ext2 bundle is not installed or not started");
        }
        try {
            System.out.println("mkfs.ext2 " + device + ": " + formatter.format(dev, label));
            System.out.flush();
        } catch (IOException | RuntimeException e) {
            fail("mkfs.ext2: " + device + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()));
        }
    }
}
