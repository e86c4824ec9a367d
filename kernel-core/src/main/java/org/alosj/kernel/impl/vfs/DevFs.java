package org.alosj.kernel.impl.vfs;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.alosj.kernel.block.BlockLayer;
import org.alosj.kernel.fs.AttributeChanges;
import org.alosj.kernel.fs.DirEntry;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FileAttributes;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.fs.FsStats;
import org.alosj.kernel.vfs.DeviceNumbers;

/**
 * devfs, mounted at /dev: one flat directory that shows what exists now, nothing stored. The
 * block devices of the block layer appear and vanish with their drivers ({@code hda},
 * {@code hda1}, brw-rw---- root:disk with Linux's numbers); {@code null}, {@code zero},
 * {@code random} and {@code urandom} are there always. Opening a node is the VFS's business: it goes by st_rdev, as on any filesystem.
 */
final class DevFs extends ReadOnlyFileSystem {
    static final String TYPE = "devfs";
    static final long ROOT = 1;
    static final int GID_DISK = 6;
    static final long DEV_NULL = DeviceNumbers.makedev(1, 3);
    static final long DEV_ZERO = DeviceNumbers.makedev(1, 5);
    static final long DEV_RANDOM = DeviceNumbers.makedev(1, 8);
    static final long DEV_URANDOM = DeviceNumbers.makedev(1, 9);
    private static final long NODE_BASE = 16;

    private final Supplier<BlockLayer> blocks;
    private final Instant created;
    private final boolean readOnly;
    private volatile boolean unmounted;

    DevFs(Supplier<BlockLayer> blocks, Instant created, boolean readOnly) {
        this.blocks = blocks;
        this.created = created;
        this.readOnly = readOnly;
    }

    private record Node(String name, long ino, FileType type, int permissions, int gid, long rdev) {
    }

    private List<Node> nodes() throws FsException {
        if (unmounted) {
            throw new FsException(Errno.EIO, "devfs: unmounted");
        }
        List<Node> out = new ArrayList<>();
        out.add(new Node("null", 2, FileType.CHARACTER_DEVICE, 0666, 0, DEV_NULL));
        out.add(new Node("zero", 3, FileType.CHARACTER_DEVICE, 0666, 0, DEV_ZERO));
        out.add(new Node("random", 4, FileType.CHARACTER_DEVICE, 0666, 0, DEV_RANDOM));
        out.add(new Node("urandom", 5, FileType.CHARACTER_DEVICE, 0666, 0, DEV_URANDOM));
        BlockLayer b = blocks.get();
        if (b != null) {
            for (BlockLayer.DeviceInfo d : b.devices()) {
                out.add(new Node(d.name(), NODE_BASE + d.devNumber(), FileType.BLOCK_DEVICE, 0660, GID_DISK,
                        d.devNumber()));
            }
        }
        return out;
    }

    @Override
    public String typeName() {
        return TYPE;
    }

    @Override
    public long rootIno() {
        return ROOT;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public FileAttributes getattr(long ino) throws FsException {
        if (ino == ROOT) {
            return new FileAttributes(ROOT, FileType.DIRECTORY, 0755, 2, 0, 0, 0, 0, created, created, created, 0);
        }
        for (Node n : nodes()) {
            if (n.ino == ino) {
                return new FileAttributes(ino, n.type, n.permissions, 1, 0, n.gid, 0, 0, created, created, created,
                        n.rdev);
            }
        }
        throw new FsException(Errno.ENOENT, "devfs: no inode " + ino + " (the device went away)");
    }

    @Override
    public void setattr(long ino, AttributeChanges changes) throws FsException {
        throw new FsException(Errno.EPERM, "devfs: nodes follow the devices and keep their attributes");
    }

    @Override
    public long lookup(long dir, String name) throws FsException {
        if (dir != ROOT) {
            throw new FsException(Errno.ENOTDIR, "devfs: inode " + dir + " is not a directory");
        }
        for (Node n : nodes()) {
            if (n.name.equals(name)) {
                return n.ino;
            }
        }
        throw new FsException(Errno.ENOENT, "devfs: no device '" + name + "'");
    }

    @Override
    public List<DirEntry> readdir(long dir) throws FsException {
        if (dir != ROOT) {
            throw new FsException(Errno.ENOTDIR, "devfs: inode " + dir + " is not a directory");
        }
        List<DirEntry> out = new ArrayList<>();
        out.add(new DirEntry(".", ROOT, FileType.DIRECTORY));
        out.add(new DirEntry("..", ROOT, FileType.DIRECTORY));
        for (Node n : nodes()) {
            out.add(new DirEntry(n.name, n.ino, n.type));
        }
        return out;
    }

    @Override
    protected FsException refused() {
        return new FsException(Errno.EPERM, "devfs: the device nodes are made by the drivers");
    }

    @Override
    public String readlink(long ino) throws FsException {
        throw new FsException(Errno.EINVAL, "devfs: no symbolic links");
    }

    @Override
    public int read(long ino, long offset, ByteBuffer dst) throws FsException {
        throw new FsException(Errno.EINVAL, "devfs: device nodes are read through the VFS");
    }

    @Override
    public int write(long ino, long offset, ByteBuffer src) throws FsException {
        throw new FsException(Errno.EINVAL, "devfs: device nodes are written through the VFS");
    }

    @Override
    public void truncate(long ino, long size) throws FsException {
        throw new FsException(Errno.EINVAL, "devfs: device nodes have no length");
    }

    @Override
    public FsStats statfs() {
        return new FsStats(TYPE, 4096, 0, 0, 0, 0, 0, 255);
    }

    @Override
    public void unmount() {
        unmounted = true;
    }
}
