/**
 * The PCI bus as device models see it: a {@link org.alosj.hal.pci.PciFunction} base class
 * with a byte-exact configuration space, BAR sizing and decoding, command-register gating,
 * capability lists, INTx and bus-master DMA; and the {@link org.alosj.hal.pci.PciBus} a model
 * plugs into (a hot-plug event while the machine runs). Drivers never import this package:
 * they reach configuration space through ports 0xCF8/0xCFC.
 * 1.2.0: {@link org.alosj.hal.pci.PciAddressProperty}, the {@code addr} property of every PCI device model.
 */
@Export
@Version("1.2.0")
package org.alosj.hal.pci;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
