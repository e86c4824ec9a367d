package org.alosj.kernel.impl.pci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.alosj.kernel.pci.PciDriverCapability;
import org.alosj.kernel.pci.PciId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver locator over an OSGi repository index (Repository Service spec 132.5, the XML bnd's
 * indexer writes): resources offering alosj.pci.driver capabilities are matched against a device's
 * IDs as the device manager scores ID tables, and the matching bundle's jar is handed over.
 */
class RepositoryDriverLocatorTest {
    @TempDir
    Path tmp;
    private final java.util.Set<String> installed = new java.util.HashSet<>();

    /** A resource as bnd's indexer writes one: identity, content, then the bundle's own capabilities. */
    static String resource(String bsn, String jar, String... driverCapabilities) {
        StringBuilder b = new StringBuilder("  <resource>\n");
        b.append("    <capability namespace=\"osgi.identity\">\n")
                .append("      <attribute name=\"osgi.identity\" value=\"").append(bsn).append("\"/>\n")
                .append("      <attribute name=\"type\" value=\"osgi.bundle\"/>\n")
                .append("      <attribute name=\"version\" type=\"Version\" value=\"0.1.0.SNAPSHOT\"/>\n")
                .append("    </capability>\n");
        b.append("    <capability namespace=\"osgi.content\">\n")
                .append("      <attribute name=\"osgi.content\" value=\"0123abcd\"/>\n")
                .append("      <attribute name=\"url\" value=\"").append(jar).append("\"/>\n")
                .append("      <attribute name=\"size\" type=\"Long\" value=\"1234\"/>\n")
                .append("    </capability>\n");
        for (String c : driverCapabilities) {
            b.append("    <capability namespace=\"alosj.pci.driver\">\n");
            for (String attr : c.split(";")) {
                String[] kv = attr.split("=", 2);
                b.append("      <attribute name=\"").append(kv[0]).append("\" value=\"").append(kv[1]).append("\"/>\n");
            }
            b.append("    </capability>\n");
        }
        return b.append("  </resource>\n").toString();
    }

    static String index(String... resources) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<repository increment=\"1\" name=\"drivers\" xmlns=\"http://www.osgi.org/xmlns/repository/v1.0.0\">\n"
                + String.join("", resources) + "</repository>\n";
    }

    private static final String VIRTIO = resource("org.alosj.drivers.virtio", "drivers-virtio.jar",
            "alosj.pci.driver=virtio-pci;vendor=1af4;device=1000",
            "alosj.pci.driver=virtio-pci;vendor=1af4;device=1041");
    private static final String ATA = resource("org.alosj.drivers.ata", "drivers-ata.jar",
            "alosj.pci.driver=ata_piix;vendor=8086;device=7010", "alosj.pci.driver=ata_piix;class=0101");
    private static final String NOT_A_DRIVER = resource("org.alosj.shell", "shell.jar");

    private static Hashtable<String, Object> device(int vendor, int device, int pciClass) {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("pci.vendor", vendor);
        p.put("pci.device", device);
        p.put("pci.class", pciClass);
        p.put("pci.subsystem.vendor", 0x1af4);
        p.put("pci.subsystem.device", 0x1100);
        p.put("pci.revision", 0);
        return p;
    }

    private RepositoryDriverLocator locator(String index) throws IOException {
        Path file = tmp.resolve("repository/index.xml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, index);
        return new RepositoryDriverLocator(file.toUri().toString(), installed::contains);
    }

    @Test
    void aDeviceWithoutADriverFindsTheDriverWhoseVendorAndDeviceLineMatches() throws IOException {
        RepositoryDriverLocator l = locator(index(ATA, NOT_A_DRIVER, VIRTIO));
        assertArrayEquals(new String[] {"virtio-pci"}, l.findDrivers(device(0x1af4, 0x1041, 0x020000)));
        assertArrayEquals(new String[0], l.findDrivers(device(0x1af4, 0x1042, 0x010000)), "no line for 1af4:1042");
    }

    @Test
    void aClassLineMatchesAnyVendorAndAnIdLineRanksFirst() throws IOException {
        RepositoryDriverLocator l = locator(index(VIRTIO, ATA));
        assertArrayEquals(new String[] {"ata_piix"}, l.findDrivers(device(0x1106, 0x0571, 0x01018a)),
                "a VIA IDE controller: class 01:01 whatever the programming interface");
        assertArrayEquals(new String[0], l.findDrivers(device(0x1106, 0x0571, 0x010600)), "SATA is 01:06");
    }

    @Test
    void theMatchingBundlesJarIsHandedOverFromItsContentUrlRelativeToTheIndex() throws IOException {
        RepositoryDriverLocator l = locator(index(VIRTIO));
        Files.write(tmp.resolve("repository/drivers-virtio.jar"), new byte[] {'P', 'K', 3, 4});
        try (InputStream in = l.loadDriver("virtio-pci")) {
            assertArrayEquals(new byte[] {'P', 'K', 3, 4}, in.readAllBytes());
        }
        assertNull(l.loadDriver("e1000"), "a driver the repository does not hold");
        installed.add("org.alosj.drivers.virtio");
        assertNull(l.loadDriver("virtio-pci"), "installed already: nothing to load, as modprobe of a loaded module");
        assertArrayEquals(new String[] {"virtio-pci"}, l.findDrivers(device(0x1af4, 0x1041, 0x020000)),
                "still a candidate (lspci's Kernel modules lists loaded ones too)");
    }

    @Test
    void withoutARepositoryNothingIsFoundAndNothingFails() throws IOException {
        RepositoryDriverLocator none = new RepositoryDriverLocator(null, bsn -> false);
        assertArrayEquals(new String[0], none.findDrivers(device(0x1af4, 0x1041, 0x020000)));
        assertNull(none.loadDriver("virtio-pci"));
        RepositoryDriverLocator broken = locator("<html>not an index</html>");
        assertArrayEquals(new String[0], broken.findDrivers(device(0x1af4, 0x1041, 0x020000)));
        assertArrayEquals(new String[0], locator(index(VIRTIO)).findDrivers(new Hashtable<>()), "not a PCI device");
    }

    @Test
    void aMalformedCapabilityIsReportedAndTheRestOfTheIndexStillServes() throws IOException {
        String bad = resource("org.example.bad", "bad.jar", "alosj.pci.driver=bad;vendor=1af4;device=10",
                "alosj.pci.driver=worse;class=01");
        List<String> problems = new ArrayList<>();
        DriverRepository r = DriverRepository.read(new ByteArrayInputStream(index(bad, VIRTIO)
                .getBytes(StandardCharsets.UTF_8)), URI.create("file:/repo/index.xml"), problems);
        assertEquals(2, problems.size(), problems.toString());
        assertEquals(List.of("virtio-pci"), r.driversFor(0x1af4, 0x1000, -1, -1, -1, 0x020000));
        assertEquals(URI.create("file:/repo/drivers-virtio.jar"), r.bundleOf("virtio-pci").content());
    }

    @Test
    void aCapabilityClauseReadsBackAsTheIdTableLineItCameFrom() {
        PciDriverCapability c = PciDriverCapability.fromAttributes(Map.of("alosj.pci.driver", "virtio-pci",
                "vendor", "1af4", "device", "1041"));
        assertEquals(PciId.of(0x1af4, 0x1041), c.id());
        assertEquals("alosj.pci.driver;alosj.pci.driver=virtio-pci;vendor=1af4;device=1041", c.clause());
        PciDriverCapability cls = PciDriverCapability.fromAttributes(Map.of("alosj.pci.driver", "ata_piix",
                "class", "0101"));
        assertEquals(PciId.ofClass(0x010100, 0xFFFF00), cls.id());
        assertEquals("alosj.pci.driver;alosj.pci.driver=ata_piix;class=0101", cls.clause());
        assertThrows(IllegalArgumentException.class, () -> PciDriverCapability.fromAttributes(
                Map.of("alosj.pci.driver", "x", "vendor", "1af4")));
        assertThrows(IllegalArgumentException.class, () -> PciDriverCapability.fromAttributes(
                Map.of("vendor", "1af4", "device", "1041")));
    }

    @Test
    void theCapabilitiesOfAManifestHeaderAsBndWritesItAreRead() {
        String header = "alosj.pci.driver;alosj.pci.driver=virtio-pci;device=1000;vendor=1af4,alosj.pci.driver;"
                + "alosj.pci.driver=virtio-pci;device=1041;vendor=1af4,osgi.service;objectClass:List<String>="
                + "\"org.alosj.kernel.pci.PciDriver\";uses:=\"org.alosj.kernel.pci\"";
        assertEquals(List.of(new PciDriverCapability("virtio-pci", PciId.of(0x1af4, 0x1000)),
                new PciDriverCapability("virtio-pci", PciId.of(0x1af4, 0x1041))), PciDriverCapability.declaredIn(header));
        assertEquals(List.of(), PciDriverCapability.declaredIn("osgi.service;objectClass:List<String>=\"x\""));
        assertEquals(List.of(), PciDriverCapability.declaredIn(null));
    }

    private static DriverRepository read(String index, List<String> problems) throws IOException {
        return DriverRepository.read(new ByteArrayInputStream(index.getBytes(StandardCharsets.UTF_8)),
                URI.create("file:/repo/index.xml"), problems);
    }

    @Test
    void aRequirementsAttributesAreNotReadAsACapability() throws IOException {
        // bnd writes requirements beside capabilities; an attribute there is not a driver's ID line.
        String withRequirement = VIRTIO.replace("  </resource>\n",
                "    <requirement namespace=\"alosj.pci.driver\">\n"
                + "      <attribute name=\"alosj.pci.driver\" value=\"e1000\"/>\n"
                + "      <attribute name=\"vendor\" value=\"8086\"/>\n"
                + "      <attribute name=\"device\" value=\"100e\"/>\n"
                + "    </requirement>\n  </resource>\n");
        List<String> problems = new ArrayList<>();
        DriverRepository r = read(index(withRequirement, ATA, NOT_A_DRIVER), problems);
        assertEquals(List.of(), problems);
        assertEquals(List.of(), r.driversFor(0x8086, 0x100e, -1, -1, -1, 0x020000));
        assertEquals(List.of("virtio-pci"), r.driversFor(0x1af4, 0x1041, -1, -1, -1, 0x020000));
        assertEquals(List.of("ata_piix"), r.driversFor(0x8086, 0x7010, -1, -1, -1, 0x010180));
        assertEquals("org.alosj.drivers.ata", r.bundleOf("ata_piix").symbolicName());
        assertEquals(2, r.resources().size(), "the shell offers no driver");
    }

    @Test
    void anIndexWithADoctypeOrAnotherRootOrBrokenXmlIsRefused() {
        String doctype = index(VIRTIO).replace("<repository ",
                "<!DOCTYPE repository [<!ENTITY x \"y\">]>\n<repository ");
        IOException e = assertThrows(IOException.class, () -> read(doctype, new ArrayList<>()));
        assertEquals("not a repository index: it has a DOCTYPE", e.getMessage());
        e = assertThrows(IOException.class, () -> read("<?xml version=\"1.0\"?><index/>", new ArrayList<>()));
        assertEquals("not a repository index: the root element is <index>", e.getMessage());
        e = assertThrows(IOException.class, () -> read(index(VIRTIO).replace("</repository>", ""), new ArrayList<>()));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("not a repository index: "), e.getMessage());
    }
}
