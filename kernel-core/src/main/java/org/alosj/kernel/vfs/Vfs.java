package org.alosj.kernel.vfs;

import java.util.List;
import org.alosj.kernel.fs.FsException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The VFS: one tree of mounted filesystems, an in-memory root at {@code /} with {@code /dev},
 * {@code /tmp} and {@code /mnt}, and whatever is mounted on it. Path operations go through a
 * {@link VfsContext}, which carries who asks and from where.
 */
@ProviderType
public interface Vfs {
    /** A new context: working directory {@code /}, umask 022, no open files. Close it when done. */
    VfsContext createContext(int uid, int gid);

    /** The mount table, in mount order (/proc/mounts). */
    List<MountInfo> mounts();

    /** The filesystem types that can be mounted now (/proc/filesystems), built-in ones included. */
    List<String> filesystemTypes();

    /** sync(2): every mounted filesystem written out and its device flushed. */
    void sync() throws FsException;

    /**
     * Syncs and unmounts every filesystem, the deepest first, for power-off or reboot; nothing
     * is mounted after it (the root included), so nothing is left half-written on a disk.
     */
    void shutdown();
}
