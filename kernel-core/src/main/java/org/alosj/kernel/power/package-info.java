/**
 * Power as the OS asks it of the hardware: a {@link org.alosj.kernel.power.SystemPower} service,
 * registered while the chipset's power-management function has its driver, turns the machine
 * off (ACPI S5) or resets it, after the filesystems are synced and unmounted.
 */
@Export
@Version("1.0.0")
package org.alosj.kernel.power;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
