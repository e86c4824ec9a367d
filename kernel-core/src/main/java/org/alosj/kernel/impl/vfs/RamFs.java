package org.alosj.kernel.impl.vfs;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.alosj.kernel.fs.AttributeChanges;
import org.alosj.kernel.fs.DirEntry;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FileAttributes;
import org.alosj.kernel.fs.FileSystem;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.fs.FsStats;

/**
 * ramfs: files kept in memory, in 4 KiB pages allocated as they are written (holes cost
 * nothing), up to a byte limit (mount option {@code size}, default 256 MiB) past which writes
 * get ENOSPC. One lock for the whole filesystem: it is the root and /tmp, never a hot path.
 */
final class RamFs implements FileSystem {
    static final String TYPE = "ramfs";
    static final int PAGE = 4096;
    static final int NAME_MAX = 255;
    static final long DEFAULT_LIMIT = 256L << 20;
    static final long ROOT = 1;

    private static final class Inode {
        final long ino;
        final FileType type;
        int permissions;
        int uid;
        int gid;
        int links;
        long size;
        Instant accessed;
        Instant modified;
        Instant changed;
        long rdev;
        int openCount;
        final TreeMap<Long, byte[]> pages = new TreeMap<>();
        final LinkedHashMap<String, Long> entries = new LinkedHashMap<>();
        long parent;
        String target;

        Inode(long ino, FileType type, int permissions, int uid, int gid, Instant now) {
            this.ino = ino;
            this.type = type;
            this.permissions = permissions;
            this.uid = uid;
            this.gid = gid;
            this.accessed = now;
            this.modified = now;
            this.changed = now;
        }
    }

    private final Map<Long, Inode> inodes = new HashMap<>();
    private final boolean readOnly;
    private final long limitBytes;
    private final Supplier<Instant> clock;
    private long nextIno = ROOT + 1;
    private long usedPages;
    private boolean unmounted;

    RamFs(boolean readOnly, long limitBytes, Supplier<Instant> clock) {
        this.readOnly = readOnly;
        this.limitBytes = limitBytes;
        this.clock = clock;
        Inode root = new Inode(ROOT, FileType.DIRECTORY, 0755, 0, 0, clock.get());
        root.links = 2;
        root.parent = ROOT;
        inodes.put(ROOT, root);
    }

    @Override
    public String typeName() {
        return TYPE;
    }

    @Override
    public long rootIno() {
        return ROOT;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    private Inode inode(long ino) throws FsException {
        if (unmounted) {
            throw new FsException(Errno.EIO, "ramfs: unmounted");
        }
        Inode i = inodes.get(ino);
        if (i == null) {
            throw new FsException(Errno.ENOENT, "ramfs: no inode " + ino);
        }
        return i;
    }

    private Inode dir(long ino) throws FsException {
        Inode d = inode(ino);
        if (d.type != FileType.DIRECTORY) {
            throw new FsException(Errno.ENOTDIR, "ramfs: inode " + ino + " is not a directory");
        }
        return d;
    }

    private Inode regular(long ino) throws FsException {
        Inode f = inode(ino);
        if (f.type == FileType.DIRECTORY) {
            throw new FsException(Errno.EISDIR, "ramfs: inode " + ino + " is a directory");
        }
        if (f.type != FileType.REGULAR) {
            throw new FsException(Errno.EINVAL, "ramfs: inode " + ino + " is not a regular file");
        }
        return f;
    }

    private void writable() throws FsException {
        if (readOnly) {
            throw new FsException(Errno.EROFS, "ramfs: read-only");
        }
    }

    private static void checkName(String name) throws FsException {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || name.indexOf('\0') >= 0) {
            throw new FsException(Errno.EINVAL, "ramfs: bad name '" + name + "'");
        }
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > NAME_MAX) {
            throw new FsException(Errno.ENAMETOOLONG, "ramfs: name longer than " + NAME_MAX + " bytes");
        }
    }

    @Override
    public synchronized FileAttributes getattr(long ino) throws FsException {
        Inode i = inode(ino);
        long blocks = i.pages.size() * (long) (PAGE / 512);
        return new FileAttributes(i.ino, i.type, i.permissions, i.links, i.uid, i.gid, i.size, blocks, i.accessed,
                i.modified, i.changed, i.rdev);
    }

    @Override
    public synchronized void setattr(long ino, AttributeChanges c) throws FsException {
        writable();
        Inode i = inode(ino);
        if (c.permissions() != null) {
            i.permissions = c.permissions() & 07777;
        }
        if (c.uid() != null) {
            i.uid = c.uid();
        }
        if (c.gid() != null) {
            i.gid = c.gid();
        }
        if (c.accessed() != null) {
            i.accessed = c.accessed();
        }
        if (c.modified() != null) {
            i.modified = c.modified();
        }
        i.changed = clock.get();
    }

    @Override
    public synchronized long lookup(long dirIno, String name) throws FsException {
        Long ino = dir(dirIno).entries.get(name);
        if (ino == null) {
            throw new FsException(Errno.ENOENT, "ramfs: no '" + name + "' in directory " + dirIno);
        }
        return ino;
    }

    @Override
    public synchronized List<DirEntry> readdir(long dirIno) throws FsException {
        Inode d = dir(dirIno);
        List<DirEntry> out = new ArrayList<>(d.entries.size() + 2);
        out.add(new DirEntry(".", d.ino, FileType.DIRECTORY));
        out.add(new DirEntry("..", d.parent, FileType.DIRECTORY));
        for (Map.Entry<String, Long> e : d.entries.entrySet()) {
            out.add(new DirEntry(e.getKey(), e.getValue(), inodes.get(e.getValue()).type));
        }
        return out;
    }

    private Inode newInode(Inode dir, String name, FileType type, int permissions, int uid, int gid)
            throws FsException {
        writable();
        checkName(name);
        if (dir.entries.containsKey(name)) {
            throw new FsException(Errno.EEXIST, "ramfs: '" + name + "' exists");
        }
        Instant now = clock.get();
        Inode i = new Inode(nextIno++, type, permissions & 07777, uid, gid, now);
        i.links = 1;
        inodes.put(i.ino, i);
        dir.entries.put(name, i.ino);
        dir.modified = now;
        dir.changed = now;
        return i;
    }

    @Override
    public synchronized long create(long dirIno, String name, FileType type, int permissions, int uid, int gid)
            throws FsException {
        if (type == FileType.SYMLINK) {
            throw new FsException(Errno.EINVAL, "ramfs: symbolic links are made by symlink");
        }
        Inode d = dir(dirIno);
        Inode i = newInode(d, name, type, permissions, uid, gid);
        if (type == FileType.DIRECTORY) {
            i.links = 2;
            i.parent = d.ino;
            d.links++;
        }
        return i.ino;
    }

    @Override
    public synchronized long symlink(long dirIno, String name, String target, int uid, int gid) throws FsException {
        Inode i = newInode(dir(dirIno), name, FileType.SYMLINK, 0777, uid, gid);
        i.target = target;
        i.size = target.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        return i.ino;
    }

    @Override
    public synchronized void link(long dirIno, String name, long ino) throws FsException {
        writable();
        checkName(name);
        Inode d = dir(dirIno);
        Inode i = inode(ino);
        if (i.type == FileType.DIRECTORY) {
            throw new FsException(Errno.EPERM, "ramfs: hard link to a directory");
        }
        if (d.entries.containsKey(name)) {
            throw new FsException(Errno.EEXIST, "ramfs: '" + name + "' exists");
        }
        d.entries.put(name, ino);
        i.links++;
        Instant now = clock.get();
        i.changed = now;
        d.modified = now;
        d.changed = now;
    }

    private void dropLink(Inode i) {
        i.links--;
        i.changed = clock.get();
        if (i.type == FileType.DIRECTORY && i.links == 1) {
            i.links = 0;
        }
        if (i.links == 0 && i.openCount == 0) {
            free(i);
        }
    }

    private void free(Inode i) {
        usedPages -= i.pages.size();
        inodes.remove(i.ino);
    }

    @Override
    public synchronized void unlink(long dirIno, String name) throws FsException {
        writable();
        Inode d = dir(dirIno);
        Long ino = d.entries.get(name);
        if (ino == null) {
            throw new FsException(Errno.ENOENT, "ramfs: no '" + name + "'");
        }
        Inode i = inodes.get(ino);
        if (i.type == FileType.DIRECTORY) {
            throw new FsException(Errno.EISDIR, "ramfs: '" + name + "' is a directory");
        }
        d.entries.remove(name);
        d.modified = d.changed = clock.get();
        dropLink(i);
    }

    @Override
    public synchronized void rmdir(long dirIno, String name) throws FsException {
        writable();
        Inode d = dir(dirIno);
        Long ino = d.entries.get(name);
        if (ino == null) {
            throw new FsException(Errno.ENOENT, "ramfs: no '" + name + "'");
        }
        Inode i = inodes.get(ino);
        if (i.type != FileType.DIRECTORY) {
            throw new FsException(Errno.ENOTDIR, "ramfs: '" + name + "' is not a directory");
        }
        if (!i.entries.isEmpty()) {
            throw new FsException(Errno.ENOTEMPTY, "ramfs: '" + name + "' is not empty");
        }
        d.entries.remove(name);
        d.links--;
        d.modified = d.changed = clock.get();
        dropLink(i);
    }

    @Override
    public synchronized void rename(long fromDir, String fromName, long toDir, String toName) throws FsException {
        writable();
        checkName(toName);
        Inode from = dir(fromDir);
        Inode to = dir(toDir);
        Long ino = from.entries.get(fromName);
        if (ino == null) {
            throw new FsException(Errno.ENOENT, "ramfs: no '" + fromName + "'");
        }
        Inode moving = inodes.get(ino);
        if (moving.type == FileType.DIRECTORY) {
            // A directory must not move below itself: walk up from the target directory.
            for (Inode up = to; ; up = inodes.get(up.parent)) {
                if (up.ino == moving.ino) {
                    throw new FsException(Errno.EINVAL, "ramfs: a directory cannot move into itself");
                }
                if (up.ino == ROOT) {
                    break;
                }
            }
        }
        Long existing = to.entries.get(toName);
        if (existing != null) {
            if (existing.equals(ino)) {
                return; // same inode: rename(2) does nothing
            }
            Inode victim = inodes.get(existing);
            if (moving.type == FileType.DIRECTORY && victim.type != FileType.DIRECTORY) {
                throw new FsException(Errno.ENOTDIR, "ramfs: '" + toName + "' is not a directory");
            }
            if (moving.type != FileType.DIRECTORY && victim.type == FileType.DIRECTORY) {
                throw new FsException(Errno.EISDIR, "ramfs: '" + toName + "' is a directory");
            }
            if (victim.type == FileType.DIRECTORY && !victim.entries.isEmpty()) {
                throw new FsException(Errno.ENOTEMPTY, "ramfs: '" + toName + "' is not empty");
            }
            to.entries.remove(toName);
            if (victim.type == FileType.DIRECTORY) {
                to.links--;
            }
            dropLink(victim);
        }
        from.entries.remove(fromName);
        to.entries.put(toName, ino);
        if (moving.type == FileType.DIRECTORY && from != to) {
            from.links--;
            to.links++;
            moving.parent = to.ino;
        }
        Instant now = clock.get();
        moving.changed = now;
        from.modified = from.changed = now;
        to.modified = to.changed = now;
    }

    @Override
    public synchronized String readlink(long ino) throws FsException {
        Inode i = inode(ino);
        if (i.type != FileType.SYMLINK) {
            throw new FsException(Errno.EINVAL, "ramfs: inode " + ino + " is not a symbolic link");
        }
        return i.target;
    }

    @Override
    public synchronized int read(long ino, long offset, ByteBuffer dst) throws FsException {
        Inode f = regular(ino);
        if (offset < 0) {
            throw new FsException(Errno.EINVAL, "ramfs: negative offset");
        }
        if (offset >= f.size) {
            return 0;
        }
        int n = (int) Math.min(dst.remaining(), f.size - offset);
        int done = 0;
        while (done < n) {
            long pos = offset + done;
            int inPage = (int) (pos % PAGE);
            int chunk = Math.min(n - done, PAGE - inPage);
            byte[] page = f.pages.get(pos / PAGE);
            if (page == null) {
                for (int k = 0; k < chunk; k++) {
                    dst.put((byte) 0);
                }
            } else {
                dst.put(page, inPage, chunk);
            }
            done += chunk;
        }
        return n;
    }

    @Override
    public synchronized int write(long ino, long offset, ByteBuffer src) throws FsException {
        writable();
        Inode f = regular(ino);
        if (offset < 0) {
            throw new FsException(Errno.EINVAL, "ramfs: negative offset");
        }
        int n = src.remaining();
        int done = 0;
        FsException stop = null;
        while (done < n) {
            long pos = offset + done;
            int inPage = (int) (pos % PAGE);
            int chunk = Math.min(n - done, PAGE - inPage);
            byte[] page = f.pages.get(pos / PAGE);
            if (page == null) {
                if ((usedPages + 1) * PAGE > limitBytes) {
                    stop = new FsException(Errno.ENOSPC, "ramfs: full (" + (limitBytes >> 20) + " MiB)");
                    break;
                }
                page = new byte[PAGE];
                f.pages.put(pos / PAGE, page);
                usedPages++;
            }
            src.get(page, inPage, chunk);
            done += chunk;
        }
        if (done > 0) {
            f.size = Math.max(f.size, offset + done);
            f.modified = f.changed = clock.get();
        }
        if (stop != null && done == 0) {
            throw stop;
        }
        return done;
    }

    @Override
    public synchronized void truncate(long ino, long size) throws FsException {
        writable();
        Inode f = regular(ino);
        if (size < 0) {
            throw new FsException(Errno.EINVAL, "ramfs: negative size");
        }
        if (size < f.size) {
            long firstGone = (size + PAGE - 1) / PAGE;
            Map<Long, byte[]> tail = f.pages.tailMap(firstGone);
            usedPages -= tail.size();
            tail.clear();
            byte[] last = f.pages.get(size / PAGE);
            if (last != null && size % PAGE != 0) {
                java.util.Arrays.fill(last, (int) (size % PAGE), PAGE, (byte) 0);
            }
        }
        f.size = size;
        f.modified = f.changed = clock.get();
    }

    @Override
    public synchronized void retain(long ino) throws FsException {
        inode(ino).openCount++;
    }

    @Override
    public synchronized void release(long ino) throws FsException {
        Inode i = inodes.get(ino);
        if (i != null && --i.openCount <= 0) {
            i.openCount = 0;
            if (i.links == 0) {
                free(i);
            }
        }
    }

    @Override
    public synchronized FsStats statfs() throws FsException {
        long total = limitBytes / PAGE;
        return new FsStats(TYPE, PAGE, total, total - usedPages, total - usedPages, 0, 0, NAME_MAX);
    }

    @Override
    public void sync() {
        // nothing to write out
    }

    @Override
    public synchronized void unmount() {
        unmounted = true;
        inodes.clear();
    }
}
