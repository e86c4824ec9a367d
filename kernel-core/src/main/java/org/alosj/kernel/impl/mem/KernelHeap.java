package org.alosj.kernel.impl.mem;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.kernel.mem.PhysicalPageAllocator;

/**
 * The kernel heap (kmalloc/kfree) for structures that live in guest memory: page tables,
 * descriptor tables, task state. Power-of-two size classes from 16 bytes to 2 KiB carved from
 * whole pages; larger requests take whole pages. Every block is aligned to its size class, which
 * is what descriptor tables and page tables need.
 */
public final class KernelHeap {
    private static final int MIN_SHIFT = 4;
    private static final int MAX_SMALL_SHIFT = 11;

    private final PhysicalPageAllocator pages;
    private final MemoryBus memory;
    @SuppressWarnings("unchecked")
    private final ArrayDeque<Long>[] freeLists = new ArrayDeque[MAX_SMALL_SHIFT + 1];
    private final Map<Long, Integer> blockSize = new HashMap<>();
    private long bytesInUse;
    private long pagesHeld;

    public KernelHeap(PhysicalPageAllocator pages, MemoryBus memory) {
        this.pages = pages;
        this.memory = memory;
        for (int i = MIN_SHIFT; i <= MAX_SMALL_SHIFT; i++) {
            freeLists[i] = new ArrayDeque<>();
        }
    }

    /** A zeroed block of at least {@code size} bytes, as a physical address. */
    public synchronized long kmalloc(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("kmalloc size must be positive, got " + size);
        }
        if (size > 1 << MAX_SMALL_SHIFT) {
            int count = (size + PhysicalPageAllocator.PAGE_SIZE - 1) / PhysicalPageAllocator.PAGE_SIZE;
            long a = pages.allocate(count, Long.MAX_VALUE, "kernel heap");
            blockSize.put(a, count * PhysicalPageAllocator.PAGE_SIZE);
            bytesInUse += (long) count * PhysicalPageAllocator.PAGE_SIZE;
            pagesHeld += count;
            return a;
        }
        int shift = Math.max(MIN_SHIFT, 32 - Integer.numberOfLeadingZeros(size - 1));
        ArrayDeque<Long> list = freeLists[shift];
        if (list.isEmpty()) {
            long page = pages.allocate(1, Long.MAX_VALUE, "kernel heap");
            pagesHeld++;
            for (long a = page; a < page + PhysicalPageAllocator.PAGE_SIZE; a += 1L << shift) {
                list.add(a);
            }
        }
        long a = list.poll();
        memory.ram().fill(memory.ramOffset(a), 1L << shift, (byte) 0);
        blockSize.put(a, 1 << shift);
        bytesInUse += 1L << shift;
        return a;
    }

    /** Frees a block; small blocks are zeroed again when handed out next. */
    public synchronized void kfree(long address) {
        Integer size = blockSize.remove(address);
        if (size == null) {
            throw new IllegalArgumentException(String.format("kfree of %#x, which kmalloc did not return", address));
        }
        bytesInUse -= size;
        if (size > 1 << MAX_SMALL_SHIFT) {
            int count = size / PhysicalPageAllocator.PAGE_SIZE;
            pages.free(address, count);
            pagesHeld -= count;
        } else {
            freeLists[Integer.numberOfTrailingZeros(size)].add(address);
        }
    }

    public synchronized long bytesInUse() {
        return bytesInUse;
    }

    public synchronized long bytesHeld() {
        return pagesHeld * PhysicalPageAllocator.PAGE_SIZE;
    }
}
