package org.alosj.kernel.impl.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.pci.BarType;
import org.alosj.kernel.impl.irq.InterruptManager;
import org.alosj.kernel.irq.Interrupts.LineStats;
import org.alosj.kernel.pci.PciAddress;
import org.alosj.kernel.testkit.Await;
import org.alosj.kernel.testkit.InterruptPinTap;
import org.alosj.kernel.testkit.ProbeFunction;
import org.alosj.kernel.testkit.TestPc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PCI hot-plug on a running machine, wired as the kernel wires it ({@link AcpiPciHotplug}): the
 * hot-plug GPE (GPE0 bit 1 at 0xAFE0) raises the SCI, IRQ 9, level-triggered; the handler clears
 * the GPE status, reads PCI_UP (cleared by the read) and PCI_DOWN (held until the slot is
 * ejected), and the deferred work rescans or unbinds and then ejects through PCI_EJ.
 */
class PciHotplugTest {
    private static final int PCI_UP = 0xAE00;
    private static final int PCI_DOWN = 0xAE04;
    private static final int PCI_EJ = 0xAE08;
    private static final int PCI_RMV = 0xAE0C;
    private static final int GPE0_STS = 0xAFE0;
    private static final int GPE0_EN = 0xAFE2;
    private static final int SLOT = 6;

    private record Event(int up, int down) {
    }

    private TestPc pc;
    private IoPortSpace ports;
    private InterruptPinTap pin;
    private InterruptManager irqs;
    private PciConfigAccess config;
    private DeviceManager devices;
    private AcpiPciHotplug hotplug;
    private final ExecutorService worker = Executors.newSingleThreadExecutor();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

    @BeforeEach
    void boot() {
        pc = TestPc.withRamMiB(64);
        ports = pc.ports();
        pin = new InterruptPinTap(pc.platform.interruptPin());
        irqs = new InterruptManager(ports, pin, "cpu0");
        config = new PciConfigAccess(ports);
        devices = new DeviceManager(null, config, ports, pc.memory(), irqs, null);
        for (int irq : devices.enumerate()) {
            irqs.setLevelTriggered(irq);
        }
    }

    /**
     * The kernel's wiring; an event is recorded once its deferred work (rescan or unbind, then
     * eject) is over.
     */
    private void attachHotplugHandler() {
        int[] last = new int[2];
        hotplug = new AcpiPciHotplug(ports, irqs, work -> worker.execute(() -> {
            work.run();
            events.add(new Event(last[0], last[1]));
        }), (up, down) -> {
            last[0] = up;
            last[1] = down;
            devices.hotplug(up, down);
        });
    }

    @AfterEach
    void powerOff() throws InterruptedException {
        if (hotplug != null) {
            hotplug.close();
        }
        worker.shutdown();
        worker.awaitTermination(5, TimeUnit.SECONDS);
        irqs.shutdown();
        pc.close();
    }

    private Event nextEvent() throws InterruptedException {
        Event e = events.poll(Await.DEFAULT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(e, "no hot-plug interrupt");
        return e;
    }

    private LineStats irq9() {
        return irqs.statistics().stream().filter(s -> s.irq() == 9).findFirst().orElseThrow();
    }

    private static ProbeFunction probe() {
        return ProbeFunction.named("hot").io(0, 64).memory(1, BarType.MEMORY32, 8192).pin(1).build();
    }

    @Test
    void aFunctionPluggedIntoARunningMachineRaisesTheSciWithItsSlotUp() throws InterruptedException {
        attachHotplugHandler();
        assertEquals(1 << 1, ports.inw(GPE0_EN) & 1 << 1, "the kernel enabled the hot-plug GPE");
        pc.board.pci().plug(probe(), SLOT, 0);
        assertEquals(new Event(1 << SLOT, 0), nextEvent());
        assertEquals(List.of(0x29), pin.vectors(), "IRQ 9 is the slave's IR1");
        Await.quietPeriod();
        assertNull(events.poll(), "clearing GPE0_STS acknowledged the event: the level line dropped");
        assertEquals(1, irq9().count());
        assertEquals(0, ports.inw(GPE0_STS));
        assertEquals(0, ports.inl(PCI_UP));
        assertEquals(0, ports.inl(PCI_DOWN));
        assertEquals(1, hotplug.events());
    }

    @Test
    void theRescanConfiguresTheNewFunctionAsBootWould() throws InterruptedException {
        attachHotplugHandler();
        ProbeFunction hot = probe();
        pc.board.pci().plug(hot, SLOT, 0);
        nextEvent(); // the rescan ran as deferred work on the worker thread

        PciAddress a = new PciAddress(0, SLOT, 0);
        assertEquals(0x103, config.read(a, 0x04, 2) & 0x107, "I/O, memory and SERR# on; no bus mastering");
        assertEquals(10, config.read(a, 0x3C, 1), "slot 6 INTA# is PIRQB, IRQ 10");
        long io = hot.barAddress(0);
        long mmio = hot.barAddress(1);
        assertEquals(io, config.read(a, 0x10, 4) & ~0x3L, "BAR0 decodes where it was placed");
        assertEquals(mmio, config.read(a, 0x14, 4) & 0xFFFF_FFF0L);
        assertEquals(ProbeFunction.signature(0, 8), ports.inl((int) io + 8));
        assertEquals(ProbeFunction.signature(1, 8) & 0xFFFF_FFFFL, pc.memory().read(mmio + 8, 4));

        // Its interrupt reaches IRQ 10, which enumeration made level-triggered.
        java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();
        irqs.register(10, "hot", irq -> {
            hot.lower();
            return served.incrementAndGet() > 0;
        });
        hot.raise();
        Await.until(() -> served.get() == 1, () -> "the hot-plugged device's interrupt");
    }

    @Test
    void anUnpluggedSlotIsReportedDownEjectedAndItsWindowsAreReused() throws InterruptedException {
        attachHotplugHandler();
        ProbeFunction first = probe();
        pc.board.pci().plug(first, SLOT, 0);
        nextEvent();
        long io = first.barAddress(0);
        long mmio = first.barAddress(1);

        pc.board.pci().unplug(first);
        assertEquals(new Event(0, 1 << SLOT), nextEvent());
        assertEquals(0xFFFF, config.read(new PciAddress(0, SLOT, 0), 0x00, 2), "the slot is empty");
        assertEquals(0, ports.inl(PCI_DOWN), "the kernel ejected the empty slot, which cleared its down bit");

        ProbeFunction second = probe();
        pc.board.pci().plug(second, SLOT, 0);
        nextEvent();
        assertEquals(List.of(io, mmio), List.of(second.barAddress(0), second.barAddress(1)),
                "the removed function's ranges went back to the windows");
        assertEquals(3, irq9().count());
    }

    @Test
    void anUnplugRequestIsAnsweredByLettingGoAndEjecting() throws Exception {
        attachHotplugHandler();
        ProbeFunction hot = probe();
        pc.board.pci().plug(hot, SLOT, 0);
        nextEvent();
        CompletableFuture<Void> removed = pc.board.pci().requestUnplug(hot).toCompletableFuture();
        assertEquals(new Event(0, 1 << SLOT), nextEvent());
        removed.get(Await.DEFAULT.toSeconds(), TimeUnit.SECONDS);
        assertFalse(hot.attached(), "the kernel's eject took it off the bus");
        assertEquals(0xFFFF, config.read(new PciAddress(0, SLOT, 0), 0x00, 2));
        assertEquals(0, ports.inl(PCI_DOWN));
        Await.quietPeriod();
        assertNull(events.poll(), "the kernel's own eject is not reported back to it");
    }

    @Test
    void writingASlotToPciEjEjectsIt() {
        ProbeFunction hot = probe();
        pc.board.pci().plug(hot, SLOT, 0);
        assertEquals(~0b11, ports.inl(PCI_RMV), "every slot but the host and ISA bridges is removable");
        ports.outl(PCI_EJ, 1 << SLOT);
        assertFalse(hot.attached());
    }

    @Test
    void eventsAccumulateWhileUnreadAndHoldIrq9HighUntilTheGpeIsCleared() {
        irqs.setLevelTriggered(9); // no handler: the line stays masked, the test reads like a poller
        ports.outw(GPE0_EN, 1 << 1);
        ProbeFunction five = probe();
        pc.board.pci().plug(five, 5, 0);
        pc.board.pci().plug(probe(), 6, 0);
        assertEquals(1 << 1, slaveIrr() & 1 << 1, "IRQ 9 asserted while the GPE is pending");
        assertEquals(1 << 5 | 1 << 6, ports.inl(PCI_UP));
        assertEquals(0, ports.inl(PCI_DOWN));
        assertEquals(1 << 1, slaveIrr() & 1 << 1, "reading the bitmaps is no acknowledgement");
        ports.outw(GPE0_STS, 1 << 1);
        assertEquals(0, slaveIrr() & 1 << 1, "cleared, so deasserted");
        assertEquals(0, ports.inl(PCI_UP), "read clears");

        ProbeFunction seven = probe();
        pc.board.pci().plug(seven, 7, 0);
        pc.board.pci().unplug(seven);
        pc.board.pci().unplug(five);
        assertEquals(0, ports.inl(PCI_UP), "a function gone before the OS looked was never up");
        assertEquals(1 << 5 | 1 << 7, ports.inl(PCI_DOWN));
    }

    private int slaveIrr() {
        ports.outb(0xA0, 0x0A);
        int irr = ports.inb(0xA0);
        ports.outb(0xA0, 0x0B); // back to ISR reads, which the interrupt thread expects
        return irr;
    }
}
