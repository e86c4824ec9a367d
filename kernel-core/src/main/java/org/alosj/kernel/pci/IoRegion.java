package org.alosj.kernel.pci;

import org.osgi.annotation.versioning.ProviderType;

/** A BAR's I/O-port window; offsets are relative to its base and bounds-checked. */
@ProviderType
public interface IoRegion {
    int base();

    int length();

    int in8(int offset);

    int in16(int offset);

    int in32(int offset);

    void out8(int offset, int value);

    void out16(int offset, int value);

    void out32(int offset, int value);
}
