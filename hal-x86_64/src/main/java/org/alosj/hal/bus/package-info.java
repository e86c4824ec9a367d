/**
 * The buses a CPU and a bus-master device see: the 64 KiB I/O-port space and the physical
 * memory space, where guest RAM and device MMIO windows live side by side.
 * 1.3.0: {@code GuestRam.compareAndExchangeInt}.
 */
@Export
@Version("1.3.0")
package org.alosj.hal.bus;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
