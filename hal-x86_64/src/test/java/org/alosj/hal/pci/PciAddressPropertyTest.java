package org.alosj.hal.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** QEMU's {@code addr} property: decimal, hex or slot.function. */
class PciAddressPropertyTest {
    @Test
    void slotsAreDecimalHexOrQemuStyle() {
        assertEquals(-1, PciAddressProperty.parse("", "the NIC"));
        assertEquals(-1, PciAddressProperty.parse(null, "the NIC"));
        assertEquals(10, PciAddressProperty.parse("10", "the NIC"));
        assertEquals(16, PciAddressProperty.parse("0x10", "the NIC"));
        assertEquals(16, PciAddressProperty.parse("10.0", "the NIC"));
        assertThrows(IllegalArgumentException.class, () -> PciAddressProperty.parse("0", "the NIC"));
        assertThrows(IllegalArgumentException.class, () -> PciAddressProperty.parse("32", "the NIC"));
        String function = assertThrows(IllegalArgumentException.class, () -> PciAddressProperty.parse("3.1", "the PCnet"))
                .getMessage();
        assertTrue(function.contains("the PCnet is a single-function device"), function);
        assertThrows(IllegalArgumentException.class, () -> PciAddressProperty.parse("x", "the NIC"));
    }
}
