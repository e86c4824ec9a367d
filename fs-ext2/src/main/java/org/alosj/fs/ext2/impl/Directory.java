package org.alosj.fs.ext2.impl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.alosj.kernel.fs.FileType;

/**
 * ext2 directories: blocks of variable-length entries (inode, rec_len, name_len, file_type,
 * name), each block covered exactly by its entries. Every entry is checked as it is read
 * (rec_len 0, past the block, shorter than its name, an inode beyond the table: EUCLEAN naming the
 * directory, block and offset). An indexed (dir_index, htree) directory reads as a plain one, since
 * its index blocks look like empty entries; changing one clears its index flag, which leaves a
 * valid linear directory e2fsck accepts.
 */
final class Directory {
    /** Where an entry sits, as a scan found it. */
    static final class Slot {
        long lblock;
        long block;
        byte[] data;
        int offset;
        /** The entry before it in the same block, -1 if it is the block's first. */
        int previous;
        long ino;
        int recLen;
        int nameLen;
        int fileType;
    }

    interface Visitor {
        /** Returns true to stop the scan. */
        boolean visit(Slot slot) throws IOException;
    }

    private final Volume vol;

    Directory(Volume vol) {
        this.vol = vol;
    }

    static int recordLength(int nameLen) {
        return (8 + nameLen + 3) & ~3;
    }

    static int fileType(FileType type) {
        if (type == null) {
            return Ext2.EXT2_FT_UNKNOWN;
        }
        return switch (type) {
            case REGULAR -> Ext2.EXT2_FT_REG_FILE;
            case DIRECTORY -> Ext2.EXT2_FT_DIR;
            case CHARACTER_DEVICE -> Ext2.EXT2_FT_CHRDEV;
            case BLOCK_DEVICE -> Ext2.EXT2_FT_BLKDEV;
            case FIFO -> Ext2.EXT2_FT_FIFO;
            case SOCKET -> Ext2.EXT2_FT_SOCK;
            case SYMLINK -> Ext2.EXT2_FT_SYMLINK;
        };
    }

    static FileType fromFileType(int ft) {
        return switch (ft) {
            case Ext2.EXT2_FT_REG_FILE -> FileType.REGULAR;
            case Ext2.EXT2_FT_DIR -> FileType.DIRECTORY;
            case Ext2.EXT2_FT_CHRDEV -> FileType.CHARACTER_DEVICE;
            case Ext2.EXT2_FT_BLKDEV -> FileType.BLOCK_DEVICE;
            case Ext2.EXT2_FT_FIFO -> FileType.FIFO;
            case Ext2.EXT2_FT_SOCK -> FileType.SOCKET;
            case Ext2.EXT2_FT_SYMLINK -> FileType.SYMLINK;
            default -> null;
        };
    }

    static String name(Slot s) {
        return new String(s.data, s.offset + 8, s.nameLen, StandardCharsets.UTF_8);
    }

    static boolean nameEquals(Slot s, byte[] name) {
        return s.nameLen == name.length
            && Arrays.equals(s.data, s.offset + 8, s.offset + 8 + s.nameLen, name, 0, name.length);
    }

    private static int u16(byte[] d, int off) {
        return (d[off] & 0xFF) | (d[off + 1] & 0xFF) << 8;
    }

    private static long u32(byte[] d, int off) {
        return ((d[off] & 0xFF) | (d[off + 1] & 0xFF) << 8 | (d[off + 2] & 0xFF) << 16 | (long) (d[off + 3] & 0xFF) << 24);
    }

    private static void put16(byte[] d, int off, int v) {
        d[off] = (byte) v;
        d[off + 1] = (byte) (v >>> 8);
    }

    private static void put32(byte[] d, int off, long v) {
        d[off] = (byte) v;
        d[off + 1] = (byte) (v >>> 8);
        d[off + 2] = (byte) (v >>> 16);
        d[off + 3] = (byte) (v >>> 24);
    }

    /** Visits every entry (used or not) of every block, checking each; stops when the visitor says so. */
    boolean scan(Inode dir, Visitor visitor) throws IOException {
        int bs = vol.blockSize;
        long size = dir.size();
        if (size % bs != 0) {
            throw vol.corrupt("directory inode " + dir.ino + ": size " + size + " is not a whole number of "
                + bs + "-byte blocks");
        }
        long blocks = size / bs;
        if (blocks > vol.blocksCount) {
            throw vol.corrupt("directory inode " + dir.ino + ": size " + size + " larger than the filesystem");
        }
        boolean filetype = vol.sb.hasFiletype();
        Slot s = new Slot();
        for (long lb = 0; lb < blocks; lb++) {
            long phys = vol.map(dir, lb);
            if (phys == 0) {
                throw vol.corrupt("directory inode " + dir.ino + ": hole at block " + lb);
            }
            byte[] data = vol.cache.read(phys);
            int off = 0;
            int previous = -1;
            while (off < bs) {
                if (off + 8 > bs) {
                    throw badEntry(dir, phys, lb, off, "entry header runs past the block");
                }
                long ino = u32(data, off);
                int recLen = u16(data, off + 4);
                if (bs == 65536 && recLen == 0) {
                    recLen = 65536;
                }
                int nameLen = filetype ? data[off + 6] & 0xFF : u16(data, off + 6);
                if (recLen < 8 || (recLen & 3) != 0) {
                    throw badEntry(dir, phys, lb, off, "rec_len " + recLen + " is not a multiple of 4 of at least 8");
                }
                if (off + recLen > bs) {
                    throw badEntry(dir, phys, lb, off, "rec_len " + recLen + " runs past the end of the block");
                }
                if (ino != 0 && 8 + nameLen > recLen) {
                    throw badEntry(dir, phys, lb, off, "name_len " + nameLen + " does not fit rec_len " + recLen);
                }
                if (ino != 0 && nameLen == 0) {
                    throw badEntry(dir, phys, lb, off, "entry for inode " + ino + " has an empty name");
                }
                if (ino > vol.inodesCount) {
                    throw badEntry(dir, phys, lb, off, "entry names inode " + ino + ", beyond the " + vol.inodesCount + " inodes");
                }
                s.lblock = lb;
                s.block = phys;
                s.data = data;
                s.offset = off;
                s.previous = previous;
                s.ino = ino;
                s.recLen = recLen;
                s.nameLen = ino == 0 ? Math.min(nameLen, recLen - 8) : nameLen;
                s.fileType = filetype ? data[off + 7] & 0xFF : Ext2.EXT2_FT_UNKNOWN;
                if (visitor.visit(s)) {
                    return true;
                }
                previous = off;
                off += recLen;
            }
        }
        return false;
    }

    private org.alosj.kernel.fs.FsException badEntry(Inode dir, long phys, long lb, int off, String what) {
        return vol.corrupt("directory inode " + dir.ino + " block " + phys + " (logical " + lb + ") offset " + off + ": " + what);
    }

    /** The used entry named {@code name}, or null. */
    Slot find(Inode dir, byte[] name) throws IOException {
        Slot[] found = new Slot[1];
        scan(dir, s -> {
            if (s.ino != 0 && nameEquals(s, name)) {
                found[0] = copy(s);
                return true;
            }
            return false;
        });
        return found[0];
    }

    private static Slot copy(Slot s) {
        Slot c = new Slot();
        c.lblock = s.lblock;
        c.block = s.block;
        c.data = s.data;
        c.offset = s.offset;
        c.previous = s.previous;
        c.ino = s.ino;
        c.recLen = s.recLen;
        c.nameLen = s.nameLen;
        c.fileType = s.fileType;
        return c;
    }

    private void touch(Inode dir) {
        long now = vol.now();
        dir.mtime(now);
        dir.ctime(now);
        dir.flags(dir.flags() & ~Ext2.EXT2_INDEX_FL);
    }

    /** Adds an entry (the caller checked the name is free), growing the directory by a block if no gap fits. */
    void add(Inode dir, byte[] name, long ino, FileType type) throws IOException {
        int need = recordLength(name.length);
        Slot[] found = new Slot[1];
        scan(dir, s -> {
            int used = s.ino == 0 ? 0 : recordLength(s.nameLen);
            if (s.recLen - used >= need) {
                found[0] = copy(s);
                return true;
            }
            return false;
        });
        Slot s = found[0];
        if (s == null) {
            long lb = dir.size() / vol.blockSize;
            long goal = lb > 0 ? vol.map(dir, lb - 1) + 1 : vol.groupGoal(dir.ino);
            long phys;
            try {
                phys = vol.mapOrAllocate(dir, lb, goal);
            } catch (org.alosj.kernel.fs.FsException e) {
                if (e.errno() == org.alosj.kernel.fs.Errno.ENOSPC) {
                    vol.freeFrom(dir, lb); // an indirect block allocated before the disk filled goes back
                }
                throw e;
            }
            byte[] data = vol.cache.create(phys);
            put16(data, 4, vol.blockSize);
            dir.size(dir.size() + vol.blockSize);
            write(data, 0, vol.blockSize, name, ino, type);
            vol.cache.markDirty(phys, data);
        } else if (s.ino == 0) {
            write(s.data, s.offset, s.recLen, name, ino, type);
            vol.cache.markDirty(s.block, s.data);
        } else {
            int used = recordLength(s.nameLen);
            put16(s.data, s.offset + 4, used);
            write(s.data, s.offset + used, s.recLen - used, name, ino, type);
            vol.cache.markDirty(s.block, s.data);
        }
        touch(dir);
    }

    private void write(byte[] data, int off, int recLen, byte[] name, long ino, FileType type) {
        put32(data, off, ino);
        put16(data, off + 4, recLen == 65536 ? 0 : recLen);
        if (vol.sb.hasFiletype()) {
            data[off + 6] = (byte) name.length;
            data[off + 7] = (byte) fileType(type);
        } else {
            put16(data, off + 6, name.length);
        }
        System.arraycopy(name, 0, data, off + 8, name.length);
    }

    /** Removes the entry at {@code s}: merged into the entry before it, or emptied when first in its block. */
    void remove(Inode dir, Slot s) throws IOException {
        byte[] data = vol.cache.read(s.block);
        if (s.previous >= 0) {
            int prevLen = u16(data, s.previous + 4);
            put16(data, s.previous + 4, prevLen + s.recLen);
        } else {
            put32(data, s.offset, 0);
        }
        vol.cache.markDirty(s.block, data);
        touch(dir);
    }

    /** Points an existing entry at another inode (rename over an existing name, or '..'). */
    void retarget(Inode dir, Slot s, long ino, FileType type) throws IOException {
        byte[] data = vol.cache.read(s.block);
        put32(data, s.offset, ino);
        if (vol.sb.hasFiletype()) {
            data[s.offset + 7] = (byte) fileType(type);
        }
        vol.cache.markDirty(s.block, data);
        touch(dir);
    }

    /** Whether the directory holds nothing but '.' and '..'. */
    boolean isEmpty(Inode dir) throws IOException {
        return !scan(dir, s -> {
            if (s.ino == 0) {
                return false;
            }
            String n = name(s);
            return !n.equals(".") && !n.equals("..");
        });
    }

    /** Writes a new directory's first block: '.' and '..'. */
    void initialise(Inode dir, long parent) throws IOException {
        long phys = vol.mapOrAllocate(dir, 0, vol.groupGoal(dir.ino));
        byte[] data = vol.cache.create(phys);
        write(data, 0, 12, ".".getBytes(StandardCharsets.US_ASCII), dir.ino, FileType.DIRECTORY);
        write(data, 12, vol.blockSize - 12, "..".getBytes(StandardCharsets.US_ASCII), parent, FileType.DIRECTORY);
        vol.cache.markDirty(phys, data);
        dir.size(vol.blockSize);
    }
}
