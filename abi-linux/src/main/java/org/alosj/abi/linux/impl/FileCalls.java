package org.alosj.abi.linux.impl;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.alosj.kernel.fs.DirEntry;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.proc.OpenFile;
import org.alosj.kernel.proc.SysError;
import org.alosj.kernel.proc.Task;
import org.alosj.kernel.proc.UserMemory;
import org.alosj.kernel.vfs.FileStatus;
import org.alosj.kernel.vfs.OpenFlags;
import org.alosj.kernel.vfs.Vfs;
import org.alosj.kernel.vfs.VfsContext;

/**
 * The file system calls: descriptors, paths through the VFS (with the *at forms' directory
 * descriptors), pipes, and readiness (poll, select). Every structure crosses through
 * {@link UserMemory}, so a wild pointer is EFAULT.
 */
final class FileCalls {
    private static final int MAX_IO = 4 << 20;
    private static final int PATH_MAX = 4096;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int AT_REMOVEDIR = 0x200;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final long UTIME_NOW = (1L << 30) - 1;
    private static final long UTIME_OMIT = (1L << 30) - 2;

    private final LinuxAbi abi;

    FileCalls(LinuxAbi abi) {
        this.abi = abi;
    }

    static SysError error(FsException e) {
        return new SysError(e.errno().number(), e.getMessage());
    }

    long dispatch(Task t, Args a) throws SysError {
        try {
            return call(t, a);
        } catch (FsException e) {
            throw error(e);
        }
    }

    private long call(Task t, Args a) throws SysError, FsException {
        VfsContext fs = t.fs();
        switch (a.number()) {
            case 0:
                return read(t, a.i0(), a.a1(), a.a2(), -1);
            case 1:
                return write(t, a.i0(), a.a1(), a.a2(), -1);
            case 17:
                return read(t, a.i0(), a.a1(), a.a2(), a.a3());
            case 18:
                return write(t, a.i0(), a.a1(), a.a2(), a.a3());
            case 19:
                return vector(t, a.i0(), a.a1(), a.i2(), false, -1);
            case 20:
                return vector(t, a.i0(), a.a1(), a.i2(), true, -1);
            case 295:
                return vector(t, a.i0(), a.a1(), a.i2(), false, a.a3());
            case 296:
                return vector(t, a.i0(), a.a1(), a.i2(), true, a.a3());
            case 2:
                return open(t, LinuxAbi.AT_FDCWD, a.a0(), a.i1(), a.i2());
            case 257:
                return open(t, a.i0(), a.a1(), a.i2(), a.i3());
            case 85:
                return open(t, LinuxAbi.AT_FDCWD, a.a0(), OpenFlags.O_CREAT | OpenFlags.O_WRONLY | OpenFlags.O_TRUNC,
                        a.i1());
            case 3:
                t.closeFile(a.i0());
                return 0;
            case 4:
                return stat(t, LinuxAbi.AT_FDCWD, a.a0(), a.a1(), 0);
            case 6:
                return stat(t, LinuxAbi.AT_FDCWD, a.a0(), a.a1(), AT_SYMLINK_NOFOLLOW);
            case 5:
                return fstat(t, a.i0(), a.a1(), false);
            case 262:
                return stat(t, a.i0(), a.a1(), a.a2(), a.i3());
            case 332:
                return statx(t, a.i0(), a.a1(), a.i2(), a.a4());
            case 7:
                return poll(t, a.a0(), a.i1(), a.i2() < 0 ? -1 : a.i2() * 1_000_000L);
            case 271: {
                long timeout = a.a2() == 0 ? -1 : abi.readTimespec(t, a.a2());
                return withMask(t, a.a3(), () -> poll(t, a.a0(), a.i1(), timeout));
            }
            case 23: {
                long timeout = -1;
                if (a.a4() != 0) {
                    long s = t.memory().readLong(a.a4());
                    long us = t.memory().readLong(a.a4() + 8);
                    if (s < 0 || us < 0 || us >= 1_000_000) {
                        throw new SysError(SysError.EINVAL);
                    }
                    timeout = s * 1_000_000_000L + us * 1000;
                }
                return select(t, a.i0(), a.a1(), a.a2(), a.a3(), timeout);
            }
            case 270: {
                long timeout = a.a4() == 0 ? -1 : abi.readTimespec(t, a.a4());
                long mask = a.a5() == 0 ? 0 : t.memory().readLong(a.a5());
                long finalTimeout = timeout;
                return withMask(t, mask, () -> select(t, a.i0(), a.a1(), a.a2(), a.a3(), finalTimeout));
            }
            case 8:
                return t.file(a.i0()).seek(a.a1(), a.i2());
            case 16:
                return ioctl(t, a.i0(), a.i1(), a.a2());
            case 21:
                fs.access(path(t, LinuxAbi.AT_FDCWD, a.a0()), a.i1());
                return 0;
            case 269:
            case 439:
                fs.access(path(t, a.i0(), a.a1()), a.i2());
                return 0;
            case 22:
                return pipe(t, a.a0(), 0);
            case 293:
                return pipe(t, a.a0(), a.i1());
            case 32:
                return t.dup(a.i0(), 0, false);
            case 33:
                if (a.i0() == a.i1()) {
                    t.file(a.i0());
                    return a.i1();
                }
                t.dup2(a.i0(), a.i1(), false);
                return a.i1();
            case 292:
                if (a.i0() == a.i1() || (a.i2() & ~OpenFlags.O_CLOEXEC) != 0) {
                    throw new SysError(SysError.EINVAL);
                }
                t.dup2(a.i0(), a.i1(), (a.i2() & OpenFlags.O_CLOEXEC) != 0);
                return a.i1();
            case 72:
                return fcntl(t, a.i0(), a.i1(), a.a2());
            case 73: // flock: one machine, advisory locks always granted
                t.file(a.i0());
                return 0;
            case 74:
            case 75: {
                OpenFile.VfsHandle h = vfsFile(t, a.i0(), SysError.EINVAL);
                h.context().fsync(h.fd());
                return 0;
            }
            case 162: {
                Vfs v = abi.vfs;
                if (v != null) {
                    v.sync();
                }
                return 0;
            }
            case 76:
                fs.truncate(path(t, LinuxAbi.AT_FDCWD, a.a0()), a.a1());
                return 0;
            case 77: {
                OpenFile.VfsHandle h = vfsFile(t, a.i0(), SysError.EINVAL);
                h.context().ftruncate(h.fd(), a.a1());
                return 0;
            }
            case 217:
                return getdents64(t, a.i0(), a.a1(), a.i2());
            case 79:
                return getcwd(t, a.a0(), a.a1());
            case 80:
                fs.chdir(path(t, LinuxAbi.AT_FDCWD, a.a0()));
                return 0;
            case 81:
                fs.chdir(vfsFile(t, a.i0(), SysError.ENOTDIR).path());
                return 0;
            case 82:
                fs.rename(path(t, LinuxAbi.AT_FDCWD, a.a0()), path(t, LinuxAbi.AT_FDCWD, a.a1()));
                return 0;
            case 264:
                fs.rename(path(t, a.i0(), a.a1()), path(t, a.i2(), a.a3()));
                return 0;
            case 316:
                return renameat2(t, a);
            case 83:
                fs.mkdir(path(t, LinuxAbi.AT_FDCWD, a.a0()), a.i1());
                return 0;
            case 258:
                fs.mkdir(path(t, a.i0(), a.a1()), a.i2());
                return 0;
            case 84:
                fs.rmdir(path(t, LinuxAbi.AT_FDCWD, a.a0()));
                return 0;
            case 87:
                fs.unlink(path(t, LinuxAbi.AT_FDCWD, a.a0()));
                return 0;
            case 263:
                if ((a.i2() & AT_REMOVEDIR) != 0) {
                    fs.rmdir(path(t, a.i0(), a.a1()));
                } else {
                    fs.unlink(path(t, a.i0(), a.a1()));
                }
                return 0;
            case 86:
                fs.link(path(t, LinuxAbi.AT_FDCWD, a.a0()), path(t, LinuxAbi.AT_FDCWD, a.a1()));
                return 0;
            case 265:
                fs.link(path(t, a.i0(), a.a1()), path(t, a.i2(), a.a3()));
                return 0;
            case 88:
                fs.symlink(t.memory().readString(a.a0(), PATH_MAX), path(t, LinuxAbi.AT_FDCWD, a.a1()));
                return 0;
            case 266:
                fs.symlink(t.memory().readString(a.a0(), PATH_MAX), path(t, a.i1(), a.a2()));
                return 0;
            case 89:
                return readlink(t, path(t, LinuxAbi.AT_FDCWD, a.a0()), a.a1(), a.a2());
            case 267:
                return readlink(t, path(t, a.i0(), a.a1()), a.a2(), a.a3());
            case 90:
                fs.chmod(path(t, LinuxAbi.AT_FDCWD, a.a0()), a.i1() & 07777);
                return 0;
            case 268:
                fs.chmod(path(t, a.i0(), a.a1()), a.i2() & 07777);
                return 0;
            case 91:
                fs.chmod(vfsFile(t, a.i0(), SysError.EBADF).path(), a.i1() & 07777);
                return 0;
            case 92:
            case 94:
                fs.chown(path(t, LinuxAbi.AT_FDCWD, a.a0()), a.i1(), a.i2());
                return 0;
            case 260:
                fs.chown(path(t, a.i0(), a.a1()), a.i2(), a.i3());
                return 0;
            case 93:
                fs.chown(vfsFile(t, a.i0(), SysError.EBADF).path(), a.i1(), a.i2());
                return 0;
            case 280:
                return utimensat(t, a.i0(), a.a1(), a.a2());
            case 235:
                return utimes(t, a.a0(), a.a1());
            case 132:
                return utime(t, a.a0(), a.a1());
            case 137:
                t.memory().write(a.a1(), Layout.statfs(fs.statfs(path(t, LinuxAbi.AT_FDCWD, a.a0()))));
                return 0;
            case 138:
                t.memory().write(a.a1(), Layout.statfs(fs.statfs(vfsFile(t, a.i0(), SysError.EBADF).path())));
                return 0;
            case 40:
                return sendfile(t, a.i0(), a.i1(), a.a2(), a.a3());
            case 133:
            case 259: // mknod: device nodes and FIFOs are the kernel's (devfs), not made by programs
                throw new SysError(SysError.EPERM);
            case 161: // chroot
                throw new SysError(SysError.EPERM);
            case 285: // fallocate
                return 0;
            default:
                t.unimplemented(a.number(), Names.of(a.number()));
                throw new SysError(SysError.ENOSYS);
        }
    }

    // --- paths ---------------------------------------------------------------------------------

    /** The path a call names, made absolute from its directory descriptor when relative. */
    private String path(Task t, int dirfd, long address) throws SysError {
        String p = t.memory().readString(address, PATH_MAX);
        if (p.isEmpty()) {
            throw new SysError(SysError.ENOENT);
        }
        return resolve(t, dirfd, p);
    }

    private String resolve(Task t, int dirfd, String p) throws SysError {
        if (p.startsWith("/") || dirfd == LinuxAbi.AT_FDCWD) {
            return p;
        }
        OpenFile.VfsHandle h = t.file(dirfd).vfs();
        if (h == null) {
            throw new SysError(SysError.ENOTDIR);
        }
        return h.path().endsWith("/") ? h.path() + p : h.path() + "/" + p;
    }

    private static OpenFile.VfsHandle vfsFile(Task t, int fd, int otherwise) throws SysError {
        OpenFile.VfsHandle h = t.file(fd).vfs();
        if (h == null) {
            throw new SysError(otherwise);
        }
        return h;
    }

    private long open(Task t, int dirfd, long pathAddress, int flags, int mode) throws SysError {
        String p = path(t, dirfd, pathAddress);
        OpenFile f = t.openPath(p, flags, mode & 07777);
        return t.installFile(f, 0, (flags & OpenFlags.O_CLOEXEC) != 0);
    }

    void execveat(Task t, Args a) {
        try {
            String p = t.memory().readString(a.a1(), PATH_MAX);
            String resolved = p.isEmpty() && (a.i3() & AT_EMPTY_PATH) != 0 ? vfsFile(t, a.i0(), SysError.EBADF).path()
                    : resolve(t, a.i0(), p);
            abi.execveWith(t, resolved, a.a2(), a.a3());
        } catch (SysError e) {
            t.cpu().setReg(org.alosj.hal.cpu.Reg.RAX, -e.errno());
        }
    }

    // --- data ------------------------------------------------------------------------------------

    private long read(Task t, int fd, long buf, long count, long offset) throws SysError {
        OpenFile f = t.file(fd);
        if (count < 0) {
            throw new SysError(SysError.EINVAL);
        }
        int n = (int) Math.min(count, MAX_IO);
        if (n == 0) {
            return 0;
        }
        // No more than the program can take: data past a bad page stays where it was (a short read).
        n = (int) t.memory().writable(buf, n);
        ByteBuffer dst = ByteBuffer.allocate(n);
        int got = offset < 0 ? f.read(t, dst) : f.pread(t, dst, offset);
        if (got > 0) {
            t.memory().write(buf, dst.array(), 0, got);
        }
        return Math.max(0, got);
    }

    private long write(Task t, int fd, long buf, long count, long offset) throws SysError {
        OpenFile f = t.file(fd);
        if (count < 0) {
            throw new SysError(SysError.EINVAL);
        }
        int n = (int) Math.min(count, MAX_IO);
        if (n == 0) {
            return 0;
        }
        byte[] data = t.memory().read(buf, n);
        ByteBuffer src = ByteBuffer.wrap(data);
        return offset < 0 ? f.write(t, src) : f.pwrite(t, src, offset);
    }

    private long vector(Task t, int fd, long iov, int count, boolean write, long offset) throws SysError {
        if (count < 0 || count > 1024) {
            throw new SysError(SysError.EINVAL);
        }
        OpenFile f = t.file(fd);
        long total = 0;
        for (int i = 0; i < count; i++) {
            long base = t.memory().readLong(iov + 16L * i);
            long len = t.memory().readLong(iov + 16L * i + 8);
            if (len < 0) {
                throw new SysError(SysError.EINVAL);
            }
            if (len == 0) {
                continue;
            }
            long at = offset < 0 ? -1 : offset + total;
            long n;
            try {
                n = write ? write(t, fd, base, len, at) : read(t, fd, base, len, at);
            } catch (SysError e) {
                if (total > 0) {
                    return total;
                }
                throw e;
            }
            total += n;
            if (n < len) {
                break;
            }
            if (!write && f.poll() == 0) {
                break;
            }
        }
        return total;
    }

    private long sendfile(Task t, int outFd, int inFd, long offsetAddress, long count) throws SysError {
        OpenFile in = t.file(inFd);
        OpenFile out = t.file(outFd);
        long offset = offsetAddress == 0 ? -1 : t.memory().readLong(offsetAddress);
        long total = 0;
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        while (total < count) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), count - total));
            int n = offset < 0 ? in.read(t, buf) : in.pread(t, buf, offset + total);
            if (n <= 0) {
                break;
            }
            buf.flip();
            int w = out.write(t, buf);
            total += w;
            if (w < n) {
                break;
            }
        }
        if (offsetAddress != 0) {
            t.memory().writeLong(offsetAddress, offset + total);
        }
        return total;
    }

    // --- stat ------------------------------------------------------------------------------------

    private long stat(Task t, int dirfd, long pathAddress, long buf, int flags) throws SysError, FsException {
        String p = t.memory().readString(pathAddress, PATH_MAX);
        if (p.isEmpty()) {
            if ((flags & AT_EMPTY_PATH) == 0) {
                throw new SysError(SysError.ENOENT);
            }
            return fstat(t, dirfd, buf, false);
        }
        String path = resolve(t, dirfd, p);
        FileStatus st = (flags & AT_SYMLINK_NOFOLLOW) != 0 ? t.fs().lstat(path) : t.fs().stat(path);
        t.memory().write(buf, Layout.stat(st));
        return 0;
    }

    private long fstat(Task t, int fd, long buf, boolean statx) throws SysError, FsException {
        OpenFile f = t.file(fd);
        OpenFile.VfsHandle h = f.vfs();
        if (h != null) {
            FileStatus st = h.context().fstat(h.fd());
            t.memory().write(buf, statx ? Layout.statx(st) : Layout.stat(st));
            return 0;
        }
        if (statx) {
            ByteBuffer b = Layout.buffer(Layout.STATX_SIZE);
            b.putInt(0, 0x7FF);
            b.putInt(4, 4096);
            b.putInt(16, 1);
            b.putShort(28, (short) (f.modeType() | 0620));
            b.putLong(32, fd + 1000L);
            t.memory().write(buf, b.array());
            return 0;
        }
        t.memory().write(buf, Layout.anonymousStat(f.modeType(), 0620, fd + 1000L,
                f.modeType() == 0020000 ? (5L << 8) : 0, Instant.now()));
        return 0;
    }

    private long statx(Task t, int dirfd, long pathAddress, int flags, long buf) throws SysError, FsException {
        String p = t.memory().readString(pathAddress, PATH_MAX);
        if (p.isEmpty()) {
            if ((flags & AT_EMPTY_PATH) == 0) {
                throw new SysError(SysError.ENOENT);
            }
            return fstat(t, dirfd, buf, true);
        }
        String path = resolve(t, dirfd, p);
        FileStatus st = (flags & AT_SYMLINK_NOFOLLOW) != 0 ? t.fs().lstat(path) : t.fs().stat(path);
        t.memory().write(buf, Layout.statx(st));
        return 0;
    }

    private long getdents64(Task t, int fd, long buf, int count) throws SysError, FsException {
        OpenFile.VfsHandle h = vfsFile(t, fd, SysError.ENOTDIR);
        VfsContext c = h.context();
        long start = c.lseek(h.fd(), 0, OpenFlags.SEEK_CUR);
        List<DirEntry> rest = c.getdents(h.fd());
        ByteBuffer out = Layout.buffer(Math.max(0, Math.min(count, 1 << 20)));
        int used = 0;
        for (DirEntry e : rest) {
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            int reclen = (19 + name.length + 1 + 7) & ~7;
            if (out.position() + reclen > out.capacity()) {
                break;
            }
            int at = out.position();
            out.putLong(at, e.ino());
            out.putLong(at + 8, start + used + 1);
            out.putShort(at + 16, (short) reclen);
            out.put(at + 18, (byte) Layout.direntType(e.type()));
            out.position(at + 19);
            out.put(name);
            out.position(at + reclen);
            used++;
        }
        if (used == 0 && !rest.isEmpty()) {
            c.lseek(h.fd(), start, OpenFlags.SEEK_SET);
            throw new SysError(SysError.EINVAL);
        }
        if (used < rest.size()) {
            c.lseek(h.fd(), start + used, OpenFlags.SEEK_SET);
        }
        t.memory().write(buf, out.array(), 0, out.position());
        return out.position();
    }

    private long getcwd(Task t, long buf, long size) throws SysError, FsException {
        byte[] cwd = (t.fs().cwd() + "\0").getBytes(StandardCharsets.UTF_8);
        if (cwd.length > size) {
            throw new SysError(SysError.ERANGE);
        }
        t.memory().write(buf, cwd);
        return cwd.length;
    }

    /**
     * The image a process runs, for /proc/self/exe and /proc/PID/exe when no /proc is mounted:
     * null for any other path. busybox reads the link, and execs itself through it to
     * run an applet, or a script that execve called ENOEXEC.
     */
    static String procExe(Task t, String path) {
        return path.equals("/proc/self/exe") || path.equals("/proc/" + t.pid() + "/exe") ? t.executable() : null;
    }

    private long readlink(Task t, String path, long buf, long size) throws SysError, FsException {
        if (size <= 0) {
            throw new SysError(SysError.EINVAL);
        }
        String target;
        try {
            target = t.fs().readlink(path);
        } catch (FsException e) {
            String exe = procExe(t, path);
            if (exe == null || e.errno() != org.alosj.kernel.fs.Errno.ENOENT) {
                throw e;
            }
            target = exe;
        }
        byte[] b = target.getBytes(StandardCharsets.UTF_8);
        int n = (int) Math.min(b.length, size);
        t.memory().write(buf, b, 0, n);
        return n;
    }

    private long renameat2(Task t, Args a) throws SysError, FsException {
        int flags = (int) a.a4();
        String from = path(t, a.i0(), a.a1());
        String to = path(t, a.i2(), a.a3());
        if ((flags & ~1) != 0) {
            throw new SysError(SysError.EINVAL);
        }
        if ((flags & 1) != 0) {
            try {
                t.fs().lstat(to);
                throw new SysError(SysError.EEXIST);
            } catch (FsException notThere) {
                // RENAME_NOREPLACE and nothing there: go on
            }
        }
        t.fs().rename(from, to);
        return 0;
    }

    private long utimensat(Task t, int dirfd, long pathAddress, long times) throws SysError, FsException {
        String path = pathAddress == 0 ? vfsFile(t, dirfd, SysError.EBADF).path() : path(t, dirfd, pathAddress);
        Instant now = Instant.ofEpochSecond(0, t.realtimeNanos());
        Instant access = now;
        Instant modified = now;
        if (times != 0) {
            access = timeArgument(t, times, now);
            modified = timeArgument(t, times + 16, now);
        }
        t.fs().utimes(path, access, modified);
        return 0;
    }

    private static Instant timeArgument(Task t, long address, Instant now) throws SysError {
        long sec = t.memory().readLong(address);
        long nsec = t.memory().readLong(address + 8);
        if (nsec == UTIME_NOW) {
            return now;
        }
        if (nsec == UTIME_OMIT) {
            return null;
        }
        if (nsec < 0 || nsec >= 1_000_000_000L) {
            throw new SysError(SysError.EINVAL);
        }
        return Instant.ofEpochSecond(sec, nsec);
    }

    private long utimes(Task t, long pathAddress, long times) throws SysError, FsException {
        String path = path(t, LinuxAbi.AT_FDCWD, pathAddress);
        Instant now = Instant.ofEpochSecond(0, t.realtimeNanos());
        if (times == 0) {
            t.fs().utimes(path, now, now);
            return 0;
        }
        UserMemory m = t.memory();
        Instant access = Instant.ofEpochSecond(m.readLong(times), m.readLong(times + 8) * 1000);
        Instant modified = Instant.ofEpochSecond(m.readLong(times + 16), m.readLong(times + 24) * 1000);
        t.fs().utimes(path, access, modified);
        return 0;
    }

    private long utime(Task t, long pathAddress, long times) throws SysError, FsException {
        String path = path(t, LinuxAbi.AT_FDCWD, pathAddress);
        Instant now = Instant.ofEpochSecond(0, t.realtimeNanos());
        if (times == 0) {
            t.fs().utimes(path, now, now);
            return 0;
        }
        t.fs().utimes(path, Instant.ofEpochSecond(t.memory().readLong(times)),
                Instant.ofEpochSecond(t.memory().readLong(times + 8)));
        return 0;
    }

    // --- descriptors -------------------------------------------------------------------------------

    private long pipe(Task t, long fds, int flags) throws SysError {
        if ((flags & ~(OpenFlags.O_CLOEXEC | OpenFlags.O_NONBLOCK | 040000)) != 0) {
            throw new SysError(SysError.EINVAL);
        }
        if (t.memory().writable(fds, 8) < 8) {
            throw new SysError(SysError.EFAULT);
        }
        OpenFile[] ends = t.pipe(flags & OpenFlags.O_NONBLOCK);
        boolean cloexec = (flags & OpenFlags.O_CLOEXEC) != 0;
        int r = t.installFile(ends[0], 0, cloexec);
        int w;
        try {
            w = t.installFile(ends[1], 0, cloexec);
        } catch (SysError e) {
            t.closeFile(r);
            throw e;
        }
        try {
            t.memory().writeInt(fds, r);
            t.memory().writeInt(fds + 4, w);
        } catch (SysError e) {
            t.closeFile(r);
            t.closeFile(w);
            throw e;
        }
        return 0;
    }

    private long fcntl(Task t, int fd, int cmd, long arg) throws SysError {
        OpenFile f = t.file(fd);
        switch (cmd) {
            case 0:
                return t.dup(fd, (int) arg, false);
            case 1030:
                return t.dup(fd, (int) arg, true);
            case 1:
                return t.closeOnExec(fd) ? 1 : 0;
            case 2:
                t.setCloseOnExec(fd, (arg & 1) != 0);
                return 0;
            case 3:
                return f.statusFlags();
            case 4:
                f.setStatusFlags((int) arg);
                return 0;
            case 5: { // F_GETLK: nothing else holds a lock
                t.memory().write(arg, new byte[] {2, 0});
                return 0;
            }
            case 6:
            case 7:
            case 37:
            case 38:
                return 0;
            case 8:
            case 9:
            case 1025:
            case 1026:
                return 0;
            default:
                throw new SysError(SysError.EINVAL);
        }
    }

    private long ioctl(Task t, int fd, int request, long arg) throws SysError {
        OpenFile f = t.file(fd);
        switch (request) {
            case 0x5421: { // FIONBIO
                int on = t.memory().readInt(arg);
                f.setStatusFlags(on != 0 ? f.statusFlags() | OpenFlags.O_NONBLOCK
                        : f.statusFlags() & ~OpenFlags.O_NONBLOCK);
                return 0;
            }
            case 0x5451:
                t.setCloseOnExec(fd, true);
                return 0;
            case 0x5450:
                t.setCloseOnExec(fd, false);
                return 0;
            default:
                return f.ioctl(t, request, arg);
        }
    }

    // --- readiness ---------------------------------------------------------------------------------

    private interface Call {
        long run() throws SysError;
    }

    private static long withMask(Task t, long maskAddress, Call call) throws SysError {
        if (maskAddress == 0) {
            return call.run();
        }
        long old = t.signalMask();
        t.setSignalMask(t.memory().readLong(maskAddress));
        try {
            return call.run();
        } finally {
            t.setSignalMask(old);
        }
    }

    private long poll(Task t, long fds, int count, long timeoutNanos) throws SysError {
        if (count < 0 || count > 1024) {
            throw new SysError(SysError.EINVAL);
        }
        UserMemory m = t.memory();
        byte[] raw = m.read(fds, 8 * count);
        ByteBuffer b = ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int[] fd = new int[count];
        int[] events = new int[count];
        OpenFile[] files = new OpenFile[count];
        for (int i = 0; i < count; i++) {
            fd[i] = b.getInt(8 * i);
            events[i] = b.getShort(8 * i + 4) & 0xFFFF;
            if (fd[i] >= 0) {
                try {
                    files[i] = t.file(fd[i]);
                } catch (SysError bad) {
                    files[i] = null;
                }
            }
        }
        int[] revents = new int[count];
        int ready = waitReady(t, files, fd, events, revents, timeoutNanos);
        for (int i = 0; i < count; i++) {
            b.putShort(8 * i + 6, (short) revents[i]);
        }
        m.write(fds, raw);
        return ready;
    }

    /** Waits until one of {@code files} has one of its {@code events} (or an error), or the timeout. */
    private static int waitReady(Task t, OpenFile[] files, int[] fd, int[] events, int[] revents, long timeoutNanos)
            throws SysError {
        AtomicLong changes = new AtomicLong();
        Object monitor = new Object();
        Runnable onChange = () -> {
            changes.incrementAndGet();
            synchronized (monitor) {
                monitor.notifyAll();
            }
        };
        boolean polled = false;
        for (OpenFile f : files) {
            if (f != null) {
                f.watch(onChange);
                polled |= !f.notifiesReadiness();
            }
        }
        long deadline = timeoutNanos < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
        try {
            for (;;) {
                long seen = changes.get();
                int ready = 0;
                for (int i = 0; i < files.length; i++) {
                    if (fd[i] < 0) {
                        revents[i] = 0;
                        continue;
                    }
                    if (files[i] == null) {
                        revents[i] = OpenFile.POLLNVAL;
                    } else {
                        revents[i] = files[i].poll() & (events[i] | OpenFile.POLLERR | OpenFile.POLLHUP);
                    }
                    if (revents[i] != 0) {
                        ready++;
                    }
                }
                long left = deadline == Long.MAX_VALUE ? -1 : deadline - System.nanoTime();
                if (ready > 0 || (deadline != Long.MAX_VALUE && left <= 0)) {
                    return ready;
                }
                // Files that cannot report changes are looked at again every 20 ms.
                long wait = polled ? (left < 0 ? 20_000_000L : Math.min(left, 20_000_000L)) : left;
                try {
                    t.await(monitor, () -> changes.get() != seen, wait);
                } catch (SysError e) {
                    if (e.errno() == SysError.ETIMEDOUT) {
                        continue;
                    }
                    if (e.errno() == SysError.ERESTARTSYS) {
                        throw new SysError(SysError.EINTR);
                    }
                    throw e;
                }
            }
        } finally {
            for (OpenFile f : files) {
                if (f != null) {
                    f.unwatch(onChange);
                }
            }
        }
    }

    private long select(Task t, int nfds, long readSet, long writeSet, long exceptSet, long timeoutNanos)
            throws SysError {
        if (nfds < 0 || nfds > 1024) {
            throw new SysError(SysError.EINVAL);
        }
        int words = (nfds + 63) / 64;
        long[] r = bits(t, readSet, words);
        long[] w = bits(t, writeSet, words);
        long[] x = bits(t, exceptSet, words);
        java.util.List<Integer> fds = new java.util.ArrayList<>();
        java.util.List<Integer> ev = new java.util.ArrayList<>();
        for (int i = 0; i < nfds; i++) {
            int e = 0;
            long bit = 1L << (i & 63);
            if (r != null && (r[i >> 6] & bit) != 0) {
                e |= OpenFile.POLLIN;
            }
            if (w != null && (w[i >> 6] & bit) != 0) {
                e |= OpenFile.POLLOUT;
            }
            if (x != null && (x[i >> 6] & bit) != 0) {
                e |= OpenFile.POLLPRI;
            }
            if (e != 0) {
                fds.add(i);
                ev.add(e);
            }
        }
        int n = fds.size();
        int[] fd = new int[n];
        int[] events = new int[n];
        OpenFile[] files = new OpenFile[n];
        for (int i = 0; i < n; i++) {
            fd[i] = fds.get(i);
            events[i] = ev.get(i);
            files[i] = t.file(fd[i]);
        }
        int[] revents = new int[n];
        waitReady(t, files, fd, events, revents, timeoutNanos);
        long[] ro = new long[words];
        long[] wo = new long[words];
        long[] xo = new long[words];
        int count = 0;
        for (int i = 0; i < n; i++) {
            long bit = 1L << (fd[i] & 63);
            int re = revents[i];
            if ((events[i] & OpenFile.POLLIN) != 0 && (re & (OpenFile.POLLIN | OpenFile.POLLHUP | OpenFile.POLLERR)) != 0) {
                ro[fd[i] >> 6] |= bit;
                count++;
            }
            if ((events[i] & OpenFile.POLLOUT) != 0 && (re & (OpenFile.POLLOUT | OpenFile.POLLERR)) != 0) {
                wo[fd[i] >> 6] |= bit;
                count++;
            }
            if ((events[i] & OpenFile.POLLPRI) != 0 && (re & OpenFile.POLLPRI) != 0) {
                xo[fd[i] >> 6] |= bit;
                count++;
            }
        }
        writeBits(t, readSet, ro);
        writeBits(t, writeSet, wo);
        writeBits(t, exceptSet, xo);
        return count;
    }

    private static long[] bits(Task t, long address, int words) throws SysError {
        if (address == 0) {
            return null;
        }
        long[] v = new long[words];
        for (int i = 0; i < words; i++) {
            v[i] = t.memory().readLong(address + 8L * i);
        }
        return v;
    }

    private static void writeBits(Task t, long address, long[] v) throws SysError {
        if (address == 0) {
            return;
        }
        for (int i = 0; i < v.length; i++) {
            t.memory().writeLong(address + 8L * i, v[i]);
        }
    }
}
