package org.alosj.drivers.e1000e;

import static org.alosj.drivers.e1000e.E1000Hw.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.alosj.kernel.device.DeviceProperties;
import org.alosj.kernel.device.NetDevice;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.alosj.testkit.Wait;

/**
 * Both drivers on their real device models in a real PC, bound by the kernel's device manager
 * (see {@link RealE1000Rig}): bring-up from the EEPROM, both rings through guest RAM, interrupts
 * through the 8259s, a peer on the same hub, and a teardown that leaves nothing behind.
 */
class E1000NicTest {
    static final byte[] MAC = RealE1000Rig.MAC;

    static byte[] frame(byte[] dst, int length, int seed) {
        byte[] f = new byte[length];
        System.arraycopy(dst, 0, f, 0, 6);
        for (int i = 6; i < length; i++) {
            f[i] = (byte) (seed + i);
        }
        f[6] = 0x52; // a unicast source
        return f;
    }

    @ParameterizedTest(name = "82574L: {0}")
    @ValueSource(booleans = {false, true})
    void bringUpReadsTheEepromAndStartsBothUnits(boolean pcie) {
        try (RealE1000Rig rig = new RealE1000Rig(pcie)) {
            long before = rig.dma.bytesInUse();
            E1000Nic nic = rig.bindDriver();
            assertEquals(pcie ? "e1000e" : "e1000", rig.function().driver());
            assertEquals(pcie ? "82574L" : "82540EM", nic.model());
            assertArrayEquals(MAC, nic.macAddress());
            assertTrue(nic.linkUp());
            // The 82574L signals by MSI-X, the 82540EM (no MSI capability) by INTx.
            assertEquals(pcie ? List.of() : List.of("e1000 00:03.0"), rig.irqHandlers());
            assertEquals(pcie ? "PCI-MSI-X" : "INTx", nic.interruptMode());
            assertTrue(rig.busMaster());
            assertEquals(RCTL_EN, rig.register(RCTL) & RCTL_EN);
            assertEquals(TCTL_EN, rig.register(TCTL) & TCTL_EN);
            assertEquals(E1000Nic.RX_RING_SIZE - 1, rig.register(RDT));
            assertEquals(pcie ? RFCTL_EXSTEN : 0, rig.register(RFCTL) & RFCTL_EXSTEN, "extended receive descriptors");
            assertTrue(rig.dma.bytesInUse() > before);
            var props = rig.netDevice();
            assertEquals("00:03.0", props.getProperty(DeviceProperties.SLOT));
            assertEquals("52:54:00:12:34:56", props.getProperty(NetDevice.MAC));
        }
    }

    @ParameterizedTest(name = "82574L: {0}")
    @ValueSource(booleans = {false, true})
    void framesGoOutThroughTheTransmitRingAndComeInThroughTheReceiveRing(boolean pcie) {
        try (RealE1000Rig rig = new RealE1000Rig(pcie)) {
            E1000Nic nic = rig.bindDriver();
            List<byte[]> received = new CopyOnWriteArrayList<>();
            nic.setReceiver((device, f, offset, length) -> received.add(java.util.Arrays.copyOfRange(f, offset, offset + length)));
            byte[] out = frame(new byte[] {0x52, 0x54, 0, 0, 0, 2}, 100, 1);
            assertTrue(nic.transmit(out, 0, out.length));
            Wait.until("the frame on the wire", () -> rig.wire.size() == 1);
            assertArrayEquals(out, rig.wire.get(0));
            byte[] in = frame(MAC, 200, 7);
            rig.send(in);
            Wait.until("the frame delivered", () -> received.size() == 1);
            assertArrayEquals(in, received.get(0));
            NetDevice.Statistics s = nic.statistics();
            assertEquals(1, s.rxPackets());
            assertEquals(1, s.txPackets());
            assertTrue(s.interrupts() >= 1);
        }
    }

    @ParameterizedTest(name = "82574L: {0}")
    @ValueSource(booleans = {false, true})
    void manyFramesWrapBothRingsInOrder(boolean pcie) {
        try (RealE1000Rig rig = new RealE1000Rig(pcie)) {
            E1000Nic nic = rig.bindDriver();
            List<byte[]> received = new CopyOnWriteArrayList<>();
            nic.setReceiver((device, f, offset, length) -> received.add(java.util.Arrays.copyOfRange(f, offset, offset + length)));
            int n = 3 * E1000Nic.RX_RING_SIZE;
            for (int i = 0; i < n; i++) {
                byte[] in = frame(MAC, 60 + i % 1400, i);
                in[14] = (byte) (i >>> 8);
                in[15] = (byte) i;
                rig.send(in);
                // pace the peer to what a ring can hold, as TCP's window would
                int sent = i;
                Wait.until("frame " + i, () -> received.size() > sent - E1000Nic.RX_RING_SIZE / 2);
            }
            Wait.until("all frames", () -> received.size() == n);
            for (int i = 0; i < n; i++) {
                assertEquals(i & 0xFFFF, (received.get(i)[14] & 0xFF) << 8 | (received.get(i)[15] & 0xFF), "order");
            }
            int m = 3 * E1000Nic.TX_RING_SIZE;
            int accepted = 0;
            for (int i = 0; i < m; i++) {
                byte[] out = frame(new byte[] {0x52, 0x54, 0, 0, 0, 2}, 64, i);
                if (nic.transmit(out, 0, out.length)) {
                    accepted++;
                }
            }
            int total = accepted;
            Wait.until("every accepted frame sent", () -> rig.wire.size() == total);
            assertEquals(m, accepted, "the MAC sends each frame on the TDT write: the ring never fills");
        }
    }

    @ParameterizedTest(name = "82574L: {0}")
    @ValueSource(booleans = {false, true})
    void framesTheMacMissedForWantOfDescriptorsCountAsDropped(boolean pcie) {
        try (RealE1000Rig rig = new RealE1000Rig(pcie)) {
            E1000Nic nic = rig.bindDriver();
            // RDT moved onto RDH behind the driver's back: the MAC owns no descriptor.
            rig.machine.memory().writeInt(rig.function().bars().get(0).address() + RDT,
                    rig.register(RDH));
            for (int i = 0; i < 5; i++) {
                rig.send(frame(MAC, 100, i));
            }
            Wait.until("five missed frames", () -> nic.statistics().rxDropped() == 5);
            assertEquals(0, nic.statistics().rxPackets());
        }
    }

    @ParameterizedTest(name = "82574L: {0}")
    @ValueSource(booleans = {false, true})
    void pullingTheCableTakesTheLinkDownAndRaisesLsc(boolean pcie) {
        try (RealE1000Rig rig = new RealE1000Rig(pcie)) {
            E1000Nic nic = rig.bindDriver();
            assertTrue(nic.linkUp());
            long before = nic.statistics().interrupts();
            rig.card.setPort(null);
            assertFalse(nic.linkUp(), "STATUS.LU follows the cable");
            Wait.until("the LSC interrupt", () -> nic.statistics().interrupts() > before);
        }
    }

    @ParameterizedTest(name = "82574L: {0}")
    @ValueSource(booleans = {false, true})
    void unbindingQuiescesTheMacAndGivesEverythingBack(boolean pcie) {
        try (RealE1000Rig rig = new RealE1000Rig(pcie)) {
            long before = rig.dma.bytesInUse();
            E1000Nic nic = rig.bindDriver();
            rig.unregisterDrivers();
            assertNull(rig.netDevice(), "the NetDevice service is gone");
            assertNull(rig.function().driver());
            assertEquals(before, rig.dma.bytesInUse(), "every DMA buffer freed");
            assertEquals(List.of(), rig.irqHandlers());
            assertEquals(List.of(), rig.irqs.vectorStatistics(), "the MSI vector freed");
            assertFalse(rig.busMaster());
            assertEquals(0, rig.register(RCTL) & RCTL_EN, "receiver off (reset)");
            assertEquals(0, rig.register(IMS), "interrupts masked");
            byte[] in = frame(MAC, 100, 3);
            rig.send(in);
            assertFalse(nic.transmit(in, 0, in.length), "a closed NIC takes no frames");
            assertThrows(IllegalArgumentException.class, () -> nic.transmit(new byte[4], 0, 4));
            // bound again: a fresh bring-up on the same MAC
            E1000Nic again = rig.bindDriver();
            assertTrue(again.linkUp());
        }
    }
}
