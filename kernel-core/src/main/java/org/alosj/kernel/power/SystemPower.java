package org.alosj.kernel.power;

import org.osgi.annotation.versioning.ProviderType;

/** Turning the machine off or resetting it, as Linux's kernel_power_off and kernel_restart. */
@ProviderType
public interface SystemPower {
    /**
     * Syncs and unmounts every filesystem, then enters S5 (soft-off) through the ACPI PM1
     * control register. Returns once the board has the request; the machine then goes down.
     */
    void powerOff();

    /** Syncs and unmounts every filesystem, then resets the machine through the reset control register. */
    void reboot();
}
