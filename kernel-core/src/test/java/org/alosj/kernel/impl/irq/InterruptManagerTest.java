package org.alosj.kernel.impl.irq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.irq.IrqLine;
import org.alosj.kernel.impl.pci.DeviceManager;
import org.alosj.kernel.impl.pci.PciConfigAccess;
import org.alosj.kernel.irq.InterruptRegistration;
import org.alosj.kernel.irq.Interrupts.LineStats;
import org.alosj.kernel.irq.Interrupts.VectorStats;
import org.alosj.kernel.pci.PciAddress;
import org.alosj.kernel.testkit.Await;
import org.alosj.kernel.testkit.InterruptPinTap;
import org.alosj.kernel.testkit.ProbeFunction;
import org.alosj.kernel.testkit.TestPc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The kernel's interrupt layer on the real 8259 pair: the PICs remapped to vectors 0x20–0x2F,
 * lines unmasked while they have handlers, EOI to the slave and then the master, level-triggered
 * PCI lines that keep interrupting until served, spurious IRQ 7/15 counted and not EOId (but the
 * master's cascade is), shared lines, and Linux's "nobody cared" for a screaming line.
 */
class InterruptManagerTest {
    private static final int PIC1_COMMAND = 0x20;
    private static final int PIC1_DATA = 0x21;
    private static final int PIC2_COMMAND = 0xA0;
    private static final int PIC2_DATA = 0xA1;
    private static final int COM1 = 0x3F8;

    private TestPc pc;
    private IoPortSpace ports;
    private InterruptPinTap pin;
    private InterruptManager irqs;

    @BeforeEach
    void boot() {
        pc = TestPc.withRamMiB(16);
        ports = pc.ports();
        pin = new InterruptPinTap(pc.platform.interruptPin());
        irqs = new InterruptManager(ports, pin, "test-cpu0");
    }

    @AfterEach
    void powerOff() {
        irqs.shutdown();
        pc.close();
    }

    /** The in-service register of one chip (OCW3 read ISR), as the interrupt thread reads it. */
    private int isr(int command) {
        ports.outb(command, 0x0B);
        return ports.inb(command);
    }

    private LineStats stats(int irq) {
        return irqs.statistics().stream().filter(s -> s.irq() == irq).findFirst()
                .orElse(new LineStats(irq, 0, 0, List.of()));
    }

    private IrqLine isa(int irq) {
        return pc.board.isaIrq(irq);
    }

    /** Plugs probes, then routes and enumerates the bus as the kernel boots it. */
    private void enumerate(ProbeFunction... probes) {
        int slot = 3;
        for (ProbeFunction p : probes) {
            pc.board.pci().plug(p, slot++, 0);
        }
        DeviceManager devices = new DeviceManager(null, new PciConfigAccess(ports), ports, pc.memory(), irqs, null);
        for (int irq : devices.enumerate()) {
            irqs.setLevelTriggered(irq);
        }
    }

    /** The interrupt line register enumeration wrote for the function in {@code slot}. */
    private int interruptLine(int slot) {
        return new PciConfigAccess(ports).read(new PciAddress(0, slot, 0), 0x3C, 1);
    }

    private static ProbeFunction probe(String name) {
        return ProbeFunction.named(name).io(0, 32).pin(1).build();
    }

    @Test
    void bootMasksEveryLineButTheCascadeAndRegisteringUnmasksOnlyThatLine() {
        assertEquals(0xFB, ports.inb(PIC1_DATA), "master IMR: all masked but IR2, the slave");
        assertEquals(0xFF, ports.inb(PIC2_DATA), "slave IMR: all masked");
        irqs.register(4, "com1", irq -> true);
        assertEquals(0xEB, ports.inb(PIC1_DATA));
        irqs.register(12, "mouse", irq -> true);
        assertEquals(0xEB, ports.inb(PIC1_DATA));
        assertEquals(0xEF, ports.inb(PIC2_DATA));
    }

    @Test
    void aUartInterruptReachesItsHandlerAsVector0x24() {
        AtomicInteger iirSeen = new AtomicInteger(-1);
        AtomicInteger calls = new AtomicInteger();
        irqs.register(4, "com1", irq -> {
            int iir = ports.inb(COM1 + 2); // reading IIR with THRI as the cause acknowledges it
            iirSeen.set(iir);
            calls.incrementAndGet(); // after iirSeen: the test reads it once it sees the call
            return (iir & 1) == 0;
        });
        ports.outb(COM1 + 4, 0x08); // MCR.OUT2 gates the UART's interrupt onto IRQ 4
        ports.outb(COM1 + 1, 0x02); // IER.THRI with an empty THR interrupts at once
        Await.until(() -> calls.get() == 1, () -> "the THR-empty interrupt");
        assertEquals(0x02, iirSeen.get() & 0x0F, "IIR said THR empty");
        assertEquals(List.of(0x24), pin.vectors(), "IRQ 4 is vector 0x20 + 4");

        ports.outb(COM1, 'A'); // each byte sent empties the THR again
        Await.until(() -> calls.get() == 2, () -> "the second THR-empty interrupt");
        assertEquals(new LineStats(4, 2, 0, List.of("com1")), stats(4));
    }

    @Test
    void aSlaveIrqIsInServiceOnBothChipsAndEoiClearsBoth() {
        ProbeFunction nic = probe("nic");
        enumerate(nic);
        int irq = interruptLine(3);
        assertEquals(11, irq, "slot 3 INTA# is PIRQC, routed to IRQ 11");
        AtomicInteger masterIsr = new AtomicInteger();
        AtomicInteger slaveIsr = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        irqs.register(irq, "nic", n -> {
            masterIsr.set(isr(PIC1_COMMAND));
            slaveIsr.set(isr(PIC2_COMMAND));
            calls.incrementAndGet();
            nic.lower();
            return true;
        });
        nic.raise();
        Await.until(() -> calls.get() == 1, () -> "IRQ 11");
        assertEquals(1 << 2, masterIsr.get(), "in the handler the master has the cascade in service");
        assertEquals(1 << 3, slaveIsr.get(), "and the slave IR3 (IRQ 11)");
        assertEquals(List.of(0x2B), pin.vectors(), "IRQ 11 is vector 0x28 + 3");
        Await.until(() -> isr(PIC1_COMMAND) == 0 && isr(PIC2_COMMAND) == 0, () -> "EOI to both chips");

        // Both chips take new requests: the slave line again, and a lower-priority master line.
        nic.raise();
        Await.until(() -> calls.get() == 2, () -> "IRQ 11 a second time");
        AtomicInteger lpt = new AtomicInteger();
        irqs.register(5, "isa5", n -> lpt.incrementAndGet() > 0);
        isa(5).pulse();
        Await.until(() -> lpt.get() == 1, () -> "IRQ 5 after IRQ 11");
    }

    @Test
    void aLevelTriggeredLineInterruptsAgainUntilTheDeviceIsServed() {
        ProbeFunction nic = probe("nic");
        enumerate(nic);
        AtomicInteger calls = new AtomicInteger();
        irqs.register(11, "nic", irq -> {
            if (calls.incrementAndGet() == 3) {
                nic.lower(); // the driver finally acknowledges the cause
            }
            return true;
        });
        nic.raise();
        Await.until(() -> calls.get() >= 3, () -> "three interrupts from a line held high");
        Await.quietPeriod();
        assertEquals(3, calls.get(), "the line stops once the device deasserts");
        assertEquals(3, stats(11).count());
    }

    @Test
    void anEdgeTriggeredLineHeldHighInterruptsOnlyOnce() {
        AtomicInteger calls = new AtomicInteger();
        irqs.register(5, "isa5", irq -> calls.incrementAndGet() > 0);
        isa(5).raise();
        Await.until(() -> calls.get() == 1, () -> "the rising edge");
        Await.quietPeriod();
        assertEquals(1, calls.get(), "no new edge, no new interrupt");
        isa(5).lower();
        isa(5).raise();
        Await.until(() -> calls.get() == 2, () -> "the next rising edge");
    }

    @Test
    void aRequestWithdrawnBeforeTheAcknowledgeIsASpuriousIrq7() {
        irqs.setLevelTriggered(5);
        AtomicInteger calls = new AtomicInteger();
        irqs.register(5, "isa5", irq -> {
            isa(5).lower();
            return calls.incrementAndGet() > 0;
        });
        pin.beforeNextAcknowledge(() -> isa(5).lower());
        isa(5).raise();
        Await.until(() -> stats(7).spurious() == 1, () -> "a spurious IRQ 7 in the statistics");
        assertEquals(List.of(0x27), pin.vectors(), "the 8259 answered the INTA with its IR7 vector");
        assertEquals(0, calls.get(), "no handler runs for a spurious interrupt");
        assertEquals(0, stats(7).count(), "spurious interrupts are not counted as interrupts");
        assertEquals(0, isr(PIC1_COMMAND), "nothing was put in service, so nothing needs an EOI");

        isa(5).raise();
        Await.until(() -> calls.get() == 1, () -> "the next real IRQ 5");
    }

    @Test
    void aSpuriousIrq15StillEoisTheMastersCascade() {
        irqs.setLevelTriggered(10);
        AtomicInteger ten = new AtomicInteger();
        AtomicInteger five = new AtomicInteger();
        irqs.register(10, "pci10", irq -> {
            isa(10).lower();
            return ten.incrementAndGet() > 0;
        });
        irqs.register(5, "isa5", irq -> five.incrementAndGet() > 0);
        pin.beforeNextAcknowledge(() -> isa(10).lower());
        isa(10).raise();
        Await.until(() -> stats(15).spurious() == 1, () -> "a spurious IRQ 15 in the statistics");
        assertEquals(List.of(0x2F), pin.vectors());
        assertEquals(0, ten.get());
        Await.until(() -> isr(PIC1_COMMAND) == 0, () -> "the master's IR2 EOId after a spurious IRQ 15");
        assertEquals(0, isr(PIC2_COMMAND), "the slave had nothing in service");

        // Were IR2 still in service on the master, IRQ 3-7 would be blocked from now on.
        isa(5).pulse();
        Await.until(() -> five.get() == 1, () -> "IRQ 5 after a spurious IRQ 15");
        isa(10).raise();
        Await.until(() -> ten.get() == 1, () -> "IRQ 10 itself");
    }

    @Test
    void onASharedLineEveryHandlerIsAskedAndTheOwnerClaimsIt() {
        ProbeFunction a = probe("a");
        ProbeFunction b = probe("b");
        // Slot 3 INTA# is PIRQC and slot 4 INTA# is PIRQD: both routed to IRQ 11.
        enumerate(a, b);
        assertEquals(11, interruptLine(3));
        assertEquals(11, interruptLine(4));
        AtomicInteger askedA = new AtomicInteger();
        AtomicInteger askedB = new AtomicInteger();
        AtomicInteger claimedA = new AtomicInteger();
        AtomicInteger claimedB = new AtomicInteger();
        irqs.register(11, "a", irq -> serve(a, askedA, claimedA));
        irqs.register(11, "b", irq -> serve(b, askedB, claimedB));

        b.raise();
        Await.until(() -> claimedB.get() == 1, () -> "b served");
        Await.quietPeriod();
        assertEquals(List.of(1, 0, 1, 1), List.of(askedA.get(), claimedA.get(), askedB.get(), claimedB.get()),
                "both asked once (asked a, claimed a, asked b, claimed b)");
        assertEquals(new LineStats(11, 1, 0, List.of("a", "b")), stats(11));

        a.raise();
        b.raise();
        Await.until(() -> claimedA.get() == 1 && claimedB.get() == 2, () -> "both served");
        Await.quietPeriod();
        assertEquals(List.of(1, 2), List.of(claimedA.get(), claimedB.get()), "each device served once");
    }

    private static boolean serve(ProbeFunction device, AtomicInteger asked, AtomicInteger claimed) {
        asked.incrementAndGet();
        if (!device.interruptPending()) {
            return false;
        }
        device.lower();
        claimed.incrementAndGet();
        return true;
    }

    @Test
    void aHandlerThatThrowsDoesNotStopTheOthers() {
        ProbeFunction nic = probe("nic");
        enumerate(nic);
        AtomicInteger served = new AtomicInteger();
        irqs.register(11, "broken", irq -> {
            throw new IllegalStateException("driver bug");
        });
        irqs.register(11, "nic", irq -> {
            nic.lower();
            return served.incrementAndGet() > 0;
        });
        nic.raise();
        Await.until(() -> served.get() == 1, () -> "the working handler");
        nic.raise();
        Await.until(() -> served.get() == 2, () -> "the line still works");
    }

    @Test
    void aScreamingLineNobodyClaimsIsDisabled() {
        ProbeFunction stuck = probe("stuck");
        enumerate(stuck);
        AtomicInteger asked = new AtomicInteger();
        irqs.register(11, "wrong-driver", irq -> asked.incrementAndGet() < 0);
        stuck.raise(); // and never lowered: the driver does not know this device
        Await.until(() -> (ports.inb(PIC2_DATA) & 1 << 3) != 0, Duration.ofSeconds(60),
                () -> "IRQ 11 masked after " + stats(11).count() + " unclaimed interrupts");
        Await.quietPeriod();
        assertEquals(InterruptManager.NOBODY_CARED_LIMIT, stats(11).count(), "disabled at exactly the limit");
        assertEquals(InterruptManager.NOBODY_CARED_LIMIT, asked.get());

        // A driver that does handle it brings the line back.
        AtomicInteger served = new AtomicInteger();
        irqs.register(11, "right-driver", irq -> {
            stuck.lower();
            return served.incrementAndGet() > 0;
        });
        Await.until(() -> served.get() == 1, () -> "the new handler");
        assertEquals(0, ports.inb(PIC2_DATA) & 1 << 3, "IRQ 11 unmasked again");
    }

    @Test
    void unregisteringDetachesTheHandlerAndMasksTheLineWithTheLast() {
        AtomicInteger first = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        InterruptRegistration r1 = irqs.register(5, "first", irq -> first.incrementAndGet() > 0);
        InterruptRegistration r2 = irqs.register(5, "second", irq -> second.incrementAndGet() > 0);
        assertEquals(5, r1.irq());
        r1.close();
        r1.close(); // harmless
        assertEquals(0, ports.inb(PIC1_DATA) & 1 << 5, "still unmasked: second is attached");
        isa(5).pulse();
        Await.until(() -> second.get() == 1, () -> "the remaining handler");
        assertEquals(0, first.get());
        assertEquals(List.of("second"), stats(5).handlers());

        r2.close();
        assertEquals(1 << 5, ports.inb(PIC1_DATA) & 1 << 5, "masked with the last handler gone");
        isa(5).pulse();
        Await.quietPeriod();
        assertEquals(1, second.get());
        assertEquals(List.of(), stats(5).handlers());
    }

    @Test
    void onlyRealLinesCanBeRequested() {
        for (int irq : new int[] {-1, 2, 16}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> irqs.register(irq, "x", n -> true));
            assertTrue(e.getMessage().contains("IRQ " + irq), e::getMessage);
        }
    }

    @Test
    void setLevelTriggeredProgramsTheElcr() {
        irqs.setLevelTriggered(10);
        irqs.setLevelTriggered(11);
        irqs.setLevelTriggered(5);
        assertEquals(0x0C, ports.inb(0x4D1));
        assertEquals(0x20, ports.inb(0x4D0));
    }

    @Test
    void shutdownMasksEverything() {
        irqs.register(4, "com1", irq -> true);
        irqs.shutdown();
        assertEquals(0xFF, ports.inb(PIC1_DATA));
        assertEquals(0xFF, ports.inb(PIC2_DATA));
    }

    @Test
    void aMessageWrittenToTheApicRunsTheHandlerOfItsAllocatedVectorWithoutEoiToThePics() {
        AtomicInteger seen = new AtomicInteger();
        InterruptRegistration a = irqs.allocateVector("PCI-MSI-X", "00:03.0/0", "nic-rx", v -> {
            seen.set(v);
            return true;
        });
        InterruptRegistration b = irqs.allocateVector("PCI-MSI-X", "00:03.0/1", "nic-tx", v -> true);
        assertEquals(InterruptManager.FIRST_MESSAGE_VECTOR, a.irq());
        assertEquals(InterruptManager.FIRST_MESSAGE_VECTOR + 1, b.irq());
        pc.memory().writeInt(0xFEE0_0000L, a.irq());
        Await.until(() -> seen.get() == a.irq(), () -> "the message's handler");
        assertEquals(0, isr(PIC1_COMMAND), "no 8259 request was in service");
        assertEquals(List.of(new VectorStats(a.irq(), 1, "PCI-MSI-X", "00:03.0/0", "nic-rx"),
                new VectorStats(b.irq(), 0, "PCI-MSI-X", "00:03.0/1", "nic-tx")), irqs.vectorStatistics());
        a.close();
        assertEquals(1, irqs.vectorStatistics().size(), "closing frees the vector");
        InterruptRegistration c = irqs.allocateVector("PCI-MSI", "00:04.0/0", "disk", v -> true);
        assertEquals(InterruptManager.FIRST_MESSAGE_VECTOR, c.irq(), "a freed vector is reused");
    }

    @Test
    void aMessageOnAVectorNobodyHoldsIsCountedAsStrayAndDropped() {
        pc.memory().writeInt(0xFEE0_0000L, 0x77);
        Await.until(() -> irqs.strayVectors() == 1, () -> "the stray message");
        // The interrupt thread carries on: a line interrupt after it is still served.
        AtomicInteger calls = new AtomicInteger();
        InterruptRegistration r = irqs.allocateVector("PCI-MSI", "00:03.0/0", "nic", v -> calls.incrementAndGet() > 0);
        pc.memory().writeInt(0xFEE0_0000L, r.irq());
        Await.until(() -> calls.get() == 1, () -> "the next message");
    }

    @Test
    void vectorsRunOutWithAnErrorNamingTheRange() {
        for (int v = InterruptManager.FIRST_MESSAGE_VECTOR; v <= InterruptManager.LAST_MESSAGE_VECTOR; v++) {
            irqs.allocateVector("PCI-MSI", "x", "x" + v, n -> true);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> irqs.allocateVector("PCI-MSI", "y", "one too many", n -> true));
        assertTrue(e.getMessage().contains("48-239"), e.getMessage());
    }
}
