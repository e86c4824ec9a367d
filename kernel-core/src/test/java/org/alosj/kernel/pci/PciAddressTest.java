package org.alosj.kernel.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A function's address written as lspci writes it, {@code [[domain:]bus:]device.function} in hex. */
class PciAddressTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "00:02.0, 0, 2, 0",
        "02.0, 0, 2, 0",
        "1f.7, 0, 31, 7",
        "00:1F.7, 0, 31, 7",
        "01:02.0, 1, 2, 0",
        "ff:00.3, 255, 0, 3",
        "0000:00:03.0, 0, 3, 0",
        "0000:0a:1c.2, 10, 28, 2",
        "' 00:05.0 ', 0, 5, 0"})
    void parsesTheFormsLspciWrites(String text, int bus, int device, int function) {
        assertEquals(new PciAddress(bus, device, function), PciAddress.parse(text));
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", "00:02", "00:02.8", "00:20.0", "zz:01.0", "0:0:0:0.0", "00000:00:02.0",
        "100:00.0", "00:02.0.1", "00-02.0", "-1:02.0"})
    void rejectsWhatIsNotAnAddressSayingWhat(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PciAddress.parse(text));
        assertTrue(e.getMessage().contains(text.trim()) || e.getMessage().contains("out of range"), e::getMessage);
    }

    @Test
    void formatsAsBusDeviceFunction() {
        assertEquals("00:03.0", new PciAddress(0, 3, 0).toString());
        assertEquals("0a:1f.7", new PciAddress(10, 31, 7).toString());
    }

    @Test
    void parseAndFormatRoundTrip() {
        for (int bus : new int[] {0, 1, 0x7f, 0xff}) {
            for (int device = 0; device < 32; device++) {
                for (int function = 0; function < 8; function++) {
                    PciAddress a = new PciAddress(bus, device, function);
                    assertEquals(a, PciAddress.parse(a.toString()));
                }
            }
        }
    }

    @Test
    void componentsOutOfRangeAreRejectedWithTheValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PciAddress(0, 32, 0));
        assertTrue(e.getMessage().contains("device 32"), e::getMessage);
        assertThrows(IllegalArgumentException.class, () -> new PciAddress(256, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new PciAddress(0, 0, 8));
        assertThrows(IllegalArgumentException.class, () -> new PciAddress(-1, 0, 0));
    }

    @Test
    void devfnAndOrderFollowTheBus() {
        assertEquals(0x1F, new PciAddress(0, 3, 7).devfn());
        List<PciAddress> list = new ArrayList<>(List.of(new PciAddress(1, 0, 0), new PciAddress(0, 3, 1),
                new PciAddress(0, 3, 0), new PciAddress(0, 1, 0)));
        Collections.sort(list);
        assertEquals(List.of(new PciAddress(0, 1, 0), new PciAddress(0, 3, 0), new PciAddress(0, 3, 1),
                new PciAddress(1, 0, 0)), list);
    }

    @Test
    void addressesAreEqualAndHashAlikeExactlyWhenBusDeviceAndFunctionAre() {
        java.util.Set<PciAddress> seen = new java.util.HashSet<>();
        for (int bus : new int[] {0, 1, 255}) {
            for (int device = 0; device < 32; device++) {
                for (int function = 0; function < 8; function++) {
                    PciAddress a = new PciAddress(bus, device, function);
                    assertEquals(a, new PciAddress(bus, device, function));
                    assertEquals(a.hashCode(), new PciAddress(bus, device, function).hashCode());
                    assertTrue(seen.add(a), "a second " + a);
                }
            }
        }
        assertEquals(3 * 32 * 8, seen.size());
        assertTrue(!new PciAddress(0, 2, 0).equals(new PciAddress(0, 2, 1)));
        assertTrue(!new PciAddress(0, 2, 0).equals("00:02.0"));
    }
}
