package org.alosj.fs.ext2.impl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * open-but-unlinked inodes) over a {@link Volume}. One lock serialises every operation. An inode
 * unlinked while the VFS holds it open goes on the orphan list (s_last_orphan, chained through
 * i_dtime, as ext3 and e2fsck know it) until its release, so a crash in between leaves nothing
 * e2fsck cannot finish, and the next read-write mount frees it.
 */
public final class Ext2FileSystem implements FileSystem {
    private static final Logger LOG = LoggerFactory.getLogger(Ext2FileSystem.class);

    private final Volume vol;
    private final Directory dirs;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Long, Integer> openCounts = new HashMap<>();
    /** Inodes with no link left, alive while open; in chain order. */
    private final LinkedHashSet<Long> orphans = new LinkedHashSet<>();
    private boolean unmounted;

    private Ext2FileSystem(Volume vol) {
        this.vol = vol;
        this.dirs = new Directory(vol);
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
        Superblock sb = readSuperblock(device, prefix);
        int bs = sb.blockSize();
        if (bs % device.sectorSize() != 0) {
            throw new FsException(Errno.EINVAL, prefix + "block size " + bs + " is not a multiple of the "
                + device.sectorSize() + "-byte sectors");
        }
        long deviceBlocks = device.sectorCount() * device.sectorSize() / bs;
        if (sb.blocksCount() > deviceBlocks) {
            throw new FsException(Errno.EUCLEAN, prefix + "the filesystem has " + sb.blocksCount()
                + " blocks but the device holds only " + deviceBlocks + " (truncated image?)");
        }
        int incompat = sb.featureIncompat() & ~Ext2.SUPPORTED_INCOMPAT;
        if (incompat != 0) {
            throw new FsException(Errno.EINVAL, prefix + "unsupported incompatible feature(s): "
                + Ext2.incompatNames(incompat) + " (this is not a plain ext2 filesystem)");
        }
        int roCompat = sb.featureRoCompat() & ~Ext2.SUPPORTED_RO_COMPAT;
        if (roCompat != 0 && !readOnly) {
            throw new FsException(Errno.EROFS, prefix + "feature(s) " + Ext2.roCompatNames(roCompat)
                + " can only be read by this ext2: mount it read-only");
        }
        if (!readOnly && device.readOnly()) {
            throw new FsException(Errno.EROFS, prefix + "the device is read-only: mount it read-only");
        }
        if ((sb.featureCompat() & Ext2.EXT3_FEATURE_COMPAT_HAS_JOURNAL) != 0) {
            LOG.warn("{}has a journal (ext3); it is mounted as ext2, the journal is not used", prefix);
        }
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
                fs.releaseOrphansAtMount();
                sb.state(sb.state() & ~Ext2.EXT2_VALID_FS);
                sb.mntCount(sb.mntCount() + 1);
                sb.mtime(vol.now());
                vol.markDirty();
                vol.sync();
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

    static Superblock readSuperblock(BlockDevice device, String prefix) throws FsException {
        int sector = device.sectorSize();
        long bytes = device.sectorCount() * sector;
        // Whole sectors from the start of the device up to the superblock's end, whatever the sector size.
        int span = (Ext2.SUPERBLOCK_OFFSET + Ext2.SUPERBLOCK_SIZE + sector - 1) / sector * sector;
        if (sector <= 0 || bytes < span) {
            throw new FsException(Errno.EINVAL, prefix + "the device (" + bytes + " bytes) is too small for an ext2 superblock");
        }
        ByteBuffer buf = ByteBuffer.allocate(span);
        try {
            device.read(0, buf);
        } catch (IOException e) {
            throw new FsException(Errno.EIO, prefix + "cannot read the superblock: " + e.getMessage(), e);
        }
        Superblock sb = new Superblock(java.util.Arrays.copyOfRange(buf.array(), Ext2.SUPERBLOCK_OFFSET,
            Ext2.SUPERBLOCK_OFFSET + Ext2.SUPERBLOCK_SIZE));
        if (sb.magic() != Ext2.EXT2_SUPER_MAGIC) {
            throw new FsException(Errno.EINVAL, prefix + "no ext2 superblock (magic 0x" + Integer.toHexString(sb.magic())
                + " at byte 1080, expected 0xef53)");
        }
        String bad = null;
        if (sb.revLevel() > Ext2.EXT2_DYNAMIC_REV) {
            bad = "revision " + sb.revLevel() + " (0 and 1 are known)";
        } else if (sb.logBlockSize() > 6) {
            bad = "s_log_block_size " + sb.logBlockSize() + " (block size over 64 KiB)";
        } else if (sb.firstDataBlock() != (sb.blockSize() == 1024 ? 1 : 0)) {
            bad = "s_first_data_block " + sb.firstDataBlock() + " with " + sb.blockSize() + "-byte blocks";
        } else if (sb.blocksPerGroup() == 0 || sb.blocksPerGroup() > 8L * sb.blockSize()) {
            bad = "s_blocks_per_group " + sb.blocksPerGroup();
        } else if (sb.inodesPerGroup() == 0 || sb.inodesPerGroup() > 8L * sb.blockSize()) {
            bad = "s_inodes_per_group " + sb.inodesPerGroup();
        } else if (sb.inodeSize() < Ext2.EXT2_GOOD_OLD_INODE_SIZE || sb.inodeSize() > sb.blockSize()
            || Integer.bitCount(sb.inodeSize()) != 1) {
            bad = "s_inode_size " + sb.inodeSize();
        } else if (sb.blocksCount() <= sb.firstDataBlock()) {
            bad = "s_blocks_count " + sb.blocksCount();
        } else if (sb.inodesCount() != sb.groupCount() * sb.inodesPerGroup()) {
            bad = "s_inodes_count " + sb.inodesCount() + " is not " + sb.groupCount() + " groups of "
                + sb.inodesPerGroup() + " inodes";
        } else if (sb.firstIno() < Ext2.EXT2_GOOD_OLD_FIRST_INO || sb.firstIno() > sb.inodesCount()) {
            bad = "s_first_ino " + sb.firstIno();
        } else if ((sb.groupCount() * Ext2.GROUP_DESC_SIZE + sb.blockSize() - 1) / sb.blockSize()
            >= sb.blocksPerGroup()) {
            bad = "group descriptors do not fit group 0";
        }
        if (bad != null) {
            throw new FsException(Errno.EUCLEAN, prefix + "corrupt superblock: " + bad);
        }
        return sb;
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

    /** An inode the VFS names: in use (linked, or open and orphaned). */
    private Inode live(long ino) throws IOException {
        Inode in = vol.readInode(ino);
        if (in.mode() == 0 || (in.linksCount() == 0 && !openCounts.containsKey(ino)) || in.type() == null) {
            throw new FsException(Errno.ENOENT, vol.prefix() + "inode " + ino + " is not in use");
        }
        return in;
    }

    private Inode directory(long ino) throws IOException {
        Inode in = live(ino);
        if (!in.isDirectory()) {
            throw new FsException(Errno.ENOTDIR, vol.prefix() + "inode " + ino + " is not a directory");
        }
        return in;
    }

    private Inode regular(long ino) throws IOException {
        Inode in = live(ino);
        if (in.isDirectory()) {
            throw new FsException(Errno.EISDIR, vol.prefix() + "inode " + ino + " is a directory");
        }
        if (!in.isRegular()) {
            throw new FsException(Errno.EINVAL, vol.prefix() + "inode " + ino + " is not a regular file");
        }
        return in;
    }

    /** The inode a directory entry names, checked: an entry pointing at a free inode is corruption. */
    private Inode target(Inode dir, Directory.Slot slot) throws IOException {
        Inode in = vol.readInode(slot.ino);
        if (in.mode() == 0 || in.type() == null || (in.linksCount() == 0 && !openCounts.containsKey(slot.ino))) {
            throw vol.corrupt("directory inode " + dir.ino + " entry '" + Directory.name(slot) + "' names inode "
                + slot.ino + ", which is not in use (mode 0" + Integer.toOctalString(in.mode()) + ", "
                + in.linksCount() + " links)");
        }
        return in;
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
        return locked("getattr " + ino, () -> attributes(live(ino)));
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
            Inode in = live(ino);
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
            Inode d = directory(dir);
            Directory.Slot s = dirs.find(d, bytes);
            if (s == null) {
                throw new FsException(Errno.ENOENT, vol.prefix() + "no '" + name + "' in directory inode " + dir);
            }
            target(d, s);
            return s.ino;
        });
    }

    @Override
    public List<DirEntry> readdir(long dir) throws FsException {
        return locked("readdir " + dir, () -> {
            Inode d = directory(dir);
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
        return locked("create '" + name + "' in " + dir, () -> {
            vol.checkWritable();
            Inode d = directory(dir);
            if (dirs.find(d, bytes) != null) {
                throw new FsException(Errno.EEXIST, vol.prefix() + "'" + name + "' exists in directory inode " + dir);
            }
            boolean isDir = type == FileType.DIRECTORY;
            if (isDir && d.linksCount() >= Ext2.EXT2_LINK_MAX) {
                throw new FsException(Errno.EMLINK, vol.prefix() + "directory inode " + dir + " has "
                    + d.linksCount() + " links, the most ext2 allows");
            }
            Inode in = newInode(dir, type, permissions, uid, gid);
            try {
                if (isDir) {
                    in.linksCount(2);
                    dirs.initialise(in, dir);
                }
                vol.writeInode(in);
                dirs.add(d, bytes, in.ino, type);
            } catch (FsException e) {
                if (e.errno() == Errno.ENOSPC) {
                    discard(in);
                }
                throw e;
            }
            if (isDir) {
                d.linksCount(d.linksCount() + 1);
            }
            vol.writeInode(d);
            return in.ino;
        });
    }

    /** Undoes a half-made inode after ENOSPC. */
    private void discard(Inode in) throws IOException {
        vol.freeFrom(in, 0);
        in.linksCount(0);
        in.dtime(vol.now());
        vol.writeInode(in);
        vol.freeInode(in.ino, in.isDirectory());
    }

    private Inode newInode(long parent, FileType type, int permissions, int uid, int gid) throws IOException {
        long ino = vol.allocInode(parent, type == FileType.DIRECTORY);
        Inode in = new Inode(ino, new byte[vol.inodeSize]);
        long now = vol.now();
        in.mode(type.modeBits() | (permissions & 07777));
        in.uid(uid);
        in.gid(gid);
        in.atime(now);
        in.ctime(now);
        in.mtime(now);
        in.linksCount(1);
        in.generation(ino * 2654435761L);
        if (vol.inodeSize > Ext2.EXT2_GOOD_OLD_INODE_SIZE) {
            in.extraIsize(Math.min(32, vol.inodeSize - Ext2.EXT2_GOOD_OLD_INODE_SIZE));
        }
        return in;
    }

    @Override
    public long symlink(long dir, String name, String target, int uid, int gid) throws FsException {
        byte[] bytes = checkNewName(name);
        byte[] text = target.getBytes(StandardCharsets.UTF_8);
        if (text.length == 0) {
            throw new FsException(Errno.ENOENT, "symlink: empty target");
        }
        return locked("symlink '" + name + "' in " + dir, () -> {
            vol.checkWritable();
            if (text.length >= vol.blockSize) {
                throw new FsException(Errno.ENAMETOOLONG, vol.prefix() + "symlink target of " + text.length
                    + " bytes does not fit a " + vol.blockSize + "-byte block");
            }
            Inode d = directory(dir);
            if (dirs.find(d, bytes) != null) {
                throw new FsException(Errno.EEXIST, vol.prefix() + "'" + name + "' exists in directory inode " + dir);
            }
            Inode in = newInode(dir, FileType.SYMLINK, 0777, uid, gid);
            try {
                if (text.length < Ext2.FAST_SYMLINK_MAX) {
                    in.blockArea(text);
                } else {
                    long phys = vol.mapOrAllocate(in, 0, vol.groupGoal(in.ino));
                    byte[] data = vol.cache.create(phys);
                    System.arraycopy(text, 0, data, 0, text.length);
                    vol.cache.markDirty(phys, data);
                }
                in.size(text.length);
                vol.writeInode(in);
                dirs.add(d, bytes, in.ino, FileType.SYMLINK);
            } catch (FsException e) {
                if (e.errno() == Errno.ENOSPC) {
                    if (text.length < Ext2.FAST_SYMLINK_MAX) {
                        in.blockArea(new byte[0]);
                    }
                    discard(in);
                }
                throw e;
            }
            vol.writeInode(d);
            return in.ino;
        });
    }

    @Override
    public void link(long dir, String name, long ino) throws FsException {
        byte[] bytes = checkNewName(name);
        lockedVoid("link '" + name + "' in " + dir, () -> {
            vol.checkWritable();
            Inode d = directory(dir);
            Inode in = live(ino);
            if (in.isDirectory()) {
                throw new FsException(Errno.EPERM, vol.prefix() + "hard link to directory inode " + ino);
            }
            if (in.linksCount() == 0) {
                throw new FsException(Errno.ENOENT, vol.prefix() + "inode " + ino + " has been unlinked");
            }
            if (in.linksCount() >= Ext2.EXT2_LINK_MAX) {
                throw new FsException(Errno.EMLINK, vol.prefix() + "inode " + ino + " has " + in.linksCount() + " links");
            }
            if (dirs.find(d, bytes) != null) {
                throw new FsException(Errno.EEXIST, vol.prefix() + "'" + name + "' exists in directory inode " + dir);
            }
            dirs.add(d, bytes, ino, in.type());
            vol.writeInode(d);
            in.linksCount(in.linksCount() + 1);
            in.ctime(vol.now());
            vol.writeInode(in);
        });
    }

    @Override
    public void unlink(long dir, String name) throws FsException {
        byte[] bytes = checkName(name);
        lockedVoid("unlink '" + name + "' in " + dir, () -> {
            vol.checkWritable();
            Inode d = directory(dir);
            Directory.Slot s = dirs.find(d, bytes);
            if (s == null) {
                throw new FsException(Errno.ENOENT, vol.prefix() + "no '" + name + "' in directory inode " + dir);
            }
            Inode in = target(d, s);
            if (in.isDirectory()) {
                throw new FsException(Errno.EISDIR, vol.prefix() + "'" + name + "' is a directory");
            }
            dirs.remove(d, s);
            vol.writeInode(d);
            dropLink(in);
        });
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
        lockedVoid("rmdir '" + name + "' in " + dir, () -> {
            vol.checkWritable();
            Inode d = directory(dir);
            Directory.Slot s = dirs.find(d, bytes);
            if (s == null) {
                throw new FsException(Errno.ENOENT, vol.prefix() + "no '" + name + "' in directory inode " + dir);
            }
            Inode in = target(d, s);
            if (!in.isDirectory()) {
                throw new FsException(Errno.ENOTDIR, vol.prefix() + "'" + name + "' is not a directory");
            }
            if (!dirs.isEmpty(in)) {
                throw new FsException(Errno.ENOTEMPTY, vol.prefix() + "directory '" + name + "' is not empty");
            }
            dirs.remove(d, s);
            d.linksCount(Math.max(1, d.linksCount() - 1));
            vol.writeInode(d);
            dropLink(in);
        });
    }

    /** Takes one name away from an inode (a directory loses both of its own); frees it or orphans it at zero. */
    private void dropLink(Inode in) throws IOException {
        in.linksCount(in.isDirectory() ? 0 : Math.max(0, in.linksCount() - 1));
        in.ctime(vol.now());
        if (in.linksCount() > 0) {
            vol.writeInode(in);
        } else if (openCounts.containsKey(in.ino)) {
            vol.writeInode(in);
            orphans.add(in.ino);
            writeOrphanChain();
        } else {
            freeInode(in);
        }
    }

    /** Frees an inode with no link and no opener: its blocks, its EA block, its bitmap bit. */
    private void freeInode(Inode in) throws IOException {
        boolean fastSymlink = in.isSymlink() && in.blocks512() - eaBlocks(in) == 0;
        FileType type = in.type();
        boolean hasBlocks = type == FileType.REGULAR || type == FileType.DIRECTORY || (type == FileType.SYMLINK && !fastSymlink);
        if (hasBlocks) {
            vol.freeFrom(in, 0);
        }
        if (in.fileAcl() != 0) {
            releaseEaBlock(in);
        }
        if (orphans.remove(in.ino)) {
            writeOrphanChain();
        }
        in.linksCount(0);
        in.size(0);
        in.dtime(vol.now());
        vol.writeInode(in);
        vol.freeInode(in.ino, in.isDirectory());
    }

    private long eaBlocks(Inode in) {
        return in.fileAcl() != 0 ? vol.sectorsPerBlock512 : 0;
    }

    /** Drops the inode's reference to its extended attribute block, freeing the block with the last one. */
    private void releaseEaBlock(Inode in) throws IOException {
        long block = vol.checkPointer(in.ino, in.fileAcl(), "i_file_acl");
        byte[] data = vol.cache.read(block);
        ByteBuffer b = ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != Ext2.EXT2_EXT_ATTR_MAGIC) {
            throw vol.corrupt("inode " + in.ino + ": extended attribute block " + block + " has no EA magic");
        }
        int refs = b.getInt(4);
        if (refs > 1) {
            b.putInt(4, refs - 1);
            vol.cache.markDirty(block, data);
        } else {
            vol.freeBlock(in.ino, block);
        }
        in.fileAcl(0);
        in.blocks512(Math.max(0, in.blocks512() - vol.sectorsPerBlock512));
    }

    /** Writes the orphan list: s_last_orphan names the first, each one's i_dtime the next. */
    private void writeOrphanChain() throws IOException {
        long next = 0;
        List<Long> list = new ArrayList<>(orphans);
        for (int i = list.size() - 1; i >= 0; i--) {
            Inode in = vol.readInode(list.get(i));
            in.dtime(next);
            vol.writeInode(in);
            next = in.ino;
        }
        vol.sb.lastOrphan(next);
        vol.markDirty();
    }

    /** A read-write mount finishes what a crash interrupted: inodes left on the orphan list are freed. */
    private void releaseOrphansAtMount() throws IOException {
        long ino = vol.sb.lastOrphan();
        Set<Long> seen = new HashSet<>();
        while (ino != 0) {
            if (ino < vol.sb.firstIno() || ino > vol.inodesCount || !seen.add(ino)) {
                LOG.warn("{}orphan list broken at inode {}; left for e2fsck", vol.prefix(), ino);
                break;
            }
            Inode in = vol.readInode(ino);
            long next = in.dtime();
            if (in.linksCount() == 0 && in.mode() != 0 && vol.inodeInUse(ino)) {
                LOG.info("{}freeing orphaned inode {} (unlinked while open before the last unmount)", vol.prefix(), ino);
                freeInode(in);
            } else {
                in.dtime(0);
                vol.writeInode(in);
            }
            ino = next;
        }
        vol.sb.lastOrphan(0);
        vol.markDirty();
    }

    @Override
    public void rename(long fromDir, String fromName, long toDir, String toName) throws FsException {
        byte[] from = checkName(fromName);
        byte[] to = checkNewName(toName);
        if (fromName.equals(".") || fromName.equals("..")) {
            throw new FsException(Errno.EINVAL, "rename: '" + fromName + "'");
        }
        lockedVoid("rename '" + fromName + "' to '" + toName + "'", () -> {
            vol.checkWritable();
            Inode src = directory(fromDir);
            Inode dst = fromDir == toDir ? src : directory(toDir);
            Directory.Slot fromSlot = dirs.find(src, from);
            if (fromSlot == null) {
                throw new FsException(Errno.ENOENT, vol.prefix() + "no '" + fromName + "' in directory inode " + fromDir);
            }
            Inode moving = target(src, fromSlot);
            Directory.Slot toSlot = dirs.find(dst, to);
            Inode replaced = toSlot == null ? null : target(dst, toSlot);
            if (replaced != null && replaced.ino == moving.ino) {
                return; // two names of one inode: POSIX says do nothing
            }
            boolean isDir = moving.isDirectory();
            if (isDir && fromDir != toDir) {
                checkNotInside(moving.ino, toDir); // EINVAL comes before any other complaint, as in Linux
            }
            if (replaced != null) {
                if (isDir && !replaced.isDirectory()) {
                    throw new FsException(Errno.ENOTDIR, vol.prefix() + "'" + toName + "' is not a directory");
                }
                if (!isDir && replaced.isDirectory()) {
                    throw new FsException(Errno.EISDIR, vol.prefix() + "'" + toName + "' is a directory");
                }
                if (replaced.isDirectory() && !dirs.isEmpty(replaced)) {
                    throw new FsException(Errno.ENOTEMPTY, vol.prefix() + "directory '" + toName + "' is not empty");
                }
            }
            if (isDir && fromDir != toDir) {
                if (replaced == null && dst.linksCount() >= Ext2.EXT2_LINK_MAX) {
                    throw new FsException(Errno.EMLINK, vol.prefix() + "directory inode " + toDir + " has too many links");
                }
            }
            // The new name first, then the old one goes: a crash in between leaves an extra link, never a lost file.
            if (toSlot != null) {
                dirs.retarget(dst, toSlot, moving.ino, moving.type());
            } else {
                dirs.add(dst, to, moving.ino, moving.type());
            }
            vol.writeInode(dst);
            // Look the old name up again: adding may have rearranged the block it sits in.
            Directory.Slot old = dirs.find(src, from);
            if (old == null || old.ino != moving.ino) {
                throw vol.corrupt("rename: entry '" + fromName + "' of directory inode " + fromDir + " changed under the rename");
            }
            dirs.remove(src, old);
            if (isDir && fromDir != toDir) {
                Directory.Slot dotdot = dirs.find(moving, "..".getBytes(StandardCharsets.US_ASCII));
                if (dotdot == null) {
                    throw vol.corrupt("directory inode " + moving.ino + " has no '..' entry");
                }
                dirs.retarget(moving, dotdot, toDir, FileType.DIRECTORY);
                src.linksCount(Math.max(1, src.linksCount() - 1));
                dst.linksCount(dst.linksCount() + 1);
            }
            if (isDir && replaced != null) {
                dst.linksCount(Math.max(1, dst.linksCount() - 1)); // the replaced directory's '..'
            }
            vol.writeInode(src);
            if (fromDir != toDir) {
                vol.writeInode(dst);
            }
            moving.ctime(vol.now());
            vol.writeInode(moving);
            if (replaced != null) {
                dropLink(vol.readInode(replaced.ino));
            }
        });
    }

    /** EINVAL if directory {@code dir} is {@code ancestor} or lies below it (following '..' to the root, bounded). */
    private void checkNotInside(long ancestor, long dir) throws IOException {
        long cur = dir;
        byte[] dotdot = "..".getBytes(StandardCharsets.US_ASCII);
        Set<Long> seen = new HashSet<>();
        while (cur != Ext2.EXT2_ROOT_INO) {
            if (cur == ancestor) {
                throw new FsException(Errno.EINVAL, vol.prefix() + "cannot move directory inode " + ancestor
                    + " into itself");
            }
            if (!seen.add(cur)) {
                throw vol.corrupt("directory inode " + dir + ": its '..' chain loops at inode " + cur + " and never reaches the root");
            }
            Inode in = vol.readInode(cur);
            Directory.Slot s = dirs.find(in, dotdot);
            if (s == null) {
                throw vol.corrupt("directory inode " + cur + " has no '..' entry");
            }
            cur = s.ino;
        }
        if (ancestor == Ext2.EXT2_ROOT_INO) {
            throw new FsException(Errno.EINVAL, vol.prefix() + "cannot move the root directory");
        }
    }

    @Override
    public String readlink(long ino) throws FsException {
        return locked("readlink " + ino, () -> {
            Inode in = live(ino);
            if (!in.isSymlink()) {
                throw new FsException(Errno.EINVAL, vol.prefix() + "inode " + ino + " is not a symbolic link");
            }
            long size = in.size();
            if (size <= 0 || size >= vol.blockSize) {
                throw vol.corrupt("symlink inode " + ino + ": length " + size + " out of range");
            }
            if (in.blocks512() - eaBlocks(in) == 0) {
                if (size >= Ext2.FAST_SYMLINK_MAX) {
                    throw vol.corrupt("fast symlink inode " + ino + ": length " + size + " does not fit i_block");
                }
                return new String(in.blockArea(), 0, (int) size, StandardCharsets.UTF_8);
            }
            long phys = vol.map(in, 0);
            if (phys == 0) {
                throw vol.corrupt("symlink inode " + ino + " has no data block");
            }
            return new String(vol.cache.read(phys), 0, (int) size, StandardCharsets.UTF_8);
        });
    }

    /** The largest size a file can reach: the triple indirect range, and 2^32 - 1 512-byte units of i_blocks. */
    private long maxFileSize() {
        if (vol.sb.revLevel() == Ext2.EXT2_GOOD_OLD_REV) {
            return Integer.MAX_VALUE; // revision 0 has no large_file feature to record more
        }
        long byMap = vol.maxLogicalBlocks() * vol.blockSize;
        long byBlocks = (0xFFFFFFFFL * 512) - 4L * vol.blockSize * (1 + 3);
        return Math.min(byMap, byBlocks);
    }

    private static final byte[] ZEROS = new byte[64 * 1024];

    private static void putZeros(ByteBuffer dst, long count) {
        while (count > 0) {
            int n = (int) Math.min(count, ZEROS.length);
            dst.put(ZEROS, 0, n);
            count -= n;
        }
    }

    /** Most blocks moved in one device transfer. */
    private static final int MAX_RUN_BYTES = 1 << 20;

    @Override
    public int read(long ino, long offset, ByteBuffer dst) throws FsException {
        if (offset < 0) {
            throw new FsException(Errno.EINVAL, "read: negative offset " + offset);
        }
        return locked("read inode " + ino, () -> {
            Inode in = regular(ino);
            long size = in.size();
            if (offset >= size || !dst.hasRemaining()) {
                return 0;
            }
            int bs = vol.blockSize;
            int total = (int) Math.min(dst.remaining(), size - offset);
            long pos = offset;
            long end = offset + total;
            while (pos < end) {
                long lb = pos / bs;
                int inBlock = (int) (pos % bs);
                if (inBlock == 0 && end - pos >= bs) {
                    long phys = vol.map(in, lb);
                    int maxRun = (int) Math.min((end - pos) / bs, MAX_RUN_BYTES / bs);
                    int run = 1;
                    if (phys == 0) {
                        while (run < maxRun && vol.map(in, lb + run) == 0) {
                            run++;
                        }
                        putZeros(dst, (long) run * bs);
                    } else {
                        while (run < maxRun && vol.map(in, lb + run) == phys + run) {
                            run++;
                        }
                        vol.cache.readRun(phys, run, dst);
                    }
                    pos += (long) run * bs;
                } else {
                    int n = (int) Math.min(bs - inBlock, end - pos);
                    long phys = vol.map(in, lb);
                    if (phys == 0) {
                        putZeros(dst, n);
                    } else {
                        dst.put(vol.cache.read(phys), inBlock, n);
                    }
                    pos += n;
                }
            }
            touchAccess(in);
            return total;
        });
    }

    /** relatime: the access time moves only when it is older than the last change or a day old. */
    private void touchAccess(Inode in) throws IOException {
        if (vol.readOnly) {
            return;
        }
        long now = vol.now();
        if (in.atime() <= in.mtime() || in.atime() <= in.ctime() || now - in.atime() >= 86400) {
            if (in.atime() != now) {
                in.atime(now);
                vol.writeInode(in);
            }
        }
    }

    @Override
    public int write(long ino, long offset, ByteBuffer src) throws FsException {
        if (offset < 0) {
            throw new FsException(Errno.EINVAL, "write: negative offset " + offset);
        }
        return locked("write inode " + ino, () -> {
            vol.checkWritable();
            Inode in = regular(ino);
            if (!src.hasRemaining()) {
                return 0;
            }
            long max = maxFileSize();
            if (offset >= max) {
                throw new FsException(Errno.EFBIG, vol.prefix() + "offset " + offset + " past the largest file ext2 holds ("
                    + max + " bytes)");
            }
            int total = (int) Math.min(src.remaining(), max - offset);
            long oldSize = in.size();
            if (offset > oldSize) {
                zeroTail(in, oldSize);
            }
            int bs = vol.blockSize;
            long pos = offset;
            long end = offset + total;
            long runStart = 0;
            int runBlocks = 0;
            int runSrc = src.position();
            long lastPhys = offset / bs > 0 ? vol.map(in, offset / bs - 1) : 0;
            FsException stopped = null;
            try {
                while (pos < end) {
                    long lb = pos / bs;
                    int inBlock = (int) (pos % bs);
                    long goal = lastPhys != 0 ? lastPhys + 1 : vol.groupGoal(ino);
                    long phys = vol.mapOrAllocate(in, lb, goal);
                    boolean fresh = vol.allocatedData;
                    lastPhys = phys;
                    int n = (int) Math.min(bs - inBlock, end - pos);
                    if (n == bs) {
                        if (runBlocks > 0 && (phys != runStart + runBlocks || runBlocks * bs >= MAX_RUN_BYTES)) {
                            flushRun(src, runSrc, runStart, runBlocks);
                            runBlocks = 0;
                        }
                        if (runBlocks == 0) {
                            runStart = phys;
                            runSrc = src.position() + (int) (pos - offset);
                        }
                        runBlocks++;
                    } else {
                        if (runBlocks > 0) {
                            flushRun(src, runSrc, runStart, runBlocks);
                            runBlocks = 0;
                        }
                        byte[] data = fresh ? vol.cache.create(phys) : vol.cache.read(phys);
                        src.get(src.position() + (int) (pos - offset), data, inBlock, n);
                        vol.cache.markDirty(phys, data);
                    }
                    pos += n;
                }
            } catch (FsException e) {
                if (e.errno() != Errno.ENOSPC) {
                    throw e;
                }
                stopped = e;
            }
            if (runBlocks > 0) {
                flushRun(src, runSrc, runStart, runBlocks);
            }
            int written = (int) (pos - offset);
            long newSize = Math.max(oldSize, pos);
            if (stopped != null) {
                // Blocks (data or indirect) allocated past what was written go back.
                long keep = (newSize + bs - 1) / bs;
                vol.freeFrom(in, keep);
            }
            if (written > 0) {
                in.size(newSize);
                if (newSize > Integer.MAX_VALUE) {
                    setLargeFile();
                }
                long now = vol.now();
                in.mtime(now);
                in.ctime(now);
            }
            vol.writeInode(in);
            src.position(src.position() + written);
            if (written == 0 && stopped != null) {
                throw stopped;
            }
            return written;
        });
    }

    private void flushRun(ByteBuffer src, int srcPos, long first, int blocks) throws IOException {
        ByteBuffer view = src.duplicate();
        view.position(srcPos);
        vol.cache.writeRun(first, blocks, view);
    }

    private void setLargeFile() {
        int ro = vol.sb.featureRoCompat();
        if ((ro & Ext2.EXT2_FEATURE_RO_COMPAT_LARGE_FILE) == 0 && vol.sb.revLevel() >= Ext2.EXT2_DYNAMIC_REV) {
            vol.sb.featureRoCompat(ro | Ext2.EXT2_FEATURE_RO_COMPAT_LARGE_FILE);
            vol.markDirty();
        }
    }

    /** Zeroes the bytes of the block holding {@code size} past it, so a later extension reads zeros. */
    private void zeroTail(Inode in, long size) throws IOException {
        int bs = vol.blockSize;
        int inBlock = (int) (size % bs);
        if (inBlock == 0) {
            return;
        }
        long phys = vol.map(in, size / bs);
        if (phys != 0) {
            byte[] data = vol.cache.read(phys);
            java.util.Arrays.fill(data, inBlock, bs, (byte) 0);
            vol.cache.markDirty(phys, data);
        }
    }

    @Override
    public void truncate(long ino, long size) throws FsException {
        if (size < 0) {
            throw new FsException(Errno.EINVAL, "truncate: negative size " + size);
        }
        lockedVoid("truncate inode " + ino, () -> {
            vol.checkWritable();
            Inode in = regular(ino);
            if (size > maxFileSize()) {
                throw new FsException(Errno.EFBIG, vol.prefix() + "size " + size + " past the largest file ext2 holds");
            }
            long old = in.size();
            if (size < old) {
                zeroTail(in, size);
                vol.freeFrom(in, (size + vol.blockSize - 1) / vol.blockSize);
            } else if (size > old) {
                zeroTail(in, old);
            }
            in.size(size);
            if (size > Integer.MAX_VALUE) {
                setLargeFile();
            }
            long now = vol.now();
            in.mtime(now);
            in.ctime(now);
            vol.writeInode(in);
        });
    }

    @Override
    public void retain(long ino) throws FsException {
        lockedVoid("open inode " + ino, () -> {
            live(ino);
            openCounts.merge(ino, 1, Integer::sum);
        });
    }

    @Override
    public void release(long ino) throws FsException {
        lockedVoid("close inode " + ino, () -> {
            Integer n = openCounts.get(ino);
            if (n == null) {
                throw new FsException(Errno.EBADF, vol.prefix() + "inode " + ino + " is not open");
            }
            if (n > 1) {
                openCounts.put(ino, n - 1);
                return;
            }
            openCounts.remove(ino);
            if (orphans.contains(ino) && !vol.readOnly) {
                freeInode(vol.readInode(ino));
            }
        });
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
                    if (!vol.errorsFound && orphans.isEmpty()) {
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
