package org.alosj.drivers.virtio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alosj.kernel.pci.PciId;
import org.junit.jupiter.api.Test;

/** The ID table, the virtio device ID of each kind of function, and disk names past vdz. */
class IdTableTest {
    @Test
    void theTableNamesTheFourFunctionsOfVirtioNetAndBlk() {
        var table = new VirtioPciDriver(null, null).idTable();
        for (int device : new int[] {0x1000, 0x1001, 0x1041, 0x1042}) {
            assertTrue(table.stream().anyMatch(id -> id.score(0x1af4, device, 0x1af4, 0, 0, 0) >= PciId.MATCH_VENDOR_DEVICE),
                    Integer.toHexString(device));
        }
        assertTrue(table.stream().noneMatch(id -> id.score(0x1af4, 0x1043, 0x1af4, 0x1100, 1, 0x078000) > 0),
                "virtio-console is not driven here");
    }

    @Test
    void aTransitionalFunctionSaysItsTypeInTheSubsystemIdAModernOneInItsDeviceId() {
        assertEquals(1, VirtioPciDriver.virtioId(0x1000, 0x0001));
        assertEquals(2, VirtioPciDriver.virtioId(0x1001, 0x0002));
        assertEquals(2, VirtioPciDriver.virtioId(0x1042, 0x1100));
        assertTrue(VirtioPciDriver.isBlock(0x1af4, 0x1001, 2));
        assertFalse(VirtioPciDriver.isBlock(0x1af4, 0x1000, 1));
        assertFalse(VirtioPciDriver.isBlock(0x8086, 0x1042, 0x1100));
    }

    @Test
    void disksAreNamedLikeLinuxsVirtioBlk() {
        assertEquals("a", VirtioPciDriver.letters(0));
        assertEquals("z", VirtioPciDriver.letters(25));
        assertEquals("aa", VirtioPciDriver.letters(26));
        assertEquals("ab", VirtioPciDriver.letters(27));
        assertEquals("zz", VirtioPciDriver.letters(26 + 26 * 26 - 1));
        assertEquals("aaa", VirtioPciDriver.letters(26 + 26 * 26));
    }
}
