/** The x86-64 processor model: decoder, interpreter, MMU, exceptions and interrupt delivery. */
@Export
@Version("1.0.0")
package org.alosj.hal.cpu;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
