package org.alosj.kernel.impl.vfs;

import java.nio.ByteBuffer;
import org.alosj.kernel.fs.FileSystem;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;

/**
 * What the synthetic filesystems (procfs, devfs) share: their names are made by the kernel, not
 * by users, so every call that would change the namespace or a file's bytes is refused with the
 * error {@link #refused()} gives, and with nothing stored there is nothing to retain, release or
 * sync. A subclass keeps lookup, attributes, reading and whatever it answers differently.
 */
public abstract class ReadOnlyFileSystem implements FileSystem {
    /** The error for a change: EROFS for procfs, EPERM for devfs; its message names the filesystem. */
    protected abstract FsException refused();

    @Override
    public long create(long dir, String name, FileType type, int permissions, int uid, int gid) throws FsException {
        throw refused();
    }

    @Override
    public long symlink(long dir, String name, String target, int uid, int gid) throws FsException {
        throw refused();
    }

    @Override
    public void link(long dir, String name, long ino) throws FsException {
        throw refused();
    }

    @Override
    public void unlink(long dir, String name) throws FsException {
        throw refused();
    }

    @Override
    public void rmdir(long dir, String name) throws FsException {
        throw refused();
    }

    @Override
    public void rename(long fromDir, String fromName, long toDir, String toName) throws FsException {
        throw refused();
    }

    @Override
    public int write(long ino, long offset, ByteBuffer src) throws FsException {
        throw refused();
    }

    @Override
    public void truncate(long ino, long size) throws FsException {
        throw refused();
    }

    @Override
    public void retain(long ino) {
        // nothing is stored
    }

    @Override
    public void release(long ino) {
        // nothing is stored
    }

    @Override
    public void sync() {
        // nothing to write out
    }
}
