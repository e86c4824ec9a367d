package org.alosj.kernel.impl.pci;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.alosj.kernel.pci.PciDriverCapability;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * The driver repository as its index describes it: an OSGi repository index (the XML of the
 * Repository Service spec, chapter 132.5, as bnd's indexer writes it), read for the resources
 * that offer {@link PciDriverCapability#NAMESPACE} capabilities, each with its bundle's symbolic
 * name and where its jar is ({@code osgi.content}'s {@code url}, relative to the index). What
 * modprobe reads in modules.alias, in OSGi's form.
 */
final class DriverRepository {
    static final String REPOSITORY_NS = "http://www.osgi.org/xmlns/repository/v1.0.0";

    /** One driver bundle in the repository and the PCI ID lines it declares. */
    record Resource(String symbolicName, URI content, List<PciDriverCapability> drivers) {
    }

    private final List<Resource> resources;

    private DriverRepository(List<Resource> resources) {
        this.resources = List.copyOf(resources);
    }

    List<Resource> resources() {
        return resources;
    }

    /**
     * Reads an index; {@code location} is the index's own URI, which relative content URLs are
     * resolved against. A capability this kernel cannot read is reported, not fatal: its
     * resource is simply not offered for it.
     */
    static DriverRepository read(InputStream index, URI location, List<String> problems) throws IOException {
        Element root;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            root = b.parse(index).getDocumentElement();
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException("not a repository index: " + e.getMessage(), e);
        }
        if (!"repository".equals(root.getLocalName())) {
            throw new IOException("not a repository index: the root element is <" + root.getLocalName() + ">");
        }
        List<Resource> out = new ArrayList<>();
        NodeList resources = root.getElementsByTagNameNS(REPOSITORY_NS, "resource");
        for (int i = 0; i < resources.getLength(); i++) {
            Element resource = (Element) resources.item(i);
            String bsn = null;
            URI content = null;
            List<PciDriverCapability> drivers = new ArrayList<>();
            NodeList caps = resource.getElementsByTagNameNS(REPOSITORY_NS, "capability");
            for (int c = 0; c < caps.getLength(); c++) {
                Element cap = (Element) caps.item(c);
                Map<String, String> attrs = attributes(cap);
                switch (cap.getAttribute("namespace")) {
                    case "osgi.identity" -> bsn = attrs.get("osgi.identity");
                    case "osgi.content" -> {
                        String url = attrs.get("url");
                        if (url != null && content == null) {
                            content = location.resolve(url);
                        }
                    }
                    case PciDriverCapability.NAMESPACE -> {
                        try {
                            drivers.add(PciDriverCapability.fromAttributes(attrs));
                        } catch (IllegalArgumentException e) {
                            problems.add(e.getMessage());
                        }
                    }
                    default -> { }
                }
            }
            if (!drivers.isEmpty() && content != null) {
                out.add(new Resource(bsn, content, drivers));
            } else if (!drivers.isEmpty()) {
                problems.add("driver bundle " + bsn + " has no osgi.content url");
            }
        }
        return new DriverRepository(out);
    }

    private static Map<String, String> attributes(Element capability) {
        Map<String, String> attrs = new LinkedHashMap<>();
        NodeList list = capability.getElementsByTagNameNS(REPOSITORY_NS, "attribute");
        for (int i = 0; i < list.getLength(); i++) {
            Element a = (Element) list.item(i);
            attrs.put(a.getAttribute("name"), a.getAttribute("value"));
        }
        return attrs;
    }

    /**
     * The drivers whose ID lines match the function, best match first (as the device manager
     * scores ID tables), each name once.
     */
    List<String> driversFor(int vendor, int device, int subVendor, int subDevice, int revision, int classCode) {
        Map<String, Integer> best = new LinkedHashMap<>();
        for (Resource r : resources) {
            for (PciDriverCapability d : r.drivers()) {
                int score = d.id().score(vendor, device, subVendor, subDevice, revision, classCode);
                if (score > 0) {
                    best.merge(d.driver(), score, Math::max);
                }
            }
        }
        List<String> names = new ArrayList<>(best.keySet());
        names.sort((a, b) -> Integer.compare(best.get(b), best.get(a)));
        return names;
    }

    /** The resource that holds {@code driver}, or null. */
    Resource bundleOf(String driver) {
        for (Resource r : resources) {
            for (PciDriverCapability d : r.drivers()) {
                if (d.driver().equals(driver)) {
                    return r;
                }
            }
        }
        return null;
    }
}
