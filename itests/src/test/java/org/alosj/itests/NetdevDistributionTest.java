package org.alosj.itests;

import org.alosj.testkit.RealPeers;
import org.alosj.itests.AlosProcess.Result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./alos} with {@code -netdev passt} and {@code -netdev udp}: the PCnet bound to its
 * driver and frames flowing both ways, seen in the {@code netbackends} and {@code netdevs}
 * counters, in a tshark-read capture and at the far end. passt runs only in network namespaces
 * this test creates.
 */
class NetdevDistributionTest {
    static Path dist;
    @TempDir
    Path tmp;

    @BeforeAll
    static void findDistribution() {
        dist = Path.of(System.getProperty("alosj.dist", "../distribution/target/alosj")).toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(dist.resolve("lib")), "no distribution at " + dist + ": run mvn verify");
    }

    Result alos(String... args) throws Exception {
        return alosWithPath(null, args);
    }

    /** Runs alos with {@code path} as its PATH (null: ours). */
    Result alosWithPath(String path, String... args) throws Exception {
        List<String> cmd = AlosProcess.launcher(dist, tmp.resolve("run"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (path != null) {
            pb.environment().put("PATH", path);
        }
        return AlosProcess.run(pb, 120, "alos " + String.join(" ", args));
    }

    static boolean onPath(String tool) {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static boolean root() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.substring(4).trim().split("\\s+")[1].equals("0");
            }
        }
        return false;
    }

    static String sh(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    /** A namespace passt copies 192.0.2.2/24 and gateway 192.0.2.1 from (PEERS.md's veth recipe). */
    static String createNamespace() throws Exception {
        String ns = "alosnd" + ThreadLocalRandom.current().nextInt(100_000);
        sh("ip", "netns", "add", ns);
        try {
            sh("ip", "-n", ns, "link", "set", "lo", "up");
            sh("ip", "-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
            sh("ip", "-n", ns, "addr", "add", "192.0.2.2/24", "dev", "v0");
            sh("ip", "-n", ns, "link", "set", "v0", "up");
            sh("ip", "-n", ns, "link", "set", "v1", "up");
            sh("ip", "-n", ns, "route", "add", "default", "via", "192.0.2.1");
        } catch (Exception e) {
            deleteNamespace(ns);
            throw e;
        }
        return ns;
    }

    static void deleteNamespace(String ns) throws Exception {
        new ProcessBuilder("ip", "netns", "delete", ns).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
    }

    static long counter(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "no '" + regex + "' in:\n" + text);
        return Long.parseLong(m.group(1));
    }

    /**
     * Frames the driver took off the NIC's receive ring: with no protocol stack bound to the
     * device it counts them as dropped, after the card has DMAed them in and interrupted.
     */
    static long received(String netdevs) {
        Matcher m = Pattern.compile("rx (\\d+) packets \\d+ bytes \\d+ errors (\\d+) dropped").matcher(netdevs);
        assertTrue(m.find(), netdevs);
        return Long.parseLong(m.group(1)) + Long.parseLong(m.group(2));
    }

    @Test
    void alosStartsPasstInANamespaceAndAForwardedConnectionReachesTheNic() throws Exception {
        RealPeers.require(root(), "network namespaces need root (CI runs as root)");
        RealPeers.require(onPath("passt") && onPath("ip"), "passt and iproute2 are needed (CI installs them)");
        String ns = createNamespace();
        Process knocker = null;
        try {
            // From inside the namespace, keep connecting to the forwarded port: passt turns each
            // connection into a SYN to the guest's port 80 once it knows the guest's MAC.
            knocker = new ProcessBuilder("ip", "netns", "exec", ns, "bash", "-c",
                    "for i in $(seq 100); do timeout 1 bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080' 2>/dev/null;"
                            + " sleep 0.2; done")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            Result r = alos("-netdev", "passt,id=n0,netns=" + ns + ",hostfwd=tcp::8080-:80",
                    "-device", "pcnet,netdev=n0", "-c",
                    "lspci -k -s 02.0; ethsend 00:02.0 ff:ff:ff:ff:ff:ff 0x88b5 hello passt; sleep 3; netbackends; netdevs");
            assertEquals(0, r.status(), r.err() + r.out());
            assertTrue(r.out().contains("Kernel driver in use: pcnet32"), r.out());
            assertTrue(r.out().contains("passt n0  nic pcnet0  peer connected"), r.out());
            assertTrue(counter(r.out(), "to wire (\\d+) frames") >= 1, r.out());
            assertTrue(counter(r.out(), "from wire (\\d+) frames") >= 1, r.out());
            assertTrue(received(r.out()) >= 1, "the NIC took passt's SYNs: " + r.out());
            for (String pid : sh("ip", "netns", "pids", ns).strip().split("\\s+")) {
                Path comm = Path.of("/proc", pid, "comm");
                if (!pid.isEmpty() && Files.exists(comm)) {
                    String name = Files.readString(comm).strip();
                    assertTrue(!name.startsWith("passt"), "the passt ALOS/J started is gone, but pid " + pid
                            + " is " + name);
                }
            }
        } finally {
            if (knocker != null) {
                knocker.destroyForcibly();
                knocker.waitFor(5, TimeUnit.SECONDS);
            }
            deleteNamespace(ns);
        }
    }

    @Test
    void withoutPasstTheDefaultLan0IsAHubThatSaysWhy() throws Exception {
        // The distribution's own conf (lan0 = passt), on a PATH where no passt is found.
        Result r = alosWithPath(tmp.toString(), "-c", "netbackends; netdevs");
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("passt lan0  no peer: passt not installed"), r.out());
        assertTrue(r.out().contains("link up"), "the NIC keeps its carrier: " + r.out());
        assertTrue(r.err().contains("passt not installed"), "one warning on the terminal: " + r.err());
    }

    @Test
    void aPasstSocketTappedByPcapCarriesTheNicsFramesAndTsharkReadsThem() throws Exception {
        RealPeers.require(root(), "network namespaces need root (CI runs as root)");
        RealPeers.require(onPath("passt") && onPath("ip") && onPath("tshark"), "passt, iproute2 and tshark are needed");
        String ns = createNamespace();
        Path socket = tmp.resolve("passt.sock");
        Path pcap = tmp.resolve("n0.pcap");
        Process passt = new ProcessBuilder("ip", "netns", "exec", ns, "passt", "-f", "--runas", "0", "-s",
                socket.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.exists(socket) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Result r = alos("-netdev", "passt,id=n0,socket=" + socket, "-netdev", "pcap,id=cap,file=" + pcap
                    + ",netdev=n0", "-device", "pcnet,netdev=cap", "-c",
                    "sleep 1; ethsend 00:02.0 ff:ff:ff:ff:ff:ff 0x88b5 hello passt; netbackends");
            assertEquals(0, r.status(), r.err() + r.out());
            assertTrue(r.out().contains("passt n0  nic pcnet0  peer connected"), r.out());
            assertTrue(r.out().contains("pcap cap  tap on n0"), r.out());
            assertTrue(counter(r.out(), "to wire (\\d+) frames") >= 1, r.out());
            String fields = sh("tshark", "-r", pcap.toString(), "-T", "fields", "-e", "eth.src", "-e", "eth.type");
            assertTrue(fields.contains("52:54:00:12:34:56\t0x88b5"), fields);
            assertTrue(passt.isAlive(), "a passt we started ourselves keeps running");
        } finally {
            passt.destroy();
            passt.waitFor(5, TimeUnit.SECONDS);
            deleteNamespace(ns);
        }
    }

    @Test
    void aUdpNetdevCarriesFramesBetweenTheNicAndAPeerSocket() throws Exception {
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int ours;
            try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                ours = probe.getLocalPort();
            }
            peer.setSoTimeout(60_000);
            byte[][] received = new byte[1][];
            Thread answer = new Thread(() -> {
                try {
                    // The network stack sends too (DHCP at boot): wait for the ethsend frame.
                    DatagramPacket d = new DatagramPacket(new byte[65536], 65536);
                    do {
                        peer.receive(d);
                    } while (d.getLength() < 14 || (d.getData()[12] & 0xff) != 0x88 || (d.getData()[13] & 0xff) != 0xb5);
                    received[0] = Arrays.copyOf(d.getData(), d.getLength());
                    for (int i = 0; i < 5; i++) {
                        ByteBuffer f = ByteBuffer.allocate(60);
                        f.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(new byte[] {0x52, 0x54, 0, 0, 0, 0x77})
                                .putShort((short) 0x88b5).put(("answer " + i).getBytes(StandardCharsets.UTF_8));
                        peer.send(new DatagramPacket(f.array(), 60, InetAddress.getLoopbackAddress(), ours));
                    }
                } catch (SocketTimeoutException e) {
                    // alos never sent: the assertions below say so
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            answer.start();
            Result r = alos("-netdev", "udp,id=u0,local=127.0.0.1:" + ours + ",remote=127.0.0.1:" + peer.getLocalPort(),
                    "-device", "pcnet,netdev=u0", "-c",
                    "ethsend 00:02.0 ff:ff:ff:ff:ff:ff 0x88b5 hello udp; sleep 2; netbackends; netdevs");
            answer.join(60_000);
            assertEquals(0, r.status(), r.err() + r.out());
            assertNotNull(received[0], "the peer got the NIC's frame");
            byte[] f = received[0];
            assertEquals(60, f.length, "one frame per datagram, padded by the NIC to 60 bytes");
            assertEquals("52:54:00:12:34:56", String.format("%02x:%02x:%02x:%02x:%02x:%02x",
                    f[6], f[7], f[8], f[9], f[10], f[11]));
            assertEquals("hello udp", new String(f, 14, 9, StandardCharsets.UTF_8));
            assertTrue(r.out().contains("udp u0  nic pcnet0  peer connected"), r.out());
            assertEquals(5, counter(r.out(), "from wire (\\d+) frames"), r.out());
            assertEquals(5, received(r.out()), r.out());
        }
    }

    @Test
    void twoAlosMachinesShareAUdpLan() throws Exception {
        int pa;
        int pb;
        try (DatagramSocket a = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             DatagramSocket b = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            pa = a.getLocalPort();
            pb = b.getLocalPort();
        }
        // B first; once it has booted (its boot line is on stderr), A sends it three frames, and
        // only then is B asked (on its console, a pipe) what it received: no guess at how long
        // A takes to boot on a loaded machine.
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dalos.run=" + tmp.resolve("run-b"), "-cp", dist.resolve("lib") + "/*",
                "org.alosj.launcher.Main", "--home", dist.toString(),
                "-netdev", "udp,id=u0,local=127.0.0.1:" + pb + ",remote=127.0.0.1:" + pa,
                "-device", "pcnet,netdev=u0,mac=52:54:00:00:00:0b"));
        Process machineB = new ProcessBuilder(cmd).start();
        try {
            java.io.BufferedReader berr = new java.io.BufferedReader(new java.io.InputStreamReader(
                    machineB.getErrorStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = berr.readLine()) != null && !line.startsWith("ALOS/J booted")) {
                // boot messages
            }
            assertNotNull(line, "machine B did not boot");
            Result a = alos("-netdev", "udp,id=u0,local=127.0.0.1:" + pa + ",remote=127.0.0.1:" + pb,
                    "-device", "pcnet,netdev=u0,mac=52:54:00:00:00:0a", "-c",
                    "ethsend 00:02.0 52:54:00:00:00:0b 0x88b5 one; ethsend 00:02.0 52:54:00:00:00:0b 0x88b5 two;"
                            + " ethsend 00:02.0 ff:ff:ff:ff:ff:ff 0x88b5 three; netbackends");
            assertEquals(0, a.status(), a.err() + a.out());
            assertTrue(counter(a.out(), "to wire (\\d+) frames") >= 3, a.out());   // and the stack's DHCP
            try (java.io.Writer console = new java.io.OutputStreamWriter(machineB.getOutputStream(), StandardCharsets.UTF_8)) {
                // A's frames crossed host loopback before A exited; a moment for B's receive path
                console.write("sleep 1\nnetbackends\nnetdevs\nexit\n");
            }
            String bout = new String(machineB.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(machineB.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, machineB.exitValue(), bout);
            assertTrue(counter(bout, "from wire (\\d+) frames") >= 3, bout);
            assertTrue(received(bout) >= 3, "B's NIC took A's three frames (two to its MAC, one broadcast): " + bout);
        } finally {
            machineB.destroyForcibly();
            machineB.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFaultFilterDroppingEverythingCountsWhatItDropped() throws Exception {
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int ours;
            try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                ours = probe.getLocalPort();
            }
            Result r = alos("-netdev", "udp,id=u0,local=127.0.0.1:" + ours + ",remote=127.0.0.1:" + peer.getLocalPort(),
                    "-netdev", "fault,id=f0,netdev=u0,drop=1,seed=1", "-device", "pcnet,netdev=f0", "-c",
                    "ethsend 00:02.0 ff:ff:ff:ff:ff:ff 0x88b5 one; ethsend 00:02.0 ff:ff:ff:ff:ff:ff 0x88b5 two;"
                            + " netbackends");
            assertEquals(0, r.status(), r.err() + r.out());
            Matcher m = Pattern.compile("(\\d+) frames in, (\\d+) dropped, 0 duplicated, 0 reordered, 0 out")
                    .matcher(r.out());
            assertTrue(m.find() && m.group(1).equals(m.group(2)) && Long.parseLong(m.group(1)) >= 2,
                    "every frame dropped, the two ethsends among them: " + r.out());
            assertEquals(0, counter(r.out(), "to wire (\\d+) frames"), r.out());
            Result bad = alos("-netdev", "udp,id=u0,local=:1,remote=127.0.0.1:2", "-netdev",
                    "fault,id=f0,netdev=u0,drop=1.5");
            assertEquals(2, bad.status());
            assertEquals("alos: -netdev fault: bad drop '1.5': expected a rate from 0 to 1\n", bad.err());
        }
    }
}
