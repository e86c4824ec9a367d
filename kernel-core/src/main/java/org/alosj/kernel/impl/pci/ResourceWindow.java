package org.alosj.kernel.impl.pci;

import java.util.Map;
import java.util.TreeMap;

/**
 * A window of bus addresses handed out to BARs, each range naturally aligned to its size as
 * PCI requires. MMIO is placed top-down (large BARs first leave fewer holes), I/O bottom-up,
 * as PC firmware does.
 */
final class ResourceWindow {
    private final String name;
    private final long start;
    private final long end;
    private final boolean topDown;
    private final TreeMap<Long, Long> used = new TreeMap<>();

    ResourceWindow(String name, long start, long end, boolean topDown) {
        this.name = name;
        this.start = start;
        this.end = end;
        this.topDown = topDown;
    }

    /** A free aligned range of {@code size} bytes, or -1. */
    synchronized long allocate(long size, long alignment) {
        long align = Math.max(size, alignment);
        if (topDown) {
            long candidate = Math.floorDiv(end - size, align) * align;
            while (candidate >= start) {
                Long conflict = conflict(candidate, size);
                if (conflict == null) {
                    used.put(candidate, size);
                    return candidate;
                }
                candidate = Math.floorDiv(conflict - size, align) * align;
            }
        } else {
            long candidate = (start + align - 1) / align * align;
            while (candidate + size <= end) {
                Long conflict = conflict(candidate, size);
                if (conflict == null) {
                    used.put(candidate, size);
                    return candidate;
                }
                long after = conflict + used.get(conflict);
                candidate = (after + align - 1) / align * align;
            }
        }
        return -1;
    }

    private Long conflict(long base, long size) {
        Map.Entry<Long, Long> e = used.floorEntry(base + size - 1);
        if (e != null && e.getKey() + e.getValue() > base) {
            return e.getKey();
        }
        return null;
    }

    synchronized void free(long base) {
        used.remove(base);
    }

    @Override
    public String toString() {
        return String.format("%s [%#x-%#x)", name, start, end);
    }
}
