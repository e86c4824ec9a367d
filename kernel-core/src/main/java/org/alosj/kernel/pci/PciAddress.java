package org.alosj.kernel.pci;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A function's place on the bus, written as lspci writes it: {@code 00:02.0}. */
public record PciAddress(int bus, int device, int function) implements Comparable<PciAddress> {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final Pattern FORM =
            Pattern.compile("(?:(?:[0-9a-fA-F]{1,4}:)?([0-9a-fA-F]{1,2}):)?([0-9a-fA-F]{1,2})\\.([0-7])");

    public PciAddress {
        if (bus < 0 || bus > 255 || device < 0 || device > 31 || function < 0 || function > 7) {
            throw new IllegalArgumentException(
                    "PCI address out of range: bus " + bus + " device " + device + " function " + function);
        }
    }

    /** Parses {@code [[domain:]bus:]device.function} in hexadecimal. */
    public static PciAddress parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a PCI address: '" + text + "' (expected BB:DD.F, e.g. 00:02.0)");
        }
        int bus = m.group(1) == null ? 0 : Integer.parseInt(m.group(1), 16);
        return new PciAddress(bus, Integer.parseInt(m.group(2), 16), Integer.parseInt(m.group(3)));
    }

    public int devfn() {
        return device << 3 | function;
    }

    @Override
    public int compareTo(PciAddress o) {
        return Integer.compare(bus << 8 | devfn(), o.bus << 8 | o.devfn());
    }

    // equals and hashCode written out: a record's generated ones are bootstrapped through method
    // handles at first use, which spun ~13 classes in the middle of every boot.
    @Override
    public boolean equals(Object o) {
        return o instanceof PciAddress a && a.bus == bus && a.device == device && a.function == function;
    }

    @Override
    public int hashCode() {
        return bus << 8 | devfn();
    }

    @Override
    public String toString() {
        // By hand: this runs for every log line naming a function, and Formatter is slow cold.
        return new String(new char[] {HEX[bus >> 4], HEX[bus & 15], ':', HEX[device >> 4], HEX[device & 15], '.',
            (char) ('0' + function)});
    }

}
