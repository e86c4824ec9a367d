/**
 * The PCnet model ({@link org.alosj.hw.pcnet.impl.Am79C970A}, the PCI function, and the chip
 * behind it, one file a seam: registers, descriptor rings, transmit, receive), its MAC address
 * parsing and its DS component. Private to the bundle: drivers reach the card through ports,
 * memory and configuration cycles, never through Java.
 */
package org.alosj.hw.pcnet.impl;
