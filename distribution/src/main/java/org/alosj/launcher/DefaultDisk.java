package org.alosj.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * The default disk: conf/ attaches {@code ${alos.run}/disk.img} as hda, and this puts a fresh
 * copy of the distribution's {@code images/disk.img} (an ext2 image the build makes from
 * {@code disk_structure/}) there before each boot, so every run starts from the same disk;
 * {@code --keep-disk} keeps the one the last run left.
 */
final class DefaultDisk {
    static final String IMAGE = "images/disk.img";
    static final String RUN_COPY = "disk.img";

    private DefaultDisk() {
    }

    /**
     * Checks the default disk and starts copying it into {@code run/} on a thread of its own, so
     * the copy (32 MiB in the kernel, ~20 ms) overlaps Felix's start; the launcher waits for it
     * before any bundle can open the disk. Returns the copy under way, or null if none is needed.
     */
    static Copy prepare(MachineConfig config, Path home, Path run, boolean keep, DiskLocks locks) throws UsageException {
        Path copy = run.resolve(RUN_COPY).toAbsolutePath();
        boolean used = false;
        for (Map.Entry<String, String> e : config.ata().properties().entrySet()) {
            if (e.getKey().matches("drive\\.\\d+\\.file") && Path.of(e.getValue()).toAbsolutePath().equals(copy)) {
                used = true;
            }
        }
        if (!used || (keep && sizeOf(copy) > 0)) {
            return null;
        }
        Path image = home.resolve(IMAGE);
        if (!Files.isRegularFile(image)) {
            throw new UsageException("the default disk " + image + " is missing (rebuild the distribution, or use"
                    + " -drive or -nodefaults)");
        }
        // Written in place, into the file this run has locked: replacing it would give the lock's
        // file a new name and the next run a file of its own.
        return new Copy(image, copy, locks.channel(copy));
    }

    /** The default disk's copy, made by a thread of its own. */
    static final class Copy {
        private final Thread thread;
        private volatile String failure;

        private Copy(Path image, Path copy, FileChannel dst) {
            thread = new Thread(() -> {
                try (FileChannel src = FileChannel.open(image, StandardOpenOption.READ)) {
                    dst.truncate(0);
                    long size = src.size();
                    for (long done = 0; done < size; ) {
                        done += src.transferTo(done, size - done, dst.position(done));
                    }
                    // No force(): the disk model reads this file through the same page cache, and a copy a
                    // host crash loses is made again by the next run (syncing 32 MiB cost the boot ~0.1 s).
                } catch (IOException | RuntimeException e) {
                    failure = "cannot copy the default disk to " + copy + ": " + e.getMessage();
                }
            }, "alos-disk-copy");
            thread.setDaemon(true);
            thread.start();
        }

        /** Waits for the copy; a failed copy is the run's usage error. */
        void await() throws UsageException, InterruptedException {
            thread.join();
            if (failure != null) {
                throw new UsageException(failure);
            }
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }
}
