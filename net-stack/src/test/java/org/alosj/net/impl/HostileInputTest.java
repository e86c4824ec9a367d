package org.alosj.net.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.alosj.kernel.device.NetDevice;
import org.alosj.net.Ipv4Address;
import org.alosj.net.ListeningSocket;
import org.alosj.net.SocketAddress;
import org.alosj.net.impl.wire.EthernetFrame;
import org.alosj.net.impl.wire.Ipv4Header;
import org.alosj.net.impl.wire.TcpHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A whole stack fed hostile frames straight into its receiver, as a NIC would hand them over. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileInputTest {
    static final long PEER_MAC = 0x525400000099L;
    static final int US = 0x0a000001;
    static final int PEER = 0x0a000063;
    TestLink link;
    TestLink.Station station;
    Stack stack;

    @BeforeEach
    void setUp() {
        link = new TestLink(1, 0, 0, 0);
        station = link.station(1);
        stack = new Stack();
        stack.attach("00:02.0", station, "test");
        stack.configure("eth0", new Ipv4Address(US), 24);
    }

    @AfterEach
    void tearDown() throws Exception {
        stack.close();
        link.close();
    }

    void inject(byte[] frame) {
        NetDevice.Receiver r = station.receiver;
        r.frameReceived(station, frame, 0, frame.length);
    }

    @Test
    void random_and_mutated_frames_are_dropped_and_counted_and_nothing_escapes() throws Exception {
        SplittableRandom r = new SplittableRandom(2026);
        byte[] valid = tcpFrame(TcpHeader.SYN, 1234, 1);
        for (int i = 0; i < 20_000; i++) {
            byte[] f;
            if (i % 2 == 0) {
                f = new byte[r.nextInt(0, 1515)];
                r.nextBytes(f);
                if (r.nextBoolean() && f.length >= 14) {
                    // aim at us, so the frame gets past the MAC filter into the parsers
                    new EthernetFrame(0x525400000001L, PEER_MAC, r.nextBoolean() ? 0x0800 : 0x0806).emit(f, 0);
                }
            } else {
                f = valid.clone();
                for (int k = r.nextInt(1, 6); k > 0; k--) {
                    f[r.nextInt(14, f.length)] = (byte) r.nextInt(256);
                }
            }
            inject(f);
        }
        // The stack still works: it answers a ping from the other side of the link.
        Stack peer = new Stack();
        try {
            peer.attach("00:02.0", link.station(2), "test");
            peer.configure("eth0", new Ipv4Address(0x0a000002), 24);
            assertTrue(peer.ping(new Ipv4Address(US), 1, 8, Duration.ofSeconds(5)) >= 0);
        } finally {
            peer.close();
        }
        assertTrue(stack.malformed.get() > 1000, "malformed frames counted: " + stack.counters());
        assertTrue(stack.interfaces().get(0).counters().rxErrors() > 1000);
    }

    @Test
    void a_syn_flood_fills_only_the_listen_backlog() throws Exception {
        ListeningSocket l = stack.listen(new SocketAddress(Ipv4Address.ANY, 80), 4);
        for (int port = 1000; port < 1100; port++) {
            inject(tcpFrame(TcpHeader.SYN, port, 7));
        }
        stack.enter();
        try {
            TcpListener tl = (TcpListener) l;
            assertEquals(4, tl.halfOpen);
        } finally {
            stack.exit();
        }
        assertEquals(96, stack.synDropped.get());
        assertEquals(4 + 1, stack.socketTable().size(), String.join("\n", stack.socketTable()));
    }

    @Test
    void a_segment_for_no_connection_is_answered_with_rst() throws Exception {
        long before = station.sent.get();
        inject(tcpFrame(TcpHeader.SYN, 2000, 5));
        // ARP for the peer first, then the RST once resolved: count the frames we sent
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (station.sent.get() == before && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(station.sent.get() > before);
        assertEquals(1, stack.noSocket.get());
    }

    /** An Ethernet + IPv4 + TCP frame from the peer to us with a correct checksum. */
    static byte[] tcpFrame(int flags, int srcPort, int seq) {
        byte[] f = new byte[14 + 20 + 20];
        new EthernetFrame(0x525400000001L, PEER_MAC, EthernetFrame.ETHERTYPE_IPV4).emit(f, 0);
        new Ipv4Header(20, 0, 40, 1, true, false, 0, 64, Ipv4Header.PROTO_TCP, PEER, US).emit(f, 14);
        new TcpHeader(srcPort, 80, seq, 0, flags, 65535, 0, 20, -1, -1, false).emit(f, 34, 0, PEER, US);
        return f;
    }

}
