package org.alosj.kernel.mem;

import org.osgi.annotation.versioning.ProviderType;

/** Hands out DMA memory below 4 GiB. */
@ProviderType
public interface DmaAllocator {
    /**
     * @param alignment a power of two up to the page size (4096) or a multiple of it
     * @throws DmaExhaustedException when no contiguous run is free
     */
    DmaBuffer allocate(int size, int alignment, String owner);
}
