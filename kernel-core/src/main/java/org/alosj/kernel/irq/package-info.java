/**
 * Interrupt registration: handlers for legacy IRQ lines and for message-signalled vectors, run
 * in interrupt context.
 */
@Export
@Version("1.1.0")
package org.alosj.kernel.irq;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
