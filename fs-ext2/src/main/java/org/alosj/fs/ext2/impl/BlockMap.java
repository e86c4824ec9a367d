package org.alosj.fs.ext2.impl;

import java.io.IOException;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FsException;

/**
 * An inode's block map: i_block's 12 direct pointers, then single, double and triple indirect
 * blocks. Holes map to 0; allocation fills a hole with its missing indirect blocks near a goal;
 * truncation frees from a logical block on, and indirect blocks left empty. Every pointer is
 * checked by the {@link Volume} before it is followed. The caller holds the filesystem's lock.
 */
final class BlockMap {
    private final Volume vol;

    BlockMap(Volume vol) {
        this.vol = vol;
    }

    /** Logical blocks a file can address: 12 direct + single + double + triple indirect. */
    long maxLogicalBlocks() {
        long a = vol.apb;
        return Ext2.EXT2_NDIR_BLOCKS + a + a * a + a * a * a;
    }

    private static int ptrAt(byte[] data, int index) {
        return (data[index * 4] & 0xFF) | (data[index * 4 + 1] & 0xFF) << 8 | (data[index * 4 + 2] & 0xFF) << 16
            | (data[index * 4 + 3] & 0xFF) << 24;
    }

    private static void putPtr(byte[] data, int index, long v) {
        data[index * 4] = (byte) v;
        data[index * 4 + 1] = (byte) (v >>> 8);
        data[index * 4 + 2] = (byte) (v >>> 16);
        data[index * 4 + 3] = (byte) (v >>> 24);
    }

    /** The i_block slot and the per-level indexes leading to logical block {@code lblock}; null past the triple indirect range. */
    private int[] path(long lblock) {
        long a = vol.apb;
        if (lblock < Ext2.EXT2_NDIR_BLOCKS) {
            return new int[] {(int) lblock};
        }
        long rel = lblock - Ext2.EXT2_NDIR_BLOCKS;
        if (rel < a) {
            return new int[] {Ext2.EXT2_IND_BLOCK, (int) rel};
        }
        rel -= a;
        if (rel < a * a) {
            return new int[] {Ext2.EXT2_DIND_BLOCK, (int) (rel / a), (int) (rel % a)};
        }
        rel -= a * a;
        if (rel < a * a * a) {
            return new int[] {Ext2.EXT2_TIND_BLOCK, (int) (rel / (a * a)), (int) (rel / a % a), (int) (rel % a)};
        }
        return null;
    }

    /** The physical block holding logical block {@code lblock} of the inode, 0 for a hole. */
    long map(Inode inode, long lblock) throws IOException {
        int[] path = path(lblock);
        if (path == null) {
            return 0;
        }
        long ptr = vol.checkEntry(inode.ino, inode.block(path[0]), -1, path[0], lblock);
        for (int level = 1; level < path.length && ptr != 0; level++) {
            byte[] data = vol.cache.read(ptr);
            long parent = ptr;
            ptr = vol.checkEntry(inode.ino, ptrAt(data, path[level]) & 0xFFFFFFFFL, parent, path[level], lblock);
        }
        return ptr;
    }

    /**
     * The physical block of logical block {@code lblock}, allocated (with any missing indirect
     * blocks, zeroed) near {@code goal} when it is a hole. The inode is changed in memory; the
     * caller stores it.
     */
    long mapOrAllocate(Inode inode, long lblock, long goal) throws IOException {
        vol.allocatedData = false;
        int[] path = path(lblock);
        if (path == null) {
            throw new FsException(Errno.EFBIG, vol.prefix() + "inode " + inode.ino + ": logical block " + lblock
                + " beyond the triple indirect range");
        }
        long ptr = vol.checkEntry(inode.ino, inode.block(path[0]), -1, path[0], lblock);
        if (ptr == 0) {
            ptr = vol.allocBlock(goal);
            inode.block(path[0], ptr);
            inode.blocks512(inode.blocks512() + vol.sectorsPerBlock512);
            if (path.length > 1) {
                vol.cache.create(ptr);
            } else {
                vol.allocatedData = true;
            }
            goal = ptr + 1;
        }
        for (int level = 1; level < path.length; level++) {
            byte[] data = vol.cache.read(ptr);
            long parent = ptr;
            ptr = vol.checkEntry(inode.ino, ptrAt(data, path[level]) & 0xFFFFFFFFL, parent, path[level], lblock);
            if (ptr == 0) {
                ptr = vol.allocBlock(goal);
                putPtr(data, path[level], ptr);
                vol.cache.markDirty(parent, data);
                inode.blocks512(inode.blocks512() + vol.sectorsPerBlock512);
                if (level < path.length - 1) {
                    vol.cache.create(ptr);
                } else {
                    vol.allocatedData = true;
                }
                goal = ptr + 1;
            }
        }
        return ptr;
    }

    /** Frees every block of the inode from logical block {@code from} on, and indirect blocks left empty. */
    void freeFrom(Inode inode, long from) throws IOException {
        for (int i = 0; i < Ext2.EXT2_NDIR_BLOCKS; i++) {
            if (i >= from && inode.block(i) != 0) {
                vol.freeBlock(inode.ino, inode.block(i));
                inode.block(i, 0);
                inode.blocks512(inode.blocks512() - vol.sectorsPerBlock512);
            }
        }
        long a = vol.apb;
        long base = Ext2.EXT2_NDIR_BLOCKS;
        long span = a;
        for (int depth = 1; depth <= 3; depth++) {
            int slot = Ext2.EXT2_NDIR_BLOCKS + depth - 1;
            long ptr = vol.checkEntry(inode.ino, inode.block(slot), -1, slot, -1);
            if (ptr != 0 && from < base + span) {
                if (freeTree(inode, ptr, depth, base, from, new long[] {ptr, 0, 0})) {
                    vol.freeBlock(inode.ino, ptr);
                    inode.block(slot, 0);
                    inode.blocks512(inode.blocks512() - vol.sectorsPerBlock512);
                }
            }
            base += span;
            span *= a;
        }
    }

    /** Frees the part of the subtree under indirect block {@code ptr} at or past {@code from}; true if it is now empty. */
    private boolean freeTree(Inode inode, long ptr, int depth, long base, long from, long[] ancestors) throws IOException {
        byte[] data = vol.cache.read(ptr);
        long childSpan = 1;
        for (int i = 1; i < depth; i++) {
            childSpan *= vol.apb;
        }
        boolean empty = true;
        boolean changed = false;
        for (int i = 0; i < vol.apb; i++) {
            long child = vol.checkEntry(inode.ino, ptrAt(data, i) & 0xFFFFFFFFL, ptr, i, -1);
            if (child == 0) {
                continue;
            }
            long childBase = base + i * childSpan;
            if (childBase + childSpan <= from) {
                empty = false;
                continue;
            }
            for (long a : ancestors) {
                if (a == child) {
                    throw vol.corrupt("inode " + inode.ino + ": indirect block " + ptr + " entry " + i
                        + " points back at indirect block " + child + " (a loop)");
                }
            }
            boolean freeChild = true;
            if (depth > 1) {
                long[] deeper = ancestors.clone();
                deeper[ancestors.length - depth + 1] = child;
                freeChild = freeTree(inode, child, depth - 1, childBase, from, deeper);
            }
            if (freeChild) {
                vol.freeBlock(inode.ino, child);
                putPtr(data, i, 0);
                changed = true;
                inode.blocks512(inode.blocks512() - vol.sectorsPerBlock512);
            } else {
                empty = false;
            }
        }
        if (changed && !empty) {
            vol.cache.markDirty(ptr, data);
        }
        return empty;
    }
}
