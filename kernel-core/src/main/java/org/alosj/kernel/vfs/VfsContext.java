package org.alosj.kernel.vfs;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.fs.DirEntry;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.fs.FsStats;
import org.alosj.kernel.fs.MountOptions;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The filesystem side of one process: its credentials, working directory, umask and file
 * descriptor table. Each method is the system call of the same name with Linux's semantics and
 * errors: relative paths start at the working directory, symbolic links are followed (40 at
 * most, then ELOOP) except where the call says not, a trailing slash demands a directory, and
 * uid 0 passes every permission check. Safe to use from several threads.
 */
@ProviderType
public interface VfsContext extends AutoCloseable {
    int uid();

    int gid();

    /** umask(2): sets the mask, returns the old one. */
    int umask(int mask);

    int umask();

    /** getcwd(3). */
    String cwd() throws FsException;

    void chdir(String path) throws FsException;

    /** fork(2)'s copy: same working directory, umask and credentials; descriptors shared as by dup. */
    VfsContext fork();

    /** open(2) with {@link OpenFlags}; {@code mode} (less the umask) for a file it creates. */
    int open(String path, int flags, int mode) throws FsException;

    int read(int fd, ByteBuffer dst) throws FsException;

    int write(int fd, ByteBuffer src) throws FsException;

    int pread(int fd, ByteBuffer dst, long offset) throws FsException;

    int pwrite(int fd, ByteBuffer src, long offset) throws FsException;

    long lseek(int fd, long offset, int whence) throws FsException;

    void ftruncate(int fd, long length) throws FsException;

    FileStatus fstat(int fd) throws FsException;

    void fsync(int fd) throws FsException;

    /** getdents64(2) in one go: the rest of an open directory's entries ({@code .} and {@code ..} included). */
    List<DirEntry> getdents(int fd) throws FsException;

    int dup(int fd) throws FsException;

    void close(int fd) throws FsException;

    /** The open descriptors, ascending. */
    List<Integer> descriptors();

    FileStatus stat(String path) throws FsException;

    /** stat that does not follow a final symbolic link. */
    FileStatus lstat(String path) throws FsException;

    /** access(2) with the context's own ids. */
    void access(String path, int mode) throws FsException;

    void mkdir(String path, int mode) throws FsException;

    void rmdir(String path) throws FsException;

    void unlink(String path) throws FsException;

    void rename(String from, String to) throws FsException;

    void link(String existing, String newPath) throws FsException;

    void symlink(String target, String linkPath) throws FsException;

    String readlink(String path) throws FsException;

    void chmod(String path, int mode) throws FsException;

    /** chown(2): -1 leaves that id; follows symbolic links. */
    void chown(String path, int uid, int gid) throws FsException;

    /** utimensat(2): a null time is left as is. */
    void utimes(String path, Instant accessed, Instant modified) throws FsException;

    void truncate(String path, long length) throws FsException;

    /** Every entry of a directory, {@code .} and {@code ..} first. */
    List<DirEntry> readdir(String path) throws FsException;

    FsStats statfs(String path) throws FsException;

    /** The canonical absolute path: symbolic links, {@code .} and {@code ..} resolved. */
    String realpath(String path) throws FsException;

    /**
     * mount(2): mounts {@code source} (a block device node such as {@code /dev/hda}, or anything
     * for a type that needs no device) on the directory {@code target}. A null type tries every
     * device type: EINVAL if none recognises it. Only uid 0 may mount (EPERM).
     */
    void mount(String source, String target, String type, MountOptions options) throws FsException;

    /** umount(2): EBUSY while a file is open, a working directory or another mount is on it. */
    void umount(String target) throws FsException;

    /** The block device a block-device node names (for mkfs), ENOTBLK if it is none, ENXIO if it is gone. */
    BlockDevice blockDevice(String path) throws FsException;

    /** The name of the block device a node names, if it is one that exists ({@code hda1}). */
    Optional<String> blockDeviceName(String path);

    /** Closes every descriptor. */
    @Override
    void close();
}
