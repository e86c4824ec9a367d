package org.alosj.hw.pcnet.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alosj.hal.board.impl.MachineSettings;
import org.alosj.hal.board.impl.PcMachine;
import org.junit.jupiter.api.Test;

/** The DS component's configuration handling and its life on the board. */
class ComponentTest {
    @Test
    void macAddressesParseAndDefaultLikeQemu() {
        assertEquals("aa:bb:cc:dd:ee:0f", MacAddress.parse("AA:bb:cc:dd:ee:f").toString());
        assertEquals("52:54:00:12:34:56", MacAddress.defaultFor("pcnet0").toString());
        assertEquals("52:54:00:12:34:57", MacAddress.defaultFor("pcnet1").toString());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("52:54:00:12:34"))
                .getMessage().contains("52:54:00:12:34"));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("01:00:5e:00:00:01"));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("zz:54:00:12:34:56"));
    }

    @Test
    void slotsAreDecimalHexOrQemuStyle() {
        assertEquals(-1, PcnetComponent.parseSlot(""));
        assertEquals(10, PcnetComponent.parseSlot("10"));
        assertEquals(16, PcnetComponent.parseSlot("0x10"));
        assertEquals(16, PcnetComponent.parseSlot("10.0"));
        assertThrows(IllegalArgumentException.class, () -> PcnetComponent.parseSlot("0"));
        assertThrows(IllegalArgumentException.class, () -> PcnetComponent.parseSlot("3.1"));
        assertThrows(IllegalArgumentException.class, () -> PcnetComponent.parseSlot("x"));
    }

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
