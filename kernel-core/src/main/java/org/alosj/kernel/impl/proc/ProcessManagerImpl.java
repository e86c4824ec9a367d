package org.alosj.kernel.impl.proc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.alosj.hal.board.Platform;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.cpu.CpuFactory;
import org.alosj.hal.firmware.MemoryRegion;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.irq.InterruptRegistration;
import org.alosj.kernel.irq.Interrupts;
import org.alosj.kernel.mem.PhysicalPageAllocator;
import org.alosj.kernel.proc.Abi;
import org.alosj.kernel.proc.CpuUsage;
import org.alosj.kernel.proc.ExitStatus;
import org.alosj.kernel.proc.OpenFile;
import org.alosj.kernel.proc.ProcessInfo;
import org.alosj.kernel.proc.ProcessManager;
import org.alosj.kernel.proc.Signals;
import org.alosj.kernel.proc.SysError;
import org.alosj.kernel.proc.Task;
import org.alosj.kernel.proc.Terminal;
import org.alosj.kernel.time.SystemClock;
import org.alosj.kernel.vfs.OpenFlags;
import org.alosj.kernel.vfs.Vfs;
import org.alosj.kernel.vfs.VfsContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processes: the process table and tree, fork/clone, execve with the ELF loader, exit and wait,
 * process groups and sessions, signals' generation, and the mmap family's checks. The tree lock
 * ({@link #tree}) guards parent/child links, groups, stop state and zombies; waiting parents
 * sleep on it. This DS component keeps the tables and the locks; its
 * collaborators work on that state: {@link CpuBinding} (the CPU model and new CPUs),
 * {@link Cloner} (clone), {@link ProcessTree} (exit, wait, groups and sessions) and
 * {@link ProcessViews} (the queries' information), {@link ProgramStarter} (spawn and execve),
 * beside {@link Signalling}.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = ProcessManager.class, immediate = true)
public final class ProcessManagerImpl implements ProcessManager {
    private static final Logger LOG = LoggerFactory.getLogger("kernel.proc");
    static final int MAX_PROCESSES = 256;

    private final Platform platform;
    final MemoryBus bus;
    final Vfs vfs;
    final SystemClock clock;
    final UserFrames frames;
    final long kernelPdpt;
    private final PhysicalPageAllocator pages;
    private final long ramTop;
    final Scheduler scheduler;
    final Futexes futexes = new Futexes();
    final Signalling signals = new Signalling(this);
    final CpuBinding cpuBinding = new CpuBinding(this);
    private final Cloner cloner = new Cloner(this);
    private final ProcessTree processTree = new ProcessTree(this);
    private final ProcessViews views = new ProcessViews(this);
    private final ProgramStarter starter = new ProgramStarter(this);
    final Object tree = new Object();
    long treeChanges;
    final Map<Integer, ProcessImpl> processes = new ConcurrentHashMap<>();
    final Map<Integer, TaskImpl> tasks = new ConcurrentHashMap<>();
    /** The machine's CPU model counters since boot or the last reset (guarded by tree). */
    final CpuAccount machineCpu = new CpuAccount(0);
    final AtomicInteger nextPid = new AtomicInteger(1);
    private final AtomicInteger nextPipe = new AtomicInteger(1);
    private final Set<Integer> reportedUnimplemented = ConcurrentHashMap.newKeySet();
    final ExecLoader loader;
    private final InterruptRegistration tick;
    private final org.osgi.framework.ServiceRegistration<org.alosj.kernel.fs.FileSystemType> procType;

    /** The virtual CPUs that run programs (-smp). */
    int cpus() {
        return scheduler.cpus();
    }

    /**
     * The TLB shootdown: after {@code initiator} changed {@code as} (unmapped, protected,
     * copied on write), waits until every other thread running guest code on {@code as} has
     * flushed its TLB (each is asked to stop, as an IPI would), then frees the frames the change
     * retired. Called with no lock held: the threads waited for take the address space's lock to
     * flush. With one virtual CPU no other thread runs guest code and nothing is waited for.
     */
    void shootdown(TaskImpl initiator, AddressSpace as) {
        int generation = as.tlbGeneration;
        if (scheduler.cpus() > 1) {
            List<TaskImpl> sharing = new ArrayList<>();
            for (ProcessImpl p : processes.values()) {
                if (p.addressSpace() == as) {
                    synchronized (p.threads) {
                        sharing.addAll(p.threads);
                    }
                }
            }
            sharing.remove(initiator);
            for (TaskImpl t : sharing) {
                while (t.caches.holdsStaleTlb(generation)) {
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                }
            }
        }
        as.releaseRetired();
    }

    /** The task whose Java thread this is (null on kernel threads and the shell's). */
    private final ThreadLocal<TaskImpl> current = new ThreadLocal<>();
    private final AtomicInteger created = new AtomicInteger();
    final java.util.concurrent.atomic.AtomicReference<org.alosj.kernel.proc.Tracer> nextTracer =
            new java.util.concurrent.atomic.AtomicReference<>();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            target = "(" + Abi.NAME + "=" + Abi.LINUX_X86_64 + ")")
    private volatile Abi abi;

    @Activate
    public ProcessManagerImpl(org.osgi.framework.BundleContext context, @Reference Platform platform,
            @Reference PhysicalPageAllocator pages, @Reference Vfs vfs, @Reference SystemClock clock,
            @Reference Interrupts interrupts) {
        this.platform = platform;
        this.bus = platform.memory();
        this.vfs = vfs;
        this.clock = clock;
        this.pages = pages;
        long top = 0;
        for (MemoryRegion r : platform.memoryMap().regions()) {
            top = Math.max(top, r.end());
        }
        this.ramTop = top;
        this.frames = new UserFrames(pages, bus, Math.max(1024, pages.totalPages() / 32));
        // The kernel half: RAM mapped 1 GiB a page, supervisor-only and never executable, the
        // same PDPT under PML4 entry 256 of every process.
        this.kernelPdpt = pages.allocate(1, Long.MAX_VALUE, "kernel page tables");
        this.loader = new ExecLoader(frames, kernelPdpt);
        for (long gib = 0; gib < 512 && gib << 30 < top; gib++) {
            bus.writeLong(kernelPdpt + gib * 8, gib << 30 | AddressSpace.PTE_P | AddressSpace.PTE_RW | 0x80
                    | AddressSpace.PTE_NX);
        }
        this.scheduler = new Scheduler(Math.max(1, platform.cpuCount()));
        this.tick = interrupts.register(0, "scheduler", irq -> {
            scheduler.tick();
            return false;
        });
        ProcFs proc = new ProcFs(this);
        java.util.Hashtable<String, Object> props = new java.util.Hashtable<>();
        props.put(org.alosj.kernel.fs.FileSystemType.TYPE, ProcFs.TYPE);
        this.procType = context.registerService(org.alosj.kernel.fs.FileSystemType.class,
                new org.alosj.kernel.fs.FileSystemType() {
                    @Override
                    public String name() {
                        return ProcFs.TYPE;
                    }

                    @Override
                    public boolean requiresDevice() {
                        return false;
                    }

                    @Override
                    public org.alosj.kernel.fs.FileSystem mount(org.alosj.kernel.device.BlockDevice device,
                            String deviceName, org.alosj.kernel.fs.MountOptions options) {
                        return proc;
                    }
                }, props);
        LOG.info("processes: ready ({} MiB for user memory, kernel half shared)", pages.freePages() * 4 / 1024);
    }

    /** The CPU model's bundle came: see {@link CpuBinding}. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = org.osgi.service.component.annotations.ReferencePolicyOption.GREEDY)
    void bindCpuFactory(CpuFactory factory) {
        cpuBinding.bind(factory);
    }

    void unbindCpuFactory(CpuFactory factory) {
        cpuBinding.unbind(factory);
    }

    @Deactivate
    void deactivate() {
        try {
            procType.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping and the framework took it already
        }
        tick.close();
        for (ProcessImpl p : processes.values()) {
            exitGroup(p, ExitStatus.killed(Signals.SIGKILL, false));
        }
        pages.free(kernelPdpt, 1);
    }

    Abi abi() {
        return abi;
    }

    Logger log() {
        return LOG;
    }

    long ramTop() {
        return ramTop;
    }

    long monotonicNanos() {
        return clock.uptimeNanos();
    }

    long realtimeNanos() {
        java.time.Instant now = clock.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** The tree changed: waiters look again. Caller holds the tree lock. */
    void changed() {
        treeChanges++;
        tree.notifyAll();
    }

    // --- starting programs ---------------------------------------------------------------------

    @Override
    public Launched spawn(String path, List<String> argv, List<String> envp, Terminal terminal, String cwd)
            throws SysError {
        return starter.spawn(path, argv, envp, terminal, cwd);
    }

    @Override
    public AutoCloseable traceNext(org.alosj.kernel.proc.Tracer tracer) {
        nextTracer.set(tracer);
        return () -> nextTracer.compareAndSet(tracer, null);
    }

    void execve(TaskImpl t, String path, List<String> argv, List<String> envp) throws SysError {
        starter.execve(t, path, argv, envp);
    }

    // --- clone -------------------------------------------------------------------------------------

    int clone(TaskImpl parent, long flags, long childStack, long parentTid, long childTid, long tls)
            throws SysError {
        return cloner.clone(parent, flags, childStack, parentTid, childTid, tls);
    }

    // --- exit and wait -----------------------------------------------------------------------------

    void exit(TaskImpl t, int code, boolean group) {
        processTree.exit(t, code, group);
    }

    void exitGroup(ProcessImpl p, ExitStatus status) {
        processTree.exitGroup(p, status);
    }

    void threadExited(TaskImpl t) {
        processTree.threadExited(t);
    }

    Task.ChildState waitChild(TaskImpl t, int pid, int options) throws SysError {
        return processTree.waitChild(t, pid, options);
    }

    // --- groups and sessions -------------------------------------------------------------------------

    int ppid(ProcessImpl p) {
        return processTree.ppid(p);
    }

    void setpgid(TaskImpl t, int pid, int pgid) throws SysError {
        processTree.setpgid(t, pid, pgid);
    }

    int getpgid(TaskImpl t, int pid) throws SysError {
        return processTree.getpgid(t, pid);
    }

    int setsid(TaskImpl t) throws SysError {
        return processTree.setsid(t);
    }

    int getsid(TaskImpl t, int pid) throws SysError {
        return processTree.getsid(t, pid);
    }

    static int niceToLevel(int nice) {
        return nice < -10 ? 0 : nice < 0 ? 1 : nice < 10 ? 2 : 3;
    }

    static int levelToNice(int level) {
        return new int[] {-20, -10, 0, 10}[level];
    }

    TaskImpl task(int tid) throws SysError {
        TaskImpl t = tasks.get(tid);
        if (t == null || t.dead) {
            throw new SysError(SysError.ESRCH, "no thread " + tid);
        }
        return t;
    }

    void setNice(TaskImpl t, int nice) {
        int old = t.level();
        t.nice = Math.max(-20, Math.min(19, nice));
        scheduler.levelChanged(t, old);
    }

    @Override
    public void setPriority(int pid, int level) throws SysError {
        ProcessImpl p = processes.get(pid);
        if (p == null || p.zombie) {
            throw new SysError(SysError.ESRCH, "no process " + pid);
        }
        if (level < 0 || level >= Scheduler.LEVELS) {
            throw new SysError(SysError.EINVAL, "priority " + level + " is not 0-3");
        }
        List<TaskImpl> threads;
        synchronized (p.threads) {
            threads = new ArrayList<>(p.threads);
        }
        for (TaskImpl t : threads) {
            setNice(t, levelToNice(level));
        }
    }

    // --- signals -----------------------------------------------------------------------------------

    @Override
    public void kill(int pid, int signal) throws SysError {
        signals.kill(null, pid, signal);
    }

    Map<Integer, ProcessImpl> processTable() {
        return processes;
    }

    TaskImpl taskOrNull(int tid) {
        return tasks.get(tid);
    }

    // --- memory ------------------------------------------------------------------------------------

    void outOfMemory(ProcessImpl p) {
        LOG.error("Out of memory: killed process {} ({}), {} kB resident", p.pid, p.name,
                p.addressSpace().residentBytes() / 1024);
        exitGroup(p, ExitStatus.killed(Signals.SIGKILL, false));
    }

    // --- files ------------------------------------------------------------------------------------

    OpenFile openPath(ProcessImpl p, String path, int flags, int mode) throws SysError {
        if (path.isEmpty()) {
            throw new SysError(SysError.ENOENT);
        }
        String abs;
        try {
            abs = path.startsWith("/") ? path : (p.fs.cwd().equals("/") ? "" : p.fs.cwd()) + "/" + path;
        } catch (FsException e) {
            throw VfsFile.error(e);
        }
        if (abs.equals("/dev/tty") || abs.equals("/dev/console")) {
            Tty tty = p.controllingTty;
            if (tty == null) {
                throw new SysError(SysError.ENXIO, "no controlling terminal");
            }
            return tty.open(flags & OpenFlags.O_ACCMODE);
        }
        VfsContext ctx = vfs.createContext(p.uid, p.gid);
        ctx.umask(p.fs.umask());
        try {
            int fd = ctx.open(abs, flags & ~OpenFlags.O_CLOEXEC, mode);
            return new VfsFile(ctx, fd, abs, flags);
        } catch (FsException e) {
            ctx.close();
            throw VfsFile.error(e);
        }
    }

    OpenFile[] pipe(int flags) {
        Pipe p = new Pipe(nextPipe.getAndIncrement());
        return new OpenFile[] {p.readEnd(flags), p.writeEnd(flags)};
    }

    // --- information -------------------------------------------------------------------------------

    @Override
    public List<ProcessInfo> processes() {
        return views.processes();
    }

    @Override
    public Optional<ProcessInfo> process(int pid) {
        return views.process(pid);
    }

    @Override
    public Optional<CpuUsage> cpuUsage(int pid) {
        return views.cpuUsage(pid);
    }

    @Override
    public CpuUsage cpuUsage() {
        return views.cpuUsage();
    }

    @Override
    public void resetCpuUsage() {
        views.resetCpuUsage();
    }

    ProcessInfo info(ProcessImpl p) {
        return views.info(p);
    }

    void unimplemented(ProcessImpl p, int number, String name) {
        if (reportedUnimplemented.add(number)) {
            LOG.warn("process {} ({}): system call {} ({}) is not implemented: ENOSYS", p.pid, p.name, number,
                    name == null ? "unknown" : name);
        }
    }

    ProcessImpl processImpl(int pid) {
        ProcessImpl p = processes.get(pid);
        return p == null || p.zombie ? null : p;
    }

    TaskImpl currentTask() {
        return current.get();
    }

    void enter(TaskImpl t) {
        current.set(t);
        created.incrementAndGet();
    }

    int processesCreated() {
        return created.get();
    }

    int lastPid() {
        return nextPid.get() - 1;
    }

    long totalMemoryBytes() {
        return pages.totalPages() * PhysicalPageAllocator.PAGE_SIZE;
    }

    long freeMemoryBytes() {
        return pages.freePages() * PhysicalPageAllocator.PAGE_SIZE;
    }

    List<org.alosj.kernel.vfs.MountInfo> mounts() {
        return vfs.mounts();
    }

    List<String> filesystemTypes() {
        return vfs.filesystemTypes();
    }

    /** Context switches the scheduler made, for /proc/stat and the benchmarks. */
    public long contextSwitches() {
        return scheduler.contextSwitches();
    }
}
