package org.alosj.hal.bus;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Guest RAM: {@code size} bytes, zeroed at power-on, addressed by RAM offset (the memory bus
 * turns physical addresses into offsets; RAM above the PCI hole continues where low RAM
 * stopped). Backed by 2 MiB chunks, each allocated when it is first needed: a chunk nobody
 * touched reads as zeros and costs nothing, so a machine with 256 MiB that uses 20 does not pay
 * for zeroing and faulting in the rest at power-on (0.2 s of system time at every boot). A
 * chunk is whole pages, so an access never straddles chunks unless it goes through the bulk
 * copies, which split it.
 *
 * <p>{@link #chunk} hands out a chunk's array for callers that cache it (a TLB, atomics): it
 * allocates the chunk if needed. Reads through this class do not allocate; zero fills of
 * untouched chunks do nothing.
 *
 * <p>Accesses are plain (not volatile): as on x86, a device and the CPU that share memory
 * order their accesses through the bus protocol (doorbells, interrupts), which happens-before.
 */
public final class GuestRam {
    public static final int CHUNK_SHIFT = 21;
    public static final long CHUNK_SIZE = 1L << CHUNK_SHIFT;
    private static final long CHUNK_MASK = CHUNK_SIZE - 1;

    private static final VarHandle SHORT =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final VarHandle CHUNKS = MethodHandles.arrayElementVarHandle(byte[][].class);

    private final long size;
    /** Null until the chunk is first needed; set once, under {@link #allocationLock}. */
    private final byte[][] chunks;
    private final Object allocationLock = new Object();
    private long allocatedBytes;

    public GuestRam(long size) {
        if (size <= 0 || (size & 0xFFF) != 0) {
            throw new IllegalArgumentException("guest RAM size must be a positive multiple of 4 KiB, got " + size);
        }
        this.size = size;
        int count = (int) ((size + CHUNK_SIZE - 1) >>> CHUNK_SHIFT);
        chunks = new byte[count][];
    }

    public long size() {
        return size;
    }

    /**
     * The backing array that holds RAM offset {@code offset}, allocated now if it never was;
     * index it with {@link #chunkOffset}. The same array for the machine's life.
     */
    public byte[] chunk(long offset) {
        int index = (int) (offset >>> CHUNK_SHIFT);
        byte[] c = chunks[index];
        return c != null ? c : allocate(index);
    }

    /**
     * Atomically stores {@code value} in the aligned int at {@code offset} if it holds
     * {@code expected}; returns what it held. The same word and VarHandle kind the CPU model's
     * LOCKed instructions use, so the kernel's atomics on user memory (futexes) are atomic
     * against them. (1.3)
     *
     * @throws IllegalArgumentException if {@code offset} is not 4-byte aligned
     * @throws IndexOutOfBoundsException if the int is not in RAM
     */
    public int compareAndExchangeInt(long offset, int expected, int value) {
        check(offset, 4);
        if ((offset & 3) != 0) {
            throw new IllegalArgumentException("unaligned int at RAM offset " + offset);
        }
        return (int) INT.compareAndExchange(chunk(offset), chunkOffset(offset), expected, value);
    }

    /** How many bytes of RAM have backing memory (the chunks touched so far). */
    public long allocatedBytes() {
        synchronized (allocationLock) {
            return allocatedBytes;
        }
    }

    /**
     * The chunk, or null if it was never allocated (then it holds zeros). A plain read can miss
     * a chunk another thread just allocated only if nothing ordered that thread's writes before
     * this read, and then reading the zeros it held before is what the guest may see anyway.
     */
    private byte[] allocated(long offset) {
        return chunks[(int) (offset >>> CHUNK_SHIFT)];
    }

    private byte[] allocate(int index) {
        synchronized (allocationLock) {
            byte[] c = chunks[index];
            if (c == null) {
                c = new byte[(int) Math.min(size - ((long) index << CHUNK_SHIFT), CHUNK_SIZE)];
                // Published after the array's zeros, for readers that do not take the lock.
                CHUNKS.setRelease(chunks, index, c);
                allocatedBytes += c.length;
            }
            return c;
        }
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
        int i = chunkOffset(offset);
        if (i + width > CHUNK_SIZE) {
            return readSplit(offset, width);
        }
        byte[] c = allocated(offset);
        if (c == null) {
            if (Integer.bitCount(width) != 1 || width > 8) {
                throw new IllegalArgumentException("access width " + width);
            }
            return 0;
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
        int i = chunkOffset(offset);
        if (i + width > CHUNK_SIZE) {
            writeSplit(offset, width, value);
            return;
        }
        byte[] c = chunk(offset);
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
            byte[] c = allocated(offset);
            int i = chunkOffset(offset);
            int n = (int) Math.min(length, CHUNK_SIZE - i);
            if (c == null) {
                Arrays.fill(dst, dstOffset, dstOffset + n, (byte) 0);
            } else {
                System.arraycopy(c, i, dst, dstOffset, n);
            }
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
            int n = (int) Math.min(length, CHUNK_SIZE - i);
            System.arraycopy(src, srcOffset, c, i, n);
            offset += n;
            srcOffset += n;
            length -= n;
        }
    }

    public void fill(long offset, long length, byte value) {
        check(offset, length);
        while (length > 0) {
            int i = chunkOffset(offset);
            int n = (int) Math.min(length, CHUNK_SIZE - i);
            byte[] c = value == 0 ? allocated(offset) : chunk(offset);
            if (c != null) {
                Arrays.fill(c, i, i + n, value);
            }
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
