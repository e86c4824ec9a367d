package org.alosj.hal.board.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.pci.Cf8;
import org.alosj.hal.pci.PciFunction;
import org.alosj.hal.pci.TestDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The PCI hot-plug block at 0xAE00 with QEMU's ACPI PCI hot-plug register layout
 * (hw/acpi/pcihp.c): PCI_UP 0xAE00, PCI_DOWN 0xAE04, PCI_EJ 0xAE08, PCI_RMV 0xAE0C. Without ACPI
 * it signals on IRQ 9, made level-triggered here as ALOS's kernel does.
 */
class PciHotplugControllerTest {
    static final int PCI_UP = 0xAE00;
    static final int PCI_DOWN = 0xAE04;
    static final int PCI_EJ = 0xAE08;
    static final int PCI_RMV = 0xAE0C;

    private PcMachine machine;
    private IoPortSpace ports;

    @BeforeEach
    void powerOn() {
        machine = new PcMachine(MachineSettings.withRamMiB(16));
        ports = machine.ioPorts();
        Pic8259PairTest.initialise(ports, 0x01);
        ports.outb(0x4D1, 0x02); // IRQ 9 level
    }

    @AfterEach
    void powerOff() {
        machine.powerOff();
    }

    private boolean irq9() {
        return (Pic8259PairTest.irr(ports, 0xA0) & 0x02) != 0;
    }

    @Test
    void nothingIsReportedAtPowerOn() {
        assertEquals(0, ports.inl(PCI_UP), "the chipset functions are not hot-plug events");
        assertEquals(0, ports.inl(PCI_DOWN));
        assertFalse(irq9());
    }

    @Test
    void plugSetsTheSlotsUpBitAndRaisesIrq9UntilRead() {
        machine.pci().plug(new TestDevice("hot"), 6, 0);
        assertTrue(irq9());
        assertTrue(machine.interruptPin().pending());
        assertEquals(0x29, machine.interruptPin().acknowledge());
        assertEquals(1 << 6, ports.inl(PCI_UP));
        assertFalse(irq9(), "reading the bitmap acknowledges it");
        assertEquals(0, ports.inl(PCI_UP));
        assertEquals(0, ports.inl(PCI_DOWN));
    }

    @Test
    void slotsPluggedBeforeTheReadAccumulate() {
        machine.pci().plug(new TestDevice("a"), 6, 0);
        machine.pci().plug(new TestDevice("b"), 9, 0);
        int devfn = machine.pci().plug(new TestDevice("c"), -1, 0);
        assertEquals(Cf8.devfn(2, 0), devfn, "the lowest free slot");
        assertEquals(1 << 2 | 1 << 6 | 1 << 9, ports.inl(PCI_UP));
    }

    @Test
    void unplugSetsTheDownBit() {
        TestDevice d = new TestDevice("hot");
        machine.pci().plug(d, 6, 0);
        ports.inl(PCI_UP);
        assertFalse(irq9());
        machine.pci().unplug(d);
        assertTrue(irq9());
        assertEquals(1 << 6, ports.inl(PCI_DOWN));
        assertFalse(irq9());
        assertEquals(0, ports.inl(PCI_UP));
    }

    @Test
    void plugThenUnplugBeforeTheOsLooksReportsOnlyTheRemoval() {
        TestDevice d = new TestDevice("brief");
        machine.pci().plug(d, 6, 0);
        machine.pci().unplug(d);
        assertEquals(0, ports.inl(PCI_UP));
        assertEquals(1 << 6, ports.inl(PCI_DOWN));
    }

    @Test
    void ejectRegisterRemovesTheSlotsFunctions() {
        Cf8 cfg = new Cf8(ports);
        TestDevice d = new TestDevice("ejectable");
        machine.pci().plug(d, 6, 0);
        ports.inl(PCI_UP);
        cfg.writel(Cf8.devfn(6, 0), 0x10, 0xC000);
        cfg.writew(Cf8.devfn(6, 0), 0x04, PciFunction.PCI_COMMAND_IO);
        assertEquals(0, ports.inb(0xC000));
        ports.outl(PCI_EJ, 1 << 6);
        assertFalse(d.attached());
        assertFalse(machine.pci().functions().contains(d));
        assertEquals(0xFFFF_FFFF, cfg.readl(Cf8.devfn(6, 0), 0));
        assertEquals(0xFF, ports.inb(0xC000), "its decoders went with it");
    }

    @Test
    void chipsetSlotsAreNotRemovableAndIgnoreEject() {
        assertEquals(0, ports.inl(PCI_RMV) & 0b11, "slots 0 and 1 are not removable");
        assertEquals(1 << 6, ports.inl(PCI_RMV) & 1 << 6);
        ports.outl(PCI_EJ, 0b11);
        assertEquals(3, machine.pci().functions().size(), "host bridge, ISA bridge, PIIX4 PM: still there");
        assertEquals(0x1237_8086, new Cf8(ports).readl(0, 0));
    }
}
