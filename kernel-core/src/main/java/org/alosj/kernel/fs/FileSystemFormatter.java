package org.alosj.kernel.fs;

import java.io.IOException;
import org.alosj.kernel.device.BlockDevice;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * mkfs for one filesystem type, registered as a service by the bundle that implements the type,
 * with the {@link FileSystemType#TYPE} property naming it ({@code ext2}): {@code mkfs.ext2} finds
 * it by that name, so the shell needs no filesystem bundle to resolve, and follows the bundle when
 * it is updated or goes away.
 *
 * @since 1.1
 */
@ConsumerType
public interface FileSystemFormatter {
    /** The type it makes, the same name as its {@link FileSystemType}'s. */
    String name();

    /**
     * Makes an empty filesystem on the whole of {@code device}: everything on it is lost. The
     * caller makes sure nothing has it mounted.
     *
     * @param label the volume name, or null for none
     * @return what was made, in one line, as the type's mkfs summarises it
     * @throws FsException EROFS for a read-only device, EINVAL for a label or geometry the type
     *     cannot take, ENOSPC for a device too small; the message says which
     * @throws IOException when the device fails
     */
    String format(BlockDevice device, String label) throws IOException;
}
