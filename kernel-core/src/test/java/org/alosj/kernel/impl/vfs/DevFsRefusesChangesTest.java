package org.alosj.kernel.impl.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.time.Instant;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FileSystem;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** devfs's nodes are the drivers' (EPERM); its files are reached through the VFS, not read or written here (EINVAL). */
class DevFsRefusesChangesTest {
    private final FileSystem dev = new DevFs(() -> null, Instant.EPOCH, false);

    private static void refused(Errno errno, String message, Executable call) {
        FsException e = assertThrows(FsException.class, call);
        assertEquals(errno, e.errno());
        assertEquals(message, e.getMessage());
    }

    @Test
    void namespaceChangesAreEperm() {
        String m = "devfs: the device nodes are made by the drivers";
        long root = dev.rootIno();
        refused(Errno.EPERM, m, () -> dev.create(root, "x", FileType.REGULAR, 0644, 0, 0));
        refused(Errno.EPERM, m, () -> dev.symlink(root, "x", "null", 0, 0));
        refused(Errno.EPERM, m, () -> dev.link(root, "x", 2));
        refused(Errno.EPERM, m, () -> dev.unlink(root, "null"));
        refused(Errno.EPERM, m, () -> dev.rmdir(root, "null"));
        refused(Errno.EPERM, m, () -> dev.rename(root, "null", root, "nil"));
    }

    @Test
    void bytesGoThroughTheVfsNotDevfs() {
        refused(Errno.EINVAL, "devfs: device nodes are written through the VFS",
                () -> dev.write(2, 0, ByteBuffer.allocate(1)));
        refused(Errno.EINVAL, "devfs: device nodes have no length", () -> dev.truncate(2, 0));
    }
}
