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

    /**
     * A burst read of {@code length} bytes (a CPU's {@code rep movs}, a bus master's block
     * read). The default splits it into byte accesses; a window of plain memory (a frame
     * buffer) overrides it to copy in one go.
     *
     * @since 1.1
     */
    default void mmioRead(long offset, byte[] dst, int dstOffset, int length) {
        for (int i = 0; i < length; i++) {
            dst[dstOffset + i] = (byte) mmioRead(offset + i, 1);
        }
    }

    /**
     * A burst write of {@code length} bytes; the default splits it into byte accesses.
     *
     * @since 1.1
     */
    default void mmioWrite(long offset, byte[] src, int srcOffset, int length) {
        for (int i = 0; i < length; i++) {
            mmioWrite(offset + i, 1, src[srcOffset + i] & 0xFFL);
        }
    }
}
