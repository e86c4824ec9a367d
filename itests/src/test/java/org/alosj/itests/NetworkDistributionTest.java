package org.alosj.itests;

import org.alosj.itests.AlosProcess.Result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network stack end to end in the distribution: two PCnet NICs of one machine on the in-JVM
 * hub, eth0 and eth1 with addresses of their own, ping and an HTTP transfer between them over
 * the emulated wire, checked by SHA-256 and by tshark reading the capture.
 */
class NetworkDistributionTest {
    static Path dist;
    @TempDir
    Path tmp;

    static final String TWO_NICS = "-nodefaults -netdev hub,id=n0 -device pcnet,netdev=n0,mac=52:54:00:00:00:01,addr=2 "
            + "-device pcnet,netdev=n0,mac=52:54:00:00:00:02,addr=3";

    @BeforeAll
    static void findDistribution() {
        dist = Path.of(System.getProperty("alosj.dist", "../distribution/target/alosj")).toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(dist.resolve("lib")), "no distribution at " + dist + ": run mvn verify");
    }

    Result alos(String script) throws Exception {
        return alos(true, script);
    }

    /** Runs a script on two NICs on a hub (no disk), or on the default machine (its ext2 disk mounted on /). */
    Result alos(boolean twoNics, String script) throws Exception {
        List<String> cmd = AlosProcess.launcher(dist, tmp.resolve("run"));
        if (twoNics) {
            cmd.addAll(List.of(TWO_NICS.split(" ")));
        }
        cmd.add("-c");
        cmd.add(script);
        return AlosProcess.run(new ProcessBuilder(cmd), 120, "alos -c '" + script + "'");
    }

    @Test
    void eth0_pings_eth1_and_fetches_a_file_over_http_byte_identical_and_tshark_reads_the_capture_clean()
            throws Exception {
        Path www = Files.createDirectories(tmp.resolve("www"));
        byte[] blob = new byte[1_000_000];
        new Random(11).nextBytes(blob);
        Files.write(www.resolve("blob.bin"), blob);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
        Path pcap = tmp.resolve("eth0.pcap");
        Result r = alos("ifconfig eth0 10.0.0.1/24; ifconfig eth1 10.0.0.2/24; capture eth0 " + pcap
                + "; ping -c 2 10.0.0.2; httpd start 80 host:" + www + "; http get -sha256 http://10.0.0.2/blob.bin"
                + "; sleep 0.5; capture stop eth0; netstat");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("2 packets transmitted, 2 received"), r.out());
        assertTrue(r.out().contains("1000000 bytes sha256 " + sha), r.out());
        String summary = DistributionTest.run("tshark", "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                "-r", pcap.toString());
        assertTrue(summary.contains("Who has 10.0.0.2? Tell 10.0.0.1"), summary);
        assertTrue(summary.contains("Echo (ping) reply"), summary);
        assertTrue(summary.contains("[SYN] Seq=0") && summary.contains("[SYN, ACK] Seq=0 Ack=1"), summary);
        assertTrue(summary.contains("GET /blob.bin HTTP/1.1"), summary);
        String verbose = DistributionTest.run("tshark", "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                "-V", "-r", pcap.toString()).toLowerCase();
        assertFalse(verbose.contains("malformed"), "tshark found a malformed packet");
        assertFalse(verbose.contains("bad checksum") || verbose.contains("[checksum status: bad]"),
                "tshark found a bad checksum");
    }

    @Test
    void the_interface_keeps_its_address_and_arp_entries_across_a_driver_update() throws Exception {
        Result r = alos("ifconfig eth0 10.0.0.1/24; ifconfig eth1 10.0.0.2/24; ping -c 1 10.0.0.2; update "
                + bundleId("drivers-pcnet.jar") + "; ping -c 2 10.0.0.2; ifconfig eth0; arp");
        assertEquals(0, r.status(), r.out() + r.err());
        String after = r.out().substring(r.out().lastIndexOf("PING"));
        assertTrue(after.contains("2 packets transmitted, 2 received"), after);
        assertTrue(after.contains("inet 10.0.0.1/24"), after);
        assertTrue(after.contains("10.0.0.2         52:54:00:00:00:02  eth0"), after);
    }

    @Test
    void a_tcp_transfer_survives_a_driver_update_in_the_middle_byte_identical() throws Exception {
        Path www = Files.createDirectories(tmp.resolve("www"));
        byte[] blob = new byte[60_000_000]; // more than a second on the wire: the update lands inside it
        new Random(12).nextBytes(blob);
        Files.write(www.resolve("big.bin"), blob);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
        Result r = alos("ifconfig eth0 10.0.0.1/24; ifconfig eth1 10.0.0.2/24; httpd start 80 host:" + www
                + "; (sleep 0.3; update " + bundleId("drivers-pcnet.jar") + ") &; http get -sha256 http://10.0.0.2/big.bin");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("60000000 bytes sha256 " + sha), r.out());
        String log = Files.readString(tmp.resolve("run/alosj.log"));
        assertTrue(log.contains("eth1: the driver went away; address, routes and "), log);
    }

    @Test
    void httpd_serves_www_from_the_disk_and_http_get_writes_a_file_into_the_vfs() throws Exception {
        Result r = alos(false, "httpd start 80; http get http://127.0.0.1/ /tmp/index.html; cat /tmp/index.html; "
                + "http get http://localhost/no-such-page");
        assertEquals(1, r.status(), "the last command got a 404: " + r.out() + r.err());
        assertTrue(r.out().contains("serving /www (VFS)"), r.out());
        assertTrue(r.out().contains("HTTP/1.1 200 OK"), r.out());
        assertTrue(r.out().contains("<h1>ALOS/J</h1>"), "cat shows the page written into /tmp: " + r.out());
        assertTrue(r.out().contains("404 Not Found: no document /no-such-page"), r.out());
    }

    /** Bundle ids follow conf/bundles.list (the system bundle is 0). */
    static int bundleId(String jar) throws IOException {
        List<String> jars = Files.readAllLines(dist.resolve("conf/bundles.list")).stream().map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        int i = jars.indexOf(jar);
        assertTrue(i >= 0, jar + " is not in conf/bundles.list");
        return i + 1;
    }

    @Test
    void uninstalling_the_stack_takes_its_commands_away() throws Exception {
        Result before = alos("ifconfig eth1");
        assertEquals(0, before.status(), before.out() + before.err());
        assertTrue(before.out().contains("eth1: UP mtu 1500  slot 00:03.0  driver pcnet32"), before.out());
        Result after = alos("uninstall " + bundleId("net-stack.jar") + "; ifconfig");
        assertEquals(1, after.status(), after.out() + after.err());
        assertTrue(after.err().contains("command not found: ifconfig"), after.err());
    }
}
