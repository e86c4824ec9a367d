package org.alosj.hal.firmware;

/** One entry of the physical memory map, E820 style. */
public record MemoryRegion(long base, long length, Type type) {
    /** The E820 types a PC firmware reports. */
    public enum Type {
        USABLE(1), RESERVED(2), ACPI_RECLAIMABLE(3), ACPI_NVS(4), BAD(5);

        private final int e820;

        Type(int e820) {
            this.e820 = e820;
        }

        public int e820Code() {
            return e820;
        }
    }

    public MemoryRegion {
        if (length <= 0 || base < 0) {
            throw new IllegalArgumentException("bad memory region base=" + base + " length=" + length);
        }
    }

    public long end() {
        return base + length;
    }
}
