/**
 * The CPU model ({@link org.alosj.cpu.x86_64.impl.X86Core}) and the DS component that offers it
 * as a {@link org.alosj.hal.cpu.CpuFactory}. Private to the bundle.
 */
package org.alosj.cpu.x86_64.impl;
