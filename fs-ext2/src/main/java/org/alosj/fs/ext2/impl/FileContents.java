package org.alosj.fs.ext2.impl;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FsException;

/**
 * A regular file's bytes: reads (holes read as zeros; contiguous blocks move in one device
 * transfer), writes (blocks allocated near the previous one; ENOSPC keeps what was written and
 * gives back the rest), truncation, and the largest size the block map and i_blocks allow. The
 * block map itself is the {@link Volume}'s; the caller holds the filesystem's lock.
 */
final class FileContents {
    private final Volume vol;
    private final LiveInodes inodes;

    FileContents(Volume vol, LiveInodes inodes) {
        this.vol = vol;
        this.inodes = inodes;
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

    int read(long ino, long offset, ByteBuffer dst) throws IOException {
        Inode in = inodes.regular(ino);
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

    int write(long ino, long offset, ByteBuffer src) throws IOException {
        vol.checkWritable();
        Inode in = inodes.regular(ino);
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

    void truncate(long ino, long size) throws IOException {
        vol.checkWritable();
        Inode in = inodes.regular(ino);
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
    }
}
