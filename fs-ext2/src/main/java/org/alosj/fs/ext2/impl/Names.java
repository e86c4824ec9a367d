package org.alosj.fs.ext2.impl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;

/**
 * The namespace operations: making inodes (files, directories, nodes, symbolic links), adding
 * and taking away names, rename with its loop and emptiness checks, and reading a symbolic link
 * (fast ones in i_block, others in one data block). Names arrive checked; the caller holds the
 * filesystem's lock.
 */
final class Names {
    private final Volume vol;
    private final Directory dirs;
    private final LiveInodes inodes;

    Names(Volume vol, Directory dirs, LiveInodes inodes) {
        this.vol = vol;
        this.dirs = dirs;
        this.inodes = inodes;
    }

    long create(long dir, String name, byte[] bytes, FileType type, int permissions, int uid, int gid) throws IOException {
        vol.checkWritable();
        Inode d = inodes.directory(dir);
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

    long symlink(long dir, String name, byte[] bytes, byte[] text, int uid, int gid) throws IOException {
        vol.checkWritable();
        if (text.length >= vol.blockSize) {
            throw new FsException(Errno.ENAMETOOLONG, vol.prefix() + "symlink target of " + text.length
                + " bytes does not fit a " + vol.blockSize + "-byte block");
        }
        Inode d = inodes.directory(dir);
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
    }

    void link(long dir, String name, byte[] bytes, long ino) throws IOException {
        vol.checkWritable();
        Inode d = inodes.directory(dir);
        Inode in = inodes.live(ino);
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
    }

    void unlink(long dir, String name, byte[] bytes) throws IOException {
        vol.checkWritable();
        Inode d = inodes.directory(dir);
        Directory.Slot s = dirs.find(d, bytes);
        if (s == null) {
            throw new FsException(Errno.ENOENT, vol.prefix() + "no '" + name + "' in directory inode " + dir);
        }
        Inode in = inodes.target(d, s);
        if (in.isDirectory()) {
            throw new FsException(Errno.EISDIR, vol.prefix() + "'" + name + "' is a directory");
        }
        dirs.remove(d, s);
        vol.writeInode(d);
        inodes.dropLink(in);
    }

    void rmdir(long dir, String name, byte[] bytes) throws IOException {
        vol.checkWritable();
        Inode d = inodes.directory(dir);
        Directory.Slot s = dirs.find(d, bytes);
        if (s == null) {
            throw new FsException(Errno.ENOENT, vol.prefix() + "no '" + name + "' in directory inode " + dir);
        }
        Inode in = inodes.target(d, s);
        if (!in.isDirectory()) {
            throw new FsException(Errno.ENOTDIR, vol.prefix() + "'" + name + "' is not a directory");
        }
        if (!dirs.isEmpty(in)) {
            throw new FsException(Errno.ENOTEMPTY, vol.prefix() + "directory '" + name + "' is not empty");
        }
        dirs.remove(d, s);
        d.linksCount(Math.max(1, d.linksCount() - 1));
        vol.writeInode(d);
        inodes.dropLink(in);
    }

    void rename(long fromDir, String fromName, byte[] from, long toDir, String toName, byte[] to) throws IOException {
        vol.checkWritable();
        Inode src = inodes.directory(fromDir);
        Inode dst = fromDir == toDir ? src : inodes.directory(toDir);
        Directory.Slot fromSlot = dirs.find(src, from);
        if (fromSlot == null) {
            throw new FsException(Errno.ENOENT, vol.prefix() + "no '" + fromName + "' in directory inode " + fromDir);
        }
        Inode moving = inodes.target(src, fromSlot);
        Directory.Slot toSlot = dirs.find(dst, to);
        Inode replaced = toSlot == null ? null : inodes.target(dst, toSlot);
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
            inodes.dropLink(vol.readInode(replaced.ino));
        }
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

    String readlink(long ino) throws IOException {
        Inode in = inodes.live(ino);
        if (!in.isSymlink()) {
            throw new FsException(Errno.EINVAL, vol.prefix() + "inode " + ino + " is not a symbolic link");
        }
        long size = in.size();
        if (size <= 0 || size >= vol.blockSize) {
            throw vol.corrupt("symlink inode " + ino + ": length " + size + " out of range");
        }
        if (in.blocks512() - inodes.eaBlocks(in) == 0) {
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
    }
}
