/**
 * The 8254x/82574 MAC ({@link org.alosj.hw.e1000.impl.E1000Core}), its EEPROM, the PCI
 * functions of the two parts ({@link org.alosj.hw.e1000.impl.E1000Function}) and their DS
 * components. Private to the bundle: drivers reach the cards through memory, ports and
 * configuration cycles, never through Java.
 */
package org.alosj.hw.e1000.impl;
