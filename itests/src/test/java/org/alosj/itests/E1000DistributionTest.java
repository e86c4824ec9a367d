package org.alosj.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.alosj.itests.AlosProcess.Result;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Intel's NICs end to end, as a user runs them: {@code -device e1000} (82540EM) and
 * {@code -device e1000e} (82574L) on one hub, bound by the e1000 and e1000e drivers of one
 * bundle, the real lspci decoding our configuration space as it decodes QEMU's, and the network
 * stack talking across the two NICs (ping, HTTP, a capture tshark reads clean).
 */
class E1000DistributionTest {
    static final String TWO_NICS = "-nodefaults -netdev hub,id=n0 -device e1000,netdev=n0,mac=52:54:00:00:00:01,addr=2 "
            + "-device e1000e,netdev=n0,mac=52:54:00:00:00:02,addr=3";
    static final Pattern ADDRESSES = Pattern.compile("(Memory at|I/O ports at|Expansion ROM at) [0-9a-f]+");

    @TempDir
    Path tmp;
    final DistributionTest launcher = new DistributionTest();

    @BeforeAll
    static void findDistribution() {
        DistributionTest.findDistribution();
    }

    @BeforeEach
    void share() {
        launcher.tmp = tmp;
    }

    Result twoNics(String script) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of(TWO_NICS.split(" ")));
        args.add("-c");
        args.add(script);
        return launcher.alos(args.toArray(String[]::new));
    }

    /** Real lspci's -vvv decoding of a dump, without the BAR addresses (whoever placed them) or its own complaints. */
    static String decode(Path dump, String slot) throws Exception {
        String out = DistributionTest.run("lspci", "-F", dump.toString(), "-vvv", "-s", slot);
        StringBuilder s = new StringBuilder();
        for (String line : out.strip().split("\n")) {
            if (!line.startsWith("lspci:")) {
                s.append(ADDRESSES.matcher(line).replaceAll("$1 X")).append('\n');
            }
        }
        return s.toString();
    }

    @Test
    void lspci_shows_both_parts_bound_by_their_drivers() throws Exception {
        Result r = twoNics("lspci -k -nn -s 02.0; lspci -k -nn -s 03.0");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("00:02.0 Ethernet controller [0200]: Intel Corporation 82540EM Gigabit Ethernet "
                + "Controller [8086:100e] (rev 03)"), r.out());
        assertTrue(r.out().contains("Kernel driver in use: e1000\n"), r.out());
        assertTrue(r.out().contains("00:03.0 Ethernet controller [0200]: Intel Corporation 82574L Gigabit Network "
                + "Connection [8086:10d3]"), r.out());
        assertTrue(r.out().contains("Kernel driver in use: e1000e\n"), r.out());
    }

    /**
     * Our 82574L decodes as QEMU's after Linux's e1000e bound it, capabilities included: both
     * drivers chose MSI-X (Enable+, Count=5, MSI left off) and set DisINTx. The 82540EM decodes as
     * QEMU's e1000: no capabilities, subsystem 1af4:1100.
     */
    @Test
    void real_lspci_decodes_our_dumps_as_it_decodes_qemus() throws Exception {
        Result r = twoNics("lspci -xxx -s 02.0; lspci -xxx -s 03.0");
        assertEquals(0, r.status(), r.err());
        Path ours = tmp.resolve("ours.txt");
        Files.writeString(ours, r.out());
        Path qemu = tmp.resolve("qemu.txt");
        try (InputStream in = getClass().getResourceAsStream("/qemu-pci/00-03.0_8086_10d3.drivers.txt")) {
            assertNotNull(in);
            Files.write(qemu, in.readAllBytes());
        }
        String decoded = decode(ours, "00:03.0");
        assertTrue(decoded.contains("\tCapabilities: [a0] MSI-X: Enable+ Count=5 Masked-\n"), decoded);
        assertTrue(decoded.contains("\tCapabilities: [d0] MSI: Enable- Count=1/1 Maskable- 64bit+\n"), decoded);
        assertEquals(decode(qemu, "00:03.0"), decoded);
        String e1000 = decode(ours, "00:02.0");
        assertEquals(String.join("\n",
                "00:02.0 Ethernet controller: Intel Corporation 82540EM Gigabit Ethernet Controller (rev 03)",
                "\tSubsystem: Red Hat, Inc. QEMU Virtual Machine",
                "\tControl: I/O+ Mem+ BusMaster+ SpecCycle- MemWINV- VGASnoop- ParErr- Stepping- SERR+ FastB2B- DisINTx-",
                "\tStatus: Cap- 66MHz- UDF- FastB2B- ParErr- DEVSEL=fast >TAbort- <TAbort- <MAbort- >SERR- <PERR- INTx-",
                "\tLatency: 0",
                "\tInterrupt: pin A routed to IRQ 10",
                "\tRegion 0: Memory at X (32-bit, non-prefetchable)",
                "\tRegion 1: I/O ports at X",
                "\tExpansion ROM at X [disabled]",
                ""), e1000);
    }

    @Test
    void eth0_on_the_82540em_pings_eth1_on_the_82574l_and_fetches_a_file_byte_identical() throws Exception {
        Path www = Files.createDirectories(tmp.resolve("www"));
        byte[] blob = new byte[2_000_000];
        new Random(17).nextBytes(blob);
        Files.write(www.resolve("blob.bin"), blob);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
        Path pcap = tmp.resolve("eth0.pcap");
        Result r = twoNics("ifconfig eth0 10.0.0.1/24; ifconfig eth1 10.0.0.2/24; capture eth0 " + pcap
                + "; ping -c 3 10.0.0.2; httpd start 80 host:" + www + "; http get -sha256 http://10.0.0.2/blob.bin"
                + "; sleep 0.5; capture stop eth0; ifconfig eth0; ifconfig eth1; interrupts");
        assertEquals(0, r.status(), r.out() + r.err());
        // The 82574L interrupts by MSI-X (entries for receive, transmit and other causes), the
        // 82540EM (no MSI capability) on its INTx line.
        for (int entry = 0; entry < 3; entry++) {
            assertTrue(Pattern.compile("(?m)^\\s*\\d+:\\s+\\d+\\s+PCI-MSI-X\\s+00:03\\.0/" + entry
                    + "-edge\\s+e1000e 00:03\\.0-" + entry + "$").matcher(r.out()).find(), r.out());
        }
        Matcher rx = Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\s+PCI-MSI-X\\s+00:03\\.0/0-edge").matcher(r.out());
        assertTrue(rx.find() && Long.parseLong(rx.group(1)) > 0, "the receive vector fired: " + r.out());
        assertTrue(r.out().matches("(?s).*\\n\\s*\\d+:\\s+[1-9]\\d*\\s+XT-PIC\\s+[^\\n]*e1000 00:02\\.0.*"), r.out());
        assertTrue(r.out().contains("3 packets transmitted, 3 received"), r.out());
        assertTrue(r.out().contains("2000000 bytes sha256 " + sha), r.out());
        assertTrue(r.out().contains("driver e1000\n") && r.out().contains("driver e1000e\n"), r.out());
        String summary = DistributionTest.run("tshark", "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                "-r", pcap.toString());
        assertTrue(summary.contains("Who has 10.0.0.2? Tell 10.0.0.1"), summary);
        assertTrue(summary.contains("Echo (ping) reply"), summary);
        assertTrue(summary.contains("GET /blob.bin HTTP/1.1"), summary);
        String verbose = DistributionTest.run("tshark", "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                "-V", "-r", pcap.toString()).toLowerCase();
        assertFalse(verbose.contains("malformed"), "tshark found a malformed packet");
        assertFalse(verbose.contains("[checksum status: bad]"), "tshark found a bad checksum");
    }

    @Test
    void the_driver_bundle_goes_and_comes_back_and_both_nics_rebind() throws Exception {
        Result lb = twoNics("lb");
        Matcher m = Pattern.compile("(?m)^\\s*(\\d+)\\|Active.*drivers e1000 and e1000e").matcher(lb.out());
        assertTrue(m.find(), "lb names the driver bundle: " + lb.out());
        String id = m.group(1);
        Result r = twoNics("lspci -k; stop " + id + "; echo @@@; lspci -k; start " + id + "; echo @@@; lspci -k; "
                + "ifconfig eth0 10.0.0.1/24; ifconfig eth1 10.0.0.2/24; ping -c 1 10.0.0.2");
        assertEquals(0, r.status(), r.out() + r.err());
        String[] parts = r.out().split("@@@");
        assertEquals(3, parts.length, r.out());
        assertTrue(parts[0].contains("Kernel driver in use: e1000e"), parts[0]);
        assertFalse(parts[1].contains("Kernel driver in use: e1000"), parts[1]);
        assertTrue(parts[2].contains("Kernel driver in use: e1000\n") && parts[2].contains("Kernel driver in use: e1000e"),
                parts[2]);
        assertTrue(parts[2].contains("1 packets transmitted, 1 received"), parts[2]);
    }

    /** Hot swap under load: the driver bundle is updated while a TCP transfer runs through both NICs. */
    @Test
    void a_tcp_transfer_survives_an_update_of_the_driver_bundle_byte_identical() throws Exception {
        Path www = Files.createDirectories(tmp.resolve("www"));
        byte[] blob = new byte[60_000_000]; // more than a second on the wire: the update lands inside it
        new Random(13).nextBytes(blob);
        Files.write(www.resolve("big.bin"), blob);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
        Result r = twoNics("ifconfig eth0 10.0.0.1/24; ifconfig eth1 10.0.0.2/24; httpd start 80 host:" + www
                + "; (sleep 0.3; update " + bundleId("drivers-e1000e.jar") + ") &; http get -sha256 http://10.0.0.2/big.bin");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("60000000 bytes sha256 " + sha), r.out());
        String log = Files.readString(tmp.resolve("run/alosj.log"));
        assertTrue(log.contains("eth1: the driver went away; address, routes and "), log);
        assertTrue(log.split("eth1: e1000e in slot 00:03.0", -1).length - 1 >= 2, "bound, then bound again: " + log);
        System.out.println("e1000e swap gap under load (eth1 without a driver): " + swapGapMillis(log, "eth1") + " ms");
    }

    /** Milliseconds from "IF: the driver went away" to the next "IF: … in slot" in the log (HH:mm:ss.SSS stamps). */
    static long swapGapMillis(String log, String iface) {
        Matcher away = Pattern.compile("(?m)^(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3}) .*" + iface
                + ": the driver went away").matcher(log);
        assertTrue(away.find(), "no unbind of " + iface + " in the log");
        Matcher back = Pattern.compile("(?m)^(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3}) .*" + iface
                + ": \\S+ in slot").matcher(log);
        assertTrue(back.find(away.end()), "no rebind of " + iface + " in the log");
        return millis(back) - millis(away);
    }

    private static long millis(Matcher m) {
        return ((Long.parseLong(m.group(1)) * 60 + Long.parseLong(m.group(2))) * 60 + Long.parseLong(m.group(3))) * 1000
                + Long.parseLong(m.group(4));
    }

    /** Bundle ids follow conf/bundles.list (the system bundle is 0). */
    static int bundleId(String jar) throws java.io.IOException {
        List<String> jars = Files.readAllLines(DistributionTest.dist.resolve("conf/bundles.list")).stream()
                .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        int i = jars.indexOf(jar);
        assertTrue(i >= 0, jar + " is not in conf/bundles.list");
        return i + 1;
    }

    @Test
    void a_bad_device_flag_gets_one_line_and_status_2() throws Exception {
        Result r = launcher.alos("-device", "e1000e,mac=01:00:5e:00:00:01");
        assertEquals(2, r.status());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("multicast"), r.err());
    }
}
