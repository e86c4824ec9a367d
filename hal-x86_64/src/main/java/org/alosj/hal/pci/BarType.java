package org.alosj.hal.pci;

/** What a base address register decodes. */
public enum BarType {
    IO, MEMORY32, MEMORY64, MEMORY32_PREFETCHABLE, MEMORY64_PREFETCHABLE;

    public boolean isIo() {
        return this == IO;
    }

    public boolean is64() {
        return this == MEMORY64 || this == MEMORY64_PREFETCHABLE;
    }

    public boolean isPrefetchable() {
        return this == MEMORY32_PREFETCHABLE || this == MEMORY64_PREFETCHABLE;
    }
}
