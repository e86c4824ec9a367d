package org.alosj.itests;

import org.alosj.testkit.RealPeers;
import org.alosj.itests.AlosProcess.Result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole machine (a NIC model, its driver, the network stack) against real peers through the netdevs:
 * passt in a network namespace this test creates (192.0.2.2/24, gateway 192.0.2.1, which passt
 * maps to the namespace's 127.0.0.1) with Python's http.server and dnsmasq there; a host port
 * forward to the guest's httpd fetched by curl; and two machines on a lossy UDP LAN.
 */
class NetworkPeersTest {
    static Path dist;
    @TempDir
    Path tmp;
    final List<Process> started = new ArrayList<>();
    String ns;

    @BeforeAll
    static void findDistribution() {
        dist = Path.of(System.getProperty("alosj.dist", "../distribution/target/alosj")).toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(dist.resolve("lib")), "no distribution at " + dist + ": run mvn verify");
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (ns != null) {
            new ProcessBuilder("ip", "netns", "delete", ns).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
            Files.deleteIfExists(Path.of("/etc/netns", ns, "resolv.conf"));
            Files.deleteIfExists(Path.of("/etc/netns", ns));
        }
    }

    List<String> alosCommand(String run, String... args) {
        List<String> cmd = AlosProcess.launcher(dist, tmp.resolve(run));
        cmd.add("-nodefaults");
        cmd.addAll(List.of(args));
        return cmd;
    }

    Result alos(String run, String... args) throws Exception {
        return AlosProcess.run(new ProcessBuilder(alosCommand(run, args)), 300, "alos " + String.join(" ", args));
    }

    /** Starts a machine that keeps running; returns once it has booted (its boot line on stderr). */
    Process alosInBackground(String run, String... args) throws Exception {
        return startInBackground(run, alosCommand(run, args));
    }

    Process startInBackground(String run, List<String> command) throws Exception {
        Process p = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(tmp.resolve(run + ".out").toFile()).start();
        started.add(p);
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = err.readLine()) != null && !line.startsWith("ALOS/J booted")) {
            // boot messages
        }
        assertNotNull(line, "the machine did not boot: " + Files.readString(tmp.resolve(run + ".out")));
        Thread drain = new Thread(() -> {
            try {
                err.transferTo(java.io.Writer.nullWriter());
            } catch (IOException ignored) {
                // the process went away
            }
        });
        drain.setDaemon(true);
        drain.start();
        return p;
    }

    static boolean onPath(String tool) {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static void assumePeers(String... tools) throws IOException {
        RealPeers.require(Files.readAllLines(Path.of("/proc/self/status")).stream().anyMatch(l -> l.startsWith("Uid:")
                && l.substring(4).trim().split("\\s+")[1].equals("0")), "network namespaces need root (CI runs as root)");
        for (String tool : tools) {
            RealPeers.require(onPath(tool), tool + " is not installed (CI installs it)");
        }
    }

    static String sh(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    /** PEERS.md's recipe, plus a real gateway address and ping sockets for passt's ICMP. */
    void createNamespace() throws Exception {
        ns = "alosnd" + ThreadLocalRandom.current().nextInt(100_000);
        sh("ip", "netns", "add", ns);
        sh("ip", "-n", ns, "link", "set", "lo", "up");
        sh("ip", "-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
        sh("ip", "-n", ns, "addr", "add", "192.0.2.2/24", "dev", "v0");
        sh("ip", "-n", ns, "link", "set", "v0", "up");
        sh("ip", "-n", ns, "link", "set", "v1", "up");
        sh("ip", "-n", ns, "route", "add", "default", "via", "192.0.2.1", "dev", "v0");
        // passt sends ICMP echo to the real gateway through a ping socket: the namespace needs both.
        sh("ip", "-n", ns, "addr", "add", "192.0.2.1/32", "dev", "v1");
        sh("ip", "netns", "exec", ns, "sh", "-c", "echo 0 2147483647 > /proc/sys/net/ipv4/ping_group_range");
        Files.createDirectories(Path.of("/etc/netns", ns));
        Files.writeString(Path.of("/etc/netns", ns, "resolv.conf"), "nameserver 127.0.0.1\n");
    }

    Process inNamespace(String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("peer-" + started.size() + ".log").toFile()).start();
        started.add(p);
        return p;
    }

    static void awaitSocket(Path socket) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(socket)) {
            assertTrue(System.nanoTime() < deadline, "passt did not open " + socket);
            Thread.sleep(10);
        }
    }

    /** Waits until something in the namespace listens on 127.0.0.1:PORT (bash's /dev/tcp). */
    void awaitListening(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            Process p = new ProcessBuilder("ip", "netns", "exec", ns, "bash", "-c",
                    "exec 3<>/dev/tcp/127.0.0.1/" + port).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return;
            }
            p.destroyForcibly();
            assertTrue(System.nanoTime() < deadline, "nothing listens on port " + port + " in " + ns);
            Thread.sleep(50);
        }
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    static byte[] randomFile(Path file, int size, long seed) throws IOException {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        Files.write(file, data);
        return data;
    }

    /** The NIC models the network must-shows run on, each with its driver: its -device, the netdev left to the test. */
    static java.util.stream.Stream<String> nics() {
        return java.util.stream.Stream.of("pcnet", "e1000", "e1000e", "virtio-net-pci",
                "virtio-net-pci,disable-legacy=on");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nics")
    void throughPasstTheGuestGetsDhcpPingsTheGatewayFetchesOverHttpAndResolvesThroughDnsmasq(String nic)
            throws Exception {
        assumePeers("passt", "ip", "dnsmasq", "python3");
        createNamespace();
        Path www = Files.createDirectories(tmp.resolve("www"));
        byte[] file = randomFile(www.resolve("file.bin"), 2_000_000, 4);
        Path socket = tmp.resolve("passt.sock");
        inNamespace("dnsmasq", "--no-daemon", "--no-resolv", "--listen-address=127.0.0.1", "--bind-interfaces",
                "--address=/example.test/192.0.2.1");
        inNamespace("python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", www.toString(), "8000");
        inNamespace("passt", "-f", "--runas", "0", "-s", socket.toString(), "--dns-forward", "192.0.2.1");
        awaitSocket(socket);
        awaitListening(8000);
        Result r = alos("run", "-device", nic + ",netdev=n0", "-netdev", "passt,id=n0,socket=" + socket, "-c",
                "dhcp; ping -c 3 192.0.2.1; http get http://192.0.2.1:8000/file.bin /file.bin; sha256sum /file.bin;"
                        + " nslookup example.test");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("eth0: 192.0.2.2/24 router 192.0.2.1"), "the namespace's address by DHCP: " + r.out());
        assertTrue(r.out().contains("3 packets transmitted, 3 received"), r.out());
        assertTrue(r.out().contains("2000000 bytes written to /file.bin"), r.out());
        assertTrue(r.out().contains(sha256(file) + "  /file.bin"), "byte-identical over HTTP: " + r.out());
        assertTrue(r.out().matches("(?s).*Name:\\s+example\\.test\\s+Address:\\s+192\\.0\\.2\\.1.*"),
                "dnsmasq's answer through passt: " + r.out());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nics")
    void curlInTheNamespaceFetchesFromTheGuestsHttpdThroughAHostPortForward(String nic) throws Exception {
        assumePeers("passt", "ip", "curl");
        createNamespace();
        Path www = Files.createDirectories(tmp.resolve("www"));
        byte[] file = randomFile(www.resolve("page.bin"), 3_000_000, 5);
        // ALOS/J starts passt itself, in the namespace, with the forward.
        alosInBackground("guest", "-device", nic + ",netdev=n0", "-netdev",
                "passt,id=n0,netns=" + ns + ",hostfwd=tcp::8080-:80", "-c",
                "dhcp; httpd start 80 host:" + www + "; sleep 120");
        Path got = tmp.resolve("got.bin");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String status = "";
        while (System.nanoTime() < deadline) {
            Process curl = new ProcessBuilder("ip", "netns", "exec", ns, "curl", "-s", "-m", "30", "-o", got.toString(),
                    "-w", "%{http_code}", "http://127.0.0.1:8080/page.bin").redirectErrorStream(true).start();
            status = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            curl.waitFor(40, TimeUnit.SECONDS);
            if (status.equals("200")) {
                break;
            }
            Thread.sleep(200);   // the guest's httpd is not up yet
        }
        assertEquals("200", status);
        assertEquals(sha256(file), sha256(Files.readAllBytes(got)), "byte-identical through passt's forward");
    }

    /**
     * The must-show as a user sees it: the default machine (its ext2 disk mounted on /),
     * `httpd start` serving /www, passt forwarding the namespace's port 8080 to the guest's 80;
     * curl gets /www/index.html, then 10,000 requests on one kept-alive connection all get 200.
     */
    @Test
    void curlGetsWwwIndexFromTheDefaultDiskAndTenThousandKeepAliveRequestsAllSucceed() throws Exception {
        assumePeers("passt", "ip", "curl");
        createNamespace();
        List<String> cmd = AlosProcess.launcher(dist, tmp.resolve("guest"));
        cmd.addAll(List.of("-device", "pcnet,netdev=n0", "-netdev", "passt,id=n0,netns=" + ns
                + ",hostfwd=tcp::8080-:80", "-c", "dhcp; httpd start 80; sleep 300"));
        startInBackground("guest", cmd);
        byte[] index = Files.readAllBytes(Path.of("../distribution/disk_structure/www/index.html"));
        Path got = tmp.resolve("index.html");
        String status = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!status.equals("200") && System.nanoTime() < deadline) {
            Process curl = new ProcessBuilder("ip", "netns", "exec", ns, "curl", "-s", "-m", "30", "-o", got.toString(),
                    "-w", "%{http_code}", "http://127.0.0.1:8080/index.html").redirectErrorStream(true).start();
            status = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            curl.waitFor(40, TimeUnit.SECONDS);
            if (!status.equals("200")) {
                Thread.sleep(200); // the guest's httpd is not up yet
            }
        }
        assertEquals("200", status);
        assertEquals(new String(index, StandardCharsets.UTF_8), Files.readString(got), "/www/index.html of the disk");
        // curl's URL range makes 10,000 requests, in order, reusing one connection while the server keeps it.
        Process many = new ProcessBuilder("ip", "netns", "exec", ns, "curl", "-s", "-m", "240", "-w",
                "\\n@@ %{http_code} %{num_connects} %{size_download}\\n", "http://127.0.0.1:8080/index.html?n=[1-10000]")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long ok = 0;
        long connects = 0;
        List<String> bad = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(many.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("@@ ")) {
                    String[] f = line.split(" ");
                    connects += Long.parseLong(f[2]);
                    if (f[1].equals("200") && Long.parseLong(f[3]) == index.length) {
                        ok++;
                    } else if (bad.size() < 5) {
                        bad.add(line);
                    }
                }
            }
        }
        assertTrue(many.waitFor(250, TimeUnit.SECONDS), "curl did not finish");
        assertEquals(0, many.exitValue(), "curl's exit status");
        assertEquals(10_000, ok, "requests answered 200 with the whole page; not: " + bad);
        assertEquals(1, connects, "all 10,000 requests on one kept-alive connection");
    }

    /** Two free UDP ports on loopback for a LAN of two machines. */
    static int[] twoUdpPorts() throws IOException {
        try (DatagramSocket a = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             DatagramSocket b = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return new int[] {a.getLocalPort(), b.getLocalPort()};
        }
    }

    @Test
    void twoMachinesOnALossyUdpLanTransferByteIdentical() throws Exception {
        // 5 % of frames dropped and 2 % reordered in each direction on each machine: about 10 %
        // of the segments lost each way. The 100 MiB by default: with SACK, tail loss
        // probes and quick ACKs it takes about 30-50 s here (17-28 Mbit/s; NewReno alone managed
        // 1.2 Mbit/s, 11 min). -Dalosj.lossy.mib=N runs another size.
        int mib = Integer.getInteger("alosj.lossy.mib", 100);
        int[] ports = twoUdpPorts();
        int pa = ports[0];
        int pb = ports[1];
        Path www = Files.createDirectories(tmp.resolve("www"));
        Path big = www.resolve("big.bin");
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        Random random = new Random(6);
        try (var out = Files.newOutputStream(big)) {
            byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < mib; i++) {
                random.nextBytes(chunk);
                digest.update(chunk);
                out.write(chunk);
            }
        }
        String sha = HexFormat.of().formatHex(digest.digest());
        byte[] small = randomFile(www.resolve("small.bin"), 2_000_000, 7);
        Path pcap = tmp.resolve("client.pcap");
        alosInBackground("server", "-netdev", "udp,id=u0,local=127.0.0.1:" + pa + ",remote=127.0.0.1:" + pb,
                "-netdev", "fault,id=f0,netdev=u0,drop=0.05,reorder=0.02,seed=1",
                "-device", "pcnet,netdev=f0,mac=52:54:00:00:00:0a",
                "-c", "ifconfig eth0 10.0.0.1/24; httpd start 80 host:" + www + "; sleep 3600");
        Result r = alos("client", "-netdev", "udp,id=u0,local=127.0.0.1:" + pb + ",remote=127.0.0.1:" + pa,
                "-netdev", "fault,id=f0,netdev=u0,drop=0.05,reorder=0.02,seed=2",
                "-device", "pcnet,netdev=f0,mac=52:54:00:00:00:0b",
                "-c", "ifconfig eth0 10.0.0.2/24; capture eth0 " + pcap + "; http get -sha256 http://10.0.0.1/small.bin;"
                        + " capture stop eth0; http get -sha256 http://10.0.0.1/big.bin; netbackends");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("2000000 bytes sha256 " + sha256(small)), r.out());
        assertTrue(r.out().contains((mib << 20) + " bytes sha256 " + sha), r.out());
        if (onPath("tshark")) {
            // Wireshark's reading of the small transfer: both SYNs agree on SACK, the client's ACKs
            // carry SACK blocks for what arrived out of order, nothing malformed.
            String sacks = DistributionTest.run("tshark", "-r", pcap.toString(), "-Y",
                    "tcp.options.sack_le && tcp.srcport != 80", "-T", "fields", "-e", "tcp.options.sack_le");
            assertTrue(sacks.lines().anyMatch(l -> !l.isBlank()), "no SACK block in the client's ACKs");
            List<String> synSources = DistributionTest.run("tshark", "-r", pcap.toString(), "-Y",
                    "tcp.flags.syn == 1 && tcp.options.sack_perm", "-T", "fields", "-e", "tcp.srcport").lines()
                    .filter(l -> l.matches("\\d+")).toList();
            assertTrue(synSources.contains("80") && synSources.stream().anyMatch(p -> !p.equals("80")),
                    "SACK-permitted in the SYN and the SYN-ACK: " + synSources);
            String verbose = DistributionTest.run("tshark", "-o", "tcp.check_checksum:TRUE", "-V", "-r",
                    pcap.toString()).toLowerCase();
            assertTrue(!verbose.contains("malformed") && !verbose.contains("[checksum status: bad]"),
                    "tshark found a malformed segment or a bad checksum");
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "(\\d+) frames in, (\\d+) dropped, \\d+ duplicated, (\\d+) reordered").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Long.parseLong(m.group(2)) > 0 && Long.parseLong(m.group(3)) > 0,
                "the link really lost and reordered frames: " + r.out());
    }

    static long group(java.util.regex.Matcher m, int group) {
        return Long.parseLong(m.group(group));
    }

    /**
     * {@code ping -c 100} between two machines on the same lossy LAN: what ping reports lost is
     * exactly what the two fault filters dropped. Static ARP entries on both sides keep ARP off
     * the wire, so the only IPv4 frames are the echo requests and replies, and each lost ping is
     * one dropped IPv4 frame (a dropped request has no reply to drop). The server prints its
     * filter's counters every second; the test takes the first print after the client is done.
     */
    @Test
    void pingOverTheLossyLanReportsExactlyTheLossTheFaultFiltersCaused() throws Exception {
        int[] ports = twoUdpPorts();
        StringBuilder seconds = new StringBuilder();
        for (int i = 1; i <= 300; i++) {
            seconds.append(i).append(' ');
        }
        alosInBackground("pingserver", "-netdev", "udp,id=u0,local=127.0.0.1:" + ports[0] + ",remote=127.0.0.1:" + ports[1],
                "-netdev", "fault,id=f0,netdev=u0,drop=0.05,reorder=0.02,seed=3",
                "-device", "pcnet,netdev=f0,mac=52:54:00:00:00:0c",
                "-c", "ifconfig eth0 10.0.0.1/24; arp -s 10.0.0.2 52:54:00:00:00:0d; each [" + seconds
                        + "] { sleep 1; echo snapshot $it; netbackends; echo end $it }");
        Result r = alos("pingclient", "-netdev", "udp,id=u0,local=127.0.0.1:" + ports[1] + ",remote=127.0.0.1:" + ports[0],
                "-netdev", "fault,id=f0,netdev=u0,drop=0.05,reorder=0.02,seed=4",
                "-device", "pcnet,netdev=f0,mac=52:54:00:00:00:0d",
                "-c", "ifconfig eth0 10.0.0.2/24; arp -s 10.0.0.1 52:54:00:00:00:0c; ping -c 100 -i 0.2 -W 1 10.0.0.1;"
                        + " netbackends");
        assertEquals(0, r.status(), r.out() + r.err());
        java.util.regex.Matcher summary = java.util.regex.Pattern.compile(
                "(\\d+) packets transmitted, (\\d+) received, (\\d+)% packet loss").matcher(r.out());
        assertTrue(summary.find(), r.out());
        long transmitted = group(summary, 1);
        long received = group(summary, 2);
        assertEquals(100, transmitted);
        assertEquals(transmitted - received, group(summary, 3), "loss in percent of 100");
        java.util.regex.Pattern byType = java.util.regex.Pattern.compile("dropped by type: IPv4 (\\d+), ARP (\\d+)");
        java.util.regex.Matcher client = byType.matcher(r.out());
        assertTrue(client.find(), r.out());

        // The server's first complete print that began after the client had finished.
        Path serverOut = tmp.resolve("pingserver.out");
        java.util.regex.Pattern snapshot = java.util.regex.Pattern.compile("snapshot (\\d+)");
        java.util.regex.Matcher last = snapshot.matcher(Files.readString(serverOut));
        long seen = 0;
        while (last.find()) {
            seen = group(last, 1);
        }
        long wanted = seen + 1;
        String block = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (block == null) {
            String out = Files.readString(serverOut);
            int from = out.indexOf("snapshot " + wanted + "\n");
            int to = out.indexOf("end " + wanted + "\n");
            if (from >= 0 && to > from) {
                block = out.substring(from, to);
            } else {
                assertTrue(System.nanoTime() < deadline, "the server printed no counters after the client: " + out);
                Thread.sleep(100);
            }
        }
        java.util.regex.Matcher server = byType.matcher(block);
        assertTrue(server.find(), block);
        long droppedOnTheWay = group(client, 1) + group(server, 1);
        assertEquals(transmitted - received, droppedOnTheWay, "pings lost = IPv4 frames the filters dropped; client: "
                + r.out() + "\nserver: " + block);
        assertTrue(droppedOnTheWay > 0, "the LAN really lost pings");
    }
}
