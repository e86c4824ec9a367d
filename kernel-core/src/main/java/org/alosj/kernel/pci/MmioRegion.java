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

    /**
     * Reads {@code length} bytes from {@code offset} on in one burst (a mapped BAR's
     * {@code memcpy_fromio}): one bus transaction instead of one per word.
     *
     * @since 1.2
     */
    void read(long offset, byte[] dst, int dstOffset, int length);

    /**
     * Writes {@code length} bytes at {@code offset} in one burst ({@code memcpy_toio}), the way
     * a frame-buffer driver fills its aperture.
     *
     * @since 1.2
     */
    void write(long offset, byte[] src, int srcOffset, int length);
}
