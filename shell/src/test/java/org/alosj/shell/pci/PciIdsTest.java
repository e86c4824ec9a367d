package org.alosj.shell.pci;

import org.alosj.testkit.RealPeers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PciIdsTest {
    static final String SAMPLE = """
            #	List of PCI ID's
            # Syntax: vendor  vendor_name
            1022  Advanced Micro Devices, Inc. [AMD]
            \t2000  79c970 [PCnet32 LANCE]
            \t\t1022 2000  PCnet - Fast 79C971
            \t\t103c 104c  Ethernet with LAN remote power Adapter
            \t2001  79c978 [HomePNA]
            1af4  Red Hat, Inc.
            \t1000  Virtio network device
            \t\t1af4 0001  Virtio network device

            # List of known device classes, subclasses and programming interfaces
            C 01  Mass storage controller
            \t01  IDE interface
            \t\t80  ISA Compatibility mode-only controller, supports bus mastering
            C 02  Network controller
            \t00  Ethernet controller
            X 99  a future section we do not know
            \t01  its child
            """;

    @Test
    void vendorsDevicesAndSubsystemsComeFromTheIdSection() throws IOException {
        PciIds ids = PciIds.parse(new StringReader(SAMPLE));
        assertEquals("Advanced Micro Devices, Inc. [AMD]", ids.vendor(0x1022));
        assertEquals("79c970 [PCnet32 LANCE]", ids.device(0x1022, 0x2000));
        assertEquals("79c978 [HomePNA]", ids.device(0x1022, 0x2001));
        assertEquals("PCnet - Fast 79C971", ids.subsystem(0x1022, 0x2000, 0x1022, 0x2000));
        assertEquals("Ethernet with LAN remote power Adapter", ids.subsystem(0x1022, 0x2000, 0x103c, 0x104c));
        assertEquals("Virtio network device", ids.subsystem(0x1af4, 0x1000, 0x1af4, 0x0001));
        assertNull(ids.subsystem(0x1022, 0x2001, 0x1022, 0x2000), "subsystems belong to their device");
        assertNull(ids.vendor(0x8086));
        assertNull(ids.device(0x1af4, 0x2000));
    }

    @Test
    void classesSubclassesAndProgIfsComeFromTheCSection() throws IOException {
        PciIds ids = PciIds.parse(new StringReader(SAMPLE));
        assertEquals("Mass storage controller", ids.className(0x01));
        assertEquals("IDE interface", ids.subclassName(0x01, 0x01));
        assertEquals("ISA Compatibility mode-only controller, supports bus mastering", ids.progIfName(1, 1, 0x80));
        assertEquals("Ethernet controller", ids.subclassName(0x02, 0x00));
        assertNull(ids.subclassName(0x02, 0x80));
        assertNull(ids.className(0x99), "an unknown section is skipped, children too");
        assertNull(ids.subclassName(0x99, 0x01));
    }

    @Test
    void aMissingFileIsAnErrorNamingIt() {
        IOException e = assertThrows(IOException.class, () -> PciIds.load(Path.of("/no/such/pci.ids")));
        assertEquals("cannot read PCI ID database /no/such/pci.ids", e.getMessage());
    }

    @Test
    void theSystemDatabaseParsesCompletely() throws IOException {
        Path system = PciIds.systemFile().orElse(null);
        RealPeers.require(system != null, "no pci.ids installed");
        PciIds ids = PciIds.load(system);
        assertEquals("Intel Corporation", ids.vendor(0x8086));
        assertEquals("82574L Gigabit Network Connection", ids.device(0x8086, 0x10d3));
        assertEquals("Qemu virtual machine", ids.subsystem(0x8086, 0x1237, 0x1af4, 0x1100));
        assertEquals("Host bridge", ids.subclassName(0x06, 0x00));
    }
}
