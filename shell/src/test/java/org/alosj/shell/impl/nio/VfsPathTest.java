package org.alosj.shell.impl.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** VfsPath's string algebra follows the host's UnixPath for the same strings. */
class VfsPathTest {
    final VfsNioFileSystem fs = new VfsNioFileSystem(null);

    void same(String a, java.util.function.Function<Path, Object> op) {
        assertEquals(String.valueOf(op.apply(Path.of(a))), String.valueOf(op.apply(fs.path(a))), a);
    }

    @Test
    void names_parents_and_normalisation_match_the_host() {
        for (String p : new String[] {"/", "/a", "/a/b/c", "a", "a/b", "/a//b/", "/a/./b/../c", "../x", "a/.."}) {
            same(p, Path::isAbsolute);
            same(p, Path::getFileName);
            same(p, Path::getParent);
            same(p, Path::getNameCount);
            same(p, Path::normalize);
            same(p, Path::getRoot);
        }
        assertEquals("/www/x", fs.path("/www").resolve(Path.of("x")).toString(), "a host Path resolves by its string");
        assertEquals("/etc", fs.path("/www").resolve(Path.of("/etc")).toString());
        assertEquals("../b", fs.path("/a/c").relativize(fs.path("/a/b")).toString());
        assertTrue(fs.path("/a/b").startsWith(fs.path("/a")));
        assertFalse(fs.path("/ab").startsWith(fs.path("/a")));
        assertTrue(fs.path("/a/b").endsWith(fs.path("b")));
        assertNull(fs.path("a").getParent());
    }
}
