package org.alosj.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleCacheDirTest {
    @TempDir
    Path parent;

    @Test
    void theOwnersPidIsReadFromTheName() {
        assertEquals(4242, BundleCacheDir.ownerPid("alosj-felix-4242-8812737"));
        assertEquals(-1, BundleCacheDir.ownerPid("alosj-felix-8812737"), "an old name without a pid");
        assertEquals(-1, BundleCacheDir.ownerPid("alosj-felix--1"));
        assertEquals(-1, BundleCacheDir.ownerPid("bare-felix-12-3"));
    }

    @Test
    void aCacheOfAnEndedRunIsDeletedAndALiveOneKept() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        Path orphan = Files.createDirectories(parent.resolve("alosj-felix-" + ended.pid() + "-1/bundle1/version0.0"));
        Files.writeString(orphan.resolve("bundle.jar"), "jar");
        Path live = Files.createDirectories(parent.resolve("alosj-felix-" + ProcessHandle.current().pid() + "-2"));
        Path other = Files.createDirectories(parent.resolve("something-else"));

        BundleCacheDir.deleteOrphans(parent);

        assertFalse(Files.exists(parent.resolve("alosj-felix-" + ended.pid() + "-1")));
        assertTrue(Files.isDirectory(live));
        assertTrue(Files.isDirectory(other));
    }

    @Test
    void aNewCacheIsEmptyAndNamedForThisRunWhenInMemory() throws Exception {
        Path dir = BundleCacheDir.create();
        try {
            assertTrue(Files.isDirectory(dir));
            try (var entries = Files.list(dir)) {
                assertEquals(0, entries.count());
            }
            if (dir.getParent().equals(Path.of("/dev/shm"))) {
                assertEquals(ProcessHandle.current().pid(), BundleCacheDir.ownerPid(dir.getFileName().toString()));
            }
        } finally {
            BundleCacheDir.delete(dir);
        }
        assertFalse(Files.exists(dir));
    }
}
