package org.alosj.kernel.mem;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Physically contiguous guest memory a device can master. Offsets are bounds-checked. Closing
 * it returns the pages; a buffer must not be closed while a device may still touch it.
 */
@ProviderType
public interface DmaBuffer extends AutoCloseable {
    /** The bus address to program into the device. */
    long physicalAddress();

    int size();

    int read8(int offset);

    int read16(int offset);

    int read32(int offset);

    long read64(int offset);

    void write8(int offset, int value);

    void write16(int offset, int value);

    void write32(int offset, int value);

    void write64(int offset, long value);

    void read(int offset, byte[] dst, int dstOffset, int length);

    /**
     * A new array of the {@code length} bytes at {@code offset}, for data that leaves the buffer
     * (a received frame): one copy, where reading into a new array costs zeroing it first too.
     *
     * @since 1.1
     */
    default byte[] copyOut(int offset, int length) {
        byte[] copy = new byte[length];
        read(offset, copy, 0, length);
        return copy;
    }

    void write(int offset, byte[] src, int srcOffset, int length);

    void clear();

    @Override
    void close();
}
