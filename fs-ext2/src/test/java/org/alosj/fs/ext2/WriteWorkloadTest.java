package org.alosj.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A scripted mix of writes, appends, overwrites, truncations (freeing indirect blocks), renames
 * (replacing files and empty directories, moving directories between parents), links, symlinks
 * and deletions through our ext2, on images from the real mkfs.ext2 (plain, defaults with
 * dir_index and 256-byte inodes, revision 0) and from our mkfs; then e2fsck -fn must find the
 * image clean and debugfs must read back what the model holds.
 */
@Timeout(300)
class WriteWorkloadTest {
    @TempDir
    Path work;

    private final Random random = new Random(42);

    @ParameterizedTest
    @ValueSource(strings = {"real-plain-1024", "real-defaults-4096", "real-defaults-1024", "real-rev0-1024",
        "ours-mkfs-1024", "ours-mkfs-2048", "ours-mkfs-4096"})
    void scriptedMixLeavesACleanImageDebugfsReads(String kind) throws Exception {
        Path image = work.resolve(kind + ".img");
        Model model = new Model();
        Path tree = Files.createDirectories(work.resolve("tree/many"));
        for (int i = 0; i < 2000; i++) {
            String name = String.format("old-entry-%04d", i);
            byte[] content = ("old " + i + "\n").getBytes(StandardCharsets.US_ASCII);
            Files.write(tree.resolve(name), content);
        }
        String[] k = kind.split("-");
        int bs = Integer.parseInt(k[2]);
        if (k[0].equals("real")) {
            if (k[1].equals("rev0")) {
                E2fsprogs.Run r = E2fsprogs.run(null, "mkfs.ext2", "-q", "-F", "-r", "0", "-b", "1024", "-m", "0",
                    "-d", tree.getParent().toString(), image.toString(), "131072k");
                assertEquals(0, r.exit(), r.out());
            } else {
                E2fsprogs.mkfs(image, 128 * 1024, bs, k[1].equals("plain"), tree.getParent());
                if (k[1].equals("defaults")) {
                    E2fsprogs.indexDirectories(image, "/many");
                }
            }
        } else {
            new Mkfs().formatImage(image, 128L << 20, Mkfs.Options.defaults().withBlockSize(bs)
                .withPopulateFrom(tree.getParent()));
        }
        E2fsprogs.assertClean(image);
        model.paths.put("/many", new Model.Node(FileType.DIRECTORY));
        for (int i = 0; i < 2000; i++) {
            Model.Node n = new Model.Node(FileType.REGULAR);
            n.data = ("old " + i + "\n").getBytes(StandardCharsets.US_ASCII);
            model.paths.put(String.format("/many/old-entry-%04d", i), n);
        }

        try (ImageFileDevice device = ImageFileDevice.open(image, false)) {
            FileSystem fs = new Ext2FileSystemType().mount(device, kind, MountOptions.readWrite());
            script(fs, model);
            model.assertMatches(fs);
            fs.unmount();
        }
        E2fsprogs.assertClean(image);
        Path dump = Files.createDirectories(work.resolve("dump"));
        E2fsprogs.Run r = E2fsprogs.run(null, "debugfs", "-R", "rdump / " + dump, image.toString());
        model.assertMatches(dump);
        assertArrayEquals(model.paths.get("/c/renamed-big").data, E2fsprogs.cat(image, "/c/renamed-big"), r.out());
        assertArrayEquals(model.paths.get("/a/hard").data, E2fsprogs.cat(image, "/a/hard"));
        assertArrayEquals(model.paths.get("/far").data, E2fsprogs.cat(image, "/far"));
        try (ImageFileDevice device = ImageFileDevice.open(image, true)) {
            FileSystem fs = new Ext2FileSystemType().mount(device, kind, MountOptions.readOnlyMount());
            model.assertMatches(fs);
            fs.unmount();
        }
    }

    private long mkdir(FileSystem fs, Model m, String path) throws Exception {
        long ino = fs.create(Trees.resolve(fs, Model.parent(path)), Model.name(path), FileType.DIRECTORY, 0755, 0, 0);
        m.paths.put(path, new Model.Node(FileType.DIRECTORY));
        return ino;
    }

    private long create(FileSystem fs, Model m, String path) throws Exception {
        long ino = fs.create(Trees.resolve(fs, Model.parent(path)), Model.name(path), FileType.REGULAR, 0644, 1000, 1000);
        m.paths.put(path, new Model.Node(FileType.REGULAR));
        return ino;
    }

    private void write(FileSystem fs, Model m, String path, long offset, byte[] data) throws Exception {
        assertEquals(data.length, fs.write(Trees.resolve(fs, path), offset, ByteBuffer.wrap(data)));
        m.write(path, offset, data);
    }

    private void rename(FileSystem fs, Model m, String from, String to) throws Exception {
        fs.rename(Trees.resolve(fs, Model.parent(from)), Model.name(from), Trees.resolve(fs, Model.parent(to)), Model.name(to));
        m.rename(from, to);
    }

    private void unlink(FileSystem fs, Model m, String path) throws Exception {
        fs.unlink(Trees.resolve(fs, Model.parent(path)), Model.name(path));
        m.paths.remove(path);
    }

    private void script(FileSystem fs, Model m) throws Exception {
        int bs = fs.statfs().blockSize();
        mkdir(fs, m, "/a");
        mkdir(fs, m, "/a/b");
        mkdir(fs, m, "/c");
        mkdir(fs, m, "/a/b/deep");

        create(fs, m, "/a/small");
        write(fs, m, "/a/small", 0, Trees.bytes(random, 100));
        write(fs, m, "/a/small", 100, Trees.bytes(random, 5000));       // append
        write(fs, m, "/a/small", 1000, Trees.bytes(random, 3000));      // overwrite inside
        create(fs, m, "/a/b/deep/file");

        create(fs, m, "/big");
        for (int off = 0; off < 300_000; off += 7000) {
            write(fs, m, "/big", off, Trees.bytes(random, 7000));
        }
        long big = Trees.resolve(fs, "/big");
        long before = fs.statfs().freeBlocks();
        // A write far out: triple indirect with 1 KiB blocks, double with 4 KiB; the gap is a hole.
        long far = Trees.TRIPLE_INDIRECT_1K + 4321;
        fs.write(big, far, ByteBuffer.wrap(Trees.bytes(random, 10)));
        assertTrue(before - fs.statfs().freeBlocks() <= 5, "a far write allocates a data block and its indirect blocks only");
        fs.truncate(big, 100_000);                                      // frees the far block and its indirect blocks
        m.truncate("/big", 100_000);
        long afterShrink = fs.statfs().freeBlocks();
        assertTrue(afterShrink > before, "truncation freed the blocks past 100000");
        fs.truncate(big, 150_000);                                      // extends with a hole
        m.truncate("/big", 150_000);
        assertEquals(afterShrink, fs.statfs().freeBlocks(), "extending by truncate allocates nothing");
        write(fs, m, "/big", 120_001, Trees.bytes(random, 3));          // inside the hole

        create(fs, m, "/far");                                          // kept: triple indirect with 1 KiB blocks
        write(fs, m, "/far", 0, Trees.bytes(random, 5000));
        write(fs, m, "/far", Trees.TRIPLE_INDIRECT_1K + 777, Trees.bytes(random, 9000));

        create(fs, m, "/sparse");
        write(fs, m, "/sparse", 5L << 20, "end".getBytes(StandardCharsets.US_ASCII));
        assertTrue(fs.getattr(Trees.resolve(fs, "/sparse")).blocks() * 512 <= 4L * bs, "a sparse file holds few blocks");

        // A directory over many blocks, then holes punched in it.
        for (int i = 0; i < 600; i++) {
            String p = String.format("/c/many-%04d", i);
            create(fs, m, p);
            if (i % 50 == 0) {
                write(fs, m, p, 0, ("file " + i).getBytes(StandardCharsets.US_ASCII));
            }
        }
        for (int i = 0; i < 600; i += 3) {
            unlink(fs, m, String.format("/c/many-%04d", i));
        }
        // The directory the real mkfs indexed (dir_index): entries go and come.
        for (int i = 0; i < 2000; i += 7) {
            unlink(fs, m, String.format("/many/old-entry-%04d", i));
        }
        for (int i = 0; i < 300; i++) {
            create(fs, m, String.format("/many/new-entry-%04d", i));
        }
        rename(fs, m, "/many/old-entry-0001", "/many/old-entry-0002");

        rename(fs, m, "/a/small", "/c/renamed");                        // across directories
        rename(fs, m, "/c/many-0001", "/c/many-0002");                  // replaces a file
        rename(fs, m, "/big", "/c/renamed-big");
        rename(fs, m, "/a/b", "/c/b");                                  // a directory moves: '..' and link counts
        mkdir(fs, m, "/x");
        mkdir(fs, m, "/y");
        rename(fs, m, "/x", "/y");                                      // over an empty directory
        mkdir(fs, m, "/c/b/deep/z");
        mkdir(fs, m, "/nonempty");
        create(fs, m, "/nonempty/f");
        FsException e = assertThrows(FsException.class, () -> fs.rename(fs.rootIno(), "y", fs.rootIno(), "nonempty"));
        assertEquals(Errno.ENOTEMPTY, e.errno());
        e = assertThrows(FsException.class, () -> fs.rename(fs.rootIno(), "c", Trees.resolve(fs, "/c/b/deep"), "c"));
        assertEquals(Errno.EINVAL, e.errno());
        e = assertThrows(FsException.class, () -> fs.rmdir(fs.rootIno(), "c"));
        assertEquals(Errno.ENOTEMPTY, e.errno());

        long renamed = Trees.resolve(fs, "/c/renamed");
        fs.link(Trees.resolve(fs, "/a"), "hard", renamed);
        m.paths.put("/a/hard", m.paths.get("/c/renamed"));
        assertEquals(2, fs.getattr(renamed).links());
        unlink(fs, m, "/c/renamed");
        assertEquals(1, fs.getattr(renamed).links());

        long fast = fs.symlink(fs.rootIno(), "fast", "c/renamed-big", 0, 0);
        Model.Node fastNode = new Model.Node(FileType.SYMLINK);
        fastNode.target = "c/renamed-big";
        m.paths.put("/fast", fastNode);
        assertEquals(0, fs.getattr(fast).blocks(), "a fast symlink has no block");
        String longTarget = "/some/where/" + "long-".repeat(30);
        long slow = fs.symlink(Trees.resolve(fs, "/c"), "slow", longTarget, 0, 0);
        Model.Node slowNode = new Model.Node(FileType.SYMLINK);
        slowNode.target = longTarget;
        m.paths.put("/c/slow", slowNode);
        assertEquals(bs / 512, fs.getattr(slow).blocks(), "a slow symlink has one block");
        fs.symlink(fs.rootIno(), "gone", longTarget + "gone", 0, 0);
        fs.unlink(fs.rootIno(), "gone");

        unlink(fs, m, "/c/b/deep/file");
        fs.rmdir(Trees.resolve(fs, "/c/b/deep"), "z");
        m.paths.remove("/c/b/deep/z");
        fs.rmdir(Trees.resolve(fs, "/c/b"), "deep");
        m.paths.remove("/c/b/deep");

        // Unlinked while open: the inode lives until released, then its blocks come back.
        long freeBefore = fs.statfs().freeBlocks();
        long orphan = create(fs, m, "/orphan");
        write(fs, m, "/orphan", 0, Trees.bytes(random, 50_000));
        fs.retain(orphan);
        unlink(fs, m, "/orphan");
        fs.write(orphan, 50_000, ByteBuffer.wrap(Trees.bytes(random, 1000)));
        assertEquals(51_000, fs.getattr(orphan).size());
        assertEquals(0, fs.getattr(orphan).links());
        fs.sync();
        fs.release(orphan);
        assertEquals(freeBefore, fs.statfs().freeBlocks(), "the released orphan's blocks are free again");
        assertThrows(FsException.class, () -> fs.getattr(orphan));
        fs.sync();
    }
}
