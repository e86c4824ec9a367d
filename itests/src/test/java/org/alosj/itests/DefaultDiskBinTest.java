package org.alosj.itests;

import org.alosj.itests.AlosProcess.Result;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /bin of the default disk as the build makes it, read back with the real debugfs and e2fsck:
 * every userland program byte for byte with mode 0755, Debian's busybox with a symbolic link for
 * each applet, and the machine booted on that disk seeing them. Without musl-gcc or busybox on
 * the build host the disk has none of them and these tests say so and skip; with CI=true they fail.
 */
class DefaultDiskBinTest {
    private static final boolean CI = "true".equals(System.getenv("CI"));
    private static final Path HOST_BUSYBOX = Path.of("/bin/busybox");

    static Path dist;
    static Path image;
    static Path userland;
    /** debugfs's "ls -l /bin": name to octal mode. */
    static Map<String, String> modes;

    @TempDir
    Path tmp;

    @BeforeAll
    static void readBin() throws Exception {
        dist = Path.of(System.getProperty("alosj.dist", "../distribution/target/alosj")).toAbsolutePath().normalize();
        image = dist.resolve("images/disk.img");
        userland = Path.of("../userland/target/bin").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(image), "no default disk at " + image + ": run mvn verify");
        modes = new HashMap<>();
        // debugfs ls -l: inode, mode (octal, with the type), (file type), uid, gid, size, date, time, name
        for (String line : StorageTest.run("debugfs", "-R", "ls -l /bin", image.toString()).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 9 && f[0].matches("\\d+") && f[1].matches("[0-7]+")) {
                modes.put(f[f.length - 1], f[1]);
            }
        }
    }

    private static void require(boolean present, String what) {
        if (!present && CI) {
            fail(what + ", and CI=true requires it");
        }
        Assumptions.assumeTrue(present, what);
    }

    private static List<Path> programs() throws Exception {
        if (!Files.isDirectory(userland)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(userland)) {
            return s.sorted().toList();
        }
    }

    @Test
    void the_default_disk_is_clean() throws Exception {
        StorageTest.assertClean(image);
    }

    @Test
    void every_userland_program_is_in_bin_with_mode_0755_byte_for_byte() throws Exception {
        List<Path> programs = programs();
        require(!programs.isEmpty(), "no userland programs were built (musl-gcc missing: Debian package musl-tools)");
        for (Path program : programs) {
            String name = program.getFileName().toString();
            assertEquals("100755", modes.get(name), "/bin/" + name + "'s mode on the disk");
            Path dumped = tmp.resolve(name);
            StorageTest.run("debugfs", "-R", "dump /bin/" + name + " " + dumped, image.toString());
            assertArrayEquals(Files.readAllBytes(program), Files.readAllBytes(dumped), "/bin/" + name + " on the disk");
        }
    }

    @Test
    void busybox_is_in_bin_with_a_link_for_each_applet() throws Exception {
        require(Files.isExecutable(HOST_BUSYBOX), "the build host has no /bin/busybox (Debian package busybox-static)");
        assertEquals("100755", modes.get("busybox"), "/bin/busybox's mode on the disk");
        Path dumped = tmp.resolve("busybox");
        StorageTest.run("debugfs", "-R", "dump /bin/busybox " + dumped, image.toString());
        assertArrayEquals(Files.readAllBytes(HOST_BUSYBOX), Files.readAllBytes(dumped), "/bin/busybox on the disk");
        List<String> ours = programs().stream().map(p -> p.getFileName().toString()).toList();
        String[] applets = StorageTest.run(HOST_BUSYBOX.toString(), "--list").trim().split("\n");
        assertTrue(applets.length > 100, "busybox --list: " + applets.length + " applets");
        for (String applet : applets) {
            if (applet.equals("busybox") || ours.contains(applet)) {
                continue;
            }
            assertEquals("120777", modes.get(applet), "/bin/" + applet + " is a symbolic link");
        }
        String sh = StorageTest.run("debugfs", "-R", "stat /bin/sh", image.toString());
        assertTrue(sh.contains("Fast link dest: \"busybox\""), sh);
    }

    @Test
    void the_machine_booted_on_the_default_disk_lists_bin() throws Exception {
        List<Path> programs = programs();
        require(!programs.isEmpty(), "no userland programs were built (musl-gcc missing: Debian package musl-tools)");
        List<String> cmd = AlosProcess.launcher(dist, tmp.resolve("run"));
        cmd.addAll(List.of("-c", "ls /bin"));
        Result r = AlosProcess.run(new ProcessBuilder(cmd), 120, "alos -c 'ls /bin'");
        assertEquals(0, r.status(), r.err());
        List<String> listed = List.of(r.out().split("\\s+"));
        for (Path program : programs) {
            assertTrue(listed.contains(program.getFileName().toString()), program.getFileName() + " in: " + r.out());
        }
        if (Files.isExecutable(HOST_BUSYBOX)) {
            assertTrue(listed.contains("busybox") && listed.contains("sh"), r.out());
        }
    }
}
