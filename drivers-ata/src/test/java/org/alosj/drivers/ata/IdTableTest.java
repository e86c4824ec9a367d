package org.alosj.drivers.ata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alosj.kernel.pci.PciId;
import org.junit.jupiter.api.Test;

/** ata_piix's ID table as the device manager scores it. */
class IdTableTest {
    private static int best(int vendor, int device, int classCode) {
        return new AtaPiixDriver(null, false).idTable().stream()
                .mapToInt(id -> id.score(vendor, device, 0x1AF4, 0x1100, 0, classCode)).max().orElse(0);
    }

    @Test
    void thePiix3IdeFunctionMatchesByVendorAndDevice() {
        assertEquals(PciId.MATCH_VENDOR_DEVICE, best(0x8086, 0x7010, 0x010180));
    }

    @Test
    void anyIdeInterfaceMatchesByClassOnlyAndNothingElseDoes() {
        int score = best(0x1106, 0x0571, 0x01018A);
        assertTrue(score > 0 && score < PciId.MATCH_VENDOR_DEVICE, "class match: " + score);
        assertEquals(0, best(0x8086, 0x7000, 0x060100), "the PIIX3 ISA bridge");
        assertEquals(0, best(0x8086, 0x2922, 0x010601), "an AHCI controller");
    }
}
