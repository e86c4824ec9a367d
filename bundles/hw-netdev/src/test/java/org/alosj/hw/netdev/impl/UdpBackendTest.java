package org.alosj.hw.netdev.impl;

import org.alosj.testkit.RealPeers;
import static org.alosj.hw.netdev.impl.TestFrames.ip;
import static org.alosj.hw.netdev.impl.TestFrames.mac;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.alosj.hal.net.NetPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The UDP backend: two of them share a segment over loopback, and one reaches a real Linux
 * stack through a tap that socat bridges to UDP (QEMU's dgram framing), in a namespace this
 * test creates.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UdpBackendTest {
    static final byte[] OUR_MAC = mac("52:54:00:12:34:56");
    static final byte[] OUR_IP = ip(192, 0, 2, 99);
    static final byte[] LINUX_IP = ip(192, 0, 2, 2);

    static int freePort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    static BlockingQueue<byte[]> attach(UdpBackend b, NetPort[] port) {
        BlockingQueue<byte[]> q = new LinkedBlockingQueue<>();
        port[0] = b.attach("pcnet0", (f, o, l) -> q.add(Arrays.copyOfRange(f, o, o + l)));
        return q;
    }

    @Test
    void framesOfChangingSizesArriveAsSentWhateverTheSenderDoesWithItsArrayAfterwards() throws Exception {
        int pa = freePort();
        int pb = freePort();
        try (UdpBackend a = new UdpBackend("a", loopback(pa), loopback(pb));
             UdpBackend b = new UdpBackend("b", loopback(pb), loopback(pa))) {
            NetPort[] na = new NetPort[1];
            NetPort[] nb = new NetPort[1];
            attach(a, na);
            BlockingQueue<byte[]> qb = attach(b, nb);
            // Sizes that make the reused send buffers too small now and then (a larger MTU).
            int[] sizes = {60, 1514, 9014, 60, 65_000, 1514, 2049, 60, 9014, 4096};
            byte[] frame = new byte[65_000];
            for (int round = 0; round < 30; round++) {
                int length = sizes[round % sizes.length];
                ThreadLocalRandom.current().nextBytes(frame);
                byte[] expected = Arrays.copyOf(frame, length);
                na[0].transmit(frame, 0, length);
                Arrays.fill(frame, (byte) 0); // the backend copied it before transmit returned
                assertArrayEquals(expected, qb.poll(10, TimeUnit.SECONDS), "frame " + round + " of " + length + " bytes");
            }
            assertEquals(30, a.framesOut());
            assertEquals(0, a.dropped());
        }
    }

    @Test
    void twoBackendsCarryFramesBothWaysUnchangedOneFramePerDatagram() throws Exception {
        int pa = freePort();
        int pb = freePort();
        try (UdpBackend a = new UdpBackend("a", loopback(pa), loopback(pb));
             UdpBackend b = new UdpBackend("b", loopback(pb), loopback(pa))) {
            NetPort[] na = new NetPort[1];
            NetPort[] nb = new NetPort[1];
            BlockingQueue<byte[]> qa = attach(a, na);
            BlockingQueue<byte[]> qb = attach(b, nb);
            assertTrue(na[0].linkUp());
            assertNull(a.problem());
            byte[] small = TestFrames.pad(TestFrames.arpRequest(OUR_MAC, OUR_IP, LINUX_IP), 60);
            byte[] big = new byte[1514];
            ThreadLocalRandom.current().nextBytes(big);
            na[0].transmit(small, 0, small.length);
            na[0].transmit(big, 0, big.length);
            assertArrayEquals(small, qb.poll(10, TimeUnit.SECONDS), "padding kept: the frame as sent");
            assertArrayEquals(big, qb.poll(10, TimeUnit.SECONDS));
            nb[0].transmit(big, 100, 60);
            assertArrayEquals(Arrays.copyOfRange(big, 100, 160), qa.poll(10, TimeUnit.SECONDS));
            assertEquals(2, a.framesOut());
            assertEquals(2, b.framesIn());
        }
    }

    @Test
    void framesSentBackToBackLeaveInTheOrderTheNicSentThem() throws Exception {
        int pa = freePort();
        int pb = freePort();
        try (UdpBackend a = new UdpBackend("a", loopback(pa), loopback(pb));
             UdpBackend b = new UdpBackend("b", loopback(pb), loopback(pa))) {
            NetPort[] na = new NetPort[1];
            NetPort[] nb = new NetPort[1];
            attach(a, na);
            BlockingQueue<byte[]> qb = attach(b, nb);
            byte[] frame = new byte[60];
            int count = 100; // well under SEND_QUEUE and the default socket receive buffer
            for (int i = 0; i < count; i++) {
                frame[14] = (byte) i;
                na[0].transmit(frame, 0, frame.length);
                frame[14] = -1; // the port copied the frame: changing it now changes nothing sent
            }
            for (int i = 0; i < count; i++) {
                byte[] got = qb.poll(10, TimeUnit.SECONDS);
                assertNotNull(got, "frame " + i);
                assertEquals((byte) i, got[14], "frame " + i + " in order");
            }
            assertEquals(count, a.framesOut());
            assertEquals(0, a.dropped());
        }
    }

    /** net.core.rmem_max: the most SO_RCVBUF may ask for without privileges. */
    static long rmemMax() throws Exception {
        // Not Files.readString: it sizes its read by the file size, and /proc files say 0.
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/sys/net/core/rmem_max"))) {
            return Long.parseLong(r.readLine().trim());
        }
    }

    @Test
    void theSocketAsksForAReceiveBufferOfSeveralTcpWindows() throws Exception {
        try (UdpBackend a = new UdpBackend("a", loopback(freePort()), loopback(freePort()))) {
            // Linux grants min(request, rmem_max) and reports twice that (its bookkeeping share).
            long expected = Math.min(UdpBackend.RECEIVE_BUFFER, rmemMax());
            assertTrue(a.receiveBufferSize() >= expected, "SO_RCVBUF " + a.receiveBufferSize() + " < " + expected);
        }
    }

    @Test
    void aBurstOfSeveralWindowsWaitsInTheSocketWhileTheNicIsBusy() throws Exception {
        RealPeers.require(rmemMax() >= UdpBackend.RECEIVE_BUFFER,
                "net.core.rmem_max " + rmemMax() + " is below " + UdpBackend.RECEIVE_BUFFER + ": the kernel caps the buffer (.ci/run raises it)");
        int pa = freePort();
        int pb = freePort();
        int frames = 512; // about three 256 KiB TCP windows of 1514-byte frames
        CountDownLatch nicBusy = new CountDownLatch(1);
        BlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
        try (UdpBackend a = new UdpBackend("a", loopback(pa), loopback(pb));
             UdpBackend b = new UdpBackend("b", loopback(pb), loopback(pa))) {
            NetPort na = a.attach("nic-a", (f, o, l) -> true);
            b.attach("nic-b", (f, o, l) -> {
                try {
                    nicBusy.await(); // the receive thread is held as long as the NIC takes
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return got.add(Arrays.copyOfRange(f, o, o + l));
            });
            byte[] frame = new byte[1514];
            for (int i = 0; i < frames; i++) {
                frame[14] = (byte) i;
                frame[15] = (byte) (i >>> 8);
                na.transmit(frame, 0, frame.length);
            }
            nicBusy.countDown();
            for (int i = 0; i < frames; i++) {
                byte[] f = got.poll(10, TimeUnit.SECONDS);
                assertNotNull(f, "frame " + i + " of " + frames + " lost");
                assertEquals(i, (f[14] & 0xff) | (f[15] & 0xff) << 8, "in order");
            }
            assertEquals(0, b.dropped());
        }
    }

    @Test
    void datagramsFromAnyoneButTheRemoteAreIgnored() throws Exception {
        int pa = freePort();
        int pb = freePort();
        try (UdpBackend a = new UdpBackend("a", loopback(pa), loopback(pb));
             DatagramSocket stranger = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DatagramSocket peer = new DatagramSocket(loopback(pb))) {
            NetPort[] na = new NetPort[1];
            BlockingQueue<byte[]> qa = attach(a, na);
            byte[] f = TestFrames.arpRequest(OUR_MAC, OUR_IP, LINUX_IP);
            stranger.send(new DatagramPacket(f, f.length, loopback(pa)));
            peer.send(new DatagramPacket(f, 10, loopback(pa)));        // a runt: shorter than a header
            peer.send(new DatagramPacket(f, f.length, loopback(pa)));
            assertArrayEquals(f, qa.poll(10, TimeUnit.SECONDS), "the peer's frame");
            assertNull(qa.poll(200, TimeUnit.MILLISECONDS));
            assertEquals(1, a.foreignDatagrams());
            assertEquals(1, a.dropped(), "the runt");
            byte[] tooBig = new byte[UdpBackend.MAX_DATAGRAM + 1];
            na[0].transmit(tooBig, 0, tooBig.length);
            assertEquals(2, a.dropped(), "a frame no datagram can carry");
        }
    }

    @Test
    void addressesAreCheckedWithoutNameLookups() {
        assertEquals(5555, UdpBackend.parseAddress(":5555", false).getPort());
        assertTrue(UdpBackend.parseAddress(":5555", false).getAddress().isAnyLocalAddress());
        assertEquals("127.0.0.1", UdpBackend.parseAddress("127.0.0.1:1", true).getAddress().getHostAddress());
        assertEquals(7, UdpBackend.parseAddress("[::1]:7", true).getPort());
        for (String bad : new String[] {"", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "256.0.0.1:5",
                "example.test:5", "[zz]:5", "1.2.3:5"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> UdpBackend.parseAddress(bad, true), bad);
            assertTrue(bad.isEmpty() || e.getMessage().contains(bad), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> UdpBackend.parseAddress(":5", true));
        assertThrows(IllegalArgumentException.class,
                () -> new UdpBackend("u", loopback(0), new InetSocketAddress("0.0.0.0", 5)));
    }

    /** Waits for the first frame {@code p} accepts, answering Linux's ARP requests for our address meanwhile. */
    static byte[] next(BlockingQueue<byte[]> q, NetPort port, java.util.function.Predicate<byte[]> p)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            byte[] f = q.poll(100, TimeUnit.MILLISECONDS);
            if (f == null) {
                continue;
            }
            if (TestFrames.etherType(f) == 0x0806 && TestFrames.u16(f, 20) == 1
                    && Arrays.equals(TestFrames.slice(f, 38, 4), OUR_IP)) {
                byte[] reply = TestFrames.arpReply(OUR_MAC, OUR_IP, TestFrames.slice(f, 22, 6),
                        TestFrames.slice(f, 28, 4));
                port.transmit(reply, 0, reply.length);
            }
            if (p.test(f)) {
                return f;
            }
        }
        return null;
    }

    @Test
    void aLinuxTapBridgedBySocatAnswersArpAndPing() throws Exception {
        NetNamespace.assumeUsable("socat");
        int ours = freePort();
        int socats = freePort();
        String tap = "alosnd" + ThreadLocalRandom.current().nextInt(100_000);
        try (NetNamespace ns = NetNamespace.create();
             UdpBackend udp = new UdpBackend("u0", loopback(ours), loopback(socats))) {
            ns.startHere("socat", "TUN,tun-type=tap,tun-name=" + tap + ",iff-no-pi",
                    "UDP:127.0.0.1:" + ours + ",sourceport=" + socats);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!NetNamespace.tryRun("ip", "link", "show", tap)) {
                assertTrue(System.nanoTime() < deadline, "socat made no tap " + tap);
                Thread.sleep(20);
            }
            NetNamespace.run("ip", "link", "set", tap, "netns", ns.name);
            ns.exec("ip", "addr", "add", "192.0.2.2/24", "dev", tap);
            ns.exec("ip", "link", "set", tap, "up");
            NetPort[] port = new NetPort[1];
            BlockingQueue<byte[]> q = attach(udp, port);

            byte[] request = TestFrames.pad(TestFrames.arpRequest(OUR_MAC, OUR_IP, LINUX_IP), 60);
            port[0].transmit(request, 0, request.length);
            byte[] reply = next(q, port[0], f -> TestFrames.etherType(f) == 0x0806 && TestFrames.u16(f, 20) == 2);
            assertNotNull(reply, "Linux answers the ARP request for its address");
            assertArrayEquals(LINUX_IP, TestFrames.slice(reply, 28, 4));
            assertArrayEquals(OUR_MAC, TestFrames.slice(reply, 0, 6));
            byte[] linuxMac = TestFrames.slice(reply, 22, 6);
            String link = ns.exec("ip", "link", "show", tap);
            assertTrue(link.contains(java.util.HexFormat.ofDelimiter(":").formatHex(linuxMac)), link);

            byte[] data = "ping from ALOS/J".getBytes();
            byte[] echo = TestFrames.icmpEcho(OUR_MAC, linuxMac, OUR_IP, LINUX_IP, 0x4a4a, 7, data);
            port[0].transmit(echo, 0, echo.length);
            byte[] pong = next(q, port[0], f -> TestFrames.ipProtocol(f) == 1);
            assertNotNull(pong, "Linux answers the ICMP echo");
            int icmp = TestFrames.ipPayload(pong);
            assertEquals(0, pong[icmp], "echo reply");
            assertEquals(0x4a4a, TestFrames.u16(pong, icmp + 4));
            assertEquals(7, TestFrames.u16(pong, icmp + 6));
            assertArrayEquals(data, TestFrames.slice(pong, icmp + 8, data.length));
            assertEquals(0xFFFF, TestFrames.checksum(pong, icmp, pong.length - icmp), "ICMP checksum valid (ones' complement sum of all ones)");
        }
    }
}
