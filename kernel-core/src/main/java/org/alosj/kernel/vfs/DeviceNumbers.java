package org.alosj.kernel.vfs;

/** Device numbers as glibc's makedev/major/minor encode them in st_dev and st_rdev. */
public final class DeviceNumbers {
    private DeviceNumbers() {
    }

    public static long makedev(int major, int minor) {
        return ((long) (major & 0xfff) << 8) | (minor & 0xff) | ((long) (minor & ~0xff) << 12)
                | ((long) (major & ~0xfff) << 32);
    }

    public static int major(long dev) {
        return (int) (((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL));
    }

    public static int minor(long dev) {
        return (int) ((dev & 0xff) | ((dev >>> 12) & ~0xffL));
    }
}
