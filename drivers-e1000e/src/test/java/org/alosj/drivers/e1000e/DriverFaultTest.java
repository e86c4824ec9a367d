package org.alosj.drivers.e1000e;

import static org.alosj.drivers.e1000e.E1000Hw.*;
import static org.alosj.drivers.e1000e.RealE1000Rig.MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.alosj.kernel.pci.PciBinding;
import org.alosj.kernel.pci.PciDevice;
import org.alosj.kernel.pci.PciDriver;
import org.alosj.kernel.pci.PciId;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceRegistration;
import org.alosj.testkit.Wait;

/**
 * Broken drivers on the real board: one whose probe throws after taking DMA memory, one whose
 * interrupt handler throws. The device manager unbinds and logs each, takes back what they held,
 * and the machine carries on: the real e1000e driver then binds the same 82574L and receives.
 */
class DriverFaultTest {
    private static PciDriver driver(String name, Probe probe) {
        return new PciDriver() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<PciId> idTable() {
                return List.of(PciId.of(E1000Driver.PCI_VENDOR_INTEL, E1000eDriver.E1000_DEV_ID_82574L));
            }

            @Override
            public PciBinding probe(PciDevice device) throws Exception {
                return probe.probe(device);
            }
        };
    }

    interface Probe {
        PciBinding probe(PciDevice device) throws Exception;
    }

    private static byte[] frameTo(byte[] dst) {
        byte[] f = new byte[60];
        System.arraycopy(dst, 0, f, 0, 6);
        f[12] = 0x08;
        return f;
    }

    /** The real driver binds the function a broken one left, and frames arrive through it. */
    private static void theRealDriverTakesOver(RealE1000Rig rig) {
        E1000Nic nic = rig.bindDriver();
        assertEquals("e1000e", rig.function().driver());
        AtomicLong received = new AtomicLong();
        nic.setReceiver((device, f, offset, length) -> received.incrementAndGet());
        rig.send(frameTo(MAC));
        Wait.until("a frame through the real driver", () -> received.get() == 1);
    }

    @Test
    void aProbeThatThrowsLeavesTheFunctionUnboundWithItsReasonAndItsDmaTakenBack() {
        try (RealE1000Rig rig = new RealE1000Rig(true)) {
            long dmaBefore = rig.dma.bytesInUse();
            ServiceRegistration<PciDriver> broken = rig.context.registerService(PciDriver.class,
                    driver("broken-probe", device -> {
                        device.dma().allocate(8192, 4096, "broken-probe rings");
                        throw new IllegalStateException("the PHY never answered");
                    }), null);
            assertNull(rig.function().driver());
            assertEquals("broken-probe: probe failed: the PHY never answered", rig.function().failure());
            assertEquals(dmaBefore, rig.dma.bytesInUse(), "the DMA memory the probe took went back");
            broken.unregister();
            theRealDriverTakesOver(rig);
        }
    }

    @Test
    void aDriverWhoseInterruptHandlerThrowsIsUnboundAndTheMachineCarriesOn() {
        try (RealE1000Rig rig = new RealE1000Rig(true)) {
            AtomicLong calls = new AtomicLong();
            AtomicLong removed = new AtomicLong();
            ServiceRegistration<PciDriver> broken = rig.context.registerService(PciDriver.class,
                    driver("broken-irq", device -> {
                        device.enable();
                        var regs = device.mmioRegion(0);
                        var irq = device.requestIrq("broken-irq", line -> {
                            calls.incrementAndGet();
                            throw new IllegalStateException("null descriptor");
                        });
                        // Unmask a cause and set it, as a driver's self-test does: INTA goes up.
                        regs.write32(IMS, ICR_LSC);
                        regs.write32(0x00C8, ICR_LSC); // ICS
                        return () -> {
                            regs.write32(IMC, -1);
                            irq.close();
                            removed.incrementAndGet();
                        };
                    }), null);
            Wait.until("the broken driver unbound", () -> rig.function().driver() == null);
            assertEquals("broken-irq: interrupt handler broken-irq threw null descriptor", rig.function().failure());
            assertEquals(1, calls.get(), "the handler is not called again once it threw");
            assertEquals(1, removed.get(), "the driver's remove ran");
            assertTrue(rig.irqHandlers().isEmpty(), "no handler left on the line: " + rig.irqHandlers());
            broken.unregister();
            theRealDriverTakesOver(rig);
        }
    }
}
