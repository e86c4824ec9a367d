package org.alosj.fs.ext2.impl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The ext2 superblock: a little-endian view over its 1024 bytes, field names as in the Linux
 * struct ext2_super_block. Bytes this class does not name are kept as read, so a rewrite never
 * loses what another implementation put there.
 */
public final class Superblock {
    private final byte[] raw;
    private final ByteBuffer b;

    public Superblock(byte[] raw) {
        if (raw.length != Ext2.SUPERBLOCK_SIZE) {
            throw new IllegalArgumentException("a superblock is 1024 bytes, not " + raw.length);
        }
        this.raw = raw;
        this.b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    }

    public byte[] bytes() {
        return raw;
    }

    public Superblock copy() {
        return new Superblock(raw.clone());
    }

    private long u32(int off) {
        return b.getInt(off) & 0xFFFFFFFFL;
    }

    private int u16(int off) {
        return b.getShort(off) & 0xFFFF;
    }

    private void put32(int off, long v) {
        b.putInt(off, (int) v);
    }

    private void put16(int off, int v) {
        b.putShort(off, (short) v);
    }

    public long inodesCount() { return u32(0); }
    public void inodesCount(long v) { put32(0, v); }
    public long blocksCount() { return u32(4); }
    public void blocksCount(long v) { put32(4, v); }
    public long reservedBlocksCount() { return u32(8); }
    public void reservedBlocksCount(long v) { put32(8, v); }
    public long freeBlocksCount() { return u32(12); }
    public void freeBlocksCount(long v) { put32(12, v); }
    public long freeInodesCount() { return u32(16); }
    public void freeInodesCount(long v) { put32(16, v); }
    public long firstDataBlock() { return u32(20); }
    public void firstDataBlock(long v) { put32(20, v); }
    public long logBlockSize() { return u32(24); }
    public void logBlockSize(long v) { put32(24, v); }
    public void logFragSize(long v) { put32(28, v); }
    public long blocksPerGroup() { return u32(32); }
    public void blocksPerGroup(long v) { put32(32, v); }
    public void fragsPerGroup(long v) { put32(36, v); }
    public long inodesPerGroup() { return u32(40); }
    public void inodesPerGroup(long v) { put32(40, v); }
    public long mtime() { return u32(44); }
    public void mtime(long v) { put32(44, v); }
    public long wtime() { return u32(48); }
    public void wtime(long v) { put32(48, v); }
    public int mntCount() { return u16(52); }
    public void mntCount(int v) { put16(52, v); }
    public void maxMntCount(int v) { put16(54, v); }
    public int magic() { return u16(56); }
    public void magic(int v) { put16(56, v); }
    public int state() { return u16(58); }
    public void state(int v) { put16(58, v); }
    public void errors(int v) { put16(60, v); }
    public void lastCheck(long v) { put32(64, v); }
    public long revLevel() { return u32(76); }
    public void revLevel(long v) { put32(76, v); }

    /** s_first_ino: the first inode a file may use (11 in revision 0). */
    public long firstIno() {
        return revLevel() == Ext2.EXT2_GOOD_OLD_REV ? Ext2.EXT2_GOOD_OLD_FIRST_INO : u32(84);
    }
    public void firstIno(long v) { put32(84, v); }

    public int inodeSize() {
        return revLevel() == Ext2.EXT2_GOOD_OLD_REV ? Ext2.EXT2_GOOD_OLD_INODE_SIZE : u16(88);
    }
    public void inodeSize(int v) { put16(88, v); }
    public void blockGroupNr(int v) { put16(90, v); }

    public int featureCompat() { return revLevel() == 0 ? 0 : b.getInt(92); }
    public void featureCompat(int v) { b.putInt(92, v); }
    public int featureIncompat() { return revLevel() == 0 ? 0 : b.getInt(96); }
    public void featureIncompat(int v) { b.putInt(96, v); }
    public int featureRoCompat() { return revLevel() == 0 ? 0 : b.getInt(100); }
    public void featureRoCompat(int v) { b.putInt(100, v); }

    public void uuid(byte[] uuid) { System.arraycopy(uuid, 0, raw, 104, 16); }

    public String volumeName() {
        int n = 0;
        while (n < 16 && raw[120 + n] != 0) {
            n++;
        }
        return new String(raw, 120, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    public void volumeName(String name) {
        byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.util.Arrays.fill(raw, 120, 136, (byte) 0);
        System.arraycopy(bytes, 0, raw, 120, Math.min(16, bytes.length));
    }

    public int reservedGdtBlocks() { return u16(206); }
    public long lastOrphan() { return u32(232); }
    public void lastOrphan(long v) { put32(232, v); }
    public void mkfsTime(long v) { put32(264, v); }

    public int blockSize() {
        return 1024 << logBlockSize();
    }

    public boolean sparseSuper() {
        return (featureRoCompat() & Ext2.EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER) != 0;
    }

    public boolean hasFiletype() {
        return (featureIncompat() & Ext2.EXT2_FEATURE_INCOMPAT_FILETYPE) != 0;
    }

    /** The number of block groups (the last one may be short). */
    public long groupCount() {
        return (blocksCount() - firstDataBlock() + blocksPerGroup() - 1) / blocksPerGroup();
    }
}
