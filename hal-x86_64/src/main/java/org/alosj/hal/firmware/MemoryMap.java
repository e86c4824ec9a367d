package org.alosj.hal.firmware;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** The memory map the firmware reports, sorted by base, entries never overlapping. */
@ProviderType
public interface MemoryMap {
    List<MemoryRegion> regions();

    default long usableBytes() {
        return regions().stream().filter(r -> r.type() == MemoryRegion.Type.USABLE)
                .mapToLong(MemoryRegion::length).sum();
    }
}
