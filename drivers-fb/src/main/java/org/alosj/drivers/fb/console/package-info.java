/**
 * The text console on a frame buffer, as Linux's fbcon and vt: {@link
 * org.alosj.drivers.fb.console.Vt} (a grid of character cells driven by VT100/xterm control
 * sequences), the console's 8×16 {@link org.alosj.drivers.fb.console.BitmapFont}, and {@link
 * org.alosj.drivers.fb.console.FbConsole}, which draws a Vt through a lease on any {@code
 * FramebufferDevice} and is a {@code ConsoleDevice}. This bundle runs one on every frame buffer
 * (tty1 …); the desktop's terminal windows run one on a window.
 */
@Export
@Version("1.0.0")
package org.alosj.drivers.fb.console;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
