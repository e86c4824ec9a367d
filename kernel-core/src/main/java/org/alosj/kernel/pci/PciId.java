package org.alosj.kernel.pci;

/**
 * One line of a driver's ID table, as Linux's {@code struct pci_device_id}: any field set to
 * {@link #ANY} matches everything; the class matches under {@code classMask}.
 */
public record PciId(int vendor, int device, int subvendor, int subdevice, int revision,
                    int classCode, int classMask) {
    public static final int ANY = -1;

    /** Match strengths on the Device Access scale: more specific always wins. */
    public static final int MATCH_CLASS = 1;
    public static final int MATCH_VENDOR_DEVICE = 100;
    public static final int MATCH_SUBSYSTEM = 200;
    public static final int MATCH_REVISION = 300;

    public static PciId of(int vendor, int device) {
        return new PciId(vendor, device, ANY, ANY, ANY, 0, 0);
    }

    public static PciId ofClass(int classCode, int classMask) {
        return new PciId(ANY, ANY, ANY, ANY, ANY, classCode, classMask);
    }

    public PciId withSubsystem(int subvendor, int subdevice) {
        return new PciId(vendor, device, subvendor, subdevice, revision, classCode, classMask);
    }

    public PciId withRevision(int revision) {
        return new PciId(vendor, device, subvendor, subdevice, revision, classCode, classMask);
    }

    /**
     * How well this line matches a function with the given IDs, 0 when it does not:
     * class only &lt; vendor:device &lt; plus subsystem &lt; plus revision.
     */
    public int score(int vendorId, int deviceId, int subvendorId, int subdeviceId, int revisionId, int classId) {
        if (!eq(vendor, vendorId) || !eq(device, deviceId) || !eq(subvendor, subvendorId)
                || !eq(subdevice, subdeviceId) || !eq(revision, revisionId)
                || ((classId ^ classCode) & classMask) != 0) {
            return 0;
        }
        if (vendor == ANY || device == ANY) {
            // Class-only lines: a tighter mask is a better match, but never beats an ID match.
            return classMask == 0 ? MATCH_CLASS : MATCH_CLASS + Integer.bitCount(classMask) / 8;
        }
        if (subvendor == ANY && subdevice == ANY) {
            return revision == ANY ? MATCH_VENDOR_DEVICE : MATCH_VENDOR_DEVICE + 50;
        }
        return revision == ANY ? MATCH_SUBSYSTEM : MATCH_REVISION;
    }

    private static boolean eq(int want, int have) {
        return want == ANY || want == have;
    }

    @Override
    public String toString() {
        return String.format("%s:%s sub %s:%s rev %s class %06x/%06x", hex(vendor), hex(device),
                hex(subvendor), hex(subdevice), revision == ANY ? "*" : String.format("%02x", revision),
                classCode, classMask);
    }

    private static String hex(int v) {
        return v == ANY ? "*" : String.format("%04x", v);
    }
}
