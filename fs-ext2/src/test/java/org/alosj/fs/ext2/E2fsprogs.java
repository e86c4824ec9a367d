package org.alosj.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real peer, e2fsprogs (mkfs.ext2, e2fsck, debugfs, dumpe2fs), run as a process with a time
 * bound. e2fsck's exit code alone is not enough (it exits 0 on some repairs it would make), so
 * {@link #assertClean} also rejects any "Fix" question in its output.
 */
final class E2fsprogs {
    private E2fsprogs() {
    }

    record Run(int exit, String out, byte[] stdout) {
    }

    static Run run(Path workDir, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("e2fsprogs", ".out");
        Path err = Files.createTempFile("e2fsprogs", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (workDir != null) {
                pb.directory(workDir.toFile());
            }
            Process p = pb.start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": still running after 300 s");
            }
            byte[] stdout = Files.readAllBytes(out);
            String text = new String(stdout, StandardCharsets.ISO_8859_1) + Files.readString(err, StandardCharsets.ISO_8859_1);
            return new Run(p.exitValue(), text, stdout);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The plain ext2 feature set of PEERS.md. */
    static final List<String> PLAIN = List.of("-t", "ext2", "-r", "1", "-I", "128", "-m", "0", "-O",
        "none,filetype,sparse_super,large_file");

    /** Runs the real mkfs.ext2 -d; {@code plain} selects the plain feature set, otherwise mke2fs's defaults. */
    static void mkfs(Path image, long sizeKiB, int blockSize, boolean plain, Path from) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("mkfs.ext2", "-q", "-F", "-b", Integer.toString(blockSize)));
        if (plain) {
            cmd.addAll(PLAIN);
        }
        if (from != null) {
            cmd.add("-d");
            cmd.add(from.toString());
        }
        cmd.add(image.toString());
        cmd.add(sizeKiB + "k");
        Run r = run(null, cmd.toArray(String[]::new));
        assertEquals(0, r.exit(), "mkfs.ext2 failed: " + r.out());
    }

    /**
     * e2fsck -fyD: rebuilds the directories as hash trees (dir_index), as mkfs.ext2 -d leaves
     * them linear; then checks that {@code dir} carries the index flag (EXT2_INDEX_FL, 0x1000).
     */
    static void indexDirectories(Path image, String dir) throws Exception {
        Run r = run(null, "e2fsck", "-fyD", image.toString());
        assertTrue(r.exit() == 0 || r.exit() == 1, "e2fsck -fyD: " + r.out());
        String stat = run(null, "debugfs", "-R", "stat " + dir, image.toString()).out();
        assertTrue(stat.contains("Flags: 0x1000"), dir + " is indexed:\n" + stat);
    }

    /** e2fsck -fn: exit 0 and no question asked. */
    static void assertClean(Path image) throws Exception {
        Run r = run(null, "e2fsck", "-fn", image.toString());
        assertEquals(0, r.exit(), "e2fsck -fn exit code, output:\n" + r.out());
        assertFalse(r.out().contains("Fix? no") || r.out().contains("Fix<y>?") || r.out().contains("? no"),
            "e2fsck -fn found problems:\n" + r.out());
    }

    /** debugfs -R 'cat PATH': the file's bytes, after checking debugfs found it (it exits 0 either way). */
    static byte[] cat(Path image, String path) throws Exception {
        Run stat = run(null, "debugfs", "-R", "stat \"" + path + "\"", image.toString());
        assertTrue(stat.out().contains("Inode:") && !stat.out().contains("File not found"),
            "debugfs does not find " + path + ":\n" + stat.out());
        return run(null, "debugfs", "-R", "cat \"" + path + "\"", image.toString()).stdout();
    }

    /** dumpe2fs -h as "field: value" pairs. */
    static Map<String, String> header(Path image) throws Exception {
        Run r = run(null, "dumpe2fs", "-h", image.toString());
        assertEquals(0, r.exit(), r.out());
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : r.out().split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }
}
