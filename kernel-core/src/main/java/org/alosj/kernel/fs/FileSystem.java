package org.alosj.kernel.fs;

import java.nio.ByteBuffer;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One mounted filesystem, as its type sees it: inodes named by number, directories of names.
 * The VFS walks paths, checks permissions and holds file descriptors; a filesystem keeps the
 * medium consistent. Every method may be called from several threads at once: a filesystem
 * serialises what it must.
 *
 * <p>Names are single path components: never empty, never {@code .} or {@code ..} (except in
 * {@link #readdir}), no {@code '/'} or NUL; a name longer than the type allows is ENAMETOOLONG.
 * On a read-only mount every change fails with EROFS.
 *
 * <p>An inode whose last link goes while it is open lives on until the VFS calls
 * {@link #release} for its last open file; its storage is freed then.
 */
@ConsumerType
public interface FileSystem {
    String typeName();

    long rootIno();

    boolean readOnly();

    FileAttributes getattr(long ino) throws FsException;

    /** Applies each non-null change and sets the change time. */
    void setattr(long ino, AttributeChanges changes) throws FsException;

    /** The inode {@code name} names in directory {@code dir}: ENOENT if none, ENOTDIR if dir is not one. */
    long lookup(long dir, String name) throws FsException;

    /** Every entry of {@code dir}, {@code .} and {@code ..} first. */
    List<DirEntry> readdir(long dir) throws FsException;

    /**
     * Makes a new inode of {@code type} (REGULAR, DIRECTORY, FIFO, …, not SYMLINK) named
     * {@code name} in {@code dir}: EEXIST if the name is taken, ENOSPC when no inode or block is
     * left, EMLINK when dir cannot take another subdirectory.
     */
    long create(long dir, String name, FileType type, int permissions, int uid, int gid) throws FsException;

    /** Makes a symbolic link {@code name} in {@code dir} pointing at {@code target}. */
    long symlink(long dir, String name, String target, int uid, int gid) throws FsException;

    /** Adds the name {@code name} in {@code dir} for the existing non-directory {@code ino}. */
    void link(long dir, String name, long ino) throws FsException;

    /** Removes a non-directory's name: EISDIR for a directory. */
    void unlink(long dir, String name) throws FsException;

    /** Removes an empty directory: ENOTEMPTY, ENOTDIR as rmdir(2). */
    void rmdir(long dir, String name) throws FsException;

    /**
     * rename(2): moves {@code fromName} of {@code fromDir} to {@code toName} of {@code toDir},
     * replacing what was there when the kinds agree (EISDIR, ENOTDIR, ENOTEMPTY otherwise); EINVAL
     * when a directory would move into itself. The VFS has checked both directories are in this
     * filesystem.
     */
    void rename(long fromDir, String fromName, long toDir, String toName) throws FsException;

    String readlink(long ino) throws FsException;

    /**
     * Reads from byte {@code offset} of a regular file into {@code dst}, up to its remaining
     * bytes; holes read as zeros.
     *
     * @return the bytes read, 0 at or past the end of the file
     */
    int read(long ino, long offset, ByteBuffer dst) throws FsException;

    /**
     * Writes all of {@code src} at byte {@code offset} of a regular file, growing it as needed
     * (a gap becomes a hole). On ENOSPC or EFBIG nothing past what fitted is written, and the
     * size covers exactly what was written.
     *
     * @return the bytes written
     */
    int write(long ino, long offset, ByteBuffer src) throws FsException;

    /** Sets a regular file's length: shorter frees the blocks past it, longer leaves a hole. */
    void truncate(long ino, long size) throws FsException;

    /** The VFS opened {@code ino} (it stays alive, even unlinked, until the matching release). */
    void retain(long ino) throws FsException;

    /** The last file descriptor on {@code ino} was closed. */
    void release(long ino) throws FsException;

    FsStats statfs() throws FsException;

    /** Writes everything changed to the medium and flushes it. */
    void sync() throws FsException;

    /** Syncs and lets go of the medium; any later call fails with EIO. */
    void unmount() throws FsException;
}
