package org.alosj.hal.pci;

/**
 * QEMU's {@code addr} property of a PCI device model: the slot on bus 0, written {@code 3},
 * {@code 0x3} or {@code 03.0} (slot.function, hexadecimal as lspci prints it).
 */
public final class PciAddressProperty {
    private PciAddressProperty() {
    }

    /**
     * The slot {@code addr} names, or -1 when it is empty (the first free slot).
     *
     * @param device how the error names the model, e.g. "the PCnet"
     * @throws IllegalArgumentException in one line: a malformed address, slot 0 (the host bridge)
     *         or above 31, or a function other than 0 ({@code device} has one function)
     */
    public static int parse(String addr, String device) {
        if (addr == null || addr.isBlank()) {
            return -1;
        }
        String a = addr.trim();
        int slot;
        try {
            if (a.contains(".")) {
                String[] parts = a.split("\\.", -1);
                if (parts.length != 2 || !parts[1].equals("0")) {
                    throw new IllegalArgumentException("bad addr '" + addr + "': " + device
                            + " is a single-function device, expected SS.0");
                }
                slot = Integer.parseInt(parts[0], 16);
            } else if (a.startsWith("0x") || a.startsWith("0X")) {
                slot = Integer.parseInt(a.substring(2), 16);
            } else {
                slot = Integer.parseInt(a);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad addr '" + addr + "': expected a slot number (3, 0x3 or 03.0)");
        }
        if (slot < 1 || slot > 31) {
            throw new IllegalArgumentException("bad addr '" + addr + "': PCI slot must be 1-31 (0 is the host bridge)");
        }
        return slot;
    }
}
