package org.alosj.kernel.impl.proc;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.alosj.hal.cpu.CpuStatistics;
import org.alosj.hal.cpu.RunExit;
import org.alosj.hal.cpu.TraceExit;
import org.alosj.hal.cpu.Vector;
import org.alosj.kernel.fs.AttributeChanges;
import org.alosj.kernel.fs.DirEntry;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FileAttributes;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.fs.FsStats;
import org.alosj.kernel.impl.vfs.ReadOnlyFileSystem;
import org.alosj.kernel.proc.CpuUsage;
import org.alosj.kernel.proc.ProcessInfo;
import org.alosj.kernel.vfs.MountInfo;

/**
 * /proc: the processes and the kernel's counters as files, made when read (Linux's formats, as
 * ps and top read them). Inodes: the root 1, the system files below 256, and for process P the
 * directory P*256 with its files P*256+k. {@code self} is the process reading.
 */
final class ProcFs extends ReadOnlyFileSystem {
    static final String TYPE = "proc";
    private static final long ROOT = 1;
    private static final long SELF = 2;
    private static final String[] SYSTEM = {null, null, "self", "meminfo", "uptime", "stat", "loadavg", "version",
        "cpuinfo", "mounts", "filesystems", "cpustat"};
    private static final String[] PER_PROCESS = {null, "cmdline", "stat", "status", "statm", "comm", "exe", "cwd",
        "environ", "cpustat"};
    private static final int EXE = 6;
    private static final int CWD = 7;

    private final ProcessManagerImpl kernel;
    private final Instant mounted = Instant.now();

    ProcFs(ProcessManagerImpl kernel) {
        this.kernel = kernel;
    }

    @Override
    public String typeName() {
        return TYPE;
    }

    @Override
    public long rootIno() {
        return ROOT;
    }

    @Override
    public boolean readOnly() {
        return true;
    }

    private static FsException noEntry() {
        return new FsException(Errno.ENOENT, "proc: no such entry");
    }

    private FileAttributes attributes(long ino, FileType type, int mode) {
        Instant t = mounted;
        return new FileAttributes(ino, type, mode, type == FileType.DIRECTORY ? 2 : 1, 0, 0, 0, 0, t, t, t, 0);
    }

    @Override
    public FileAttributes getattr(long ino) throws FsException {
        if (ino == ROOT) {
            return attributes(ino, FileType.DIRECTORY, 0555);
        }
        if (ino == SELF) {
            return attributes(ino, FileType.SYMLINK, 0777);
        }
        if (ino < SYSTEM.length) {
            return attributes(ino, FileType.REGULAR, 0444);
        }
        int pid = (int) (ino >>> 8);
        int k = (int) (ino & 0xFF);
        if (kernel.processImpl(pid) == null || k >= PER_PROCESS.length) {
            throw noEntry();
        }
        if (k == 0) {
            return attributes(ino, FileType.DIRECTORY, 0555);
        }
        if (k == EXE || k == CWD) {
            return attributes(ino, FileType.SYMLINK, 0777);
        }
        return attributes(ino, FileType.REGULAR, 0444);
    }

    @Override
    public void setattr(long ino, AttributeChanges changes) throws FsException {
        throw refused();
    }

    @Override
    protected FsException refused() {
        return new FsException(Errno.EROFS, "proc: read-only");
    }

    @Override
    public long lookup(long dir, String name) throws FsException {
        if (dir == ROOT) {
            for (int i = 2; i < SYSTEM.length; i++) {
                if (SYSTEM[i].equals(name)) {
                    return i;
                }
            }
            try {
                int pid = Integer.parseInt(name);
                if (pid > 0 && kernel.processImpl(pid) != null) {
                    return (long) pid << 8;
                }
            } catch (NumberFormatException e) {
                // not a process
            }
            throw noEntry();
        }
        if ((dir & 0xFF) == 0 && dir >= 256) {
            for (int k = 1; k < PER_PROCESS.length; k++) {
                if (PER_PROCESS[k].equals(name)) {
                    return dir | k;
                }
            }
            throw noEntry();
        }
        throw new FsException(Errno.ENOTDIR, "proc: not a directory");
    }

    @Override
    public List<DirEntry> readdir(long dir) throws FsException {
        List<DirEntry> out = new ArrayList<>();
        out.add(new DirEntry(".", dir, FileType.DIRECTORY));
        out.add(new DirEntry("..", ROOT, FileType.DIRECTORY));
        if (dir == ROOT) {
            for (int i = 2; i < SYSTEM.length; i++) {
                out.add(new DirEntry(SYSTEM[i], i, i == SELF ? FileType.SYMLINK : FileType.REGULAR));
            }
            for (ProcessInfo p : kernel.processes()) {
                out.add(new DirEntry(Integer.toString(p.pid()), (long) p.pid() << 8, FileType.DIRECTORY));
            }
            return out;
        }
        if ((dir & 0xFF) == 0 && dir >= 256 && kernel.processImpl((int) (dir >>> 8)) != null) {
            for (int k = 1; k < PER_PROCESS.length; k++) {
                out.add(new DirEntry(PER_PROCESS[k], dir | k, k == EXE || k == CWD ? FileType.SYMLINK
                        : FileType.REGULAR));
            }
            return out;
        }
        throw noEntry();
    }

    @Override
    public String readlink(long ino) throws FsException {
        if (ino == SELF) {
            TaskImpl t = kernel.currentTask();
            if (t == null) {
                throw noEntry();
            }
            return Integer.toString(t.process.pid);
        }
        ProcessImpl p = kernel.processImpl((int) (ino >>> 8));
        if (p == null) {
            throw noEntry();
        }
        switch ((int) (ino & 0xFF)) {
            case EXE:
                return p.executable == null ? "/" : p.executable;
            case CWD:
                try {
                    return p.fs.cwd();
                } catch (FsException | RuntimeException e) {
                    throw noEntry();
                }
            default:
                throw new FsException(Errno.EINVAL, "proc: not a symbolic link");
        }
    }

    @Override
    public int read(long ino, long offset, ByteBuffer dst) throws FsException {
        byte[] text = content(ino).getBytes(StandardCharsets.UTF_8);
        if (offset >= text.length) {
            return 0;
        }
        int n = (int) Math.min(dst.remaining(), text.length - offset);
        dst.put(text, (int) offset, n);
        return n;
    }

    private String content(long ino) throws FsException {
        if (ino > 2 && ino < SYSTEM.length) {
            return system(SYSTEM[(int) ino]);
        }
        int pid = (int) (ino >>> 8);
        ProcessImpl p = kernel.processImpl(pid);
        java.util.Optional<ProcessInfo> info = kernel.process(pid);
        if (p == null || info.isEmpty()) {
            throw noEntry();
        }
        ProcessInfo i = info.get();
        switch ((int) (ino & 0xFF)) {
            case 1: {
                StringBuilder sb = new StringBuilder();
                for (String a : i.cmdline()) {
                    sb.append(a).append('\0');
                }
                return sb.toString();
            }
            case 2:
                return stat(i);
            case 3:
                return status(i);
            case 4: {
                long pages = i.virtualBytes() / 4096;
                return pages + " " + i.residentBytes() / 4096 + " 0 0 0 " + pages + " 0\n";
            }
            case 5:
                return i.name() + "\n";
            case 8:
                return "";
            case 9:
                return kernel.cpuUsage(i.pid()).map(ProcFs::cpustat).orElseThrow(ProcFs::noEntry);
            default:
                throw new FsException(Errno.EINVAL, "proc: not a regular file");
        }
    }

    private String stat(ProcessInfo i) {
        // utime, stime, cutime, cstime in ticks of 10 ms (sysconf(_SC_CLK_TCK) is 100)
        long cpu = i.cpuNanos();
        long sys = 0;
        long childCpu = 0;
        long childSys = 0;
        ProcessImpl p = kernel.processes.get(i.pid());
        if (p != null) {
            sys = Math.min(p.sysNanos(), cpu);
            synchronized (kernel.tree) {
                childCpu = p.reapedChildrenCpuNanos;
                childSys = Math.min(p.reapedChildrenSysNanos, childCpu);
            }
        }
        String times = (cpu - sys) / 10_000_000L + " " + sys / 10_000_000L + " " + (childCpu - childSys) / 10_000_000L
                + " " + childSys / 10_000_000L;
        int nice = ProcessManagerImpl.levelToNice(i.priority());
        return i.pid() + " (" + i.name() + ") " + i.state() + " " + i.ppid() + " " + i.pgid() + " " + i.sid()
                + " 0 -1 4194304 0 0 0 0 " + times + " " + (20 + nice) + " " + nice + " " + i.threads()
                + " 0 " + i.startNanos() / 10_000_000L + " " + i.virtualBytes() + " " + i.residentBytes() / 4096
                + " 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
    }

    private String status(ProcessInfo i) {
        String state = switch (i.state()) {
            case 'R' -> "R (running)";
            case 'T' -> "T (stopped)";
            case 'Z' -> "Z (zombie)";
            default -> "S (sleeping)";
        };
        return "Name:\t" + i.name() + "\nUmask:\t0022\nState:\t" + state + "\nTgid:\t" + i.pid() + "\nNgid:\t0\nPid:\t"
                + i.pid() + "\nPPid:\t" + i.ppid() + "\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"
                + "FDSize:\t64\nGroups:\t0\nVmSize:\t" + i.virtualBytes() / 1024 + " kB\nVmRSS:\t"
                + i.residentBytes() / 1024 + " kB\nThreads:\t" + i.threads() + "\n";
    }

    private String system(String name) {
        long uptime = kernel.monotonicNanos();
        switch (name) {
            case "meminfo": {
                long total = kernel.totalMemoryBytes() / 1024;
                long free = kernel.freeMemoryBytes() / 1024;
                return String.format("MemTotal:       %8d kB%nMemFree:        %8d kB%nMemAvailable:   %8d kB%n"
                        + "Buffers:               0 kB%nCached:                0 kB%nSwapCached:            0 kB%n"
                        + "SwapTotal:             0 kB%nSwapFree:              0 kB%nShmem:                 0 kB%n",
                        total, free, free);
            }
            case "uptime": {
                long busy = 0;
                for (ProcessInfo p : kernel.processes()) {
                    busy += p.cpuNanos();
                }
                return String.format("%d.%02d %d.%02d%n", uptime / 1_000_000_000L, uptime / 10_000_000L % 100,
                        Math.max(0, uptime - busy) / 1_000_000_000L, Math.max(0, uptime - busy) / 10_000_000L % 100);
            }
            case "stat": {
                long busy = 0;
                int running = 0;
                List<ProcessInfo> all = kernel.processes();
                for (ProcessInfo p : all) {
                    busy += p.cpuNanos();
                    if (p.state() == 'R') {
                        running++;
                    }
                }
                long user = busy / 10_000_000L;
                long idle = Math.max(0, uptime / 10_000_000L - user);
                long boot = kernel.realtimeNanos() / 1_000_000_000L - uptime / 1_000_000_000L;
                return "cpu  " + user + " 0 0 " + idle + " 0 0 0 0 0 0\ncpu0 " + user + " 0 0 " + idle
                        + " 0 0 0 0 0 0\nintr 0\nctxt " + kernel.contextSwitches() + "\nbtime " + boot
                        + "\nprocesses " + kernel.processesCreated() + "\nprocs_running " + Math.max(1, running)
                        + "\nprocs_blocked 0\n";
            }
            case "loadavg": {
                List<ProcessInfo> all = kernel.processes();
                long running = all.stream().filter(p -> p.state() == 'R').count();
                return "0.00 0.00 0.00 " + running + "/" + all.size() + " " + kernel.lastPid() + "\n";
            }
            case "version":
                return "Linux version 6.1.0-alosj (ALOS/J) #1 ALOS/J\n";
            case "cpuinfo":
                return CpuInfo.text(kernel.cpus(), kernel.cpuBinding::cpuid);
            case "mounts": {
                StringBuilder sb = new StringBuilder();
                for (MountInfo m : kernel.mounts()) {
                    sb.append(m.source()).append(' ').append(m.target()).append(' ').append(m.type())
                            .append(m.readOnly() ? " ro" : " rw").append(" 0 0\n");
                }
                return sb.toString();
            }
            case "filesystems": {
                StringBuilder sb = new StringBuilder();
                for (String t : kernel.filesystemTypes()) {
                    sb.append(t.equals("ext2") ? "\t" : "nodev\t").append(t).append('\n');
                }
                return sb.toString();
            }
            case "cpustat":
                return cpustat(kernel.cpuUsage());
            default:
                return "";
        }
    }

    /**
     * /proc/cpustat and /proc/PID/cpustat: the CPU model's counters, one "name value" a line
     * (as /proc/vmstat): since_ns, cpu_ns, instructions, instructions_compiled, blocks_decoded,
     * blocks_compiled, code_writes, code_invalidations, blocks_invalidated, tlb_misses,
     * tlb_flushes, tlb_page_invalidations, traces_compiled, instructions_traced, traces_invalidated,
     * trace_instructions_compiled, trace_compile_ns, trace_exit_CAUSE for each trace exit cause,
     * exit_budget, exit_preempted, exit_trap, exit_halted, exit_shutdown, syscalls, then trap_N
     * for each vector N that was entered.
     */
    static String cpustat(CpuUsage u) {
        CpuStatistics c = u.counters();
        StringBuilder sb = new StringBuilder();
        sb.append("since_ns ").append(u.sinceNanos()).append('\n');
        sb.append("cpu_ns ").append(u.cpuNanos()).append('\n');
        sb.append("instructions ").append(c.instructionsRetired()).append('\n');
        sb.append("instructions_compiled ").append(c.instructionsCompiled()).append('\n');
        sb.append("blocks_decoded ").append(c.blocksDecoded()).append('\n');
        sb.append("blocks_compiled ").append(c.blocksCompiled()).append('\n');
        sb.append("code_writes ").append(c.codeWrites()).append('\n');
        sb.append("code_invalidations ").append(c.codeInvalidations()).append('\n');
        sb.append("blocks_invalidated ").append(c.blocksInvalidated()).append('\n');
        sb.append("tlb_misses ").append(c.tlbMisses()).append('\n');
        sb.append("tlb_flushes ").append(c.tlbFlushes()).append('\n');
        sb.append("tlb_page_invalidations ").append(c.tlbPageInvalidations()).append('\n');
        sb.append("traces_compiled ").append(c.tracesCompiled()).append('\n');
        sb.append("instructions_traced ").append(c.instructionsTraced()).append('\n');
        sb.append("traces_invalidated ").append(c.tracesInvalidated()).append('\n');
        sb.append("trace_instructions_compiled ").append(c.traceInstructionsCompiled()).append('\n');
        sb.append("trace_compile_ns ").append(c.traceCompileNanos()).append('\n');
        for (TraceExit e : TraceExit.values()) {
            sb.append("trace_exit_").append(e.name().toLowerCase(java.util.Locale.ROOT)).append(' ')
                    .append(c.traceExits(e)).append('\n');
        }
        for (RunExit e : RunExit.values()) {
            sb.append("exit_").append(e.name().toLowerCase(java.util.Locale.ROOT)).append(' ')
                    .append(c.runExits(e)).append('\n');
        }
        sb.append("syscalls ").append(c.syscalls()).append('\n');
        for (int v = 0; v < Vector.SYSCALL; v++) {
            if (c.traps(v) != 0) {
                sb.append("trap_").append(v).append(' ').append(c.traps(v)).append('\n');
            }
        }
        return sb.toString();
    }

    @Override
    public FsStats statfs() {
        return new FsStats(TYPE, 4096, 0, 0, 0, 0, 0, 255);
    }

    @Override
    public void unmount() {
    }
}
