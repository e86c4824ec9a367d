package org.alosj.kernel.impl.vfs;

import java.util.concurrent.atomic.AtomicInteger;
import org.alosj.kernel.fs.MountOptions;

/**
 * One mounted filesystem: what it covers (a directory of another mount, or nothing for the
 * first root), its root, and how many open files and working directories use it, which is what
 * makes umount EBUSY.
 */
final class Mount {
    final int id;
    final GuardedFileSystem fs;
    final String type;
    final String source;
    final String target;
    final Node covered;
    final Node root;
    final boolean readOnly;
    final MountOptions options;
    final long dev;
    final Object typeKey;
    final String deviceName;
    final AtomicInteger users = new AtomicInteger();

    Mount(int id, GuardedFileSystem fs, String type, String source, String target, Node covered, boolean readOnly,
          MountOptions options, long dev, Object typeKey, String deviceName) {
        this.id = id;
        this.fs = fs;
        this.type = type;
        this.source = source;
        this.target = target;
        this.covered = covered;
        this.root = new Node(this, fs.rootIno());
        this.readOnly = readOnly;
        this.options = options;
        this.dev = dev;
        this.typeKey = typeKey;
        this.deviceName = deviceName;
    }

    @Override
    public String toString() {
        return source + " on " + target + " type " + type;
    }
}
