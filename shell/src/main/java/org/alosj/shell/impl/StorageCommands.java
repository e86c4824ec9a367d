package org.alosj.shell.impl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.alosj.kernel.block.BlockLayer;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.fs.FsStats;
import org.alosj.kernel.fs.MountOptions;
import org.alosj.kernel.vfs.DeviceNumbers;
import org.alosj.kernel.vfs.MountInfo;
import org.alosj.kernel.vfs.VfsContext;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** The storage commands: mount, umount, df, sync and lsblk, with util-linux's options and messages. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = StorageCommands.class, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=mount",
    "osgi.command.function=umount",
    "osgi.command.function=df",
    "osgi.command.function=sync",
    "osgi.command.function=lsblk",
})
public final class StorageCommands {
    private final ShellContexts contexts;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile BlockLayer blocks;

    @Activate
    public StorageCommands(@Reference ShellContexts contexts) {
        this.contexts = contexts;
    }

    private static void fail(String message) {
        throw new CommandErrors.CommandFailure(message);
    }

    @Descriptor("mount a filesystem: mount [-t TYPE] [-o ro|rw,OPTION=VALUE,...] DEVICE DIR; no arguments: list mounts\n"
            + "  -t TYPE   ext2, ramfs, devfs …; without it each installed disk type is tried\n"
            + "  -o OPTS   ro (read-only), rw, and the type's own options (ramfs: size=64m)")
    public void mount(CommandSession session, @Descriptor("[-t TYPE] [-o OPTIONS] DEVICE DIR") String... args) {
        String type = null;
        String opts = null;
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-t" -> type = value(args, ++i, "mount", 't');
                case "-o" -> opts = value(args, ++i, "mount", 'o');
                default -> operands.add(args[i]);
            }
        }
        if (operands.isEmpty()) {
            for (MountInfo m : contexts.vfs().mounts()) {
                StringBuilder o = new StringBuilder(m.readOnly() ? "ro" : "rw");
                m.options().forEach((k, v) -> o.append(',').append(k).append(v.isEmpty() ? "" : "=" + v));
                System.out.println(m.source() + " on " + m.target() + " type " + m.type() + " (" + o + ")");
            }
            System.out.flush();
            return;
        }
        if (operands.size() != 2) {
            fail("usage: mount [-t TYPE] [-o OPTIONS] DEVICE DIR");
        }
        String source = operands.get(0);
        String dir = operands.get(1);
        MountOptions options = parseOptions(opts);
        VfsContext c = contexts.of(session);
        try {
            c.mount(source, dir, type, options);
        } catch (FsException e) {
            fail(mountMessage(source, dir, type, e));
        }
    }

    static MountOptions parseOptions(String opts) {
        boolean readOnly = false;
        Map<String, String> rest = new HashMap<>();
        if (opts != null) {
            for (String o : opts.split(",")) {
                if (o.isEmpty()) {
                    continue;
                }
                switch (o) {
                    case "ro" -> readOnly = true;
                    case "rw" -> readOnly = false;
                    case "defaults" -> { }
                    default -> {
                        int eq = o.indexOf('=');
                        rest.put(eq < 0 ? o : o.substring(0, eq), eq < 0 ? "" : o.substring(eq + 1));
                    }
                }
            }
        }
        return new MountOptions(readOnly, rest);
    }

    /** util-linux mount's words for each error. */
    static String mountMessage(String source, String dir, String type, FsException e) {
        return switch (e.errno()) {
            case EINVAL -> "mount: " + dir + ": wrong fs type, bad option, bad superblock on " + source
                    + ", missing codepage or helper program, or other error.";
            case ENODEV -> "mount: " + dir + ": unknown filesystem type '" + type + "'.";
            case ENOTBLK -> "mount: " + dir + ": " + source + " is not a block device.";
            case ENXIO -> "mount: " + dir + ": special device " + source + " does not exist.";
            case EBUSY -> "mount: " + dir + ": " + source + " already mounted or mount point busy.";
            case EPERM, EACCES -> "mount: only root can do that.";
            case EUCLEAN -> "mount: " + dir + ": mount(2) system call failed: Structure needs cleaning.";
            case EROFS -> "mount: " + dir + ": cannot mount " + source + " read-write, is write-protected.";
            case ENOENT -> e.getMessage() != null && e.getMessage().startsWith(dir)
                    ? "mount: " + dir + ": mount point does not exist."
                    : "mount: " + dir + ": special device " + source + " does not exist.";
            case ENOTDIR -> "mount: " + dir + ": mount point is not a directory.";
            default -> "mount: " + dir + ": " + e.errno().text() + ".";
        };
    }

    private static String value(String[] args, int i, String cmd, char option) {
        if (i >= args.length) {
            fail(cmd + ": option requires an argument -- '" + option + "'");
        }
        return args[i];
    }

    @Descriptor("unmount the filesystem mounted on DIR (syncs it first)")
    public void umount(CommandSession session, @Descriptor("DIR...") String... dirs) {
        if (dirs.length == 0) {
            fail("usage: umount DIR...");
        }
        VfsContext c = contexts.of(session);
        CommandErrors errors = new CommandErrors();
        for (String d : dirs) {
            try {
                c.umount(d);
            } catch (FsException e) {
                errors.add(switch (e.errno()) {
                    case EBUSY -> "umount: " + d + ": target is busy.";
                    case EINVAL -> "umount: " + d + ": not mounted.";
                    case EPERM -> "umount: " + d + ": must be superuser to unmount.";
                    default -> "umount: " + d + ": " + e.errno().text() + ".";
                });
            }
        }
        errors.finish();
    }

    @Descriptor("free and used space of each mounted filesystem, in 1K blocks; -h in K, M, G")
    public void df(CommandSession session, @Descriptor("[-h]") String... args) {
        boolean human = args.length == 1 && args[0].equals("-h");
        if (args.length > 0 && !human) {
            fail("usage: df [-h]");
        }
        VfsContext c = contexts.of(session);
        CommandErrors errors = new CommandErrors();
        System.out.println(String.format("%-14s %10s %10s %10s %4s %s", "Filesystem", human ? "Size" : "1K-blocks",
                "Used", human ? "Avail" : "Available", "Use%", "Mounted on"));
        List<MountInfo> mounts = contexts.vfs().mounts();
        for (int i = 0; i < mounts.size(); i++) {
            MountInfo m = mounts.get(i);
            if (coveredLater(mounts, i)) {
                continue; // a mount hidden under a later one on the same directory, as df leaves it out
            }
            try {
                FsStats s = c.statfs(m.target());
                long total = s.totalBlocks() * s.blockSize() / 1024;
                long used = (s.totalBlocks() - s.freeBlocks()) * s.blockSize() / 1024;
                long avail = s.available() * s.blockSize() / 1024;
                String pct = used + avail == 0 ? "-" : (used * 100 + (used + avail) - 1) / (used + avail) + "%";
                System.out.println(String.format("%-14s %10s %10s %10s %4s %s", m.source(),
                        size(total, human), size(used, human), size(avail, human), pct, m.target()));
            } catch (FsException e) {
                errors.add("df: " + m.target() + ": " + e.errno().text());
            }
        }
        errors.finish();
    }

    static boolean coveredLater(List<MountInfo> mounts, int i) {
        for (int j = i + 1; j < mounts.size(); j++) {
            if (mounts.get(j).target().equals(mounts.get(i).target())) {
                return true;
            }
        }
        return false;
    }

    private static String size(long kib, boolean human) {
        if (!human) {
            return Long.toString(kib);
        }
        String[] units = {"K", "M", "G", "T"};
        double v = kib;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return v < 10 && u > 0 ? String.format(java.util.Locale.ROOT, "%.1f%s", v, units[u])
                : String.format(java.util.Locale.ROOT, "%.0f%s", Math.ceil(v), units[u]);
    }

    @Descriptor("write every mounted filesystem out to its disk")
    public void sync() {
        try {
            contexts.vfs().sync();
        } catch (FsException e) {
            fail("sync: " + e.errno().text());
        }
    }

    @Descriptor("list block devices: disks and their partitions, sizes and mount points")
    public void lsblk() {
        BlockLayer b = blocks;
        if (b == null) {
            fail("lsblk: the kernel is not running (no BlockLayer service)");
        }
        Map<String, String> mountedOn = new HashMap<>();
        for (MountInfo m : contexts.vfs().mounts()) {
            if (m.source().startsWith("/dev/")) {
                mountedOn.put(m.source().substring(5), m.target());
            }
        }
        System.out.println("NAME      MAJ:MIN       SIZE RO TYPE MOUNTPOINT");
        for (BlockLayer.DeviceInfo d : b.devices()) {
            String name = d.parent() == null ? d.name() : "└─" + d.name();
            System.out.println(String.format("%-9s %3d:%-3d %10s %2d %-4s %s", name,
                    DeviceNumbers.major(d.devNumber()), DeviceNumbers.minor(d.devNumber()),
                    size(d.sectors() * d.sectorSize() / 1024, true), d.readOnly() ? 1 : 0,
                    d.parent() == null ? "disk" : "part", mountedOn.getOrDefault(d.name(), "")).stripTrailing());
        }
        System.out.flush();
    }
}
