package org.alosj.drivers.e1000e;

import static org.alosj.drivers.e1000e.E1000Hw.*;
import static org.alosj.drivers.e1000e.RealE1000Rig.MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.alosj.kernel.irq.InterruptRegistration;
import org.junit.jupiter.api.Test;
import org.alosj.testkit.Wait;

/**
 * The 82574L's driver on the real board uses MSI-X as Linux's e1000e does: three table entries
 * (receive, transmit, other causes) routed by IVAR, auto-cleared by EIAC, so receiving, sending
 * and a link change each run their own handler through their own CPU vector, and INTx stays quiet.
 * IntMode 0 keeps it on INTx; unbinding gives the three vectors back.
 */
class E1000MsixTest {
    static final int PCI_CAP_MSIX = 0xA0;
    static final int PCI_MSIX_FLAGS_ENABLE = 0x8000;

    private static byte[] frameTo(byte[] dst, int length) {
        byte[] f = new byte[length];
        System.arraycopy(dst, 0, f, 0, 6);
        f[6] = 0x52;
        f[12] = 0x08;
        return f;
    }

    private static long count(RealE1000Rig rig, int vector) {
        return rig.irqs.vectorStatistics().stream().filter(v -> v.vector() == vector)
                .mapToLong(v -> v.count()).sum();
    }

    @Test
    void receiveTransmitAndLinkChangesEachRunOnTheirOwnVectorAndIntxIsNeverAsserted() {
        try (RealE1000Rig rig = new RealE1000Rig(true)) {
            AtomicLong intx = new AtomicLong();
            InterruptRegistration sentinel = rig.irqs.register(RealE1000Rig.IRQ, "sentinel", line -> {
                intx.incrementAndGet();
                return true;
            });
            E1000Nic nic = rig.bindDriver();
            assertEquals("PCI-MSI-X", nic.interruptMode());
            List<Integer> vectors = nic.messageVectors();
            assertEquals(3, vectors.size(), "rx, tx, other");
            assertEquals(3, rig.irqs.vectorStatistics().size());
            rig.irqs.vectorStatistics().forEach(v -> assertEquals("PCI-MSI-X", v.chip()));
            assertEquals(PCI_MSIX_FLAGS_ENABLE,
                    rig.config.read(RealE1000Rig.ADDRESS, PCI_CAP_MSIX + 2, 2) & PCI_MSIX_FLAGS_ENABLE);
            assertEquals(0x8 | 0x9 << 8 | 0xA << 16 | 1 << 31, rig.register(IVAR), "IVAR: RxQ0→0, TxQ0→1, Other→2");
            assertEquals(ICR_RXQ0 | ICR_TXQ0, rig.register(EIAC));
            int rx = vectors.get(E1000Nic.MSIX_RX);
            int tx = vectors.get(E1000Nic.MSIX_TX);
            int other = vectors.get(E1000Nic.MSIX_OTHER);

            AtomicLong received = new AtomicLong();
            nic.setReceiver((device, f, offset, length) -> received.incrementAndGet());
            for (int i = 0; i < 20; i++) {
                rig.send(frameTo(MAC, 60 + i));
            }
            Wait.until("twenty frames received", () -> received.get() == 20);
            assertTrue(count(rig, rx) > 0, "the receive vector ran");

            // Every TX_REPORT_EVERY-th descriptor asks for a write-back: TxQ0 on entry 1.
            for (int i = 0; i < 2 * E1000Nic.TX_REPORT_EVERY; i++) {
                assertTrue(nic.transmit(frameTo(new byte[] {2, 0, 0, 0, 0, 1}, 60), 0, 60));
            }
            Wait.until("the frames on the wire", () -> rig.wire.size() == 2 * E1000Nic.TX_REPORT_EVERY);
            Wait.until("the transmit vector", () -> count(rig, tx) > 0);
            Wait.until("the transmitted frames retired", () -> nic.statistics().txPackets() >= E1000Nic.TX_REPORT_EVERY);

            long otherBefore = count(rig, other);
            rig.card.setPort(null);
            Wait.until("the link-change vector", () -> count(rig, other) > otherBefore);
            Wait.until("link down", () -> !nic.linkUp());
            // The handler records the link change before it unmasks (as Linux's e1000_msix_other
            // does): seeing the link down does not mean it has written IMS yet.
            Wait.until("the other-cause handler unmasked Other and LSC again after EIAME masked them",
                    () -> (rig.register(IMS) & (ICR_OTHER | ICR_LSC)) == (ICR_OTHER | ICR_LSC));
            assertEquals(0, intx.get(), "INTx never asserted");
            sentinel.close();
        }
    }

    @Test
    void intModeZeroKeepsTheMacOnIntx() {
        try (RealE1000Rig rig = new RealE1000Rig(true)) {
            E1000Nic nic = rig.bindDriver(E1000Nic.IntMode.LEGACY);
            assertEquals("INTx", nic.interruptMode());
            assertEquals(List.of("e1000e 00:03.0"), rig.irqHandlers());
            assertEquals(List.of(), rig.irqs.vectorStatistics());
            AtomicLong received = new AtomicLong();
            nic.setReceiver((device, f, offset, length) -> received.incrementAndGet());
            rig.send(frameTo(MAC, 60));
            Wait.until("a frame by INTx", () -> received.get() == 1);
        }
    }

    @Test
    void theDriverConfigurationReadsLinuxsIntModeNumbers() {
        assertEquals(E1000Nic.IntMode.MSIX, E1000eDriver.intMode(null));
        assertEquals(E1000Nic.IntMode.MSI, E1000eDriver.intMode("1"));
        assertEquals(E1000Nic.IntMode.LEGACY, E1000eDriver.intMode(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> E1000eDriver.intMode("7"));
        assertEquals("IntMode 7: expected 0 (legacy), 1 (MSI) or 2 (MSI-X)", e.getMessage());
    }

    @Test
    void unbindingTurnsMsixOffAndFreesTheThreeVectors() {
        try (RealE1000Rig rig = new RealE1000Rig(true)) {
            rig.bindDriver();
            assertEquals(3, rig.irqs.vectorStatistics().size());
            rig.unregisterDrivers();
            assertEquals(List.of(), rig.irqs.vectorStatistics());
            assertEquals(0, rig.config.read(RealE1000Rig.ADDRESS, PCI_CAP_MSIX + 2, 2) & PCI_MSIX_FLAGS_ENABLE);
            E1000Nic again = rig.bindDriver();
            assertEquals("PCI-MSI-X", again.interruptMode());
            assertEquals(3, rig.irqs.vectorStatistics().size());
        }
    }
}
