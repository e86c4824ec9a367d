package org.alosj.fs.ext2.impl;

import java.time.Clock;
import java.util.Map;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FileSystem;
import org.alosj.kernel.fs.FileSystemType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.fs.MountOptions;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * The "ext2" filesystem type, registered as a service: {@code mount -t ext2} reaches it. Mount
 * options: {@code cache=BLOCKS} bounds the block cache (default: 32 MiB worth of blocks).
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = FileSystemType.class, property = FileSystemType.TYPE + "=" + Ext2FileSystemType.NAME)
public final class Ext2FileSystemType implements FileSystemType {
    public static final String NAME = "ext2";

    private final Clock clock;

    public Ext2FileSystemType() {
        this(Clock.systemUTC());
    }

    public Ext2FileSystemType(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean requiresDevice() {
        return true;
    }

    /**
     * Mounts the ext2 filesystem on {@code device}: EINVAL when it holds none or one with
     * incompatible features this ext2 does not implement (named in the message), EUCLEAN when the
     * superblock or group descriptors are damaged or the image is truncated, EROFS for a read-write
     * mount of a filesystem with read-only-compatible features it does not implement.
     */
    @Override
    public FileSystem mount(BlockDevice device, String deviceName, MountOptions options) throws FsException {
        if (device == null) {
            throw new FsException(Errno.ENOTBLK, "ext2 needs a block device");
        }
        int cache = Ext2FileSystem.DEFAULT_CACHE_BLOCKS;
        for (Map.Entry<String, String> e : options.options().entrySet()) {
            switch (e.getKey()) {
                case "cache" -> {
                    try {
                        cache = Integer.parseInt(e.getValue());
                    } catch (NumberFormatException ex) {
                        throw new FsException(Errno.EINVAL, "ext2: cache=" + e.getValue() + " is not a number of blocks");
                    }
                }
                case "errors" -> {
                    if (!"remount-ro".equals(e.getValue())) {
                        throw new FsException(Errno.EINVAL, "ext2: only errors=remount-ro is supported");
                    }
                }
                default -> throw new FsException(Errno.EINVAL, "ext2: unknown mount option " + e.getKey());
            }
        }
        return Ext2FileSystem.mount(device, deviceName, options.readOnly(), clock, cache);
    }
}
