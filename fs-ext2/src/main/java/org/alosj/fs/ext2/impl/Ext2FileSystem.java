package org.alosj.fs.ext2.impl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.fs.AttributeChanges;
import org.alosj.kernel.fs.DirEntry;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FileAttributes;
import org.alosj.kernel.fs.FileSystem;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.fs.FsStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mounted ext2 filesystem: the FileSystem operations (names, links, reads and writes, sizes,
 * open-but-unlinked inodes) over a {@link Volume}. One lock serialises every operation; this class
 * takes it, checks the arguments and hands the work to its collaborators, which run under it:
 * {@link SuperblockChecks} (what a mount checks), {@link LiveInodes} (inodes in use, the orphan
 * list and freeing), {@link Names} (namespace operations and symbolic links) and
 * {@link FileContents} (a regular file's bytes). An inode unlinked while the VFS holds it open
 * goes on the orphan list (s_last_orphan, chained through i_dtime, as ext3 and e2fsck know it)
 * until its release, so a crash in between leaves nothing e2fsck cannot finish, and the next
 * read-write mount frees it.
 */
public final class Ext2FileSystem implements FileSystem {
    private static final Logger LOG = LoggerFactory.getLogger(Ext2FileSystem.class);

    private final Volume vol;
    private final Directory dirs;
    private final ReentrantLock lock = new ReentrantLock();
    private final LiveInodes inodes;
    private final Names names;
    private final FileContents contents;
    private boolean unmounted;

    private Ext2FileSystem(Volume vol) {
        this.vol = vol;
        this.dirs = new Directory(vol);
        this.inodes = new LiveInodes(vol);
        this.names = new Names(vol, dirs, inodes);
        this.contents = new FileContents(vol, inodes);
    }

    /** Default bound of the block cache: 32 MiB of blocks (8192 of 4 KiB). */
    public static final int DEFAULT_CACHE_BYTES = 32 << 20;

    /** Pass as cacheBlocks to size the cache by {@link #DEFAULT_CACHE_BYTES}. */
    public static final int DEFAULT_CACHE_BLOCKS = 0;

    /**
     * Reads and checks the superblock and group descriptors of the ext2 filesystem on
     * {@code device}. See {@link Ext2FileSystemType#mount} for the errors.
     */
    public static Ext2FileSystem mount(BlockDevice device, String name, boolean readOnly, Clock clock, int cacheBlocks)
        throws FsException {
        String prefix = "ext2 " + name + ": ";
        Superblock sb = SuperblockChecks.readSuperblock(device, prefix);
        int bs = sb.blockSize();
        SuperblockChecks.checkMountable(device, sb, readOnly, prefix);
        Volume vol = new Volume(device, name, sb, readOnly, clock,
            cacheBlocks > 0 ? cacheBlocks : DEFAULT_CACHE_BYTES / bs);
        Ext2FileSystem fs = new Ext2FileSystem(vol);
        try {
            Inode root = vol.readInode(Ext2.EXT2_ROOT_INO);
            if (!root.isDirectory()) {
                throw new FsException(Errno.EUCLEAN, prefix + "root inode 2 is not a directory (mode 0"
                    + Integer.toOctalString(root.mode()) + ")");
            }
            if ((sb.state() & Ext2.EXT2_ERROR_FS) != 0) {
                LOG.warn("{}the filesystem has errors recorded in its superblock: run e2fsck", prefix);
            } else if ((sb.state() & Ext2.EXT2_VALID_FS) == 0) {
                LOG.warn("{}was not cleanly unmounted: run e2fsck", prefix);
            }
            if (!readOnly) {
                fs.inodes.releaseOrphansAtMount();
                sb.state(sb.state() & ~Ext2.EXT2_VALID_FS);
                sb.mntCount(sb.mntCount() + 1);
                sb.mtime(vol.now());
                vol.markDirty();
                vol.writeBack(false);
            }
        } catch (FsException e) {
            throw e;
        } catch (IOException e) {
            throw new FsException(Errno.EIO, prefix + "mount: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new FsException(Errno.EUCLEAN, prefix + "mount: damaged filesystem: " + e, e);
        }
        LOG.info("{}mounted {} ({} blocks of {} bytes, {} inodes, {} groups)", prefix, readOnly ? "read-only" : "read-write",
            sb.blocksCount(), bs, sb.inodesCount(), vol.groupCount);
        return fs;
    }

    // ---- plumbing ----------------------------------------------------------------------------

    private interface Op<T> {
        T run() throws IOException;
    }

    private <T> T locked(String what, Op<T> op) throws FsException {
        lock.lock();
        try {
            if (unmounted) {
                throw new FsException(Errno.EIO, vol.prefix() + "unmounted");
            }
            return op.run();
        } catch (FsException e) {
            throw e;
        } catch (IOException e) {
            throw vol.ioError(what, e);
        } catch (RuntimeException e) {
            // Only damage we failed to recognise gets here: treat it as corruption, not a crash.
            LOG.error("{}{}: unexpected failure", vol.prefix(), what, e);
            throw vol.corrupt(what + ": " + e);
        } finally {
            lock.unlock();
        }
    }

    private interface VoidOp {
        void run() throws IOException;
    }

    private void lockedVoid(String what, VoidOp op) throws FsException {
        locked(what, () -> {
            op.run();
            return null;
        });
    }

    private static byte[] checkName(String name) throws FsException {
        if (name == null || name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new FsException(Errno.EINVAL, "invalid file name: '" + name + "'");
        }
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > Ext2.EXT2_NAME_LEN) {
            throw new FsException(Errno.ENAMETOOLONG, "name of " + bytes.length + " bytes (ext2 allows "
                + Ext2.EXT2_NAME_LEN + "): " + name.substring(0, 20) + "...");
        }
        return bytes;
    }

    private static byte[] checkNewName(String name) throws FsException {
        byte[] bytes = checkName(name);
        if (name.equals(".") || name.equals("..")) {
            throw new FsException(Errno.EEXIST, "'" + name + "' always exists");
        }
        return bytes;
    }

    private static Instant time(long seconds) {
        return Instant.ofEpochSecond(seconds);
    }

    private long seconds(Instant t) {
        return Math.max(0, Math.min(t.getEpochSecond(), 0xFFFFFFFFL));
    }

    // ---- FileSystem --------------------------------------------------------------------------

    @Override
    public String typeName() {
        return Ext2FileSystemType.NAME;
    }

    @Override
    public long rootIno() {
        return Ext2.EXT2_ROOT_INO;
    }

    @Override
    public boolean readOnly() {
        return vol.readOnly;
    }

    /** The volume label (s_volume_name). */
    public String label() {
        return vol.sb.volumeName();
    }

    @Override
    public FileAttributes getattr(long ino) throws FsException {
        return locked("getattr " + ino, () -> attributes(inodes.live(ino)));
    }

    private FileAttributes attributes(Inode in) {
        FileType type = in.type();
        long rdev = type == FileType.CHARACTER_DEVICE || type == FileType.BLOCK_DEVICE ? in.rdev() : 0;
        return new FileAttributes(in.ino, type, in.mode() & 07777, in.linksCount(), in.uid(), in.gid(), in.size(),
            in.blocks512(), time(in.atime()), time(in.mtime()), time(in.ctime()), rdev);
    }

    @Override
    public void setattr(long ino, AttributeChanges changes) throws FsException {
        lockedVoid("setattr " + ino, () -> {
            vol.checkWritable();
            Inode in = inodes.live(ino);
            if (changes.permissions() != null) {
                in.mode((in.mode() & FileType.S_IFMT) | (changes.permissions() & 07777));
            }
            if (changes.uid() != null) {
                in.uid(changes.uid());
            }
            if (changes.gid() != null) {
                in.gid(changes.gid());
            }
            if (changes.accessed() != null) {
                in.atime(seconds(changes.accessed()));
            }
            if (changes.modified() != null) {
                in.mtime(seconds(changes.modified()));
            }
            in.ctime(vol.now());
            vol.writeInode(in);
        });
    }

    @Override
    public long lookup(long dir, String name) throws FsException {
        byte[] bytes = checkName(name);
        return locked("lookup '" + name + "' in " + dir, () -> {
            Inode d = inodes.directory(dir);
            Directory.Slot s = dirs.find(d, bytes);
            if (s == null) {
                throw new FsException(Errno.ENOENT, vol.prefix() + "no '" + name + "' in directory inode " + dir);
            }
            inodes.target(d, s);
            return s.ino;
        });
    }

    @Override
    public List<DirEntry> readdir(long dir) throws FsException {
        return locked("readdir " + dir, () -> {
            Inode d = inodes.directory(dir);
            List<DirEntry> dots = new ArrayList<>(2);
            List<DirEntry> rest = new ArrayList<>();
            dirs.scan(d, s -> {
                if (s.ino != 0) {
                    String n = Directory.name(s);
                    DirEntry e = new DirEntry(n, s.ino, Directory.fromFileType(s.fileType));
                    (n.equals(".") || n.equals("..") ? dots : rest).add(e);
                }
                return false;
            });
            dots.addAll(rest);
            return dots;
        });
    }

    @Override
    public long create(long dir, String name, FileType type, int permissions, int uid, int gid) throws FsException {
        byte[] bytes = checkNewName(name);
        if (type == null || type == FileType.SYMLINK) {
            throw new FsException(Errno.EINVAL, "create: type " + type + " (symbolic links are made by symlink)");
        }
        return locked("create '" + name + "' in " + dir, () -> names.create(dir, name, bytes, type, permissions, uid, gid));
    }

    @Override
    public long symlink(long dir, String name, String target, int uid, int gid) throws FsException {
        byte[] bytes = checkNewName(name);
        byte[] text = target.getBytes(StandardCharsets.UTF_8);
        if (text.length == 0) {
            throw new FsException(Errno.ENOENT, "symlink: empty target");
        }
        return locked("symlink '" + name + "' in " + dir, () -> names.symlink(dir, name, bytes, text, uid, gid));
    }

    @Override
    public void link(long dir, String name, long ino) throws FsException {
        byte[] bytes = checkNewName(name);
        lockedVoid("link '" + name + "' in " + dir, () -> names.link(dir, name, bytes, ino));
    }

    @Override
    public void unlink(long dir, String name) throws FsException {
        byte[] bytes = checkName(name);
        lockedVoid("unlink '" + name + "' in " + dir, () -> names.unlink(dir, name, bytes));
    }

    @Override
    public void rmdir(long dir, String name) throws FsException {
        byte[] bytes = checkName(name);
        if (name.equals(".")) {
            throw new FsException(Errno.EINVAL, "rmdir: '.'");
        }
        if (name.equals("..")) {
            throw new FsException(Errno.ENOTEMPTY, "rmdir: '..'");
        }
        lockedVoid("rmdir '" + name + "' in " + dir, () -> names.rmdir(dir, name, bytes));
    }

    @Override
    public void rename(long fromDir, String fromName, long toDir, String toName) throws FsException {
        byte[] from = checkName(fromName);
        byte[] to = checkNewName(toName);
        if (fromName.equals(".") || fromName.equals("..")) {
            throw new FsException(Errno.EINVAL, "rename: '" + fromName + "'");
        }
        lockedVoid("rename '" + fromName + "' to '" + toName + "'", () -> names.rename(fromDir, fromName, from, toDir, toName, to));
    }

    @Override
    public String readlink(long ino) throws FsException {
        return locked("readlink " + ino, () -> names.readlink(ino));
    }

    @Override
    public int read(long ino, long offset, ByteBuffer dst) throws FsException {
        if (offset < 0) {
            throw new FsException(Errno.EINVAL, "read: negative offset " + offset);
        }
        return locked("read inode " + ino, () -> contents.read(ino, offset, dst));
    }

    @Override
    public int write(long ino, long offset, ByteBuffer src) throws FsException {
        if (offset < 0) {
            throw new FsException(Errno.EINVAL, "write: negative offset " + offset);
        }
        return locked("write inode " + ino, () -> contents.write(ino, offset, src));
    }

    @Override
    public void truncate(long ino, long size) throws FsException {
        if (size < 0) {
            throw new FsException(Errno.EINVAL, "truncate: negative size " + size);
        }
        lockedVoid("truncate inode " + ino, () -> contents.truncate(ino, size));
    }

    @Override
    public void retain(long ino) throws FsException {
        lockedVoid("open inode " + ino, () -> inodes.retain(ino));
    }

    @Override
    public void release(long ino) throws FsException {
        lockedVoid("close inode " + ino, () -> inodes.release(ino));
    }

    @Override
    public FsStats statfs() throws FsException {
        return locked("statfs", () -> {
            long free = vol.totalFreeBlocks();
            long reserved = vol.sb.reservedBlocksCount();
            return new FsStats(Ext2FileSystemType.NAME, vol.blockSize, vol.blocksCount, free, Math.max(0, free - reserved),
                vol.inodesCount, vol.totalFreeInodes(), Ext2.EXT2_NAME_LEN);
        });
    }

    @Override
    public void sync() throws FsException {
        lockedVoid("sync", vol::sync);
    }

    @Override
    public void unmount() throws FsException {
        lockedVoid("unmount", () -> {
            try {
                // After an I/O error nothing more is written: the disk keeps what was synced.
                if (!vol.mountedReadOnly && !vol.ioFailed) {
                    if (!vol.errorsFound && inodes.noOrphans()) {
                        vol.sb.state(vol.sb.state() | Ext2.EXT2_VALID_FS);
                    }
                    vol.markDirty();
                    vol.sync();
                }
            } finally {
                unmounted = true;
                vol.cache.clear();
            }
            LOG.info("{}unmounted", vol.prefix());
        });
    }

    /** Cache figures, for the benchmark: hits and misses. */
    public String cacheStatistics() {
        return "cache hits " + vol.cache.hits() + ", misses " + vol.cache.misses();
    }
}
