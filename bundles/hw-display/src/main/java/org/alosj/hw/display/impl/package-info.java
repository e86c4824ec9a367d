/**
 * The display adapter model ({@link org.alosj.hw.display.impl.BochsVga}), its scan-out and its DS
 * component. Private: drivers reach the adapter through its BARs and ports only.
 */
package org.alosj.hw.display.impl;
