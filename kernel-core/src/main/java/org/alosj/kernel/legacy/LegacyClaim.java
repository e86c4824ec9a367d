package org.alosj.kernel.legacy;

import org.alosj.kernel.irq.InterruptHandler;
import org.alosj.kernel.irq.InterruptRegistration;
import org.alosj.kernel.pci.IoRegion;
import org.osgi.annotation.versioning.ProviderType;

/** What one driver holds of the legacy ports and IRQs; closing it releases everything. */
@ProviderType
public interface LegacyClaim extends AutoCloseable {
    /**
     * Claims the I/O ports {@code [base, base + length)}.
     *
     * @throws IllegalArgumentException if the range is empty or reaches the PCI I/O window
     * @throws IllegalStateException if the board or another driver holds one of the ports, or
     *     the claim is closed
     */
    IoRegion ioPorts(int base, int length);

    /**
     * Claims ISA IRQ {@code isaIrq} (edge-triggered, not shared) and attaches {@code handler}.
     *
     * @throws IllegalArgumentException if the IRQ does not exist (0–15)
     * @throws IllegalStateException if the line is taken, carries PCI interrupts, or the claim
     *     is closed
     */
    InterruptRegistration requestIrq(int isaIrq, String name, InterruptHandler handler);

    @Override
    void close();
}
