/**
 * The virtual filesystem as its consumers see it (the shell, the network's web server, later the
 * system calls): a {@link org.alosj.kernel.vfs.Vfs} service hands out
 * {@link org.alosj.kernel.vfs.VfsContext}s, each the filesystem view of one process: working
 * directory, umask, owner, and a table of file descriptors. Paths, flags, errors and their
 * numbers are Linux's ({@link org.alosj.kernel.fs.FsException} with an
 * {@link org.alosj.kernel.fs.Errno}), so a system call maps onto one method.
 */
@Export
@Version("1.1.0")
package org.alosj.kernel.vfs;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
