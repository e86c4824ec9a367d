package org.alosj.fs.ext2.impl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;
import java.util.Set;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ext2 volume: superblock, block groups and their descriptors, the block and inode bitmaps
 * (allocation), the inode table, and each inode's block map (direct, single, double and triple
 * indirect; kept in {@link BlockMap}, reached through here). Everything read from the medium is
 * checked before it is used: a pointer out of range, into metadata, or a bitmap that disagrees
 * with its descriptor is corruption, reported as EUCLEAN naming the inode and block, and turns
 * the volume read-only so the damage does not spread. The caller (Ext2FileSystem) holds its lock
 * around every call.
 */
final class Volume {
    private static final Logger LOG = LoggerFactory.getLogger(Volume.class);

    final BlockDevice device;
    final String name;
    final Superblock sb;
    final BlockCache cache;
    final Clock clock;
    final int blockSize;
    /** Block pointers per indirect block. */
    final int apb;
    final int sectorsPerBlock512;
    final long firstDataBlock;
    final long blocksCount;
    final long blocksPerGroup;
    final long inodesPerGroup;
    final long inodesCount;
    final int inodeSize;
    final int groupCount;
    final int gdtBlocks;
    final int inodeTableBlocks;
    /** The group descriptor table as read, updated in memory, written on sync. */
    private final ByteBuffer gdt;
    /** Read-only as asked at mount (nothing is ever written). */
    final boolean mountedReadOnly;
    /** Read-only now: as mounted, or since corruption was found. */
    volatile boolean readOnly;
    volatile boolean errorsFound;
    /** The device failed a request: read-only since, though what is on the disk is sound. */
    volatile boolean ioFailed;
    private boolean dirty;
    private final BlockMap blockMap = new BlockMap(this);

    Volume(BlockDevice device, String name, Superblock sb, boolean readOnly, Clock clock, int cacheBlocks) throws FsException {
        this.device = device;
        this.name = name;
        this.sb = sb;
        this.clock = clock;
        this.mountedReadOnly = readOnly;
        this.readOnly = readOnly;
        this.blockSize = sb.blockSize();
        this.apb = blockSize / 4;
        this.sectorsPerBlock512 = blockSize / 512;
        this.firstDataBlock = sb.firstDataBlock();
        this.blocksCount = sb.blocksCount();
        this.blocksPerGroup = sb.blocksPerGroup();
        this.inodesPerGroup = sb.inodesPerGroup();
        this.inodesCount = sb.inodesCount();
        this.inodeSize = sb.inodeSize();
        this.groupCount = (int) sb.groupCount();
        this.gdtBlocks = (groupCount * Ext2.GROUP_DESC_SIZE + blockSize - 1) / blockSize;
        this.inodeTableBlocks = (int) ((inodesPerGroup * inodeSize + blockSize - 1) / blockSize);
        this.cache = new BlockCache(device, blockSize, cacheBlocks);
        this.gdt = ByteBuffer.allocate(gdtBlocks * blockSize).order(ByteOrder.LITTLE_ENDIAN);
        try {
            for (int i = 0; i < gdtBlocks; i++) {
                gdt.put(i * blockSize, cache.read(firstDataBlock + 1 + i));
            }
        } catch (IOException e) {
            throw new FsException(Errno.EIO, prefix() + "cannot read the group descriptors: " + e.getMessage(), e);
        }
        checkGroups();
    }

    String prefix() {
        return "ext2 " + name + ": ";
    }

    long now() {
        long s = clock.instant().getEpochSecond();
        return Math.max(0, Math.min(s, 0xFFFFFFFFL));
    }

    /**
     * Records corruption: the volume turns read-only (as Linux does with errors=remount-ro), the
     * superblock will say the filesystem has errors, and the caller gets EUCLEAN to throw.
     */
    FsException corrupt(String what) {
        if (!errorsFound) {
            LOG.error("{}{}; the filesystem is now read-only, run e2fsck", prefix(), what);
        }
        errorsFound = true;
        readOnly = true;
        return new FsException(Errno.EUCLEAN, prefix() + what);
    }

    /**
     * The device failed a request (it was removed, or its driver gave up): as Linux does with
     * errors=remount-ro, the volume turns read-only, so nothing more is written to a disk that
     * lost writes; what was synced before is on the disk as it was. The caller gets EIO to throw.
     */
    FsException ioError(String what, java.io.IOException e) {
        if (!ioFailed) {
            LOG.error("{}{}: {}; the filesystem is now read-only", prefix(), what, e.getMessage());
        }
        ioFailed = true;
        readOnly = true;
        return new FsException(Errno.EIO, prefix() + what + ": " + e.getMessage(), e);
    }

    void checkWritable() throws FsException {
        if (readOnly) {
            throw new FsException(Errno.EROFS, prefix() + (mountedReadOnly ? "mounted read-only"
                : ioFailed ? "read-only since an I/O error (the device failed or was removed)"
                : "read-only since errors were found (run e2fsck)"));
        }
    }

    void markDirty() {
        dirty = true;
    }

    // ---- group descriptors -------------------------------------------------------------------

    long groupStart(int g) {
        return firstDataBlock + g * blocksPerGroup;
    }

    long blocksInGroup(int g) {
        return Math.min(blocksPerGroup, blocksCount - groupStart(g));
    }

    long blockBitmap(int g) { return gdt.getInt(g * 32) & 0xFFFFFFFFL; }
    long inodeBitmap(int g) { return gdt.getInt(g * 32 + 4) & 0xFFFFFFFFL; }
    long inodeTable(int g) { return gdt.getInt(g * 32 + 8) & 0xFFFFFFFFL; }
    int freeBlocks(int g) { return gdt.getShort(g * 32 + 12) & 0xFFFF; }
    int freeInodes(int g) { return gdt.getShort(g * 32 + 14) & 0xFFFF; }
    int usedDirs(int g) { return gdt.getShort(g * 32 + 16) & 0xFFFF; }
    private void freeBlocks(int g, int v) { gdt.putShort(g * 32 + 12, (short) v); }
    private void freeInodes(int g, int v) { gdt.putShort(g * 32 + 14, (short) v); }
    void usedDirs(int g, int v) { gdt.putShort(g * 32 + 16, (short) v); dirty = true; }

    /** Metadata blocks of group g start at its start: superblock copy, descriptors, reserved descriptors. */
    private long superAreaEnd(int g) {
        if (!Ext2.groupHasSuper(g, sb.sparseSuper())) {
            return groupStart(g);
        }
        return groupStart(g) + 1 + gdtBlocks + sb.reservedGdtBlocks();
    }

    private void checkGroups() throws FsException {
        for (int g = 0; g < groupCount; g++) {
            long lo = groupStart(g);
            long hi = lo + blocksInGroup(g);
            long bb = blockBitmap(g);
            long ib = inodeBitmap(g);
            long it = inodeTable(g);
            String where = "group " + g + " (blocks " + lo + "-" + (hi - 1) + "): ";
            if (bb < lo || bb >= hi) {
                throw new FsException(Errno.EUCLEAN, prefix() + where + "block bitmap at block " + bb + " outside the group");
            }
            if (ib < lo || ib >= hi) {
                throw new FsException(Errno.EUCLEAN, prefix() + where + "inode bitmap at block " + ib + " outside the group");
            }
            if (it < lo || it + inodeTableBlocks > hi) {
                throw new FsException(Errno.EUCLEAN, prefix() + where + "inode table at blocks " + it + "-"
                    + (it + inodeTableBlocks - 1) + " outside the group");
            }
            long superEnd = superAreaEnd(g);
            if (bb < superEnd || ib < superEnd || it < superEnd || bb == ib
                || (bb >= it && bb < it + inodeTableBlocks) || (ib >= it && ib < it + inodeTableBlocks)) {
                throw new FsException(Errno.EUCLEAN, prefix() + where + "bitmaps (" + bb + ", " + ib + ") and inode table ("
                    + it + ") overlap each other or the superblock copy");
            }
            if (freeBlocks(g) > blocksInGroup(g) || freeInodes(g) > inodesPerGroup || usedDirs(g) > inodesPerGroup) {
                throw new FsException(Errno.EUCLEAN, prefix() + where + "free counts (" + freeBlocks(g) + " blocks, "
                    + freeInodes(g) + " inodes, " + usedDirs(g) + " directories) larger than the group");
            }
        }
    }

    long totalFreeBlocks() {
        long n = 0;
        for (int g = 0; g < groupCount; g++) {
            n += freeBlocks(g);
        }
        return n;
    }

    long totalFreeInodes() {
        long n = 0;
        for (int g = 0; g < groupCount; g++) {
            n += freeInodes(g);
        }
        return n;
    }

    /** Whether block b holds filesystem metadata (boot block, superblock copies, descriptors, bitmaps, inode tables). */
    boolean isMetadata(long b) {
        if (b < firstDataBlock || b >= blocksCount) {
            return true;
        }
        int g = (int) ((b - firstDataBlock) / blocksPerGroup);
        if (b < superAreaEnd(g)) {
            return true;
        }
        long it = inodeTable(g);
        return b == blockBitmap(g) || b == inodeBitmap(g) || (b >= it && b < it + inodeTableBlocks);
    }

    /** Checks entry {@code index} of the inode's i_block (index -1) or of indirect block {@code parent}. */
    long checkEntry(long ino, long ptr, long parent, int index, long lblock) throws FsException {
        if (ptr != 0 && (ptr >= blocksCount || isMetadata(ptr))) {
            String what = parent < 0 ? "i_block[" + index + "]"
                : "indirect block " + parent + " entry " + index + (lblock >= 0 ? " (logical block " + lblock + ")" : "");
            checkPointer(ino, ptr, what);
        }
        return ptr;
    }

    /** Checks a block pointer read from inode {@code ino}'s block map before it is followed. */
    long checkPointer(long ino, long ptr, String what) throws FsException {
        if (ptr == 0) {
            return 0;
        }
        if (ptr >= blocksCount) {
            throw corrupt("inode " + ino + ": " + what + " points at block " + ptr + ", beyond the "
                + blocksCount + " blocks of the filesystem");
        }
        if (isMetadata(ptr)) {
            throw corrupt("inode " + ino + ": " + what + " points at block " + ptr + ", which holds filesystem metadata");
        }
        return ptr;
    }

    // ---- inodes ------------------------------------------------------------------------------

    private long inodeBlock(long ino) {
        long idx = (ino - 1) % inodesPerGroup;
        return inodeTable((int) ((ino - 1) / inodesPerGroup)) + idx * inodeSize / blockSize;
    }

    private int inodeOffset(long ino) {
        return (int) (((ino - 1) % inodesPerGroup) * inodeSize % blockSize);
    }

    Inode readInode(long ino) throws IOException {
        if (ino < 1 || ino > inodesCount) {
            throw new FsException(Errno.EINVAL, prefix() + "inode " + ino + " out of range 1-" + inodesCount);
        }
        byte[] data = cache.read(inodeBlock(ino));
        byte[] raw = new byte[inodeSize];
        System.arraycopy(data, inodeOffset(ino), raw, 0, inodeSize);
        return new Inode(ino, raw);
    }

    void writeInode(Inode inode) throws IOException {
        long block = inodeBlock(inode.ino);
        byte[] data = cache.read(block);
        System.arraycopy(inode.bytes(), 0, data, inodeOffset(inode.ino), inodeSize);
        cache.markDirty(block, data);
        dirty = true;
    }

    // ---- bitmaps: allocation -----------------------------------------------------------------

    private static int findZero(byte[] bitmap, long from, long limit) {
        long bit = from;
        while (bit < limit) {
            int byteIndex = (int) (bit >>> 3);
            if ((bit & 7) == 0 && bitmap[byteIndex] == (byte) 0xFF) {
                bit += 8;
                continue;
            }
            if ((bitmap[byteIndex] & (1 << (bit & 7))) == 0) {
                return (int) bit;
            }
            bit++;
        }
        return -1;
    }

    private static boolean testBit(byte[] bitmap, long bit) {
        return (bitmap[(int) (bit >>> 3)] & (1 << (bit & 7))) != 0;
    }

    private static void setBit(byte[] bitmap, long bit, boolean value) {
        int i = (int) (bit >>> 3);
        if (value) {
            bitmap[i] |= (byte) (1 << (bit & 7));
        } else {
            bitmap[i] &= (byte) ~(1 << (bit & 7));
        }
    }

    /**
     * Allocates a block as near after {@code goal} as possible: first in goal's group from goal
     * on, then the following groups, so a file written in order lands in consecutive blocks.
     */
    long allocBlock(long goal) throws IOException {
        checkWritable();
        if (goal < firstDataBlock || goal >= blocksCount) {
            goal = firstDataBlock;
        }
        int g0 = (int) ((goal - firstDataBlock) / blocksPerGroup);
        for (int n = 0; n <= groupCount; n++) {
            int g = (g0 + n) % groupCount;
            if (freeBlocks(g) == 0) {
                continue;
            }
            long limit = blocksInGroup(g);
            long start = n == 0 ? (goal - firstDataBlock) % blocksPerGroup : 0;
            byte[] bitmap = cache.read(blockBitmap(g));
            int bit = findZero(bitmap, start, limit);
            if (bit < 0 && start > 0) {
                bit = findZero(bitmap, 0, start);
            }
            if (bit < 0) {
                throw corrupt("group " + g + ": descriptor counts " + freeBlocks(g) + " free blocks but block bitmap "
                    + blockBitmap(g) + " has none");
            }
            long block = groupStart(g) + bit;
            if (isMetadata(block)) {
                throw corrupt("group " + g + ": block bitmap " + blockBitmap(g) + " marks metadata block " + block + " free");
            }
            setBit(bitmap, bit, true);
            cache.markDirty(blockBitmap(g), bitmap);
            freeBlocks(g, freeBlocks(g) - 1);
            dirty = true;
            return block;
        }
        throw new FsException(Errno.ENOSPC, prefix() + "no free block left");
    }

    void freeBlock(long ino, long block) throws IOException {
        checkPointer(ino, block, "freed block");
        int g = (int) ((block - firstDataBlock) / blocksPerGroup);
        long bit = (block - firstDataBlock) % blocksPerGroup;
        byte[] bitmap = cache.read(blockBitmap(g));
        if (!testBit(bitmap, bit)) {
            throw corrupt("inode " + ino + ": block " + block + " is already free (shared or looping block map)");
        }
        setBit(bitmap, bit, false);
        cache.markDirty(blockBitmap(g), bitmap);
        freeBlocks(g, freeBlocks(g) + 1);
        cache.invalidate(block);
        dirty = true;
    }

    /**
     * Allocates an inode: a directory goes to a group with more free inodes and blocks than
     * average and the fewest directories (spreading the tree), anything else into its parent's
     * group, so a directory's files sit near it.
     */
    long allocInode(long parent, boolean directory) throws IOException {
        checkWritable();
        int parentGroup = (int) ((parent - 1) / inodesPerGroup);
        int[] order = new int[groupCount];
        int count = 0;
        if (directory) {
            long avgInodes = totalFreeInodes() / groupCount;
            long avgBlocks = totalFreeBlocks() / groupCount;
            int best = -1;
            for (int g = 0; g < groupCount; g++) {
                if (freeInodes(g) > 0 && freeInodes(g) >= avgInodes && freeBlocks(g) >= avgBlocks
                    && (best < 0 || usedDirs(g) < usedDirs(best))) {
                    best = g;
                }
            }
            if (best >= 0) {
                order[count++] = best;
            }
        }
        for (int n = 0; n < groupCount && count < groupCount; n++) {
            int g = (parentGroup + n) % groupCount;
            if (count == 0 || order[0] != g) {
                order[count++] = g;
            }
        }
        for (int i = 0; i < count; i++) {
            int g = order[i];
            if (freeInodes(g) == 0) {
                continue;
            }
            byte[] bitmap = cache.read(inodeBitmap(g));
            long first = Math.max(0, sb.firstIno() - 1 - (long) g * inodesPerGroup);
            int bit = findZero(bitmap, first, inodesPerGroup);
            if (bit < 0) {
                throw corrupt("group " + g + ": descriptor counts " + freeInodes(g) + " free inodes but inode bitmap "
                    + inodeBitmap(g) + " has none");
            }
            long ino = (long) g * inodesPerGroup + bit + 1;
            Inode old = readInode(ino);
            if (old.linksCount() > 0 && old.dtime() == 0 && old.mode() != 0) {
                throw corrupt("group " + g + ": inode bitmap marks inode " + ino + " free but it has "
                    + old.linksCount() + " links");
            }
            setBit(bitmap, bit, true);
            cache.markDirty(inodeBitmap(g), bitmap);
            freeInodes(g, freeInodes(g) - 1);
            if (directory) {
                usedDirs(g, usedDirs(g) + 1);
            }
            dirty = true;
            return ino;
        }
        throw new FsException(Errno.ENOSPC, prefix() + "no free inode left");
    }

    void freeInode(long ino, boolean directory) throws IOException {
        int g = (int) ((ino - 1) / inodesPerGroup);
        long bit = (ino - 1) % inodesPerGroup;
        byte[] bitmap = cache.read(inodeBitmap(g));
        if (!testBit(bitmap, bit)) {
            throw corrupt("inode " + ino + " is already free in inode bitmap " + inodeBitmap(g));
        }
        setBit(bitmap, bit, false);
        cache.markDirty(inodeBitmap(g), bitmap);
        freeInodes(g, freeInodes(g) + 1);
        if (directory && usedDirs(g) > 0) {
            usedDirs(g, usedDirs(g) - 1);
        }
        dirty = true;
    }

    /** Whether the inode bitmap says ino is in use. */
    boolean inodeInUse(long ino) throws IOException {
        int g = (int) ((ino - 1) / inodesPerGroup);
        return testBit(cache.read(inodeBitmap(g)), (ino - 1) % inodesPerGroup);
    }

    /** The first data block of the group inode {@code ino} lives in: where its file's blocks start looking. */
    long groupGoal(long ino) {
        int g = (int) ((ino - 1) / inodesPerGroup);
        return inodeTable(g) + inodeTableBlocks;
    }

    // ---- block maps (see BlockMap) ----------------------------------------------------------

    /** Logical blocks a file can address: 12 direct + single + double + triple indirect. */
    long maxLogicalBlocks() {
        return blockMap.maxLogicalBlocks();
    }

    /** The physical block holding logical block {@code lblock} of the inode, 0 for a hole. */
    long map(Inode inode, long lblock) throws IOException {
        return blockMap.map(inode, lblock);
    }

    /** Set by {@link #mapOrAllocate}: whether the data block it returned was just allocated (holds garbage). */
    boolean allocatedData;

    /** The physical block of logical block {@code lblock}, allocated near {@code goal} when it is a hole. */
    long mapOrAllocate(Inode inode, long lblock, long goal) throws IOException {
        return blockMap.mapOrAllocate(inode, lblock, goal);
    }

    /** Frees every block of the inode from logical block {@code from} on, and indirect blocks left empty. */
    void freeFrom(Inode inode, long from) throws IOException {
        blockMap.freeFrom(inode, from);
    }


    // ---- sync --------------------------------------------------------------------------------

    /** Writes the summary (superblock, descriptors) and every dirty block, descriptors last; flushes. */
    void sync() throws IOException {
        writeBack(true);
    }

    /**
     * As {@link #sync} but {@code flush} false leaves the device's write cache alone: the blocks
     * are written, in order, and reach the medium when the cache next flushes. Mounting writes its
     * "not clean" mark this way, as Linux's ext2 does (a waited-for write, no cache flush): a
     * flush then would make the host write back the whole image file the launcher just copied.
     */
    void writeBack(boolean flush) throws IOException {
        if (mountedReadOnly) {
            return;
        }
        if (!dirty && cache.dirtyCount() == 0) {
            return;
        }
        sb.freeBlocksCount(totalFreeBlocks());
        sb.freeInodesCount(totalFreeInodes());
        sb.wtime(now());
        if (errorsFound) {
            sb.state(sb.state() | Ext2.EXT2_ERROR_FS);
        }
        long sbBlock = Ext2.SUPERBLOCK_OFFSET / blockSize;
        int sbOffset = Ext2.SUPERBLOCK_OFFSET % blockSize;
        byte[] sbData = cache.read(sbBlock);
        System.arraycopy(sb.bytes(), 0, sbData, sbOffset, Ext2.SUPERBLOCK_SIZE);
        cache.markDirty(sbBlock, sbData);
        Set<Long> summary = new java.util.HashSet<>();
        summary.add(sbBlock);
        for (int i = 0; i < gdtBlocks; i++) {
            long block = firstDataBlock + 1 + i;
            byte[] data = cache.read(block);
            gdt.get(i * blockSize, data);
            cache.markDirty(block, data);
            summary.add(block);
        }
        cache.sync(summary, flush);
        dirty = false;
    }
}
