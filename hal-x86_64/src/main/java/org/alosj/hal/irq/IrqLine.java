package org.alosj.hal.irq;

import org.osgi.annotation.versioning.ProviderType;

/** One interrupt request wire into an interrupt controller input. */
@ProviderType
public interface IrqLine {
    /** Drives the wire to {@code asserted}; level-triggered inputs follow the level. */
    void set(boolean asserted);

    default void raise() {
        set(true);
    }

    default void lower() {
        set(false);
    }

    /** A rising then falling edge, as an edge-triggered ISA device signals. */
    default void pulse() {
        set(true);
        set(false);
    }
}
