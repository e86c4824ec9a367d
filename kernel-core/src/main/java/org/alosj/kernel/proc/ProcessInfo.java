package org.alosj.kernel.proc;

import java.util.List;

/**
 * A snapshot of one process, as ps, top and /proc show it.
 *
 * @param state Linux's one-letter state: R running or runnable, S sleeping, T stopped, Z zombie
 * @param priority the scheduler level, 0 (highest) to 3
 * @param cpuNanos CPU time used by all its threads
 * @param residentBytes memory mapped in its page tables
 * @param virtualBytes the size of its address space's mappings
 * @param startNanos when it started, in kernel uptime
 */
public record ProcessInfo(int pid, int ppid, int pgid, int sid, int uid, char state, String name,
                          List<String> cmdline, int threads, int priority, long cpuNanos, long residentBytes,
                          long virtualBytes, long startNanos) {
}
