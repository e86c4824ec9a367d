package org.alosj.net.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.alosj.net.DatagramSocket;
import org.alosj.net.Ipv4Address;
import org.alosj.net.ListeningSocket;
import org.alosj.net.SocketAddress;
import org.alosj.net.StreamSocket;
import org.alosj.net.impl.socket.TcpConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two whole stacks on one Ethernet segment, with real threads and timers. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TwoStacksTest {
    static final Ipv4Address A = Ipv4Address.parse("10.0.0.1");
    static final Ipv4Address B = Ipv4Address.parse("10.0.0.2");
    TestLink link;
    Stack a;
    Stack b;
    TestLink.Station sa;
    TestLink.Station sb;

    void setUp(double drop, double dup, double reorder) {
        setUp(drop, dup, reorder, TcpConfig.defaults());
    }

    void setUp(double drop, double dup, double reorder, TcpConfig tcp) {
        link = new TestLink(42, drop, dup, reorder);
        a = new Stack(tcp, System::nanoTime);
        b = new Stack(tcp, System::nanoTime);
        sa = link.station(1);
        sb = link.station(2);
        a.attach("00:02.0", sa, "test");
        b.attach("00:02.0", sb, "test");
        a.configure("eth0", A, 24);
        b.configure("eth0", B, 24);
    }

    @AfterEach
    void tearDown() throws Exception {
        a.close();
        b.close();
        link.close();
    }

    @Test
    void ping_resolves_the_neighbour_by_arp_and_gets_an_echo_reply() throws Exception {
        setUp(0, 0, 0);
        long rtt = a.ping(B, 1, 56, Duration.ofSeconds(5));
        assertTrue(rtt >= 0, "no echo reply");
        assertEquals(1, a.arpEntries().size());
    }

    @Test
    void tcp_transfers_a_megabyte_byte_identical_and_closes_both_ways() throws Exception {
        setUp(0, 0, 0);
        transfer(1 << 20);
    }

    @Test
    void in_receive_batches_the_receiver_acknowledges_once_per_batch() throws Exception {
        setUp(0, 0, 0);
        link.batched(8);
        long before = sb.sent.get();
        transfer(1 << 20);
        long dataSegments = (1 << 20) / 1460;
        long fromReceiver = sb.sent.get() - before;
        // An ACK every second segment would be at least dataSegments / 2 frames (359).
        assertTrue(fromReceiver < dataSegments / 3, fromReceiver + " frames from the receiver for "
                + dataSegments + " data segments in batches of 8");
    }

    @Test
    void tcp_survives_a_lossy_link_that_drops_duplicates_and_reorders() throws Exception {
        setUp(0.05, 0.02, 0.05);
        transfer(200_000);
        // netstat -s of the sender tells what recovery did: SACK was agreed and used
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("tcp: (\\d+) segments retransmitted, (\\d+) fast "
                + "retransmits \\((\\d+) of them SACK recoveries\\)").matcher(a.counters());
        assertTrue(m.find(), a.counters());
        assertTrue(Long.parseLong(m.group(1)) > 0 && Long.parseLong(m.group(3)) > 0, a.counters());
        assertEquals(m.group(2), m.group(3), "every recovery between two SACK stacks uses SACK: " + a.counters());
    }

    @Test
    void connecting_to_a_closed_port_is_refused_by_a_reset() throws Exception {
        setUp(0, 0, 0);
        ConnectException e = assertThrows(ConnectException.class,
                () -> a.connect(new SocketAddress(B, 9), Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains("refused"), e.getMessage());
    }

    @Test
    void a_neighbour_that_never_answers_arp_is_host_unreachable_after_three_requests() throws Exception {
        setUp(0, 0, 0);
        Ipv4Address ghost = Ipv4Address.parse("10.0.0.99");
        java.net.NoRouteToHostException e = assertThrows(java.net.NoRouteToHostException.class,
                () -> a.ping(ghost, 1, 8, Duration.ofSeconds(10)));
        assertTrue(e.getMessage().contains("no ARP reply"), e.getMessage());
        ConnectException c = assertThrows(ConnectException.class,
                () -> a.connect(new SocketAddress(ghost, 80), Duration.ofSeconds(10)));
        assertTrue(c.getMessage().contains("no ARP reply"), c.getMessage());
    }

    @Test
    void a_destination_with_no_route_fails_at_once() throws Exception {
        setUp(0, 0, 0);
        assertThrows(java.net.NoRouteToHostException.class,
                () -> a.ping(Ipv4Address.parse("192.0.2.1"), 1, 8, Duration.ofSeconds(1)));
        a.addRoute(Ipv4Address.ANY, 0, B, null); // B as the default router: it answers for itself
        assertTrue(a.ping(B, 1, 8, Duration.ofSeconds(5)) >= 0);
    }

    @Test
    void a_udp_datagram_to_a_closed_port_gets_icmp_port_unreachable() throws Exception {
        setUp(0, 0, 0);
        DatagramSocket client = a.bindDatagram(new SocketAddress(Ipv4Address.ANY, 0));
        client.send(new SocketAddress(B, 9999), "x".getBytes(), 0, 1);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!b.counters().contains("ICMP errors sent 1") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(b.counters().contains("ICMP errors sent 1"), b.counters());
    }

    @Test
    void loopback_carries_ping_and_tcp_inside_one_stack() throws Exception {
        setUp(0, 0, 0);
        assertTrue(a.ping(Ipv4Address.LOOPBACK, 1, 56, Duration.ofSeconds(5)) >= 0);
        ListeningSocket l = a.listen(new SocketAddress(Ipv4Address.ANY, 7000), 2);
        StreamSocket c = a.connect(new SocketAddress(Ipv4Address.LOOPBACK, 7000), Duration.ofSeconds(5));
        StreamSocket s = l.accept();
        byte[] big = new byte[300_000];
        new Random(3).nextBytes(big);
        CompletableFuture<byte[]> got = CompletableFuture.supplyAsync(() -> {
            try {
                s.setTimeout(Duration.ofSeconds(20));
                return s.inputStream().readAllBytes();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        c.outputStream().write(big);
        c.close();
        assertArrayEquals(big, got.get(30, TimeUnit.SECONDS));
        assertEquals("127.0.0.1", s.remoteAddress().address().toString());
    }

    @Test
    void a_new_nic_with_another_mac_announces_itself_by_gratuitous_arp() throws Exception {
        setUp(0, 0, 0);
        assertTrue(a.ping(B, 1, 8, Duration.ofSeconds(5)) >= 0);
        TestLink.Station replacement = link.station(0x22);
        b.detach("00:02.0", sb);
        sb.unplugged = true;
        b.attach("00:02.0", replacement, "test2");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (a.arpEntries().stream().noneMatch(e -> e.getValue().mac() == 0x525400000022L)
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0x525400000022L, a.arpEntries().get(0).getValue().mac(), "A's cache follows B's new MAC");
        assertTrue(a.ping(B, 2, 8, Duration.ofSeconds(5)) >= 0);
    }

    @Test
    void udp_datagrams_go_both_ways() throws Exception {
        setUp(0, 0, 0);
        DatagramSocket server = b.bindDatagram(new SocketAddress(Ipv4Address.ANY, 7));
        DatagramSocket client = a.bindDatagram(new SocketAddress(Ipv4Address.ANY, 0));
        client.setTimeout(Duration.ofSeconds(5));
        server.setTimeout(Duration.ofSeconds(5));
        client.send(new SocketAddress(B, 7), "hello".getBytes(), 0, 5);
        byte[] buf = new byte[100];
        DatagramSocket.Received r = server.receive(buf, 0, buf.length);
        assertEquals("hello", new String(buf, 0, r.length()));
        assertEquals(A, r.source().address());
        server.send(r.source(), "world".getBytes(), 0, 5);
        r = client.receive(buf, 0, buf.length);
        assertEquals("world", new String(buf, 0, r.length()));
    }

    @Test
    void a_udp_datagram_larger_than_the_mtu_is_fragmented_and_reassembled() throws Exception {
        setUp(0, 0, 0);
        DatagramSocket server = b.bindDatagram(new SocketAddress(Ipv4Address.ANY, 7));
        DatagramSocket client = a.bindDatagram(new SocketAddress(Ipv4Address.ANY, 0));
        server.setTimeout(Duration.ofSeconds(5));
        byte[] big = new byte[9000];
        new Random(1).nextBytes(big);
        client.send(new SocketAddress(B, 7), big, 0, big.length);
        byte[] buf = new byte[10000];
        DatagramSocket.Received r = server.receive(buf, 0, buf.length);
        assertEquals(big.length, r.length());
        assertArrayEquals(big, java.util.Arrays.copyOf(buf, r.length()));
    }

    @Test
    void connections_survive_the_driver_going_away_and_a_new_one_coming() throws Exception {
        setUp(0, 0, 0);
        ListeningSocket l = b.listen(new SocketAddress(Ipv4Address.ANY, 80), 4);
        StreamSocket c = a.connect(new SocketAddress(B, 80), Duration.ofSeconds(5));
        StreamSocket s = l.accept();
        a.detach("00:02.0", sa);
        c.write("during the swap".getBytes(), 0, 15);
        TestLink.Station replacement = link.station(1);
        sa.unplugged = true;
        a.attach("00:02.0", replacement, "test2");
        byte[] buf = new byte[15];
        s.setTimeout(Duration.ofSeconds(10));
        int got = 0;
        while (got < 15) {
            got += s.read(buf, got, 15 - got);
        }
        assertEquals("during the swap", new String(buf));
        assertEquals("eth0", a.interfaces().get(0).name());
        assertEquals(A, a.interfaces().get(0).address());
    }

    @Test
    void connections_over_a_removed_device_fail_with_an_error_instead_of_hanging() throws Exception {
        setUp(0, 0, 0);
        ListeningSocket l = b.listen(new SocketAddress(Ipv4Address.ANY, 80), 4);
        StreamSocket c = a.connect(new SocketAddress(B, 80), Duration.ofSeconds(5));
        l.accept();
        CompletableFuture<Exception> reader = CompletableFuture.supplyAsync(() -> {
            try {
                c.read(new byte[10], 0, 10);
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        a.detach("00:02.0", sa);
        assertNull(a.remove("00:02.1"), "no such slot");
        assertEquals("eth0", a.remove("00:02.0"));
        Exception e = reader.get(30, TimeUnit.SECONDS);
        assertTrue(e instanceof java.io.IOException && e.getMessage().contains("network is down"), String.valueOf(e));
        assertThrows(java.io.IOException.class, () -> c.write(new byte[] {1}, 0, 1));
        assertTrue(a.interfaces().stream().noneMatch(i -> i.name().equals("eth0")), "the interface is gone");
        assertTrue(a.routes().stream().noneMatch(r -> r.interfaceName().equals("eth0")), "and its routes");
    }

    @Test
    void a_writer_blocked_on_a_full_window_over_a_removed_device_gets_an_error() throws Exception {
        setUp(0, 0, 0);
        ListeningSocket l = b.listen(new SocketAddress(Ipv4Address.ANY, 81), 4);
        StreamSocket c = a.connect(new SocketAddress(B, 81), Duration.ofSeconds(5));
        StreamSocket peer = l.accept(); // never reads: the window closes and the writer blocks
        CompletableFuture<Exception> writer = CompletableFuture.supplyAsync(() -> {
            byte[] chunk = new byte[64 * 1024];
            try {
                while (true) {
                    c.write(chunk, 0, chunk.length);
                }
            } catch (Exception e) {
                return e;
            }
        });
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        // Until the peer's window is full and data waits in the send queue (netstat's send-q).
        while (a.socketTable().stream().noneMatch(x -> x.contains(":81 ") && !x.contains(" send-q 0 "))
                && System.nanoTime() < giveUp) {
            Thread.sleep(5);
        }
        a.detach("00:02.0", sa);
        assertEquals("eth0", a.remove("00:02.0"));
        Exception e = writer.get(30, TimeUnit.SECONDS);
        assertTrue(e instanceof java.io.IOException && e.getMessage().contains("network is down"), String.valueOf(e));
        peer.close();
    }

    /**
     * UDP has no connection to fail, so it does what Linux's does: a receive keeps waiting (here
     * until its timeout), a send from the address that went with the device is refused as
     * unreachable, a send from an unbound socket finds no route, and the socket works again once
     * an interface has the address back.
     */
    @Test
    void udp_sockets_on_a_removed_device_stay_open_and_sends_fail_as_on_linux() throws Exception {
        setUp(0, 0, 0);
        DatagramSocket bound = a.bindDatagram(new SocketAddress(A, 5353));
        DatagramSocket any = a.bindDatagram(new SocketAddress(Ipv4Address.ANY, 0));
        DatagramSocket far = b.bindDatagram(new SocketAddress(B, 7));
        far.setTimeout(Duration.ofSeconds(10));
        bound.send(new SocketAddress(B, 7), new byte[] {1}, 0, 1);
        assertEquals(1, far.receive(new byte[4], 0, 4).length());

        a.detach("00:02.0", sa);
        assertEquals("eth0", a.remove("00:02.0"));
        java.io.IOException refused = assertThrows(java.io.IOException.class,
                () -> bound.send(new SocketAddress(B, 7), new byte[] {2}, 0, 1));
        assertEquals("network is unreachable: 10.0.0.1 is not an address of this machine (its interface was "
                + "removed or reconfigured)", refused.getMessage());
        assertThrows(java.net.NoRouteToHostException.class, () -> any.send(new SocketAddress(B, 7), new byte[] {3}, 0, 1));
        bound.setTimeout(Duration.ofMillis(100));
        assertThrows(java.net.SocketTimeoutException.class, () -> bound.receive(new byte[4], 0, 4),
                "a receive waits on, as Linux's does, rather than failing");

        // Another NIC takes the address: the same socket sends and receives again.
        TestLink.Station again = link.station(3);
        a.attach("00:03.0", again, "test");
        a.configure("eth0", A, 24);
        bound.send(new SocketAddress(B, 7), new byte[] {4}, 0, 1);
        byte[] got = new byte[4];
        assertEquals(1, far.receive(got, 0, 4).length());
        assertEquals(4, got[0]);
        far.send(new SocketAddress(A, 5353), new byte[] {5}, 0, 1);
        bound.setTimeout(Duration.ofSeconds(10));
        assertEquals(1, bound.receive(got, 0, 4).length());
        assertEquals(5, got[0]);
    }

    @Test
    void a_slot_whose_driver_is_back_is_not_removed() throws Exception {
        setUp(0, 0, 0);
        assertNull(a.remove("00:02.0"), "a driver is bound: a swap, not a removal");
        assertEquals("eth0", a.interfaces().get(0).name());
    }

    /**
     * The lost wake-up that made keep-alive reads time out now and then: data that arrives while
     * the reader holds the lock is queued, processed by the reader on its way into the wait, and
     * its signal must still end that wait. Every TCP timer is pushed out past the test's timeout, so
     * that no later segment or timer can hide a lost signal.
     */
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void data_queued_while_the_reader_held_the_lock_ends_its_wait() throws Exception {
        TcpConfig d = TcpConfig.defaults();
        long minute = 60_000 * TcpConfig.MS;
        // ACKs and retransmissions come a minute late, so no later segment or timer wakes the reader;
        // no SACK, so no tail loss probe either
        setUp(0, 0, 0, new TcpConfig(d.sendBufferSize(), d.receiveBufferSize(), minute, minute, 2 * minute,
                d.maxRetransmissions(), d.synRetries(), minute, d.msl(), d.keepAliveIdle(), d.keepAliveInterval(),
                d.keepAliveProbes(), false));
        ListeningSocket l = b.listen(new SocketAddress(Ipv4Address.ANY, 5002), 8);
        try (StreamSocket c = a.connect(new SocketAddress(B, 5002), Duration.ofSeconds(5));
             StreamSocket s = l.accept()) {
            byte[] buf = new byte[16]; // and no read timeout: the read returns data or blocks
            a.enter();
            try {
                s.write("pong".getBytes(), 0, 4);
                long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (a.queuedFrames() == 0 && System.nanoTime() < giveUp) {
                    Thread.sleep(1);
                }
                assertEquals(1, a.queuedFrames(), "the segment should wait for the lock this thread holds");
                assertEquals(4, c.read(buf, 0, buf.length)); // a lost signal blocks here until the test's timeout
            } finally {
                a.exit();
            }
            assertEquals("pong", new String(buf, 0, 4));
        }
    }

    private void transfer(int size) throws Exception {
        byte[] data = new byte[size];
        new Random(7).nextBytes(data);
        ListeningSocket l = b.listen(new SocketAddress(Ipv4Address.ANY, 5001), 8);
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
            try (StreamSocket s = l.accept()) {
                s.setTimeout(Duration.ofSeconds(30));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                s.inputStream().transferTo(out);
                return out.toByteArray();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        StreamSocket c = a.connect(new SocketAddress(B, 5001), Duration.ofSeconds(10));
        c.setTimeout(Duration.ofSeconds(30));
        OutputStream out = c.outputStream();
        for (int off = 0; off < size; off += 10_000) {
            out.write(data, off, Math.min(10_000, size - off));
        }
        c.close();
        byte[] got = received.get(50, TimeUnit.SECONDS);
        assertEquals(size, got.length);
        assertArrayEquals(data, got);
        InputStream in = c.inputStream();
        assertEquals(-1, in.read());
    }
}
