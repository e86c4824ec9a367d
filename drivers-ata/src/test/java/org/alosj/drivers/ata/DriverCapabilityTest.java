package org.alosj.drivers.ata;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.jar.Manifest;
import org.alosj.kernel.pci.PciDriverCapability;
import org.junit.jupiter.api.Test;

/**
 * The alosj.pci.driver capabilities this bundle's manifest declares (bnd.bnd) are its ID tables,
 * line for line: what the driver repository offers a device is exactly what the driver binds.
 */
class DriverCapabilityTest {
    @Test
    void theDeclaredCapabilitiesAreTheIdTables() throws IOException {
        try (InputStream in = Files.newInputStream(Path.of("target/classes/META-INF/MANIFEST.MF"))) {
            String header = new Manifest(in).getMainAttributes().getValue("Provide-Capability");
            assertEquals(Set.copyOf(PciDriverCapability.of(new AtaPiixDriver(null, false))),
                    Set.copyOf(PciDriverCapability.declaredIn(header)));
        }
    }
}
