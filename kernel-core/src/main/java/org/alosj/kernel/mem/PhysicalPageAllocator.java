package org.alosj.kernel.mem;

import org.osgi.annotation.versioning.ProviderType;

/** The physical page allocator (kalloc): 4 KiB frames of guest RAM. */
@ProviderType
public interface PhysicalPageAllocator {
    int PAGE_SIZE = 4096;

    /**
     * {@code count} physically contiguous zeroed pages below {@code limit}.
     *
     * @return the physical address of the first page
     * @throws DmaExhaustedException if no such run is free
     */
    long allocate(int count, long limit, String owner);

    void free(long physicalAddress, int count);

    long totalPages();

    long freePages();
}
