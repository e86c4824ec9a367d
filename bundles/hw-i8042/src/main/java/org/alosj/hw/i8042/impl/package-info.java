/**
 * The i8042 controller ({@link org.alosj.hw.i8042.impl.I8042}), the keyboard and mouse on its two
 * ports and the DS component that plugs them into the board. Private to the bundle: the kernel
 * reaches the controller through ports 0x60/0x64 and IRQs 1 and 12, never through Java.
 */
package org.alosj.hw.i8042.impl;
