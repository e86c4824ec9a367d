package org.alosj.hw.pcnet.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.alosj.hal.board.impl.MachineSettings;
import org.alosj.hal.board.impl.PcMachine;
import org.junit.jupiter.api.Test;

/** The DS component's configuration handling and its life on the board. */
class ComponentTest {
    @Test
    void aBadMacFailsActivationAndPlugsNothing() {
        PcMachine machine = new PcMachine(MachineSettings.withRamMiB(16));
        try {
            int before = machine.pci().functions().size();
            assertThrows(IllegalArgumentException.class,
                    () -> new PcnetComponent("pcnet0", "52:54:00:12:34:zz", "", machine, null));
            assertEquals(before, machine.pci().functions().size());
        } finally {
            machine.powerOff();
        }
    }

    @Test
    void activationHotPlugsIntoTheFirstFreeSlotAndDeactivationUnplugs() {
        PcMachine machine = new PcMachine(MachineSettings.withRamMiB(16));
        try {
            machine.ioPorts().inl(0xAE00); // acknowledge anything pending
            PcnetComponent nic = new PcnetComponent("pcnet0", "", "", machine, null);
            assertEquals(1 << 2, machine.ioPorts().inl(0xAE00), "PCI_UP for slot 2");
            machine.ioPorts().outl(0xCF8, 0x8000_0000 | 2 << 11);
            assertEquals(0x2000_1022, machine.ioPorts().inl(0xCFC));
            nic.deactivate();
            assertEquals(1 << 2, machine.ioPorts().inl(0xAE04), "PCI_DOWN for slot 2");
            assertEquals(-1, machine.ioPorts().inl(0xCFC), "nothing at 00:02.0");
        } finally {
            machine.powerOff();
        }
    }
}
