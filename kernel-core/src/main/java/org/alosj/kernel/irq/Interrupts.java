package org.alosj.kernel.irq;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** The kernel's interrupt layer over the 8259 pair. */
@ProviderType
public interface Interrupts {
    /** Per-line counters, as /proc/interrupts shows them. */
    record LineStats(int irq, long count, long spurious, List<String> handlers) {
    }

    InterruptRegistration register(int irq, String name, InterruptHandler handler);

    List<LineStats> statistics();
}
