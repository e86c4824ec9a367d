package org.alosj.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.alosj.fs.ext2.impl.Ext2FileSystemType;
import org.alosj.kernel.fs.DirEntry;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FileSystem;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.fs.MountOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Damaged images: truncated, wrong magic, corrupt superblock, group descriptors, directory
 * entries and indirect blocks, each giving a clear FsException (EINVAL, EUCLEAN naming the inode
 * and block, or EIO) and a read-only filesystem; then a seeded fuzzed corpus (mutations of real
 * images) where every operation ends in a result or an FsException: no RuntimeException, no hang.
 */
@Timeout(600)
class CorruptImageTest {
    @TempDir
    static Path work;
    static byte[] plain1k;
    static long dirBlock;
    static long indirectBlock;
    static long fileIno;

    @BeforeAll
    static void images() throws Exception {
        Path tree = Files.createDirectories(work.resolve("tree/d"));
        Random r = new Random(7);
        for (int i = 0; i < 40; i++) {
            Files.writeString(tree.resolve("file-with-a-long-name-number-" + i), "x" + i);
        }
        Files.write(tree.getParent().resolve("f"), Trees.bytes(r, 300_000));
        Files.createSymbolicLink(tree.getParent().resolve("s"), Path.of("f"));
        Files.createSymbolicLink(tree.getParent().resolve("slow"), Path.of("y".repeat(100)));
        Path image = work.resolve("base.img");
        E2fsprogs.mkfs(image, 2048, 1024, true, tree.getParent());
        plain1k = Files.readAllBytes(image);
        String d = E2fsprogs.run(null, "debugfs", "-R", "stat /d", image.toString()).out();
        dirBlock = firstNumber(d, "\\(0\\):(\\d+)");
        String f = E2fsprogs.run(null, "debugfs", "-R", "stat /f", image.toString()).out();
        indirectBlock = firstNumber(f, "\\(IND\\):(\\d+)");
        fileIno = firstNumber(f, "Inode: (\\d+)");
    }

    private static long firstNumber(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " in " + text);
        return Long.parseLong(m.group(1));
    }

    private static Path write(String name, byte[] image) throws IOException {
        Path p = work.resolve(name);
        Files.write(p, image);
        return p;
    }

    private static FsException mountFails(byte[] image, boolean readOnly) throws Exception {
        Path p = write("bad.img", image);
        try (ImageFileDevice dev = ImageFileDevice.open(p, true)) {
            return assertThrows(FsException.class, () -> new Ext2FileSystemType().mount(dev, "bad",
                readOnly ? MountOptions.readOnlyMount() : MountOptions.readWrite()));
        }
    }

    private static void put32(byte[] image, long offset, long value) {
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putInt((int) offset, (int) value);
    }

    private static void put16(byte[] image, long offset, int value) {
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putShort((int) offset, (short) value);
    }

    @Test
    void truncatedImageIsRefusedSayingSo() throws Exception {
        FsException e = mountFails(java.util.Arrays.copyOf(plain1k, plain1k.length / 2), true);
        assertEquals(Errno.EUCLEAN, e.errno());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        e = mountFails(java.util.Arrays.copyOf(plain1k, 1536), true);
        assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
    }

    @Test
    void noMagicIsEinval() throws Exception {
        byte[] img = plain1k.clone();
        put16(img, 1024 + 56, 0x1234);
        FsException e = mountFails(img, true);
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("magic 0x1234"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {24, 32, 40, 0, 20})
    void corruptSuperblockFieldIsEuclean(int fieldOffset) throws Exception {
        byte[] img = plain1k.clone();
        put32(img, 1024 + fieldOffset, fieldOffset == 0 ? 12345 : 99);
        FsException e = mountFails(img, true);
        assertEquals(Errno.EUCLEAN, e.errno(), e.getMessage());
        assertTrue(e.getMessage().contains("corrupt superblock"), e.getMessage());
    }

    @Test
    void unknownIncompatibleFeatureIsRefusedByName() throws Exception {
        byte[] img = plain1k.clone();
        put32(img, 1024 + 96, 0x2 | 0x40);
        FsException e = mountFails(img, true);
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("extent"), e.getMessage());
    }

    @Test
    void realExt4IsRefusedByName() throws Exception {
        Path p = work.resolve("ext4.img");
        E2fsprogs.Run r = E2fsprogs.run(null, "mkfs.ext4", "-q", "-F", p.toString(), "4M");
        assertEquals(0, r.exit(), r.out());
        FsException e = mountFails(Files.readAllBytes(p), true);
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("extent") && e.getMessage().contains("flex_bg"), e.getMessage());
    }

    @Test
    void unknownReadOnlyFeatureMountsOnlyReadOnly() throws Exception {
        byte[] img = plain1k.clone();
        put32(img, 1024 + 100, 0x1 | 0x2 | 0x8);
        FsException e = mountFails(img, false);
        assertEquals(Errno.EROFS, e.errno());
        assertTrue(e.getMessage().contains("huge_file"), e.getMessage());
        try (ImageFileDevice dev = ImageFileDevice.open(write("ro.img", img), true)) {
            FileSystem fs = new Ext2FileSystemType().mount(dev, "ro", MountOptions.readOnlyMount());
            assertTrue(fs.readOnly());
            assertEquals(Errno.EROFS, assertThrows(FsException.class,
                () -> fs.create(fs.rootIno(), "x", FileType.REGULAR, 0644, 0, 0)).errno());
            fs.unmount();
        }
    }

    @Test
    void groupDescriptorPointingOutsideIsEucleanNamingTheGroup() throws Exception {
        byte[] img = plain1k.clone();
        put32(img, 2048 + 8, 1_000_000); // group 0's bg_inode_table
        FsException e = mountFails(img, true);
        assertEquals(Errno.EUCLEAN, e.errno());
        assertTrue(e.getMessage().contains("group 0") && e.getMessage().contains("1000000"), e.getMessage());
    }

    /** Mounts a damaged copy read-write and returns the filesystem. */
    private static FileSystem mountDamaged(byte[] img, List<ImageFileDevice> open) throws Exception {
        ImageFileDevice dev = ImageFileDevice.open(write("damaged.img", img), false);
        open.add(dev);
        return new Ext2FileSystemType().mount(dev, "damaged", MountOptions.readWrite());
    }

    private static void assertCorruptionReported(FileSystem fs, Call call, String... words) throws Exception {
        FsException e = assertThrows(FsException.class, call::run);
        assertEquals(Errno.EUCLEAN, e.errno(), e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "'" + w + "' in: " + e.getMessage());
        }
        assertTrue(fs.readOnly(), "the filesystem turns read-only on corruption");
        assertEquals(Errno.EROFS, assertThrows(FsException.class,
            () -> fs.create(fs.rootIno(), "new", FileType.REGULAR, 0644, 0, 0)).errno());
    }

    private interface Call {
        void run() throws Exception;
    }

    @ParameterizedTest(name = "directory entry: {0}")
    @ValueSource(strings = {"rec_len 0", "rec_len past the block", "name_len beyond rec_len", "inode out of range"})
    void corruptDirectoryEntryIsEucleanNamingInodeAndBlock(String damage) throws Exception {
        byte[] img = plain1k.clone();
        long entry = dirBlock * 1024 + 12 + 12; // the first entry after '.' and '..'
        switch (damage) {
            case "rec_len 0" -> put16(img, entry + 4, 0);
            case "rec_len past the block" -> put16(img, entry + 4, 2000);
            case "name_len beyond rec_len" -> img[(int) entry + 6] = (byte) 250;
            default -> put32(img, entry, 0x7FFFFFFF);
        }
        List<ImageFileDevice> open = new ArrayList<>();
        try {
            FileSystem fs = mountDamaged(img, open);
            long d = fs.lookup(fs.rootIno(), "d");
            assertCorruptionReported(fs, () -> fs.readdir(d), "directory inode " + d, "block " + dirBlock);
            fs.unmount();
        } finally {
            for (ImageFileDevice dev : open) {
                dev.close();
            }
        }
    }

    @Test
    void indirectPointerOutOfRangeIsEucleanNamingInodeAndBlock() throws Exception {
        byte[] img = plain1k.clone();
        put32(img, indirectBlock * 1024 + 4 * 5, 5_000_000);
        List<ImageFileDevice> open = new ArrayList<>();
        try {
            FileSystem fs = mountDamaged(img, open);
            long f = fs.lookup(fs.rootIno(), "f");
            assertEquals(fileIno, f);
            assertCorruptionReported(fs, () -> fs.read(f, 0, ByteBuffer.allocate(300_000)),
                "inode " + f, "indirect block " + indirectBlock, "5000000");
            fs.unmount();
        } finally {
            for (ImageFileDevice dev : open) {
                dev.close();
            }
        }
    }

    @Test
    void indirectPointerIntoMetadataIsEuclean() throws Exception {
        byte[] img = plain1k.clone();
        put32(img, indirectBlock * 1024, 3); // block 3: the block bitmap of group 0
        List<ImageFileDevice> open = new ArrayList<>();
        try {
            FileSystem fs = mountDamaged(img, open);
            long f = fs.lookup(fs.rootIno(), "f");
            assertCorruptionReported(fs, () -> fs.read(f, 12 * 1024, ByteBuffer.allocate(1024)), "metadata");
            fs.unmount();
        } finally {
            for (ImageFileDevice dev : open) {
                dev.close();
            }
        }
    }

    @Test
    void indirectBlockLoopIsCaughtWhenFreeing() throws Exception {
        byte[] img = plain1k.clone();
        put32(img, indirectBlock * 1024 + 4 * 7, indirectBlock); // points at itself
        List<ImageFileDevice> open = new ArrayList<>();
        try {
            FileSystem fs = mountDamaged(img, open);
            long f = fs.lookup(fs.rootIno(), "f");
            fs.read(f, 0, ByteBuffer.allocate(300_000)); // reads as data: no harm, no hang
            assertCorruptionReported(fs, () -> fs.truncate(f, 0), "inode " + f);
            fs.unmount();
        } finally {
            for (ImageFileDevice dev : open) {
                dev.close();
            }
        }
    }

    @Test
    void bitmapMarkingMetadataFreeIsNotAllocatedFrom() throws Exception {
        byte[] img = plain1k.clone();
        long bitmap = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN).getInt(2048) & 0xFFFFFFFFL;
        // Every block in use but the first ones of group 0 (superblock, descriptors, bitmaps), which it claims are free.
        java.util.Arrays.fill(img, (int) (bitmap * 1024), (int) (bitmap * 1024) + 256, (byte) 0xFF);
        img[(int) (bitmap * 1024)] = 0;
        List<ImageFileDevice> open = new ArrayList<>();
        try {
            FileSystem fs = mountDamaged(img, open);
            long x = fs.create(fs.rootIno(), "x", FileType.REGULAR, 0644, 0, 0);
            byte[] marker = new byte[1000];
            java.util.Arrays.fill(marker, (byte) 0xAB);
            assertCorruptionReported(fs, () -> fs.write(x, 0, ByteBuffer.wrap(marker)), "marks metadata block");
            fs.unmount();
        } finally {
            for (ImageFileDevice dev : open) {
                dev.close();
            }
        }
        // The data went nowhere: not over the metadata the bitmap offered, nor anywhere else.
        byte[] after = Files.readAllBytes(work.resolve("damaged.img"));
        for (int block = 0; block < after.length / 1024; block++) {
            int run = 0;
            for (int i = 0; i < 1024; i++) {
                run = after[block * 1024 + i] == (byte) 0xAB ? run + 1 : 0;
                assertTrue(run < 100, "the file's bytes were written into block " + block);
            }
        }
    }

    @Test
    void dotDotLoopIsCaughtWhenMovingADirectory() throws Exception {
        byte[] img = plain1k.clone();
        // /d's '..' (the entry at offset 12 of its first block) names /d itself.
        long d = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN).getInt((int) (dirBlock * 1024)) & 0xFFFFFFFFL;
        put32(img, dirBlock * 1024 + 12, d);
        List<ImageFileDevice> open = new ArrayList<>();
        try {
            FileSystem fs = mountDamaged(img, open);
            long moved = fs.create(fs.rootIno(), "moved", FileType.DIRECTORY, 0755, 0, 0);
            assertEquals(d, fs.lookup(fs.rootIno(), "d"));
            assertCorruptionReported(fs, () -> fs.rename(fs.rootIno(), "moved", d, "moved"), "loops at inode " + d);
            assertEquals(moved, fs.lookup(fs.rootIno(), "moved"));
            fs.unmount();
        } finally {
            for (ImageFileDevice dev : open) {
                dev.close();
            }
        }
    }

    // ---- the fuzzed corpus --------------------------------------------------------------------

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4})
    void fuzzedImagesGiveFsExceptionsOnly(long seed) throws Exception {
        Random random = new Random(seed);
        byte[] base = plain1k;
        if (seed % 2 == 0) {
            Path p = work.resolve("defaults4k.img");
            if (!Files.exists(p)) {
                E2fsprogs.mkfs(p, 4096, 4096, false, work.resolve("tree"));
            }
            base = Files.readAllBytes(p);
        }
        int bs = seed % 2 == 0 ? 4096 : 1024;
        List<Long> used = usedBlocks(base, bs);
        int mounted = 0;
        int refused = 0;
        for (int i = 0; i < 150; i++) {
            byte[] img = base.clone();
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                mutate(img, random, bs, used);
            }
            if (exercise(img, random)) {
                mounted++;
            } else {
                refused++;
            }
        }
        assertTrue(mounted > 0 && refused > 0, "the corpus has both mountable and refused images: "
            + mounted + " mounted, " + refused + " refused");
    }

    /** Blocks the block bitmap of group 0 marks used: where the structures are. */
    private static List<Long> usedBlocks(byte[] img, int bs) {
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        long gdt = (bs == 1024 ? 2 : 1) * (long) bs;
        long bitmap = b.getInt((int) gdt) & 0xFFFFFFFFL;
        long first = bs == 1024 ? 1 : 0;
        List<Long> used = new ArrayList<>();
        for (int bit = 0; bit < 8 * bs && first + bit < img.length / bs; bit++) {
            if ((img[(int) (bitmap * bs) + bit / 8] & (1 << (bit % 8))) != 0) {
                used.add(first + bit);
            }
        }
        return used;
    }

    private static void mutate(byte[] img, Random random, int bs, List<Long> used) {
        long offset = switch (random.nextInt(5)) {
            case 0 -> 1024 + random.nextInt(264);                              // superblock fields
            case 1 -> (bs == 1024 ? 2048 : 4096) + random.nextInt(64);        // group descriptors
            default -> used.get(random.nextInt(used.size())) * bs + random.nextInt(bs); // any structure in use
        };
        int o = (int) offset & ~3;
        switch (random.nextInt(6)) {
            case 0 -> img[(int) offset] ^= (byte) (1 << random.nextInt(8));
            case 1 -> img[(int) offset] = (byte) random.nextInt(256);
            case 2 -> put32(img, o, random.nextInt());
            case 3 -> put32(img, o, 0);
            case 4 -> put32(img, o, random.nextInt(img.length / bs + 10));
            default -> java.util.Arrays.fill(img, o, Math.min(img.length, o + 16), (byte) 0);
        }
    }

    /**
     * Mounts, walks and changes a damaged image; every failure must be an FsException. Returns
     * whether it mounted.
     */
    private static boolean exercise(byte[] img, Random random) throws Exception {
        Path p = write("fuzz.img", img);
        try (ImageFileDevice dev = ImageFileDevice.open(p, false)) {
            FileSystem fs;
            try {
                fs = new Ext2FileSystemType().mount(dev, "fuzz", MountOptions.readWrite());
            } catch (FsException e) {
                assertFalse(e.getMessage().isEmpty());
                return false;
            }
            List<Long> files = new ArrayList<>();
            List<Long> dirs = new ArrayList<>();
            walk(fs, fs.rootIno(), 0, files, dirs, new int[] {0});
            for (long f : files) {
                quietly(() -> {
                    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
                    fs.read(f, 0, buf);
                    long size = fs.getattr(f).size();
                    fs.read(f, Math.max(0, size - 4096), buf.clear());
                });
                quietly(() -> fs.readlink(f));
            }
            long root = fs.rootIno();
            quietly(() -> {
                long n = fs.create(root, "fuzz-new", FileType.REGULAR, 0644, 0, 0);
                fs.write(n, 0, ByteBuffer.wrap(Trees.bytes(random, 100_000)));
            });
            quietly(() -> fs.create(root, "fuzz-dir", FileType.DIRECTORY, 0755, 0, 0));
            for (long f : files.subList(0, Math.min(3, files.size()))) {
                quietly(() -> fs.truncate(f, 10));
                quietly(() -> fs.write(f, 5000, ByteBuffer.wrap(new byte[3000])));
            }
            for (DirEntry e : safeReaddir(fs, root)) {
                if (!e.name().equals(".") && !e.name().equals("..") && random.nextInt(3) == 0) {
                    quietly(() -> fs.unlink(root, e.name()));
                    quietly(() -> fs.rename(root, e.name(), root, "renamed-" + e.name()));
                }
            }
            for (long d : dirs.subList(0, Math.min(3, dirs.size()))) {
                quietly(() -> fs.create(d, "in-dir", FileType.REGULAR, 0644, 0, 0));
            }
            quietly(fs::sync);
            quietly(fs::statfs);
            quietly(fs::unmount);
            return true;
        }
    }

    private static List<DirEntry> safeReaddir(FileSystem fs, long dir) {
        try {
            return fs.readdir(dir);
        } catch (FsException e) {
            return List.of();
        }
    }

    private static void walk(FileSystem fs, long dir, int depth, List<Long> files, List<Long> dirs, int[] budget) {
        if (depth > 16 || budget[0]++ > 400) {
            return;
        }
        for (DirEntry e : safeReaddir(fs, dir)) {
            if (e.name().equals(".") || e.name().equals("..")) {
                continue;
            }
            try {
                long ino = fs.lookup(dir, e.name());
                FileType t = fs.getattr(ino).type();
                if (t == FileType.DIRECTORY) {
                    dirs.add(ino);
                    walk(fs, ino, depth + 1, files, dirs, budget);
                } else {
                    files.add(ino);
                }
            } catch (FsException ex) {
                // damaged entries are expected here
            }
        }
    }

    private static void quietly(Call call) throws Exception {
        try {
            call.run();
        } catch (FsException e) {
            assertFalse(e.getMessage() == null || e.getMessage().isEmpty(), "an error says what went wrong");
        }
    }
}
