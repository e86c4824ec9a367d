package org.alosj.net.impl;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.alosj.net.Ipv4Address;
import org.alosj.net.ListeningSocket;
import org.alosj.net.SocketAddress;
import org.alosj.net.StreamSocket;
import org.alosj.net.impl.app.HttpClient;
import org.alosj.net.impl.app.HttpServer;
import org.alosj.net.impl.app.NioDocumentRoot;

/**
 * The stack's own ceiling, with no NIC model under it: two stacks on an in-JVM Ethernet link
 * (TestLink, one delivery thread), TCP bulk throughput and HTTP keep-alive requests per second.
 * Run by bench/net.sh; prints figures, asserts nothing.
 */
public final class NetBench {
    private NetBench() {
    }

    public static void main(String[] args) throws Exception {
        int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        try (TestLink link = new TestLink(1, 0, 0, 0); Stack a = new Stack(); Stack b = new Stack()) {
            a.attach("00:02.0", link.station(1), "bench");
            b.attach("00:02.0", link.station(2), "bench");
            a.configure("eth0", Ipv4Address.parse("10.0.0.1"), 24);
            b.configure("eth0", Ipv4Address.parse("10.0.0.2"), 24);
            a.ping(Ipv4Address.parse("10.0.0.2"), 0, 56, Duration.ofSeconds(2));
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 5; i++) {
                best = Math.min(best, a.ping(Ipv4Address.parse("10.0.0.2"), i + 1, 56, Duration.ofSeconds(2)));
            }
            System.out.printf("in-JVM link, stack to stack: ping RTT (best of 5) %.3f ms%n", best / 1e6);

            ListeningSocket l = b.listen(new SocketAddress(Ipv4Address.ANY, 5001), 4);
            long total = (long) megabytes << 20;
            CompletableFuture<Long> sink = CompletableFuture.supplyAsync(() -> {
                try (StreamSocket s = l.accept()) {
                    InputStream in = s.inputStream();
                    byte[] buf = new byte[65536];
                    long n = 0;
                    int r;
                    while ((r = in.read(buf)) >= 0) {
                        n += r;
                    }
                    return n;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            StreamSocket c = a.connect(new SocketAddress(Ipv4Address.parse("10.0.0.2"), 5001), Duration.ofSeconds(5));
            OutputStream out = c.outputStream();
            byte[] chunk = new byte[65536];
            long start = System.nanoTime();
            for (long sent = 0; sent < total; sent += chunk.length) {
                out.write(chunk);
            }
            c.close();
            long got = sink.get();
            long nanos = System.nanoTime() - start;
            System.out.printf("in-JVM link, stack to stack: TCP %d MiB in %.0f ms: %.0f Mbit/s%n", got >> 20, nanos / 1e6,
                    got * 8 / (nanos / 1e3));

            Path www = Files.createTempDirectory("netbench");
            Files.writeString(www.resolve("index.html"), "<h1>ALOS/J</h1>\n");
            try (HttpServer server = new HttpServer(b, 80, new NioDocumentRoot(www))) {
                HttpClient client = new HttpClient(a, Duration.ofSeconds(10));
                client.bench("http://10.0.0.2/", 2000); // warm-up
                long t = client.bench("http://10.0.0.2/", requests);
                System.out.printf("in-JVM link, stack to stack: HTTP keep-alive %d requests: %.0f requests/s%n", requests,
                        requests / (t / 1e9));
            }
            Files.deleteIfExists(www.resolve("index.html"));
            Files.deleteIfExists(www);
        }
    }
}
