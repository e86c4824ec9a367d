/**
 * The filesystem contract, between the VFS and the filesystem types (ext2, the in-memory root).
 *
 * <p>A filesystem bundle registers a {@link org.alosj.kernel.fs.FileSystemType} service; the VFS
 * calls {@code mount} with a {@link org.alosj.kernel.device.BlockDevice} (or none, for a
 * filesystem that keeps its files in memory) and gets a {@link org.alosj.kernel.fs.FileSystem}.
 * Files are named by inode number inside one filesystem; the VFS does the path walk, mount
 * points, file descriptors and permission checks, a filesystem keeps what is on its medium.
 * Errors are {@link org.alosj.kernel.fs.FsException}s carrying a Linux {@link
 * org.alosj.kernel.fs.Errno}, so the shell and, later, system calls report them as Linux does.
 *
 * <p>A type that can also make an empty filesystem registers a {@link
 * org.alosj.kernel.fs.FileSystemFormatter} under the same name (1.1): {@code mkfs.ext2} reaches
 * ext2's mkfs through it.
 */
@Export
@Version("1.1.0")
package org.alosj.kernel.fs;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
