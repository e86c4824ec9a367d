package org.alosj.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.alosj.fs.ext2.impl.Ext2FileSystemType;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FileSystem;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.fs.MountOptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Seeded random operations applied to our ext2 and to an in-memory model, compared as they go
 * (reads, error numbers) and at the end (every name and byte, through our ext2 and through
 * debugfs rdump), with remounts in between; e2fsck -fn must find the image clean.
 */
@Timeout(600)
class DifferentialTest {
    @TempDir
    Path work;

    private static final String[] NAMES = {"a", "b", "c", "d", "e", "f", "g", "h"};

    private Random random;
    private Model model;
    private FileSystem fs;

    @ParameterizedTest(name = "seed {0}, {1}-byte blocks, {2}, cache of {3} blocks")
    @CsvSource({"1, 1024, ours, 0", "2, 4096, ours, 0", "3, 1024, real-defaults, 0", "4, 2048, real-plain, 0",
        "5, 1024, ours, 64"})
    void randomOperationsMatchTheModel(long seed, int blockSize, String image, int cacheBlocks) throws Exception {
        MountOptions mount = cacheBlocks == 0 ? MountOptions.readWrite()
            : new MountOptions(false, java.util.Map.of("cache", Integer.toString(cacheBlocks))); // evictions all the time
        random = new Random(seed);
        model = new Model();
        Path img = work.resolve("diff.img");
        if (image.equals("ours")) {
            new Mkfs().formatImage(img, 48L << 20, Mkfs.Options.defaults().withBlockSize(blockSize));
        } else {
            E2fsprogs.mkfs(img, 48 * 1024, blockSize, image.equals("real-plain"), null);
        }
        try (ImageFileDevice device = ImageFileDevice.open(img, false)) {
            fs = new Ext2FileSystemType().mount(device, "diff", mount);
            for (int step = 0; step < 2500; step++) {
                step(step);
                if (step % 500 == 499) {
                    model.assertMatches(fs);
                    fs.unmount();
                    fs = new Ext2FileSystemType().mount(device, "diff", mount);
                }
            }
            model.assertMatches(fs);
            fs.unmount();
        }
        E2fsprogs.assertClean(img);
        Path dump = Files.createDirectories(work.resolve("dump"));
        E2fsprogs.run(null, "debugfs", "-R", "rdump / " + dump, img.toString());
        model.assertMatches(dump);
    }

    private String pick(FileType type) {
        List<String> out = new ArrayList<>();
        for (var e : model.paths.entrySet()) {
            if (type == null || e.getValue().type == type) {
                out.add(e.getKey());
            }
        }
        return out.isEmpty() ? null : out.get(random.nextInt(out.size()));
    }

    private String newPath() {
        String dir = pick(FileType.DIRECTORY);
        return Model.child(dir, NAMES[random.nextInt(NAMES.length)] + random.nextInt(4));
    }

    private long ino(String path) throws Exception {
        return Trees.resolve(fs, path);
    }

    private long dirIno(String path) throws Exception {
        return ino(Model.parent(path));
    }

    private void step(int step) throws Exception {
        int op = random.nextInt(100);
        if (op < 15) {
            String p = newPath();
            FileType t = random.nextInt(4) == 0 ? FileType.DIRECTORY : FileType.REGULAR;
            if (model.paths.containsKey(p)) {
                assertErrno(Errno.EEXIST, () -> fs.create(dirIno(p), Model.name(p), t, 0644, 0, 0));
            } else {
                fs.create(dirIno(p), Model.name(p), t, t == FileType.DIRECTORY ? 0755 : 0644, 0, 0);
                model.paths.put(p, new Model.Node(t));
            }
        } else if (op < 45) {
            String p = pick(FileType.REGULAR);
            if (p == null) {
                return;
            }
            long size = model.paths.get(p).data.length;
            long off = switch (random.nextInt(4)) {
                case 0 -> size;
                case 1 -> random.nextInt((int) size + 1);
                case 2 -> random.nextInt(400_000);
                default -> random.nextInt(3_000_000);
            };
            byte[] data = Trees.bytes(random, random.nextInt(random.nextBoolean() ? 300 : 40_000) + 1);
            assertEquals(data.length, fs.write(ino(p), off, ByteBuffer.wrap(data)));
            model.write(p, off, data);
        } else if (op < 55) {
            String p = pick(FileType.REGULAR);
            if (p == null) {
                return;
            }
            int size = model.paths.get(p).data.length;
            long off = random.nextInt(size + 1);
            int len = random.nextInt(50_000);
            ByteBuffer b = ByteBuffer.allocate(len);
            int n = fs.read(ino(p), off, b);
            int expected = (int) Math.max(0, Math.min(len, size - off));
            assertEquals(expected, n, "read of " + p);
            assertArrayEquals(Arrays.copyOfRange(model.paths.get(p).data, (int) off, (int) off + expected),
                Arrays.copyOf(b.array(), n), "bytes read from " + p + " at " + off);
        } else if (op < 62) {
            String p = pick(FileType.REGULAR);
            if (p == null) {
                return;
            }
            int size = model.paths.get(p).data.length;
            long to = random.nextBoolean() ? random.nextInt(size + 1) : random.nextInt(1_500_000);
            fs.truncate(ino(p), to);
            model.truncate(p, to);
        } else if (op < 70) {
            String p = pick(null);
            if (p == null || p.equals("/")) {
                return;
            }
            Model.Node n = model.paths.get(p);
            if (n.type == FileType.DIRECTORY) {
                if (!model.children(p).isEmpty()) {
                    assertErrno(Errno.ENOTEMPTY, () -> fs.rmdir(dirIno(p), Model.name(p)));
                } else {
                    assertErrno(Errno.EISDIR, () -> fs.unlink(dirIno(p), Model.name(p)));
                    fs.rmdir(dirIno(p), Model.name(p));
                    model.paths.remove(p);
                }
            } else {
                assertErrno(Errno.ENOTDIR, () -> fs.rmdir(dirIno(p), Model.name(p)));
                fs.unlink(dirIno(p), Model.name(p));
                model.paths.remove(p);
            }
        } else if (op < 82) {
            rename();
        } else if (op < 88) {
            String p = pick(FileType.REGULAR);
            String q = newPath();
            if (p == null || model.paths.containsKey(q)) {
                return;
            }
            fs.link(dirIno(q), Model.name(q), ino(p));
            model.paths.put(q, model.paths.get(p));
        } else if (op < 94) {
            String q = newPath();
            if (model.paths.containsKey(q)) {
                return;
            }
            String target = random.nextBoolean() ? "t" + random.nextInt(1000) : "/long/" + "p".repeat(random.nextInt(300));
            fs.symlink(dirIno(q), Model.name(q), target, 0, 0);
            Model.Node n = new Model.Node(FileType.SYMLINK);
            n.target = target;
            model.paths.put(q, n);
        } else if (op < 97) {
            // Unlinked while open: writes and reads still work, then release frees it.
            String p = pick(FileType.REGULAR);
            if (p == null) {
                return;
            }
            long ino = ino(p);
            long links = model.paths.values().stream().filter(n -> n == model.paths.get(p)).count();
            byte[] data = model.paths.get(p).data;
            fs.retain(ino);
            fs.unlink(dirIno(p), Model.name(p));
            model.paths.remove(p);
            fs.write(ino, data.length, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertEquals(links - 1, fs.getattr(ino).links());
            if (random.nextBoolean()) {
                fs.sync();
            }
            fs.release(ino);
            if (links == 1) {
                assertThrows(FsException.class, () -> fs.getattr(ino));
            } else {
                byte[] grown = Arrays.copyOf(data, data.length + 3);
                grown[data.length] = 1;
                grown[data.length + 1] = 2;
                grown[data.length + 2] = 3;
                for (var n : model.paths.values()) {
                    if (n.type == FileType.REGULAR && n.data == data) {
                        n.data = grown;
                    }
                }
            }
        } else {
            fs.sync();
        }
    }

    private void rename() throws Exception {
        String from = pick(null);
        if (from == null || from.equals("/")) {
            return;
        }
        String to = random.nextInt(3) == 0 ? pick(null) : newPath();
        if (to == null || to.equals("/")) {
            return;
        }
        Model.Node src = model.paths.get(from);
        Model.Node dst = model.paths.get(to);
        FsException e = null;
        Errno expected = null;
        if (src.type == FileType.DIRECTORY && (to.equals(from) || to.startsWith(from + "/"))) {
            expected = to.equals(from) ? null : Errno.EINVAL;
        } else if (dst != null && src != dst) {
            if (src.type == FileType.DIRECTORY && dst.type != FileType.DIRECTORY) {
                expected = Errno.ENOTDIR;
            } else if (src.type != FileType.DIRECTORY && dst.type == FileType.DIRECTORY) {
                expected = Errno.EISDIR;
            } else if (dst.type == FileType.DIRECTORY && !model.children(to).isEmpty()) {
                expected = Errno.ENOTEMPTY;
            }
        }
        try {
            fs.rename(dirIno(from), Model.name(from), dirIno(to), Model.name(to));
        } catch (FsException ex) {
            e = ex;
        }
        if (expected != null) {
            assertEquals(expected, e == null ? null : e.errno(), "rename " + from + " -> " + to);
            return;
        }
        if (e != null) {
            throw e;
        }
        if (src == dst || from.equals(to)) {
            return; // the same inode under both names: nothing happens
        }
        model.rename(from, to);
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void assertErrno(Errno expected, Call call) {
        FsException e = assertThrows(FsException.class, call::run);
        assertEquals(expected, e.errno(), e.getMessage());
    }
}
