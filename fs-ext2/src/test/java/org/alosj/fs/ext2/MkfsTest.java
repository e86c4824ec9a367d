package org.alosj.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.alosj.fs.ext2.impl.Ext2FileSystemType;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FileSystem;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.fs.FsStats;
import org.alosj.kernel.fs.MountOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Our mkfs against e2fsck -fn and dumpe2fs -h, and a filesystem filled to its last block and inode. */
@Timeout(300)
class MkfsTest {
    @TempDir
    Path work;

    @ParameterizedTest(name = "{1} bytes, {0}-byte blocks")
    @CsvSource({"1024, 8M", "1024, 100M", "2048, 33M", "4096, 64M", "4096, 300M", "0, 600M"})
    void freshImagePassesE2fsckAndDumpe2fsAgrees(int blockSize, String size) throws Exception {
        Path image = work.resolve("fresh.img");
        Mkfs.Result r = new Mkfs().formatImage(image, Mkfs.parseSize(size),
            Mkfs.Options.defaults().withBlockSize(blockSize).withLabel("alos").withReservedPercent(5));
        E2fsprogs.assertClean(image);
        Map<String, String> h = E2fsprogs.header(image);
        assertEquals(Long.toString(r.blocks()), h.get("Block count"));
        assertEquals(Long.toString(r.inodes()), h.get("Inode count"));
        assertEquals(Long.toString(r.freeBlocks()), h.get("Free blocks"));
        assertEquals(Long.toString(r.freeInodes()), h.get("Free inodes"));
        assertEquals(Integer.toString(r.blockSize()), h.get("Block size"));
        assertEquals(Long.toString(r.blocks() * 5 / 100), h.get("Reserved block count"));
        assertEquals("filetype sparse_super large_file", h.get("Filesystem features"));
        assertEquals("alos", h.get("Filesystem volume name"));
        assertEquals("1 (dynamic)", h.get("Filesystem revision #"));
        assertEquals("clean", h.get("Filesystem state"));
        assertEquals("128", h.get("Inode size"));
        try (ImageFileDevice device = ImageFileDevice.open(image, true)) {
            FileSystem fs = new Ext2FileSystemType().mount(device, "fresh", MountOptions.readOnlyMount());
            FsStats st = fs.statfs();
            assertEquals(r.blocks(), st.totalBlocks());
            assertEquals(Long.parseLong(h.get("Free blocks")), st.freeBlocks());
            assertEquals(Long.parseLong(h.get("Inodes per group")) * Long.parseLong(h.get("Inode count"))
                / Long.parseLong(h.get("Inodes per group")), st.totalInodes());
            assertEquals(FileType.DIRECTORY, fs.getattr(fs.lookup(fs.rootIno(), "lost+found")).type());
            fs.unmount();
        }
    }

    @ParameterizedTest(name = "{0}-byte blocks")
    @CsvSource({"1024", "4096"})
    void fillingToTheLastBlockIsEnospcAndStaysClean(int blockSize) throws Exception {
        Path image = work.resolve("full.img");
        new Mkfs().formatImage(image, 6L << 20, Mkfs.Options.defaults().withBlockSize(blockSize));
        try (ImageFileDevice device = ImageFileDevice.open(image, false)) {
            FileSystem fs = new Ext2FileSystemType().mount(device, "full", MountOptions.readWrite());
            long a = fs.create(fs.rootIno(), "a", FileType.REGULAR, 0644, 0, 0);
            byte[] chunk = new byte[100_000];
            java.util.Arrays.fill(chunk, (byte) 'x');
            long off = 0;
            FsException full = null;
            while (full == null) {
                try {
                    int n = fs.write(a, off, ByteBuffer.wrap(chunk));
                    off += n;
                    assertTrue(n > 0);
                } catch (FsException e) {
                    full = e;
                }
            }
            assertEquals(Errno.ENOSPC, full.errno());
            assertEquals(0, fs.statfs().freeBlocks(), "every block is used");
            assertEquals(off, fs.getattr(a).size(), "the size covers exactly what was written");
            // Directories cannot grow either; inodes without blocks still come.
            long b = fs.create(fs.rootIno(), "empty", FileType.REGULAR, 0644, 0, 0);
            assertEquals(0, fs.getattr(b).size());
            assertEquals(Errno.ENOSPC, assertThrows(FsException.class,
                () -> fs.create(fs.rootIno(), "dir", FileType.DIRECTORY, 0755, 0, 0)).errno());
            assertEquals(Errno.ENOSPC, assertThrows(FsException.class,
                () -> fs.symlink(fs.rootIno(), "slow", "y".repeat(200), 0, 0)).errno());
            fs.unmount();
        }
        E2fsprogs.assertClean(image);
        byte[] back = E2fsprogs.cat(image, "/a");
        assertEquals(java.nio.file.Files.size(image) > 0, back.length > 0);
        for (byte x : back) {
            assertEquals('x', x);
        }
        try (ImageFileDevice device = ImageFileDevice.open(image, false)) {
            FileSystem fs = new Ext2FileSystemType().mount(device, "full", MountOptions.readWrite());
            long a = fs.lookup(fs.rootIno(), "a");
            fs.truncate(a, 0);
            assertEquals(0, fs.getattr(a).blocks());
            fs.unmount();
        }
        E2fsprogs.assertClean(image);
    }

    @Test
    void directoryThatCannotGetItsIndirectBlockGivesItBack() throws Exception {
        Path image = work.resolve("dir-full.img");
        new Mkfs().formatImage(image, 2L << 20, Mkfs.Options.defaults().withBlockSize(1024));
        try (ImageFileDevice device = ImageFileDevice.open(image, false)) {
            FileSystem fs = new Ext2FileSystemType().mount(device, "dir-full", MountOptions.readWrite());
            long d = fs.create(fs.rootIno(), "d", FileType.DIRECTORY, 0755, 0, 0);
            int names = 0;
            while (fs.getattr(d).size() < 12 * 1024) {
                fs.create(d, String.format("%03d", names++) + "n".repeat(250), FileType.REGULAR, 0644, 0, 0);
            }
            // Fill the remaining space of the twelve direct blocks, then the disk.
            for (int i = 0; i < 2; i++) {
                fs.create(d, String.format("%03d", names++) + "n".repeat(250), FileType.REGULAR, 0644, 0, 0);
            }
            long big = fs.create(fs.rootIno(), "big", FileType.REGULAR, 0644, 0, 0);
            long off = 0;
            try {
                while (true) {
                    off += fs.write(big, off, ByteBuffer.wrap(new byte[64 * 1024]));
                }
            } catch (FsException e) {
                assertEquals(Errno.ENOSPC, e.errno());
            }
            fs.truncate(big, (off - 1) / 1024 * 1024); // exactly one block comes back
            assertEquals(1, fs.statfs().freeBlocks());
            FsException e = null;
            for (int i = 0; i < 3 && e == null; i++) {
                try {
                    fs.create(d, String.format("%03d", names++) + "n".repeat(250), FileType.REGULAR, 0644, 0, 0);
                } catch (FsException full) {
                    e = full;
                }
            }
            assertEquals(Errno.ENOSPC, e == null ? null : e.errno());
            assertEquals(12 * 1024, fs.getattr(d).size());
            assertEquals(1, fs.statfs().freeBlocks(), "the indirect block allocated for the new directory block is free again");
            fs.unmount();
        }
        E2fsprogs.assertClean(image);
    }

    @Test
    void denseFileIntoTheTripleIndirectRangeReadsBackThroughDebugfs() throws Exception {
        Path image = work.resolve("dense.img");
        new Mkfs().formatImage(image, 100L << 20, Mkfs.Options.defaults().withBlockSize(1024));
        java.security.MessageDigest written = java.security.MessageDigest.getInstance("SHA-256");
        long size = Trees.TRIPLE_INDIRECT_1K + (3 << 20) + 123;
        try (ImageFileDevice device = ImageFileDevice.open(image, false)) {
            FileSystem fs = new Ext2FileSystemType().mount(device, "dense", MountOptions.readWrite());
            long f = fs.create(fs.rootIno(), "dense", FileType.REGULAR, 0644, 0, 0);
            java.util.Random random = new java.util.Random(99);
            byte[] chunk = new byte[1 << 20];
            for (long off = 0; off < size; ) {
                random.nextBytes(chunk);
                int n = (int) Math.min(chunk.length - (off == 0 ? 777 : 0), size - off); // unaligned from the start
                written.update(chunk, 0, n);
                assertEquals(n, fs.write(f, off, ByteBuffer.wrap(chunk, 0, n)));
                off += n;
            }
            assertEquals(size, fs.getattr(f).size());
            fs.unmount();
        }
        E2fsprogs.assertClean(image);
        assertTrue(E2fsprogs.run(null, "debugfs", "-R", "stat /dense", image.toString()).out().contains("(TIND)"));
        byte[] back = E2fsprogs.cat(image, "/dense");
        assertEquals(size, back.length);
        org.junit.jupiter.api.Assertions.assertArrayEquals(written.digest(),
            java.security.MessageDigest.getInstance("SHA-256").digest(back));
    }

    @Test
    void runningOutOfInodesIsEnospcAndStaysClean() throws Exception {
        Path image = work.resolve("inodes.img");
        new Mkfs().formatImage(image, 2L << 20, Mkfs.Options.defaults().withInodeRatio(65536));
        try (ImageFileDevice device = ImageFileDevice.open(image, false)) {
            FileSystem fs = new Ext2FileSystemType().mount(device, "inodes", MountOptions.readWrite());
            long free = fs.statfs().freeInodes();
            for (long i = 0; i < free; i++) {
                fs.create(fs.rootIno(), "f" + i, FileType.REGULAR, 0644, 0, 0);
            }
            assertEquals(Errno.ENOSPC, assertThrows(FsException.class,
                () -> fs.create(fs.rootIno(), "one-more", FileType.REGULAR, 0644, 0, 0)).errno());
            fs.unmount();
        }
        E2fsprogs.assertClean(image);
    }

    @Test
    void theCleanCheckCatchesWhatE2fsckExitsZeroOn() throws Exception {
        Path image = work.resolve("wrong-count.img");
        new Mkfs().formatImage(image, 4L << 20, Mkfs.Options.defaults());
        byte[] img = java.nio.file.Files.readAllBytes(image);
        java.nio.ByteBuffer.wrap(img).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(1024 + 12, 17); // s_free_blocks_count
        java.nio.file.Files.write(image, img);
        AssertionError e = assertThrows(AssertionError.class, () -> E2fsprogs.assertClean(image));
        assertTrue(e.getMessage().contains("Free blocks count wrong"), e.getMessage());
    }

    @Test
    void commandLineWritesAPopulatedImage() throws Exception {
        Path tree = work.resolve("tree");
        java.nio.file.Files.createDirectories(tree.resolve("etc"));
        java.nio.file.Files.writeString(tree.resolve("etc/motd"), "welcome\n");
        Path image = work.resolve("cli.img");
        E2fsprogs.Run r = E2fsprogs.run(null, java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), Mkfs.class.getName(), image.toString(), "4M",
            "--block-size", "2048", "--from", tree.toString(), "--label", "cli");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("2048 blocks of 2048 bytes"), r.out());
        E2fsprogs.assertClean(image);
        assertEquals("welcome\n", new String(E2fsprogs.cat(image, "/etc/motd")));
        assertEquals("cli", E2fsprogs.header(image).get("Filesystem volume name"));
    }
}
