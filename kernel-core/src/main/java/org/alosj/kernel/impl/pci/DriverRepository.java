package org.alosj.kernel.impl.pci;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.alosj.kernel.pci.PciDriverCapability;

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
     * resource is simply not offered for it. The index is read as a stream in one pass (it is
     * read at every boot: a document tree and its tag searches cost several times as much).
     */
    static DriverRepository read(InputStream index, URI location, List<String> problems) throws IOException {
        XMLInputFactory f = XMLInputFactory.newDefaultFactory();
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        List<Resource> out = new ArrayList<>();
        try {
            XMLStreamReader xml = f.createXMLStreamReader(index);
            try {
                readRepository(xml, location, problems, out);
            } finally {
                xml.close();
            }
        } catch (XMLStreamException e) {
            throw new IOException("not a repository index: " + e.getMessage(), e);
        }
        return new DriverRepository(out);
    }

    /**
     * The elements that matter, wherever they sit: {@code resource}s, their {@code capability}s
     * and those capabilities' {@code attribute}s (a requirement's attributes are not a capability's).
     */
    private static void readRepository(XMLStreamReader xml, URI location, List<String> problems, List<Resource> out)
            throws XMLStreamException, IOException {
        boolean rootSeen = false;
        boolean inResource = false;
        String bsn = null;
        URI content = null;
        List<PciDriverCapability> drivers = new ArrayList<>();
        String capabilityNamespace = null;
        Map<String, String> attrs = new LinkedHashMap<>();
        while (xml.hasNext()) {
            int event = xml.next();
            if (event == XMLStreamConstants.DTD) {
                throw new IOException("not a repository index: it has a DOCTYPE");
            }
            if (event == XMLStreamConstants.START_ELEMENT) {
                if (!rootSeen) {
                    rootSeen = true;
                    if (!"repository".equals(xml.getLocalName())) {
                        throw new IOException("not a repository index: the root element is <" + xml.getLocalName() + ">");
                    }
                    continue;
                }
                if (!REPOSITORY_NS.equals(xml.getNamespaceURI())) {
                    continue;
                }
                switch (xml.getLocalName()) {
                    case "resource" -> {
                        inResource = true;
                        bsn = null;
                        content = null;
                        drivers = new ArrayList<>();
                    }
                    case "capability" -> {
                        if (inResource) {
                            String ns = xml.getAttributeValue(null, "namespace");
                            capabilityNamespace = ns == null ? "" : ns;
                            attrs = new LinkedHashMap<>();
                        }
                    }
                    case "attribute" -> {
                        if (capabilityNamespace != null) {
                            attrs.put(attribute(xml, "name"), attribute(xml, "value"));
                        }
                    }
                    default -> { }
                }
            } else if (event == XMLStreamConstants.END_ELEMENT && REPOSITORY_NS.equals(xml.getNamespaceURI())) {
                switch (xml.getLocalName()) {
                    case "capability" -> {
                        if (capabilityNamespace == null) {
                            break;
                        }
                        switch (capabilityNamespace) {
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
                        capabilityNamespace = null;
                    }
                    case "resource" -> {
                        if (inResource && !drivers.isEmpty() && content != null) {
                            out.add(new Resource(bsn, content, drivers));
                        } else if (inResource && !drivers.isEmpty()) {
                            problems.add("driver bundle " + bsn + " has no osgi.content url");
                        }
                        inResource = false;
                    }
                    default -> { }
                }
            }
        }
    }

    /** An attribute of the element the reader is on; "" when it is missing, as the DOM's getAttribute said. */
    private static String attribute(XMLStreamReader xml, String name) {
        String v = xml.getAttributeValue(null, name);
        return v == null ? "" : v;
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
