package org.alosj.kernel.mem;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/** What meminfo prints. */
@ProviderType
public interface MemoryInfo {
    long totalBytes();

    long freeBytes();

    long kernelHeapBytes();

    long dmaBytes();

    /** Bytes in use by owner (driver, subsystem). */
    Map<String, Long> usageByOwner();
}
