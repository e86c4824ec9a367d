/**
 * The PC as a whole. {@link org.alosj.hal.board.Platform} is what the CPU (and so the kernel)
 * sees: ports, physical memory, the INTR pin and the firmware memory map.
 * {@link org.alosj.hal.board.Board} is what device models plug into: the PCI bus, ISA IRQ
 * lines and a clock for their timers.
 */
@Export
@Version("1.1.0")
package org.alosj.hal.board;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
