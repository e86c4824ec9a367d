package org.alosj.shell.impl;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Collection;
import java.util.List;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.fs.FileSystemType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.vfs.MountInfo;
import org.alosj.kernel.vfs.VfsContext;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Function;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code mkfs.ext2 DEVICE}: formats a block device with the fs-ext2 bundle's mkfs. The shell
 * does not depend on fs-ext2: the command finds the bundle that registers the "ext2"
 * filesystem type and calls its public {@code org.alosj.fs.ext2.Mkfs} (reflection, so the
 * shell resolves and runs without it, and follows it when it is updated). A Gogo Function,
 * since a Java method cannot be named mkfs.ext2.
 */
@Component(service = Function.class, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=mkfs.ext2",
})
public final class MkfsCommand implements Function {
    static final String MKFS_CLASS = "org.alosj.fs.ext2.Mkfs";

    private final BundleContext context;
    private final ShellContexts contexts;

    @Activate
    public MkfsCommand(BundleContext context, @Reference ShellContexts contexts) {
        this.context = context;
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
        Class<?> mkfs = mkfsClass();
        Object tool = mkfs.getConstructor().newInstance();
        Class<?> optionsClass = mkfs.getClassLoader().loadClass(MKFS_CLASS + "$Options");
        Object options = optionsClass.getMethod("defaults").invoke(null);
        if (label != null) {
            options = optionsClass.getMethod("withLabel", String.class).invoke(options, label);
        }
        Method format = mkfs.getMethod("format", BlockDevice.class, optionsClass);
        try {
            Object result = format.invoke(tool, dev, options);
            System.out.println("mkfs.ext2 " + device + ": " + result);
            System.out.flush();
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            fail("mkfs.ext2: " + device + ": " + (cause.getMessage() != null ? cause.getMessage() : cause.toString()));
        }
    }

    /** Mkfs from the bundle that registers the ext2 type, or a clear failure when it is not installed. */
    private Class<?> mkfsClass() throws InvalidSyntaxException {
        Collection<ServiceReference<FileSystemType>> refs =
                context.getServiceReferences(FileSystemType.class, "(" + FileSystemType.TYPE + "=ext2)");
        for (ServiceReference<FileSystemType> r : refs) {
            Bundle b = r.getBundle();
            if (b == null) {
                continue;
            }
            try {
                return b.loadClass(MKFS_CLASS);
            } catch (ClassNotFoundException e) {
                // a different ext2 implementation without our mkfs
            }
        }
        fail("mkfs.ext2: no ext2 support: the fs-ext2 bundle is not installed or not started");
        return null;
    }
}
