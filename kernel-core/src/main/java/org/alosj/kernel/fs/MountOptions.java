package org.alosj.kernel.fs;

import java.util.Map;

/**
 * How to mount: read-only or not, and the type-specific options of {@code mount -o} that the
 * VFS does not know ({@code errors=remount-ro} …), which a type may refuse with EINVAL.
 */
public record MountOptions(boolean readOnly, Map<String, String> options) {
    public MountOptions {
        options = Map.copyOf(options);
    }

    public static MountOptions readWrite() {
        return new MountOptions(false, Map.of());
    }

    public static MountOptions readOnlyMount() {
        return new MountOptions(true, Map.of());
    }
}
