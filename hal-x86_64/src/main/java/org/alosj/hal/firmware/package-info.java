/** What firmware hands the kernel at boot: the physical memory map (E820 style). */
@Export
@Version("1.0.0")
package org.alosj.hal.firmware;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
