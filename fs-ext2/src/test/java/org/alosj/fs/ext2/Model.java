package org.alosj.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.alosj.kernel.fs.DirEntry;
import org.alosj.kernel.fs.FileSystem;
import org.alosj.kernel.fs.FileType;

/**
 * What a filesystem should hold, kept in memory: paths to nodes, nodes shared by hard links.
 * Tests change it alongside the filesystem and compare the two, through our ext2 and through
 * debugfs's rdump.
 */
final class Model {
    static final class Node {
        final FileType type;
        byte[] data = new byte[0];
        String target;

        Node(FileType type) {
            this.type = type;
        }
    }

    final TreeMap<String, Node> paths = new TreeMap<>();

    Model() {
        paths.put("/", new Node(FileType.DIRECTORY));
    }

    static String parent(String path) {
        int i = path.lastIndexOf('/');
        return i == 0 ? "/" : path.substring(0, i);
    }

    static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    static String child(String dir, String name) {
        return dir.equals("/") ? "/" + name : dir + "/" + name;
    }

    List<String> children(String dir) {
        List<String> out = new ArrayList<>();
        String prefix = dir.equals("/") ? "/" : dir + "/";
        for (String p : paths.tailMap(prefix, false).keySet()) {
            if (!p.startsWith(prefix)) {
                break;
            }
            if (p.indexOf('/', prefix.length()) < 0) {
                out.add(p);
            }
        }
        return out;
    }

    void write(String path, long offset, byte[] bytes) {
        Node n = paths.get(path);
        long end = offset + bytes.length;
        if (end > n.data.length) {
            n.data = Arrays.copyOf(n.data, (int) end);
        }
        System.arraycopy(bytes, 0, n.data, (int) offset, bytes.length);
    }

    void truncate(String path, long size) {
        Node n = paths.get(path);
        n.data = Arrays.copyOf(n.data, (int) size);
    }

    /** Renames a path and everything under it. */
    void rename(String from, String to) {
        Node replaced = paths.get(to);
        if (replaced != null && replaced.type == FileType.DIRECTORY) {
            paths.remove(to);
        }
        TreeMap<String, Node> moved = new TreeMap<>();
        for (Map.Entry<String, Node> e : paths.entrySet()) {
            String p = e.getKey();
            if (p.equals(from) || p.startsWith(from + "/")) {
                moved.put(to + p.substring(from.length()), e.getValue());
            }
        }
        paths.keySet().removeIf(p -> p.equals(from) || p.startsWith(from + "/"));
        paths.putAll(moved);
    }

    /** Compares the filesystem with the model: every directory's names, every node's type and contents. */
    void assertMatches(FileSystem fs) throws Exception {
        assertMatches(fs, "/", fs.rootIno(), new java.util.IdentityHashMap<>());
    }

    private void assertMatches(FileSystem fs, String dir, long ino, Map<Node, Long> inodes) throws Exception {
        Set<String> expected = children(dir).stream().map(Model::name).collect(Collectors.toCollection(TreeSet::new));
        Set<String> actual = new TreeSet<>();
        for (DirEntry e : fs.readdir(ino)) {
            if (!e.name().equals(".") && !e.name().equals("..") && !(dir.equals("/") && e.name().equals("lost+found"))) {
                actual.add(e.name());
            }
        }
        assertEquals(expected, actual, "entries of " + dir);
        for (String path : children(dir)) {
            Node n = paths.get(path);
            long child = fs.lookup(ino, name(path));
            assertEquals(n.type, fs.getattr(child).type(), "type of " + path);
            Long same = inodes.putIfAbsent(n, child);
            if (same != null) {
                assertEquals(same.longValue(), child, "hard links of " + path);
            }
            switch (n.type) {
                case DIRECTORY -> {
                    assertEquals("..", fs.readdir(child).get(1).name());
                    assertEquals(ino, fs.lookup(child, ".."), "'..' of " + path);
                    long subdirs = children(path).stream().filter(p -> paths.get(p).type == FileType.DIRECTORY).count();
                    assertEquals(2 + subdirs, fs.getattr(child).links(), "links of directory " + path);
                    assertMatches(fs, path, child, inodes);
                }
                case REGULAR -> {
                    ByteBuffer b = ByteBuffer.allocate(n.data.length + 10);
                    int got = 0;
                    while (true) {
                        int r = fs.read(child, got, b);
                        if (r == 0) {
                            break;
                        }
                        got += r;
                    }
                    assertEquals(n.data.length, got, "size of " + path);
                    assertArrayEquals(n.data, Arrays.copyOf(b.array(), got), "contents of " + path);
                }
                case SYMLINK -> assertEquals(n.target, fs.readlink(child), "target of " + path);
                default -> { }
            }
        }
    }

    /** Compares a host tree (debugfs rdump's output) with the model. */
    void assertMatches(Path hostRoot) throws Exception {
        Set<String> host = new TreeSet<>();
        try (Stream<Path> s = Files.walk(hostRoot)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = "/" + hostRoot.relativize(p).toString();
                if (!p.equals(hostRoot) && !rel.equals("/lost+found") && !rel.startsWith("/lost+found/")) {
                    host.add(rel);
                }
            }
        }
        Set<String> expected = new TreeSet<>(paths.keySet());
        expected.remove("/");
        assertEquals(expected, host, "paths debugfs dumps");
        for (String path : expected) {
            Node n = paths.get(path);
            Path p = hostRoot.resolve(path.substring(1));
            switch (n.type) {
                case REGULAR -> assertArrayEquals(n.data, Files.readAllBytes(p), "contents debugfs dumps of " + path);
                case SYMLINK -> assertEquals(n.target, Files.readSymbolicLink(p).toString(), "symlink " + path);
                case DIRECTORY -> assertTrue(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS), path);
                default -> { }
            }
        }
    }
}
