package org.alosj.itests;

import org.alosj.itests.AlosProcess.Result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Storage end to end, as a user meets it: {@code ./alos -drive file=IMG -c '...'} on disks the
 * real e2fsprogs made, checked afterwards by the real e2fsck and debugfs; the default disk
 * mounted on / with the kernel log on it; garbage refused in one line.
 */
class StorageTest {
    static Path dist;
    @TempDir
    Path tmp;

    @BeforeAll
    static void findDistribution() {
        dist = Path.of(System.getProperty("alosj.dist", "../distribution/target/alosj")).toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(dist.resolve("lib")), "no distribution at " + dist + ": run mvn verify");
    }

    Result alos(String... args) throws Exception {
        List<String> cmd = AlosProcess.launcher(dist, tmp.resolve("run"));
        cmd.addAll(List.of(args));
        return AlosProcess.run(new ProcessBuilder(cmd), 120, "alos " + String.join(" ", args));
    }

    static String run(String... command) throws Exception {
        return PciBindingIT.run(command);
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** e2fsck -fn must find nothing: its status, and no "Fix" (it exits 0 on some damage, see PEERS.md). */
    static void assertClean(Path image) throws Exception {
        Process p = new ProcessBuilder("e2fsck", "-fn", image.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertFalse(out.contains("Fix"), out);
    }

    @Test
    void files_mkfs_ext2_d_put_on_a_disk_read_back_with_the_same_sha256() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree/sub"));
        byte[] big = new byte[300_000];
        new Random(7).nextBytes(big);
        Files.write(tmp.resolve("tree/a.bin"), big);
        Files.writeString(tree.resolve("b.txt"), "hello from the host\n");
        Files.createSymbolicLink(tmp.resolve("tree/link"), Path.of("sub/b.txt"));
        Path img = tmp.resolve("disk.img");
        run("mkfs.ext2", "-q", "-F", "-d", tmp.resolve("tree").toString(), img.toString(), "8M");
        Result r = alos("-drive", "file=" + img, "-c",
                "mount /dev/hda /mnt; sha256sum /mnt/a.bin /mnt/sub/b.txt; cat /mnt/link; ls /mnt; umount /mnt");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains(sha256(big) + "  /mnt/a.bin"), r.out());
        assertTrue(r.out().contains(sha256("hello from the host\n".getBytes()) + "  /mnt/sub/b.txt"), r.out());
        assertTrue(r.out().contains("hello from the host"), r.out());
        assertClean(img);
    }

    @Test
    void shell_writes_renames_truncations_and_deletions_leave_a_clean_filesystem() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        byte[] big = new byte[200_000];
        new Random(11).nextBytes(big);
        Files.write(tree.resolve("big.bin"), big);
        Path img = tmp.resolve("disk.img");
        run("mkfs.ext2", "-q", "-F", "-d", tree.toString(), img.toString(), "16M");
        String script = String.join("; ",
                "mount /dev/hda /mnt",
                "mkdir -p /mnt/d/e/f",
                "write /mnt/d/note first line",
                "write -a /mnt/d/note second line",
                "cp /mnt/big.bin /mnt/d/e/copy.bin",
                "mv /mnt/d/e/copy.bin /mnt/d/moved.bin",
                "cp /mnt/big.bin /mnt/cut.bin",
                "truncate -s 5000 /mnt/cut.bin",
                "truncate -s 70000 /mnt/grown.bin",
                "ln -s d/note /mnt/link",
                "ln /mnt/d/note /mnt/hard",
                "touch /mnt/empty",
                "write /mnt/gone x",
                "rm /mnt/gone",
                "rm -r /mnt/d/e",
                "mv /mnt/d /mnt/renamed",
                "ls -l /mnt /mnt/renamed",
                "sync",
                "umount /mnt");
        Result r = alos("-drive", "file=" + img, "-c", script);
        assertEquals(0, r.status(), r.out() + r.err());
        assertClean(img);
        assertEquals("first line\nsecond line\n", run("debugfs", "-R", "cat /renamed/note", img.toString())
                .replaceFirst("(?s)^debugfs [^\n]*\n", ""));
        Path dump = tmp.resolve("moved.bin");
        run("debugfs", "-R", "dump /renamed/moved.bin " + dump, img.toString());
        assertEquals(sha256(big), sha256(Files.readAllBytes(dump)));
        Path cut = tmp.resolve("cut.bin");
        run("debugfs", "-R", "dump /cut.bin " + cut, img.toString());
        assertEquals(sha256(java.util.Arrays.copyOf(big, 5000)), sha256(Files.readAllBytes(cut)));
        String stat = run("debugfs", "-R", "stat /grown.bin", img.toString());
        assertTrue(stat.contains("Size: 70000"), stat);
        String ls = run("debugfs", "-R", "ls /", img.toString());
        assertFalse(ls.contains("gone"), ls);
        assertTrue(run("debugfs", "-R", "stat /link", img.toString()).contains("Fast link dest: \"d/note\""));
    }

    @Test
    void a_partition_in_the_mbr_is_dev_hda1_and_mounts() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        Files.writeString(tree.resolve("x"), "in partition 1\n");
        Path img = tmp.resolve("part.img");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(8 << 20);
            ByteBuffer mbr = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
            mbr.position(446).put((byte) 0).put(new byte[3]).put((byte) 0x83).put(new byte[3]).putInt(2048).putInt(8192);
            mbr.put(510, (byte) 0x55).put(511, (byte) 0xAA);
            f.write(mbr.array());
        }
        run("mkfs.ext2", "-q", "-F", "-d", tree.toString(), "-E", "offset=1048576", img.toString(), "4096");
        Result r = alos("-drive", "file=" + img, "-c", "ls /dev; mount /dev/hda1 /mnt; cat /mnt/x; lsblk");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("hda1"), r.out());
        assertTrue(r.out().contains("in partition 1"), r.out());
    }

    @Test
    void garbage_is_one_clear_mount_error_and_a_nonzero_status() throws Exception {
        Path img = tmp.resolve("garbage.img");
        byte[] noise = new byte[2 << 20];
        new Random(3).nextBytes(noise);
        Files.write(img, noise);
        Result r = alos("-drive", "file=" + img, "-c", "mount /dev/hda /mnt");
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("mount: /mnt: wrong fs type, bad option, bad superblock on /dev/hda"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        Result missing = alos("-drive", "file=" + img, "-c", "cat /nope; rm -r /mnt/x");
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains("cat: /nope: No such file or directory"), missing.err());
    }

    @Test
    void the_default_disk_is_mounted_on_slash_and_holds_the_kernel_log() throws Exception {
        Result r = alos("-c", "mount; cat /config/network.conf; ls /www; write /www/run.txt written;"
                + " cd /www; echo redirected > r.txt; echo appended >> /www/r.txt");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("/dev/hda on / type ext2 (rw)"), r.out());
        assertTrue(r.out().contains("devfs on /dev type devfs"), r.out());
        assertTrue(r.out().contains("mode=dhcp"), r.out());
        assertTrue(r.out().contains("index.html"), r.out());
        Path disk = tmp.resolve("run/disk.img");
        assertClean(disk);
        String log = run("debugfs", "-R", "cat /system/logs/kernel.log", disk.toString());
        assertTrue(log.contains("VFS: /dev/hda mounted on / (ext2)"), log);
        assertTrue(run("debugfs", "-R", "cat /www/run.txt", disk.toString()).contains("written"));
        assertTrue(run("debugfs", "-R", "cat /www/r.txt", disk.toString()).contains("redirected\nappended\n"),
                "Gogo's > and >> write VFS files");
        assertFalse(Files.exists(Path.of("r.txt")), "not a host file");
        Result fresh = alos("-c", "cat /www/run.txt");
        assertEquals(1, fresh.status(), "each run starts from a fresh copy");
        Result kept = alos("--keep-disk", "-c", "write /www/kept.txt a; cat /www/kept.txt");
        assertEquals(0, kept.status(), kept.err());
        Result again = alos("--keep-disk", "-c", "cat /www/kept.txt");
        assertEquals(0, again.status(), again.err());
    }

    /** Bundle ids follow conf/bundles.list: 17 is drivers-ata (ata_piix), 19 fs-ext2. */
    static final int ATA_DRIVER = 17;
    static final int EXT2 = 19;

    @Test
    void a_driver_swap_keeps_the_mount_and_a_driver_gone_for_good_is_eio_not_a_crash() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        byte[] big = new byte[150_000];
        new Random(13).nextBytes(big);
        Files.write(tree.resolve("big.bin"), big);
        Path img = tmp.resolve("disk.img");
        run("mkfs.ext2", "-q", "-F", "-d", tree.toString(), img.toString(), "8M");
        Result swap = alos("-drive", "file=" + img, "-c", "mount /dev/hda /mnt; stop " + ATA_DRIVER + "; start "
                + ATA_DRIVER + "; write /mnt/after swapped; cat /mnt/after; sha256sum /mnt/big.bin; umount /mnt");
        assertEquals(0, swap.status(), swap.out() + swap.err());
        assertTrue(swap.out().contains("swapped"), swap.out());
        assertTrue(swap.out().contains(sha256(big) + "  /mnt/big.bin"), swap.out());
        assertClean(img);
        Result gone = alos("-drive", "file=" + img, "-c", "mount /dev/hda /mnt; stop " + ATA_DRIVER
                + "; sleep 3; ls /dev; sha256sum /mnt/big.bin");
        assertEquals(1, gone.status(), gone.out() + gone.err());
        assertFalse(gone.out().contains("hda"), "/dev follows the driver: " + gone.out());
        assertTrue(gone.err().contains("sha256sum: /mnt/big.bin: Input/output error"), gone.err());
        assertFalse(gone.err().contains("Exception"), gone.err());
    }

    @Test
    void the_ext2_bundle_leaving_unmounts_its_filesystems_after_syncing_them() throws Exception {
        Result r = alos("-c", "write /www/before-stop.txt synced; stop " + EXT2 + "; mount; ls /");
        assertEquals(0, r.status(), r.err());
        assertFalse(r.out().contains("/dev/hda on /"), r.out());
        assertTrue(r.out().contains("rootfs on / type ramfs"), r.out());
        Path disk = tmp.resolve("run/disk.img");
        assertClean(disk);
        assertTrue(run("debugfs", "-R", "cat /www/before-stop.txt", disk.toString()).contains("synced"));
    }

    @Test
    void mkfs_ext2_from_the_shell_makes_a_filesystem_e2fsck_passes() throws Exception {
        Path img = tmp.resolve("blank.img");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(8 << 20);
        }
        Result r = alos("-drive", "file=" + img, "-c",
                "mkfs.ext2 -L fresh /dev/hda; mount /dev/hda /mnt; write /mnt/a made here; mkfs.ext2 /dev/hda");
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("mkfs.ext2: /dev/hda is mounted on /mnt; will not make a filesystem here!"),
                r.err());
        assertClean(img);
        assertTrue(run("debugfs", "-R", "cat /a", img.toString()).contains("made here"));
        assertTrue(run("dumpe2fs", "-h", img.toString()).contains("Filesystem volume name:   fresh"));
    }
}
