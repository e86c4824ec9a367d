package org.alosj.hw.netdev.impl;

import static org.alosj.hw.netdev.impl.TestFrames.ip;
import static org.alosj.hw.netdev.impl.TestFrames.mac;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.alosj.hal.net.NetBackend;
import org.alosj.hal.net.NetPort;
import org.alosj.testkit.Wait;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The passt backend against the real passt, run in a network namespace this test creates
 * (192.0.2.2/24, gateway 192.0.2.1): raw frames in, passt's DHCP server, ARP and ICMP answers
 * out.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PasstBackendTest {
    /** passt starts as a process of its own: its link may take a while on a loaded machine. */
    static final java.time.Duration PASST_WAIT = java.time.Duration.ofSeconds(20);

    static final byte[] GUEST_MAC = mac("52:54:00:12:34:56");
    static final byte[] GUEST_IP = ip(192, 0, 2, 2);
    static final byte[] GATEWAY_IP = ip(192, 0, 2, 1);
    static NetNamespace ns;
    static Path passt;

    @TempDir
    Path tmp;

    @BeforeAll
    static void namespace() throws Exception {
        NetNamespace.assumeUsable("passt");
        passt = PasstBackend.findOnPath().orElseThrow();
        ns = NetNamespace.createForPasst();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (ns != null) {
            ns.close();
        }
    }

    static PasstBackend startPasst(List<HostForward> forwards) throws Exception {
        return new PasstBackend("p0", new PasstBackend.Options(null, passt, forwards, 1500, ns.name, null));
    }

    static BlockingQueue<byte[]> attach(NetBackend b, NetPort[] port) {
        BlockingQueue<byte[]> q = new LinkedBlockingQueue<>();
        port[0] = b.attach("pcnet0", (f, o, l) -> q.add(Arrays.copyOfRange(f, o, o + l)));
        return q;
    }


    /** The first frame matching {@code p} within 10 s, or null. */
    static byte[] next(BlockingQueue<byte[]> q, Predicate<byte[]> p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            byte[] f = q.poll(100, TimeUnit.MILLISECONDS);
            if (f != null && p.test(f)) {
                return f;
            }
        }
        return null;
    }

    static byte[] send(NetPort port, byte[] frame) {
        port.transmit(frame, 0, frame.length);
        return frame;
    }

    static boolean isArpReplyFrom(byte[] f, byte[] senderIp) {
        return TestFrames.etherType(f) == 0x0806 && f.length >= 42 && TestFrames.u16(f, 20) == 2
                && Arrays.equals(TestFrames.slice(f, 28, 4), senderIp);
    }

    /** Asks passt for the gateway's MAC and returns it. */
    static byte[] arpForTheGateway(NetPort port, BlockingQueue<byte[]> q) throws InterruptedException {
        // Padded to 60 bytes, as the PCnet pads it.
        send(port, TestFrames.pad(TestFrames.arpRequest(GUEST_MAC, GUEST_IP, GATEWAY_IP), 60));
        byte[] reply = next(q, f -> isArpReplyFrom(f, GATEWAY_IP));
        assertNotNull(reply, "passt answers an ARP request for the gateway");
        assertArrayEquals(GUEST_MAC, TestFrames.slice(reply, 0, 6), "the reply goes to the asker");
        assertArrayEquals(GUEST_MAC, TestFrames.slice(reply, 32, 6), "target hardware address");
        return TestFrames.slice(reply, 22, 6);
    }

    @Test
    void aDhcpDiscoverGetsAnOfferOfTheNamespacesAddressWithItsGateway() throws Exception {
        try (PasstBackend b = startPasst(List.of())) {
            NetPort[] port = new NetPort[1];
            BlockingQueue<byte[]> q = attach(b, port);
            Wait.until("link up to the passt we started; problem: " + b.problem(), PASST_WAIT, () -> port[0].linkUp());
            assertNull(b.problem());
            // Ten bytes of trailing padding: the backend must strip them or passt drops the frame.
            send(port[0], TestFrames.pad(TestFrames.dhcpDiscover(GUEST_MAC, 0x3903F326),
                    TestFrames.dhcpDiscover(GUEST_MAC, 0).length + 10));
            byte[] offer = next(q, f -> TestFrames.ipProtocol(f) == 17
                    && TestFrames.u16(f, TestFrames.ipPayload(f)) == 67);
            assertNotNull(offer, "a DHCP answer from passt");
            int bootp = TestFrames.ipPayload(offer) + 8;
            assertEquals(2, offer[bootp], "op: BOOTREPLY");
            assertEquals(0x3903F326, java.nio.ByteBuffer.wrap(offer, bootp + 4, 4).getInt(), "xid echoed");
            assertArrayEquals(GUEST_IP, TestFrames.slice(offer, bootp + 16, 4), "yiaddr: the namespace's address");
            byte[] options = Arrays.copyOfRange(offer, bootp + 240, offer.length);
            assertEquals(2, option(options, 53)[0], "DHCP message type: OFFER");
            assertArrayEquals(GATEWAY_IP, option(options, 3), "router: the namespace's gateway");
            assertArrayEquals(ip(255, 255, 255, 0), option(options, 1), "subnet mask");
            assertEquals(1500, TestFrames.u16(option(options, 26), 0), "interface MTU, as configured");
        }
    }

    static byte[] option(byte[] options, int code) {
        for (int i = 0; i < options.length && (options[i] & 0xFF) != 255; ) {
            if (options[i] == 0) {
                i++;
                continue;
            }
            int len = options[i + 1] & 0xFF;
            if ((options[i] & 0xFF) == code) {
                return Arrays.copyOfRange(options, i + 2, i + 2 + len);
            }
            i += 2 + len;
        }
        throw new AssertionError("no DHCP option " + code);
    }

    @Test
    void theGatewayAnswersArpAndAPaddedIcmpEcho() throws Exception {
        try (PasstBackend b = startPasst(List.of())) {
            NetPort[] port = new NetPort[1];
            BlockingQueue<byte[]> q = attach(b, port);
            Wait.until("link up; problem: " + b.problem(), PASST_WAIT, () -> port[0].linkUp());
            byte[] gatewayMac = arpForTheGateway(port[0], q);
            byte[] data = "alos".getBytes();
            byte[] echo = TestFrames.icmpEcho(GUEST_MAC, gatewayMac, GUEST_IP, GATEWAY_IP, 0x77, 1, data);
            assertTrue(echo.length < 60);
            send(port[0], TestFrames.pad(echo, 60));
            byte[] reply = next(q, f -> TestFrames.ipProtocol(f) == 1);
            assertNotNull(reply, "an ICMP echo reply from the gateway");
            int icmp = TestFrames.ipPayload(reply);
            assertEquals(0, reply[icmp], "type: echo reply");
            assertEquals(0x77, TestFrames.u16(reply, icmp + 4), "identifier");
            assertEquals(1, TestFrames.u16(reply, icmp + 6), "sequence number");
            assertArrayEquals(data, TestFrames.slice(reply, icmp + 8, data.length), "data echoed");
            assertArrayEquals(GATEWAY_IP, TestFrames.slice(reply, 26, 4), "from the gateway");
            assertTrue(b.framesIn() >= 2 && b.framesOut() >= 2);
        }
    }

    @Test
    void aHostForwardBringsAHostConnectionToTheGuestsPort() throws Exception {
        try (PasstBackend b = startPasst(HostForward.parseList("tcp::8080-:80 udp::5353-:53"))) {
            NetPort[] port = new NetPort[1];
            BlockingQueue<byte[]> q = attach(b, port);
            Wait.until("link up; problem: " + b.problem(), PASST_WAIT, () -> port[0].linkUp());
            arpForTheGateway(port[0], q);   // passt learns the guest's MAC
            ns.start("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080; sleep 20");
            byte[] syn = next(q, f -> TestFrames.ipProtocol(f) == 6
                    && TestFrames.u16(f, TestFrames.ipPayload(f) + 2) == 80
                    && (f[TestFrames.ipPayload(f) + 13] & 0x12) == 0x02);
            assertNotNull(syn, "passt opens the forwarded connection to the guest with a SYN to port 80");
            assertArrayEquals(GUEST_IP, TestFrames.slice(syn, 30, 4));
            ns.exec("bash", "-c", "echo forwarded > /dev/udp/127.0.0.1/5353");
            byte[] datagram = next(q, f -> TestFrames.ipProtocol(f) == 17
                    && TestFrames.u16(f, TestFrames.ipPayload(f) + 2) == 53);
            assertNotNull(datagram, "a datagram to the host's UDP port 5353 reaches the guest's port 53");
            int udp = TestFrames.ipPayload(datagram);
            assertEquals("forwarded\n", new String(datagram, udp + 8, TestFrames.u16(datagram, udp + 4) - 8));
        }
    }

    @Test
    void aStartedPasstThatDiesIsStartedAgain() throws Exception {
        try (PasstBackend b = startPasst(List.of())) {
            NetPort[] port = new NetPort[1];
            BlockingQueue<byte[]> q = attach(b, port);
            Wait.until("link up; problem: " + b.problem(), PASST_WAIT, () -> port[0].linkUp());
            long first = b.pid();
            NetNamespace.run("kill", "-KILL", Long.toString(first));
            Wait.until("the backend notices", PASST_WAIT, () -> b.problem() != null || b.pid() != first);
            Wait.until("a new passt; problem: " + b.problem(), PASST_WAIT, () -> port[0].linkUp() && b.pid() != first);
            q.clear();
            arpForTheGateway(port[0], q);
        }
    }

    @Test
    void closingStopsThePasstItStartedAndRemovesItsSocket() throws Exception {
        PasstBackend b = startPasst(List.of());
        NetPort[] port = new NetPort[1];
        attach(b, port);
        Wait.until("link up; problem: " + b.problem(), PASST_WAIT, () -> port[0].linkUp());
        long pid = b.pid();
        assertTrue(pid > 0);
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        Path socket = b.socket();
        assertTrue(Files.exists(socket));
        b.close();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "passt is gone");
        assertFalse(Files.exists(socket.getParent()), "its private directory is gone");
        assertFalse(port[0].linkUp());
    }

    @Test
    void aPasstListeningOnASocketIsReconnectedToAfterItRestarts() throws Exception {
        Path socket = tmp.resolve("passt.sock");
        Process first = ns.start(passt.toString(), "-f", "--runas", "0", "-s", socket.toString());
        try (PasstBackend b = new PasstBackend("p1", PasstBackend.Options.connectTo(socket))) {
            NetPort[] port = new NetPort[1];
            BlockingQueue<byte[]> q = attach(b, port);
            Wait.until("link up; problem: " + b.problem(), PASST_WAIT, () -> port[0].linkUp());
            arpForTheGateway(port[0], q);
            first.destroy();
            first.waitFor(5, TimeUnit.SECONDS);
            Wait.until("link down when passt is gone", PASST_WAIT, () -> !port[0].linkUp());
            assertNotNull(b.problem(), "problem() says why there is no peer");
            assertTrue(b.problem().contains("passt"), b.problem());
            Files.deleteIfExists(socket);
            ns.start(passt.toString(), "-f", "--runas", "0", "-s", socket.toString());
            Wait.until("link up again; problem: " + b.problem(), PASST_WAIT, () -> port[0].linkUp());
            assertNull(b.problem());
            q.clear();
            arpForTheGateway(port[0], q);
        }
    }

    @Test
    void aPasstThatCannotStartLeavesTheLinkDownAndSaysWhy() throws Exception {
        try (PasstBackend b = new PasstBackend("p2", new PasstBackend.Options(null, passt, List.of(), 1500,
                "alosnd-no-such-namespace", null))) {
            NetPort[] port = new NetPort[1];
            attach(b, port);
            Wait.until("a problem naming the exit; now: " + b.problem(), PASST_WAIT,
                    () -> b.problem() != null && b.problem().contains("exited with status"));
            assertTrue(b.problem().contains("alosnd-no-such-namespace"), b.problem());
            assertFalse(port[0].linkUp());
        }
    }
}
