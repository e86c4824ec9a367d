package org.alosj.gui.apps;

/** Names of PCI base classes and common subclasses, as the PCI Code and ID Assignment spec lists them. */
final class PciClasses {
    private PciClasses() {
    }

    static String name(int base, int sub) {
        return switch (base) {
            case 0x00 -> "Unclassified device";
            case 0x01 -> switch (sub) {
                case 0x01 -> "IDE interface";
                case 0x06 -> "SATA controller";
                case 0x08 -> "Non-Volatile memory controller";
                case 0x00 -> "SCSI storage controller";
                default -> "Mass storage controller";
            };
            case 0x02 -> sub == 0x00 ? "Ethernet controller" : "Network controller";
            case 0x03 -> switch (sub) {
                case 0x00 -> "VGA compatible controller";
                case 0x80 -> "Display controller";
                default -> "Display controller";
            };
            case 0x04 -> "Multimedia controller";
            case 0x05 -> "Memory controller";
            case 0x06 -> switch (sub) {
                case 0x00 -> "Host bridge";
                case 0x01 -> "ISA bridge";
                case 0x04 -> "PCI bridge";
                case 0x80 -> "Bridge";
                default -> "Bridge";
            };
            case 0x07 -> "Communication controller";
            case 0x08 -> "Generic system peripheral";
            case 0x09 -> "Input device controller";
            case 0x0c -> switch (sub) {
                case 0x03 -> "USB controller";
                case 0x05 -> "SMBus";
                default -> "Serial bus controller";
            };
            default -> String.format("Class %02x%02x", base, sub);
        };
    }
}
