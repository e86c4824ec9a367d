package org.alosj.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.alosj.kernel.fs.DirEntry;
import org.alosj.kernel.fs.FileAttributes;
import org.alosj.kernel.fs.FileSystem;
import org.alosj.kernel.fs.FileType;

/** Host trees for images, and the check that a filesystem holds exactly a host tree. */
final class Trees {
    private Trees() {
    }

    /** Past 12 + 256 + 65536 blocks of 1 KiB: the triple indirect range of a 1 KiB-block file. */
    static final long TRIPLE_INDIRECT_1K = (12L + 256 + 256 * 256) * 1024;

    /**
     * The test tree: a sparse file reaching the triple indirect blocks, sparse files, fast and
     * slow symlinks, hard links, a directory of 2,000 entries, a FIFO, nested directories.
     */
    static void build(Path root) throws IOException, InterruptedException {
        Random random = new Random(20261125);
        Files.createDirectories(root.resolve("docs/nested/deeper"));
        Files.writeString(root.resolve("docs/readme.txt"), "ALOS/J ext2 test tree\n");
        Files.write(root.resolve("docs/nested/deeper/random.bin"), bytes(random, 300_000));
        Files.createFile(root.resolve("empty"));
        try (RandomAccessFile big = new RandomAccessFile(root.resolve("big-sparse").toFile(), "rw")) {
            big.write(bytes(random, 4096));                      // direct blocks
            big.seek(20 * 1024);
            big.write(bytes(random, 5000));                      // single indirect (1 KiB blocks)
            big.seek(300 * 1024 + 17);
            big.write(bytes(random, 70_000));                    // double indirect
            big.seek(TRIPLE_INDIRECT_1K + 123_456);
            big.write(bytes(random, 200_000));                   // triple indirect
            big.seek(TRIPLE_INDIRECT_1K + 5 * 1024 * 1024);
            big.write(bytes(random, 3333));                      // its end, mid-block
        }
        try (RandomAccessFile sparse = new RandomAccessFile(root.resolve("sparse-tail").toFile(), "rw")) {
            sparse.seek(1024 * 1024 + 3);
            sparse.write(bytes(random, 10));
            sparse.setLength(3 * 1024 * 1024);                   // trailing hole
        }
        Files.createSymbolicLink(root.resolve("fast-link"), Path.of("docs/readme.txt"));
        Files.createSymbolicLink(root.resolve("slow-link"), Path.of("docs/nested/deeper/" + "x".repeat(150) + "/target"));
        Files.createSymbolicLink(root.resolve("dir-link"), Path.of("docs/nested"));
        Files.write(root.resolve("docs/linked"), bytes(random, 2500));
        Files.createLink(root.resolve("hard-1"), root.resolve("docs/linked"));
        Files.createLink(root.resolve("docs/nested/hard-2"), root.resolve("docs/linked"));
        Path many = Files.createDirectory(root.resolve("many"));
        for (int i = 0; i < 2000; i++) {
            Path f = many.resolve(String.format("entry-%04d-with-a-rather-longer-name", i));
            if (i % 100 == 0) {
                Files.writeString(f, "entry " + i + "\n");
            } else {
                Files.createFile(f);
            }
        }
        Process p = new ProcessBuilder("mkfifo", root.resolve("fifo").toString()).inheritIO().start();
        assertEquals(0, p.waitFor(), "mkfifo");
    }

    static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** Looks a slash-separated path up from the root. */
    static long resolve(FileSystem fs, String path) throws IOException {
        long ino = fs.rootIno();
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                ino = fs.lookup(ino, part);
            }
        }
        return ino;
    }

    static byte[] sha256(FileSystem fs, long ino) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        long off = 0;
        while (true) {
            buf.clear();
            int n = fs.read(ino, off, buf);
            if (n == 0) {
                break;
            }
            buf.flip();
            md.update(buf);
            off += n;
        }
        assertEquals(fs.getattr(ino).size(), off, "bytes read from inode " + ino);
        return md.digest();
    }

    static byte[] sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] b = new byte[1 << 20];
            int n;
            while ((n = in.read(b)) > 0) {
                md.update(b, 0, n);
            }
        }
        return md.digest();
    }

    /** Asserts that directory {@code ino} of fs holds exactly the host tree under {@code dir}. */
    static void assertSame(Path dir, FileSystem fs, long ino, boolean isRoot, Map<Object, Long> links) throws Exception {
        Set<String> host;
        try (Stream<Path> s = Files.list(dir)) {
            host = s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> ours = new TreeSet<>();
        var entries = fs.readdir(ino);
        assertEquals(".", entries.get(0).name());
        assertEquals("..", entries.get(1).name());
        for (DirEntry e : entries.subList(2, entries.size())) {
            ours.add(e.name());
        }
        if (isRoot) {
            ours.remove("lost+found");
            host.remove("lost+found");
        }
        assertEquals(host, ours, "entries of " + dir);
        for (String name : host) {
            Path p = dir.resolve(name);
            long child = fs.lookup(ino, name);
            FileAttributes a = fs.getattr(child);
            Map<String, Object> unix = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
            assertEquals((Integer) unix.get("mode") & 07777, a.permissions(), "permissions of " + p);
            if (Files.isSymbolicLink(p)) {
                assertEquals(FileType.SYMLINK, a.type(), p.toString());
                assertEquals(Files.readSymbolicLink(p).toString(), fs.readlink(child), "target of " + p);
            } else if (Files.isDirectory(p)) {
                assertEquals(FileType.DIRECTORY, a.type(), p.toString());
                assertSame(p, fs, child, false, links);
            } else if (Files.isRegularFile(p)) {
                assertEquals(FileType.REGULAR, a.type(), p.toString());
                assertEquals(Files.size(p), a.size(), "size of " + p);
                assertArrayEquals(sha256(p), sha256(fs, child), "sha256 of " + p);
                assertEquals(((Integer) unix.get("nlink")).intValue(), a.links(), "links of " + p);
                if ((Integer) unix.get("nlink") > 1) {
                    Long seen = links.putIfAbsent(unix.get("ino"), child);
                    if (seen != null) {
                        assertEquals(seen.longValue(), child, "hard link " + p + " names the same inode");
                    }
                }
                if (Files.size(p) >= 1 << 20) {
                    // Every file this large in the tree is mostly hole: the holes must stay holes.
                    assertTrue(a.blocks() * 512 < Files.size(p) / 4, "holes of " + p + " kept: " + a.blocks() + " sectors");
                }
            } else {
                assertEquals(FileType.FIFO, a.type(), p.toString());
            }
        }
    }

    static String text(FileSystem fs, long ino) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) fs.getattr(ino).size());
        fs.read(ino, 0, b);
        return new String(b.array(), StandardCharsets.UTF_8);
    }
}
