/**
 * What a display adapter shows, as a monitor plugged into it would see it: a display model
 * registers a {@link org.alosj.hal.display.DisplaySurface} and host-side user interfaces (a
 * window, a VNC server, the monitor's screendump) read it. Nothing here reaches the guest.
 */
@Export
@Version("1.0.0")
package org.alosj.hal.display;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
