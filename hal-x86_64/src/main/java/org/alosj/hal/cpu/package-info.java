/**
 * The x86-64 processor as the rest of the machine sees it: architectural state, runs, traps to
 * Java ring 0. The model itself (decoder, interpreter, MMU, exceptions, interrupt delivery) is
 * the cpu-x86_64 bundle's, reached through the {@link org.alosj.hal.cpu.CpuFactory} service.
 * 2.0.0: {@code Cpu.create} is gone; CPUs come from a {@code CpuFactory}.
 * 2.1.0: {@code Cpu.statistics()} and {@link org.alosj.hal.cpu.CpuStatistics}.
 * 2.2.0: trace counters in {@code CpuStatistics} and {@link org.alosj.hal.cpu.TraceExit}.
 * 2.3.0: {@code CpuFactory.cpuid}: the model's CPUID leaves, for /proc/cpuinfo.
 */
@Export
@Version("2.3.0")
package org.alosj.hal.cpu;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
