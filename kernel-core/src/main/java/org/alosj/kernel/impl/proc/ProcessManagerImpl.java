package org.alosj.kernel.impl.proc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.alosj.hal.board.Platform;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.CpuFactory;
import org.alosj.hal.cpu.CpuStatistics;
import org.alosj.hal.cpu.Cr;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.TrapFrame;
import org.alosj.hal.firmware.MemoryRegion;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.impl.proc.ProcessImpl.AddressSpaceRef;
import org.alosj.kernel.impl.proc.UserFrames.OutOfMemory;
import org.alosj.kernel.irq.InterruptRegistration;
import org.alosj.kernel.irq.Interrupts;
import org.alosj.kernel.mem.PhysicalPageAllocator;
import org.alosj.kernel.proc.Abi;
import org.alosj.kernel.proc.CpuUsage;
import org.alosj.kernel.proc.ExitStatus;
import org.alosj.kernel.proc.OpenFile;
import org.alosj.kernel.proc.ProcessInfo;
import org.alosj.kernel.proc.ProcessManager;
import org.alosj.kernel.proc.SigInfo;
import org.alosj.kernel.proc.SignalAction;
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
 * sleep on it.
 */
@Component(service = ProcessManager.class, immediate = true)
public final class ProcessManagerImpl implements ProcessManager {
    private static final Logger LOG = LoggerFactory.getLogger("kernel.proc");
    static final int MAX_PROCESSES = 256;

    static final long CLONE_VM = 0x100;
    static final long CLONE_FS = 0x200;
    static final long CLONE_FILES = 0x400;
    static final long CLONE_SIGHAND = 0x800;
    static final long CLONE_VFORK = 0x4000;
    static final long CLONE_PARENT = 0x8000;
    static final long CLONE_THREAD = 0x10000;
    static final long CLONE_SETTLS = 0x80000;
    static final long CLONE_PARENT_SETTID = 0x100000;
    static final long CLONE_CHILD_CLEARTID = 0x200000;
    static final long CLONE_CHILD_SETTID = 0x1000000;


    static final int WNOHANG = 1;
    static final int WUNTRACED = 2;
    static final int WEXITED = 4;
    static final int WCONTINUED = 8;
    static final int WNOWAIT = 0x100_0000;


    private final Platform platform;
    private final MemoryBus bus;
    private final Vfs vfs;
    private final SystemClock clock;
    private final UserFrames frames;
    private final long kernelPdpt;
    private final PhysicalPageAllocator pages;
    private final long ramTop;
    final Scheduler scheduler;
    final Futexes futexes = new Futexes();
    final Signalling signals = new Signalling(this);
    final Object tree = new Object();
    private long treeChanges;
    private final Map<Integer, ProcessImpl> processes = new ConcurrentHashMap<>();
    private final Map<Integer, TaskImpl> tasks = new ConcurrentHashMap<>();
    /** The machine's CPU model counters since boot or the last reset (guarded by tree). */
    private final CpuAccount machineCpu = new CpuAccount(0);
    private final AtomicInteger nextPid = new AtomicInteger(1);
    private final AtomicInteger nextPipe = new AtomicInteger(1);
    private final Set<Integer> reportedUnimplemented = ConcurrentHashMap.newKeySet();
    private final ExecLoader loader;
    private final InterruptRegistration tick;
    private final org.osgi.framework.ServiceRegistration<org.alosj.kernel.fs.FileSystemType> procType;
    /**
     * The TLB shootdown: after {@code initiator} changed {@code as} (unmapped, protected,
     * copied on write), waits until every other thread running guest code on {@code as} has
     * flushed its TLB (each is asked to stop, as an IPI would), then frees the frames the change
     * retired. Called with no lock held: the threads waited for take the address space's lock to
     * flush. With one virtual CPU no other thread runs guest code and nothing is waited for.
     */
    /** The virtual CPUs that run programs (-smp). */
    int cpus() {
        return scheduler.cpus();
    }

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
                while (t.holdsStaleTlb(generation)) {
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                }
            }
        }
        as.releaseRetired();
    }

    /** The task whose Java thread this is (null on kernel threads and the shell's). */
    private final ThreadLocal<TaskImpl> current = new ThreadLocal<>();
    private final AtomicInteger created = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicReference<org.alosj.kernel.proc.Tracer> nextTracer =
            new java.util.concurrent.atomic.AtomicReference<>();
    /** The CPU model in use and a fresh CPU's FXSAVE image (execve's FPU state); null without one. */
    private final java.util.concurrent.atomic.AtomicReference<CpuModel> cpuModel =
            new java.util.concurrent.atomic.AtomicReference<>();

    private record CpuModel(CpuFactory factory, byte[] initialFpu) {
    }

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

    /**
     * The CPU model comes from its own bundle. Without it no program starts (spawn, fork and
     * clone fail with EAGAIN and say why); when it goes, the programs running on its CPUs are
     * killed, as processes die when their processor is pulled.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = org.osgi.service.component.annotations.ReferencePolicyOption.GREEDY)
    void bindCpuFactory(CpuFactory factory) {
        byte[] initialFpu = factory.create(bus).saveFpuState();
        cpuModel.set(new CpuModel(factory, initialFpu));
        LOG.info("processes: CPU model {} bound", factory.getClass().getName());
    }

    void unbindCpuFactory(CpuFactory factory) {
        CpuModel m = cpuModel.get();
        if (m == null || m.factory() != factory || !cpuModel.compareAndSet(m, null)) {
            return;
        }
        int n = processes.size();
        if (n > 0) {
            LOG.warn("processes: the CPU model went away; killing {} process(es) that ran on it", n);
        }
        for (ProcessImpl p : processes.values()) {
            exitGroup(p, ExitStatus.killed(Signals.SIGKILL, false));
        }
    }

    private CpuModel requireCpuModel() throws SysError {
        CpuModel m = cpuModel.get();
        if (m == null) {
            throw new SysError(SysError.EAGAIN, "no CPU model: the cpu-x86_64 bundle is not active");
        }
        return m;
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

    private Cpu newCpu(CpuModel model, AddressSpace as) {
        Cpu c = model.factory().create(bus);
        c.setCr(3, as.pml4);
        c.setCr(0, c.cr(0) | Cr.CR0_PG | Cr.CR0_WP);
        return c;
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
        if (processes.size() >= MAX_PROCESSES) {
            throw new SysError(SysError.EAGAIN, "process limit reached (" + MAX_PROCESSES + ")");
        }
        CpuModel model = requireCpuModel();
        int pid = nextPid.getAndIncrement();
        ProcessImpl p = new ProcessImpl(pid, Signals.SIGCHLD, clock.uptimeNanos());
        p.pgid = pid;
        p.sid = pid;
        p.launched = true;
        p.actions = ProcessImpl.defaultActions();
        p.files = new FdTable();
        p.fs = vfs.createContext(0, 0);
        try {
            p.fs.chdir(cwd == null ? "/" : cwd);
        } catch (FsException e) {
            // keep "/"
        }
        AddressSpace as;
        try {
            as = new AddressSpace(frames, kernelPdpt);
        } catch (OutOfMemory oom) {
            p.fs.close();
            throw new SysError(SysError.ENOMEM, "out of memory");
        }
        p.memory = new AddressSpaceRef(as);
        TaskImpl t = new TaskImpl(this, pid, p, newCpu(model, as));
        p.threads.add(t);
        TrapFrame start = new TrapFrame();
        try {
            ExecLoader.Image image = loader.load(p.fs, path, argv, 0);
            installImage(t, p, image, envp, start, model.initialFpu());
        } catch (SysError e) {
            p.memory.release();
            p.fs.close();
            throw e;
        }
        t.cpu.setRip(start.rip());
        t.cpu.setReg(Reg.RSP, start.rsp());
        p.tracer = nextTracer.getAndSet(null);
        t.initialStop = p.tracer != null;
        if (terminal.interactive()) {
            Tty tty = new Tty(this, terminal, pid);
            p.controllingTty = tty;
            OpenFile f = tty.open(OpenFlags.O_RDWR);
            FdTable.Ref ref = new FdTable.Ref(f);
            p.files.install(ref, 0, false);
            p.files.install(ref.retain(), 1, false);
            p.files.install(ref.retain(), 2, false);
            tty.startPump();
        } else {
            p.files.install(new FdTable.Ref(new StreamConsole(terminal.input(), null, OpenFlags.O_RDONLY)), 0, false);
            FdTable.Ref out = new FdTable.Ref(new StreamConsole(null, terminal.output(), OpenFlags.O_WRONLY));
            p.files.install(out, 1, false);
            p.files.install(out.retain(), 2, false);
        }
        processes.put(pid, p);
        tasks.put(pid, t);
        t.start();
        return new Launched() {
            @Override
            public int pid() {
                return pid;
            }

            @Override
            public ExitStatus waitFor() throws InterruptedException {
                synchronized (tree) {
                    while (!p.zombie) {
                        tree.wait();
                    }
                    processes.remove(pid);
                }
                Tty tty = p.controllingTty;
                if (tty != null) {
                    tty.hangUp();
                }
                return p.status;
            }

            @Override
            public void signalForeground(int signal) {
                Tty tty = p.controllingTty;
                signals.signalGroup(tty != null ? tty.foregroundGroup : p.pgid, signal);
            }
        };
    }

    @Override
    public AutoCloseable traceNext(org.alosj.kernel.proc.Tracer tracer) {
        nextTracer.set(tracer);
        return () -> nextTracer.compareAndSet(tracer, null);
    }

    /** Puts a new image into {@code p}, whose only thread is {@code t} (spawn, execve). */
    private void installImage(TaskImpl t, ProcessImpl p, ExecLoader.Image image, List<String> envp, TrapFrame start,
            byte[] initialFpu) throws SysError {
        AddressSpace as = loader.buildImage(image, envp, start);
        AddressSpaceRef old = p.memory;
        p.memory = new AddressSpaceRef(as);
        if (old != null) {
            old.release();
        }
        // A new CPU: it has decoded nothing yet.
        t.switchAddressSpace(as, null);
        String path = image.path();
        String base = path.substring(path.lastIndexOf('/') + 1);
        p.name = base.length() > 15 ? base.substring(0, 15) : base;
        p.cmdline = List.copyOf(image.argv());
        try {
            p.executable = p.fs.realpath(path);
        } catch (FsException e) {
            p.executable = path;
        }
        Cpu c = t.cpu;
        for (int r = 0; r < 16; r++) {
            c.setReg(r, 0);
        }
        c.setFsBase(0);
        c.setGsBase(0);
        c.restoreFpuState(initialFpu);
        c.setRflags(0x202);
        start.setRflags(0x202);
    }

    void execve(TaskImpl t, String path, List<String> argv, List<String> envp) throws SysError {
        ProcessImpl p = t.process;
        byte[] initialFpu = requireCpuModel().initialFpu();
        ExecLoader.Image image = loader.load(p.fs, path, argv, 0);
        TrapFrame start = new TrapFrame();
        // Point of no return once the image is built: the other threads go.
        AddressSpace as = loader.buildImage(image, envp, start);
        synchronized (tree) {
            for (TaskImpl other : new ArrayList<>(p.threads)) {
                if (other != t) {
                    other.dead = true;
                    other.wake();
                }
            }
        }
        AddressSpaceRef old = p.memory;
        long[] oldFrames = old.space.residentFrames();
        p.memory = new AddressSpaceRef(as);
        old.release();
        t.switchAddressSpace(as, oldFrames);
        p.files.closeOnExec();
        SignalAction[] fresh = ProcessImpl.defaultActions();
        for (int s = 1; s <= Signals.NSIG; s++) {
            if (p.actions[s].handler() == SignalAction.SIG_IGN) {
                fresh[s] = p.actions[s];
            }
        }
        p.actions = fresh;
        t.altStack = new long[] {0, 0, 2};
        String base = image.path().substring(image.path().lastIndexOf('/') + 1);
        p.name = base.length() > 15 ? base.substring(0, 15) : base;
        p.cmdline = List.copyOf(image.argv());
        try {
            p.executable = p.fs.realpath(image.path());
        } catch (FsException e) {
            p.executable = image.path();
        }
        Cpu c = t.cpu;
        for (int r = 0; r < 16; r++) {
            c.setReg(r, 0);
        }
        c.setFsBase(0);
        c.setGsBase(0);
        c.restoreFpuState(initialFpu);
        TrapFrame f = t.frame();
        f.setRip(start.rip());
        f.setRsp(start.rsp());
        f.setRflags(0x202);
        c.setReg(Reg.RSP, start.rsp());
        synchronized (tree) {
            if (!p.vforkReleased) {
                p.vforkReleased = true;
                changed();
            }
        }
    }

    // --- clone -------------------------------------------------------------------------------------

    int clone(TaskImpl parent, long flags, long childStack, long parentTid, long childTid, long tls)
            throws SysError {
        boolean thread = (flags & CLONE_THREAD) != 0;
        if ((thread && (flags & CLONE_SIGHAND) == 0) || ((flags & CLONE_SIGHAND) != 0 && (flags & CLONE_VM) == 0)) {
            throw new SysError(SysError.EINVAL);
        }
        CpuModel model = requireCpuModel();
        ProcessImpl pp = parent.process;
        if ((flags & CLONE_VM) != 0) {
            // Two CPU models on one address space from now on: RWX pages go W^X (see AddressSpace).
            pp.addressSpace().sharedByThreads();
        }
        int tid = nextPid.getAndIncrement();
        ProcessImpl owner;
        AddressSpace as;
        if (thread) {
            owner = pp;
            as = pp.addressSpace();
        } else {
            if (processes.size() >= MAX_PROCESSES) {
                throw new SysError(SysError.EAGAIN, "process limit reached");
            }
            owner = new ProcessImpl(tid, (int) (flags & 0xFF), clock.uptimeNanos());
            if ((flags & CLONE_VM) != 0) {
                owner.memory = pp.memory.retain();
            } else {
                try {
                    owner.memory = new AddressSpaceRef(pp.addressSpace().copyOnWrite(kernelPdpt));
                } catch (OutOfMemory oom) {
                    throw new SysError(SysError.ENOMEM, "out of memory in fork");
                }
            }
            as = owner.addressSpace();
            owner.files = (flags & CLONE_FILES) != 0 ? pp.files.retainTable() : pp.files.copy();
            if ((flags & CLONE_FS) != 0) {
                owner.fs = pp.fs;
                owner.sharedFs = true;
            } else {
                owner.fs = vfs.createContext(pp.uid, pp.gid);
                owner.fs.umask(pp.fs.umask());
                try {
                    owner.fs.chdir(pp.fs.cwd());
                } catch (FsException e) {
                    // the directory went away: "/" then
                }
            }
            owner.actions = (flags & CLONE_SIGHAND) != 0 ? pp.actions : pp.actions.clone();
            owner.name = pp.name;
            owner.cmdline = pp.cmdline;
            owner.executable = pp.executable;
            owner.controllingTty = pp.controllingTty;
            if ((flags & CLONE_VFORK) != 0) {
                owner.vforkReleased = false;
            }
        }
        Cpu pc = parent.cpu;
        Cpu c = newCpu(model, as);
        for (int r = 0; r < 16; r++) {
            c.setReg(r, pc.reg(r));
        }
        TrapFrame f = parent.frame();
        c.setRip(f.rip());
        c.setRflags(f.rflags());
        c.setReg(Reg.RSP, childStack != 0 ? childStack : f.rsp());
        c.setReg(Reg.RAX, 0);
        c.setFsBase((flags & CLONE_SETTLS) != 0 ? tls : pc.fsBase());
        c.setGsBase(pc.gsBase());
        c.restoreFpuState(pc.saveFpuState());
        TaskImpl child = new TaskImpl(this, tid, owner, c);
        child.blocked = parent.blocked;
        child.nice = parent.nice;
        if ((flags & CLONE_CHILD_CLEARTID) != 0) {
            child.clearChildTid = childTid;
        }
        if ((flags & CLONE_PARENT_SETTID) != 0) {
            parent.memory().writeInt(parentTid, tid);
        }
        if ((flags & CLONE_CHILD_SETTID) != 0) {
            child.memory().writeInt(childTid, tid);
        }
        synchronized (tree) {
            if (thread) {
                synchronized (pp.threads) {
                    pp.threads.add(child);
                }
            } else {
                ProcessImpl up = (flags & CLONE_PARENT) != 0 && pp.parent != null ? pp.parent : pp;
                owner.parent = up;
                up.children.add(owner);
                owner.pgid = pp.pgid;
                owner.sid = pp.sid;
                owner.threads.add(child);
                processes.put(tid, owner);
            }
            tasks.put(tid, child);
        }
        child.start();
        if (!thread && (flags & CLONE_VFORK) != 0) {
            // The parent sleeps until the child execs or exits; signals do not cut that short.
            parent.offCpu(() -> {
                synchronized (tree) {
                    while (!owner.vforkReleased) {
                        try {
                            tree.wait();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            break;
                        }
                    }
                }
                return 0;
            });
        }
        return tid;
    }

    // --- exit and wait -----------------------------------------------------------------------------

    void exit(TaskImpl t, int code, boolean group) {
        if (group) {
            exitGroup(t.process, ExitStatus.exited(code));
            return;
        }
        synchronized (tree) {
            if (t.process.status == null && t.process.threads.size() == 1) {
                t.process.status = ExitStatus.exited(code);
            }
        }
        t.dead = true;
    }

    void exitGroup(ProcessImpl p, ExitStatus status) {
        List<TaskImpl> threads;
        synchronized (tree) {
            if (p.exiting || p.zombie) {
                return;
            }
            p.exiting = true;
            p.status = status;
            p.stopped = false;
            threads = new ArrayList<>(p.threads);
            changed();
        }
        for (TaskImpl t : threads) {
            t.wake();
        }
    }

    void threadExited(TaskImpl t) {
        ProcessImpl p = t.process;
        LOG.debug("{} tid {} exits: {} instructions in {} ms of CPU", p, t.tid, t.cpu.instructionsRetired(),
                t.cpuNanos / 1_000_000);
        if (t.clearChildTid != 0 && !p.memoryGone) {
            try {
                t.memory().writeInt(t.clearChildTid, 0);
                futexes.wake(t, t.clearChildTid, 1);
            } catch (SysError e) {
                // the program unmapped its own tid word: nothing to clear
            }
        }
        boolean last;
        synchronized (tree) {
            synchronized (p.threads) {
                p.threads.remove(t);
                last = p.threads.isEmpty();
            }
            p.deadThreadsCpuNanos += t.cpuNanos;
            CpuStatistics counted = t.cpu.statistics();
            p.cpuAccount.threadExited(counted, t.cpuNanos);
            machineCpu.threadExited(counted, t.cpuNanos);
            tasks.remove(t.tid);
        }
        if (last) {
            finishProcess(p);
        }
    }

    private void finishProcess(ProcessImpl p) {
        if (p.status == null) {
            p.status = ExitStatus.exited(0);
        }
        p.files.releaseTable();
        if (!p.sharedFs) {
            p.fs.close();
        }
        p.memoryGone = true;
        p.memory.release();
        ExitStatus st = p.status;
        org.alosj.kernel.proc.Tracer tracer = p.tracer;
        if (tracer != null) {
            try {
                tracer.exited(p.pid, st);
            } catch (RuntimeException e) {
                LOG.warn("process {}: its debugger failed at exit: {}", p.pid, e.toString());
            }
        }
        if (st.signal() != 0 && st.signal() != Signals.SIGKILL && st.signal() != Signals.SIGINT
                && st.signal() != Signals.SIGTERM && st.signal() != Signals.SIGPIPE && st.signal() != Signals.SIGHUP) {
            LOG.info("process {} ({}) killed by SIG{}{}", p.pid, p.name, Signals.name(st.signal()),
                    st.coreDumped() ? " (core dumped)" : "");
        }
        synchronized (tree) {
            p.zombie = true;
            p.vforkReleased = true;
            for (ProcessImpl c : p.children) {
                c.parent = null;
                if (c.zombie) {
                    processes.remove(c.pid);
                }
            }
            p.children.clear();
            ProcessImpl parent = p.parent;
            if (parent == null) {
                if (!p.launched) {
                    processes.remove(p.pid);
                }
            } else {
                SignalAction chld = parent.action(Signals.SIGCHLD);
                boolean autoReap = chld.handler() == SignalAction.SIG_IGN
                        || (chld.flags() & SignalAction.SA_NOCLDWAIT) != 0;
                if (autoReap) {
                    reap(p);
                }
                if (p.exitSignal != 0) {
                    int code = st.signal() == 0 ? SigInfo.CLD_EXITED
                            : st.coreDumped() ? SigInfo.CLD_DUMPED : SigInfo.CLD_KILLED;
                    signals.send(parent, new SigInfo(p.exitSignal, code, p.pid, 0, 0,
                            st.signal() == 0 ? st.code() : st.signal()));
                }
            }
            changed();
        }
    }

    private void reap(ProcessImpl c) {
        if (c.parent != null) {
            c.parent.children.remove(c);
            c.parent.reapedChildrenCpuNanos += c.deadThreadsCpuNanos + c.reapedChildrenCpuNanos;
        }
        processes.remove(c.pid);
    }

    Task.ChildState waitChild(TaskImpl t, int pid, int options) throws SysError {
        ProcessImpl me = t.process;
        for (;;) {
            long seen;
            synchronized (tree) {
                boolean any = false;
                for (ProcessImpl c : new ArrayList<>(me.children)) {
                    if (!(pid == -1 || (pid > 0 && c.pid == pid) || (pid == 0 && c.pgid == me.pgid)
                            || (pid < -1 && c.pgid == -pid))) {
                        continue;
                    }
                    any = true;
                    if (c.zombie && (options & WEXITED) != 0) {
                        ExitStatus st = c.status;
                        if ((options & WNOWAIT) == 0) {
                            reap(c);
                        }
                        int code = st.signal() == 0 ? SigInfo.CLD_EXITED
                                : st.coreDumped() ? SigInfo.CLD_DUMPED : SigInfo.CLD_KILLED;
                        return new Task.ChildState(c.pid, c.uid, st.waitStatus(), code,
                                st.signal() == 0 ? st.code() : st.signal());
                    }
                    if (c.stopped && !c.stopReported && (options & WUNTRACED) != 0) {
                        if ((options & WNOWAIT) == 0) {
                            c.stopReported = true;
                        }
                        return new Task.ChildState(c.pid, c.uid, (c.stopSignal << 8) | 0x7F, SigInfo.CLD_STOPPED,
                                c.stopSignal);
                    }
                    if (!c.continueReported && (options & WCONTINUED) != 0) {
                        if ((options & WNOWAIT) == 0) {
                            c.continueReported = true;
                        }
                        return new Task.ChildState(c.pid, c.uid, 0xFFFF, SigInfo.CLD_CONTINUED, Signals.SIGCONT);
                    }
                }
                if (!any) {
                    throw new SysError(SysError.ECHILD);
                }
                if ((options & WNOHANG) != 0) {
                    return null;
                }
                seen = treeChanges;
            }
            t.await(tree, () -> treeChanges != seen, -1);
        }
    }

    // --- groups and sessions -------------------------------------------------------------------------

    int ppid(ProcessImpl p) {
        synchronized (tree) {
            return p.parent == null ? 0 : p.parent.pid;
        }
    }

    void setpgid(TaskImpl t, int pid, int pgid) throws SysError {
        synchronized (tree) {
            ProcessImpl me = t.process;
            ProcessImpl target = pid == 0 ? me : processes.get(pid);
            if (target == null || (target != me && target.parent != me)) {
                throw new SysError(SysError.ESRCH);
            }
            if (pgid < 0) {
                throw new SysError(SysError.EINVAL);
            }
            int group = pgid == 0 ? target.pid : pgid;
            if (target.sid != me.sid || target.sid == target.pid) {
                throw new SysError(SysError.EPERM);
            }
            if (group != target.pid) {
                boolean exists = false;
                for (ProcessImpl q : processes.values()) {
                    if (q.pgid == group && q.sid == me.sid && !q.zombie) {
                        exists = true;
                        break;
                    }
                }
                if (!exists) {
                    throw new SysError(SysError.EPERM);
                }
            }
            target.pgid = group;
        }
    }

    int getpgid(TaskImpl t, int pid) throws SysError {
        ProcessImpl p = pid == 0 ? t.process : processes.get(pid);
        if (p == null) {
            throw new SysError(SysError.ESRCH);
        }
        return p.pgid;
    }

    int setsid(TaskImpl t) throws SysError {
        synchronized (tree) {
            ProcessImpl p = t.process;
            for (ProcessImpl q : processes.values()) {
                if (q.pgid == p.pid && !q.zombie) {
                    throw new SysError(SysError.EPERM);
                }
            }
            p.sid = p.pid;
            p.pgid = p.pid;
            p.controllingTty = null;
            return p.pid;
        }
    }

    int getsid(TaskImpl t, int pid) throws SysError {
        ProcessImpl p = pid == 0 ? t.process : processes.get(pid);
        if (p == null) {
            throw new SysError(SysError.ESRCH);
        }
        return p.sid;
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
        List<ProcessInfo> out = new ArrayList<>();
        Collection<ProcessImpl> all = new ArrayList<>(processes.values());
        for (ProcessImpl p : all) {
            out.add(info(p));
        }
        out.sort((a, b) -> Integer.compare(a.pid(), b.pid()));
        return out;
    }

    @Override
    public Optional<ProcessInfo> process(int pid) {
        ProcessImpl p = processes.get(pid);
        return p == null ? Optional.empty() : Optional.of(info(p));
    }

    @Override
    public Optional<CpuUsage> cpuUsage(int pid) {
        ProcessImpl p = processes.get(pid);
        if (p == null) {
            return Optional.empty();
        }
        synchronized (tree) {
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

    @Override
    public CpuUsage cpuUsage() {
        synchronized (tree) {
            CpuStatistics live = liveCpuStatistics();
            return machineCpu.usage(live, liveCpuNanos());
        }
    }

    @Override
    public void resetCpuUsage() {
        synchronized (tree) {
            machineCpu.reset(liveCpuStatistics(), liveCpuNanos(), monotonicNanos());
        }
    }

    /** Every live thread's counters; threads leave {@link #tasks} under the tree's lock. */
    private CpuStatistics liveCpuStatistics() {
        CpuStatistics live = CpuStatistics.ZERO;
        for (TaskImpl t : tasks.values()) {
            live = live.plus(t.cpu.statistics());
        }
        return live;
    }

    private long liveCpuNanos() {
        long n = 0;
        for (TaskImpl t : tasks.values()) {
            n += t.cpuNanos;
        }
        return n;
    }

    ProcessInfo info(ProcessImpl p) {
        char state;
        int threads;
        int level = 2;
        synchronized (tree) {
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
        return new ProcessInfo(p.pid, ppid(p), p.pgid, p.sid, p.uid, state, p.name,
                p.cmdline == null ? List.of() : p.cmdline, threads, level, p.cpuNanos(), rss, vsz, p.startNanos);
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
