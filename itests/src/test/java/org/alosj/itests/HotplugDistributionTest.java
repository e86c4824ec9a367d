package org.alosj.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor's device_add, device_del and system_powerdown on a running machine, as a QEMU user
 * types them on the console: ACPI PCI hot-plug brings a virtio NIC whose driver, not installed,
 * the kernel finds in the distribution's driver repository by its capabilities, installs and
 * binds, and which gets passt's DHCP lease (passt in a namespace this test creates), its removal leaves no DMA buffer and no
 * interrupt handler behind, a hot-added virtio disk is mounted and read, and the power button
 * shuts the machine down cleanly: the launcher exits 0 and the real e2fsck finds the disk clean.
 */
class HotplugDistributionTest {
    /** How long the machine gets to do one thing the test waits for (boot, a lease, a removal). */
    private static final long STEP_SECONDS = 90;

    @TempDir
    Path tmp;
    private Process machine;
    private NetworkProgramsTest network;

    @BeforeAll
    static void findDistribution() {
        DistributionTest.findDistribution();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (machine != null && machine.isAlive()) {
            machine.destroy();
            if (!machine.waitFor(10, TimeUnit.SECONDS)) {
                machine.destroyForcibly();
            }
        }
        if (network != null) {
            network.cleanUp();
        }
    }

    private static void require(boolean present, String what) {
        if (!present && "true".equals(System.getenv("CI"))) {
            fail(what + ", and CI=true requires it");
        }
        Assumptions.assumeTrue(present, what);
    }

    private static boolean isRoot() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().anyMatch(l -> l.startsWith("Uid:")
                && l.substring(4).trim().split("\\s+")[1].equals("0"));
    }

    /** Starts the machine with its console on a pipe, the way `printf … | ./alos` feeds it. */
    private void boot(String... args) throws IOException {
        List<String> cmd = AlosProcess.launcher(DistributionTest.dist, tmp.resolve("run"));
        // A deploy folder of this test's own: the distribution's deploy/ stays as it is.
        cmd.add(1, "-Dalos.deploy=" + Files.createDirectories(tmp.resolve("deploy")));
        cmd.addAll(List.of(args));
        machine = new ProcessBuilder(cmd).directory(Files.createDirectories(tmp.resolve("cwd")).toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(tmp.resolve("console.out").toFile())
                .redirectError(tmp.resolve("console.err").toFile()).start();
    }

    private void type(String line) throws IOException {
        OutputStream in = machine.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    private String console() throws IOException {
        return Files.readString(tmp.resolve("console.out")) + Files.readString(tmp.resolve("console.err"));
    }

    private String kernelLog() throws IOException {
        Path log = tmp.resolve("run/alosj.log");
        return Files.isRegularFile(log) ? Files.readString(log) : "";
    }

    /** Waits for {@code text} in {@code where} (console or log), at most a step; fails if the machine stops first. */
    private void await(String text, boolean inLog) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_SECONDS);
        while (!(inLog ? kernelLog() : console()).contains(text)) {
            if (!machine.isAlive()) {
                fail("the machine stopped (status " + machine.exitValue() + ") before '" + text + "':\n" + console()
                        + "\n--- log ---\n" + kernelLog());
            }
            if (System.nanoTime() > deadline) {
                fail("no '" + text + "' within " + STEP_SECONDS + " s:\n" + console() + "\n--- log ---\n" + kernelLog());
            }
            Thread.sleep(50);
        }
    }

    /** Types {@code commands} followed by an echo of a marker, and returns what they printed. */
    private String run(String commands, String marker) throws Exception {
        int from = Files.readString(tmp.resolve("console.out")).length();
        type(commands + "; echo " + marker);
        await(marker + "\n", false);
        String out = Files.readString(tmp.resolve("console.out"));
        return out.substring(from, out.indexOf(marker + "\n", from));
    }

    /** The DMA the drivers hold, as meminfo prints it. */
    private static long dmaKb(String meminfo) {
        Matcher m = Pattern.compile("DMA:\\s+(\\d+) kB").matcher(meminfo);
        assertTrue(m.find(), meminfo);
        return Long.parseLong(m.group(1));
    }

    /** The power button; then the launcher's status and the real e2fsck's verdict on {@code disk}. */
    private String powerDownAndCheck(Path disk) throws Exception {
        type("system_powerdown");
        assertTrue(machine.waitFor(STEP_SECONDS, TimeUnit.SECONDS), "the machine did not go down:\n" + console());
        assertEquals(0, machine.exitValue(), console());
        String log = kernelLog();
        assertTrue(log.contains("power button pressed: shutting down"), log);
        assertTrue(log.contains("entering S5 (soft-off)"), log);
        String fsck = DistributionTest.run("e2fsck", "-fn", disk.toString());
        assertFalse(fsck.contains("Fix? no"), fsck);
        assertTrue(fsck.contains("Pass 5"), fsck);
        return fsck;
    }

    @Test
    void device_add_of_a_virtio_nic_binds_it_and_leases_an_address_and_device_del_leaves_nothing_behind()
            throws Exception {
        require(isRoot(), "network namespaces need root (CI runs as root)");
        require(NetworkPeersTest.onPath("passt"), "passt is not installed (.ci/run installs it)");
        require(NetworkPeersTest.onPath("ip"), "iproute2 is not installed (.ci/run installs it)");
        network = new NetworkProgramsTest();
        network.tmp = tmp;
        network.createNamespace();
        boot("--keep-disk", "-nic", "none", "-netdev", "passt,id=n0,netns=" + network.ns);
        // The virtio driver starts out uninstalled: the kernel must find it in the repository.
        int virtioDriver = VirtioDistributionTest.bundleId("drivers-virtio.jar");
        String before = run("uninstall " + virtioDriver + "; lb; meminfo; interrupts", "BASELINE-DONE");
        assertFalse(before.contains("ALOS/J driver virtio-pci"), "no virtio driver installed:\n" + before);
        assertFalse(before.contains("virtio_net"), "no virtio device:\n" + before);

        type("device_add virtio-net-pci,netdev=n0,id=nic1");
        await("dhcp eth0: bound 192.0.2.2/24 router 192.0.2.1", true);
        String added = run("lspci -k; ifconfig eth0; meminfo; interrupts", "ADDED-DONE");
        assertTrue(added.contains("00:02.0 Ethernet controller: Red Hat, Inc. Virtio network device"), added);
        assertTrue(added.contains("Kernel driver in use: virtio-pci"), added);
        assertTrue(added.contains("Kernel modules: virtio-pci"), added);
        assertTrue(kernelLog().contains("pci 00:02.0: installing driver virtio-pci from the driver repository"),
                kernelLog());
        assertTrue(added.contains("inet 192.0.2.2/24"), added);
        assertTrue(dmaKb(added) > dmaKb(before), "the NIC's rings and buffers are DMA memory:\n" + added);
        assertTrue(added.contains("PCI-MSI-X 00:02.0/1-edge  virtio 00:02.0-1"), "its receive vector:\n" + added);

        String removed = run("device_del nic1; lspci; meminfo; interrupts; ifconfig", "REMOVED-DONE");
        assertFalse(removed.contains("eth0"), "the interface went with its device:\n" + removed);
        assertFalse(removed.contains("00:02.0"), "the slot is empty, its handler and buffers gone:\n" + removed);
        assertEquals(dmaKb(before), dmaKb(removed), "every DMA buffer went back:\n" + removed);
        assertFalse(removed.contains("virtio"), removed);
        String log = kernelLog();
        assertTrue(log.contains("ejecting slot(s) 02"), log);
        assertTrue(log.contains("eth0: the device in slot 00:02.0 was removed: interface gone"), log);
        assertTrue(log.contains("pci 00:02.0: unbound from virtio-pci (device removed)"), log);
        assertFalse(log.contains("left") && log.contains("behind; taken back"), "the driver let go of everything:\n" + log);

        powerDownAndCheck(tmp.resolve("run/disk.img"));
        log = kernelLog();
        assertTrue(log.indexOf("unmounted /dev/hda from /") < log.indexOf("entering S5 (soft-off)"),
                "the root disk was synced and unmounted before S5:\n" + log);
    }

    /**
     * A connection over a NIC that device_del removes fails at once instead of hanging: curl in
     * the test's namespace downloads slowly (rate-limited) from the guest's httpd through passt's
     * port forward, so the guest's side waits on a full window when the 82574L goes; the stack
     * fails the connection with the interface and the guest's sockets table is empty after.
     */
    @Test
    void a_tcp_connection_over_a_nic_removed_by_device_del_fails_instead_of_hanging() throws Exception {
        require(isRoot(), "network namespaces need root (CI runs as root)");
        require(NetworkPeersTest.onPath("passt"), "passt is not installed (.ci/run installs it)");
        require(NetworkPeersTest.onPath("ip"), "iproute2 is not installed (.ci/run installs it)");
        require(NetworkPeersTest.onPath("curl"), "curl is not installed (.ci/run installs it)");
        network = new NetworkProgramsTest();
        network.tmp = tmp;
        network.createNamespace();
        Path www = Files.createDirectories(tmp.resolve("www"));
        Files.write(www.resolve("big.bin"), new byte[32 << 20]);
        boot("--keep-disk", "-nic", "none", "-netdev", "passt,id=n0,netns=" + network.ns + ",hostfwd=tcp::8080-:80");
        type("device_add e1000e,netdev=n0,id=nic1");
        await("dhcp eth0: bound 192.0.2.2/24 router 192.0.2.1", true);
        run("httpd start 80 host:" + www, "HTTPD-UP");
        // curl stops by itself after 60 s at the latest; the test does not wait for it.
        network.inNamespace("curl.out", "curl", "-s", "-S", "-o", "/dev/null", "--limit-rate", "100k", "-m", "60",
                "http://127.0.0.1:8080/big.bin");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_SECONDS);
        String sockets;
        do {
            Thread.sleep(200);
            sockets = run("netstat", "NETSTAT-DONE");
        } while (!Pattern.compile("tcp  192\\.0\\.2\\.2:80 .* ESTABLISHED").matcher(sockets).find()
                && System.nanoTime() < deadline);
        assertTrue(sockets.contains("ESTABLISHED"), "the download's connection is open:\n" + sockets);

        run("device_del nic1", "DEL-DONE");
        await("was removed: interface gone", true);
        Matcher failed = Pattern.compile("eth0: the device in slot (\\S+) was removed: interface gone, (\\d+) TCP "
                + "connection\\(s\\) failed").matcher(kernelLog());
        assertTrue(failed.find(), kernelLog());
        assertTrue(Integer.parseInt(failed.group(2)) >= 1, "the download's connection failed with the NIC:\n" + kernelLog());
        String after = run("netstat; ifconfig", "AFTER-DONE");
        assertFalse(after.contains("ESTABLISHED"), "no connection is left waiting on the gone NIC:\n" + after);
        assertFalse(after.contains("eth0"), after);
        powerDownAndCheck(tmp.resolve("run/disk.img"));
    }

    @Test
    void a_hot_added_virtio_disk_is_mounted_and_read_and_the_power_button_shuts_down_cleanly() throws Exception {
        Path content = Files.createDirectories(tmp.resolve("content"));
        Files.writeString(content.resolve("hello.txt"), "hot-plugged hello\n");
        Path image = tmp.resolve("hot.img");
        DistributionTest.run("mkfs.ext2", "-q", "-d", content.toString(), image.toString(), "4M");
        boot("--keep-disk", "-nic", "none", "-netdev", "hub,id=n0",
                "-drive", "if=none,id=d1,file=" + image + ",format=raw");
        run("echo booted", "BOOTED");

        type("device_add virtio-blk-pci,drive=d1,id=disk1");
        await("vda: ", true);
        String read = run("mkdir -p /tmp/m; mount /dev/vda /tmp/m; cat /tmp/m/hello.txt; "
                + "write /tmp/m/new.txt written-while-hot; umount /tmp/m", "READ-DONE");
        assertTrue(read.contains("hot-plugged hello"), read);

        run("device_del disk1", "DEL-DONE");
        // The block layer keeps a disk whose driver went for a grace period (a driver swap keeps
        // it), but a disk whose device left the bus goes at once.
        await("vda: the device in slot 00:02.0 was removed: its I/O fails from now on", true);
        String gone = run("lsblk; lspci", "LSBLK-DONE");
        assertFalse(gone.contains("vda"), gone);
        assertFalse(gone.contains("00:02.0"), gone);
        powerDownAndCheck(image);
        String file = DistributionTest.run("debugfs", "-R", "cat /new.txt", image.toString());
        assertTrue(file.contains("written-while-hot"), "what was written on the hot-added disk is on it:\n" + file);
    }

    /**
     * device_del of a mounted disk while writes keep coming: the block layer sees the device left
     * the bus and fails its queue at once (the driver-swap grace is for a disk that stays), the
     * first write-back that reaches it fails and ext2 turns read-only (errors=remount-ro), and
     * what was synced before is on the image. Files written after the last sync were never on the
     * disk: e2fsck -fn finds the filesystem as the sync left it.
     */
    @Test
    void a_mounted_disk_removed_under_writes_turns_read_only_and_keeps_what_was_synced() throws Exception {
        Path image = tmp.resolve("pulled.img");
        DistributionTest.run("mkfs.ext2", "-q", image.toString(), "4M");
        boot("--keep-disk", "-nic", "none", "-netdev", "hub,id=n0",
                "-drive", "if=none,id=d1,file=" + image + ",format=raw");
        run("echo booted", "BOOTED");
        type("device_add virtio-blk-pci,drive=d1,id=disk1");
        await("vda: ", true);
        run("mkdir -p /tmp/m; mount /dev/vda /tmp/m; write /tmp/m/synced.txt kept-across-removal; sync", "SYNCED");

        // The removal is handled on a kernel worker while the console types on: writes and a
        // sync race it. Each command on its own line, as a failing command ends its line.
        type("device_del disk1");
        for (int i = 0; i < 20; i++) {
            type("write /tmp/m/late-" + i + ".txt written-while-removing-" + i);
        }
        type("sync");
        await("vda: the device in slot 00:02.0 was removed: its I/O fails from now on", true);
        type("sync");
        await("the filesystem is now read-only", true);
        type("write /tmp/m/after.txt refused");
        run("echo tried", "TRIED");
        assertTrue(console().contains("write: /tmp/m/after.txt: Read-only file system"),
                "the write is refused as a read-only filesystem's:\n" + console());
        assertFalse(kernelLog().contains("vda: no driver came back"), "no grace period for a removed device:\n"
                + kernelLog());

        String fsck = powerDownAndCheck(image);
        System.out.println("e2fsck -fn after a removal under writes:\n" + fsck);
        String file = DistributionTest.run("debugfs", "-R", "cat /synced.txt", image.toString());
        assertTrue(file.contains("kept-across-removal"), "what was synced before the removal is there:\n" + file);
        String listing = DistributionTest.run("debugfs", "-R", "ls -l /", image.toString());
        assertFalse(listing.contains("late-"), "nothing written after the sync reached the disk:\n" + listing);
    }

    @Test
    void a_driver_jar_moved_into_the_deploy_folder_is_installed_live_and_drives_the_next_device() throws Exception {
        boot("-nic", "none", "-netdev", "hub,id=n0");
        int virtioDriver = VirtioDistributionTest.bundleId("drivers-virtio.jar");
        String before = run("uninstall " + virtioDriver + "; lb", "UNINSTALLED");
        assertFalse(before.contains("ALOS/J driver virtio-pci"), before);

        Path staged = tmp.resolve("drivers-virtio.jar");
        Files.copy(DistributionTest.dist.resolve("bundles/drivers-virtio.jar"), staged);
        Files.move(staged, tmp.resolve("deploy/drivers-virtio.jar"));
        await("deploy: installed and started org.alosj.drivers.virtio", false);

        type("device_add virtio-net-pci,netdev=n0,id=nic1");
        await("pci 00:02.0: bound to virtio-pci", true);
        String bound = run("lspci -k -s 02.0; lb", "BOUND");
        assertTrue(bound.contains("Kernel driver in use: virtio-pci"), bound);
        assertTrue(bound.contains("ALOS/J driver virtio-pci"), bound);
        assertFalse(kernelLog().contains("from the driver repository"), "the deployed bundle drove it:\n" + kernelLog());

        Files.delete(tmp.resolve("deploy/drivers-virtio.jar"));
        await("deploy: uninstalled org.alosj.drivers.virtio", false);
        await("pci 00:02.0: unbound from virtio-pci", true);
        type("poweroff");
        assertTrue(machine.waitFor(STEP_SECONDS, TimeUnit.SECONDS), console());
        assertEquals(0, machine.exitValue(), console());
    }
}
