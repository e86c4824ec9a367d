package org.alosj.kernel.impl.vfs;

/** An inode of a mounted filesystem: the VFS's name for a file (a Linux path's dentry + vfsmount). */
record Node(Mount mount, long ino) {
}
