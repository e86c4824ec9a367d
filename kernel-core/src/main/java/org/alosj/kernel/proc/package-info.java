/**
 * Programs: processes, their threads ({@link org.alosj.kernel.proc.Task}), address spaces and
 * file descriptors, as the kernel keeps them. The {@link org.alosj.kernel.proc.ProcessManager}
 * service starts and lists processes; an {@link org.alosj.kernel.proc.Abi} service (a bundle of
 * its own, the Linux x86-64 ABI first) turns a thread's system calls into calls on its
 * {@link org.alosj.kernel.proc.Task}. Error numbers are Linux's ({@link org.alosj.kernel.proc.SysError}).
 * 1.2.0: {@code ProcessManager.cpuUsage} and {@code resetCpuUsage}: the CPU model's counters
 * ({@link org.alosj.kernel.proc.CpuUsage}) per process and machine-wide.
 * 1.3.0: {@code UserMemory.compareAndExchangeInt} (futex operations atomic against other CPUs)
 * and {@code Task.cpuNumber}/{@code onlineCpus} (the virtual CPU a thread runs on, getcpu).
 * 1.6.0: {@code Terminal.redirectedInput/Output/Errors}: a program's standard streams the shell redirected.
 */
@Export
@Version("1.6.0")
package org.alosj.kernel.proc;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
