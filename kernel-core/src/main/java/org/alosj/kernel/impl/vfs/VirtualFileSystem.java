package org.alosj.kernel.impl.vfs;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.alosj.kernel.block.BlockLayer;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FileAttributes;
import org.alosj.kernel.fs.FileSystem;
import org.alosj.kernel.fs.FileSystemType;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.fs.MountOptions;
import org.alosj.kernel.impl.block.BlockLayerImpl;
import org.alosj.kernel.vfs.DeviceNumbers;
import org.alosj.kernel.vfs.MountInfo;
import org.alosj.kernel.vfs.Vfs;
import org.alosj.kernel.vfs.VfsContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VFS: the mount table, the path walk and the checks every call shares; the calls
 * themselves are in {@link Context}. At start a ramfs is the root with /dev (devfs), /tmp and
 * /mnt, so the system runs with no disk. Filesystem types come as {@link FileSystemType}
 * services (ramfs and devfs are built in); a type leaving takes its mounts with it, synced
 * first. With the configuration property {@code root} (a device: {@code hda} or
 * {@code /dev/hda}; {@code rootfstype}, {@code rootflags=ro} as Linux's kernel parameters), the
 * device is mounted on / as soon as it and its type are there, and /dev, /tmp and /mnt are made
 * on it and mounted again, so the tree looks the same with a disk as without.
 *
 * <p>Walks take no lock: the mount table is a concurrent map, and a walk racing an umount ends
 * in EIO from the detached filesystem. Mount and umount are serialised on the table.
 */
@Component(service = Vfs.class, immediate = true, configurationPid = "org.alosj.vfs",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class VirtualFileSystem implements Vfs {
    private static final Logger LOG = LoggerFactory.getLogger("kernel.vfs");
    static final int PATH_MAX = 4096;
    static final int NAME_MAX = 255;
    static final int MAX_SYMLINKS = 40;
    /** The anonymous device major (ramfs, devfs), as Linux's unnamed block devices. */
    static final int ANON_MAJOR = 0;

    private final BlockLayer blocks;
    private final org.osgi.framework.BundleContext bundleContext;
    private final Map<String, FileSystemType> builtinTypes = new LinkedHashMap<>();
    private final Map<String, FileSystemType> serviceTypes = new ConcurrentHashMap<>();
    /** Mounts by the node they cover. */
    private final Map<Node, Mount> mountedOn = new ConcurrentHashMap<>();
    private final List<Mount> mounts = new CopyOnWriteArrayList<>();
    private final Map<Node, OpenInode> openInodes = new HashMap<>();
    private final Object table = new Object();
    private final Mount rootMount;
    /** Guarded by table: every mount is gone (power-off, reboot or deactivation). */
    private boolean shutDown;
    private final String rootDevice;
    private final String rootType;
    private final boolean rootReadOnly;
    private volatile boolean rootDone;
    private volatile boolean active = true;
    private int nextMountId = 1;
    private int nextAnon = 1;
    private final Runnable blockListener = this::tryRootMount;

    /** Open files of one inode: the count that decides retain/release, and the lock O_APPEND writes take. */
    static final class OpenInode {
        int count;
    }

    @Activate
    public VirtualFileSystem(org.osgi.framework.BundleContext bundleContext, @Reference BlockLayer blocks,
                             Map<String, Object> config) {
        this.bundleContext = bundleContext;
        this.blocks = blocks;
        builtinTypes.put(RamFs.TYPE, new BuiltinType(RamFs.TYPE, false,
                (dev, name, o) -> new RamFs(o.readOnly(), sizeOption(o), Instant::now)));
        builtinTypes.put(DevFs.TYPE, new BuiltinType(DevFs.TYPE, false,
                (dev, name, o) -> new DevFs(() -> this.blocks, Instant.now(), o.readOnly())));
        GuardedFileSystem rootFs = new GuardedFileSystem(new RamFs(false, RamFs.DEFAULT_LIMIT, Instant::now), "rootfs");
        rootMount = new Mount(nextMountId++, rootFs, RamFs.TYPE, "rootfs", "/", null, false,
                MountOptions.readWrite(), DeviceNumbers.makedev(ANON_MAJOR, nextAnon++), builtinTypes.get(RamFs.TYPE),
                null);
        mounts.add(rootMount);
        String root = config == null ? null : (String) config.get("root");
        rootDevice = root == null || root.isBlank() ? null : root.startsWith("/dev/") ? root : "/dev/" + root;
        Object type = config == null ? null : config.get("rootfstype");
        rootType = type == null || String.valueOf(type).isBlank() ? null : String.valueOf(type);
        rootReadOnly = config != null && "ro".equals(String.valueOf(config.get("rootflags")));
        try (Context c = newContext(0, 0)) {
            populate(c);
        }
        LOG.info("VFS: ramfs on /, devfs on /dev");
        if (blocks instanceof BlockLayerImpl impl) {
            impl.addChangeListener(blockListener);
        }
        tryRootMount();
    }

    /** The mount points the tree always has: /dev with its devfs, /tmp (sticky), /mnt. */
    private void populate(Context c) {
        for (String dir : List.of("/dev", "/tmp", "/mnt", "/proc")) {
            try {
                c.mkdir(dir, 0755);
                if (dir.equals("/tmp")) {
                    c.chmod(dir, 01777); // mkdir applies the umask; /tmp wants the sticky 1777
                }
            } catch (FsException e) {
                if (e.errno() != Errno.EEXIST) {
                    LOG.warn("VFS: cannot make {}: {}", dir, e.getMessage()); // a read-only disk without it
                }
            }
        }
        try {
            c.mount(DevFs.TYPE, "/dev", DevFs.TYPE, MountOptions.readWrite());
        } catch (FsException e) {
            LOG.error("VFS: cannot mount devfs on /dev: {}", e.getMessage());
        }
        mountProc(c);
    }

    /** /proc, once its type (the process manager's) and the tree are both there. */
    private void mountProc(Context c) {
        if (findType(PROC) == null) {
            return;
        }
        synchronized (table) {
            for (Mount m : mounts) {
                if (m.target.equals("/proc")) {
                    return;
                }
            }
        }
        try {
            c.mount(PROC, "/proc", PROC, MountOptions.readOnlyMount());
        } catch (FsException e) {
            LOG.warn("VFS: cannot mount proc on /proc: {}", e.getMessage());
        }
    }

    private static final String PROC = "proc";

    private static long sizeOption(MountOptions o) throws FsException {
        String size = o.options().get("size");
        if (size == null) {
            return RamFs.DEFAULT_LIMIT;
        }
        try {
            String s = size.toLowerCase(java.util.Locale.ROOT);
            long unit = s.endsWith("k") ? 1L << 10 : s.endsWith("m") ? 1L << 20 : s.endsWith("g") ? 1L << 30 : 1;
            long v = Long.parseLong(unit == 1 ? s : s.substring(0, s.length() - 1)) * unit;
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new FsException(Errno.EINVAL, "ramfs: bad size option '" + size + "' (bytes, or with k, m, g)");
    }

    /** ramfs and devfs, which need no bundle of their own. */
    private record BuiltinType(String name, boolean requiresDevice, Factory factory) implements FileSystemType {
        interface Factory {
            FileSystem make(BlockDevice device, String deviceName, MountOptions options) throws FsException;
        }

        @Override
        public FileSystem mount(BlockDevice device, String deviceName, MountOptions options) throws FsException {
            return factory.make(device, deviceName, options);
        }
    }

    @Reference(service = FileSystemType.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    void addType(FileSystemType type, Map<String, Object> properties) {
        String name = typeName(type, properties);
        if (name == null) {
            return;
        }
        serviceTypes.put(name, type);
        LOG.info("VFS: filesystem type {} registered", name);
        tryRootMount();
        if (name.equals(PROC) && (rootDone || rootDevice == null)) {
            try (Context c = newContext(0, 0)) {
                mountProc(c);
            }
        }
    }

    void removeType(FileSystemType type, Map<String, Object> properties) {
        String name = typeName(type, properties);
        serviceTypes.values().remove(type);
        List<Mount> gone = new ArrayList<>();
        synchronized (table) {
            for (Mount m : mounts) {
                if (m.typeKey == type) {
                    collectWithChildren(m, gone);
                }
            }
            for (Mount m : gone) {
                syncQuietly(m);
                detach(m);
                if (shuttingDown()) {
                    LOG.info("VFS: unmounted {} from {} (shutdown)", m.source, m.target);
                } else {
                    LOG.warn("VFS: unmounted {} from {}: filesystem type {} went away", m.source, m.target, name);
                }
            }
        }
    }

    /** Whether the whole system is stopping (then types leaving is the normal order, not news). */
    private boolean shuttingDown() {
        if (bundleContext == null) {
            return false;
        }
        try {
            return bundleContext.getBundle(0).getState() == org.osgi.framework.Bundle.STOPPING;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    private static String typeName(FileSystemType type, Map<String, Object> properties) {
        Object p = properties.get(FileSystemType.TYPE);
        try {
            return p != null ? String.valueOf(p) : type.name();
        } catch (RuntimeException e) {
            LOG.error("VFS: a filesystem type without a name: {}", e.toString());
            return null;
        }
    }

    /** Child mounts first, then the mount itself (the order umount must go in). */
    private void collectWithChildren(Mount m, List<Mount> out) {
        if (out.contains(m)) {
            return;
        }
        for (Mount child : mounts) {
            if (child.covered != null && child.covered.mount() == m) {
                collectWithChildren(child, out);
            }
        }
        out.add(m);
    }

    private static void syncQuietly(Mount m) {
        try {
            m.fs.sync();
        } catch (FsException e) {
            LOG.error("VFS: sync of {} failed: {}", m.target, e.getMessage());
        }
    }

    /** Takes a mount out of the tree and lets its filesystem go. Caller holds the table. */
    private void detach(Mount m) {
        mounts.remove(m);
        if (m.covered != null) {
            mountedOn.remove(m.covered, m);
        }
        try {
            m.fs.unmount();
        } catch (FsException e) {
            LOG.warn("VFS: unmounting {}: {}", m.target, e.getMessage());
        }
        m.fs.detach();
    }

    @Override
    public void shutdown() {
        active = false;
        synchronized (table) {
            if (shutDown) {
                return;
            }
            shutDown = true;
            List<Mount> all = new ArrayList<>();
            collectWithChildren(rootMount, all);
            for (Mount m : all) {
                syncQuietly(m);
                detach(m);
                if (m != rootMount) {
                    LOG.info("VFS: unmounted {} from {} (shutdown)", m.source, m.target);
                }
            }
        }
    }

    @Deactivate
    void deactivate() {
        active = false;
        if (blocks instanceof BlockLayerImpl impl) {
            impl.removeChangeListener(blockListener);
        }
        synchronized (table) {
            if (shutDown) {
                return;
            }
            shutDown = true;
            List<Mount> all = new ArrayList<>();
            collectWithChildren(rootMount, all);
            for (Mount m : all) {
                syncQuietly(m);
                detach(m);
            }
        }
    }

    // ---- the root disk ----

    /** Mounts the configured root device on / once it and its type are there. */
    private void tryRootMount() {
        if (rootDevice == null || rootDone || !active) {
            return;
        }
        synchronized (this) {
            if (rootDone) {
                return;
            }
            try (Context c = newContext(0, 0)) {
                if (c.blockDeviceName(rootDevice).isEmpty()) {
                    return; // not yet
                }
                if (rootType != null && findType(rootType) == null) {
                    return;
                }
                try {
                    c.mount(rootDevice, "/", rootType, new MountOptions(rootReadOnly, Map.of()));
                } catch (FsException e) {
                    if (rootType == null && e.errno() == Errno.EINVAL) {
                        LOG.info("VFS: no filesystem type recognises {} yet", rootDevice);
                        return; // its type may come later
                    }
                    LOG.error("VFS: cannot mount the root {}: {}", rootDevice, e.getMessage());
                    rootDone = true;
                    return;
                }
                rootDone = true;
                populate(c);
                try {
                    c.mount(RamFs.TYPE, "/tmp", RamFs.TYPE, MountOptions.readWrite());
                } catch (FsException e) {
                    LOG.warn("VFS: no ramfs on /tmp: {}", e.getMessage());
                }
            }
        }
    }

    // ---- what contexts use ----

    Context newContext(int uid, int gid) {
        return new Context(this, uid, gid, rootChain());
    }

    @Override
    public VfsContext createContext(int uid, int gid) {
        return newContext(uid, gid);
    }

    Chain rootChain() {
        return new Chain(null, rootMount.root, "");
    }

    /** The node a walk sees at {@code n}: the root of what is mounted on it, if anything is. */
    Node top(Node n) {
        Mount m;
        int guard = 0;
        while ((m = mountedOn.get(n)) != null && guard++ < 1000) {
            n = m.root;
        }
        return n;
    }

    FileAttributes getattr(Node n) throws FsException {
        return n.mount().fs.getattr(n.ino());
    }

    static void checkPath(String path) throws FsException {
        if (path == null || path.isEmpty()) {
            throw new FsException(Errno.ENOENT, "empty path");
        }
        if (path.indexOf('\0') >= 0) {
            throw new FsException(Errno.EINVAL, "path contains a NUL byte");
        }
        if (path.getBytes(StandardCharsets.UTF_8).length >= PATH_MAX) {
            throw new FsException(Errno.ENAMETOOLONG, "path of " + path.length() + " characters (PATH_MAX "
                    + PATH_MAX + ")");
        }
    }

    static void checkName(String name) throws FsException {
        if (name.getBytes(StandardCharsets.UTF_8).length > NAME_MAX) {
            throw new FsException(Errno.ENAMETOOLONG, "name of " + name.length() + " characters (NAME_MAX "
                    + NAME_MAX + ")");
        }
    }

    /** Permission check of {@code want} (4 read, 2 write, 1 search/execute) for {@code c} on {@code a}. */
    static void permit(Context c, FileAttributes a, int want) throws FsException {
        if (c.uid() == 0) {
            if ((want & 1) != 0 && a.type() != FileType.DIRECTORY && (a.permissions() & 0111) == 0) {
                throw new FsException(Errno.EACCES, "no execute bit");
            }
            return;
        }
        int bits = c.uid() == a.uid() ? a.permissions() >> 6 : c.gid() == a.gid() ? a.permissions() >> 3
                : a.permissions();
        if ((bits & want) != want) {
            throw new FsException(Errno.EACCES, "mode " + Integer.toOctalString(a.permissions()) + " owner "
                    + a.uid() + ":" + a.gid());
        }
    }

    /**
     * The path walk. Starts at the root (absolute) or {@code start}, follows symbolic links
     * ({@link #MAX_SYMLINKS} in all, then ELOOP), the final one only if {@code followLast} or the
     * path ends in a slash, which also demands a directory.
     */
    Chain walk(Context c, Chain start, String path, boolean followLast, int[] links) throws FsException {
        checkPath(path);
        boolean trailing = path.endsWith("/");
        Chain cur = path.startsWith("/") ? rootChain() : start;
        String[] parts = path.split("/+");
        int last = parts.length - 1;
        while (last >= 0 && parts[last].isEmpty()) {
            last--;
        }
        for (int i = 0; i <= last; i++) {
            String name = parts[i];
            if (name.isEmpty()) {
                continue;
            }
            checkName(name);
            Node dir = top(cur.node());
            FileAttributes da = getattr(dir);
            if (da.type() != FileType.DIRECTORY) {
                throw new FsException(Errno.ENOTDIR, name + ": a component is not a directory");
            }
            permit(c, da, 1);
            if (name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                cur = cur.up();
                continue;
            }
            Node child = top(new Node(dir.mount(), dir.mount().fs.lookup(dir.ino(), name)));
            boolean isLast = i == last;
            if (isLast && !followLast && !trailing) {
                cur = cur.push(child, name);
                break;
            }
            FileAttributes ca = getattr(child);
            if (ca.type() == FileType.SYMLINK) {
                if (++links[0] > MAX_SYMLINKS) {
                    throw new FsException(Errno.ELOOP, path + ": more than " + MAX_SYMLINKS + " symbolic links");
                }
                String target = child.mount().fs.readlink(child.ino());
                if (target.isEmpty()) {
                    throw new FsException(Errno.ENOENT, name + ": empty symbolic link");
                }
                cur = walk(c, cur, target, true, links);
            } else {
                cur = cur.push(child, name);
            }
        }
        if (trailing && getattr(top(cur.node())).type() != FileType.DIRECTORY) {
            throw new FsException(Errno.ENOTDIR, path + ": not a directory");
        }
        return cur;
    }

    /** A path split for a call that works on a name in a directory: the directory walked, the name not. */
    record Parent(Chain dir, Node node, String name, boolean trailingSlash) {
        boolean special() {
            return name.isEmpty() || name.equals(".") || name.equals("..");
        }
    }

    Parent parent(Context c, String path) throws FsException {
        checkPath(path);
        String p = path;
        boolean trailing = false;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
            trailing = true;
        }
        int slash = p.lastIndexOf('/');
        String dirPart = slash < 0 ? "" : slash == 0 ? "/" : p.substring(0, slash);
        String name = p.equals("/") ? "" : p.substring(slash + 1);
        checkName(name);
        Chain dir = dirPart.isEmpty() ? c.cwdChain() : walk(c, c.cwdChain(), dirPart, true, new int[1]);
        Node node = top(dir.node());
        FileAttributes a = getattr(node);
        if (a.type() != FileType.DIRECTORY) {
            throw new FsException(Errno.ENOTDIR, dirPart + ": not a directory");
        }
        return new Parent(dir, node, name, trailing);
    }

    /** The node {@code name} names in the parent (not following mounts), or null if none. */
    static Node childOf(Parent p) throws FsException {
        try {
            return new Node(p.node().mount(), p.node().mount().fs.lookup(p.node().ino(), p.name()));
        } catch (FsException e) {
            if (e.errno() == Errno.ENOENT) {
                return null;
            }
            throw e;
        }
    }

    boolean isMountPoint(Node n) {
        if (mountedOn.containsKey(n)) {
            return true;
        }
        for (Mount m : mounts) {
            if (m.root.equals(n) && m.covered != null) {
                return true;
            }
        }
        return false;
    }

    // ---- open inodes ----

    OpenInode open(Node n) throws FsException {
        synchronized (openInodes) {
            OpenInode o = openInodes.get(n);
            if (o == null) {
                n.mount().fs.retain(n.ino());
                o = new OpenInode();
                openInodes.put(n, o);
            }
            o.count++;
            n.mount().users.incrementAndGet();
            return o;
        }
    }

    void close(Node n) {
        synchronized (openInodes) {
            OpenInode o = openInodes.get(n);
            n.mount().users.decrementAndGet();
            if (o != null && --o.count == 0) {
                openInodes.remove(n);
                try {
                    n.mount().fs.release(n.ino());
                } catch (FsException e) {
                    LOG.debug("VFS: release of inode {} on {}: {}", n.ino(), n.mount().target, e.getMessage());
                }
            }
        }
    }

    // ---- mount and umount ----

    FileSystemType findType(String name) {
        FileSystemType t = builtinTypes.get(name);
        return t != null ? t : serviceTypes.get(name);
    }

    void mount(Context c, String source, String target, String type, MountOptions options) throws FsException {
        if (c.uid() != 0) {
            throw new FsException(Errno.EPERM, "only root may mount");
        }
        Chain at = walk(c, c.cwdChain(), target, true, new int[1]);
        Node where = top(at.node());
        if (getattr(where).type() != FileType.DIRECTORY) {
            throw new FsException(Errno.ENOTDIR, target + ": not a directory");
        }
        List<Map.Entry<String, FileSystemType>> candidates = new ArrayList<>();
        if (type != null) {
            FileSystemType t = findType(type);
            if (t == null) {
                throw new FsException(Errno.ENODEV, "unknown filesystem type '" + type + "'");
            }
            candidates.add(Map.entry(type, t));
        } else {
            for (Map.Entry<String, FileSystemType> e : serviceTypes.entrySet()) {
                if (requiresDevice(e.getValue())) {
                    candidates.add(e);
                }
            }
        }
        boolean needsDevice = candidates.isEmpty() || requiresDevice(candidates.get(0).getValue());
        BlockDevice device = null;
        String deviceName = null;
        long dev;
        if (needsDevice) {
            deviceName = c.blockDeviceName(source).orElse(null);
            device = c.blockDevice(source);
            dev = getattr(top(walk(c, c.cwdChain(), source, true, new int[1]).node())).rdev();
            for (Mount m : mounts) {
                if (deviceName.equals(m.deviceName)) {
                    throw new FsException(Errno.EBUSY, source + " is already mounted on " + m.target);
                }
            }
            if (candidates.isEmpty()) {
                throw new FsException(Errno.EINVAL, "no filesystem type to try (none is installed)");
            }
        } else {
            synchronized (table) {
                dev = DeviceNumbers.makedev(ANON_MAJOR, nextAnon++);
            }
        }
        MountOptions effective = options;
        if (device != null && device.readOnly() && !options.readOnly()) {
            LOG.warn("VFS: {} is write-protected, mounting read-only", source);
            effective = new MountOptions(true, options.options());
        }
        FileSystem fs = null;
        String typeName = null;
        FileSystemType typeKey = null;
        FsException firstFailure = null;
        for (Map.Entry<String, FileSystemType> e : candidates) {
            try {
                fs = e.getValue().mount(device, deviceName, effective);
                if (fs == null) {
                    throw new FsException(Errno.EIO, e.getKey() + ": mount returned nothing");
                }
                typeName = e.getKey();
                typeKey = e.getValue();
                break;
            } catch (FsException ex) {
                LOG.warn("VFS: {} {}: {}", e.getKey(), source, ex.getMessage());
                if (firstFailure == null || firstFailure.errno() == Errno.EINVAL) {
                    firstFailure = ex;
                }
            } catch (RuntimeException | StackOverflowError ex) {
                LOG.error("VFS: filesystem type {} failed mounting {}", e.getKey(), source, ex);
                firstFailure = new FsException(Errno.EIO, e.getKey() + " failed: " + ex, ex);
            }
        }
        if (fs == null) {
            throw firstFailure;
        }
        String label = typeName + (deviceName != null ? " " + deviceName : "");
        GuardedFileSystem guarded = new GuardedFileSystem(fs, label);
        synchronized (table) {
            Chain again = walk(c, c.cwdChain(), target, true, new int[1]);
            Node now = top(again.node());
            if (!now.equals(where)) {
                guarded.unmount();
                throw new FsException(Errno.EBUSY, target + ": something was mounted there meanwhile");
            }
            Mount m = new Mount(nextMountId++, guarded, typeName, needsDevice ? "/dev/" + deviceName : source,
                    again.path(), where, effective.readOnly() || fs.readOnly(), effective, dev, typeKey, deviceName);
            mounts.add(m);
            mountedOn.put(where, m);
            LOG.info("VFS: {} mounted on {} ({}{})", m.source, m.target, typeName, m.readOnly ? ", read-only" : "");
        }
    }

    private static boolean requiresDevice(FileSystemType t) {
        try {
            return t.requiresDevice();
        } catch (RuntimeException e) {
            return false;
        }
    }

    void umount(Context c, String target) throws FsException {
        if (c.uid() != 0) {
            throw new FsException(Errno.EPERM, "only root may unmount");
        }
        // The final component is not looked at: the filesystem on it may be dead (EIO), umount must still work.
        Chain at = walk(c, c.cwdChain(), target, false, new int[1]);
        Node n = top(at.node());
        synchronized (table) {
            Mount m = null;
            for (Mount x : mounts) {
                if (x.root.equals(n)) {
                    m = x;
                }
            }
            if (m == null || m == rootMount) {
                throw new FsException(Errno.EINVAL, target + ": not mounted");
            }
            for (Mount x : mounts) {
                if (x.covered != null && x.covered.mount() == m) {
                    throw new FsException(Errno.EBUSY, target + ": " + x.target + " is mounted on it");
                }
            }
            if (m.users.get() > 0) {
                throw new FsException(Errno.EBUSY, target + ": " + m.users.get() + " open files or working directories");
            }
            FsException syncFailure = null;
            try {
                m.fs.sync();
            } catch (FsException e) {
                syncFailure = e;
            }
            detach(m);
            LOG.info("VFS: {} unmounted from {}", m.source, m.target);
            if (syncFailure != null && syncFailure.errno() != Errno.EIO) {
                throw syncFailure;
            }
        }
    }

    /** Whether a mount is still in the tree (contexts drop a working directory on one that left). */
    boolean mounted(Mount m) {
        return mounts.contains(m);
    }

    // ---- Vfs ----

    @Override
    public List<MountInfo> mounts() {
        List<MountInfo> out = new ArrayList<>();
        for (Mount m : mounts) {
            out.add(new MountInfo(m.source, m.target, m.type, m.readOnly, m.options.options(), m.dev));
        }
        return out;
    }

    @Override
    public List<String> filesystemTypes() {
        List<String> out = new ArrayList<>(builtinTypes.keySet());
        serviceTypes.keySet().stream().sorted().forEach(out::add);
        return out;
    }

    @Override
    public void sync() throws FsException {
        FsException first = null;
        for (Mount m : mounts) {
            try {
                m.fs.sync();
            } catch (FsException e) {
                LOG.error("VFS: sync of {} failed: {}", m.target, e.getMessage());
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    BlockLayer blocks() {
        return blocks;
    }
}
