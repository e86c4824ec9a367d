package org.alosj.hw.netdev.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.alosj.hal.net.NetPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapBackendTest {
    static final byte[] NIC = TestFrames.mac("52:54:00:12:34:56");
    static final byte[] PEER = TestFrames.mac("02:00:00:00:00:01");

    @TempDir
    Path dir;

    private static byte[] arp() {
        return TestFrames.arpRequest(NIC, TestFrames.ip(10, 0, 2, 15), TestFrames.ip(10, 0, 2, 2));
    }

    private static byte[] udp() {
        return TestFrames.udp(PEER, NIC, TestFrames.ip(10, 0, 2, 2), TestFrames.ip(10, 0, 2, 15), 5353, 4242,
                "hello".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void theFileIsClassicLibpcapWithMicrosecondTimestamps() throws Exception {
        Path file = dir.resolve("sink.pcap");
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L, 123_456_789L), ZoneOffset.UTC);
        try (PcapBackend pcap = new PcapBackend("cap0", file, null, clock)) {
            NetPort port = pcap.attach("pcnet0", (f, o, l) -> true);
            byte[] f = arp();
            port.transmit(f, 0, f.length);
            // flushed per frame: the bytes are there before close
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(24 + 16 + f.length, b.limit());
            assertEquals(0xa1b2c3d4, b.getInt(0));
            assertEquals(2, b.getShort(4));
            assertEquals(4, b.getShort(6));
            assertEquals(65535, b.getInt(16));
            assertEquals(1, b.getInt(20));
            assertEquals(1_700_000_000, b.getInt(24));
            assertEquals(123_456, b.getInt(28));
            assertEquals(f.length, b.getInt(32));
            assertEquals(f.length, b.getInt(36));
            assertArrayEquals(f, Arrays.copyOfRange(b.array(), 40, 40 + f.length));
            assertTrue(port.linkUp(), "a sink gives the NIC carrier");
        }
    }

    @Test
    void tsharkDecodesWhatTheSinkRecorded() throws Exception {
        Tshark.assumeInstalled();
        Path file = dir.resolve("sink.pcap");
        try (PcapBackend pcap = new PcapBackend("cap0", file, null)) {
            NetPort port = pcap.attach("pcnet0", (f, o, l) -> true);
            byte[] a = arp();
            byte[] u = udp();
            port.transmit(a, 0, a.length);
            port.transmit(u, 0, u.length);
            port.transmit(new byte[5], 0, 5); // refused, not recorded
            List<String> lines = Tshark.fields(file, "eth.src", "eth.dst", "eth.type", "arp.opcode",
                    "ip.src", "udp.dstport", "frame.len");
            assertEquals(List.of(
                    "52:54:00:12:34:56,ff:ff:ff:ff:ff:ff,0x0806,1,,,42",
                    "02:00:00:00:00:01,52:54:00:12:34:56,0x0800,,10.0.2.2,4242,47"), lines);
        }
    }

    @Test
    void aTapPassesBothDirectionsThroughAndRecordsThem() throws Exception {
        Tshark.assumeInstalled();
        Path file = dir.resolve("tap.pcap");
        try (Hub hub = new Hub("lan0"); PcapBackend pcap = new PcapBackend("tap0", file, hub)) {
            BlockingQueue<byte[]> atNic = new LinkedBlockingQueue<>();
            BlockingQueue<byte[]> atPeer = new LinkedBlockingQueue<>();
            NetPort nic = pcap.attach("pcnet0", (f, o, l) -> atNic.add(Arrays.copyOfRange(f, o, o + l)));
            NetPort peer = hub.attach("peer", (f, o, l) -> atPeer.add(Arrays.copyOfRange(f, o, o + l)));
            assertEquals(2, hub.portCount());
            byte[] a = arp();
            nic.transmit(a, 0, a.length);
            assertArrayEquals(a, atPeer.poll(5, TimeUnit.SECONDS));
            byte[] u = udp();
            peer.transmit(u, 0, u.length);
            assertArrayEquals(u, atNic.poll(5, TimeUnit.SECONDS));
            assertEquals(List.of("52:54:00:12:34:56,0x0806", "02:00:00:00:00:01,0x0800"),
                    Tshark.fields(file, "eth.src", "eth.type"));
            nic.close();
            assertEquals(1, hub.portCount(), "closing the tap port closes its port on the inner backend");
            assertFalse(nic.linkUp());
        }
    }

    @Test
    void aThrowingReceiverBehindATapIsContained() throws Exception {
        Path file = dir.resolve("tap.pcap");
        try (Hub hub = new Hub("lan0"); PcapBackend pcap = new PcapBackend("tap0", file, hub)) {
            pcap.attach("pcnet0", (f, o, l) -> {
                throw new IllegalStateException("NIC bug");
            });
            BlockingQueue<byte[]> other = new LinkedBlockingQueue<>();
            hub.attach("other", (f, o, l) -> other.add(f.clone()));
            NetPort peer = hub.attach("peer", (f, o, l) -> true);
            byte[] u = udp();
            peer.transmit(u, 0, u.length);
            peer.transmit(u, 0, u.length);
            assertArrayEquals(u, other.poll(5, TimeUnit.SECONDS));
            assertArrayEquals(u, other.poll(5, TimeUnit.SECONDS));
            assertEquals(2, pcap.packets());
        }
    }
}
