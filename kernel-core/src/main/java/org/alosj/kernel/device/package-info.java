/**
 * The device services drivers register and the OS consumes: network, block, input and console.
 * Each is registered with {@link org.alosj.kernel.device.DeviceProperties} naming the slot it
 * sits in, so a name like eth0 or hda belongs to the slot and survives a driver swap.
 */
@Export
@Version("1.2.0")
package org.alosj.kernel.device;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
