/** The i8042 controller driver (private: the bundle registers InputDevice services and nothing else). */
package org.alosj.drivers.ps2;
