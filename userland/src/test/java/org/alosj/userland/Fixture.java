package org.alosj.userland;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The tree every case runs in (its working directory): a few text files, an empty one, an
 * executable one, a hidden one, a symbolic link and nested directories, with fixed modes so that
 * {@code ls -l} prints the same on every copy. A test running the programs elsewhere (on ALOS/J)
 * makes the same tree there.
 */
final class Fixture {
    static final String NOTES = """
        ALOS/J userland notes
        These files are what cat, ls and wc are tested on.
          indented line with  two  spaces
        last line
        """;
    static final String POEM = "one\ntwo two\n\nthree three three\nno newline at the end";

    private Fixture() {
    }

    /** Makes the tree in {@code dir}, which must not exist yet. */
    static void create(Path dir) throws IOException {
        directory(dir);
        file(dir.resolve("notes.txt"), NOTES, "rw-r--r--");
        file(dir.resolve("poem.txt"), POEM, "rw-r--r--");
        file(dir.resolve("empty.txt"), "", "rw-r--r--");
        file(dir.resolve(".hidden"), "not shown without -a\n", "rw-------");
        file(dir.resolve("run.sh"), "#!/bin/sh\necho run\n", "rwxr-xr-x");
        Files.createSymbolicLink(dir.resolve("link"), Path.of("notes.txt"));
        directory(dir.resolve("sub"));
        file(dir.resolve("sub/inner.txt"), "inside sub\n", "rw-r-----");
        directory(dir.resolve("sub/deeper"));
        file(dir.resolve("sub/deeper/deep.txt"), "deep\ndown\n", "rw-r--r--");
    }

    private static void directory(Path dir) throws IOException {
        Files.createDirectory(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static void file(Path file, String text, String mode) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    }
}
