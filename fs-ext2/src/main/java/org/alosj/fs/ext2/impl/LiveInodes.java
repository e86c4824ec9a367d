package org.alosj.fs.ext2.impl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which inodes are alive, and their end: an inode lives while a name links it or the VFS holds it
 * open. One that loses its last name while open goes on the orphan list (s_last_orphan, chained
 * through i_dtime, as ext3 and e2fsck know it) until its last release frees it; a read-write
 * mount frees what a crash left there. The caller holds the filesystem's lock.
 */
final class LiveInodes {
    private static final Logger LOG = LoggerFactory.getLogger(Ext2FileSystem.class);

    private final Volume vol;
    private final Map<Long, Integer> openCounts = new HashMap<>();
    /** Inodes with no link left, alive while open; in chain order. */
    private final LinkedHashSet<Long> orphans = new LinkedHashSet<>();

    LiveInodes(Volume vol) {
        this.vol = vol;
    }

    /** An inode the VFS names: in use (linked, or open and orphaned). */
    Inode live(long ino) throws IOException {
        Inode in = vol.readInode(ino);
        if (in.mode() == 0 || (in.linksCount() == 0 && !openCounts.containsKey(ino)) || in.type() == null) {
            throw new FsException(Errno.ENOENT, vol.prefix() + "inode " + ino + " is not in use");
        }
        return in;
    }

    Inode directory(long ino) throws IOException {
        Inode in = live(ino);
        if (!in.isDirectory()) {
            throw new FsException(Errno.ENOTDIR, vol.prefix() + "inode " + ino + " is not a directory");
        }
        return in;
    }

    Inode regular(long ino) throws IOException {
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
    Inode target(Inode dir, Directory.Slot slot) throws IOException {
        Inode in = vol.readInode(slot.ino);
        if (in.mode() == 0 || in.type() == null || (in.linksCount() == 0 && !openCounts.containsKey(slot.ino))) {
            throw vol.corrupt("directory inode " + dir.ino + " entry '" + Directory.name(slot) + "' names inode "
                + slot.ino + ", which is not in use (mode 0" + Integer.toOctalString(in.mode()) + ", "
                + in.linksCount() + " links)");
        }
        return in;
    }

    void retain(long ino) throws IOException {
        live(ino);
        openCounts.merge(ino, 1, Integer::sum);
    }

    void release(long ino) throws IOException {
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
    }

    /** No inode waits on the orphan list. */
    boolean noOrphans() {
        return orphans.isEmpty();
    }

    /** Takes one name away from an inode (a directory loses both of its own); frees it or orphans it at zero. */
    void dropLink(Inode in) throws IOException {
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

    long eaBlocks(Inode in) {
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
    void releaseOrphansAtMount() throws IOException {
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
}
