package org.alosj.hal.irq;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The CPU's INTR input, driven by the interrupt controller. The CPU samples {@link #pending()}
 * between instructions (with IF set); when it takes the interrupt it runs an
 * interrupt-acknowledge cycle, which returns the vector and moves the request in service.
 */
@ProviderType
public interface InterruptPin {
    boolean pending();

    /**
     * The INTA cycle: the vector of the highest-priority pending request, now in service.
     * A request that went away before the acknowledge gives the spurious vector (IRQ 7 or 15
     * of its controller), as on an 8259.
     */
    int acknowledge();

    /**
     * Registers a listener called (from the thread that raised it) whenever INTR may have
     * become asserted, so a halted CPU can wake without polling. Returns a handle that
     * removes it.
     */
    AutoCloseable onAssert(Runnable listener);
}
