package org.alosj.itests;

import org.alosj.itests.AlosProcess.Result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * virtio end to end, as a user runs it: {@code -drive if=virtio} and {@code -device
 * virtio-blk-pci} disks mounted as /dev/vda and checked afterwards by the real e2fsck and
 * debugfs, virtio-net NICs on a hub talking TCP, and the real lspci decoding our configuration
 * space like QEMU's.
 */
class VirtioDistributionTest {
    /** QEMU 7.2's functions as reference/qemu-pci holds them: slot, dump, our -device for it. */
    static final String[][] QEMU = {
        {"04.0", "00-04.0_1af4_1000", "virtio-net-pci,netdev=n0,addr=4"},
        {"05.0", "00-05.0_1af4_1041", "virtio-net-pci,netdev=n0,addr=5,disable-legacy=on"},
        {"06.0", "00-06.0_1af4_1001", "virtio-blk-pci,drive=d0,addr=6"},
    };

    @TempDir
    Path tmp;
    final DistributionTest launcher = new DistributionTest();

    @BeforeAll
    static void findDistribution() {
        DistributionTest.findDistribution();
    }

    Result alos(String... args) throws Exception {
        launcher.tmp = tmp;
        return launcher.alos(args);
    }

    static String run(String... command) throws Exception {
        return DistributionTest.run(command);
    }

    /** Bundle ids follow conf/bundles.list (the system bundle is 0). */
    static int bundleId(String jar) throws Exception {
        List<String> jars = Files.readAllLines(DistributionTest.dist.resolve("conf/bundles.list")).stream()
                .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        int i = jars.indexOf(jar);
        assertTrue(i >= 0, jar + " is not in conf/bundles.list");
        return i + 1;
    }

    /**
     * Real lspci's -vvv decoding with what the firmware or the OS chose masked: addresses and the
     * IRQ. Both drivers enable MSI-X and so disable INTx (MSI-X: Enable+, DisINTx+), as Linux's
     * virtio-pci does. lspci's complaint about kernel modules goes.
     */
    static List<String> decode(Path dump, String slot) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : run("lspci", "-F", dump.toString(), "-vvv", "-s", slot).strip().split("\n")) {
            if (line.startsWith("lspci:")) {
                continue;
            }
            out.add(line.replaceAll("(at|ports at) [0-9a-f]+", "$1 X").replaceAll("IRQ \\d+", "IRQ N"));
        }
        return out;
    }

    @Test
    void real_lspci_decodes_our_virtio_functions_as_it_decodes_qemus() throws Exception {
        Path img = tmp.resolve("d.img");
        run("truncate", "-s", "8M", img.toString());
        List<String> args = new ArrayList<>(List.of("-nodefaults", "-netdev", "hub,id=n0", "-drive",
                "file=" + img + ",if=none,id=d0"));
        for (String[] q : QEMU) {
            args.add("-device");
            args.add(q[2]);
        }
        args.addAll(List.of("-c", "lspci -xxx"));
        Result r = alos(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        Path ours = tmp.resolve("ours.txt");
        Files.writeString(ours, r.out());
        Path reference = Path.of(getClass().getResource("/qemu-pci").toURI());
        for (String[] q : QEMU) {
            List<String> qemu = decode(reference.resolve(q[1] + ".drivers.txt"), q[0]);
            List<String> mine = decode(ours, q[0]);
            assertEquals(String.join("\n", qemu), String.join("\n", mine), q[0]);
            String nn = run("lspci", "-F", ours.toString(), "-nn", "-s", q[0]).strip();
            assertEquals(run("lspci", "-F", reference.resolve(q[1] + ".txt").toString(), "-nn").strip(), nn);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"if=virtio", "disable-legacy=on"})
    void a_virtio_disk_mounts_as_dev_vda_and_what_the_shell_writes_is_e2fsck_clean(String how) throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree/sub"));
        byte[] big = new byte[400_000];
        new Random(5).nextBytes(big);
        Files.write(tmp.resolve("tree/a.bin"), big);
        Files.writeString(tree.resolve("b.txt"), "hello from the host\n");
        Path img = tmp.resolve("disk.img");
        run("mkfs.ext2", "-q", "-F", "-d", tmp.resolve("tree").toString(), img.toString(), "16M");
        String[] disk = how.equals("if=virtio") ? new String[] {"-drive", "file=" + img + ",if=virtio"}
                : new String[] {"-drive", "file=" + img + ",if=none,id=d0", "-device",
                    "virtio-blk-pci,drive=d0,disable-legacy=on,serial=ALOSJ-VD"};
        List<String> args = new ArrayList<>(List.of(disk));
        args.addAll(List.of("-c", String.join("; ",
                "lsblk",
                "mount /dev/vda /mnt",
                "sha256sum /mnt/a.bin",
                "mkdir -p /mnt/d/e",
                "write /mnt/d/note first line",
                "write -a /mnt/d/note second line",
                "cp /mnt/a.bin /mnt/d/e/copy.bin",
                "mv /mnt/sub/b.txt /mnt/d/b.txt",
                "rm /mnt/a.bin",
                "truncate -s 5000 /mnt/d/e/copy.bin",
                "sync",
                "umount /mnt")));
        Result r = alos(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("vda "), r.out());
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(big));
        assertTrue(r.out().contains(sha + "  /mnt/a.bin"), r.out());
        StorageTest.assertClean(img);
        assertTrue(run("debugfs", "-R", "cat /d/note", img.toString()).contains("first line\nsecond line\n"));
        String ls = run("debugfs", "-R", "ls -l /d/e", img.toString());
        assertTrue(ls.contains(" 5000 ") && ls.contains("copy.bin"), ls);
        assertTrue(run("debugfs", "-R", "cat /d/b.txt", img.toString()).contains("hello from the host"));
    }

    @Test
    void the_mount_survives_a_driver_update_and_the_disk_stays_clean() throws Exception {
        Path img = tmp.resolve("disk.img");
        run("mkfs.ext2", "-q", "-F", img.toString(), "16M");
        int id = bundleId("drivers-virtio.jar");
        Result r = alos("-drive", "file=" + img + ",if=virtio", "-c",
                "mount /dev/vda /mnt; write /mnt/before first; update " + id
                        + "; write /mnt/after swapped; cat /mnt/after; lspci -k; umount /mnt");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("swapped"), r.out());
        assertTrue(r.out().contains("Kernel driver in use: virtio-pci"), r.out());
        StorageTest.assertClean(img);
        assertTrue(run("debugfs", "-R", "cat /before", img.toString()).contains("first"));
        assertTrue(run("debugfs", "-R", "cat /after", img.toString()).contains("swapped"));
    }

    @Test
    void two_virtio_nics_on_a_hub_ping_and_fetch_a_file_over_http_byte_identical() throws Exception {
        Path www = Files.createDirectories(tmp.resolve("www"));
        byte[] blob = new byte[2_000_000];
        new Random(13).nextBytes(blob);
        Files.write(www.resolve("blob.bin"), blob);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
        Result r = alos("-nodefaults", "-netdev", "hub,id=n0",
                "-device", "virtio-net-pci,netdev=n0,mac=52:54:00:00:00:01,addr=2,disable-legacy=on",
                "-device", "virtio-net-pci,netdev=n0,mac=52:54:00:00:00:02,addr=3",
                "-c", "ifconfig eth0 10.0.0.1/24; ifconfig eth1 10.0.0.2/24; ping -c 2 10.0.0.2; httpd start 80 host:"
                        + www + "; http get -sha256 http://10.0.0.2/blob.bin; lspci -k -s 02.0; ifconfig eth1; interrupts");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("2 packets transmitted, 2 received"), r.out());
        assertTrue(r.out().contains("2000000 bytes sha256 " + sha), r.out());
        assertTrue(r.out().contains("Virtio 1.0 network device") && r.out().contains("Kernel driver in use: virtio-pci"),
                r.out());
        assertTrue(r.out().contains("driver virtio-pci"), r.out());
        // Each NIC on MSI-X, as /proc/interrupts lists it: configuration, receive and transmit vectors.
        for (String slot : List.of("00:02.0", "00:03.0")) {
            for (int entry = 0; entry < 3; entry++) {
                assertTrue(Pattern.compile("(?m)^\\s*\\d+:\\s+\\d+\\s+PCI-MSI-X\\s+" + Pattern.quote(slot + "/" + entry)
                        + "-edge\\s+virtio " + Pattern.quote(slot + "-" + entry) + "$").matcher(r.out()).find(), r.out());
            }
            Matcher rx = Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\s+PCI-MSI-X\\s+" + Pattern.quote(slot)
                    + "/1-edge").matcher(r.out());
            assertTrue(rx.find() && Long.parseLong(rx.group(1)) > 0, "receive vector of " + slot + " fired: " + r.out());
        }
        assertFalse(r.out().contains("XT-PIC  virtio_net"), "no NIC on INTx: " + r.out());
    }

    @Test
    void a_tcp_transfer_survives_a_virtio_driver_update_in_the_middle_byte_identical() throws Exception {
        Path www = Files.createDirectories(tmp.resolve("www"));
        byte[] blob = new byte[60_000_000]; // more than a second on the wire: the update lands inside it
        new Random(14).nextBytes(blob);
        Files.write(www.resolve("big.bin"), blob);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
        Result r = alos("-nodefaults", "-netdev", "hub,id=n0",
                "-device", "virtio-net-pci,netdev=n0,mac=52:54:00:00:00:01,addr=2",
                "-device", "virtio-net-pci,netdev=n0,mac=52:54:00:00:00:02,addr=3,disable-legacy=on",
                "-c", "ifconfig eth0 10.0.0.1/24; ifconfig eth1 10.0.0.2/24; httpd start 80 host:" + www
                        + "; (sleep 0.3; update " + bundleId("drivers-virtio.jar") + ") &; http get -sha256 http://10.0.0.2/big.bin"
                        + "; netstat -s");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("60000000 bytes sha256 " + sha), r.out());
        String log = Files.readString(tmp.resolve("run/alosj.log"));
        assertTrue(log.contains("eth1: the driver went away; address, routes and "), log);
        Matcher tcp = Pattern.compile("(?m)^tcp: .*$").matcher(r.out());
        System.out.println("virtio-net swap gap under load (eth1 without a driver): "
                + E1000DistributionTest.swapGapMillis(log, "eth1") + " ms; " + (tcp.find() ? tcp.group() : "no TCP counters"));
    }

    @Test
    void ext2_writes_survive_a_virtio_driver_update_in_the_middle_and_the_disk_stays_clean() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        byte[] big = new byte[40_000_000]; // a copy that takes longer than the update's delay
        new Random(15).nextBytes(big);
        Files.write(tree.resolve("big.bin"), big);
        Path img = tmp.resolve("disk.img");
        run("mkfs.ext2", "-q", "-F", "-d", tree.toString(), img.toString(), "128M");
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(big));
        Result r = alos("-nodefaults", "-drive", "file=" + img + ",if=virtio", "-c",
                "mount /dev/vda /mnt; (sleep 0.2; update " + bundleId("drivers-virtio.jar")
                        + ") &; cp /mnt/big.bin /mnt/copy.bin; sync; sha256sum /mnt/copy.bin; umount /mnt");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains(sha + "  /mnt/copy.bin"), r.out());
        String log = Files.readString(tmp.resolve("run/alosj.log"));
        assertTrue(log.contains("vda: the driver went away") && log.contains("vda: driver virtio-pci took over the disk"), log);
        System.out.println("virtio-blk swap gap under writes (vda without a driver): "
                + logGapMillis(log, "vda: the driver went away", "vda: driver virtio-pci took over the disk") + " ms");
        StorageTest.assertClean(img);
        Path copy = tmp.resolve("copy.bin");
        run("debugfs", "-R", "dump /copy.bin " + copy, img.toString());
        assertEquals(sha, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(copy))));
    }

    /** Milliseconds from the first log line containing {@code from} to the next containing {@code to}. */
    static long logGapMillis(String log, String from, String to) {
        Matcher a = Pattern.compile("(?m)^(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3}) .*" + Pattern.quote(from)).matcher(log);
        assertTrue(a.find(), "no '" + from + "' in the log");
        Matcher b = Pattern.compile("(?m)^(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3}) .*" + Pattern.quote(to)).matcher(log);
        assertTrue(b.find(a.end()), "no '" + to + "' after '" + from + "' in the log");
        return stamp(b) - stamp(a);
    }

    private static long stamp(Matcher m) {
        return ((Long.parseLong(m.group(1)) * 60 + Long.parseLong(m.group(2))) * 60 + Long.parseLong(m.group(3))) * 1000
                + Long.parseLong(m.group(4));
    }
}
