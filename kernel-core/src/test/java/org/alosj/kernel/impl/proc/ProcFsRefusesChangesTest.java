package org.alosj.kernel.impl.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import org.alosj.kernel.fs.AttributeChanges;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** procfs is read-only: every change, to its names or its files' bytes, is EROFS. */
class ProcFsRefusesChangesTest {
    // The refusals reach nothing of the process manager.
    private final ProcFs proc = new ProcFs(null);

    private static void erofs(Executable call) {
        FsException e = assertThrows(FsException.class, call);
        assertEquals(Errno.EROFS, e.errno());
        assertEquals("proc: read-only", e.getMessage());
    }

    @Test
    void everyChangeIsErofs() {
        long root = proc.rootIno();
        erofs(() -> proc.create(root, "x", FileType.REGULAR, 0644, 0, 0));
        erofs(() -> proc.symlink(root, "x", "self", 0, 0));
        erofs(() -> proc.link(root, "x", 3));
        erofs(() -> proc.unlink(root, "uptime"));
        erofs(() -> proc.rmdir(root, "self"));
        erofs(() -> proc.rename(root, "uptime", root, "up"));
        erofs(() -> proc.write(3, 0, ByteBuffer.allocate(1)));
        erofs(() -> proc.truncate(3, 0));
        erofs(() -> proc.setattr(3, AttributeChanges.permissions(0644)));
    }
}
