package org.alosj.hal.bus;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Guest RAM: {@code size} bytes, zeroed at power-on, addressed by RAM offset (the memory bus
 * turns physical addresses into offsets; RAM above the PCI hole continues where low RAM
 * stopped). Backed by 1 GiB chunks so a machine can have more than 2 GiB; an access never
 * straddles chunks unless it goes through the bulk copies, which split it.
 *
 * <p>Accesses are plain (not volatile): as on x86, a device and the CPU that share memory
 * order their accesses through the bus protocol (doorbells, interrupts), which happens-before.
 */
public final class GuestRam {
    public static final int CHUNK_SHIFT = 30;
    public static final long CHUNK_SIZE = 1L << CHUNK_SHIFT;
    private static final long CHUNK_MASK = CHUNK_SIZE - 1;

    private static final VarHandle SHORT =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final long size;
    private final byte[][] chunks;

    public GuestRam(long size) {
        if (size <= 0 || (size & 0xFFF) != 0) {
            throw new IllegalArgumentException("guest RAM size must be a positive multiple of 4 KiB, got " + size);
        }
        this.size = size;
        int count = (int) ((size + CHUNK_SIZE - 1) >>> CHUNK_SHIFT);
        chunks = new byte[count][];
        for (int i = 0; i < count; i++) {
            long left = size - ((long) i << CHUNK_SHIFT);
            chunks[i] = new byte[(int) Math.min(left, CHUNK_SIZE)];
        }
    }

    public long size() {
        return size;
    }

    /** The backing array that holds RAM offset {@code offset}; index it with {@link #chunkOffset}. */
    public byte[] chunk(long offset) {
        return chunks[(int) (offset >>> CHUNK_SHIFT)];
    }

    public static int chunkOffset(long offset) {
        return (int) (offset & CHUNK_MASK);
    }

    public boolean contains(long offset, long length) {
        return offset >= 0 && length >= 0 && offset <= size - length;
    }

    /** {@code size} 1, 2, 4 or 8 bytes at {@code offset}, zero-extended. */
    public long read(long offset, int width) {
        check(offset, width);
        byte[] c = chunk(offset);
        int i = chunkOffset(offset);
        if (i + width > c.length) {
            return readSplit(offset, width);
        }
        switch (width) {
            case 1: return c[i] & 0xFFL;
            case 2: return (short) SHORT.get(c, i) & 0xFFFFL;
            case 4: return (int) INT.get(c, i) & 0xFFFF_FFFFL;
            case 8: return (long) LONG.get(c, i);
            default: throw new IllegalArgumentException("access width " + width);
        }
    }

    public void write(long offset, int width, long value) {
        check(offset, width);
        byte[] c = chunk(offset);
        int i = chunkOffset(offset);
        if (i + width > c.length) {
            writeSplit(offset, width, value);
            return;
        }
        switch (width) {
            case 1: c[i] = (byte) value; break;
            case 2: SHORT.set(c, i, (short) value); break;
            case 4: INT.set(c, i, (int) value); break;
            case 8: LONG.set(c, i, value); break;
            default: throw new IllegalArgumentException("access width " + width);
        }
    }

    public void read(long offset, byte[] dst, int dstOffset, int length) {
        check(offset, length);
        while (length > 0) {
            byte[] c = chunk(offset);
            int i = chunkOffset(offset);
            int n = Math.min(length, c.length - i);
            System.arraycopy(c, i, dst, dstOffset, n);
            offset += n;
            dstOffset += n;
            length -= n;
        }
    }

    public void write(long offset, byte[] src, int srcOffset, int length) {
        check(offset, length);
        while (length > 0) {
            byte[] c = chunk(offset);
            int i = chunkOffset(offset);
            int n = Math.min(length, c.length - i);
            System.arraycopy(src, srcOffset, c, i, n);
            offset += n;
            srcOffset += n;
            length -= n;
        }
    }

    public void fill(long offset, long length, byte value) {
        check(offset, length);
        while (length > 0) {
            byte[] c = chunk(offset);
            int i = chunkOffset(offset);
            int n = (int) Math.min(length, c.length - i);
            Arrays.fill(c, i, i + n, value);
            offset += n;
            length -= n;
        }
    }

    private long readSplit(long offset, int width) {
        long v = 0;
        for (int b = 0; b < width; b++) {
            v |= read(offset + b, 1) << (8 * b);
        }
        return v;
    }

    private void writeSplit(long offset, int width, long value) {
        for (int b = 0; b < width; b++) {
            write(offset + b, 1, value >>> (8 * b));
        }
    }

    private void check(long offset, long length) {
        if (!contains(offset, length)) {
            throw new IndexOutOfBoundsException(String.format(
                    "RAM access [%#x, +%d) outside guest RAM of %#x bytes", offset, length, size));
        }
    }
}
