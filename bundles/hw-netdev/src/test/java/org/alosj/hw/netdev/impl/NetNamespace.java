package org.alosj.hw.netdev.impl;

import org.alosj.testkit.RealPeers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace a test creates and deletes (PEERS.md's recipe): named {@code alosnd…},
 * with lo up and, for passt, a veth pair {@code v0}/{@code v1} with 192.0.2.2/24 on v0, the
 * gateway 192.0.2.1 on v1 and a default route via it, so passt finds a template interface and a
 * gateway. Real peers
 * started in it see only it and loopback.
 */
final class NetNamespace implements AutoCloseable {
    static final String ADDRESS = "192.0.2.2";
    static final String GATEWAY = "192.0.2.1";

    final String name;
    private final List<Process> processes = new ArrayList<>();

    private NetNamespace(String name) {
        this.name = name;
    }

    /** Skips the calling test unless we are root and every tool is installed. */
    static void assumeUsable(String... tools) {
        RealPeers.require(PasstBackend.runningAsRoot(), "network namespaces need root (CI runs as root)");
        for (String tool : tools) {
            RealPeers.require(onPath(tool), tool + " is not installed (CI installs it)");
        }
        RealPeers.require(onPath("ip"), "ip (iproute2) is not installed (CI installs it)");
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin:/usr/sbin:/sbin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }

    /** A namespace with lo up and nothing else. */
    static NetNamespace create() throws IOException, InterruptedException {
        String name = "alosnd" + Long.toString(ProcessHandle.current().pid() % 10000) + "x"
                + ThreadLocalRandom.current().nextInt(1000);
        run("ip", "netns", "add", name);
        NetNamespace ns = new NetNamespace(name);
        try {
            ns.exec("ip", "link", "set", "lo", "up");
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** A namespace passt can copy an address and a gateway from (the veth recipe). */
    static NetNamespace createForPasst() throws IOException, InterruptedException {
        NetNamespace ns = create();
        try {
            ns.exec("ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1");
            ns.exec("ip", "addr", "add", ADDRESS + "/24", "dev", "v0");
            ns.exec("ip", "link", "set", "v0", "up");
            ns.exec("ip", "link", "set", "v1", "up");
            ns.exec("ip", "route", "add", "default", "via", GATEWAY, "dev", "v0");
            // passt maps the gateway to loopback for TCP and UDP, but sends ICMP echo to the real
            // gateway address: give the namespace one (on the veth's other end, after the route,
            // so that passt still takes v0, the default route's interface, as its template).
            ns.exec("ip", "addr", "add", GATEWAY + "/32", "dev", "v1");
            // ... through a "ping" socket, which a new namespace allows to no group (passt logs
            // "Cannot open ping socket" and drops the echo).
            ns.exec("sh", "-c", "echo 0 2147483647 > /proc/sys/net/ipv4/ping_group_range");   // no procps needed
            Path etc = Path.of("/etc/netns", ns.name);
            Files.createDirectories(etc);
            Files.writeString(etc.resolve("resolv.conf"), "nameserver 127.0.0.1\n");
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** Runs a command inside the namespace and returns its output; fails on a non-zero exit. */
    String exec(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return run(cmd.toArray(String[]::new));
    }

    /** Starts a command inside the namespace; it is killed when the namespace closes. */
    Process start(String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        processes.add(p);
        return p;
    }

    /** Starts a command in our own namespace; it is killed when the namespace closes. */
    Process startHere(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        processes.add(p);
        return p;
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ": " + text);
        }
        return text;
    }

    /** Whether a command in our namespace exits 0. */
    static boolean tryRun(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(3, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(3, TimeUnit.SECONDS);
            }
        }
        new ProcessBuilder("ip", "netns", "delete", name).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
        Path etc = Path.of("/etc/netns", name);
        Files.deleteIfExists(etc.resolve("resolv.conf"));
        Files.deleteIfExists(etc);
    }
}
