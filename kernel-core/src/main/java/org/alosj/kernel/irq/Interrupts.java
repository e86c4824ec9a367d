package org.alosj.kernel.irq;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The kernel's interrupt layer: legacy lines over the 8259 pair, and CPU vectors for
 * message-signalled interrupts (MSI, MSI-X), which a device raises by writing to the APIC.
 */
@ProviderType
public interface Interrupts {
    /** Per-line counters, as /proc/interrupts shows them. */
    record LineStats(int irq, long count, long spurious, List<String> handlers) {
    }

    InterruptRegistration register(int irq, String name, InterruptHandler handler);

    List<LineStats> statistics();

    /**
     * Counters of one message vector, as /proc/interrupts shows an MSI line: {@code chip} is
     * {@code PCI-MSI} or {@code PCI-MSI-X}, {@code source} the function and its entry.
     *
     * @since 1.1
     */
    record VectorStats(int vector, long count, String chip, String source, String handler) {
    }

    /**
     * Takes a free CPU vector for a message-signalled interrupt and attaches {@code handler}; the
     * registration's {@code irq()} is the vector. Closing it frees the vector.
     *
     * @throws IllegalStateException when no vector is free
     * @since 1.1
     */
    InterruptRegistration allocateVector(String chip, String source, String name, InterruptHandler handler);

    /** @since 1.1 */
    List<VectorStats> vectorStatistics();
}
