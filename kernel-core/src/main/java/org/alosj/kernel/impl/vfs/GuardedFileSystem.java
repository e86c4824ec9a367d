package org.alosj.kernel.impl.vfs;

import java.nio.ByteBuffer;
import java.util.List;
import org.alosj.kernel.fs.AttributeChanges;
import org.alosj.kernel.fs.DirEntry;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FileAttributes;
import org.alosj.kernel.fs.FileSystem;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.fs.FsStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A filesystem as the VFS calls it: a bug in the type (a RuntimeException, a StackOverflowError)
 * is logged once with its stack and becomes EIO for the caller, and after the unmount (or the
 * type's bundle leaving) every call is EIO without reaching the type's code.
 */
final class GuardedFileSystem implements FileSystem {
    private static final Logger LOG = LoggerFactory.getLogger("kernel.vfs");

    @FunctionalInterface
    private interface Call<T> {
        T run() throws FsException;
    }

    @FunctionalInterface
    private interface Action {
        void run() throws FsException;
    }

    private final FileSystem fs;
    private final String label;
    private volatile boolean detached;

    GuardedFileSystem(FileSystem fs, String label) {
        this.fs = fs;
        this.label = label;
    }

    void detach() {
        detached = true;
    }

    boolean detached() {
        return detached;
    }

    private <T> T call(String what, Call<T> c) throws FsException {
        if (detached) {
            throw new FsException(Errno.EIO, label + ": not mounted any more");
        }
        try {
            return c.run();
        } catch (FsException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            LOG.error("{}: the filesystem failed in {}", label, what, e);
            throw new FsException(Errno.EIO, label + ": the filesystem failed in " + what + ": " + e, e);
        }
    }

    private void run(String what, Action a) throws FsException {
        call(what, () -> {
            a.run();
            return null;
        });
    }

    @Override
    public String typeName() {
        return fs.typeName();
    }

    @Override
    public long rootIno() {
        return fs.rootIno();
    }

    @Override
    public boolean readOnly() {
        return fs.readOnly();
    }

    @Override
    public FileAttributes getattr(long ino) throws FsException {
        FileAttributes a = call("getattr", () -> fs.getattr(ino));
        if (a == null) {
            throw new FsException(Errno.EIO, label + ": getattr of inode " + ino + " returned nothing");
        }
        return a;
    }

    @Override
    public void setattr(long ino, AttributeChanges changes) throws FsException {
        run("setattr", () -> fs.setattr(ino, changes));
    }

    @Override
    public long lookup(long dir, String name) throws FsException {
        return call("lookup", () -> fs.lookup(dir, name));
    }

    @Override
    public List<DirEntry> readdir(long dir) throws FsException {
        List<DirEntry> l = call("readdir", () -> fs.readdir(dir));
        return l == null ? List.of() : l;
    }

    @Override
    public long create(long dir, String name, FileType type, int permissions, int uid, int gid) throws FsException {
        return call("create", () -> fs.create(dir, name, type, permissions, uid, gid));
    }

    @Override
    public long symlink(long dir, String name, String target, int uid, int gid) throws FsException {
        return call("symlink", () -> fs.symlink(dir, name, target, uid, gid));
    }

    @Override
    public void link(long dir, String name, long ino) throws FsException {
        run("link", () -> fs.link(dir, name, ino));
    }

    @Override
    public void unlink(long dir, String name) throws FsException {
        run("unlink", () -> fs.unlink(dir, name));
    }

    @Override
    public void rmdir(long dir, String name) throws FsException {
        run("rmdir", () -> fs.rmdir(dir, name));
    }

    @Override
    public void rename(long fromDir, String fromName, long toDir, String toName) throws FsException {
        run("rename", () -> fs.rename(fromDir, fromName, toDir, toName));
    }

    @Override
    public String readlink(long ino) throws FsException {
        String s = call("readlink", () -> fs.readlink(ino));
        if (s == null) {
            throw new FsException(Errno.EIO, label + ": readlink of inode " + ino + " returned nothing");
        }
        return s;
    }

    @Override
    public int read(long ino, long offset, ByteBuffer dst) throws FsException {
        return call("read", () -> fs.read(ino, offset, dst));
    }

    @Override
    public int write(long ino, long offset, ByteBuffer src) throws FsException {
        return call("write", () -> fs.write(ino, offset, src));
    }

    @Override
    public void truncate(long ino, long size) throws FsException {
        run("truncate", () -> fs.truncate(ino, size));
    }

    @Override
    public void retain(long ino) throws FsException {
        run("retain", () -> fs.retain(ino));
    }

    @Override
    public void release(long ino) throws FsException {
        run("release", () -> fs.release(ino));
    }

    @Override
    public FsStats statfs() throws FsException {
        return call("statfs", fs::statfs);
    }

    @Override
    public void sync() throws FsException {
        run("sync", fs::sync);
    }

    @Override
    public void unmount() throws FsException {
        try {
            run("unmount", fs::unmount);
        } finally {
            detached = true;
        }
    }
}
