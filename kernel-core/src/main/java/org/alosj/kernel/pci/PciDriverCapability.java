package org.alosj.kernel.pci;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a driver bundle declares so that it can be found for a device before it is installed:
 * a capability in the {@value #NAMESPACE} namespace for each line of its ID table, as Linux's
 * modules.alias lists each module's {@code MODULE_DEVICE_TABLE}. Attributes: the namespace
 * attribute is the driver's name (as {@link PciDriver#name()}), then {@code vendor} and
 * {@code device} (four hex digits), or {@code class} (base class and subclass, four hex digits)
 * for a class line. A driver repository indexes them; the kernel's driver locator matches them.
 */
public record PciDriverCapability(String driver, PciId id) {
    public static final String NAMESPACE = "alosj.pci.driver";

    /**
     * Reads one capability's attributes.
     *
     * @throws IllegalArgumentException naming what is missing or malformed
     */
    public static PciDriverCapability fromAttributes(Map<String, ?> attributes) {
        Object driver = attributes.get(NAMESPACE);
        if (driver == null || driver.toString().isBlank()) {
            throw new IllegalArgumentException(NAMESPACE + " capability without a driver name: " + attributes);
        }
        Object vendor = attributes.get("vendor");
        Object device = attributes.get("device");
        Object pciClass = attributes.get("class");
        if (vendor != null && device != null) {
            return new PciDriverCapability(driver.toString(), PciId.of(hex(vendor, 4, "vendor"), hex(device, 4, "device")));
        }
        if (pciClass != null && vendor == null && device == null) {
            return new PciDriverCapability(driver.toString(),
                    PciId.ofClass(hex(pciClass, 4, "class") << 8, 0xFFFF00));
        }
        throw new IllegalArgumentException(NAMESPACE + " capability of " + driver
                + " needs vendor and device, or class: " + attributes);
    }

    /** The capabilities {@code drivers}' ID tables stand for, one per line, in table order. (1.4) */
    public static List<PciDriverCapability> of(PciDriver... drivers) {
        List<PciDriverCapability> out = new ArrayList<>();
        for (PciDriver d : drivers) {
            for (PciId id : d.idTable()) {
                out.add(new PciDriverCapability(d.name(), id));
            }
        }
        return out;
    }

    /**
     * The capabilities of this namespace in a bundle's {@code Provide-Capability} header (as bnd
     * writes it: attributes of these are plain, unquoted tokens), in header order.
     *
     * @throws IllegalArgumentException if one of them is malformed
     */
    public static List<PciDriverCapability> declaredIn(String provideCapability) {
        List<PciDriverCapability> out = new ArrayList<>();
        if (provideCapability == null) {
            return out;
        }
        Matcher m = CLAUSE.matcher(provideCapability);
        while (m.find()) {
            Map<String, String> attrs = new LinkedHashMap<>();
            for (String part : m.group(1).split(";")) {
                int eq = part.indexOf('=');
                if (eq > 0 && part.charAt(eq - 1) != ':') { // attributes, not directives (name:=)
                    attrs.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
                }
            }
            out.add(fromAttributes(attrs));
        }
        return out;
    }

    private static final Pattern CLAUSE = Pattern.compile("(?:^|,)\\s*" + Pattern.quote(NAMESPACE) + "\\s*;([^,\"]*)");

    private static int hex(Object value, int digits, String what) {
        String s = value.toString();
        if (s.length() != digits || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException(what + "=" + s + ": expected " + digits + " hex digits");
        }
        return Integer.parseInt(s, 16);
    }

    /** The capability's attributes for this line, as a driver's bundle declares them. */
    public String clause() {
        if (id.vendor() != PciId.ANY && id.device() != PciId.ANY) {
            return String.format("%s;%s=%s;vendor=%04x;device=%04x", NAMESPACE, NAMESPACE, driver, id.vendor(),
                    id.device());
        }
        return String.format("%s;%s=%s;class=%04x", NAMESPACE, NAMESPACE, driver, id.classCode() >> 8);
    }
}
