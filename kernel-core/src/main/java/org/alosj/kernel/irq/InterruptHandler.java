package org.alosj.kernel.irq;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Runs in interrupt context, on the CPU's interrupt thread: it must not block. It acknowledges
 * the device's cause and defers longer work (to a work queue or the driver's own thread).
 */
@ConsumerType
public interface InterruptHandler {
    /** @return whether this device raised the interrupt (lines are shared) */
    boolean handle(int irq);
}
