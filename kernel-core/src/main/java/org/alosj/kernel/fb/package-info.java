/**
 * Frame buffers: a display adapter's picture memory as a driver exposes it, with the mode it is
 * in and an ownership hand-over (a VT switch) between the text console and a graphical client.
 */
@Export
@Version("1.0.0")
package org.alosj.kernel.fb;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
