package org.alosj.kernel.impl.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.alosj.hal.bus.IoPortHandler;
import org.alosj.hal.bus.Mapping;
import org.alosj.kernel.impl.irq.InterruptManager;
import org.alosj.kernel.impl.mem.DmaAllocatorImpl;
import org.alosj.kernel.impl.mem.PageAllocator;
import org.alosj.kernel.irq.InterruptRegistration;
import org.alosj.kernel.pci.IoRegion;
import org.alosj.kernel.pci.PciAddress;
import org.alosj.kernel.testkit.TestPc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Legacy resources of PCI functions in a legacy mode (IDE compatibility mode): fixed ISA ports
 * and ISA IRQs are claimed exclusively by the bound driver, refused when the board or another
 * driver holds them or when an IRQ carries PCI interrupts, and given back when the function is
 * unbound.
 */
class LegacyResourcesTest {
    private static final PciAddress IDE = new PciAddress(0, 1, 1);
    private static final PciAddress OTHER = new PciAddress(0, 2, 0);

    private TestPc pc;
    private InterruptManager irqs;
    private DmaAllocatorImpl dma;
    private LegacyResources legacy;

    @BeforeEach
    void boot() {
        pc = TestPc.withRamMiB(32);
        irqs = new InterruptManager(pc.ports(), pc.platform.interruptPin(), "cpu0");
        dma = new DmaAllocatorImpl(new PageAllocator(pc.platform.memoryMap(), pc.memory()), pc.memory());
        legacy = new LegacyResources(irq -> irq == 10 || irq == 11);
    }

    @AfterEach
    void powerOff() {
        irqs.shutdown();
        pc.close();
    }

    private PciFunctionImpl function(PciAddress a) {
        return new PciFunctionImpl(a, new PciConfigAccess(pc.ports()), pc.ports(), pc.memory(), irqs, dma, legacy,
                -1, List.of());
    }

    @Test
    void legacyPortsReachTheFixedIsaAddressesThroughThePortSpace() {
        int[] last = new int[1];
        try (Mapping m = pc.ports().map(0x1F0, 8, new IoPortHandler() {
            @Override
            public int ioRead(int port, int size) {
                return 0x50 + port - 0x1F0;
            }

            @Override
            public void ioWrite(int port, int size, int value) {
                last[0] = port << 16 | value;
            }
        }, "test disk")) {
            PciFunctionImpl f = function(IDE);
            f.beginBinding("ata_piix");
            IoRegion r = f.legacyIoRegion(0x1F0, 8);
            assertEquals(0x1F0, r.base());
            assertEquals(0x57, r.in8(7));
            r.out8(6, 0xA0);
            assertEquals(0x1F6 << 16 | 0xA0, last[0]);
            assertThrows(IndexOutOfBoundsException.class, () -> r.in8(8));
        }
    }

    @Test
    void aClaimedRangeIsRefusedToAnotherFunctionUntilTheOwnerIsUnbound() {
        PciFunctionImpl ide = function(IDE);
        PciFunctionImpl other = function(OTHER);
        ide.beginBinding("ata_piix");
        other.beginBinding("rival");
        ide.legacyIoRegion(0x1F0, 8);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> other.legacyIoRegion(0x1F7, 2));
        assertTrue(e.getMessage().contains("0x1f0-0x1f7 belong to 00:01.1 ata_piix"), e.getMessage());
        assertNull(ide.endBinding(), "port claims are not leaks");
        assertEquals(0x1F7, other.legacyIoRegion(0x1F7, 2).base());
        assertEquals("00:02.0 rival", legacy.portOwner(0x1F8));
    }

    @Test
    void theBoardsOwnPortsAndThePciWindowAreNeverHandedOut() {
        PciFunctionImpl f = function(IDE);
        f.beginBinding("ata_piix");
        IllegalStateException pic = assertThrows(IllegalStateException.class, () -> f.legacyIoRegion(0x20, 1));
        assertTrue(pic.getMessage().contains("8259 master"), pic.getMessage());
        assertThrows(IllegalStateException.class, () -> f.legacyIoRegion(0x3F6, 4)); // reaches COM1 at 0x3F8
        assertThrows(IllegalArgumentException.class, () -> f.legacyIoRegion(0xC000, 8));
        assertThrows(IllegalArgumentException.class, () -> f.legacyIoRegion(0x1F0, 0));
        assertEquals(0x3F6, f.legacyIoRegion(0x3F6, 1).base());
    }

    @Test
    void anUnboundFunctionCannotClaimAnything() {
        PciFunctionImpl f = function(IDE);
        assertThrows(IllegalStateException.class, () -> f.legacyIoRegion(0x1F0, 8));
        assertThrows(IllegalStateException.class, () -> f.requestLegacyIrq(14, "ide0", irq -> true));
    }

    @Test
    void anIsaIrqIsDeliveredToItsHandlerAndIsExclusive() throws InterruptedException {
        PciFunctionImpl ide = function(IDE);
        PciFunctionImpl other = function(OTHER);
        ide.beginBinding("ata_piix");
        other.beginBinding("rival");
        CountDownLatch fired = new CountDownLatch(1);
        InterruptRegistration r = ide.requestLegacyIrq(14, "ide0", irq -> {
            fired.countDown();
            return true;
        });
        assertEquals(14, r.irq());
        pc.board.isaIrq(14).pulse();
        assertTrue(fired.await(10, TimeUnit.SECONDS), "IRQ 14 reached the handler");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> other.requestLegacyIrq(14, "rival", irq -> true));
        assertEquals("ISA IRQ 14 is taken by 00:01.1 ata_piix", e.getMessage());
        r.close();
        other.requestLegacyIrq(14, "rival", irq -> true).close();
    }

    @Test
    void linesOfTheBoardAndOfPciInterruptsAreRefused() {
        PciFunctionImpl f = function(IDE);
        f.beginBinding("ata_piix");
        assertEquals("ISA IRQ 0 is taken by 8254 PIT",
                assertThrows(IllegalStateException.class, () -> f.requestLegacyIrq(0, "x", irq -> true)).getMessage());
        assertTrue(assertThrows(IllegalStateException.class, () -> f.requestLegacyIrq(11, "x", irq -> true))
                .getMessage().contains("carries PCI interrupts"));
        assertThrows(IllegalArgumentException.class, () -> f.requestLegacyIrq(16, "x", irq -> true));
    }

    @Test
    void unbindingTakesBackAForgottenIrqHandlerAndFreesTheLine() {
        PciFunctionImpl ide = function(IDE);
        ide.beginBinding("ata_piix");
        ide.requestLegacyIrq(15, "ide1", irq -> true);
        String leaks = ide.endBinding();
        assertTrue(leaks != null && leaks.contains("IRQ 15"), String.valueOf(leaks));
        assertNull(legacy.irqOwner(15));
        PciFunctionImpl other = function(OTHER);
        other.beginBinding("next");
        other.requestLegacyIrq(15, "next", irq -> true).close();
    }
}
