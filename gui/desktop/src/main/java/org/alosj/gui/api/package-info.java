/**
 * Programs with windows on the ALOS/J desktop. An application is a service; the desktop lists it
 * in its task bar menu and, when the user opens it, hands it a window to draw into and the
 * keyboard and mouse events aimed at that window. Uninstalling the application's bundle closes
 * its windows.
 */
@Export
@Version("1.0.0")
package org.alosj.gui.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
