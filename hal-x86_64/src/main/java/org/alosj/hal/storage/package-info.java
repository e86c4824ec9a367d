/**
 * What disk models keep their media in: raw image files, as QEMU's raw format.
 */
@Export
@Version("1.0.0")
package org.alosj.hal.storage;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
