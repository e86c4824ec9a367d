package org.alosj.kernel.impl.proc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.alosj.hal.cpu.CpuStatistics;
import org.alosj.kernel.proc.CpuUsage;
import org.alosj.kernel.proc.ProcessInfo;

/**
 * The information views behind ProcessManager's queries (ps, top, /proc): a process's state,
 * threads, priority and memory, and CPU usage per process and for the machine. Counters are
 * read under the tree lock, which threads take to leave.
 */
final class ProcessViews {
    private final ProcessManagerImpl kernel;

    ProcessViews(ProcessManagerImpl kernel) {
        this.kernel = kernel;
    }

    List<ProcessInfo> processes() {
        List<ProcessInfo> out = new ArrayList<>();
        Collection<ProcessImpl> all = new ArrayList<>(kernel.processes.values());
        for (ProcessImpl p : all) {
            out.add(info(p));
        }
        out.sort((a, b) -> Integer.compare(a.pid(), b.pid()));
        return out;
    }

    Optional<ProcessInfo> process(int pid) {
        ProcessImpl p = kernel.processes.get(pid);
        return p == null ? Optional.empty() : Optional.of(info(p));
    }

    Optional<CpuUsage> cpuUsage(int pid) {
        ProcessImpl p = kernel.processes.get(pid);
        if (p == null) {
            return Optional.empty();
        }
        synchronized (kernel.tree) {
            CpuStatistics live = CpuStatistics.ZERO;
            long nanos = 0;
            synchronized (p.threads) {
                for (TaskImpl t : p.threads) {
                    live = live.plus(t.cpu.statistics());
                    nanos += t.cpuNanos;
                }
            }
            return Optional.of(p.cpuAccount.usage(live, nanos));
        }
    }

    CpuUsage cpuUsage() {
        synchronized (kernel.tree) {
            CpuStatistics live = liveCpuStatistics();
            return kernel.machineCpu.usage(live, liveCpuNanos());
        }
    }

    void resetCpuUsage() {
        synchronized (kernel.tree) {
            kernel.machineCpu.reset(liveCpuStatistics(), liveCpuNanos(), kernel.monotonicNanos());
        }
    }

    /** Every live thread's counters; threads leave {@link ProcessManagerImpl#tasks} under the tree's lock. */
    private CpuStatistics liveCpuStatistics() {
        CpuStatistics live = CpuStatistics.ZERO;
        for (TaskImpl t : kernel.tasks.values()) {
            live = live.plus(t.cpu.statistics());
        }
        return live;
    }

    private long liveCpuNanos() {
        long n = 0;
        for (TaskImpl t : kernel.tasks.values()) {
            n += t.cpuNanos;
        }
        return n;
    }

    ProcessInfo info(ProcessImpl p) {
        char state;
        int threads;
        int level = 2;
        synchronized (kernel.tree) {
            synchronized (p.threads) {
                threads = p.threads.size();
                if (!p.threads.isEmpty()) {
                    level = p.threads.get(0).level();
                }
                if (p.zombie) {
                    state = 'Z';
                } else if (p.stopped) {
                    state = 'T';
                } else {
                    state = 'S';
                    for (TaskImpl t : p.threads) {
                        if (t.state == 'R') {
                            state = 'R';
                        }
                    }
                }
            }
        }
        long rss = 0;
        long vsz = 0;
        if (!p.memoryGone) {
            AddressSpace as = p.addressSpace();
            rss = as.residentBytes();
            vsz = as.virtualBytes();
        }
        return new ProcessInfo(p.pid, kernel.ppid(p), p.pgid, p.sid, p.uid, state, p.name,
                p.cmdline == null ? List.of() : p.cmdline, threads, level, p.cpuNanos(), rss, vsz, p.startNanos);
    }
}
