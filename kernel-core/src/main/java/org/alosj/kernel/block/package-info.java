/**
 * The block layer: a request queue in front of every disk a driver registers, the disks'
 * MBR partitions registered as {@link org.alosj.kernel.device.BlockDevice} services of their
 * own ({@code hda1} with {@link org.alosj.kernel.block.BlockLayer#PARENT} {@code hda}), and the
 * list of them all that {@code /dev} shows.
 */
@Export
@Version("1.0.0")
package org.alosj.kernel.block;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
