/**
 * ext2's public tools: {@link org.alosj.fs.ext2.Mkfs} (formats a BlockDevice or an image file,
 * optionally populated from a host directory, like {@code mkfs.ext2 -d}) and {@link
 * org.alosj.fs.ext2.ImageFileDevice} (a BlockDevice over a host image file). The filesystem
 * type itself is a DS component registered as a {@code FileSystemType} service ("ext2").
 */
@Export
@Version("1.0.0")
package org.alosj.fs.ext2;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
