/**
 * Devices of the PC that are not PCI functions (the i8042 keyboard controller, a parallel port):
 * a driver claims their fixed ISA ports and IRQs here, exclusively, as Linux's platform drivers
 * request_region() and request_irq().
 */
@Export
@Version("1.0.0")
package org.alosj.kernel.legacy;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
