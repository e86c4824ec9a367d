package org.alosj.drivers.e1000e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.jar.Manifest;
import org.alosj.kernel.pci.PciDriver;
import org.alosj.kernel.pci.PciDriverCapability;
import org.junit.jupiter.api.Test;

/**
 * The alosj.pci.driver capabilities this bundle's manifest declares (bnd.bnd) are its ID tables,
 * line for line: what the driver repository offers a device is exactly what the driver binds.
 */
class DriverCapabilityTest {
    static Set<PciDriverCapability> declared() throws IOException {
        Path manifest = Path.of("target/classes/META-INF/MANIFEST.MF");
        try (InputStream in = Files.newInputStream(manifest)) {
            String header = new Manifest(in).getMainAttributes().getValue("Provide-Capability");
            return new HashSet<>(PciDriverCapability.declaredIn(header));
        }
    }

    static Set<PciDriverCapability> idTables(PciDriver... drivers) {
        Set<PciDriverCapability> out = new HashSet<>();
        for (PciDriver d : drivers) {
            d.idTable().forEach(id -> out.add(new PciDriverCapability(d.name(), id)));
        }
        return out;
    }

    @Test
    void theDeclaredCapabilitiesAreTheIdTables() throws IOException {
        assertEquals(idTables(new E1000Driver(null), new E1000eDriver(null, E1000Nic.IntMode.MSIX)), declared());
    }
}
