package org.alosj.hal.board.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.irq.InterruptPin;
import org.alosj.hal.pci.Cf8;
import org.alosj.hal.pci.PciFunction;
import org.alosj.hal.pci.TestDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PCI INTx on the i440FX/PIIX3 board: a function's pin is swizzled by its slot onto one of the
 * PIRQA–D links (QEMU's {@code pci_slot_get_pirq}: (pin - 1 + slot - 1) mod 4), the links are
 * wired-OR, and the PIIX3's PIRQ route control registers (0x60–0x63) steer each link to an 8259
 * input, which the ELCR makes level-sensitive.
 */
class PciInterruptRoutingTest {
    static final int ISA_BRIDGE = Cf8.devfn(1, 0);
    /** PIRQA→5, PIRQB→10, PIRQC→11, PIRQD→15, all level-triggered. */
    static final int[] ROUTE = {5, 10, 11, 15};

    private PcMachine machine;
    private IoPortSpace ports;
    private Cf8 cfg;
    private InterruptPin cpu;

    @BeforeEach
    void powerOn() {
        machine = new PcMachine(MachineSettings.withRamMiB(16));
        ports = machine.ioPorts();
        cfg = new Cf8(ports);
        cpu = machine.interruptPin();
        Pic8259PairTest.initialise(ports, 0x01);
        for (int pirq = 0; pirq < 4; pirq++) {
            cfg.writeb(ISA_BRIDGE, 0x60 + pirq, ROUTE[pirq]);
        }
        ports.outb(0x4D0, 1 << 5);
        // IRQ 9 (hot-plug) level too, as ALOS's kernel sets it, so a read bitmap drops it.
        ports.outb(0x4D1, (1 << 1) | (1 << 2) | (1 << 3) | (1 << 7));
    }

    @AfterEach
    void powerOff() {
        machine.powerOff();
    }

    /** The 16 ISA request lines as the 8259 pair's IRR shows them (level mode: the lines). */
    private int irqLines() {
        return Pic8259PairTest.irr(ports, 0x20) & ~0x04 | Pic8259PairTest.irr(ports, 0xA0) << 8;
    }

    private TestDevice plug(int slot, int pin) {
        TestDevice d = new TestDevice("dev" + slot + "." + pin, pin, 0x00);
        machine.pci().plug(d, slot, 0);
        ports.inl(0xAE00); // acknowledge the hot-plug event (IRQ 9)
        return d;
    }

    @Test
    void intaOfSlot3GoesToPirqCAndIsDeliveredLevelTriggered() {
        TestDevice d = plug(3, 1);
        d.intx(true);
        assertEquals(1 << 11, irqLines());
        assertEquals(0x08, cfg.readw(Cf8.devfn(3, 0), 0x06) & 0x08, "status: interrupt pending");
        assertEquals(0x2B, cpu.acknowledge());
        ports.outb(0xA0, 0x20);
        ports.outb(0x20, 0x20);
        assertTrue(cpu.pending(), "still asserted: requested again after EOI");
        assertEquals(0x2B, cpu.acknowledge());
        d.intx(false);
        ports.outb(0xA0, 0x20);
        ports.outb(0x20, 0x20);
        assertFalse(cpu.pending());
        assertEquals(0, irqLines());
        assertEquals(0, cfg.readw(Cf8.devfn(3, 0), 0x06) & 0x08);
    }

    @Test
    void pinsAreSwizzledBySlotOntoThePirqLinks() {
        for (int slot = 2; slot <= 7; slot++) {
            for (int pin = 1; pin <= 4; pin++) {
                TestDevice d = plug(slot, pin);
                d.intx(true);
                int pirq = (pin - 1 + slot - 1) & 3;
                assertEquals(1 << ROUTE[pirq], irqLines(),
                        String.format("slot %d INT%c# on PIRQ%c", slot, 'A' + pin - 1, 'A' + pirq));
                d.intx(false);
                assertEquals(0, irqLines());
                machine.pci().unplug(d);
                ports.inl(0xAE04);
            }
        }
    }

    @Test
    void functionWithoutAPinRaisesNothing() {
        TestDevice d = plug(3, 0);
        d.intx(true);
        assertEquals(0, irqLines());
    }

    @Test
    void intxDisableMasksTheInterruptButNotItsStatus() {
        TestDevice d = plug(3, 1);
        int devfn = Cf8.devfn(3, 0);
        d.intx(true);
        cfg.writew(devfn, 0x04, PciFunction.PCI_COMMAND_INTX_DISABLE);
        assertEquals(0, irqLines());
        assertEquals(0x08, cfg.readw(devfn, 0x06) & 0x08, "the status bit still shows the request");
        cfg.writew(devfn, 0x04, 0);
        assertEquals(1 << 11, irqLines());
        cfg.writew(devfn, 0x04, PciFunction.PCI_COMMAND_INTX_DISABLE);
        d.intx(false);
        d.intx(true);
        assertEquals(0, irqLines(), "asserting while disabled drives nothing");
    }

    @Test
    void twoFunctionsOnOnePirqAreWiredOr() {
        TestDevice a = plug(3, 1); // (0 + 2) & 3 = PIRQC
        TestDevice b = plug(4, 4); // (3 + 3) & 3 = PIRQC
        a.intx(true);
        b.intx(true);
        assertEquals(1 << 11, irqLines());
        a.intx(false);
        assertEquals(1 << 11, irqLines(), "b still pulls the shared line");
        b.intx(false);
        assertEquals(0, irqLines());
        b.intx(true);
        b.intx(true);
        b.intx(false);
        assertEquals(0, irqLines(), "asserting twice counts once");
    }

    @Test
    void disabledRouteDrivesNoIrqAndReroutingMovesTheLevel() {
        TestDevice d = plug(3, 1);
        d.intx(true);
        cfg.writeb(ISA_BRIDGE, 0x62, 0x80 | 11);
        assertEquals(0, irqLines(), "bit 7: PIRQC routing disabled");
        cfg.writeb(ISA_BRIDGE, 0x62, 10);
        assertEquals(1 << 10, irqLines());
        assertEquals(0x0A, cfg.readb(ISA_BRIDGE, 0x62));
        cfg.writeb(ISA_BRIDGE, 0x62, 0x70 | 11);
        assertEquals(0x0B, cfg.readb(ISA_BRIDGE, 0x62), "bits 6:4 are reserved, read 0");
    }

    @Test
    void unplugWhileAssertedReleasesTheLine() {
        TestDevice d = plug(3, 1);
        d.intx(true);
        machine.pci().unplug(d);
        ports.inl(0xAE04); // the removal's hot-plug event
        assertEquals(0, irqLines());
    }
}
