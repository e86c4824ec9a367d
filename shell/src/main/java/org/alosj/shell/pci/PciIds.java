package org.alosj.shell.pci;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The PCI ID database (pci.ids, as pciutils ships it): vendor, device and subsystem names in
 * the ID section, class, subclass and programming-interface names in the {@code C} section.
 * Immutable once parsed; lookups answer null for what the file does not name.
 *
 * <p>The format is line based: a line's depth is its number of leading tabs, an ID is hex
 * followed by two spaces and the name. Depth 0 starts a vendor (or {@code C cc} a class),
 * depth 1 a device (subclass), depth 2 a subsystem {@code svvv sddd} (programming interface).
 */
public final class PciIds {
    /** Where Debian and Fedora keep the database, in the order lspci tries them. */
    public static final List<Path> SYSTEM_LOCATIONS =
            List.of(Path.of("/usr/share/misc/pci.ids"), Path.of("/usr/share/hwdata/pci.ids"));

    /** The empty database: every lookup misses, so lspci prints numbers. */
    public static final PciIds EMPTY = new PciIds(Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of());

    private final Map<Integer, String> vendors;
    private final Map<Integer, String> devices;        // vendor << 16 | device
    private final Map<Long, String> subsystems;        // vendor, device, subvendor, subdevice: 16 bits each
    private final Map<Integer, String> classes;        // base class
    private final Map<Integer, String> subclasses;     // base << 8 | subclass
    private final Map<Integer, String> progIfs;        // base << 16 | subclass << 8 | prog-if

    private PciIds(Map<Integer, String> vendors, Map<Integer, String> devices, Map<Long, String> subsystems,
                   Map<Integer, String> classes, Map<Integer, String> subclasses, Map<Integer, String> progIfs) {
        this.vendors = vendors;
        this.devices = devices;
        this.subsystems = subsystems;
        this.classes = classes;
        this.subclasses = subclasses;
        this.progIfs = progIfs;
    }

    /** The first readable system database, if any. */
    public static Optional<Path> systemFile() {
        return SYSTEM_LOCATIONS.stream().filter(Files::isReadable).findFirst();
    }

    /**
     * Reads {@code file}.
     *
     * @throws IOException if it is missing or unreadable (the message names the file)
     */
    public static PciIds load(Path file) throws IOException {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IOException("cannot read PCI ID database " + file);
        }
        // pci.ids is UTF-8 since 2008; a stray byte is better shown replaced than fatal.
        try (Reader r = new java.io.InputStreamReader(Files.newInputStream(file),
                StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(java.nio.charset.CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPLACE))) {
            return parse(r);
        }
    }

    /** Parses the pci.ids text; lines it does not understand are skipped, as pciutils does. */
    public static PciIds parse(Reader text) throws IOException {
        Map<Integer, String> vendors = new HashMap<>();
        Map<Integer, String> devices = new HashMap<>();
        Map<Long, String> subsystems = new HashMap<>();
        Map<Integer, String> classes = new HashMap<>();
        Map<Integer, String> subclasses = new HashMap<>();
        Map<Integer, String> progIfs = new HashMap<>();

        BufferedReader in = new BufferedReader(text);
        boolean classSection = false;
        boolean unknownSection = false;
        int vendor = -1;
        int device = -1;
        int cls = -1;
        int subclass = -1;
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int depth = 0;
            while (depth < line.length() && line.charAt(depth) == '\t') {
                depth++;
            }
            String body = line.substring(depth);
            if (depth == 0) {
                vendor = device = cls = subclass = -1;
                classSection = false;
                unknownSection = false;
                if (body.startsWith("C ")) {
                    Entry e = entry(body.substring(2), 2);
                    if (e != null) {
                        classSection = true;
                        cls = e.id;
                        classes.put(cls, e.name);
                    }
                } else if (isHex(body, 4)) {
                    Entry e = entry(body, 4);
                    if (e != null) {
                        vendor = e.id;
                        vendors.put(vendor, e.name);
                    }
                } else {
                    // Another section (a letter we do not know): skip it and its children.
                    unknownSection = true;
                }
                continue;
            }
            if (unknownSection) {
                continue;
            }
            if (classSection) {
                if (depth == 1) {
                    Entry e = entry(body, 2);
                    if (e != null) {
                        subclass = e.id;
                        subclasses.put(cls << 8 | subclass, e.name);
                    }
                } else if (depth == 2 && subclass >= 0) {
                    Entry e = entry(body, 2);
                    if (e != null) {
                        progIfs.put(cls << 16 | subclass << 8 | e.id, e.name);
                    }
                }
            } else if (vendor >= 0) {
                if (depth == 1) {
                    Entry e = entry(body, 4);
                    if (e != null) {
                        device = e.id;
                        devices.put(vendor << 16 | device, e.name);
                    }
                } else if (depth == 2 && device >= 0 && isHex(body, 4) && body.length() > 9 && body.charAt(4) == ' ') {
                    Entry e = entry(body.substring(5), 4);
                    if (e != null) {
                        int subvendor = Integer.parseInt(body.substring(0, 4), 16);
                        subsystems.put(subsystemKey(vendor, device, subvendor, e.id), e.name);
                    }
                }
            }
        }
        return new PciIds(Map.copyOf(vendors), Map.copyOf(devices), Map.copyOf(subsystems), Map.copyOf(classes),
                Map.copyOf(subclasses), Map.copyOf(progIfs));
    }

    private record Entry(int id, String name) {
    }

    /** {@code hhhh  name}: {@code digits} hex digits, whitespace, the name. */
    private static Entry entry(String s, int digits) {
        if (!isHex(s, digits) || s.length() <= digits || !Character.isWhitespace(s.charAt(digits))) {
            return null;
        }
        String name = s.substring(digits).strip();
        return name.isEmpty() ? null : new Entry(Integer.parseInt(s.substring(0, digits), 16), name);
    }

    private static boolean isHex(String s, int digits) {
        if (s.length() < digits) {
            return false;
        }
        for (int i = 0; i < digits; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    private static long subsystemKey(int vendor, int device, int subvendor, int subdevice) {
        return (long) vendor << 48 | (long) device << 32 | (long) subvendor << 16 | subdevice;
    }

    public String vendor(int vendor) {
        return vendors.get(vendor);
    }

    public String device(int vendor, int device) {
        return devices.get(vendor << 16 | device);
    }

    /** The name a device's ID section gives this subsystem, if any. */
    public String subsystem(int vendor, int device, int subvendor, int subdevice) {
        return subsystems.get(subsystemKey(vendor, device, subvendor, subdevice));
    }

    public String className(int baseClass) {
        return classes.get(baseClass);
    }

    public String subclassName(int baseClass, int subclass) {
        return subclasses.get(baseClass << 8 | subclass);
    }

    public String progIfName(int baseClass, int subclass, int progIf) {
        return progIfs.get(baseClass << 16 | subclass << 8 | progIf);
    }

    /** How many vendors, devices, subsystems and classes it names (for tests and diagnostics). */
    public String summary() {
        return String.format("%d vendors, %d devices, %d subsystems, %d classes, %d subclasses, %d prog-ifs",
                vendors.size(), devices.size(), subsystems.size(), classes.size(), subclasses.size(), progIfs.size());
    }
}
