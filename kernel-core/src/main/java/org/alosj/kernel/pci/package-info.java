/**
 * The PCI driver contract. A driver publishes a {@link org.alosj.kernel.pci.PciDriver} service
 * with an ID table; the device manager binds each unbound function to the best match and calls
 * {@code probe}; when the driver goes (bundle stopped, updated, uninstalled) or the user
 * unbinds, the binding's {@code remove} quiesces the device. Every PCI function is also an OSGi
 * Device Access {@code Device} service (category "pci"), so drivers written to
 * {@code org.osgi.service.device} match and attach the standard way.
 * 1.4.0: {@code PciDriverCapability.of}, the capabilities a driver's ID table stands for.
 */
@Export
@Version("1.4.0")
package org.alosj.kernel.pci;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
