package org.alosj.kernel.vfs;

import org.alosj.kernel.fs.FileAttributes;
import org.alosj.kernel.fs.FileType;

/** What stat(2) returns: the inode's attributes and the device (st_dev) of the filesystem holding it. */
public record FileStatus(long device, FileAttributes attributes) {
    public FileType type() {
        return attributes.type();
    }

    public long size() {
        return attributes.size();
    }

    public boolean isDirectory() {
        return attributes.type() == FileType.DIRECTORY;
    }
}
