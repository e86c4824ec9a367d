/** The kernel log: what dmesg shows. Messages enter it through SLF4J. */
@Export
@Version("1.0.0")
package org.alosj.kernel.klog;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
