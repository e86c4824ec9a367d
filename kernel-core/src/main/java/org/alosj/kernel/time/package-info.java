/** Time: the wall clock read from the CMOS RTC at boot and kept by the PIT tick. */
@Export
@Version("1.0.0")
package org.alosj.kernel.time;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
