package org.alosj.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Linux programs of the default disk's /bin talking TCP through net-stack to real peers: passt
 * in a network namespace this test creates (the guest gets 192.0.2.2/24 from passt's DHCP,
 * gateway 192.0.2.1, which passt maps to the namespace's 127.0.0.1). The userland tcpserver,
 * started in the background by busybox sh, answers curl through passt's host port forward; busybox
 * wget fetches a file from Python's http.server byte for byte; musl's and glibc's resolvers find
 * a name through passt's DNS forward to dnsmasq. Needs root (namespaces), passt, iproute2, curl,
 * python3, dnsmasq, the userland programs and busybox; without them the tests skip, and with
 * CI=true they fail.
 */
class NetworkProgramsTest {
    private static final boolean CI = "true".equals(System.getenv("CI"));
    /** The namespace's own address, which DHCP gives the guest, and its gateway (the namespace's loopback). */
    private static final String GUEST = "192.0.2.2";
    private static final String GATEWAY = "192.0.2.1";

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
                p.descendants().forEach(ProcessHandle::destroyForcibly);
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

    private static void require(boolean present, String what) {
        if (!present && CI) {
            fail(what + ", and CI=true requires it");
        }
        Assumptions.assumeTrue(present, what);
    }

    /** Root, the host tools, and the guest programs on the default disk (built from the host's). */
    static void requirePeers(String... tools) throws IOException {
        boolean root = Files.readAllLines(Path.of("/proc/self/status")).stream().anyMatch(l -> l.startsWith("Uid:")
                && l.substring(4).trim().split("\\s+")[1].equals("0"));
        require(root, "network namespaces need root (CI runs as root)");
        for (String tool : tools) {
            require(NetworkPeersTest.onPath(tool), tool + " is not installed (.ci/run installs it)");
        }
        require(Files.isRegularFile(Path.of("../userland/target/bin/tcpserver")),
                "no userland programs were built (musl-gcc missing: Debian package musl-tools)");
        require(Files.isExecutable(Path.of("/bin/busybox")),
                "the build host has no /bin/busybox (Debian package busybox-static): the disk has none");
    }

    /** PEERS.md's recipe: a veth pair inside a fresh namespace, 192.0.2.2/24, default route via 192.0.2.1. */
    void createNamespace() throws Exception {
        ns = "alosnp" + ThreadLocalRandom.current().nextInt(100_000);
        NetworkPeersTest.sh("ip", "netns", "add", ns);
        NetworkPeersTest.sh("ip", "-n", ns, "link", "set", "lo", "up");
        NetworkPeersTest.sh("ip", "-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
        NetworkPeersTest.sh("ip", "-n", ns, "addr", "add", GUEST + "/24", "dev", "v0");
        NetworkPeersTest.sh("ip", "-n", ns, "link", "set", "v0", "up");
        NetworkPeersTest.sh("ip", "-n", ns, "link", "set", "v1", "up");
        NetworkPeersTest.sh("ip", "-n", ns, "route", "add", "default", "via", GATEWAY, "dev", "v0");
        Files.createDirectories(Path.of("/etc/netns", ns));
        Files.writeString(Path.of("/etc/netns", ns, "resolv.conf"), "nameserver 127.0.0.1\n");
    }

    Process inNamespace(String log, String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve(log).toFile()).start();
        started.add(p);
        return p;
    }

    /** The default machine (its disk with /bin) with one NIC on a passt ALOS/J starts in the namespace. */
    Process guest(String passtOptions, String commands) throws IOException {
        List<String> cmd = AlosProcess.launcher(dist, tmp.resolve("guest"));
        cmd.addAll(List.of("-device", "pcnet,netdev=n0", "-netdev", "passt,id=n0,netns=" + ns + passtOptions,
                "-c", commands));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(tmp.resolve("guest.out").toFile()).redirectError(tmp.resolve("guest.err").toFile())
                .start();
        started.add(p);
        return p;
    }

    String guestOutput() throws IOException {
        return Files.readString(tmp.resolve("guest.out")) + Files.readString(tmp.resolve("guest.err"));
    }

    /** Waits (at most {@code seconds}) for {@code text} on the guest's console; fails if the machine stops first. */
    void awaitGuest(Process guest, String text, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!Files.readString(tmp.resolve("guest.out")).contains(text)) {
            if (!guest.isAlive()) {
                fail("the machine stopped (status " + guest.exitValue() + ") before printing '" + text + "': "
                        + guestOutput() + log());
            }
            if (System.nanoTime() > deadline) {
                fail("the machine never printed '" + text + "': " + guestOutput() + log());
            }
            Thread.sleep(100);
        }
    }

    /** Waits for the machine to finish its commands: their exit status. */
    int awaitExit(Process guest, long seconds) throws Exception {
        if (!guest.waitFor(seconds, TimeUnit.SECONDS)) {
            fail("the machine did not finish its commands in " + seconds + " s: " + guestOutput() + log());
        }
        return guest.exitValue();
    }

    /** The lines of the run's alosj.log that tell of trouble: warnings (a syscall not implemented among them), errors. */
    List<String> troubleInLog() throws IOException {
        Path log = tmp.resolve("guest/alosj.log");
        if (!Files.exists(log)) {
            return List.of();
        }
        return Files.readAllLines(log).stream().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")
                || l.contains("not implemented") || l.contains("Exception")).limit(40).toList();
    }

    /** troubleInLog for a failure's message. */
    String log() throws IOException {
        return "\nalosj.log:\n" + String.join("\n", troubleInLog());
    }

    /** Runs {@code command} in the namespace to its end (at most 60 s): its standard output, bytes. */
    byte[] runInNamespace(String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        started.add(p);
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command) + "'s exit status; it printed: "
                + new String(out, StandardCharsets.UTF_8));
        return out;
    }

    /**
     * userland/tcpserver, a Linux program using socket, bind, listen, accept, read and write,
     * runs in the background of busybox sh and serves five curl requests that passt forwards
     * from the namespace's port 8080 to the guest's port 8000: each gets the server's exact
     * response, status line, headers and body; the server logs each request line and exits 0.
     */
    @Test
    void theUserlandTcpServerInTheBackgroundAnswersCurlThroughPasstsPortForward() throws Exception {
        requirePeers("passt", "ip", "curl");
        createNamespace();
        int requests = 5;
        Process guest = guest(",hostfwd=tcp::8080-:8000", "dhcp; exec /bin/busybox sh -c '/bin/tcpserver 8000 "
                + requests + " & wait $!; echo tcpserver exited $?'");
        awaitGuest(guest, "tcpserver: listening on port 8000", 180);
        String body = "Hello from the ALOS/J tcpserver.\n";
        String response = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body;
        for (int i = 1; i <= requests; i++) {
            // -i: the status line and headers too, as the server sent them.
            byte[] got = runInNamespace("curl", "-s", "-S", "-i", "-m", "30", "http://127.0.0.1:8080/request-" + i);
            assertEquals(response, new String(got, StandardCharsets.ISO_8859_1), "request " + i + "'s response");
        }
        assertEquals(0, awaitExit(guest, 120), "the machine's status: " + guestOutput() + log());
        String out = Files.readString(tmp.resolve("guest.out"));
        assertTrue(out.contains("eth0: " + GUEST + "/24 router " + GATEWAY), "passt's DHCP lease: " + out);
        for (int i = 1; i <= requests; i++) {
            assertTrue(out.contains("tcpserver: " + i + ": GET /request-" + i + " HTTP/1.1\n"),
                    "the server logs request " + i + ": " + out);
        }
        assertTrue(out.contains("tcpserver exited 0\n"), "the server's exit status, through wait: " + out);
        assertEquals(List.of(), troubleInLog(), "the kernel's log: no syscall missing, no error");
    }

    /**
     * busybox wget (socket, connect, non-blocking reads under poll, its FILE streams) fetches a
     * random 3 MiB file from Python's http.server on the namespace's 127.0.0.1, which the guest
     * reaches at the gateway address through passt; busybox sha256sum of the copy in /tmp is the
     * host's.
     */
    @Test
    void busyboxWgetFetchesAFileFromAHostHttpServerThroughPasstByteIdentical() throws Exception {
        requirePeers("passt", "ip", "python3");
        createNamespace();
        Path www = Files.createDirectories(tmp.resolve("www"));
        byte[] file = NetworkPeersTest.randomFile(www.resolve("file.bin"), 3 << 20, 9);
        inNamespace("http.server.log", "python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory",
                www.toString(), "8000");
        awaitListening(8000);
        Process guest = guest("", "dhcp; exec /bin/busybox wget -O /tmp/f http://" + GATEWAY
                + ":8000/file.bin; exec /bin/busybox sha256sum /tmp/f; exec /bin/busybox wc -c /tmp/f");
        assertEquals(0, awaitExit(guest, 600), "the machine's status: " + guestOutput() + log());
        String out = Files.readString(tmp.resolve("guest.out"));
        assertTrue(out.contains("eth0: " + GUEST + "/24 router " + GATEWAY), "passt's DHCP lease: " + out);
        assertTrue(out.contains((3 << 20) + " /tmp/f\n"), "the whole file: " + out);
        assertTrue(out.contains(NetworkPeersTest.sha256(file) + "  /tmp/f\n"), "byte-identical through passt: " + out);
        assertTrue(Files.readString(tmp.resolve("http.server.log")).contains("\"GET /file.bin HTTP/1.1\" 200"),
                "http.server served the file: " + Files.readString(tmp.resolve("http.server.log")));
        assertEquals(List.of(), troubleInLog(), "the kernel's log: no syscall missing, no error");
    }

    /**
     * Names in programs: musl's resolver (tcpclient) and glibc's (busybox wget, which sends its A
     * and AAAA queries with one sendmmsg) ask over UDP sockets they poll for the answer; passt
     * forwards the queries to dnsmasq in the namespace, which says example.test is the gateway.
     * The lease does not write /etc/resolv.conf, so the script does.
     */
    @Test
    void muslAndGlibcProgramsResolveANameThroughPasstsDnsForwardAndFetchByIt() throws Exception {
        requirePeers("passt", "ip", "python3", "dnsmasq");
        createNamespace();
        Path www = Files.createDirectories(tmp.resolve("www"));
        Files.writeString(www.resolve("hello.txt"), "found by name\n");
        inNamespace("dnsmasq.log", "dnsmasq", "--no-daemon", "--no-resolv", "--listen-address=127.0.0.1",
                "--bind-interfaces", "--address=/example.test/" + GATEWAY);
        inNamespace("http.server.log", "python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory",
                www.toString(), "8000");
        awaitListening(8000);
        Process guest = guest(",dns-forward=" + GATEWAY, "dhcp; exec /bin/busybox sh -c 'echo nameserver " + GATEWAY
                + " > /etc/resolv.conf; /bin/tcpclient example.test 8000 /hello.txt; echo tcpclient $?;"
                + " wget -q -O - http://example.test:8000/hello.txt; echo wget $?'");
        assertEquals(0, awaitExit(guest, 300), "the machine's status: " + guestOutput() + log());
        String out = Files.readString(tmp.resolve("guest.out"));
        assertTrue(out.matches("(?s).*HTTP/1\\.0 200 OK\r\n.*\r\n\r\nfound by name\ntcpclient 0\n.*"),
                "tcpclient (musl) fetched by name: " + out);
        assertTrue(out.contains("tcpclient 0\nfound by name\nwget 0\n"), "busybox wget (glibc) fetched by name: " + out);
        assertEquals(List.of(), troubleInLog(), "the kernel's log: no syscall missing, no error");
    }

    /** Waits until something in the namespace listens on 127.0.0.1:PORT (bash's /dev/tcp). */
    void awaitListening(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
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
}
