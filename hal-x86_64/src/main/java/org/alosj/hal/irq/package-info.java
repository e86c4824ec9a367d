/**
 * Interrupt wiring: a device drives an {@link org.alosj.hal.irq.IrqLine}; the interrupt
 * controller raises the CPU's INTR pin, and the CPU fetches the vector with an
 * interrupt-acknowledge cycle ({@link org.alosj.hal.irq.InterruptPin#acknowledge()}).
 */
@Export
@Version("1.0.0")
package org.alosj.hal.irq;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
