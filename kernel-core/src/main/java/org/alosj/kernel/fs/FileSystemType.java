package org.alosj.kernel.fs;

import org.alosj.kernel.device.BlockDevice;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A kind of filesystem, registered as a service by its bundle with the {@link #TYPE} property
 * ({@code ext2}); {@code mount -t ext2} finds it by that name. Uninstalling the bundle makes the
 * VFS unmount what it mounted.
 */
@ConsumerType
public interface FileSystemType {
    /** Service property: the type's name, as {@code mount -t} and /proc/filesystems give it. */
    String TYPE = "fs.type";

    String name();

    /** Whether it keeps its files on a block device (ext2) or needs none (the in-memory root). */
    boolean requiresDevice();

    /**
     * Reads the filesystem on {@code device} (null when {@link #requiresDevice()} is false) and
     * makes it ready for use.
     *
     * @throws FsException EINVAL when the device holds no filesystem of this type, EUCLEAN when it
     *     is damaged, EROFS when it has features this type can only read and a read-write mount was
     *     asked for; the message says which and why
     */
    FileSystem mount(BlockDevice device, String deviceName, MountOptions options) throws FsException;
}
