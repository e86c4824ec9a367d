package org.alosj.kernel.impl.proc;

import java.util.HashMap;
import java.util.Map;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.kernel.mem.DmaExhaustedException;
import org.alosj.kernel.mem.PhysicalPageAllocator;

/**
 * The page frames that back user memory and page tables, with a reference count each: a frame
 * shared copy-on-write after fork, or by a MAP_SHARED mapping, is freed when its last mapping
 * goes. Frames come zeroed from the page allocator.
 */
final class UserFrames {
    static final String OWNER = "user";
    static final int PAGE = PhysicalPageAllocator.PAGE_SIZE;

    private final PhysicalPageAllocator pages;
    private final MemoryBus bus;
    private final Map<Long, Integer> refs = new HashMap<>();
    private final long reserveFrames;

    /** @param reserveFrames frames left for the kernel's own needs (DMA, heap): user memory stops short of them */
    UserFrames(PhysicalPageAllocator pages, MemoryBus bus, long reserveFrames) {
        this.pages = pages;
        this.bus = bus;
        this.reserveFrames = reserveFrames;
    }

    MemoryBus bus() {
        return bus;
    }

    /** A zeroed frame with one reference. @throws OutOfMemory when RAM is short */
    synchronized long allocate() throws OutOfMemory {
        if (pages.freePages() <= reserveFrames) {
            throw new OutOfMemory();
        }
        long pa;
        try {
            pa = pages.allocate(1, Long.MAX_VALUE, OWNER);
        } catch (DmaExhaustedException e) {
            throw new OutOfMemory();
        }
        refs.put(pa, 1);
        return pa;
    }

    synchronized void share(long pa) {
        refs.merge(pa, 1, Integer::sum);
    }

    synchronized int references(long pa) {
        return refs.getOrDefault(pa, 0);
    }

    /** Drops one reference; frees the frame with the last. */
    synchronized void release(long pa) {
        Integer n = refs.get(pa);
        if (n == null) {
            throw new IllegalStateException(String.format("user frame %#x released but not held", pa));
        }
        if (n == 1) {
            refs.remove(pa);
            pages.free(pa, 1);
        } else {
            refs.put(pa, n - 1);
        }
    }

    /** Guest RAM is short: the process that asked is killed. */
    static final class OutOfMemory extends Exception {
        private static final long serialVersionUID = 1L;

        OutOfMemory() {
            super("out of memory", null, false, false);
        }
    }
}
