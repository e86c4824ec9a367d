/**
 * The virtio PCI transport ({@link org.alosj.hw.virtio.impl.VirtioPci}), the device side of a
 * split virtqueue, virtio-blk, virtio-net and their DS components. Private to the bundle:
 * drivers reach the devices through configuration cycles, BARs and guest RAM, never through Java.
 */
package org.alosj.hw.virtio.impl;
