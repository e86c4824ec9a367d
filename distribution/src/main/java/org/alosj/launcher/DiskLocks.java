package org.alosj.launcher;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One writer a disk image, as QEMU locks its images: each drive's image is locked for the run,
 * exclusively when the machine may write it, shared when it is read-only, so a second
 * {@code alos} on the same image (the default {@code run/disk.img} of a checkout included) is
 * refused in one line naming the process that holds it, instead of writing under the first.
 * The locks are the host's POSIX record locks ({@code /proc/locks} lists them); the launcher holds
 * them until it exits.
 */
final class DiskLocks implements AutoCloseable {
    private final Map<Path, FileChannel> channels = new LinkedHashMap<>();
    private final Map<Path, FileLock> locks = new LinkedHashMap<>();

    private DiskLocks() {
    }

    /** Locks every drive of the configuration (drive.N.file, drive.N.readonly); a missing default disk is created empty. */
    static DiskLocks acquire(MachineConfig config, Path defaultDisk) throws UsageException {
        DiskLocks locks = new DiskLocks();
        try {
            Map<String, String> ata = config.ata().properties();
            for (Map.Entry<String, String> e : ata.entrySet()) {
                if (!e.getKey().matches("drive\\.\\d+\\.file")) {
                    continue;
                }
                Path file = Path.of(e.getValue()).toAbsolutePath();
                boolean readOnly = Boolean.parseBoolean(ata.get(e.getKey().replace(".file", ".readonly")));
                locks.lock(file, readOnly, file.equals(defaultDisk.toAbsolutePath()));
            }
            return locks;
        } catch (UsageException | RuntimeException e) {
            locks.close();
            throw e;
        }
    }

    private void lock(Path file, boolean readOnly, boolean create) throws UsageException {
        if (channels.containsKey(file)) {
            throw new UsageException(file + " is attached twice: one image, one drive (QEMU refuses it too)");
        }
        FileChannel ch;
        try {
            ch = readOnly ? FileChannel.open(file, StandardOpenOption.READ)
                    : create ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                            StandardOpenOption.CREATE)
                    : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UsageException(file + ": cannot open: " + e.getMessage());
        }
        FileLock lock;
        try {
            lock = ch.tryLock(0, Long.MAX_VALUE, readOnly);
        } catch (OverlappingFileLockException | IOException e) {
            lock = null;
        }
        if (lock == null) {
            closeQuietly(ch);
            throw new UsageException(file + " is in use by " + holder(file)
                    + (readOnly ? "" : "; a disk has one writer (readonly=on shares an image no one writes)"));
        }
        channels.put(file, ch);
        locks.put(file, lock);
    }

    /**
     * Takes the locks again after a reboot. POSIX record locks belong to the process and go
     * when any of its descriptors of the file closes, as the disk model's do when the machine
     * is switched off; the same machine keeps its disks, so it takes them back before it boots.
     */
    void renew() throws UsageException {
        for (Map.Entry<Path, FileLock> e : locks.entrySet()) {
            FileLock old = e.getValue();
            try {
                old.release();
                FileLock again = old.channel().tryLock(0, Long.MAX_VALUE, old.isShared());
                if (again == null) {
                    throw new UsageException(e.getKey() + " was taken by " + holder(e.getKey()) + " during the reboot");
                }
                e.setValue(again);
            } catch (IOException x) {
                throw new UsageException(e.getKey() + ": cannot lock it again: " + x.getMessage());
            }
        }
    }

    /** The locked channel of {@code file}, for writing the fresh default disk in place. */
    FileChannel channel(Path file) {
        return channels.get(file.toAbsolutePath());
    }

    /** Who holds a lock on {@code file}, from /proc/locks as lslocks reads it. */
    static String holder(Path file) {
        try {
            long inode = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
            List<String> pids = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
                String[] f = line.trim().split("\\s+");
                // "1: POSIX  ADVISORY  WRITE 12345 fe:00:1106818 0 EOF"
                if (f.length >= 6 && f[5].endsWith(":" + inode) && !f[4].equals(Long.toString(ProcessHandle.current().pid()))) {
                    pids.add(f[4]);
                }
            }
            if (!pids.isEmpty()) {
                String pid = pids.get(0);
                String what = ProcessHandle.of(Long.parseLong(pid)).flatMap(p -> p.info().commandLine())
                        .map(c -> c.contains("org.alosj.launcher.Main") ? "another alos" : c.split(" ")[0])
                        .orElse("a process");
                return what + " (pid " + pid + ")";
            }
        } catch (IOException | RuntimeException e) {
            // say less
        }
        return "another process";
    }

    @Override
    public void close() {
        channels.values().forEach(DiskLocks::closeQuietly);
        channels.clear();
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
