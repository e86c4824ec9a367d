package org.alosj.fs.ext2;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.alosj.fs.ext2.impl.Ext2;
import org.alosj.fs.ext2.impl.Ext2FileSystem;
import org.alosj.fs.ext2.impl.Superblock;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.fs.AttributeChanges;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FileSystem;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;

/**
 * mkfs for ext2: writes a fresh revision 1 filesystem (sparse_super, large_file, filetype;
 * 128-byte inodes; root and lost+found) onto a BlockDevice or into an image file, optionally
 * populated from a host directory tree, as {@code mkfs.ext2 -d DIR} does (files with their holes,
 * directories, symbolic links, hard links, FIFOs and sockets, modes, owners and times).
 *
 * <p>Command line (the distribution build uses it):
 * {@code Mkfs IMAGE SIZE [--block-size 1024|2048|4096] [--from DIR] [--label L] [--reserved PCT]
 * [--inode-ratio BYTES]}; SIZE takes K, M or G (binary) suffixes.
 */
public final class Mkfs {
    /**
     * What to make.
     *
     * @param blockSize 1024, 2048 or 4096; 0 picks 1024 up to 512 MiB and 4096 above, as mke2fs does
     * @param label the volume name (at most 16 bytes)
     * @param reservedPercent blocks reserved for root, in percent (default 0: these are small disks)
     * @param inodeRatio bytes per inode; 0 picks 4096 up to 512 MiB and 16384 above
     * @param populateFrom a host directory whose tree is copied in, or null
     */
    public record Options(int blockSize, String label, int reservedPercent, int inodeRatio, Path populateFrom) {
        public Options {
            if (blockSize != 0 && blockSize != 1024 && blockSize != 2048 && blockSize != 4096) {
                throw new IllegalArgumentException("block size " + blockSize + ": 1024, 2048 or 4096");
            }
            if (reservedPercent < 0 || reservedPercent > 50) {
                throw new IllegalArgumentException("reserved blocks " + reservedPercent + "%: 0 to 50");
            }
            if (inodeRatio != 0 && (inodeRatio < 1024 || inodeRatio > 64 * 1024 * 1024)) {
                throw new IllegalArgumentException("inode ratio " + inodeRatio + ": 1024 to 64 MiB");
            }
            label = label == null ? "" : label;
        }

        public static Options defaults() {
            return new Options(0, "", 0, 0, null);
        }

        public Options withBlockSize(int size) {
            return new Options(size, label, reservedPercent, inodeRatio, populateFrom);
        }

        public Options withLabel(String name) {
            return new Options(blockSize, name, reservedPercent, inodeRatio, populateFrom);
        }

        public Options withReservedPercent(int percent) {
            return new Options(blockSize, label, percent, inodeRatio, populateFrom);
        }

        public Options withInodeRatio(int bytesPerInode) {
            return new Options(blockSize, label, reservedPercent, bytesPerInode, populateFrom);
        }

        public Options withPopulateFrom(Path dir) {
            return new Options(blockSize, label, reservedPercent, inodeRatio, dir);
        }
    }

    /** What was made, in the words of mke2fs's summary. */
    public record Result(int blockSize, long blocks, long inodes, int groups, long freeBlocks, long freeInodes) {
        @Override
        public String toString() {
            return blocks + " blocks of " + blockSize + " bytes, " + inodes + " inodes, " + groups + " block group"
                + (groups == 1 ? "" : "s") + "; " + freeBlocks + " blocks and " + freeInodes + " inodes free";
        }
    }

    private static final int INODE_SIZE = Ext2.EXT2_GOOD_OLD_INODE_SIZE;
    private static final int LOST_FOUND_INO = 11;

    private final Clock clock;

    public Mkfs() {
        this(Clock.systemUTC());
    }

    public Mkfs(Clock clock) {
        this.clock = clock;
    }

    /** Creates (or replaces) the image file {@code image} of {@code bytes} bytes and formats it. */
    public Result formatImage(Path image, long bytes, Options options) throws IOException {
        try (ImageFileDevice device = ImageFileDevice.create(image, bytes)) {
            return format(device, options, true);
        }
    }

    /**
     * Formats the whole of {@code device}: everything on it is lost. Errors are FsExceptions: EROFS
     * for a read-only device, EINVAL for a block size the sectors do not divide, ENOSPC for a device
     * too small; EIO (a plain IOException) when the device fails.
     */
    public Result format(BlockDevice device, Options options) throws IOException {
        return format(device, options, false);
    }

    private Result format(BlockDevice device, Options options, boolean alreadyZero) throws IOException {
        if (device.readOnly()) {
            throw new FsException(Errno.EROFS, "mkfs: the device is read-only");
        }
        long bytes = device.sectorCount() * device.sectorSize();
        int bs = options.blockSize() != 0 ? options.blockSize() : bytes <= 512L << 20 ? 1024 : 4096;
        if (bs % device.sectorSize() != 0) {
            throw new FsException(Errno.EINVAL, "mkfs: block size " + bs + " is not a multiple of the " + device.sectorSize() + "-byte sectors");
        }
        Layout l = new Layout(bytes, bs, options);
        int spb = bs / device.sectorSize();
        long now = Math.min(clock.instant().getEpochSecond(), 0xFFFFFFFFL);

        // Group 0's first data blocks: the root directory, then lost+found.
        long rootBlock = l.dataStart(0);
        int lostFoundBlocks = Math.min(Ext2.EXT2_NDIR_BLOCKS, Math.max(2, 16384 / bs));
        long lostFoundFirst = rootBlock + 1;
        long group0Used = l.dataStart(0) - l.groupStart(0) + 1 + lostFoundBlocks;

        ByteBuffer gdt = ByteBuffer.allocate(l.gdtBlocks * bs).order(ByteOrder.LITTLE_ENDIAN);
        long freeBlocks = 0;
        long freeInodes = 0;
        ByteBuffer zeros = ByteBuffer.allocate(Math.max(bs, 1 << 20));
        for (int g = 0; g < l.groups; g++) {
            long start = l.groupStart(g);
            long inGroup = l.blocksInGroup(g);
            long used = g == 0 ? group0Used : l.dataStart(g) - start;
            byte[] blockBitmap = new byte[bs];
            setBits(blockBitmap, 0, used);
            setBits(blockBitmap, inGroup, 8L * bs);
            byte[] inodeBitmap = new byte[bs];
            long inodesUsed = g == 0 ? LOST_FOUND_INO : 0;
            setBits(inodeBitmap, 0, inodesUsed);
            setBits(inodeBitmap, l.inodesPerGroup, 8L * bs);
            write(device, l.blockBitmap(g) * spb, ByteBuffer.wrap(blockBitmap));
            write(device, l.inodeBitmap(g) * spb, ByteBuffer.wrap(inodeBitmap));
            if (!alreadyZero) {
                long it = l.inodeTable(g);
                long left = (long) l.inodeTableBlocks * bs;
                long lba = it * spb;
                while (left > 0) {
                    int n = (int) Math.min(left, zeros.capacity());
                    write(device, lba, zeros.duplicate().limit(n));
                    lba += n / device.sectorSize();
                    left -= n;
                }
            }
            int gFreeBlocks = (int) (inGroup - used);
            int gFreeInodes = (int) (l.inodesPerGroup - inodesUsed);
            gdt.putInt(g * 32, (int) l.blockBitmap(g));
            gdt.putInt(g * 32 + 4, (int) l.inodeBitmap(g));
            gdt.putInt(g * 32 + 8, (int) l.inodeTable(g));
            gdt.putShort(g * 32 + 12, (short) gFreeBlocks);
            gdt.putShort(g * 32 + 14, (short) gFreeInodes);
            gdt.putShort(g * 32 + 16, (short) (g == 0 ? 2 : 0));
            freeBlocks += gFreeBlocks;
            freeInodes += gFreeInodes;
        }

        // The root directory and lost+found: inodes and their blocks.
        byte[] table = new byte[bs * ((LOST_FOUND_INO * INODE_SIZE + bs - 1) / bs)];
        ByteBuffer t = ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN);
        writeDirInode(t, (Ext2.EXT2_ROOT_INO - 1) * INODE_SIZE, 040755, 3, bs, new long[] {rootBlock}, now);
        long[] lf = new long[lostFoundBlocks];
        for (int i = 0; i < lostFoundBlocks; i++) {
            lf[i] = lostFoundFirst + i;
        }
        writeDirInode(t, (LOST_FOUND_INO - 1) * INODE_SIZE, 040700, 2, bs, lf, now);
        write(device, l.inodeTable(0) * spb, ByteBuffer.wrap(table));

        byte[] root = new byte[bs];
        int off = dirent(root, 0, Ext2.EXT2_ROOT_INO, 12, ".", Ext2.EXT2_FT_DIR);
        off = dirent(root, off, Ext2.EXT2_ROOT_INO, 12, "..", Ext2.EXT2_FT_DIR);
        dirent(root, off, LOST_FOUND_INO, bs - off, "lost+found", Ext2.EXT2_FT_DIR);
        write(device, rootBlock * spb, ByteBuffer.wrap(root));
        byte[] lostFound = new byte[bs * lostFoundBlocks];
        off = dirent(lostFound, 0, LOST_FOUND_INO, 12, ".", Ext2.EXT2_FT_DIR);
        dirent(lostFound, off, Ext2.EXT2_ROOT_INO, bs - off, "..", Ext2.EXT2_FT_DIR);
        for (int i = 1; i < lostFoundBlocks; i++) {
            dirent(lostFound, i * bs, 0, bs, "", Ext2.EXT2_FT_UNKNOWN);
        }
        write(device, lostFoundFirst * spb, ByteBuffer.wrap(lostFound));

        Superblock sb = new Superblock(new byte[Ext2.SUPERBLOCK_SIZE]);
        sb.inodesCount((long) l.groups * l.inodesPerGroup);
        sb.blocksCount(l.blocks);
        sb.reservedBlocksCount(l.blocks * options.reservedPercent() / 100);
        sb.freeBlocksCount(freeBlocks);
        sb.freeInodesCount(freeInodes);
        sb.firstDataBlock(l.firstDataBlock);
        sb.logBlockSize(Integer.numberOfTrailingZeros(bs) - 10);
        sb.logFragSize(Integer.numberOfTrailingZeros(bs) - 10);
        sb.blocksPerGroup(l.blocksPerGroup);
        sb.fragsPerGroup(l.blocksPerGroup);
        sb.inodesPerGroup(l.inodesPerGroup);
        sb.wtime(now);
        sb.maxMntCount(0xFFFF);
        sb.magic(Ext2.EXT2_SUPER_MAGIC);
        sb.state(Ext2.EXT2_VALID_FS);
        sb.errors(Ext2.EXT2_ERRORS_CONTINUE);
        sb.lastCheck(now);
        sb.revLevel(Ext2.EXT2_DYNAMIC_REV);
        sb.firstIno(Ext2.EXT2_GOOD_OLD_FIRST_INO);
        sb.inodeSize(INODE_SIZE);
        sb.featureIncompat(Ext2.EXT2_FEATURE_INCOMPAT_FILETYPE);
        sb.featureRoCompat(Ext2.EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | Ext2.EXT2_FEATURE_RO_COMPAT_LARGE_FILE);
        byte[] uuid = new byte[16];
        new SecureRandom().nextBytes(uuid);
        uuid[6] = (byte) ((uuid[6] & 0x0F) | 0x40);
        uuid[8] = (byte) ((uuid[8] & 0x3F) | 0x80);
        sb.uuid(uuid);
        sb.volumeName(options.label());
        sb.mkfsTime(now);

        // Backups first, the primary superblock last: until it is written the device is not ext2.
        for (int g = l.groups - 1; g >= 0; g--) {
            if (!Ext2.groupHasSuper(g, true)) {
                continue;
            }
            long start = l.groupStart(g);
            write(device, (start + 1) * spb, gdt.duplicate().clear());
            Superblock copy = sb.copy();
            copy.blockGroupNr(g);
            if (g == 0) {
                // The block holding byte 1024: with blocks over 1 KiB its first 1024 bytes (a boot sector) stay as they are.
                long sbBlock = Ext2.SUPERBLOCK_OFFSET / bs;
                ByteBuffer block = ByteBuffer.allocate(bs);
                device.read(sbBlock * spb, block);
                block.put(Ext2.SUPERBLOCK_OFFSET % bs, copy.bytes());
                write(device, sbBlock * spb, block.clear());
            } else {
                byte[] block = new byte[bs];
                System.arraycopy(copy.bytes(), 0, block, 0, Ext2.SUPERBLOCK_SIZE);
                write(device, start * spb, ByteBuffer.wrap(block));
            }
        }
        device.flush();

        if (options.populateFrom() != null) {
            populate(device, options.populateFrom());
        }
        FileSystem fs = Ext2FileSystem.mount(device, "mkfs", true, clock, 256);
        var stats = fs.statfs();
        fs.unmount();
        return new Result(bs, l.blocks, stats.totalInodes(), l.groups, stats.freeBlocks(), stats.freeInodes());
    }

    private static void write(BlockDevice device, long lba, ByteBuffer data) throws IOException {
        device.write(lba, data);
    }

    private static void setBits(byte[] bitmap, long from, long to) {
        for (long bit = from; bit < to; bit++) {
            bitmap[(int) (bit >>> 3)] |= (byte) (1 << (bit & 7));
        }
    }

    private static void writeDirInode(ByteBuffer t, int off, int mode, int links, int bs, long[] blocks, long now) {
        t.putShort(off, (short) mode);
        t.putInt(off + 4, blocks.length * bs);
        t.putInt(off + 8, (int) now);
        t.putInt(off + 12, (int) now);
        t.putInt(off + 16, (int) now);
        t.putShort(off + 26, (short) links);
        t.putInt(off + 28, blocks.length * (bs / 512));
        for (int i = 0; i < blocks.length; i++) {
            t.putInt(off + 40 + 4 * i, (int) blocks[i]);
        }
    }

    private static int dirent(byte[] block, int off, long ino, int recLen, String name, int type) {
        ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        b.putInt(off, (int) ino);
        b.putShort(off + 4, (short) recLen);
        block[off + 6] = (byte) n.length;
        block[off + 7] = (byte) type;
        System.arraycopy(n, 0, block, off + 8, n.length);
        return off + recLen;
    }

    /** Where everything goes: groups, inode counts, and per group the metadata blocks. */
    private static final class Layout {
        final int bs;
        final long firstDataBlock;
        final long blocksPerGroup;
        long blocks;
        int groups;
        final long inodesPerGroup;
        final int inodeTableBlocks;
        int gdtBlocks;

        Layout(long bytes, int bs, Options options) throws IOException {
            this.bs = bs;
            this.firstDataBlock = bs == 1024 ? 1 : 0;
            this.blocksPerGroup = 8L * bs;
            this.blocks = Math.min(bytes / bs, 0xFFFFFFFFL);
            if (blocks < 64) {
                throw new FsException(Errno.ENOSPC, "mkfs: " + bytes + " bytes is too small for ext2 (at least 64 blocks of " + bs + ")");
            }
            groups = (int) ((blocks - firstDataBlock + blocksPerGroup - 1) / blocksPerGroup);
            int ratio = options.inodeRatio() != 0 ? options.inodeRatio() : bytes <= 512L << 20 ? 4096 : 16384;
            long inodes = Math.max(bytes / ratio, 32);
            int perBlock = bs / INODE_SIZE;
            long ipg = (inodes + groups - 1) / groups;
            ipg = Math.max(16, (ipg + perBlock - 1) / perBlock * perBlock);
            ipg = (ipg + 7) / 8 * 8;
            ipg = Math.min(ipg, Math.min(8L * bs, 65528));
            this.inodesPerGroup = ipg;
            this.inodeTableBlocks = (int) (ipg * INODE_SIZE / bs);
            gdtBlocks = (groups * 32 + bs - 1) / bs;
            long last = blocksInGroup(groups - 1);
            long overhead = (Ext2.groupHasSuper(groups - 1, true) ? 1 + gdtBlocks : 0) + 2 + inodeTableBlocks;
            if (last < overhead + 50) {
                if (groups == 1) {
                    if (last < overhead + 2 + 12 + 8) {
                        throw new FsException(Errno.ENOSPC, "mkfs: " + bytes + " bytes is too small for ext2 with " + bs + "-byte blocks");
                    }
                } else {
                    // Like mke2fs: a last group too small to be useful is left out.
                    blocks -= last;
                    groups--;
                    gdtBlocks = (groups * 32 + bs - 1) / bs;
                }
            }
        }

        long groupStart(int g) {
            return firstDataBlock + g * blocksPerGroup;
        }

        long blocksInGroup(int g) {
            return Math.min(blocksPerGroup, blocks - groupStart(g));
        }

        long blockBitmap(int g) {
            return groupStart(g) + (Ext2.groupHasSuper(g, true) ? 1 + gdtBlocks : 0);
        }

        long inodeBitmap(int g) {
            return blockBitmap(g) + 1;
        }

        long inodeTable(int g) {
            return blockBitmap(g) + 2;
        }

        long dataStart(int g) {
            return inodeTable(g) + inodeTableBlocks;
        }
    }

    // ---- populating from a host tree ---------------------------------------------------------

    /** Copies the tree under {@code dir} into the filesystem on {@code device} (mounted read-write here). */
    public void populate(BlockDevice device, Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new FsException(Errno.ENOTDIR, "mkfs: " + dir + " is not a directory");
        }
        FileSystem fs = Ext2FileSystem.mount(device, "mkfs", false, clock, Ext2FileSystem.DEFAULT_CACHE_BLOCKS);
        try {
            copyTree(fs, dir, fs.rootIno(), new HashMap<>());
            applyAttributes(fs, fs.rootIno(), dir);
        } finally {
            fs.unmount();
        }
    }

    private void copyTree(FileSystem fs, Path dir, long target, Map<Object, Long> linked) throws IOException {
        List<Path> children = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.sorted().forEach(children::add);
        }
        for (Path child : children) {
            String name = child.getFileName().toString();
            if (target == fs.rootIno() && name.equals("lost+found") && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                copyTree(fs, child, fs.lookup(target, name), linked);
                continue;
            }
            Map<String, Object> unix = unixAttributes(child);
            int uid = unix == null ? 0 : (Integer) unix.get("uid");
            int gid = unix == null ? 0 : (Integer) unix.get("gid");
            int perms = permissions(child, unix);
            long ino;
            if (Files.isSymbolicLink(child)) {
                ino = fs.symlink(target, name, Files.readSymbolicLink(child).toString(), uid, gid);
                continue; // a symlink's times and mode are not worth a setattr
            } else if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                ino = fs.create(target, name, FileType.DIRECTORY, perms, uid, gid);
                copyTree(fs, child, ino, linked);
            } else if (Files.isRegularFile(child, LinkOption.NOFOLLOW_LINKS)) {
                Object key = unix == null ? null : List.of(unix.get("dev"), unix.get("ino"));
                Long existing = key != null && (Integer) unix.get("nlink") > 1 ? linked.get(key) : null;
                if (existing != null) {
                    fs.link(target, name, existing);
                    continue;
                }
                ino = fs.create(target, name, FileType.REGULAR, perms, uid, gid);
                if (key != null && (Integer) unix.get("nlink") > 1) {
                    linked.put(key, ino);
                }
                copyFile(fs, child, ino);
            } else {
                FileType type = unix == null ? null : FileType.ofMode((Integer) unix.get("mode"));
                if (type == null || type == FileType.REGULAR || type == FileType.DIRECTORY || type == FileType.SYMLINK) {
                    continue;
                }
                ino = fs.create(target, name, type, perms, uid, gid);
            }
            applyAttributes(fs, ino, child);
        }
    }

    private static Map<String, Object> unixAttributes(Path p) {
        try {
            return Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }

    private static int permissions(Path p, Map<String, Object> unix) throws IOException {
        if (unix != null) {
            return (Integer) unix.get("mode") & 07777;
        }
        Set<PosixFilePermission> set = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        int mode = 0;
        for (PosixFilePermission perm : set) {
            mode |= 0400 >> perm.ordinal();
        }
        return mode;
    }

    private static void applyAttributes(FileSystem fs, long ino, Path p) throws IOException {
        FileTime modified = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
        FileTime accessed = (FileTime) Files.getAttribute(p, "lastAccessTime", LinkOption.NOFOLLOW_LINKS);
        fs.setattr(ino, AttributeChanges.times(accessed.toInstant(), modified.toInstant()));
    }

    /** Copies a file's bytes; runs of whole zero blocks stay holes, as mkfs.ext2 -d keeps them. */
    private static void copyFile(FileSystem fs, Path file, long ino) throws IOException {
        int bs = fs.statfs().blockSize();
        long size = Files.size(file);
        byte[] chunk = new byte[1 << 20];
        long pos = 0;
        try (InputStream in = Files.newInputStream(file)) {
            while (pos < size) {
                int n = in.readNBytes(chunk, 0, chunk.length);
                if (n <= 0) {
                    break;
                }
                int i = 0;
                while (i < n) {
                    int len = Math.min(bs, n - i);
                    if (isZero(chunk, i, len)) {
                        i += len;
                        continue;
                    }
                    int start = i;
                    while (i < n && !isZero(chunk, i, Math.min(bs, n - i))) {
                        i += Math.min(bs, n - i);
                    }
                    writeFully(fs, ino, pos + start, ByteBuffer.wrap(chunk, start, i - start));
                }
                pos += n;
            }
        }
        fs.truncate(ino, pos);
    }

    private static void writeFully(FileSystem fs, long ino, long offset, ByteBuffer data) throws FsException {
        long off = offset;
        while (data.hasRemaining()) {
            off += fs.write(ino, off, data);
        }
    }

    private static boolean isZero(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    // ---- command line ------------------------------------------------------------------------

    /** Parses a size with an optional K, M or G (binary) suffix. */
    public static long parseSize(String s) {
        String t = s.trim().toUpperCase(java.util.Locale.ROOT);
        long unit = 1;
        if (t.endsWith("K")) {
            unit = 1L << 10;
        } else if (t.endsWith("M")) {
            unit = 1L << 20;
        } else if (t.endsWith("G")) {
            unit = 1L << 30;
        }
        if (unit != 1) {
            t = t.substring(0, t.length() - 1);
        }
        return Math.multiplyExact(Long.parseLong(t), unit);
    }

    public static void main(String[] args) {
        String usage = "usage: mkfs IMAGE SIZE [--block-size 1024|2048|4096] [--from DIR] [--label L]"
            + " [--reserved PCT] [--inode-ratio BYTES]";
        try {
            List<String> positional = new ArrayList<>();
            Options options = Options.defaults();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--block-size", "-b" -> options = options.withBlockSize(Integer.parseInt(args[++i]));
                    case "--from", "-d" -> options = options.withPopulateFrom(Path.of(args[++i]));
                    case "--label", "-L" -> options = options.withLabel(args[++i]);
                    case "--reserved", "-m" -> options = options.withReservedPercent(Integer.parseInt(args[++i]));
                    case "--inode-ratio", "-i" -> options = options.withInodeRatio(Integer.parseInt(args[++i]));
                    default -> {
                        if (a.startsWith("-")) {
                            throw new IllegalArgumentException("unknown option " + a);
                        }
                        positional.add(a);
                    }
                }
            }
            if (positional.size() != 2) {
                throw new IllegalArgumentException("IMAGE and SIZE are required");
            }
            Result r = new Mkfs().formatImage(Path.of(positional.get(0)), parseSize(positional.get(1)), options);
            System.out.println(positional.get(0) + ": ext2, " + r);
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            System.err.println("mkfs: " + e.getMessage());
            System.err.println(usage);
            System.exit(2);
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage());
            System.err.println(message.startsWith("mkfs: ") ? message : "mkfs: " + message);
            System.exit(1);
        }
    }
}
