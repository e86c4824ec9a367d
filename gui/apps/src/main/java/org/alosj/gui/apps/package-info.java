/** The applications; private to this bundle, they reach the desktop only as services. */
package org.alosj.gui.apps;
