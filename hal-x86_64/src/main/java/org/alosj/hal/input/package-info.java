/**
 * A person's keys and mouse on their way into the machine: a keyboard or mouse model registers a
 * {@link org.alosj.hal.input.HostInput} and host-side user interfaces (a window, a VNC server,
 * the monitor's sendkey and mouse commands) feed it, as a person types on real hardware.
 */
@Export
@Version("1.1.0")
package org.alosj.hal.input;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
