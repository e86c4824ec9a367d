package org.alosj.fs.ext2.impl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.alosj.kernel.fs.FileType;

/**
 * One on-disk inode (struct ext2_inode): a copy of its record in the inode table, little-endian,
 * with the fields named as Linux names them. The filesystem loads it, changes it and stores it
 * back; bytes this class does not name survive the round trip.
 */
final class Inode {
    final long ino;
    private final byte[] raw;
    private final ByteBuffer b;

    Inode(long ino, byte[] raw) {
        this.ino = ino;
        this.raw = raw;
        this.b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    }

    byte[] bytes() {
        return raw;
    }

    private long u32(int off) {
        return b.getInt(off) & 0xFFFFFFFFL;
    }

    private int u16(int off) {
        return b.getShort(off) & 0xFFFF;
    }

    int mode() { return u16(0); }
    void mode(int v) { b.putShort(0, (short) v); }

    FileType type() {
        return FileType.ofMode(mode());
    }

    boolean isDirectory() { return (mode() & FileType.S_IFMT) == FileType.DIRECTORY.modeBits(); }
    boolean isRegular() { return (mode() & FileType.S_IFMT) == FileType.REGULAR.modeBits(); }
    boolean isSymlink() { return (mode() & FileType.S_IFMT) == FileType.SYMLINK.modeBits(); }

    int uid() { return u16(2) | (u16(120) << 16); }
    void uid(int v) { b.putShort(2, (short) v); b.putShort(120, (short) (v >>> 16)); }
    int gid() { return u16(24) | (u16(122) << 16); }
    void gid(int v) { b.putShort(24, (short) v); b.putShort(122, (short) (v >>> 16)); }

    /** i_size, with i_size_high for regular files (large_file); a directory's high word is i_dir_acl. */
    long size() {
        long low = u32(4);
        return isRegular() ? low | (u32(108) << 32) : low;
    }

    void size(long v) {
        b.putInt(4, (int) v);
        if (isRegular()) {
            b.putInt(108, (int) (v >>> 32));
        }
    }

    long atime() { return u32(8); }
    void atime(long v) { b.putInt(8, (int) v); }
    long ctime() { return u32(12); }
    void ctime(long v) { b.putInt(12, (int) v); }
    long mtime() { return u32(16); }
    void mtime(long v) { b.putInt(16, (int) v); }
    long dtime() { return u32(20); }
    void dtime(long v) { b.putInt(20, (int) v); }
    int linksCount() { return u16(26); }
    void linksCount(int v) { b.putShort(26, (short) v); }
    /** i_blocks: storage in 512-byte units, indirect and EA blocks included. */
    long blocks512() { return u32(28); }
    void blocks512(long v) { b.putInt(28, (int) v); }
    int flags() { return b.getInt(32); }
    void flags(int v) { b.putInt(32, v); }
    long block(int i) { return u32(40 + 4 * i); }
    void block(int i, long v) { b.putInt(40 + 4 * i, (int) v); }
    long fileAcl() { return u32(104); }
    void fileAcl(long v) { b.putInt(104, (int) v); }
    void generation(long v) { b.putInt(100, (int) v); }

    /** The i_block area as bytes (a fast symlink's target lives there). */
    byte[] blockArea() {
        return Arrays.copyOfRange(raw, 40, 40 + Ext2.EXT2_N_BLOCKS * 4);
    }

    void blockArea(byte[] data) {
        Arrays.fill(raw, 40, 40 + Ext2.EXT2_N_BLOCKS * 4, (byte) 0);
        System.arraycopy(data, 0, raw, 40, data.length);
    }

    /** i_extra_isize, for inodes larger than 128 bytes. */
    void extraIsize(int v) {
        if (raw.length > Ext2.EXT2_GOOD_OLD_INODE_SIZE) {
            b.putShort(128, (short) v);
        }
    }

    /** st_rdev of a device node: the old 8:8 encoding in i_block[0], else the new one in i_block[1]. */
    long rdev() {
        long old = block(0);
        if (old != 0) {
            return ((old >> 8) & 0xFF) << 8 | (old & 0xFF);
        }
        return block(1);
    }
}
