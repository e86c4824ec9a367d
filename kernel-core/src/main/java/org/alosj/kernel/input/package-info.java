/**
 * Keyboard layouts: turning key events ({@link org.alosj.kernel.device.InputDevice}, Linux key
 * codes) into the characters and escape sequences a terminal reads, through the loaded keymap
 * ({@code loadkeys}), as Linux's console keyboard layer does.
 */
@Export
@Version("1.0.0")
package org.alosj.kernel.input;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
