package org.alosj.kernel.klog;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** The kernel message ring buffer. */
@ProviderType
public interface KernelLog {
    /** One message; {@code uptimeNanos} counts from boot. */
    record Entry(long uptimeNanos, String level, String source, String message) {
    }

    /** The messages still in the ring, oldest first. */
    List<Entry> entries();

    void clear();
}
