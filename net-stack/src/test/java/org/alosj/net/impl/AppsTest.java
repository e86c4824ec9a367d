package org.alosj.net.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.alosj.net.DatagramSocket;
import org.alosj.net.Ipv4Address;
import org.alosj.net.ListeningSocket;
import org.alosj.net.SocketAddress;
import org.alosj.net.StreamSocket;
import org.alosj.net.impl.app.DhcpClient;
import org.alosj.net.impl.app.DnsResolver;
import org.alosj.net.impl.app.HttpClient;
import org.alosj.net.impl.app.HttpMessage;
import org.alosj.net.impl.app.HttpServer;
import org.alosj.net.impl.app.NioDocumentRoot;
import org.alosj.net.impl.wire.DhcpMessage;
import org.alosj.net.impl.wire.DnsMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** DHCP, DNS and HTTP between two stacks on a test link; the far stack plays the servers. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AppsTest {
    static final Ipv4Address CLIENT = Ipv4Address.parse("192.0.2.2");
    static final Ipv4Address SERVER = Ipv4Address.parse("192.0.2.1");
    TestLink link;
    Stack client;
    Stack server;
    @TempDir
    Path www;

    @BeforeEach
    void setUp() {
        link = new TestLink(3, 0, 0, 0);
        client = new Stack();
        server = new Stack();
        client.attach("00:02.0", link.station(2), "test");
        server.attach("00:02.0", link.station(1), "test");
        server.configure("eth0", SERVER, 24);
    }

    @AfterEach
    void tearDown() throws Exception {
        client.close();
        server.close();
        link.close();
    }

    // ---- DHCP ---------------------------------------------------------------------------

    @Test
    void dhcp_gets_address_router_dns_and_mtu_from_a_passt_like_server_with_an_infinite_lease() throws Exception {
        CompletableFuture<Void> dhcpd = CompletableFuture.runAsync(this::serveDhcpOnce);
        List<Ipv4Address> dnsSeen = new java.util.ArrayList<>();
        DhcpClient c = new DhcpClient(client, "eth0", java.util.concurrent.Executors.newSingleThreadScheduledExecutor(),
                l -> dnsSeen.addAll(l.dns()));
        DhcpClient.Lease lease = c.acquire();
        dhcpd.get(10, TimeUnit.SECONDS);
        assertEquals(CLIENT, lease.address());
        assertEquals(24, lease.prefixLength());
        assertEquals(SERVER, lease.router());
        assertEquals(List.of(SERVER), dnsSeen);
        assertEquals(DhcpMessage.INFINITE, lease.leaseSeconds());
        assertEquals(CLIENT, client.addressOf("eth0"));
        assertEquals(1500, client.interfaces().get(0).mtu(), "MTU option 65520 capped at the device's 1500");
        assertTrue(client.routes().stream().anyMatch(r -> r.prefixLength() == 0 && r.gateway().equals(SERVER)));
        assertTrue(client.ping(SERVER, 1, 8, Duration.ofSeconds(5)) >= 0);
    }

    @Test
    void dhcp_renews_a_finite_lease_at_t1_with_a_unicast_request_to_the_server() throws Exception {
        java.util.concurrent.BlockingQueue<DhcpMessage> seen = new java.util.concurrent.LinkedBlockingQueue<>();
        CompletableFuture<Void> dhcpd = CompletableFuture.runAsync(() -> serveDhcp(3, 4, seen));
        var scheduler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            DhcpClient c = new DhcpClient(client, "eth0", scheduler, l -> { });
            assertEquals(4, c.acquire().leaseSeconds());
            dhcpd.get(20, TimeUnit.SECONDS); // the third message is the renewal, 2 s (T1) later
            assertEquals(DhcpMessage.DISCOVER, seen.take().messageType());
            assertEquals(DhcpMessage.REQUEST, seen.take().messageType());
            DhcpMessage renew = seen.take();
            assertEquals(DhcpMessage.REQUEST, renew.messageType());
            assertEquals(CLIENT.bits(), renew.ciaddr(), "RENEWING: ciaddr is the leased address");
            assertEquals(0, renew.requestedIp(), "RENEWING: no requested-IP option (RFC 2131 4.3.2)");
        } finally {
            scheduler.shutdownNow();
        }
    }

    /** Answers one DISCOVER with an OFFER and one REQUEST with an ACK, as passt does. */
    private void serveDhcpOnce() {
        serveDhcp(2, DhcpMessage.INFINITE, new java.util.concurrent.LinkedBlockingQueue<>());
    }

    private void serveDhcp(int messages, long leaseSeconds, java.util.concurrent.BlockingQueue<DhcpMessage> seen) {
        try (DatagramSocket s = server.bindDatagram(new SocketAddress(Ipv4Address.ANY, DhcpMessage.SERVER_PORT))) {
            s.setTimeout(Duration.ofSeconds(10));
            byte[] buf = new byte[1500];
            for (int answered = 0; answered < messages; ) {
                DatagramSocket.Received r = s.receive(buf, 0, buf.length);
                DhcpMessage m = DhcpMessage.parse(buf, 0, r.length());
                seen.add(m);
                int type = m.messageType() == DhcpMessage.DISCOVER ? DhcpMessage.OFFER : DhcpMessage.ACK;
                DhcpMessage reply = new DhcpMessage(DhcpMessage.BOOTREPLY, m.xid(), true, 0, CLIENT.bits(), 0, m.chaddr(),
                        type, SERVER.bits(), 0, 0xffffff00, List.of(SERVER.bits()), List.of(SERVER.bits()),
                        leaseSeconds, -1, -1, 65520);
                byte[] out = new byte[reply.length()];
                reply.emit(out, 0);
                // the limited broadcast has no route: out of eth0, as a server bound to its interface sends it
                server.sendVia(s, "eth0", new SocketAddress(Ipv4Address.BROADCAST, DhcpMessage.CLIENT_PORT), out, 0,
                        out.length);
                answered++;
            }
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    // ---- DNS ----------------------------------------------------------------------------

    @Test
    void dns_resolves_an_a_record_caches_it_for_its_ttl_and_retries_a_lost_query() throws Exception {
        client.configure("eth0", CLIENT, 24);
        AtomicInteger queries = new AtomicInteger();
        CompletableFuture<Void> dns = CompletableFuture.runAsync(() -> serveDns(queries, 2, true));
        long[] now = {0};
        DnsResolver r = new DnsResolver(client, () -> now[0]);
        r.setServers(List.of(SERVER));
        assertEquals(List.of(Ipv4Address.parse("192.0.2.80")), r.resolve("www.example.test"));
        assertEquals(2, queries.get(), "the first query was ignored by the server, the retry answered");
        assertEquals(List.of(Ipv4Address.parse("192.0.2.80")), r.resolve("WWW.example.test"));
        assertEquals(2, queries.get(), "answered from the cache");
        now[0] += 61_000_000_000L; // past the 60 s TTL
        assertEquals(List.of(Ipv4Address.parse("192.0.2.80")), r.resolve("www.example.test"));
        assertEquals(3, queries.get());
        dns.get(10, TimeUnit.SECONDS);
    }

    @Test
    void a_dns_answer_with_a_compression_loop_is_ignored_and_the_query_times_out() throws Exception {
        client.configure("eth0", CLIENT, 24);
        CompletableFuture.runAsync(() -> serveLoopingDns());
        DnsResolver r = new DnsResolver(client, System::nanoTime);
        r.setServers(List.of(SERVER));
        assertThrows(IOException.class, () -> r.resolve("loop.example.test"));
    }

    @Test
    void nxdomain_is_an_unknown_host() throws Exception {
        client.configure("eth0", CLIENT, 24);
        CompletableFuture.runAsync(() -> serveDns(new AtomicInteger(), 1, false));
        DnsResolver r = new DnsResolver(client, System::nanoTime);
        r.setServers(List.of(SERVER));
        UnknownHostException e = assertThrows(UnknownHostException.class, () -> r.resolve("nosuch.example.test"));
        assertTrue(e.getMessage().contains("NXDOMAIN"), e.getMessage());
    }

    private void serveDns(AtomicInteger queries, int answers, boolean exists) {
        try (DatagramSocket s = server.bindDatagram(new SocketAddress(Ipv4Address.ANY, 53))) {
            s.setTimeout(Duration.ofSeconds(20));
            byte[] buf = new byte[1500];
            for (int answered = 0; answered < answers; ) {
                DatagramSocket.Received r = s.receive(buf, 0, buf.length);
                DnsMessage q = DnsMessage.parse(buf, 0, r.length());
                if (queries.incrementAndGet() == 1 && answers > 1) {
                    continue; // lose the first query
                }
                String name = q.questions().get(0).name();
                DnsMessage a = exists
                        ? new DnsMessage(q.id(), 0x8180, q.questions(), List.of(new DnsMessage.Record(name,
                                DnsMessage.TYPE_A, DnsMessage.CLASS_IN, 60, Ipv4Address.parse("192.0.2.80").bits(), null)))
                        : new DnsMessage(q.id(), 0x8183, q.questions(), List.of());
                byte[] out = new byte[512];
                int n = a.emit(out, 0);
                s.send(r.source(), out, 0, n);
                answered++;
            }
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private void serveLoopingDns() {
        try (DatagramSocket s = server.bindDatagram(new SocketAddress(Ipv4Address.ANY, 53))) {
            s.setTimeout(Duration.ofSeconds(20));
            byte[] buf = new byte[1500];
            for (int i = 0; i < 3; i++) {
                DatagramSocket.Received r = s.receive(buf, 0, buf.length);
                // the question's name is replaced by a pointer to itself
                byte[] out = java.util.Arrays.copyOf(buf, 18);
                out[2] = (byte) 0x81;
                out[3] = (byte) 0x80;
                out[12] = (byte) 0xc0;
                out[13] = 12;
                out[14] = 0;
                out[15] = 1;
                out[16] = 0;
                out[17] = 1;
                s.send(r.source(), out, 0, out.length);
            }
        } catch (Exception e) {
            // the client gives up first
        }
    }

    // ---- HTTP ---------------------------------------------------------------------------

    HttpServer startServer() throws IOException {
        return new HttpServer(server, 80, new NioDocumentRoot(www));
    }

    @Test
    void http_server_keeps_the_connection_alive_answers_head_and_404() throws Exception {
        client.configure("eth0", CLIENT, 24);
        Files.writeString(www.resolve("index.html"), "<h1>ALOS/J</h1>\n");
        try (HttpServer s = startServer();
             StreamSocket c = client.connect(new SocketAddress(SERVER, 80), Duration.ofSeconds(5))) {
            c.setTimeout(Duration.ofSeconds(10));
            InputStream in = new BufferedInputStream(c.inputStream());
            OutputStream out = c.outputStream();
            for (int i = 0; i < 3; i++) {
                out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
                HttpMessage.Head h = HttpMessage.readHead(in);
                assertEquals("HTTP/1.1 200 OK", h.startLine());
                assertEquals("16", h.field("content-length"));
                assertEquals("<h1>ALOS/J</h1>\n", new String(in.readNBytes(16)));
            }
            out.write("HEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            HttpMessage.Head h = HttpMessage.readHead(in);
            assertEquals("HTTP/1.1 200 OK", h.startLine());
            assertEquals("16", h.field("content-length"));
            out.write("GET /missing HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            h = HttpMessage.readHead(in);
            assertEquals("HTTP/1.1 404 Not Found", h.startLine());
            in.readNBytes(Integer.parseInt(h.field("content-length")));
            assertEquals(5, s.requestsServed());
        }
    }

    @Test
    void http_server_serves_two_keep_alive_connections_at_once() throws Exception {
        client.configure("eth0", CLIENT, 24);
        Files.writeString(www.resolve("index.html"), "x");
        try (HttpServer s = startServer();
             StreamSocket first = client.connect(new SocketAddress(SERVER, 80), Duration.ofSeconds(5));
             StreamSocket second = client.connect(new SocketAddress(SERVER, 80), Duration.ofSeconds(5))) {
            first.setTimeout(Duration.ofSeconds(10));
            second.setTimeout(Duration.ofSeconds(10));
            java.util.Map<StreamSocket, InputStream> in = java.util.Map.of(first,
                    new BufferedInputStream(first.inputStream()), second, new BufferedInputStream(second.inputStream()));
            for (StreamSocket c : List.of(first, second, first, second)) {
                byte[] req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes();
                c.write(req, 0, req.length);
                HttpMessage.Head h = HttpMessage.readHead(in.get(c));
                assertEquals("HTTP/1.1 200 OK", h.startLine());
                assertEquals("x", new String(in.get(c).readNBytes(1)));
            }
        }
    }

    @Test
    void http_server_refuses_dot_dot_nul_and_over_long_heads_with_4xx() throws Exception {
        client.configure("eth0", CLIENT, 24);
        Files.writeString(www.resolve("a.txt"), "a");
        try (HttpServer s = startServer()) {
            assertEquals(400, status("GET /../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"));
            assertEquals(400, status("GET /%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"));
            assertEquals(400, status("GET /a%00.txt HTTP/1.1\r\nHost: x\r\n\r\n"));
            assertEquals(400, status("GET /a.txt HTTP/1.1\r\nHost: x\0\r\n\r\n"));
            assertEquals(414, status("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
            assertEquals(431, status("GET /a.txt HTTP/1.1\r\nHost: x\r\nX: " + "b".repeat(9000) + "\r\n\r\n"));
            assertEquals(501, status("DELETE /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"));
            Path outside = Files.createTempDirectory("outside-www");
            try {
                Files.writeString(outside.resolve("secret"), "s");
                Files.createSymbolicLink(www.resolve("out"), outside);
                assertEquals(404, status("GET /out/secret HTTP/1.1\r\nHost: x\r\n\r\n"), "a link out of the root");
            } finally {
                Files.delete(outside.resolve("secret"));
                Files.delete(outside);
            }
            assertEquals(200, status("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"));
        }
    }

    @Test
    void http_server_answers_a_bad_content_length_with_400_and_accepts_absolute_form_targets() throws Exception {
        client.configure("eth0", CLIENT, 24);
        Files.writeString(www.resolve("a.txt"), "a");
        try (HttpServer s = startServer()) {
            for (String length : List.of("-1", "abc", "99999999999999999999999", "1, 2")) {
                assertEquals(400, status("GET /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\n"),
                        "Content-Length: " + length);
            }
            // RFC 9112 3.2.2: a server MUST accept the absolute-form in requests.
            assertEquals(200, status("GET http://192.0.2.1/a.txt HTTP/1.1\r\nHost: 192.0.2.1\r\n\r\n"));
            assertEquals(200, status("GET HTTP://192.0.2.1:80/a.txt?x=1 HTTP/1.1\r\nHost: 192.0.2.1\r\n\r\n"));
            assertEquals(400, status("GET http://192.0.2.1/../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"));
        }
    }

    @Test
    void two_hundred_slow_clients_do_not_lock_out_a_normal_one() throws Exception {
        client.configure("eth0", CLIENT, 24);
        Files.writeString(www.resolve("a.txt"), "a");
        List<StreamSocket> slow = new java.util.ArrayList<>();
        try (HttpServer s = startServer()) {
            for (int i = 0; i < 200; i++) {
                StreamSocket c = client.connect(new SocketAddress(SERVER, 80), Duration.ofSeconds(5));
                byte[] part = "GET /a.txt HTTP/1.1\r\nX-Slow: 1\r\n".getBytes(StandardCharsets.ISO_8859_1);
                c.write(part, 0, part.length); // and never the blank line
                slow.add(c);
            }
            long started = System.nanoTime();
            assertEquals(200, status("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"));
            long ms = (System.nanoTime() - started) / 1_000_000;
            assertTrue(ms < 3000, "a normal request behind 200 slow ones took " + ms + " ms");
            assertTrue(s.evictions() > 0, "the slowest gave their places up");
        } finally {
            for (StreamSocket c : slow) {
                c.abort();
            }
        }
    }

    @Test
    void a_head_that_trickles_in_past_the_head_timeout_is_cut_off_though_each_line_is_prompt() throws Exception {
        client.configure("eth0", CLIENT, 24);
        try (HttpServer s = new HttpServer(server, 80, new NioDocumentRoot(www), Duration.ofSeconds(1));
             StreamSocket c = client.connect(new SocketAddress(SERVER, 80), Duration.ofSeconds(5))) {
            c.setTimeout(Duration.ofSeconds(10));
            long started = System.nanoTime();
            Thread trickle = new Thread(() -> {
                byte[] line = "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1);
                try {
                    for (int i = 0; i < 30; i++) {
                        c.write(line, 0, line.length);
                        line = ("X-Slow-" + i + ": 1\r\n").getBytes(StandardCharsets.ISO_8859_1);
                        Thread.sleep(200);
                    }
                } catch (IOException | InterruptedException closed) {
                    // cut off, as wanted
                }
            });
            trickle.setDaemon(true);
            trickle.start();
            int got;
            try {
                got = c.inputStream().read(); // the server's close (or reset) ends this
            } catch (IOException reset) {
                got = -1;
            }
            long ms = (System.nanoTime() - started) / 1_000_000;
            assertEquals(-1, got, "no answer, the connection closed");
            assertTrue(ms < 4000, "cut off after " + ms + " ms, the head timeout being 1 s");
        }
    }

    @Test
    void http_server_paths_of_the_absolute_form() {
        assertEquals("/a.txt", HttpServer.originForm("http://h/a.txt"));
        assertEquals("/", HttpServer.originForm("http://h"));
        assertEquals("/?q", HttpServer.originForm("http://h?q"));
        assertEquals("/p?q", HttpServer.originForm("https://h:8080/p?q"));
        assertEquals("/x", HttpServer.originForm("/x"));
        assertEquals("*", HttpServer.originForm("*"));
    }

    @Test
    void http_client_stops_an_endless_redirect_loop_with_an_error() throws Exception {
        client.configure("eth0", CLIENT, 24);
        ListeningSocket l = server.listen(new SocketAddress(Ipv4Address.ANY, 8081), 8);
        CompletableFuture<Void> srv = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i <= HttpClient.MAX_REDIRECTS; i++) {
                    answer(l, "HTTP/1.1 302 Found\r\nLocation: /loop" + i + "\r\nContent-Length: 0\r\n\r\n");
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> new HttpClient(client, Duration.ofSeconds(10)).get("http://192.0.2.1:8081/start",
                        new ByteArrayOutputStream()));
        assertTrue(e.getMessage().startsWith("http get: more than " + HttpClient.MAX_REDIRECTS + " redirects"),
                e.getMessage());
        srv.get(10, TimeUnit.SECONDS);
    }

    private int status(String request) throws Exception {
        try (StreamSocket c = client.connect(new SocketAddress(SERVER, 80), Duration.ofSeconds(5))) {
            c.setTimeout(Duration.ofSeconds(10));
            byte[] r = request.getBytes(StandardCharsets.ISO_8859_1);
            c.write(r, 0, r.length);
            HttpMessage.Head h = HttpMessage.readHead(new BufferedInputStream(c.inputStream()));
            return Integer.parseInt(h.startLine().split(" ")[1]);
        }
    }

    @Test
    void http_client_gets_a_file_by_content_length_byte_identical() throws Exception {
        client.configure("eth0", CLIENT, 24);
        byte[] blob = new byte[500_000];
        new java.util.Random(5).nextBytes(blob);
        Files.write(www.resolve("blob.bin"), blob);
        try (HttpServer s = startServer()) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            HttpClient.Response r = new HttpClient(client, Duration.ofSeconds(20)).get("http://192.0.2.1/blob.bin", body);
            assertEquals(200, r.status());
            assertArrayEquals(blob, body.toByteArray());
        }
    }

    @Test
    void http_client_follows_a_redirect_and_decodes_a_chunked_body() throws Exception {
        client.configure("eth0", CLIENT, 24);
        ListeningSocket l = server.listen(new SocketAddress(Ipv4Address.ANY, 8080), 4);
        CompletableFuture<Void> srv = CompletableFuture.runAsync(() -> {
            try {
                answer(l, "HTTP/1.1 302 Found\r\nLocation: /chunked\r\nContent-Length: 3\r\n\r\nabc");
                answer(l, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n");
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        HttpClient.Response r = new HttpClient(client, Duration.ofSeconds(10)).get("http://192.0.2.1:8080/start", body);
        assertEquals(200, r.status());
        assertEquals("/chunked", r.uri().getPath());
        assertEquals("hello, world", body.toString());
        srv.get(10, TimeUnit.SECONDS);
    }

    private static void answer(ListeningSocket l, String response) throws IOException {
        try (StreamSocket s = l.accept()) {
            s.setTimeout(Duration.ofSeconds(10));
            HttpMessage.readHead(new BufferedInputStream(s.inputStream()));
            byte[] b = response.getBytes(StandardCharsets.ISO_8859_1);
            s.write(b, 0, b.length);
        }
    }
}
