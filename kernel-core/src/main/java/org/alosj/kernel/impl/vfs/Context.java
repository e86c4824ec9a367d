package org.alosj.kernel.impl.vfs;

import static org.alosj.kernel.vfs.OpenFlags.O_ACCMODE;
import static org.alosj.kernel.vfs.OpenFlags.O_APPEND;
import static org.alosj.kernel.vfs.OpenFlags.O_CREAT;
import static org.alosj.kernel.vfs.OpenFlags.O_DIRECTORY;
import static org.alosj.kernel.vfs.OpenFlags.O_EXCL;
import static org.alosj.kernel.vfs.OpenFlags.O_NOFOLLOW;
import static org.alosj.kernel.vfs.OpenFlags.O_RDONLY;
import static org.alosj.kernel.vfs.OpenFlags.O_TRUNC;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.fs.AttributeChanges;
import org.alosj.kernel.fs.DirEntry;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FileAttributes;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.fs.FsStats;
import org.alosj.kernel.fs.MountOptions;
import org.alosj.kernel.vfs.FileStatus;
import org.alosj.kernel.vfs.OpenFlags;
import org.alosj.kernel.vfs.VfsContext;

/**
 * One process's view of the VFS and its system calls: credentials, working directory (a
 * {@link Chain}, which keeps its mount busy), umask and the descriptor table (lowest free
 * number first, at most {@link #MAX_FILES}). Each call checks what Linux checks, in Linux's
 * order where it decides the errno, then asks the filesystem.
 */
final class Context implements VfsContext {
    static final int MAX_FILES = 1024;

    private final VirtualFileSystem vfs;
    private final int uid;
    private final int gid;
    private final List<OpenFile> files = new ArrayList<>();
    private Chain cwd;
    private int umask = 022;
    private boolean closed;

    Context(VirtualFileSystem vfs, int uid, int gid, Chain cwd) {
        this.vfs = vfs;
        this.uid = uid;
        this.gid = gid;
        this.cwd = cwd;
        vfs.top(cwd.node()).mount().users.incrementAndGet();
    }

    @Override
    public int uid() {
        return uid;
    }

    @Override
    public int gid() {
        return gid;
    }

    @Override
    public synchronized int umask(int mask) {
        int old = umask;
        umask = mask & 0777;
        return old;
    }

    @Override
    public synchronized int umask() {
        return umask;
    }

    synchronized Chain cwdChain() {
        return cwd;
    }

    @Override
    public String cwd() throws FsException {
        Chain c = cwdChain();
        Node n = vfs.top(c.node());
        if (!vfs.mounted(n.mount())) {
            throw new FsException(Errno.ENOENT, "the working directory's filesystem was unmounted");
        }
        if (vfs.getattr(n).links() == 0) {
            throw new FsException(Errno.ENOENT, "the working directory was removed");
        }
        return c.path();
    }

    @Override
    public void chdir(String path) throws FsException {
        Chain c = walk(path, true);
        Node n = vfs.top(c.node());
        FileAttributes a = vfs.getattr(n);
        if (a.type() != FileType.DIRECTORY) {
            throw new FsException(Errno.ENOTDIR, path + ": not a directory");
        }
        VirtualFileSystem.permit(this, a, 1);
        Node old;
        synchronized (this) {
            old = vfs.top(cwd.node());
            cwd = c;
        }
        n.mount().users.incrementAndGet();
        old.mount().users.decrementAndGet();
    }

    @Override
    public synchronized VfsContext fork() {
        Context child = new Context(vfs, uid, gid, cwd);
        child.umask = umask;
        for (OpenFile f : files) {
            if (f != null) {
                synchronized (f) {
                    f.references++;
                }
            }
            child.files.add(f);
        }
        return child;
    }

    // ---- descriptors ----

    private synchronized int install(OpenFile f) throws FsException {
        if (closed) {
            throw new FsException(Errno.EBADF, "the context is closed");
        }
        for (int i = 0; i < files.size(); i++) {
            if (files.get(i) == null) {
                files.set(i, f);
                return i;
            }
        }
        if (files.size() >= MAX_FILES) {
            throw new FsException(Errno.EMFILE, MAX_FILES + " files open");
        }
        files.add(f);
        return files.size() - 1;
    }

    private synchronized OpenFile file(int fd) throws FsException {
        if (fd < 0 || fd >= files.size() || files.get(fd) == null) {
            throw new FsException(Errno.EBADF, "no descriptor " + fd);
        }
        return files.get(fd);
    }

    private Chain walk(String path, boolean follow) throws FsException {
        return vfs.walk(this, cwdChain(), path, follow, new int[1]);
    }

    private Node resolve(String path, boolean follow) throws FsException {
        return vfs.top(walk(path, follow).node());
    }

    @Override
    public int open(String path, int flags, int mode) throws FsException {
        return open(path, flags, mode, 0);
    }

    private int open(String path, int flags, int mode, int links) throws FsException {
        int acc = flags & O_ACCMODE;
        if (acc == O_ACCMODE) {
            throw new FsException(Errno.EINVAL, "bad access mode");
        }
        Node node = null;
        boolean created = false;
        if ((flags & O_CREAT) != 0) {
            VirtualFileSystem.Parent p = vfs.parent(this, path);
            if (!p.special()) {
                Node child = VirtualFileSystem.childOf(p);
                if (child == null) {
                    if (p.trailingSlash()) {
                        throw new FsException(Errno.EISDIR, path + ": cannot create a file with a trailing slash");
                    }
                    checkWrite(p);
                    FileAttributes dir = vfs.getattr(p.node());
                    int g = (dir.permissions() & 02000) != 0 ? dir.gid() : gid;
                    long ino;
                    try {
                        ino = p.node().mount().fs.create(p.node().ino(), p.name(), FileType.REGULAR,
                                mode & ~umask() & 07777, uid, g);
                        node = new Node(p.node().mount(), ino);
                        created = true;
                    } catch (FsException e) {
                        if (e.errno() != Errno.EEXIST || (flags & O_EXCL) != 0) {
                            throw e;
                        }
                    }
                } else if ((flags & O_EXCL) != 0) {
                    throw new FsException(Errno.EEXIST, path + ": exists");
                } else if ((flags & O_NOFOLLOW) == 0 && vfs.getattr(child).type() == FileType.SYMLINK) {
                    // O_CREAT follows a symbolic link, and creates what a dangling one names.
                    if (links >= VirtualFileSystem.MAX_SYMLINKS) {
                        throw new FsException(Errno.ELOOP, path + ": too many symbolic links");
                    }
                    String target = child.mount().fs.readlink(child.ino());
                    String dir = p.dir().path();
                    return open(target.startsWith("/") ? target : (dir.equals("/") ? "/" : dir + "/") + target,
                            flags, mode, links + 1);
                }
            } else if ((flags & O_EXCL) != 0) {
                throw new FsException(Errno.EEXIST, path + ": exists");
            }
        }
        if (node == null) {
            Chain c = walk(path, (flags & O_NOFOLLOW) == 0);
            node = vfs.top(c.node());
        }
        FileAttributes a = vfs.getattr(node);
        if (a.type() == FileType.SYMLINK) {
            throw new FsException(Errno.ELOOP, path + ": a symbolic link (O_NOFOLLOW)");
        }
        if ((flags & O_DIRECTORY) != 0 && a.type() != FileType.DIRECTORY) {
            throw new FsException(Errno.ENOTDIR, path + ": not a directory");
        }
        if (a.type() == FileType.DIRECTORY && (acc != O_RDONLY || (flags & O_TRUNC) != 0)) {
            throw new FsException(Errno.EISDIR, path + ": a directory");
        }
        if (!created) {
            int want = (acc != OpenFlags.O_WRONLY ? 4 : 0) | (acc != O_RDONLY || (flags & O_TRUNC) != 0 ? 2 : 0);
            VirtualFileSystem.permit(this, a, want);
        }
        boolean writing = acc != O_RDONLY || (flags & O_TRUNC) != 0;
        if (writing && (a.type() == FileType.REGULAR) && node.mount().readOnly) {
            throw new FsException(Errno.EROFS, path + ": read-only filesystem");
        }
        OpenFile.Kind kind;
        BlockDevice block = null;
        switch (a.type()) {
            case REGULAR -> kind = OpenFile.Kind.FILE;
            case DIRECTORY -> kind = OpenFile.Kind.DIRECTORY;
            case BLOCK_DEVICE -> {
                kind = OpenFile.Kind.BLOCK;
                block = deviceFor(a.rdev(), path);
                if (writing && block.readOnly()) {
                    throw new FsException(Errno.EROFS, path + ": the device is read-only");
                }
            }
            case CHARACTER_DEVICE -> {
                if (a.rdev() == DevFs.DEV_NULL) {
                    kind = OpenFile.Kind.NULL;
                } else if (a.rdev() == DevFs.DEV_ZERO) {
                    kind = OpenFile.Kind.ZERO;
                } else if (a.rdev() == DevFs.DEV_RANDOM || a.rdev() == DevFs.DEV_URANDOM) {
                    kind = OpenFile.Kind.RANDOM;
                } else {
                    throw new FsException(Errno.ENXIO, path + ": no such character device");
                }
            }
            default -> throw new FsException(Errno.ENXIO, path + ": " + a.type() + " cannot be opened");
        }
        if ((flags & O_TRUNC) != 0 && kind == OpenFile.Kind.FILE && !created && a.size() != 0) {
            node.mount().fs.truncate(node.ino(), 0);
        }
        VirtualFileSystem.OpenInode oi = vfs.open(node);
        OpenFile f = new OpenFile(node, flags, kind, block, oi);
        try {
            return install(f);
        } catch (FsException e) {
            vfs.close(node);
            throw e;
        }
    }

    private BlockDevice deviceFor(long rdev, String path) throws FsException {
        return vfs.blocks().nameOf(rdev).flatMap(vfs.blocks()::device)
                .orElseThrow(() -> new FsException(Errno.ENXIO, path + ": no such device"));
    }

    @Override
    public int read(int fd, ByteBuffer dst) throws FsException {
        OpenFile f = file(fd);
        synchronized (f) {
            int n = readAt(f, dst, f.offset);
            f.offset += n;
            return n;
        }
    }

    @Override
    public int pread(int fd, ByteBuffer dst, long offset) throws FsException {
        OpenFile f = file(fd);
        if (offset < 0) {
            throw new FsException(Errno.EINVAL, "negative offset");
        }
        if (f.isCharacterDevice()) {
            throw new FsException(Errno.ESPIPE, "not seekable");
        }
        return readAt(f, dst, offset);
    }

    private static int readAt(OpenFile f, ByteBuffer dst, long offset) throws FsException {
        if (!f.readable()) {
            throw new FsException(Errno.EBADF, "not open for reading");
        }
        return switch (f.kind) {
            case FILE -> f.node.mount().fs.read(f.node.ino(), offset, dst);
            case DIRECTORY -> throw new FsException(Errno.EISDIR, "a directory");
            case BLOCK -> f.readBlock(offset, dst);
            case NULL -> 0;
            case ZERO -> {
                int n = dst.remaining();
                for (int i = 0; i < n; i++) {
                    dst.put((byte) 0);
                }
                yield n;
            }
            case RANDOM -> {
                byte[] b = new byte[dst.remaining()];
                OpenFile.RANDOM.nextBytes(b);
                dst.put(b);
                yield b.length;
            }
        };
    }

    @Override
    public int write(int fd, ByteBuffer src) throws FsException {
        OpenFile f = file(fd);
        if (f.kind == OpenFile.Kind.FILE && (f.flags & O_APPEND) != 0) {
            // Appends from every descriptor of the inode go one at a time, each at the end.
            synchronized (f.inode) {
                long end = f.node.mount().fs.getattr(f.node.ino()).size();
                int n = writeAt(f, src, end);
                synchronized (f) {
                    f.offset = end + n;
                }
                return n;
            }
        }
        synchronized (f) {
            int n = writeAt(f, src, f.offset);
            f.offset += n;
            return n;
        }
    }

    @Override
    public int pwrite(int fd, ByteBuffer src, long offset) throws FsException {
        OpenFile f = file(fd);
        if (offset < 0) {
            throw new FsException(Errno.EINVAL, "negative offset");
        }
        if (f.isCharacterDevice()) {
            throw new FsException(Errno.ESPIPE, "not seekable");
        }
        return writeAt(f, src, offset);
    }

    private static int writeAt(OpenFile f, ByteBuffer src, long offset) throws FsException {
        if (!f.writable()) {
            throw new FsException(Errno.EBADF, "not open for writing");
        }
        return switch (f.kind) {
            case FILE -> {
                if (f.node.mount().readOnly) {
                    throw new FsException(Errno.EROFS, "read-only filesystem");
                }
                yield f.node.mount().fs.write(f.node.ino(), offset, src);
            }
            case DIRECTORY -> throw new FsException(Errno.EISDIR, "a directory");
            case BLOCK -> f.writeBlock(offset, src);
            case NULL, ZERO, RANDOM -> {
                int n = src.remaining();
                src.position(src.limit());
                yield n;
            }
        };
    }

    @Override
    public long lseek(int fd, long offset, int whence) throws FsException {
        OpenFile f = file(fd);
        if (f.isCharacterDevice()) {
            return 0;
        }
        synchronized (f) {
            long base = switch (whence) {
                case OpenFlags.SEEK_SET -> 0;
                case OpenFlags.SEEK_CUR -> f.offset;
                case OpenFlags.SEEK_END -> f.kind == OpenFile.Kind.BLOCK ? f.blockSize()
                        : f.node.mount().fs.getattr(f.node.ino()).size();
                default -> throw new FsException(Errno.EINVAL, "bad whence " + whence);
            };
            long to = base + offset;
            if (to < 0 || (offset > 0 && to < base)) {
                throw new FsException(Errno.EINVAL, "offset " + offset + " from " + base + " is negative");
            }
            if (f.kind == OpenFile.Kind.DIRECTORY && to == 0) {
                // A rewind reads the directory anew; another seek is a position in the listing
                // already read (getdents64 resumes where a full buffer stopped it).
                f.listing = null;
            }
            f.offset = to;
            return to;
        }
    }

    @Override
    public void ftruncate(int fd, long length) throws FsException {
        OpenFile f = file(fd);
        if (f.kind != OpenFile.Kind.FILE || !f.writable()) {
            throw new FsException(Errno.EINVAL, "not a regular file open for writing");
        }
        if (length < 0) {
            throw new FsException(Errno.EINVAL, "negative length");
        }
        if (f.node.mount().readOnly) {
            throw new FsException(Errno.EROFS, "read-only filesystem");
        }
        f.node.mount().fs.truncate(f.node.ino(), length);
    }

    @Override
    public FileStatus fstat(int fd) throws FsException {
        OpenFile f = file(fd);
        return new FileStatus(f.node.mount().dev, f.node.mount().fs.getattr(f.node.ino()));
    }

    @Override
    public void fsync(int fd) throws FsException {
        OpenFile f = file(fd);
        if (f.kind == OpenFile.Kind.BLOCK) {
            try {
                f.block.flush();
            } catch (java.io.IOException e) {
                throw new FsException(Errno.EIO, e.getMessage(), e);
            }
        } else {
            f.node.mount().fs.sync();
        }
    }

    @Override
    public List<DirEntry> getdents(int fd) throws FsException {
        OpenFile f = file(fd);
        if (f.kind != OpenFile.Kind.DIRECTORY) {
            throw new FsException(Errno.ENOTDIR, "not a directory");
        }
        synchronized (f) {
            if (f.listing == null) {
                f.listing = f.node.mount().fs.readdir(f.node.ino());
            }
            int from = (int) Math.min(f.offset, f.listing.size());
            List<DirEntry> rest = List.copyOf(f.listing.subList(from, f.listing.size()));
            f.offset = f.listing.size();
            return rest;
        }
    }

    @Override
    public int dup(int fd) throws FsException {
        OpenFile f = file(fd);
        synchronized (f) {
            f.references++;
        }
        try {
            return install(f);
        } catch (FsException e) {
            drop(f);
            throw e;
        }
    }

    @Override
    public void close(int fd) throws FsException {
        OpenFile f;
        synchronized (this) {
            f = file(fd);
            files.set(fd, null);
        }
        drop(f);
    }

    private void drop(OpenFile f) {
        boolean last;
        synchronized (f) {
            last = --f.references == 0;
        }
        if (last) {
            vfs.close(f.node);
        }
    }

    @Override
    public synchronized List<Integer> descriptors() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            if (files.get(i) != null) {
                out.add(i);
            }
        }
        return out;
    }

    @Override
    public void close() {
        List<OpenFile> all;
        Node wd;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(files);
            files.clear();
            wd = vfs.top(cwd.node());
        }
        for (OpenFile f : all) {
            if (f != null) {
                drop(f);
            }
        }
        wd.mount().users.decrementAndGet();
    }

    // ---- paths ----

    @Override
    public FileStatus stat(String path) throws FsException {
        Node n = resolve(path, true);
        return new FileStatus(n.mount().dev, vfs.getattr(n));
    }

    @Override
    public FileStatus lstat(String path) throws FsException {
        Node n = resolve(path, false);
        return new FileStatus(n.mount().dev, vfs.getattr(n));
    }

    @Override
    public void access(String path, int mode) throws FsException {
        Node n = resolve(path, true);
        FileAttributes a = vfs.getattr(n);
        if ((mode & OpenFlags.W_OK) != 0 && n.mount().readOnly && a.type() != FileType.BLOCK_DEVICE
                && a.type() != FileType.CHARACTER_DEVICE) {
            throw new FsException(Errno.EROFS, path + ": read-only filesystem");
        }
        VirtualFileSystem.permit(this, a, mode & 7);
    }

    /** Write and search permission in the directory, on a writable mount. */
    private void checkWrite(VirtualFileSystem.Parent p) throws FsException {
        VirtualFileSystem.permit(this, vfs.getattr(p.node()), 3);
        if (p.node().mount().readOnly) {
            throw new FsException(Errno.EROFS, "read-only filesystem");
        }
    }

    /** The sticky bit: in such a directory only the owner of a name (or of the directory) removes it. */
    private void checkSticky(VirtualFileSystem.Parent p, Node child) throws FsException {
        if (uid == 0) {
            return;
        }
        FileAttributes dir = vfs.getattr(p.node());
        if ((dir.permissions() & 01000) != 0 && dir.uid() != uid && vfs.getattr(child).uid() != uid) {
            throw new FsException(Errno.EPERM, p.name() + ": sticky directory, not the owner");
        }
    }

    private static FsException noEntry(String path) {
        return new FsException(Errno.ENOENT, path + ": no such file or directory");
    }

    @Override
    public void mkdir(String path, int mode) throws FsException {
        VirtualFileSystem.Parent p = vfs.parent(this, path);
        if (p.special() || VirtualFileSystem.childOf(p) != null) {
            throw new FsException(Errno.EEXIST, path + ": exists");
        }
        checkWrite(p);
        FileAttributes dir = vfs.getattr(p.node());
        boolean setgid = (dir.permissions() & 02000) != 0;
        p.node().mount().fs.create(p.node().ino(), p.name(), FileType.DIRECTORY,
                (mode & ~umask() & 01777) | (setgid ? 02000 : 0), uid, setgid ? dir.gid() : gid);
    }

    @Override
    public void rmdir(String path) throws FsException {
        VirtualFileSystem.Parent p = vfs.parent(this, path);
        if (p.name().equals(".")) {
            throw new FsException(Errno.EINVAL, path + ": ends in .");
        }
        if (p.name().equals("..")) {
            throw new FsException(Errno.ENOTEMPTY, path + ": ends in ..");
        }
        if (p.name().isEmpty()) {
            throw new FsException(Errno.EBUSY, "/: the root");
        }
        Node child = VirtualFileSystem.childOf(p);
        if (child == null) {
            throw noEntry(path);
        }
        if (vfs.getattr(child).type() != FileType.DIRECTORY) {
            throw new FsException(Errno.ENOTDIR, path + ": not a directory");
        }
        checkWrite(p);
        checkSticky(p, child);
        if (vfs.isMountPoint(child)) {
            throw new FsException(Errno.EBUSY, path + ": a mount point");
        }
        p.node().mount().fs.rmdir(p.node().ino(), p.name());
    }

    @Override
    public void unlink(String path) throws FsException {
        VirtualFileSystem.Parent p = vfs.parent(this, path);
        if (p.special()) {
            throw new FsException(Errno.EISDIR, path + ": a directory");
        }
        Node child = VirtualFileSystem.childOf(p);
        if (child == null) {
            throw noEntry(path);
        }
        FileType t = vfs.getattr(child).type();
        if (t == FileType.DIRECTORY) {
            throw new FsException(Errno.EISDIR, path + ": a directory");
        }
        if (p.trailingSlash()) {
            throw new FsException(Errno.ENOTDIR, path + ": not a directory");
        }
        checkWrite(p);
        checkSticky(p, child);
        p.node().mount().fs.unlink(p.node().ino(), p.name());
    }

    @Override
    public void rename(String from, String to) throws FsException {
        VirtualFileSystem.Parent a = vfs.parent(this, from);
        VirtualFileSystem.Parent b = vfs.parent(this, to);
        if (a.special() || b.special()) {
            throw new FsException(a.name().isEmpty() || b.name().isEmpty() ? Errno.EBUSY : Errno.EINVAL,
                    from + " -> " + to + ": . , .. or / cannot be renamed");
        }
        Node src = VirtualFileSystem.childOf(a);
        if (src == null) {
            throw noEntry(from);
        }
        FileAttributes sa = vfs.getattr(src);
        if ((a.trailingSlash() || b.trailingSlash()) && sa.type() != FileType.DIRECTORY) {
            throw new FsException(Errno.ENOTDIR, from + ": not a directory");
        }
        if (a.node().mount() != b.node().mount()) {
            throw new FsException(Errno.EXDEV, from + " -> " + to + ": different filesystems");
        }
        checkWrite(a);
        checkWrite(b);
        checkSticky(a, src);
        Node dst = VirtualFileSystem.childOf(b);
        if (dst != null) {
            if (dst.equals(src)) {
                return;
            }
            checkSticky(b, dst);
            if (vfs.isMountPoint(dst)) {
                throw new FsException(Errno.EBUSY, to + ": a mount point");
            }
        }
        if (vfs.isMountPoint(src)) {
            throw new FsException(Errno.EBUSY, from + ": a mount point");
        }
        if (sa.type() == FileType.DIRECTORY && b.dir().contains(src)) {
            throw new FsException(Errno.EINVAL, to + ": inside " + from);
        }
        a.node().mount().fs.rename(a.node().ino(), a.name(), b.node().ino(), b.name());
    }

    @Override
    public void link(String existing, String newPath) throws FsException {
        Node src = resolve(existing, false);
        if (vfs.getattr(src).type() == FileType.DIRECTORY) {
            throw new FsException(Errno.EPERM, existing + ": hard link to a directory");
        }
        VirtualFileSystem.Parent p = vfs.parent(this, newPath);
        if (p.special() || VirtualFileSystem.childOf(p) != null) {
            throw new FsException(Errno.EEXIST, newPath + ": exists");
        }
        if (p.node().mount() != src.mount()) {
            throw new FsException(Errno.EXDEV, existing + " -> " + newPath + ": different filesystems");
        }
        checkWrite(p);
        p.node().mount().fs.link(p.node().ino(), p.name(), src.ino());
    }

    @Override
    public void symlink(String target, String linkPath) throws FsException {
        if (target.isEmpty()) {
            throw new FsException(Errno.ENOENT, "empty target");
        }
        VirtualFileSystem.checkPath(target);
        VirtualFileSystem.Parent p = vfs.parent(this, linkPath);
        if (p.special() || VirtualFileSystem.childOf(p) != null) {
            throw new FsException(Errno.EEXIST, linkPath + ": exists");
        }
        checkWrite(p);
        p.node().mount().fs.symlink(p.node().ino(), p.name(), target, uid, gid);
    }

    @Override
    public String readlink(String path) throws FsException {
        Node n = resolve(path, false);
        if (vfs.getattr(n).type() != FileType.SYMLINK) {
            throw new FsException(Errno.EINVAL, path + ": not a symbolic link");
        }
        return n.mount().fs.readlink(n.ino());
    }

    private void changeAttributes(String path, AttributeChanges changes, boolean ownerOnly) throws FsException {
        Node n = resolve(path, true);
        FileAttributes a = vfs.getattr(n);
        if (ownerOnly && uid != 0 && a.uid() != uid) {
            throw new FsException(Errno.EPERM, path + ": not the owner");
        }
        if (n.mount().readOnly) {
            throw new FsException(Errno.EROFS, path + ": read-only filesystem");
        }
        n.mount().fs.setattr(n.ino(), changes);
    }

    @Override
    public void chmod(String path, int mode) throws FsException {
        changeAttributes(path, AttributeChanges.permissions(mode & 07777), true);
    }

    @Override
    public void chown(String path, int newUid, int newGid) throws FsException {
        Node n = resolve(path, true);
        FileAttributes a = vfs.getattr(n);
        if (uid != 0) {
            boolean mayGroup = a.uid() == uid && (newGid == -1 || newGid == gid);
            if ((newUid != -1 && newUid != a.uid()) || !mayGroup) {
                throw new FsException(Errno.EPERM, path + ": only root changes owners");
            }
        }
        if (n.mount().readOnly) {
            throw new FsException(Errno.EROFS, path + ": read-only filesystem");
        }
        n.mount().fs.setattr(n.ino(), new AttributeChanges(null, newUid == -1 ? null : newUid,
                newGid == -1 ? null : newGid, null, null));
    }

    @Override
    public void utimes(String path, Instant accessed, Instant modified) throws FsException {
        Node n = resolve(path, true);
        FileAttributes a = vfs.getattr(n);
        if (uid != 0 && a.uid() != uid) {
            VirtualFileSystem.permit(this, a, 2); // as for "now": write permission will do
        }
        if (n.mount().readOnly) {
            throw new FsException(Errno.EROFS, path + ": read-only filesystem");
        }
        n.mount().fs.setattr(n.ino(), AttributeChanges.times(accessed, modified));
    }

    @Override
    public void truncate(String path, long length) throws FsException {
        Node n = resolve(path, true);
        FileAttributes a = vfs.getattr(n);
        if (a.type() == FileType.DIRECTORY) {
            throw new FsException(Errno.EISDIR, path + ": a directory");
        }
        if (a.type() != FileType.REGULAR || length < 0) {
            throw new FsException(Errno.EINVAL, path + ": not a regular file, or a negative length");
        }
        VirtualFileSystem.permit(this, a, 2);
        if (n.mount().readOnly) {
            throw new FsException(Errno.EROFS, path + ": read-only filesystem");
        }
        n.mount().fs.truncate(n.ino(), length);
    }

    @Override
    public List<DirEntry> readdir(String path) throws FsException {
        Node n = resolve(path, true);
        FileAttributes a = vfs.getattr(n);
        if (a.type() != FileType.DIRECTORY) {
            throw new FsException(Errno.ENOTDIR, path + ": not a directory");
        }
        VirtualFileSystem.permit(this, a, 4);
        return n.mount().fs.readdir(n.ino());
    }

    @Override
    public FsStats statfs(String path) throws FsException {
        return resolve(path, true).mount().fs.statfs();
    }

    @Override
    public String realpath(String path) throws FsException {
        return walk(path, true).path();
    }

    @Override
    public void mount(String source, String target, String type, MountOptions options) throws FsException {
        vfs.mount(this, source, target, type, options);
    }

    @Override
    public void umount(String target) throws FsException {
        vfs.umount(this, target);
    }

    @Override
    public BlockDevice blockDevice(String path) throws FsException {
        FileAttributes a = vfs.getattr(resolve(path, true));
        if (a.type() != FileType.BLOCK_DEVICE) {
            throw new FsException(Errno.ENOTBLK, path + ": not a block device");
        }
        return deviceFor(a.rdev(), path);
    }

    @Override
    public Optional<String> blockDeviceName(String path) {
        try {
            FileAttributes a = vfs.getattr(resolve(path, true));
            return a.type() == FileType.BLOCK_DEVICE ? vfs.blocks().nameOf(a.rdev()) : Optional.empty();
        } catch (FsException e) {
            return Optional.empty();
        }
    }
}
