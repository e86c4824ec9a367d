package org.alosj.kernel.pci;

import static org.alosj.kernel.pci.PciId.ANY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A driver's ID table line scored against a function, as Linux matches {@code pci_device_id}:
 * no match is 0, and a more specific line always beats a less specific one
 * (class under a mask &lt; vendor:device &lt; + subsystem &lt; + revision).
 */
class PciIdTest {
    // An AMD PCnet-PCI II as QEMU presents it: 1022:2000 rev 10, subsystem 1af4:1100, class 020000.
    private static int score(PciId id) {
        return id.score(0x1022, 0x2000, 0x1AF4, 0x1100, 0x10, 0x020000);
    }

    @Test
    void moreSpecificLinesScoreHigher() {
        int anyNetwork = score(PciId.ofClass(0x020000, 0xFF0000));
        int ethernet = score(PciId.ofClass(0x020000, 0xFFFF00));
        int ethernetExactProgIf = score(PciId.ofClass(0x020000, 0xFFFFFF));
        int vendorDevice = score(PciId.of(0x1022, 0x2000));
        int vendorDeviceRevision = score(PciId.of(0x1022, 0x2000).withRevision(0x10));
        int subsystem = score(PciId.of(0x1022, 0x2000).withSubsystem(0x1AF4, 0x1100));
        int subsystemRevision = score(PciId.of(0x1022, 0x2000).withSubsystem(0x1AF4, 0x1100).withRevision(0x10));
        assertTrue(0 < anyNetwork, "class match");
        assertTrue(anyNetwork < ethernet && ethernet < ethernetExactProgIf, "a tighter class mask is better");
        assertTrue(ethernetExactProgIf < vendorDevice, "any ID match beats any class match");
        assertTrue(vendorDevice < vendorDeviceRevision, "a revision narrows vendor:device");
        assertTrue(vendorDeviceRevision < subsystem, "the subsystem beats the revision");
        assertTrue(subsystem < subsystemRevision);
        assertEquals(PciId.MATCH_VENDOR_DEVICE, vendorDevice);
        assertEquals(PciId.MATCH_SUBSYSTEM, subsystem);
        assertEquals(PciId.MATCH_REVISION, subsystemRevision);
    }

    @Test
    void anyFieldThatDiffersIsNoMatch() {
        assertEquals(0, score(PciId.of(0x8086, 0x2000)), "vendor");
        assertEquals(0, score(PciId.of(0x1022, 0x2001)), "device");
        assertEquals(0, score(PciId.of(0x1022, 0x2000).withSubsystem(0x1AF4, 0x1101)), "subdevice");
        assertEquals(0, score(PciId.of(0x1022, 0x2000).withSubsystem(0x8086, ANY)), "subvendor");
        assertEquals(0, score(PciId.of(0x1022, 0x2000).withRevision(0x11)), "revision");
        assertEquals(0, score(PciId.ofClass(0x010000, 0xFF0000)), "storage is not network");
        assertEquals(0, score(PciId.ofClass(0x020001, 0xFFFFFF)), "prog-if under a full mask");
        assertEquals(0, score(new PciId(0x1022, 0x2000, ANY, ANY, ANY, 0x010000, 0xFF0000)),
                "an ID line with a class must match the class too");
    }

    @Test
    void anyMatchesEverything() {
        assertTrue(score(PciId.of(0x1022, 0x2000).withSubsystem(ANY, 0x1100)) > 0);
        assertTrue(score(PciId.ofClass(0, 0)) > 0, "a catch-all line (class 0 under mask 0)");
        assertTrue(score(PciId.ofClass(0, 0)) < score(PciId.ofClass(0x020000, 0xFF0000)));
    }

    @Test
    void printsLikeAnIdTable() {
        assertEquals("1022:2000 sub *:* rev * class 000000/000000", PciId.of(0x1022, 0x2000).toString());
        assertEquals("*:* sub *:* rev * class 020000/ff0000", PciId.ofClass(0x020000, 0xFF0000).toString());
        assertEquals("8086:10d3 sub 8086:0000 rev 00 class 000000/000000",
                PciId.of(0x8086, 0x10D3).withSubsystem(0x8086, 0).withRevision(0).toString());
    }
}
