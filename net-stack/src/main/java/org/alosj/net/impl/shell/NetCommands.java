package org.alosj.net.impl.shell;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.nio.ByteBuffer;
import org.alosj.kernel.device.MacAddress;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.vfs.OpenFlags;
import org.alosj.kernel.vfs.Vfs;
import org.alosj.kernel.vfs.VfsContext;
import org.alosj.net.InterfaceInfo;
import org.alosj.net.Ipv4Address;
import org.alosj.net.impl.NetworkStackService;
import org.alosj.net.impl.Stack;
import org.alosj.net.impl.app.DhcpClient;
import org.alosj.net.impl.app.DocumentRoot;
import org.alosj.net.impl.app.VfsDocumentRoot;
import org.alosj.net.impl.app.HttpClient;
import org.alosj.net.impl.app.HttpServer;
import org.alosj.net.impl.app.NioDocumentRoot;
import org.alosj.net.impl.iface.ArpCache;
import org.alosj.net.impl.iface.PcapWriter;
import org.alosj.net.impl.iface.RouteTable;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/** The network commands of the alos scope; they leave with the net-stack bundle. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = NetCommands.class, immediate = true, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=ifconfig",
    "osgi.command.function=route",
    "osgi.command.function=arp",
    "osgi.command.function=dhcp",
    "osgi.command.function=ping",
    "osgi.command.function=nslookup",
    "osgi.command.function=http",
    "osgi.command.function=httpd",
    "osgi.command.function=netstat",
    "osgi.command.function=capture",
    "osgi.command.function=sleep",
})
public final class NetCommands {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final NetworkStackService net;
    private final Stack stack;
    private final Map<String, PcapWriter> captures = new ConcurrentHashMap<>();
    private VfsContext httpdContext;
    private Vfs httpdVfs;

    @Activate
    public NetCommands(@Reference NetworkStackService net) {
        this.net = net;
        this.stack = net.stack();
    }

    @Deactivate
    void deactivate() {
        for (String name : captures.keySet()) {
            stopCapture(name);
        }
    }

    private static PrintStream out() {
        return System.out;
    }

    @Descriptor("interfaces: address, MAC, MTU, link and counters; or set one:\n"
            + "  ifconfig [IFACE [ADDRESS/PREFIX] [up|down] [mtu N]]")
    public void ifconfig(@Descriptor("[IFACE [ADDRESS/PREFIX] [up|down] [mtu N]]") String... args) {
        if (args.length > 1) {
            String name = args[0];
            for (int i = 1; i < args.length; i++) {
                switch (args[i]) {
                    case "up" -> stack.setUp(name, true);
                    case "down" -> stack.setUp(name, false);
                    case "mtu" -> {
                        if (++i >= args.length) {
                            throw new IllegalArgumentException("ifconfig: mtu needs a number");
                        }
                        stack.setMtu(name, Integer.parseInt(args[i]));
                    }
                    default -> {
                        String[] a = args[i].split("/");
                        int prefix = a.length > 1 ? Integer.parseInt(a[1]) : 24;
                        stack.configure(name, Ipv4Address.parse(a[0]), prefix);
                    }
                }
            }
        }
        for (InterfaceInfo i : net.interfaces()) {
            if (args.length > 0 && !i.name().equals(args[0])) {
                continue;
            }
            out().printf("%s: %s mtu %d  slot %s  driver %s%n", i.name(), i.up() ? "UP" : "DOWN", i.mtu(), i.slot(),
                    i.driver() == null ? "none" : i.driver());
            out().printf("    inet %s/%d  ether %s  link %s%s%n", i.address(), i.prefixLength(), i.mac(),
                    i.linkUp() ? "up" : "down", i.linkProblem() == null ? "" : " (" + i.linkProblem() + ")");
            InterfaceInfo.Counters c = i.counters();
            out().printf("    RX packets %d  bytes %d  errors %d  dropped %d%n", c.rxPackets(), c.rxBytes(), c.rxErrors(),
                    c.rxDropped());
            out().printf("    TX packets %d  bytes %d  errors %d  dropped %d%n", c.txPackets(), c.txBytes(), c.txErrors(),
                    c.txDropped());
        }
        out().flush();
    }

    @Descriptor("the routing table; route add DEST/PREFIX|default [via GATEWAY] [dev IFACE]; route del DEST/PREFIX")
    public void route(@Descriptor("[add|del ...]") String... args) {
        if (args.length > 0) {
            if (args.length < 2) {
                throw new IllegalArgumentException("route: " + args[0] + " needs a destination");
            }
            String[] d = args[1].equals("default") ? new String[] {"0.0.0.0", "0"} : args[1].split("/");
            Ipv4Address dest = Ipv4Address.parse(d[0]);
            int prefix = d.length > 1 ? Integer.parseInt(d[1]) : 32;
            switch (args[0]) {
                case "add" -> {
                    Ipv4Address via = Ipv4Address.ANY;
                    String dev = null;
                    for (int i = 2; i + 1 < args.length; i += 2) {
                        switch (args[i]) {
                            case "via", "gw" -> via = Ipv4Address.parse(args[i + 1]);
                            case "dev" -> dev = args[i + 1];
                            default -> throw new IllegalArgumentException("route add: unknown word " + args[i]);
                        }
                    }
                    if (dev == null && via.isUnspecified()) {
                        throw new IllegalArgumentException("route add: give via GATEWAY or dev IFACE");
                    }
                    stack.addRoute(dest, prefix, via, dev);
                }
                case "del" -> {
                    if (!stack.removeRoute(dest, prefix)) {
                        throw new IllegalArgumentException("route del: no route " + args[1]);
                    }
                }
                default -> throw new IllegalArgumentException("route: add or del, not " + args[0]);
            }
        }
        out().printf("%-18s %-15s %s%n", "Destination", "Gateway", "Iface");
        for (RouteTable.Route r : stack.routes()) {
            out().printf("%-18s %-15s %s%n", r.destination() + "/" + r.prefixLength(),
                    r.gateway().isUnspecified() ? "*" : r.gateway().toString(), r.interfaceName());
        }
        out().flush();
    }

    @Descriptor("the ARP cache; arp -d ADDRESS forgets one entry; arp -s ADDRESS MAC [IFACE] adds a permanent one\n"
            + "  (on IFACE, default eth0)")
    public void arp(@Descriptor("[-d ADDRESS | -s ADDRESS MAC [IFACE]]") String... args) {
        if ((args.length == 3 || args.length == 4) && args[0].equals("-s")) {
            stack.addStaticArp(args.length == 4 ? args[3] : "eth0", Ipv4Address.parse(args[1]),
                    MacAddress.parse(args[2]).toLong());
            return;
        }
        if (args.length == 2 && args[0].equals("-d")) {
            if (!stack.removeArp(Ipv4Address.parse(args[1]))) {
                throw new IllegalArgumentException("arp: no entry for " + args[1]);
            }
            return;
        }
        long now = stack.now();
        out().printf("%-16s %-18s %-6s %s%n", "Address", "HWaddress", "Iface", "Expires");
        for (Map.Entry<String, ArpCache.Entry> e : stack.arpEntries()) {
            ArpCache.Entry a = e.getValue();
            out().printf("%-16s %-18s %-6s %s%n", new Ipv4Address(a.ip()), MacAddress.of(a.mac()), e.getKey(),
                    a.permanent() ? "permanent" : (a.expires() - now) / 1_000_000_000L + " s");
        }
        out().flush();
    }

    @Descriptor("get an address, router, DNS servers and MTU by DHCP: dhcp [IFACE] (default eth0)")
    public void dhcp(@Descriptor("[IFACE]") String... args) throws IOException {
        String name = args.length > 0 ? args[0] : "eth0";
        DhcpClient.Lease lease = net.startDhcp(name);
        out().println(name + ": " + lease);
        out().flush();
    }

    @Descriptor("ICMP echo: ping [-c N] [-i SECONDS] [-W SECONDS] HOST (default 4 requests, one a second,\n"
            + "  each waiting 2 s for its reply)")
    public void ping(@Descriptor("[-c N] [-i INTERVAL] [-W TIMEOUT] HOST") String... args)
            throws IOException, InterruptedException {
        int count = 4;
        long interval = 1_000_000_000L;
        Duration wait = Duration.ofSeconds(2);
        String host = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-c") && i + 1 < args.length) {
                count = Integer.parseInt(args[++i]);
            } else if (args[i].equals("-i") && i + 1 < args.length) {
                interval = seconds("-i", args[++i], 0);
            } else if (args[i].equals("-W") && i + 1 < args.length) {
                wait = Duration.ofNanos(seconds("-W", args[++i], 1_000_000L));
            } else {
                host = args[i];
            }
        }
        if (host == null) {
            throw new IllegalArgumentException("ping: which host? ping [-c N] HOST");
        }
        Ipv4Address dst = net.resolve(host, TIMEOUT).get(0);
        out().printf("PING %s (%s): 56 data bytes%n", host, dst);
        int received = 0;
        for (int seq = 0; seq < count; seq++) {
            long started = System.nanoTime();
            long rtt = net.ping(dst, seq, 56, wait);
            if (rtt >= 0) {
                received++;
                out().printf("64 bytes from %s: icmp_seq=%d time=%.3f ms%n", dst, seq, rtt / 1e6);
            } else {
                out().printf("no reply from %s: icmp_seq=%d%n", dst, seq);
            }
            out().flush();
            long left = interval - (System.nanoTime() - started);
            if (seq + 1 < count && left > 0) {
                Thread.sleep(left / 1_000_000L, (int) (left % 1_000_000L));
            }
        }
        out().printf("%d packets transmitted, %d received, %d%% packet loss%n", count, received,
                (count - received) * 100 / Math.max(1, count));
        out().flush();
        if (received == 0) {
            throw new IOException("ping: no reply from " + dst);
        }
    }

    /** A time in seconds ("0.2") as nanoseconds, at least {@code min} and at most an hour. */
    private static long seconds(String option, String text, long min) {
        try {
            double s = Double.parseDouble(text);
            if (s * 1e9 >= min && s <= 3600) {
                return Math.round(s * 1e9);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("ping: " + option + " takes seconds, e.g. 0.2, not '" + text + "'");
    }

    @Descriptor("resolve a host name through DNS: nslookup NAME")
    public void nslookup(@Descriptor("NAME") String name) throws IOException {
        List<Ipv4Address> a = net.resolve(name, TIMEOUT);
        out().println("Server:  " + net.resolver().servers());
        out().println("Name:    " + name);
        for (Ipv4Address x : a) {
            out().println("Address: " + x);
        }
        out().flush();
    }

    @Descriptor("HTTP/1.1 GET: http get URL prints the body; http get URL FILE writes it to FILE in the VFS;\n"
            + "  http get -sha256 URL prints its size and SHA-256; http bench URL N: N keep-alive GETs, requests/s")
    public void http(@Descriptor("get [-sha256] URL [FILE] | bench URL N") String... args) throws IOException {
        if (args.length == 3 && args[0].equals("bench")) {
            int n = Integer.parseInt(args[2]);
            long nanos = new HttpClient(net, TIMEOUT).bench(args[1], n);
            out().printf("%d requests in %.1f ms: %.0f requests/s%n", n, nanos / 1e6, n / (nanos / 1e9));
            out().flush();
            return;
        }
        if (args.length < 2 || !args[0].equals("get")) {
            throw new IllegalArgumentException("http: http get [-sha256] URL [FILE]");
        }
        boolean sha = args[1].equals("-sha256");
        int u = sha ? 2 : 1;
        if (args.length <= u) {
            throw new IllegalArgumentException("http get: which URL?");
        }
        HttpClient client = new HttpClient(net, TIMEOUT);
        if (args.length == u + 2 && !sha) {
            getToFile(client, args[u], args[u + 1]);
            return;
        }
        if (args.length > u + 1) {
            throw new IllegalArgumentException("http: http get [-sha256] URL [FILE]");
        }
        if (sha) {
            MessageDigest md;
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            OutputStream digest = new OutputStream() {
                @Override
                public void write(int b) {
                    md.update((byte) b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    md.update(b, off, len);
                }
            };
            long started = System.nanoTime();
            HttpClient.Response r = client.get(args[u], digest);
            out().println(r.statusLine());
            long nanos = System.nanoTime() - started;
            out().println(r.bodyLength() + " bytes sha256 " + HexFormat.of().formatHex(md.digest()));
            out().printf("%.1f ms, %.1f Mbit/s%n", nanos / 1e6, r.bodyLength() * 8 / (nanos / 1e3));
        } else {
            HttpClient.Response r = client.get(args[u], out());
            out().println();
            if (r.status() >= 400) {
                out().flush();
                throw new IOException("http get: " + r.statusLine());
            }
        }
        out().flush();
    }

    /** http get URL FILE: the body into a file of the VFS, created or truncated. */
    private void getToFile(HttpClient client, String url, String file) throws IOException {
        Vfs vfs = net.vfs();
        if (vfs == null) {
            throw new IllegalStateException("http get: no VFS to write " + file + " into");
        }
        try (VfsContext ctx = vfs.createContext(0, 0)) {
            int fd = ctx.open(file, OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_TRUNC, 0644);
            long[] written = {0};
            HttpClient.Response r;
            try (OutputStream sink = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                    while (buf.hasRemaining()) {
                        ctx.write(fd, buf);
                    }
                    written[0] += len;
                }
            }) {
                r = client.get(url, sink);
            } finally {
                ctx.close(fd);
            }
            out().println(r.statusLine());
            out().println(written[0] + " bytes written to " + file);
            out().flush();
            if (r.status() >= 400) {
                throw new IOException("http get: " + r.statusLine());
            }
        }
    }

    @Descriptor("the HTTP server: httpd start [PORT] [DIR] | stop | status\n"
            + "  DIR is a VFS directory (default /www); host:DIR serves a directory of the host, read-only\n"
            + "  (an operator's test and benchmark feature; never / of the host)")
    public void httpd(@Descriptor("start [PORT] [DIR] | stop | status") String... args) throws IOException {
        String verb = args.length > 0 ? args[0] : "status";
        switch (verb) {
            case "start" -> {
                int port = 80;
                String dir = "/www";
                for (int i = 1; i < args.length; i++) {
                    if (args[i].chars().allMatch(Character::isDigit)) {
                        port = Integer.parseInt(args[i]);
                    } else {
                        dir = args[i];
                    }
                }
                HttpServer s = net.startHttpd(port, documentRoot(dir));
                out().println(s.status());
            }
            case "stop" -> out().println(net.stopHttpd() ? "httpd stopped" : "httpd was not running");
            case "status" -> {
                HttpServer s = net.httpd();
                out().println(s == null ? "httpd is not running" : s.status());
            }
            default -> throw new IllegalArgumentException("httpd: start, stop or status, not " + verb);
        }
        out().flush();
    }

    private DocumentRoot documentRoot(String dir) throws IOException {
        if (dir.startsWith("host:")) {
            try {
                return new NioDocumentRoot(Path.of(dir.substring(5)));
            } catch (java.nio.file.NoSuchFileException e) {
                throw new IllegalArgumentException("httpd: " + dir + ": no such host directory");
            }
        }
        Vfs vfs = net.vfs();
        if (vfs == null) {
            throw new IllegalStateException("httpd: no VFS to serve " + dir + " from (host:DIR serves a host directory)");
        }
        try {
            return new VfsDocumentRoot(vfsContext(vfs), dir);
        } catch (FsException e) {
            throw new IllegalArgumentException("httpd: " + dir + ": " + e.getMessage());
        }
    }

    /** One context for the server's lifetime: root, working directory /. */
    private synchronized VfsContext vfsContext(Vfs vfs) {
        if (httpdContext == null || httpdVfs != vfs) {
            httpdContext = vfs.createContext(0, 0);
            httpdVfs = vfs;
        }
        return httpdContext;
    }

    @Descriptor("sockets and their states; netstat -s adds the stack's drop counters")
    public void netstat(@Descriptor("[-s]") String... args) {
        out().printf("%-4s %-21s %-21s %s%n", "Proto", "Local", "Remote", "State");
        for (String line : stack.socketTable()) {
            out().println(line);
        }
        if (args.length > 0 && args[0].equals("-s")) {
            out().println(stack.counters());
        }
        out().flush();
    }

    @Descriptor("capture an interface's frames to a pcap file (tshark reads it): capture IFACE FILE; capture stop IFACE")
    public void capture(@Descriptor("IFACE FILE | stop IFACE") String a, @Descriptor("FILE or IFACE") String b)
            throws IOException {
        if (a.equals("stop")) {
            if (!stopCapture(b)) {
                throw new IllegalArgumentException("capture: " + b + " is not being captured");
            }
            return;
        }
        if (captures.containsKey(a)) {
            throw new IllegalArgumentException("capture: " + a + " is already captured to " + captures.get(a).file());
        }
        PcapWriter w = new PcapWriter(Path.of(b));
        try {
            stack.setTap(a, w);
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
        captures.put(a, w);
        out().println("capturing " + a + " to " + b + " (capture stop " + a + " to finish)");
        out().flush();
    }

    private boolean stopCapture(String name) {
        PcapWriter w = captures.remove(name);
        if (w == null) {
            return false;
        }
        try {
            stack.setTap(name, null);
        } catch (RuntimeException gone) {
            // the stack went first
        }
        try {
            w.close();
        } catch (IOException e) {
            throw new IllegalStateException("capture: writing " + w.file() + " failed: " + e.getMessage(), e);
        }
        out().println("captured " + w.written.get() + " frames to " + w.file()
                + (w.dropped.get() > 0 ? " (" + w.dropped.get() + " dropped)" : ""));
        return true;
    }

    @Descriptor("wait: sleep SECONDS (fractions allowed)")
    public void sleep(@Descriptor("SECONDS") String seconds) throws InterruptedException {
        double s = Double.parseDouble(seconds);
        if (s < 0 || s > 86400) {
            throw new IllegalArgumentException("sleep: " + seconds + " is not in 0..86400 seconds");
        }
        Thread.sleep((long) (s * 1000));
    }
}
