/**
 * The wire side of a network card: a NIC model attaches a port to a network backend (a netdev,
 * as QEMU calls them) and exchanges whole Ethernet frames (no preamble, no FCS) with it.
 * 1.1.0: {@link org.alosj.hal.net.MacAddress}, the {@code mac} property of every NIC model (one copy below the bus line).
 */
@Export
@Version("1.1.0")
package org.alosj.hal.net;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
