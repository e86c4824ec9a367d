package org.alosj.kernel.impl.vfs;

import java.util.Objects;

/** An inode of a mounted filesystem: the VFS's name for a file (a Linux path's dentry + vfsmount). */
record Node(Mount mount, long ino) {
    // Written out: the record's generated equals and hashCode are bootstrapped through method
    // handles at first use, a few milliseconds of every boot.
    @Override
    public boolean equals(Object o) {
        return o instanceof Node n && n.ino == ino && Objects.equals(n.mount, mount);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hashCode(mount) + Long.hashCode(ino);
    }
}
