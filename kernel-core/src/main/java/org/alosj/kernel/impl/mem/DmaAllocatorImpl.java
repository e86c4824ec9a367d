package org.alosj.kernel.impl.mem;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.alosj.hal.bus.GuestRam;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.kernel.mem.DmaAllocator;
import org.alosj.kernel.mem.DmaBuffer;
import org.alosj.kernel.mem.PhysicalPageAllocator;

/**
 * DMA memory: whole pages below 4 GiB from the page allocator, so every buffer is physically
 * contiguous and page-aligned (which satisfies any alignment up to 4 KiB). An allocator can be
 * scoped to one device ({@link #scoped}): everything it handed out is freed when the device's
 * driver lets go, so a driver that forgets a buffer leaks nothing past its unbind.
 */
public final class DmaAllocatorImpl implements DmaAllocator {
    static final long DMA_LIMIT = 1L << 32;

    private final PhysicalPageAllocator pages;
    private final MemoryBus memory;
    private final AtomicLong bytesInUse;
    private final Set<Buffer> live = ConcurrentHashMap.newKeySet();
    private final String scope;

    public DmaAllocatorImpl(PhysicalPageAllocator pages, MemoryBus memory) {
        this(pages, memory, new AtomicLong(), null);
    }

    private DmaAllocatorImpl(PhysicalPageAllocator pages, MemoryBus memory, AtomicLong bytesInUse, String scope) {
        this.pages = pages;
        this.memory = memory;
        this.bytesInUse = bytesInUse;
        this.scope = scope;
    }

    /** An allocator whose buffers are tracked for {@code scope} and all freed by {@link #freeAll}. */
    public DmaAllocatorImpl scoped(String scope) {
        return new DmaAllocatorImpl(pages, memory, bytesInUse, scope);
    }

    public long bytesInUse() {
        return bytesInUse.get();
    }

    @Override
    public DmaBuffer allocate(int size, int alignment, String owner) {
        if (size <= 0) {
            throw new IllegalArgumentException("DMA buffer size must be positive, got " + size);
        }
        if (alignment <= 0 || (Integer.bitCount(alignment) != 1 && alignment % PhysicalPageAllocator.PAGE_SIZE != 0)) {
            throw new IllegalArgumentException("DMA alignment must be a power of two or a multiple of 4096, got "
                    + alignment);
        }
        if (alignment > PhysicalPageAllocator.PAGE_SIZE) {
            throw new IllegalArgumentException("DMA alignment above 4096 is not supported, got " + alignment);
        }
        int count = (int) ((size + (long) PhysicalPageAllocator.PAGE_SIZE - 1) / PhysicalPageAllocator.PAGE_SIZE);
        String who = scope == null ? owner : scope + " " + owner;
        long address = pages.allocate(count, DMA_LIMIT, "dma:" + who);
        Buffer b = new Buffer(address, size, count);
        live.add(b);
        bytesInUse.addAndGet((long) count * PhysicalPageAllocator.PAGE_SIZE);
        return b;
    }

    /** Frees every buffer still live; returns how many there were (leaked by the driver). */
    public int freeAll() {
        int n = 0;
        for (Buffer b : live) {
            b.close();
            n++;
        }
        return n;
    }

    private final class Buffer implements DmaBuffer {
        private final long address;
        private final int size;
        private final int pageCount;
        private final GuestRam ram;
        private final long ramBase;
        private volatile boolean closed;

        Buffer(long address, int size, int pageCount) {
            this.address = address;
            this.size = size;
            this.pageCount = pageCount;
            this.ram = memory.ram();
            // Below 4 GiB RAM decodes 1:1, so the whole run is contiguous in the RAM array too.
            this.ramBase = memory.ramOffset(address);
        }

        private long at(int offset, int width) {
            if (closed) {
                throw new IllegalStateException(String.format("DMA buffer at %#x used after close", address));
            }
            if (offset < 0 || offset > size - width) {
                throw new IndexOutOfBoundsException(String.format(
                        "DMA buffer access at offset %d width %d outside its %d bytes", offset, width, size));
            }
            return ramBase + offset;
        }

        @Override
        public long physicalAddress() {
            return address;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public int read8(int offset) {
            return (int) ram.read(at(offset, 1), 1);
        }

        @Override
        public int read16(int offset) {
            return (int) ram.read(at(offset, 2), 2);
        }

        @Override
        public int read32(int offset) {
            return (int) ram.read(at(offset, 4), 4);
        }

        @Override
        public long read64(int offset) {
            return ram.read(at(offset, 8), 8);
        }

        @Override
        public void write8(int offset, int value) {
            ram.write(at(offset, 1), 1, value);
        }

        @Override
        public void write16(int offset, int value) {
            ram.write(at(offset, 2), 2, value);
        }

        @Override
        public void write32(int offset, int value) {
            ram.write(at(offset, 4), 4, value & 0xFFFF_FFFFL);
        }

        @Override
        public void write64(int offset, long value) {
            ram.write(at(offset, 8), 8, value);
        }

        @Override
        public void read(int offset, byte[] dst, int dstOffset, int length) {
            ram.read(at(offset, length), dst, dstOffset, length);
        }

        @Override
        public byte[] copyOut(int offset, int length) {
            long from = at(offset, length);
            byte[] chunk = ram.chunk(from);
            int start = GuestRam.chunkOffset(from);
            if (start <= chunk.length - length) {
                return Arrays.copyOfRange(chunk, start, start + length); // never zeroed first
            }
            return DmaBuffer.super.copyOut(offset, length);
        }

        @Override
        public void write(int offset, byte[] src, int srcOffset, int length) {
            ram.write(at(offset, length), src, srcOffset, length);
        }

        @Override
        public void clear() {
            ram.fill(at(0, size), size, (byte) 0);
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            live.remove(this);
            pages.free(address, pageCount);
            bytesInUse.addAndGet(-(long) pageCount * PhysicalPageAllocator.PAGE_SIZE);
        }

        @Override
        public String toString() {
            return String.format("DmaBuffer[%#x, %d bytes]", address, size);
        }
    }
}
