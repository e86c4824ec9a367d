package org.alosj.hw.pcnet.impl;

import static org.alosj.hw.pcnet.impl.PcnetRegisters.CSR0_ERR;
import static org.alosj.hw.pcnet.impl.PcnetRegisters.CSR0_IENA;
import static org.alosj.hw.pcnet.impl.PcnetRegisters.CSR0_INTR;
import static org.alosj.hw.pcnet.impl.PcnetRegisters.CSR0_MISS;
import static org.alosj.hw.pcnet.impl.PcnetRegisters.CSR0_RINT;
import static org.alosj.hw.pcnet.impl.PcnetRegisters.CSR0_STOP;
import static org.alosj.hw.pcnet.impl.PcnetRegisters.CSR0_TDMD;
import static org.alosj.hw.pcnet.impl.PcnetRegisters.CSR0_TINT;
import static org.alosj.hw.pcnet.impl.PcnetRegisters.RMD1_BAM;
import static org.alosj.hw.pcnet.impl.PcnetRegisters.RMD1_ENP;
import static org.alosj.hw.pcnet.impl.PcnetRegisters.RMD1_LAFM;
import static org.alosj.hw.pcnet.impl.PcnetRegisters.RMD1_OWN;
import static org.alosj.hw.pcnet.impl.PcnetRegisters.RMD1_PAM;
import static org.alosj.hw.pcnet.impl.PcnetRegisters.RMD1_STP;
import static org.alosj.hw.pcnet.impl.PcnetRegisters.TMD1_ENP;
import static org.alosj.hw.pcnet.impl.PcnetRegisters.TMD1_OWN;
import static org.alosj.hw.pcnet.impl.PcnetRegisters.TMD1_STP;
import static org.alosj.hw.pcnet.impl.PcnetRegisters.TMD2_LCAR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.alosj.hal.net.NetPort;
import org.alosj.hw.netdev.impl.PcapBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Init block, rings, DMA and interrupts, driven the way pcnet32 drives the card. */
class DataPathTest {
    @TempDir
    Path dir;

    private static NetPort listen(Rig rig, BlockingQueue<byte[]> into) {
        return rig.hub.attach("peer", (f, o, l) -> into.add(Arrays.copyOfRange(f, o, o + l)));
    }

    private static byte[] withFcs(byte[] frame) {
        byte[] data = Arrays.copyOf(frame, Math.max(frame.length, 60) + 4);
        CRC32 crc = new CRC32();
        crc.update(data, 0, data.length - 4);
        long v = crc.getValue();
        for (int i = 0; i < 4; i++) {
            data[data.length - 4 + i] = (byte) (v >>> (8 * i));
        }
        return data;
    }

    @ParameterizedTest(name = "SWSTYLE {0}")
    @ValueSource(ints = {0, 2, 3})
    void initSetsIdonAndInterruptsThenStrtTransmitsAFramePaddedByApadXmt(int style) throws Exception {
        try (Rig rig = new Rig()) {
            BlockingQueue<byte[]> wire = new LinkedBlockingQueue<>();
            listen(rig, wire);
            rig.style = style;
            rig.enable();
            assertFalse(rig.intxAsserted());
            rig.bringUp(style, 0, 0);
            assertFalse(rig.intxAsserted(), "IDON acknowledged");
            byte[] arp = Frames.arpRequest(Rig.MAC);
            rig.queueTx(0, arp);
            rig.csr(0, CSR0_TDMD | CSR0_IENA);
            byte[] sent = wire.poll(5, TimeUnit.SECONDS);
            assertEquals(60, sent.length, "42-byte ARP padded to 60 by APAD_XMT");
            assertArrayEquals(arp, Arrays.copyOf(sent, arp.length));
            assertEquals(TMD1_STP | TMD1_ENP, rig.txStatus(0) & (TMD1_OWN | TMD1_STP | TMD1_ENP), "OWN handed back");
            int c0 = rig.csr(0);
            assertEquals(CSR0_TINT | CSR0_INTR, c0 & (CSR0_TINT | CSR0_INTR));
            assertTrue(rig.intxAsserted(), "INTA while TINT and IENA");
            rig.csr(0, CSR0_TINT | CSR0_IENA);
            assertFalse(rig.intxAsserted(), "TINT is write-one-to-clear");
            assertNull(wire.poll(50, TimeUnit.MILLISECONDS));
        }
    }

    @ParameterizedTest(name = "SWSTYLE {0}")
    @ValueSource(ints = {0, 2, 3})
    void aFrameFromTheWireLandsInTheRxRingWithMcntAndRint(int style) throws Exception {
        try (Rig rig = new Rig()) {
            NetPort peer = listen(rig, new LinkedBlockingQueue<>());
            rig.bringUp(style, 0, 0);
            byte[] frame = Frames.udp(Rig.MAC, 100);
            peer.transmit(frame, 0, frame.length);
            assertTrue(Rig.waitUntil(() -> (rig.csr(0) & CSR0_RINT) != 0), "RINT");
            assertTrue(rig.intxAsserted());
            int status = rig.rxStatus(0);
            assertEquals(0, status & RMD1_OWN);
            assertEquals(RMD1_STP | RMD1_ENP, status & (RMD1_STP | RMD1_ENP));
            if (style != 0) {
                assertEquals(RMD1_PAM, status & (RMD1_PAM | RMD1_BAM | RMD1_LAFM));
            }
            assertEquals(frame.length + 4, rig.rxMessageCount(0), "MCNT counts the FCS");
            assertArrayEquals(withFcs(frame), rig.rxBuffer(0, frame.length + 4));
            assertEquals(RMD1_OWN, rig.rxStatus(1) & RMD1_OWN, "the next descriptor is untouched");

            byte[] shortOne = Frames.arpRequest(Frames.PEER);
            peer.transmit(shortOne, 0, shortOne.length);
            assertTrue(Rig.waitUntil(() -> (rig.rxStatus(1) & RMD1_OWN) == 0));
            assertEquals(64, rig.rxMessageCount(1), "a short frame is padded to 60 plus FCS");
            if (style != 0) {
                assertEquals(RMD1_BAM, rig.rxStatus(1) & (RMD1_PAM | RMD1_BAM | RMD1_LAFM), "broadcast");
            }
        }
    }

    @Test
    void theAddressFilterTakesOwnBroadcastHashedMulticastAndAllInPromiscuousMode() throws Exception {
        byte[] multicast = {0x01, 0x00, 0x5E, 0x00, 0x00, (byte) 0xFB};
        int hash = Receiver.ladrfHash(multicast, 0);
        try (Rig rig = new Rig()) {
            NetPort peer = listen(rig, new LinkedBlockingQueue<>());
            rig.bringUp(2, 0, 1L << hash);
            byte[] other = Frames.udp(new byte[] {0x02, 0x11, 0x22, 0x33, 0x44, 0x55}, 10);
            byte[] otherGroup = Frames.udp(new byte[] {0x01, 0x00, 0x5E, 0x00, 0x00, 0x01}, 10);
            byte[] group = Frames.udp(multicast, 10);
            peer.transmit(other, 0, other.length);
            peer.transmit(otherGroup, 0, otherGroup.length);
            peer.transmit(group, 0, group.length);
            assertTrue(Rig.waitUntil(() -> (rig.rxStatus(0) & RMD1_OWN) == 0));
            assertEquals(RMD1_LAFM, rig.rxStatus(0) & (RMD1_PAM | RMD1_BAM | RMD1_LAFM), "the hashed group");
            assertArrayEquals(group, Arrays.copyOf(rig.rxBuffer(0, group.length), group.length));
            Thread.sleep(50);
            assertEquals(RMD1_OWN, rig.rxStatus(1) & RMD1_OWN, "other unicast and groups dropped");
        }
        try (Rig rig = new Rig()) {
            NetPort peer = listen(rig, new LinkedBlockingQueue<>());
            rig.bringUp(2, PcnetRegisters.CSR15_PROM, 0);
            byte[] other = Frames.udp(new byte[] {0x02, 0x11, 0x22, 0x33, 0x44, 0x55}, 10);
            peer.transmit(other, 0, other.length);
            assertTrue(Rig.waitUntil(() -> (rig.rxStatus(0) & RMD1_OWN) == 0), "PROM takes everything");
            assertEquals(0, rig.rxStatus(0) & (RMD1_PAM | RMD1_BAM | RMD1_LAFM));
        }
    }

    @Test
    void withNoDescriptorOwnedTheFrameIsMissedAndCounted() throws Exception {
        try (Rig rig = new Rig()) {
            rig.bringUp(2, 0, 0);
            for (int i = 0; i < Rig.RING; i++) {
                rig.rxDescriptor(i, false);
            }
            byte[] frame = Frames.udp(Rig.MAC, 20);
            assertFalse(rig.card.receive(frame, 0, frame.length));
            int c0 = rig.csr(0);
            assertEquals(CSR0_MISS | CSR0_ERR | CSR0_INTR, c0 & (CSR0_MISS | CSR0_ERR | CSR0_INTR | CSR0_RINT));
            assertEquals(1, rig.csr(112), "CSR112 missed frame count");
            assertTrue(rig.intxAsserted());
            rig.csr(3, PcnetRegisters.CSR3_MISSM);
            assertFalse(rig.intxAsserted(), "MISS masked by CSR3.MISSM");
        }
    }

    @Test
    void stopDropsFramesAndIdlesTheRings() throws Exception {
        try (Rig rig = new Rig()) {
            BlockingQueue<byte[]> wire = new LinkedBlockingQueue<>();
            listen(rig, wire);
            rig.bringUp(2, 0, 0);
            rig.csr(0, CSR0_STOP);
            assertEquals(CSR0_STOP, rig.csr(0));
            byte[] frame = Frames.udp(Rig.MAC, 20);
            assertFalse(rig.card.receive(frame, 0, frame.length), "a stopped chip takes nothing");
            assertEquals(RMD1_OWN, rig.rxStatus(0) & RMD1_OWN);
            rig.queueTx(0, frame);
            rig.csr(0, CSR0_TDMD);
            assertNull(wire.poll(100, TimeUnit.MILLISECONDS));
            assertEquals(TMD1_OWN, rig.txStatus(0) & TMD1_OWN);
        }
    }

    @Test
    void withBusMasteringOffTheChipTouchesNoMemory() throws Exception {
        try (Rig rig = new Rig()) {
            BlockingQueue<byte[]> wire = new LinkedBlockingQueue<>();
            listen(rig, wire);
            rig.bringUp(2, 0, 0);
            rig.cfgWrite(0x04, 2, 0x0003);
            rig.queueTx(0, Frames.udp(Frames.PEER, 20));
            rig.csr(0, CSR0_TDMD | CSR0_IENA);
            assertNull(wire.poll(200, TimeUnit.MILLISECONDS), "nothing transmitted");
            assertEquals(TMD1_OWN, rig.txStatus(0) & TMD1_OWN, "descriptor still the chip's");
            byte[] frame = Frames.udp(Rig.MAC, 20);
            assertFalse(rig.card.receive(frame, 0, frame.length));
            assertEquals(RMD1_OWN, rig.rxStatus(0) & RMD1_OWN);
            assertEquals(0, rig.csr(0) & (CSR0_RINT | CSR0_TINT));
            rig.cfgWrite(0x04, 2, 0x0007);
            rig.csr(0, CSR0_TDMD | CSR0_IENA);
            byte[] sent = wire.poll(5, TimeUnit.SECONDS);
            assertEquals(62, sent.length, "sent once bus mastering is back");
        }
    }

    @Test
    void withoutCarrierTheTransmitReportsLossOfCarrier() throws Exception {
        try (Rig rig = new Rig(hub -> null)) {
            rig.bringUp(2, 0, 0);
            rig.queueTx(0, Frames.udp(Frames.PEER, 20));
            rig.csr(0, CSR0_TDMD | CSR0_IENA);
            assertEquals(PcnetRegisters.TMD1_ERR, rig.txStatus(0) & (TMD1_OWN | PcnetRegisters.TMD1_ERR));
            assertEquals(TMD2_LCAR, rig.txMisc(0) & TMD2_LCAR);
            assertTrue((rig.csr(0) & CSR0_TINT) != 0);
        }
    }

    @Test
    void tokintdLeavesTintToDescriptorsWithLtintWhenLtintenIsOn() throws Exception {
        try (Rig rig = new Rig()) {
            BlockingQueue<byte[]> wire = new LinkedBlockingQueue<>();
            listen(rig, wire);
            rig.bringUp(2, 0, 0);
            rig.csr(5, PcnetRegisters.CSR5_TOKINTD | PcnetRegisters.CSR5_LTINTEN);
            rig.queueTx(0, Frames.udp(Frames.PEER, 20));
            rig.csr(0, CSR0_TDMD | CSR0_IENA);
            assertEquals(62, wire.poll(5, TimeUnit.SECONDS).length);
            assertEquals(0, rig.txStatus(0) & (TMD1_OWN | PcnetRegisters.TMD1_ERR), "sent and handed back");
            assertEquals(0, rig.csr(0) & (CSR0_TINT | CSR0_INTR), "no TINT for a frame sent OK");
            assertFalse(rig.intxAsserted());

            rig.queueTx(1, Frames.udp(Frames.PEER, 20), PcnetRegisters.TMD1_LTINT);
            rig.csr(0, CSR0_TDMD | CSR0_IENA);
            assertEquals(62, wire.poll(5, TimeUnit.SECONDS).length);
            assertEquals(CSR0_TINT | CSR0_INTR, rig.csr(0) & (CSR0_TINT | CSR0_INTR), "LTINT asks for TINT");
            assertTrue(rig.intxAsserted());
            rig.csr(0, CSR0_TINT | CSR0_IENA);

            rig.csr(5, PcnetRegisters.CSR5_TOKINTD);
            rig.queueTx(2, Frames.udp(Frames.PEER, 20), PcnetRegisters.TMD1_LTINT);
            rig.csr(0, CSR0_TDMD | CSR0_IENA);
            assertEquals(62, wire.poll(5, TimeUnit.SECONDS).length);
            assertEquals(0, rig.csr(0) & CSR0_TINT, "LTINT counts only with LTINTEN");

            rig.csr(5, 0);
            rig.queueTx(3, Frames.udp(Frames.PEER, 20));
            rig.csr(0, CSR0_TDMD | CSR0_IENA);
            assertEquals(62, wire.poll(5, TimeUnit.SECONDS).length);
            assertEquals(CSR0_TINT, rig.csr(0) & CSR0_TINT, "TINT for every frame without TOKINTD");
        }
    }

    @Test
    void aTransmitErrorSetsTintEvenWithTokintd() throws Exception {
        try (Rig rig = new Rig(hub -> null)) {
            rig.bringUp(2, 0, 0);
            rig.csr(5, PcnetRegisters.CSR5_TOKINTD | PcnetRegisters.CSR5_LTINTEN);
            rig.queueTx(0, Frames.udp(Frames.PEER, 20));
            rig.csr(0, CSR0_TDMD | CSR0_IENA);
            assertEquals(PcnetRegisters.TMD1_ERR, rig.txStatus(0) & (TMD1_OWN | PcnetRegisters.TMD1_ERR));
            assertEquals(TMD2_LCAR, rig.txMisc(0) & TMD2_LCAR);
            assertEquals(CSR0_TINT, rig.csr(0) & CSR0_TINT, "only a transmit error sets TINT under TOKINTD");
            assertTrue(rig.intxAsserted());
        }
    }

    @Test
    void aFrameLargerThanOneBufferIsChainedAcrossDescriptors() throws Exception {
        try (Rig rig = new Rig()) {
            NetPort peer = listen(rig, new LinkedBlockingQueue<>());
            rig.bringUp(2, 0, 0);
            byte[] big = Frames.udp(Rig.MAC, 2000);
            peer.transmit(big, 0, big.length);
            assertTrue(Rig.waitUntil(() -> (rig.rxStatus(1) & RMD1_OWN) == 0));
            assertEquals(RMD1_STP, rig.rxStatus(0) & (RMD1_OWN | RMD1_STP | RMD1_ENP));
            assertEquals(RMD1_ENP, rig.rxStatus(1) & (RMD1_OWN | RMD1_STP | RMD1_ENP));
            assertEquals(big.length + 4, rig.rxMessageCount(1));
            byte[] got = new byte[big.length];
            System.arraycopy(rig.rxBuffer(0, Rig.BUFFER_SIZE), 0, got, 0, Rig.BUFFER_SIZE);
            System.arraycopy(rig.rxBuffer(1, big.length - Rig.BUFFER_SIZE), 0, got, Rig.BUFFER_SIZE,
                    big.length - Rig.BUFFER_SIZE);
            assertArrayEquals(big, got);
        }
    }

    @Test
    void aPcapTapOnTheHubRecordsWhatTheCardSendsAndReceives() throws Exception {
        Tshark.assumeInstalled();
        Path file = dir.resolve("pcnet0.pcap");
        try (Rig rig = new Rig(hub -> {
            try {
                return new PcapBackend("tap0", file, hub);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        })) {
            BlockingQueue<byte[]> wire = new LinkedBlockingQueue<>();
            NetPort peer = listen(rig, wire);
            rig.bringUp(2, 0, 0);
            byte[] arp = Frames.arpRequest(Rig.MAC);
            rig.queueTx(0, arp);
            rig.csr(0, CSR0_TDMD | CSR0_IENA);
            assertEquals(60, wire.poll(5, TimeUnit.SECONDS).length, "at the hub port");
            byte[] reply = Frames.udp(Rig.MAC, 50);
            peer.transmit(reply, 0, reply.length);
            assertTrue(Rig.waitUntil(() -> (rig.csr(0) & CSR0_RINT) != 0));
            List<String> lines = Tshark.fields(file, "eth.src", "eth.dst", "eth.type", "frame.len", "udp.dstport");
            assertEquals(List.of(
                    "52:54:00:12:34:56,ff:ff:ff:ff:ff:ff,0x0806,60,",
                    "02:00:00:00:00:01,52:54:00:12:34:56,0x0800,92,4242"), lines);
        }
    }
}
