/** The monitor's commands, Gogo functions in the {@code alos} scope; private to this bundle. */
package org.alosj.monitor.impl;
