package org.alosj.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.alosj.fs.ext2.impl.Ext2FileSystemType;
import org.alosj.kernel.fs.AttributeChanges;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FileAttributes;
import org.alosj.kernel.fs.FileSystem;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.fs.MountOptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** POSIX and ext2 details: times, dtime, orphans across a crash, symlink kinds, limits, errors, threads. */
@Timeout(300)
class SemanticsTest {
    @TempDir
    Path work;
    Path image;
    final MutableClock clock = new MutableClock();

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-01-02T03:04:05Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void image() throws Exception {
        image = work.resolve("s.img");
        new Mkfs(clock).formatImage(image, 16L << 20, Mkfs.Options.defaults());
    }

    private FileSystem mount(ImageFileDevice dev, boolean readOnly) throws FsException {
        return new Ext2FileSystemType(clock).mount(dev, "s", readOnly ? MountOptions.readOnlyMount() : MountOptions.readWrite());
    }

    @Test
    void timesFollowPosixAndDeletionSetsDtime() throws Exception {
        try (ImageFileDevice dev = ImageFileDevice.open(image, false)) {
            FileSystem fs = mount(dev, false);
            long f = fs.create(fs.rootIno(), "f", FileType.REGULAR, 0640, 7, 8);
            FileAttributes a = fs.getattr(f);
            assertEquals(clock.now, a.modified());
            assertEquals(clock.now, a.changed());
            assertEquals(0640, a.permissions());
            assertEquals(7, a.uid());
            Instant created = clock.now;
            clock.now = created.plusSeconds(100);
            fs.write(f, 0, ByteBuffer.wrap(new byte[10]));
            assertEquals(clock.now, fs.getattr(f).modified());
            assertEquals(clock.now, fs.getattr(fs.rootIno()).modified().plusSeconds(100), "the directory changed at creation only");
            clock.now = created.plusSeconds(200);
            fs.setattr(f, AttributeChanges.permissions(0600));
            assertEquals(clock.now, fs.getattr(f).changed());
            assertEquals(created.plusSeconds(100), fs.getattr(f).modified());
            fs.setattr(f, AttributeChanges.times(Instant.ofEpochSecond(1000), Instant.ofEpochSecond(2000)));
            assertEquals(Instant.ofEpochSecond(1000), fs.getattr(f).accessed());
            assertEquals(Instant.ofEpochSecond(2000), fs.getattr(f).modified());
            clock.now = created.plusSeconds(300);
            fs.read(f, 0, ByteBuffer.allocate(10));
            assertEquals(clock.now, fs.getattr(f).accessed(), "relatime: an access older than the change moves");
            fs.setattr(f, AttributeChanges.owner(1001, 1002));
            assertEquals(1001, fs.getattr(f).uid());
            assertEquals(1002, fs.getattr(f).gid());
            clock.now = created.plusSeconds(400);
            fs.unlink(fs.rootIno(), "f");
            fs.unmount();
            E2fsprogs.Run r = E2fsprogs.run(null, "debugfs", "-R", "stat <" + f + ">", image.toString());
            assertTrue(r.out().contains("dtime: 0x" + Long.toHexString(clock.now.getEpochSecond())), r.out());
        }
        E2fsprogs.assertClean(image);
    }

    @Test
    void orphanLeftByACrashIsFreedAtTheNextMount() throws Exception {
        long freeBefore;
        long orphan;
        try (ImageFileDevice dev = ImageFileDevice.open(image, false)) {
            FileSystem fs = mount(dev, false);
            freeBefore = fs.statfs().freeBlocks();
            orphan = fs.create(fs.rootIno(), "tmp", FileType.REGULAR, 0600, 0, 0);
            fs.write(orphan, 0, ByteBuffer.wrap(new byte[300_000]));
            fs.retain(orphan);
            fs.unlink(fs.rootIno(), "tmp");
            fs.sync();
            // The machine dies here: no release, no unmount.
        }
        E2fsprogs.Run dump = E2fsprogs.run(null, "dumpe2fs", "-h", image.toString());
        assertTrue(dump.out().contains("First orphan inode:       " + orphan), dump.out());
        // e2fsck reads our orphan list as it reads ext3's: a repairing run frees the inode.
        Path copy = work.resolve("crash-copy.img");
        java.nio.file.Files.copy(image, copy);
        E2fsprogs.Run fix = E2fsprogs.run(null, "e2fsck", "-fy", copy.toString());
        assertTrue(fix.out().contains("Clearing orphaned inode " + orphan), fix.out());
        E2fsprogs.assertClean(copy);
        try (ImageFileDevice dev = ImageFileDevice.open(image, false)) {
            FileSystem fs = mount(dev, false);
            assertEquals(freeBefore, fs.statfs().freeBlocks(), "the orphan's blocks came back");
            assertThrows(FsException.class, () -> fs.getattr(orphan));
            fs.unmount();
        }
        E2fsprogs.assertClean(image);
    }

    @Test
    void symlinksUnderSixtyBytesLiveInTheInode() throws Exception {
        try (ImageFileDevice dev = ImageFileDevice.open(image, false)) {
            FileSystem fs = mount(dev, false);
            long fast = fs.symlink(fs.rootIno(), "fast", "f".repeat(59), 0, 0);
            long slow = fs.symlink(fs.rootIno(), "slow", "s".repeat(60), 0, 0);
            assertEquals(0, fs.getattr(fast).blocks());
            assertEquals(2, fs.getattr(slow).blocks());
            assertEquals("f".repeat(59), fs.readlink(fast));
            assertEquals("s".repeat(60), fs.readlink(slow));
            assertEquals(59, fs.getattr(fast).size());
            assertEquals(Errno.ENAMETOOLONG, assertThrows(FsException.class,
                () -> fs.symlink(fs.rootIno(), "huge", "h".repeat(1024), 0, 0)).errno());
            assertEquals(Errno.EINVAL, assertThrows(FsException.class, () -> fs.readlink(fs.rootIno())).errno());
            fs.unmount();
        }
        E2fsprogs.assertClean(image);
        // debugfs agrees on which is which.
        assertTrue(E2fsprogs.run(null, "debugfs", "-R", "stat /fast", image.toString()).out()
            .contains("Fast link dest: \"" + "f".repeat(59) + "\""));
        String slow = E2fsprogs.run(null, "debugfs", "-R", "stat /slow", image.toString()).out();
        assertTrue(!slow.contains("Fast link dest") && slow.contains("TOTAL: 1"), slow);
    }

    @Test
    void errorsAreTheLinuxOnes() throws Exception {
        try (ImageFileDevice dev = ImageFileDevice.open(image, false)) {
            FileSystem fs = mount(dev, false);
            long root = fs.rootIno();
            long d = fs.create(root, "d", FileType.DIRECTORY, 0755, 0, 0);
            long f = fs.create(root, "f", FileType.REGULAR, 0644, 0, 0);
            assertErrno(Errno.EEXIST, () -> fs.create(root, "d", FileType.REGULAR, 0644, 0, 0));
            assertErrno(Errno.ENOENT, () -> fs.lookup(root, "none"));
            assertErrno(Errno.ENOTDIR, () -> fs.lookup(f, "x"));
            assertErrno(Errno.ENAMETOOLONG, () -> fs.create(root, "n".repeat(256), FileType.REGULAR, 0644, 0, 0));
            fs.create(root, "n".repeat(255), FileType.REGULAR, 0644, 0, 0);
            assertErrno(Errno.EPERM, () -> fs.link(root, "hard-dir", d));
            assertErrno(Errno.EISDIR, () -> fs.unlink(root, "d"));
            assertErrno(Errno.ENOTDIR, () -> fs.rmdir(root, "f"));
            assertErrno(Errno.EISDIR, () -> fs.read(d, 0, ByteBuffer.allocate(1)));
            assertErrno(Errno.EISDIR, () -> fs.write(d, 0, ByteBuffer.allocate(1)));
            assertErrno(Errno.EFBIG, () -> fs.write(f, 1L << 42, ByteBuffer.allocate(1)));
            assertErrno(Errno.EINVAL, () -> fs.rename(root, "d", d, "inside"));
            assertErrno(Errno.EISDIR, () -> fs.rename(root, "f", root, "d"));
            assertErrno(Errno.ENOTDIR, () -> fs.rename(root, "d", root, "f"));
            long fifo = fs.create(root, "fifo", FileType.FIFO, 0600, 0, 0);
            assertEquals(FileType.FIFO, fs.getattr(fifo).type());
            assertEquals(FileType.FIFO, fs.readdir(root).stream().filter(e -> e.name().equals("fifo")).findFirst()
                .orElseThrow().type());
            fs.unmount();
            assertErrno(Errno.EIO, () -> fs.getattr(root));
        }
        E2fsprogs.assertClean(image);
        try (ImageFileDevice dev = ImageFileDevice.open(image, true)) {
            FileSystem fs = mount(dev, true);
            assertTrue(fs.readOnly());
            assertErrno(Errno.EROFS, () -> fs.create(fs.rootIno(), "x", FileType.REGULAR, 0644, 0, 0));
            assertErrno(Errno.EROFS, () -> fs.unlink(fs.rootIno(), "f"));
            fs.unmount();
        }
        try (ImageFileDevice dev = ImageFileDevice.open(image, true)) {
            assertErrno(Errno.EROFS, () -> mount(dev, false));
        }
    }

    @Test
    void threadsWritingAtOnceKeepTheImageClean() throws Exception {
        try (ImageFileDevice dev = ImageFileDevice.open(image, false)) {
            FileSystem fs = mount(dev, false);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<byte[]>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                results.add(pool.submit(() -> {
                    long dir = fs.create(fs.rootIno(), "t" + id, FileType.DIRECTORY, 0755, 0, 0);
                    long file = fs.create(dir, "data", FileType.REGULAR, 0644, 0, 0);
                    byte[] content = Trees.bytes(new java.util.Random(id), 400_000);
                    for (int off = 0; off < content.length; off += 10_000) {
                        fs.write(file, off, ByteBuffer.wrap(content, off, 10_000));
                        fs.create(dir, "small-" + off, FileType.REGULAR, 0644, 0, 0);
                    }
                    return content;
                }));
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(120, TimeUnit.SECONDS));
            for (int t = 0; t < 4; t++) {
                byte[] expected = results.get(t).get();
                long file = Trees.resolve(fs, "t" + t + "/data");
                ByteBuffer b = ByteBuffer.allocate(expected.length);
                fs.read(file, 0, b);
                assertArrayEquals(expected, b.array());
            }
            fs.unmount();
        }
        E2fsprogs.assertClean(image);
    }

    /** A disk with 4096-byte sectors, in memory. */
    static final class BigSectorDisk implements org.alosj.kernel.device.BlockDevice {
        final byte[] bytes;

        BigSectorDisk(int size) {
            bytes = new byte[size];
        }

        @Override
        public int sectorSize() {
            return 4096;
        }

        @Override
        public long sectorCount() {
            return bytes.length / 4096;
        }

        @Override
        public boolean readOnly() {
            return false;
        }

        @Override
        public void read(long lba, ByteBuffer dst) {
            assertEquals(0, dst.remaining() % 4096, "whole sectors only");
            dst.put(bytes, (int) lba * 4096, dst.remaining());
        }

        @Override
        public void write(long lba, ByteBuffer src) {
            assertEquals(0, src.remaining() % 4096, "whole sectors only");
            src.get(bytes, (int) lba * 4096, src.remaining());
        }

        @Override
        public void flush() {
        }
    }

    @Test
    void diskWith4096ByteSectorsWorks() throws Exception {
        BigSectorDisk disk = new BigSectorDisk(8 << 20);
        new Mkfs(clock).format(disk, Mkfs.Options.defaults().withBlockSize(4096));
        FileSystem fs = new Ext2FileSystemType(clock).mount(disk, "sd", MountOptions.readWrite());
        long f = fs.create(fs.rootIno(), "f", FileType.REGULAR, 0644, 0, 0);
        fs.write(f, 3, ByteBuffer.wrap(new byte[] {1, 2, 3}));
        fs.unmount();
        java.nio.file.Files.write(image, disk.bytes);
        E2fsprogs.assertClean(image);
        assertErrno(Errno.EINVAL, () -> new Mkfs(clock).format(disk, Mkfs.Options.defaults().withBlockSize(1024)) );
    }

    /**
     * An image that can be pulled out: from then on every request fails with an IOException, as
     * the block layer fails them once a disk's device is gone for good.
     */
    static final class PullableDisk implements org.alosj.kernel.device.BlockDevice {
        final ImageFileDevice image;
        volatile boolean pulled;

        PullableDisk(ImageFileDevice image) {
            this.image = image;
        }

        private void check() throws java.io.IOException {
            if (pulled) {
                throw new java.io.IOException("sd: no such device (its driver is gone)");
            }
        }

        @Override
        public int sectorSize() {
            return image.sectorSize();
        }

        @Override
        public long sectorCount() {
            return image.sectorCount();
        }

        @Override
        public boolean readOnly() {
            return image.readOnly();
        }

        @Override
        public void read(long lba, ByteBuffer dst) throws java.io.IOException {
            check();
            image.read(lba, dst);
        }

        @Override
        public void write(long lba, ByteBuffer src) throws java.io.IOException {
            check();
            image.write(lba, src);
        }

        @Override
        public void flush() throws java.io.IOException {
            check();
            image.flush();
        }
    }

    @Test
    void aDiskPulledUnderWritesTurnsTheFilesystemReadOnlyAndWhatWasSyncedStays() throws Exception {
        try (ImageFileDevice dev = ImageFileDevice.open(image, false)) {
            PullableDisk disk = new PullableDisk(dev);
            FileSystem fs = new Ext2FileSystemType(clock).mount(disk, "sd", MountOptions.readWrite());
            long synced = fs.create(fs.rootIno(), "synced", FileType.REGULAR, 0644, 0, 0);
            fs.write(synced, 0, ByteBuffer.wrap("on the disk".getBytes()));
            fs.sync();
            long later = fs.create(fs.rootIno(), "later", FileType.REGULAR, 0644, 0, 0);
            fs.write(later, 0, ByteBuffer.wrap(new byte[200_000]));
            disk.pulled = true;
            assertErrno(Errno.EIO, fs::sync);
            assertErrno(Errno.EROFS, () -> fs.create(fs.rootIno(), "after", FileType.REGULAR, 0644, 0, 0));
            assertErrno(Errno.EROFS, () -> fs.write(synced, 0, ByteBuffer.wrap(new byte[] {1})));
            fs.unmount(); // lets go of the volume, writing nothing more
        }
        assertEquals("on the disk", new String(E2fsprogs.cat(image, "/synced")), "what was synced is there");
        E2fsprogs.Run r = E2fsprogs.run(null, "e2fsck", "-fn", image.toString());
        assertFalse(r.out().contains("/synced"), "e2fsck has nothing to say about the synced file:\n" + r.out());
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void assertErrno(Errno expected, Call call) {
        FsException e = assertThrows(FsException.class, call::run);
        assertEquals(expected, e.errno(), e.getMessage());
    }
}
