package org.alosj.hal.bus;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A device's decoder for a memory-mapped register window. {@code offset} is relative to the
 * window's base; {@code size} is 1, 2, 4 or 8 bytes, little-endian.
 */
@ConsumerType
public interface MmioHandler {
    long mmioRead(long offset, int size);

    void mmioWrite(long offset, int size, long value);
}
