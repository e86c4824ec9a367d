package org.alosj.drivers.e1000e;

import static org.alosj.drivers.e1000e.RealE1000Rig.MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.alosj.kernel.irq.InterruptRegistration;
import org.alosj.kernel.irq.Interrupts;
import org.junit.jupiter.api.Test;
import org.alosj.testkit.Wait;

/**
 * The 82574L on the real board, its driver configured with IntMode 1, interrupts by MSI: the MAC writes the message the kernel put in
 * its capability, the board's APIC sink turns it into the allocated vector, and the driver's
 * handler runs, while the function's INTx line stays quiet. Unbinding turns MSI off and frees
 * the vector.
 */
class E1000MsiTest {
    static final int PCI_CAP_MSI = 0xD0;
    static final int PCI_MSI_FLAGS_ENABLE = 0x0001;

    private static byte[] frameTo(byte[] dst, int length) {
        byte[] f = new byte[length];
        System.arraycopy(dst, 0, f, 0, 6);
        f[6] = 0x52;
        f[12] = 0x08;
        return f;
    }

    @Test
    void receivedFramesArriveByMsiAndIntxIsNeverAsserted() {
        try (RealE1000Rig rig = new RealE1000Rig(true)) {
            // A sentinel on the function's INTx line unmasks it: any INTA would be dispatched here.
            AtomicLong intx = new AtomicLong();
            InterruptRegistration sentinel = rig.irqs.register(RealE1000Rig.IRQ, "sentinel", line -> {
                intx.incrementAndGet();
                return true;
            });
            E1000Nic nic = rig.bindDriver(E1000Nic.IntMode.MSI);
            assertEquals("PCI-MSI", nic.interruptMode());
            Interrupts.VectorStats v = rig.irqs.vectorStatistics().get(0);
            assertEquals("PCI-MSI", v.chip());
            assertEquals("e1000e 00:03.0", v.handler());
            int flags = rig.config.read(RealE1000Rig.ADDRESS, PCI_CAP_MSI + 2, 2);
            assertEquals(PCI_MSI_FLAGS_ENABLE, flags & PCI_MSI_FLAGS_ENABLE, "MSI Enable set");
            assertEquals(0xFEE0_0000, rig.config.read(RealE1000Rig.ADDRESS, PCI_CAP_MSI + 4, 4));
            assertEquals(v.vector(), rig.config.read(RealE1000Rig.ADDRESS, PCI_CAP_MSI + 12, 2));
            AtomicLong received = new AtomicLong();
            nic.setReceiver((device, f, offset, length) -> received.incrementAndGet());
            long before = nic.statistics().interrupts();
            for (int i = 0; i < 20; i++) {
                rig.send(frameTo(MAC, 60 + i));
            }
            Wait.until("twenty frames received", () -> received.get() == 20);
            Wait.until("their interrupts", () -> nic.statistics().interrupts() > before);
            long count = rig.irqs.vectorStatistics().get(0).count();
            assertTrue(count > 0, "the vector counted the messages");
            assertTrue(rig.card.messages() >= count, "each dispatch was a message the MAC wrote");
            assertEquals(0, intx.get(), "INTx never asserted");
            sentinel.close();
        }
    }

    @Test
    void unbindingTurnsMsiOffAndFreesTheVector() {
        try (RealE1000Rig rig = new RealE1000Rig(true)) {
            rig.bindDriver(E1000Nic.IntMode.MSI);
            assertEquals(1, rig.irqs.vectorStatistics().size());
            rig.unregisterDrivers();
            assertEquals(List.of(), rig.irqs.vectorStatistics());
            assertEquals(0, rig.config.read(RealE1000Rig.ADDRESS, PCI_CAP_MSI + 2, 2) & PCI_MSI_FLAGS_ENABLE);
            E1000Nic again = rig.bindDriver(E1000Nic.IntMode.MSI);
            assertEquals("PCI-MSI", again.interruptMode(), "a rebind takes a vector again");
            assertEquals(1, rig.irqs.vectorStatistics().size());
        }
    }

    @Test
    void garbageProgrammedIntoTheMsiCapabilityIsDroppedByTheBoardAndTheKernelCarriesOn() {
        try (RealE1000Rig rig = new RealE1000Rig(true)) {
            E1000Nic nic = rig.bindDriver(E1000Nic.IntMode.MSI);
            AtomicLong received = new AtomicLong();
            nic.setReceiver((device, f, offset, length) -> received.incrementAndGet());
            int data = rig.config.read(RealE1000Rig.ADDRESS, PCI_CAP_MSI + 12, 2);
            // An illegal vector (3), then an NMI delivery mode, then a message for APIC ID 5.
            int[][] garbage = {{0xFEE0_0000, 0x0003}, {0xFEE0_0000, 0x0400 | data}, {0xFEE0_5000, data}};
            long icrReads = 0;
            for (int[] g : garbage) {
                rig.config.write(RealE1000Rig.ADDRESS, PCI_CAP_MSI + 4, 4, g[0]);
                rig.config.write(RealE1000Rig.ADDRESS, PCI_CAP_MSI + 12, 2, g[1]);
                long before = rig.card.messages();
                rig.send(frameTo(MAC, 60));
                Wait.until("the MAC's message", () -> rig.card.messages() > before);
                assertEquals(0, rig.irqs.vectorStatistics().get(0).count(), "nothing reached the vector");
                // No handler ran, so the cause is still in ICR: read (and so clear) it here, so the
                // next frame is a new assertion and a new message.
                icrReads += rig.register(0xC0) != 0 ? 1 : 0;
            }
            assertEquals(3, icrReads);
            rig.config.write(RealE1000Rig.ADDRESS, PCI_CAP_MSI + 4, 4, 0xFEE0_0000);
            rig.config.write(RealE1000Rig.ADDRESS, PCI_CAP_MSI + 12, 2, data);
            rig.send(frameTo(MAC, 60));
            Wait.until("frames after the capability is right again", () -> received.get() >= 1);
            assertTrue(rig.irqs.vectorStatistics().get(0).count() > 0);
        }
    }
}
