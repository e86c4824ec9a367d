package org.alosj.hal.bus;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The physical address space as the CPU and bus masters see it: guest RAM where the memory map
 * says, device MMIO windows where BARs put them, and open bus (reads of all ones, writes
 * dropped) everywhere else. All values are little-endian.
 */
@ProviderType
public interface PhysicalMemory {
    /** {@code size} is 1, 2, 4 or 8; the value is zero-extended. */
    long read(long address, int size);

    void write(long address, int size, long value);

    default int readByte(long address) {
        return (int) read(address, 1);
    }

    default int readShort(long address) {
        return (int) read(address, 2);
    }

    default int readInt(long address) {
        return (int) read(address, 4);
    }

    default long readLong(long address) {
        return read(address, 8);
    }

    default void writeByte(long address, int value) {
        write(address, 1, value & 0xFFL);
    }

    default void writeShort(long address, int value) {
        write(address, 2, value & 0xFFFFL);
    }

    default void writeInt(long address, int value) {
        write(address, 4, value & 0xFFFF_FFFFL);
    }

    default void writeLong(long address, long value) {
        write(address, 8, value);
    }

    /** Copies {@code length} bytes starting at {@code address} into {@code dst}. */
    void read(long address, byte[] dst, int offset, int length);

    void write(long address, byte[] src, int offset, int length);

    /** Reads {@code dst.remaining()} bytes into {@code dst}, advancing its position. */
    default void read(long address, ByteBuffer dst) {
        int n = dst.remaining();
        if (dst.hasArray()) {
            read(address, dst.array(), dst.arrayOffset() + dst.position(), n);
            dst.position(dst.position() + n);
        } else {
            byte[] tmp = new byte[n];
            read(address, tmp, 0, n);
            dst.put(tmp);
        }
    }

    /** Writes {@code src.remaining()} bytes from {@code src}, advancing its position. */
    default void write(long address, ByteBuffer src) {
        int n = src.remaining();
        if (src.hasArray()) {
            write(address, src.array(), src.arrayOffset() + src.position(), n);
            src.position(src.position() + n);
        } else {
            byte[] tmp = new byte[n];
            src.get(tmp);
            write(address, tmp, 0, n);
        }
    }
}
