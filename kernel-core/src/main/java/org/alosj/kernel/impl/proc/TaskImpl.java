package org.alosj.kernel.impl.proc;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.RunExit;
import org.alosj.hal.cpu.TrapFrame;
import org.alosj.hal.cpu.TrapHandler;
import org.alosj.hal.cpu.TrapKind;
import org.alosj.hal.cpu.Vector;
import org.alosj.kernel.impl.proc.UserFrames.OutOfMemory;
import org.alosj.kernel.proc.Abi;
import org.alosj.kernel.proc.OpenFile;
import org.alosj.kernel.proc.ProcessInfo;
import org.alosj.kernel.proc.SigInfo;
import org.alosj.kernel.proc.SignalAction;
import org.alosj.kernel.proc.Signals;
import org.alosj.kernel.proc.SysError;
import org.alosj.kernel.proc.Task;
import org.alosj.kernel.proc.UserMemory;
import org.alosj.kernel.vfs.VfsContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread: its CPU (registers, TLB, decoded code), its Java thread (its kernel stack), its
 * signal mask and thread-directed signals. The Java thread loops: take a virtual CPU from the
 * scheduler, run user code until a trap, a preemption or the budget, handle what came, again.
 * Traps (system calls, faults) are handled on the same Java thread, inside {@link Cpu#run}.
 * Beside it: {@link SignalDelivery} (signals into the thread), {@link TaskTracing} (the thread
 * under a debugger) and {@link CpuCaches} (its CPU's TLB and decoded code kept in step).
 */
final class TaskImpl implements Task, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger("kernel.proc");
    /** Instructions between voluntary checks when nothing preempts (the tick normally does first). */
    private static final long BUDGET = 50_000_000;
    static final int INT80 = 0x80;

    final int tid;
    final ProcessImpl process;
    final Cpu cpu;
    final ProcessManagerImpl kernel;
    private Thread thread;
    private final UserMemoryImpl memory;

    // scheduler state, guarded by the scheduler
    boolean granted;
    long sliceStart;
    /** The virtual CPU this thread holds or last held. */
    volatile int cpuIndex;

    volatile long blocked;
    /** 'R' while running or waiting for a CPU, 'S' while asleep. */
    volatile char state = 'R';
    final SigInfo[] pendingInfo = new SigInfo[Signals.NSIG + 1];
    final AtomicLong pending = new AtomicLong();
    volatile Object waitingOn;
    volatile boolean dead;
    long clearChildTid;
    long robustListHead;
    long[] altStack = {0, 0, 2};
    /** The trap frame being handled (the user frame while signals are delivered), else null. */
    private TrapFrame frame;
    private final TrapFrame userFrame = new TrapFrame();
    /**
     * CPU time: running guest code or the kernel's work for it (system calls, faults), not time
     * blocked with the CPU given back nor waiting for one. {@link #sysNanos} is the kernel's part.
     */
    volatile long cpuNanos;
    volatile long sysNanos;
    /** When CPU time was last added to {@link #cpuNanos} (this thread only). */
    private long accountedUpTo;
    /** Of the time since {@link #accountedUpTo}, how much the thread was off its CPU. */
    private long offCpuNanos;
    private int trapDepth;
    /** Signals on their way into this thread. */
    final SignalDelivery delivery = new SignalDelivery(this);
    /** This thread under a debugger. */
    final TaskTracing tracing = new TaskTracing(this);
    /** What this thread's CPU caches of the address space. */
    final CpuCaches caches;

    TaskImpl(ProcessManagerImpl kernel, int tid, ProcessImpl process, Cpu cpu) {
        this.kernel = kernel;
        this.tid = tid;
        this.process = process;
        this.cpu = cpu;
        this.memory = new UserMemoryImpl(this);
        this.caches = new CpuCaches(this);
        TrapHandler h = this::onTrap;
        cpu.setTrapHandler(Vector.SYSCALL, h);
        cpu.setTrapHandler(INT80, 3, h);
        cpu.setTrapHandler(Vector.BP, 3, h);
        for (int v = 0; v < 32; v++) {
            if (v != Vector.BP) {
                cpu.setTrapHandler(v, h);
            }
        }
    }

    void start() {
        thread = new Thread(this, "task " + process.pid + "/" + tid);
        thread.setDaemon(true);
        thread.start();
    }

    Thread thread() {
        return thread;
    }

    /** The thread's nice value; its scheduler level follows from it. */
    volatile int nice;

    int level() {
        return ProcessManagerImpl.niceToLevel(nice);
    }

    void preempt() {
        cpu.requestPreemption();
    }

    // --- the thread's loop ---------------------------------------------------------------------

    @Override
    public void run() {
        kernel.enter(this);
        kernel.scheduler.acquire(this);
        try {
            while (!dead) {
                if (process.exiting) {
                    dead = true;
                    break;
                }
                caches.sync();
                org.alosj.kernel.proc.Tracer tracer = process.tracer;
                if (tracer != null) {
                    int sig = tracing.takeStop();
                    if (sig != 0) {
                        tracing.stop(tracer, sig);
                        continue;
                    }
                }
                userFrame.load(0, TrapKind.INTERRUPT, 0, false, 0, cpu.rip(), cpu.cs(), cpu.rflags(),
                        cpu.reg(Reg.RSP), cpu.ss());
                frame = userFrame;
                delivery.deliver(false);
                cpu.setRip(userFrame.rip());
                cpu.setReg(Reg.RSP, userFrame.rsp());
                cpu.setRflags(userFrame.rflags());
                frame = null;
                if (dead || process.exiting) {
                    continue;
                }
                accountedUpTo = System.nanoTime();
                offCpuNanos = 0;
                caches.enterGuest();
                RunExit exit = cpu.run(BUDGET);
                caches.leaveGuest();
                accountCpu();
                switch (exit) {
                    case PREEMPTED:
                    case BUDGET:
                        kernel.scheduler.yield(this);
                        break;
                    case HALTED:
                    case SHUTDOWN:
                        LOG.warn("{} tid {}: the CPU stopped ({}) at {}", process, tid, exit, cpu.lastTrap());
                        kernel.exitGroup(process, org.alosj.kernel.proc.ExitStatus.killed(Signals.SIGSEGV, true));
                        dead = true;
                        break;
                    default:
                        break;
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("{} tid {}: kernel error, process killed: {}", process, tid, e.toString(), e);
            kernel.exitGroup(process, org.alosj.kernel.proc.ExitStatus.killed(Signals.SIGKILL, false));
        } finally {
            kernel.scheduler.release(this);
            kernel.threadExited(this);
        }
    }

    /** Adds the CPU time since the last call, less the time off the CPU; returns what it added. */
    private long accountCpu() {
        long now = System.nanoTime();
        long used = Math.max(0, now - accountedUpTo - offCpuNanos);
        accountedUpTo = now;
        offCpuNanos = 0;
        cpuNanos += used;
        return used;
    }

    private TrapHandler.Resume onTrap(Cpu c, TrapFrame f) {
        // The guest code's time so far is counted before the kernel's work (a clock read by a
        // system call sees it); the trap's own time, less any blocking, is system time.
        accountCpu();
        trapDepth++;
        try {
            return handleTrap(f);
        } finally {
            if (--trapDepth == 0) {
                sysNanos += accountCpu();
            }
        }
    }

    private TrapHandler.Resume handleTrap(TrapFrame f) {
        caches.leaveGuest();
        TrapFrame outer = frame;
        frame = f;
        int generation = process.addressSpace().tlbGeneration;
        try {
            int v = f.vector();
            boolean syscall = v == Vector.SYSCALL || v == INT80;
            if (syscall) {
                Abi abi = kernel.abi();
                if (abi == null) {
                    kernel.log().error("{}: system call {} with no ABI installed (abi-linux stopped?): killed", process,
                            cpu.reg(Reg.RAX));
                    kernel.exitGroup(process, org.alosj.kernel.proc.ExitStatus.killed(Signals.SIGSYS, false));
                } else {
                    delivery.restartNumber = cpu.reg(Reg.RAX);
                    abi.syscall(this);
                }
            } else if (v == Vector.PF) {
                pageFault(f);
            } else if ((v == Vector.BP || v == Vector.DB) && process.tracer != null) {
                // The debugger's: a breakpoint or the end of a single step.
                tracing.trapped();
                return TrapHandler.Resume.EXIT_RUN;
            } else {
                delivery.exceptionSignal(f);
            }
            if (dead || process.exiting) {
                return TrapHandler.Resume.EXIT_RUN;
            }
            AddressSpace as = process.addressSpace();
            if (as.tlbGeneration != generation || as.retiredPending) {
                kernel.shootdown(this, as);
            }
            if (caches.dirty()) {
                caches.sync();
            }
            delivery.deliver(syscall);
            if (dead || process.exiting) {
                return TrapHandler.Resume.EXIT_RUN;
            }
            caches.enterGuest();
            return TrapHandler.Resume.CONTINUE;
        } finally {
            frame = outer;
        }
    }

    private void pageFault(TrapFrame f) {
        long va = f.faultAddress();
        long err = f.errorCode();
        boolean write = (err & Vector.PF_WR) != 0;
        boolean exec = (err & Vector.PF_ID) != 0;
        int result;
        try {
            result = process.addressSpace().fault(va, write, exec, f.rsp());
        } catch (OutOfMemory oom) {
            kernel.outOfMemory(process);
            return;
        }
        if (result == 0) {
            caches.flushAfterFault();
            return;
        }
        delivery.force(new SigInfo(Signals.SIGSEGV, result, 0, 0, va, 0));
    }

    // --- signals ---------------------------------------------------------------------------------

    boolean signalReady() {
        long mask = ~blocked | Signals.UNBLOCKABLE;
        return delivery.faultPending() || (pending.get() & mask) != 0 || (process.pending.get() & mask) != 0
                || process.exiting || dead;
    }

    /** Wakes the thread if it sleeps, and gets it out of user code to see a signal. */
    void wake() {
        Object m = waitingOn;
        if (m != null) {
            synchronized (m) {
                m.notifyAll();
            }
        }
        cpu.requestPreemption();
    }

    // --- blocking --------------------------------------------------------------------------------

    @Override
    public void await(Object monitor, BooleanSupplier ready, long timeoutNanos) throws SysError {
        synchronized (monitor) {
            if (ready.getAsBoolean()) {
                return;
            }
        }
        long deadline = timeoutNanos < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
        boolean interrupted = false;
        boolean timedOut = false;
        long offSince = giveCpuBack();
        waitingOn = monitor;
        try {
            synchronized (monitor) {
                while (!ready.getAsBoolean()) {
                    if (signalReady()) {
                        interrupted = true;
                        break;
                    }
                    long left = deadline == Long.MAX_VALUE ? 0 : deadline - System.nanoTime();
                    if (deadline != Long.MAX_VALUE && left <= 0) {
                        timedOut = true;
                        break;
                    }
                    try {
                        if (deadline == Long.MAX_VALUE) {
                            monitor.wait();
                        } else {
                            monitor.wait(left / 1_000_000, (int) (left % 1_000_000));
                        }
                    } catch (InterruptedException e) {
                        interrupted = true;
                        break;
                    }
                }
            }
        } finally {
            waitingOn = null;
            takeCpuAgain(offSince);
        }
        if (interrupted) {
            throw new SysError(SysError.ERESTARTSYS);
        }
        if (timedOut) {
            throw new SysError(SysError.ETIMEDOUT);
        }
    }

    /** Runs a call that blocks in Java (host I/O) with the CPU given back meanwhile. */
    int offCpu(IntSupplier call) {
        long offSince = giveCpuBack();
        try {
            return call.getAsInt();
        } finally {
            takeCpuAgain(offSince);
        }
    }

    /** Gives the CPU back (the thread is to block); returns when, for {@link #takeCpuAgain}. */
    private long giveCpuBack() {
        long offSince = System.nanoTime();
        state = 'S';
        kernel.scheduler.release(this);
        return offSince;
    }

    /** Waits for a CPU again; the time since {@code offSince} was not CPU time. */
    private void takeCpuAgain(long offSince) {
        state = 'R';
        kernel.scheduler.acquire(this);
        offCpuNanos += System.nanoTime() - offSince;
        caches.sync();
    }

    @Override
    public boolean signalPending() {
        return signalReady();
    }

    @Override
    public <T> T offCpu(Blocking<T> call) throws java.io.IOException {
        long offSince = giveCpuBack();
        try {
            return call.run();
        } finally {
            takeCpuAgain(offSince);
        }
    }

    @Override
    public void yieldCpu() {
        long offSince = System.nanoTime();
        kernel.scheduler.yield(this);
        offCpuNanos += System.nanoTime() - offSince;
    }

    @Override
    public long sleep(long nanos) {
        long end = System.nanoTime() + nanos;
        try {
            await(new Object(), () -> false, nanos);
        } catch (SysError e) {
            if (e.errno() != SysError.ETIMEDOUT) {
                return Math.max(1, end - System.nanoTime());
            }
        }
        return 0;
    }

    // --- Task ------------------------------------------------------------------------------------

    @Override
    public int tid() {
        return tid;
    }

    @Override
    public int cpuNumber() {
        return cpuIndex;
    }

    @Override
    public int onlineCpus() {
        return kernel.scheduler.cpus();
    }

    @Override
    public int pid() {
        return process.pid;
    }

    @Override
    public int ppid() {
        return kernel.ppid(process);
    }

    @Override
    public int pgid() {
        return process.pgid;
    }

    @Override
    public int sid() {
        return process.sid;
    }

    @Override
    public Cpu cpu() {
        return cpu;
    }

    @Override
    public TrapFrame frame() {
        return frame;
    }

    @Override
    public UserMemory memory() {
        return memory;
    }

    @Override
    public VfsContext fs() {
        return process.fs;
    }

    @Override
    public OpenFile file(int fd) throws SysError {
        return process.files.get(fd);
    }

    @Override
    public int installFile(OpenFile file, int min, boolean closeOnExec) throws SysError {
        return process.files.install(new FdTable.Ref(file), min, closeOnExec);
    }

    @Override
    public int dup(int fd, int min, boolean closeOnExec) throws SysError {
        FdTable t = process.files;
        return t.install(t.ref(fd).retain(), min, closeOnExec);
    }

    @Override
    public void dup2(int fd, int newFd, boolean closeOnExec) throws SysError {
        FdTable t = process.files;
        t.installAt(t.ref(fd).retain(), newFd, closeOnExec);
    }

    @Override
    public void installFileAt(OpenFile file, int newFd, boolean closeOnExec) throws SysError {
        process.files.installAt(new FdTable.Ref(file), newFd, closeOnExec);
    }

    @Override
    public void closeFile(int fd) throws SysError {
        process.files.close(fd);
    }

    @Override
    public boolean closeOnExec(int fd) throws SysError {
        return process.files.closeOnExec(fd);
    }

    @Override
    public void setCloseOnExec(int fd, boolean value) throws SysError {
        process.files.setCloseOnExec(fd, value);
    }

    @Override
    public List<Integer> openFiles() {
        return process.files.open();
    }

    @Override
    public OpenFile openPath(String path, int flags, int mode) throws SysError {
        return kernel.openPath(process, path, flags, mode);
    }

    @Override
    public OpenFile[] pipe(int flags) {
        return kernel.pipe(flags);
    }

    @Override
    public long brk(long address) {
        return process.addressSpace().setBreak(address);
    }

    @Override
    public long mmap(long address, long length, int prot, int flags, OpenFile file, long offset) throws SysError {
        return MemoryMaps.mmap(this, address, length, prot, flags, file, offset);
    }

    @Override
    public void munmap(long address, long length) throws SysError {
        MemoryMaps.munmap(this, address, length);
    }

    @Override
    public void mprotect(long address, long length, int prot) throws SysError {
        MemoryMaps.mprotect(this, address, length, prot);
    }

    @Override
    public long mremap(long oldAddress, long oldLength, long newLength, int flags, long newAddress) throws SysError {
        return MemoryMaps.mremap(this, oldAddress, oldLength, newLength, flags, newAddress);
    }

    @Override
    public int clone(long flags, long childStack, long parentTid, long childTid, long tls) throws SysError {
        return kernel.clone(this, flags, childStack, parentTid, childTid, tls);
    }

    @Override
    public void execve(String path, List<String> argv, List<String> envp) throws SysError {
        kernel.execve(this, path, argv, envp);
    }

    @Override
    public void exit(int code, boolean group) {
        kernel.exit(this, code, group);
    }

    @Override
    public ChildState waitChild(int pid, int options) throws SysError {
        return kernel.waitChild(this, pid, options);
    }

    @Override
    public void setpgid(int pid, int pgid) throws SysError {
        kernel.setpgid(this, pid, pgid);
    }

    @Override
    public int getpgid(int pid) throws SysError {
        return kernel.getpgid(this, pid);
    }

    @Override
    public int setsid() throws SysError {
        return kernel.setsid(this);
    }

    @Override
    public int getsid(int pid) throws SysError {
        return kernel.getsid(this, pid);
    }

    @Override
    public int nice(int who) throws SysError {
        return kernel.task(who == 0 ? tid : who).nice;
    }

    @Override
    public void setNice(int who, int value) throws SysError {
        kernel.setNice(kernel.task(who == 0 ? tid : who), value);
    }

    @Override
    public long setClearChildTid(long address) {
        clearChildTid = address;
        return tid;
    }

    @Override
    public void setRobustList(long head, long length) {
        robustListHead = head;
    }

    @Override
    public ProcessInfo info() {
        return kernel.info(process);
    }

    @Override
    public List<ProcessInfo> allProcesses() {
        return kernel.processes();
    }

    @Override
    public void setName(String name) {
        if (tid == process.pid) {
            process.name = name.length() > 15 ? name.substring(0, 15) : name;
        }
    }

    @Override
    public String executable() {
        return process.executable;
    }

    @Override
    public SignalAction signalAction(int signal) throws SysError {
        checkSignal(signal);
        return process.action(signal);
    }

    @Override
    public void setSignalAction(int signal, SignalAction action) throws SysError {
        checkSignal(signal);
        if (signal == Signals.SIGKILL || signal == Signals.SIGSTOP) {
            throw new SysError(SysError.EINVAL);
        }
        process.actions[signal] = action;
        if (action.handler() == SignalAction.SIG_IGN
                || (action.handler() == SignalAction.SIG_DFL && Signals.defaultAction(signal) == Signals.Default.IGNORE)) {
            // Setting a pending signal to be ignored discards it (POSIX).
            process.pending.getAndUpdate(p -> p & ~Signals.bit(signal));
            pending.getAndUpdate(p -> p & ~Signals.bit(signal));
        }
    }

    private static void checkSignal(int signal) throws SysError {
        if (signal < 1 || signal > Signals.NSIG) {
            throw new SysError(SysError.EINVAL);
        }
    }

    @Override
    public long signalMask() {
        return blocked;
    }

    @Override
    public void setSignalMask(long mask) {
        blocked = mask & ~Signals.UNBLOCKABLE;
    }

    @Override
    public long pendingSignals() {
        return (pending.get() | process.pending.get()) & blocked;
    }

    @Override
    public void kill(int pid, int signal) throws SysError {
        kernel.signals.kill(process, pid, signal);
    }

    @Override
    public void killThread(int tgid, int tid, int signal) throws SysError {
        kernel.signals.killThread(process, tgid, tid, signal);
    }

    @Override
    public long[] alternateStack() {
        return altStack.clone();
    }

    @Override
    public void setAlternateStack(long base, long size, int flags) {
        altStack = new long[] {base, size, flags};
    }

    @Override
    public void suspend(long mask) throws SysError {
        long old = blocked;
        setSignalMask(mask);
        try {
            await(new Object(), () -> false, -1);
        } catch (SysError e) {
            // A signal came: the handler runs with the suspend mask, then the old one comes back
            // through the frame's saved mask.
            delivery.suspendedWith(old);
            throw new SysError(SysError.EINTR);
        }
    }

    @Override
    public void futexWait(long address, int expected, long timeoutNanos) throws SysError {
        kernel.futexes.await(this, address, expected, timeoutNanos);
    }

    @Override
    public int futexWake(long address, int count) throws SysError {
        return kernel.futexes.wake(this, address, count);
    }

    @Override
    public int futexRequeue(long address, int wake, long address2, int requeue, boolean compare, int expected)
            throws SysError {
        return kernel.futexes.requeue(this, address, wake, address2, requeue,
                compare ? () -> memory().readInt(address) == expected : null);
    }

    @Override
    public long threadCpuNanos() {
        return cpuNanos;
    }

    @Override
    public long processCpuNanos() {
        return process.cpuNanos();
    }

    @Override
    public long threadSysNanos() {
        return sysNanos;
    }

    @Override
    public long processSysNanos() {
        return process.sysNanos();
    }

    @Override
    public long childrenCpuNanos() {
        synchronized (kernel.tree) {
            return process.reapedChildrenCpuNanos;
        }
    }

    @Override
    public long childrenSysNanos() {
        synchronized (kernel.tree) {
            return process.reapedChildrenSysNanos;
        }
    }

    @Override
    public long monotonicNanos() {
        return kernel.monotonicNanos();
    }

    @Override
    public long realtimeNanos() {
        return kernel.realtimeNanos();
    }

    @Override
    public void unimplemented(int number, String name) {
        kernel.unimplemented(process, number, name);
    }

    @Override
    public String toString() {
        return "task " + process.pid + "/" + tid;
    }
}
