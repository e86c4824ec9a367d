package org.alosj.kernel.pci;

import org.osgi.annotation.versioning.ProviderType;

/** A BAR's memory window; offsets are relative to its base and bounds-checked. */
@ProviderType
public interface MmioRegion {
    long base();

    long length();

    int read8(long offset);

    int read16(long offset);

    int read32(long offset);

    long read64(long offset);

    void write8(long offset, int value);

    void write16(long offset, int value);

    void write32(long offset, int value);

    void write64(long offset, long value);
}
