package org.alosj.hal.board.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.pci.Cf8;
import org.alosj.hal.pci.PciFunction;
import org.alosj.hal.pci.TestDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ACPI PCI hot-plug as QEMU's pc machine does it (hw/acpi/pcihp.c and the DSDT): the register
 * block at 0xAE00 (PCI_UP 0xAE00, PCI_DOWN 0xAE04, PCI_EJ 0xAE08, PCI_RMV 0xAE0C) and GPE0 bit 1
 * in the PIIX4's GPE0 block at 0xAFE0, which drives the SCI (IRQ 9) while it is enabled.
 */
class PciHotplugControllerTest {
    static final int PCI_UP = 0xAE00;
    static final int PCI_DOWN = 0xAE04;
    static final int PCI_EJ = 0xAE08;
    static final int PCI_RMV = 0xAE0C;
    static final int GPE0_STS = 0xAFE0;
    static final int GPE0_EN = 0xAFE2;
    static final int HOTPLUG_GPE = 1 << 1;

    private PcMachine machine;
    private IoPortSpace ports;

    @BeforeEach
    void powerOn() {
        machine = new PcMachine(MachineSettings.withRamMiB(16));
        ports = machine.ioPorts();
        Pic8259PairTest.initialise(ports, 0x01);
        ports.outb(0x4D1, 0x02); // IRQ 9 level, as the SCI is
        ports.outw(GPE0_EN, HOTPLUG_GPE); // what an OS with the DSDT's _E01 enables
    }

    @AfterEach
    void powerOff() {
        machine.powerOff();
    }

    private boolean sci() {
        return (Pic8259PairTest.irr(ports, 0xA0) & 0x02) != 0;
    }

    /** What the OS does on the SCI: clear the GPE status bit it handles (write one). */
    private void acknowledgeGpe() {
        ports.outw(GPE0_STS, HOTPLUG_GPE);
    }

    @Test
    void nothingIsReportedAtPowerOn() {
        assertEquals(0, ports.inw(GPE0_STS), "the chipset functions are not hot-plug events");
        assertEquals(0, ports.inl(PCI_UP));
        assertEquals(0, ports.inl(PCI_DOWN));
        assertFalse(sci());
    }

    @Test
    void plugSetsTheUpBitAndTheHotplugGpeWhichHoldsTheSciUntilCleared() {
        machine.pci().plug(new TestDevice("hot"), 6, 0);
        assertEquals(HOTPLUG_GPE, ports.inw(GPE0_STS));
        assertTrue(sci());
        assertTrue(machine.interruptPin().pending());
        assertEquals(0x29, machine.interruptPin().acknowledge(), "IRQ 9 on the slave 8259 at vector base 0x28");
        assertTrue(sci(), "reading the bitmaps is not an acknowledgement: the level stays");
        assertEquals(1 << 6, ports.inl(PCI_UP));
        assertTrue(sci());
        acknowledgeGpe();
        assertFalse(sci(), "writing one to GPE0_STS clears the event and drops the SCI");
        assertEquals(0, ports.inw(GPE0_STS));
        assertEquals(0, ports.inl(PCI_UP), "reading PCI_UP cleared it");
        assertEquals(0, ports.inl(PCI_DOWN));
    }

    @Test
    void aDisabledGpeSetsItsStatusButNoSci() {
        ports.outw(GPE0_EN, 0);
        machine.pci().plug(new TestDevice("hot"), 6, 0);
        assertEquals(HOTPLUG_GPE, ports.inw(GPE0_STS));
        assertFalse(sci());
        ports.outw(GPE0_EN, HOTPLUG_GPE);
        assertTrue(sci(), "enabling a pending event raises the SCI");
        assertEquals(HOTPLUG_GPE, ports.inl(GPE0_STS) >>> 16 & 0xFFFF, "GPE0_EN follows GPE0_STS in one dword");
    }

    @Test
    void writingZeroToTheStatusClearsNothing() {
        machine.pci().plug(new TestDevice("hot"), 6, 0);
        ports.outw(GPE0_STS, 0);
        ports.outw(GPE0_STS, ~HOTPLUG_GPE & 0xFFFF);
        assertTrue(sci());
        assertEquals(HOTPLUG_GPE, ports.inb(GPE0_STS));
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
    void unplugRequestSetsTheDownBitAndKeepsTheDeviceUntilTheOsEjects() {
        TestDevice d = new TestDevice("hot");
        machine.pci().plug(d, 6, 0);
        ports.inl(PCI_UP);
        acknowledgeGpe();
        CompletableFuture<Void> removed = machine.pci().requestUnplug(d).toCompletableFuture();
        assertTrue(sci());
        assertEquals(1 << 6, ports.inl(PCI_DOWN));
        assertEquals(1 << 6, ports.inl(PCI_DOWN), "down stays set until the slot is ejected");
        assertTrue(d.attached(), "a request, not a removal: the OS still owns the device");
        assertFalse(removed.isDone());
        acknowledgeGpe();
        ports.outl(PCI_EJ, 1 << 6);
        assertFalse(d.attached());
        assertTrue(removed.isDone(), "the eject completes the request");
        assertEquals(0, ports.inl(PCI_DOWN), "ejecting clears the slot's down bit");
        assertFalse(sci(), "the OS's own eject is not another event");
        assertEquals(0, ports.inw(GPE0_STS));
    }

    @Test
    void surpriseRemovalSetsTheDownBitUntilTheEmptySlotIsEjected() {
        TestDevice d = new TestDevice("hot");
        machine.pci().plug(d, 6, 0);
        ports.inl(PCI_UP);
        acknowledgeGpe();
        machine.pci().unplug(d);
        assertTrue(sci());
        assertEquals(1 << 6, ports.inl(PCI_DOWN));
        acknowledgeGpe();
        ports.outl(PCI_EJ, 1 << 6);
        assertEquals(0, ports.inl(PCI_DOWN));
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
    void anUnplugRequestForAFunctionNotOnTheBusIsAlreadyDone() {
        assertTrue(machine.pci().requestUnplug(new TestDevice("never")).toCompletableFuture().isDone());
        assertEquals(0, ports.inl(PCI_DOWN));
        assertFalse(sci());
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
