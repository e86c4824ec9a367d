/**
 * The wire side of a network card: a NIC model attaches a port to a network backend (a netdev,
 * as QEMU calls them) and exchanges whole Ethernet frames (no preamble, no FCS) with it.
 */
@Export
@Version("1.0.0")
package org.alosj.hal.net;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
