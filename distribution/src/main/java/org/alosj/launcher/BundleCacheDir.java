package org.alosj.launcher;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where Felix's bundle cache of one run goes. The cache is thrown away at exit, yet installing
 * writes about 150 files and directories into it (each bundle's jar copy, its bundle.info, its
 * revision directories): on a journalling disk file system that was a third of the install's
 * CPU. So it goes on the memory-backed {@code /dev/shm} where there is one (4 MB of jars), and in
 * the temporary directory otherwise. A run killed before it could delete its cache would leave
 * it in memory: the name carries the run's pid, and the next run deletes those whose process is
 * gone.
 */
final class BundleCacheDir {
    static final String PREFIX = "alosj-felix-";
    private static final Path SHARED_MEMORY = Path.of("/dev/shm");

    private BundleCacheDir() {
    }

    /** A new, empty cache directory for this run. */
    static Path create() throws IOException {
        if (Files.isDirectory(SHARED_MEMORY) && Files.isWritable(SHARED_MEMORY)) {
            deleteOrphans(SHARED_MEMORY);
            try {
                return createUnique(SHARED_MEMORY);
            } catch (IOException e) {
                // full or refused: the temporary directory does as well, only slower
            }
        }
        return createUnique(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * {@code alosj-felix-PID-N} with the first N not taken. Not {@code Files.createTempDirectory}:
     * its random names start the JDK's security providers, a tenth of Felix's own start.
     */
    private static Path createUnique(Path parent) throws IOException {
        String stem = PREFIX + ProcessHandle.current().pid() + "-";
        for (int n = 0; ; n++) {
            try {
                return Files.createDirectory(parent.resolve(stem + n));
            } catch (FileAlreadyExistsException taken) {
                if (n == 1000) {
                    throw taken;
                }
            }
        }
    }

    /** Deletes a cache directory and everything in it; what cannot be deleted stays. */
    static void delete(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover directory is harmless; the next run sweeps it if it is in memory
        }
    }

    /** Deletes the caches in {@code parent} of runs whose process has ended. */
    static void deleteOrphans(Path parent) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, PREFIX + "*")) {
            for (Path dir : dirs) {
                long pid = ownerPid(dir.getFileName().toString());
                if (pid > 0 && ProcessHandle.of(pid).isEmpty()) {
                    delete(dir);
                }
            }
        } catch (IOException e) {
            // not readable: nothing to sweep
        }
    }

    /** The pid in a cache directory's name ({@code alosj-felix-PID-N}), -1 if it has none. */
    static long ownerPid(String name) {
        if (!name.startsWith(PREFIX)) {
            return -1;
        }
        int end = name.indexOf('-', PREFIX.length());
        if (end <= PREFIX.length()) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(PREFIX.length(), end));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
