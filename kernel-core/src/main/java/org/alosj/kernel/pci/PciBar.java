package org.alosj.kernel.pci;

/** A base address register as enumeration found and placed it. */
public record PciBar(int index, Kind kind, long address, long size, boolean prefetchable) {
    /** What the BAR decodes. */
    public enum Kind { IO, MEMORY32, MEMORY64, ROM }

    public boolean isIo() {
        return kind == Kind.IO;
    }
}
