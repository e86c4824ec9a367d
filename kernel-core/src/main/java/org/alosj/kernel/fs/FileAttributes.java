package org.alosj.kernel.fs;

import java.time.Instant;

/**
 * An inode's attributes, as stat(2) reports them.
 *
 * @param ino the inode number, unique within its filesystem
 * @param type what the inode is
 * @param permissions the permission bits of st_mode (07777: set-user-ID, set-group-ID, sticky, rwx)
 * @param links hard links to it (st_nlink)
 * @param size the length in bytes (for a symbolic link, the target's length)
 * @param blocks storage allocated, in 512-byte units (st_blocks), less than size/512 when sparse
 * @param rdev the device number of a character or block device, 0 otherwise
 */
public record FileAttributes(long ino, FileType type, int permissions, int links, int uid, int gid,
                             long size, long blocks, Instant accessed, Instant modified, Instant changed,
                             long rdev) {
    public FileAttributes {
        if (type == null || accessed == null || modified == null || changed == null) {
            throw new NullPointerException("type and times are required");
        }
        if ((permissions & ~07777) != 0) {
            throw new IllegalArgumentException("permission bits beyond 07777: " + Integer.toOctalString(permissions));
        }
    }

    /** st_mode: the type bits and the permission bits. */
    public int mode() {
        return type.modeBits() | permissions;
    }
}
