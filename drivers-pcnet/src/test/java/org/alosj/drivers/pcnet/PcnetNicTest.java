package org.alosj.drivers.pcnet;

import static org.alosj.drivers.pcnet.PcnetRegisters.*;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.alosj.kernel.device.DeviceProperties;
import org.alosj.kernel.device.NetDevice;
import org.alosj.kernel.pci.PciId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.alosj.testkit.Wait;

/**
 * The driver on the real Am79C970A model in a real PC, bound by the kernel's device manager (see
 * {@link RealPcnetRig}): bring-up, both rings through guest RAM, interrupts through the 8259s,
 * a peer on the same hub, and teardown.
 */
class PcnetNicTest {
    static final byte[] MAC = RealPcnetRig.MAC;

    final RealPcnetRig rig = new RealPcnetRig();

    @AfterEach
    void powerOff() {
        rig.close();
    }

    static byte[] frame(int length, int seed) {
        byte[] f = new byte[length];
        System.arraycopy(MAC, 0, f, 0, 6);
        for (int i = 6; i < length; i++) {
            f[i] = (byte) (seed + i);
        }
        return f;
    }

    @Test
    void bringUpReadsTheApromSetsSwstyle2AndStartsAfterIdon() {
        PcnetNic nic = rig.bindDriver();
        assertEquals("pcnet32", rig.function().driver());
        assertArrayEquals(MAC, nic.macAddress());
        assertEquals("Am79C970A", nic.model());
        assertEquals(SWSTYLE_PCNET_PCI | BCR20_SSIZE32, rig.bcr(BCR20) & (BCR20_SWSTYLE | BCR20_SSIZE32));
        assertEquals(256, rig.csr(76), "CSR76 RCVRL: receive ring length");
        assertEquals(64, rig.csr(78), "CSR78 XMTRL: transmit ring length");
        assertEquals(MODE_NORMAL, rig.csr(CSR15));
        long iadr = rig.csr(CSR1) | (long) rig.csr(CSR2) << 16;
        assertEquals(0x1200_5452, rig.machine.memory().readInt(iadr + IB_PADR_LOW), "PADR from the APROM");
        assertEquals(-1L, rig.machine.memory().readLong(iadr + IB_LADRF_LOW), "LADRF: all multicast");
        int csr0 = rig.csr(CSR0);
        assertEquals(CSR0_STRT | CSR0_IENA | CSR0_RXON | CSR0_TXON,
                csr0 & (CSR0_STRT | CSR0_IENA | CSR0_RXON | CSR0_TXON | CSR0_STOP));
        assertEquals(0, csr0 & CSR0_IDON, "IDON acknowledged");
        assertTrue(rig.busMaster());
        assertEquals(List.of("pcnet32 00:03.0"), rig.irqHandlers());
        assertTrue(nic.linkUp());
        assertEquals(1, nic.statistics().interrupts(), "IDON, the only interrupt so far");
        assertEquals(1500, nic.mtu());
    }

    @Test
    void linkFollowsTheCable() {
        PcnetNic nic = rig.bindDriver();
        assertTrue(nic.linkUp());
        rig.pullCable();
        assertFalse(nic.linkUp(), "BCR4 LEDOUT drops without carrier");
    }

    @Test
    void transmitPadsRuntsTo60BytesAndCountsOnTint() {
        PcnetNic nic = rig.bindDriver();
        byte[] runt = frame(42, 1);
        assertTrue(nic.transmit(runt, 0, runt.length));
        byte[] big = frame(1514, 7);
        assertTrue(nic.transmit(big, 0, big.length));
        Wait.until("two transmit completions", () -> nic.statistics().txPackets() == 2);
        Wait.until("two frames at the peer", () -> rig.wire.size() == 2);
        assertEquals(60, rig.wire.get(0).length);
        assertArrayEquals(runt, Arrays.copyOf(rig.wire.get(0), 42));
        assertArrayEquals(new byte[18], Arrays.copyOfRange(rig.wire.get(0), 42, 60));
        assertArrayEquals(big, rig.wire.get(1));
        assertEquals(42 + 1514, nic.statistics().txBytes());
    }

    @Test
    void transmitHonoursOffsetAndLength() {
        PcnetNic nic = rig.bindDriver();
        byte[] buf = new byte[200];
        byte[] f = frame(100, 3);
        System.arraycopy(f, 0, buf, 50, 100);
        assertTrue(nic.transmit(buf, 50, 100));
        Wait.until("the frame at the peer", () -> rig.wire.size() == 1);
        assertArrayEquals(f, rig.wire.get(0));
        assertThrows(IndexOutOfBoundsException.class, () -> nic.transmit(buf, 150, 100));
    }

    @Test
    void framesOutsideEthernetLengthsAreRefused() {
        PcnetNic nic = rig.bindDriver();
        assertThrows(IllegalArgumentException.class, () -> nic.transmit(new byte[13], 0, 13));
        assertThrows(IllegalArgumentException.class, () -> nic.transmit(new byte[1515], 0, 1515));
    }

    @Test
    void fullTransmitRingRefusesTheFrameUntilTheChipGivesSlotsBack() {
        PcnetNic nic = rig.bindDriver();
        // Without bus mastering the chip cannot read its descriptors: every one it is given stays its own.
        rig.setBusMaster(false);
        byte[] f = frame(64, 0);
        for (int i = 0; i < PcnetNic.TX_RING_SIZE; i++) {
            assertTrue(nic.transmit(f, 0, f.length), "slot " + i);
        }
        assertFalse(nic.transmit(f, 0, f.length));
        assertEquals(1, nic.statistics().txDropped());
        assertEquals(List.of(), rig.wire);
        // Mastering back: the chip's transmit poll finds the ring full and sends it all.
        rig.setBusMaster(true);
        Wait.until("the ring to drain", () -> nic.statistics().txPackets() == PcnetNic.TX_RING_SIZE);
        assertTrue(nic.transmit(f, 0, f.length));
        Wait.until("the 17th frame at the peer", () -> rig.wire.size() == PcnetNic.TX_RING_SIZE + 1);
    }

    @Test
    void transmitErrorsAreCountedFromTheDescriptor() {
        PcnetNic nic = rig.bindDriver();
        rig.pullCable(); // the chip reports LCAR (loss of carrier) in TMD2
        byte[] f = frame(64, 0);
        assertTrue(nic.transmit(f, 0, f.length));
        Wait.until("the error", () -> nic.statistics().txErrors() == 1);
        assertEquals(0, nic.statistics().txPackets());
    }

    @Test
    void receivedFramesArriveWithoutFcsAndBuffersGoBackToTheChip() {
        PcnetNic nic = rig.bindDriver();
        List<byte[]> got = new CopyOnWriteArrayList<>();
        nic.setReceiver((dev, data, off, len) -> got.add(Arrays.copyOfRange(data, off, off + len)));
        // Three rings' worth, a ring at a time (the hub does not retry a frame the chip missed):
        // the later rounds only fit if the driver gave every descriptor back.
        int count = 3 * PcnetNic.RX_RING_SIZE;
        for (int round = 0; round < 3; round++) {
            for (int i = round * PcnetNic.RX_RING_SIZE; i < (round + 1) * PcnetNic.RX_RING_SIZE; i++) {
                rig.send(frame(100 + i, i));
            }
            int expected = (round + 1) * PcnetNic.RX_RING_SIZE;
            Wait.until(expected + " frames", () -> got.size() == expected);
        }
        for (int i = 0; i < count; i++) {
            assertArrayEquals(frame(100 + i, i), got.get(i), "frame " + i);
        }
        assertEquals(count, nic.statistics().rxPackets());
        assertEquals(0, nic.statistics().rxDropped(), "no MISS");
        assertEquals(0, nic.statistics().rxErrors());
    }

    @Test
    void framesWithNoReceiverAreDroppedAndCounted() {
        PcnetNic nic = rig.bindDriver();
        rig.send(frame(60, 0));
        Wait.until("the drop", () -> nic.statistics().rxDropped() == 1);
        assertEquals(0, nic.statistics().rxPackets());
    }

    @Test
    void transmitInterruptsComeForEveryTxInterruptEveryFramesOnly() throws Exception {
        PcnetNic nic = rig.bindDriver();
        assertEquals(CSR5_TOKINTD | CSR5_LTINTEN, rig.csr(CSR5) & (CSR5_TOKINTD | CSR5_LTINTEN));
        byte[] f = frame(1514, 2);
        int frames = 4 * PcnetNic.TX_RING_SIZE;
        for (int i = 0; i < frames; i++) {
            assertTrue(nic.transmit(f, 0, f.length), "frame " + i);
        }
        Wait.until("every frame at the peer", () -> rig.wire.size() == frames);
        Wait.until("a transmit interrupt", () -> nic.statistics().interrupts() > 1);
        Thread.sleep(100); // any late interrupt
        long tint = nic.statistics().interrupts() - 1; // IDON was the first
        assertTrue(tint <= frames / PcnetNic.TX_INTERRUPT_EVERY, tint + " transmit interrupts for " + frames + " frames");
        assertEquals(frames, nic.statistics().txPackets(), "all reclaimed and counted");
        assertEquals(0, nic.statistics().txDropped());
    }

    @Test
    void framesOfOneReceiveBatchComeWithMoreExceptTheLast() throws Exception {
        PcnetNic nic = rig.bindDriver();
        List<Boolean> more = new CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch ringFilled = new java.util.concurrent.CountDownLatch(1);
        nic.setReceiver(new NetDevice.Receiver() {
            @Override
            public void frameReceived(NetDevice device, byte[] frame, int offset, int length) {
                fail("a batching driver says whether more frames follow");
            }

            @Override
            public void frameReceived(NetDevice device, byte[] frame, int offset, int length, boolean hasMore) {
                more.add(hasMore);
                if (more.size() == 1) {
                    try {
                        ringFilled.await(); // hold the interrupt thread while the ring fills
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        });
        rig.send(frame(100, 0));
        Wait.until("the first frame in the receiver", () -> more.size() == 1);
        for (int i = 1; i <= 10; i++) {
            rig.send(frame(100, i));
        }
        // the hub delivers on its own thread: all ten must be in the ring before the batch goes on
        Wait.until("ten more frames in the ring", () -> rig.hub.delivered() == 11);
        ringFilled.countDown();
        Wait.until("eleven frames", () -> more.size() == 11);
        List<Boolean> expected = new java.util.ArrayList<>();
        expected.add(false); // alone in the ring when it was taken
        for (int i = 1; i < 10; i++) {
            expected.add(true);
        }
        expected.add(false); // the last of the second batch
        assertEquals(expected, more);
    }

    @Test
    void aReceiverMayTransmitFromTheInterruptThread() {
        PcnetNic nic = rig.bindDriver();
        List<String> threads = new CopyOnWriteArrayList<>();
        nic.setReceiver((dev, data, off, len) -> { // an echo
            threads.add(Thread.currentThread().getName());
            dev.transmit(data, off, len);
        });
        rig.send(frame(80, 5));
        Wait.until("the echo at the peer", () -> rig.wire.size() == 1);
        assertArrayEquals(frame(80, 5), rig.wire.get(0));
        assertEquals(List.of("test-cpu0-irq"), threads);
    }

    @Test
    void handlerDoesNotClaimAnotherDevicesInterrupt() {
        PcnetNic nic = rig.bindDriver();
        assertFalse(nic.handleInterrupt(RealPcnetRig.IRQ), "CSR0.INTR is clear");
    }

    @Test
    void closeStopsTheChipAndGivesEverythingBack() {
        PcnetNic nic = rig.bindDriver();
        assertEquals(3, rig.pages.bytesByOwner().keySet().stream().filter(o -> o.contains("pcnet32")).count(),
                "init block and rings, RX buffers, TX buffers");
        rig.ports.resetCount();
        nic.close();
        assertTrue(rig.ports.cycles() > 0, "STOP went to the chip");
        assertEquals(CSR0_STOP, rig.csr(CSR0));
        assertEquals(0, rig.dma.bytesInUse());
        assertEquals(List.of(), rig.irqHandlers());
        assertFalse(rig.busMaster());
        nic.close(); // idempotent
        byte[] f = frame(64, 0);
        assertFalse(nic.transmit(f, 0, f.length));
        assertEquals(1, nic.statistics().txDropped());
        assertFalse(nic.linkUp());
    }

    @Test
    void unbindingWithdrawsTheServiceAndStopsTheChip() {
        rig.bindDriver();
        rig.devices.unbind(RealPcnetRig.ADDRESS);
        assertTrue(rig.netDeviceReference().isEmpty());
        assertEquals(CSR0_STOP, rig.csr(CSR0));
        assertEquals(0, rig.dma.bytesInUse());
        assertEquals(List.of(), rig.irqHandlers());
    }

    @Test
    void closeAfterSurpriseRemovalTouchesNoRegister() {
        PcnetNic nic = rig.bindDriver();
        rig.unplug();
        rig.ports.resetCount();
        nic.close();
        assertEquals(0, rig.ports.cycles(), "I/O cycles to the BAR of a card that is gone");
        assertEquals(0, rig.dma.bytesInUse());
        assertEquals(List.of(), rig.irqHandlers());
        // The kernel hears of the removal afterwards and lets go of the function.
        rig.devices.hotplug(0, 1 << RealPcnetRig.SLOT);
        assertTrue(rig.devices.function(RealPcnetRig.ADDRESS).isEmpty());
        assertTrue(rig.netDeviceReference().isEmpty());
    }

    @Test
    void noIdonIsATimeoutThatFreesEverything() {
        RealPcnetRig.Leftovers left = rig.probeFailing(
                device -> PcnetNic.open(new RealPcnetRig.GrantNeverComes(device), Duration.ofMillis(100)));
        String message = left.error().getMessage();
        assertTrue(message.contains("no IDON within 100 ms"), message);
        assertEquals(0, left.dmaBytes());
        assertEquals(List.of(), left.irqHandlers());
        assertFalse(left.busMaster());
        assertEquals(CSR0_STOP, left.csr0());
        assertTrue(rig.function().failure().contains("no IDON"), rig.function().failure());
    }

    @Test
    void idonWithoutAnInterruptPointsAtTheIrqRouting() {
        rig.disconnectInterruptLink();
        RealPcnetRig.Leftovers left = rig.probeFailing(device -> PcnetNic.open(device, Duration.ofMillis(100)));
        String message = left.error().getMessage();
        assertTrue(message.contains("no interrupt came on IRQ 11"), message);
        assertEquals(0, left.dmaBytes());
        assertEquals(List.of(), left.irqHandlers());
        assertFalse(left.busMaster());
        assertEquals(CSR0_STOP, left.csr0());
    }

    @Test
    void aChipLeftInDwioIsFoundAfterItsReset() {
        // A 32-bit write to RDP puts the chip in DWIO, where word accesses are ignored.
        rig.ports.outl(rig.ioBase + DWIO_RDP, 0);
        rig.ports.outl(rig.ioBase + DWIO_RAP, BCR18);
        assertEquals(BCR18_DWIO, rig.ports.inl(rig.ioBase + DWIO_BDP) & BCR18_DWIO);
        PcnetNic nic = rig.bindDriver();
        assertEquals(0, rig.bcr(BCR18) & BCR18_DWIO, "S_RESET left DWIO; the driver stays in WIO");
        byte[] f = frame(64, 0);
        assertTrue(nic.transmit(f, 0, f.length));
        Wait.until("the frame at the peer", () -> rig.wire.size() == 1);
    }

    @Test
    void serviceCarriesSlotDriverModelAndMac() {
        rig.bindDriver();
        var ref = rig.netDeviceReference().orElseThrow();
        assertEquals("00:03.0", ref.getProperty(DeviceProperties.SLOT));
        assertEquals("pcnet32", ref.getProperty(DeviceProperties.DRIVER));
        assertEquals("Am79C970A", ref.getProperty(DeviceProperties.MODEL));
        assertEquals("52:54:00:12:34:56", ref.getProperty(NetDevice.MAC));
    }

    @Test
    void driverMatchesThePcnetPciIds() {
        Pcnet32Driver driver = new Pcnet32Driver(null);
        assertEquals("pcnet32", driver.name());
        assertTrue(driver.idTable().stream().anyMatch(id -> id.score(0x1022, 0x2000, 0, 0, 0x10, 0x020000)
                == PciId.MATCH_VENDOR_DEVICE));
    }
}
