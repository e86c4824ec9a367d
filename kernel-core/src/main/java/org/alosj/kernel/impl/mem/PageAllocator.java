package org.alosj.kernel.impl.mem;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.firmware.MemoryMap;
import org.alosj.hal.firmware.MemoryRegion;
import org.alosj.kernel.mem.DmaExhaustedException;
import org.alosj.kernel.mem.PhysicalPageAllocator;

/**
 * Physical page allocator. A bitmap over every page frame up to the top of usable RAM, one bit
 * a frame, set when the frame is in use or not RAM at all. Built from the firmware memory map;
 * the first 1 MiB stays reserved (real-mode structures, and address 0 must never be handed out
 * so a null physical address always means a bug). First fit from the bottom, which keeps DMA
 * memory low and contiguous runs easy to find.
 */
public final class PageAllocator implements PhysicalPageAllocator {
    private static final long LOW_MEMORY_END = 0x100000;

    private final MemoryBus memory;
    private final BitSet used = new BitSet();
    private final long frameCount;
    private final long totalUsable;
    private long freeFrames;
    private final Map<Long, Allocation> allocations = new HashMap<>();
    private final Map<String, Long> bytesByOwner = new HashMap<>();
    private int searchHint;

    private record Allocation(int count, String owner) {
    }

    public PageAllocator(MemoryMap map, MemoryBus memory) {
        this.memory = memory;
        long top = 0;
        for (MemoryRegion r : map.regions()) {
            if (r.type() == MemoryRegion.Type.USABLE) {
                top = Math.max(top, r.end());
            }
        }
        if (top / PAGE_SIZE > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("memory above 8 TiB is not supported");
        }
        frameCount = top / PAGE_SIZE;
        used.set(0, (int) frameCount);
        long usable = 0;
        for (MemoryRegion r : map.regions()) {
            if (r.type() != MemoryRegion.Type.USABLE) {
                continue;
            }
            long first = Math.max((r.base() + PAGE_SIZE - 1) / PAGE_SIZE, LOW_MEMORY_END / PAGE_SIZE);
            long end = r.end() / PAGE_SIZE;
            if (end > first) {
                used.clear((int) first, (int) end);
                usable += end - first;
            }
        }
        totalUsable = usable;
        freeFrames = usable;
        searchHint = (int) (LOW_MEMORY_END / PAGE_SIZE);
    }

    @Override
    public synchronized long allocate(int count, long limit, String owner) {
        if (count <= 0) {
            throw new IllegalArgumentException("page count must be positive, got " + count);
        }
        int limitFrame = (int) Math.min(frameCount, Math.max(0, limit / PAGE_SIZE));
        int start = findRun(searchHint, limitFrame, count);
        if (start < 0) {
            start = findRun(0, limitFrame, count);
        }
        if (start < 0) {
            throw new DmaExhaustedException(String.format(
                    "no %d contiguous free pages below %#x for %s (%d pages free)", count, limit, owner, freeFrames));
        }
        // The hint is the lowest frame that may be free. Only a run that starts there moves it:
        // one that skipped a gap too small for it leaves the gap for the next first fit.
        if (start == used.nextClearBit(searchHint)) {
            searchHint = start + count;
        }
        used.set(start, start + count);
        freeFrames -= count;
        long address = (long) start * PAGE_SIZE;
        allocations.put(address, new Allocation(count, owner));
        bytesByOwner.merge(owner, (long) count * PAGE_SIZE, Long::sum);
        // Zeroed, as kalloc's callers expect. The map only lists RAM as usable, so every frame
        // decodes to RAM; a run may straddle the PCI hole's edge only in physical terms.
        for (int i = 0; i < count; i++) {
            long frame = address + (long) i * PAGE_SIZE;
            memory.ram().fill(memory.ramOffset(frame), PAGE_SIZE, (byte) 0);
        }
        return address;
    }

    private int findRun(int from, int limit, int count) {
        int i = used.nextClearBit(from);
        while (i + count <= limit) {
            int nextUsed = used.nextSetBit(i);
            if (nextUsed < 0 || nextUsed >= i + count) {
                return i;
            }
            i = used.nextClearBit(nextUsed);
        }
        return -1;
    }

    @Override
    public synchronized void free(long physicalAddress, int count) {
        Allocation a = allocations.get(physicalAddress);
        if (a == null || a.count != count) {
            throw new IllegalArgumentException(String.format(
                    "free of %d pages at %#x that were not allocated as one run%s", count, physicalAddress,
                    a == null ? "" : " (allocated " + a.count + " pages by " + a.owner + ")"));
        }
        allocations.remove(physicalAddress);
        int start = (int) (physicalAddress / PAGE_SIZE);
        used.clear(start, start + count);
        freeFrames += count;
        searchHint = Math.min(searchHint, start);
        bytesByOwner.computeIfPresent(a.owner, (k, v) -> v - (long) count * PAGE_SIZE == 0 ? null
                : v - (long) count * PAGE_SIZE);
    }

    @Override
    public long totalPages() {
        return totalUsable;
    }

    @Override
    public synchronized long freePages() {
        return freeFrames;
    }

    public synchronized Map<String, Long> bytesByOwner() {
        return new HashMap<>(bytesByOwner);
    }
}
