package org.alosj.kernel.proc;

import java.util.List;
import java.util.function.BooleanSupplier;
import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.TrapFrame;
import org.alosj.kernel.vfs.VfsContext;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One thread of a process as an {@link Abi} sees it while the thread is in a system call, on the
 * thread's own Java thread: its registers, its process's memory, files and credentials, and the
 * process operations of a Unix kernel. Methods throw {@link SysError} with Linux's numbers.
 */
@ProviderType
public interface Task {
    int tid();

    /** The number of the virtual CPU this thread runs on (0 to {@link #onlineCpus} - 1): getcpu(2). (1.3) */
    int cpuNumber();

    /** The machine's virtual CPUs that run programs (sched_getaffinity's mask). (1.3) */
    int onlineCpus();

    int pid();

    int ppid();

    int pgid();

    int sid();

    /** The CPU running this thread: general registers, FS base, FPU state. */
    Cpu cpu();

    /** The frame of the current system call: RIP, RSP and RFLAGS to return to. */
    TrapFrame frame();

    UserMemory memory();

    /** The process's filesystem view: working directory, umask, credentials. */
    VfsContext fs();

    // --- file descriptors -------------------------------------------------------------------

    OpenFile file(int fd) throws SysError;

    /** Installs {@code file} at the lowest free descriptor at or above {@code min} (EMFILE). */
    int installFile(OpenFile file, int min, boolean closeOnExec) throws SysError;

    /** dup2/dup3: {@code newFd} closed first if open. */
    void installFileAt(OpenFile file, int newFd, boolean closeOnExec) throws SysError;

    void closeFile(int fd) throws SysError;

    /** dup/F_DUPFD: another descriptor, at or above {@code min}, for the same description. */
    int dup(int fd, int min, boolean closeOnExec) throws SysError;

    /** dup2/dup3: {@code newFd} (closed first if open) refers to {@code fd}'s description. */
    void dup2(int fd, int newFd, boolean closeOnExec) throws SysError;

    boolean closeOnExec(int fd) throws SysError;

    void setCloseOnExec(int fd, boolean value) throws SysError;

    /** Open descriptors, ascending. */
    List<Integer> openFiles();

    /** Opens a path through the VFS as a description (the call behind open and openat). */
    OpenFile openPath(String path, int flags, int mode) throws SysError;

    /** A new pipe: [read end, write end]. */
    OpenFile[] pipe(int flags);

    // --- memory -----------------------------------------------------------------------------

    long brk(long address);

    long mmap(long address, long length, int prot, int flags, OpenFile file, long offset) throws SysError;

    void munmap(long address, long length) throws SysError;

    void mprotect(long address, long length, int prot) throws SysError;

    long mremap(long oldAddress, long oldLength, long newLength, int flags, long newAddress) throws SysError;

    // --- processes ---------------------------------------------------------------------------

    /**
     * clone(2) with Linux's flags; the child resumes from this call with RAX 0 on
     * {@code childStack} (0: the same RSP) and {@code tls} as FS base if CLONE_SETTLS.
     *
     * @return the child's thread id
     */
    int clone(long flags, long childStack, long parentTid, long childTid, long tls) throws SysError;

    /** execve(2): on success the registers are those of the new image; never returns otherwise. */
    void execve(String path, List<String> argv, List<String> envp) throws SysError;

    /** Ends this thread (exit) or all threads of the process (exit_group). Returns to a dead thread. */
    void exit(int code, boolean group);

    /**
     * wait4/waitid: a child that changed state, by pid (&gt;0), process group (0 own, &lt;-1) or any (-1).
     *
     * @return null with WNOHANG when none did yet
     */
    ChildState waitChild(int pid, int options) throws SysError;

    /** setpgid(2): 0 means the caller for either. */
    void setpgid(int pid, int pgid) throws SysError;

    int getpgid(int pid) throws SysError;

    int setsid() throws SysError;

    int getsid(int pid) throws SysError;

    /**
     * getpriority(PRIO_PROCESS): the nice value (-20..19) of thread {@code who} (0: this one).
     * The scheduler's four levels take nice below -10, below 0, below 10, and the rest.
     */
    int nice(int who) throws SysError;

    /** setpriority(PRIO_PROCESS): sets thread {@code who}'s nice value (0: this thread). */
    void setNice(int who, int nice) throws SysError;

    long setClearChildTid(long address);

    void setRobustList(long head, long length);

    ProcessInfo info();

    /** Every process, as /proc lists them. */
    List<ProcessInfo> allProcesses();

    /** prctl(PR_SET_NAME): the thread's name (the process's, for its first thread), 15 bytes at most. */
    void setName(String name);

    /** The process's command line and image path, as /proc/PID/exe shows it. */
    String executable();

    // --- signals ------------------------------------------------------------------------------

    SignalAction signalAction(int signal) throws SysError;

    void setSignalAction(int signal, SignalAction action) throws SysError;

    long signalMask();

    /** Sets the blocked set (SIGKILL and SIGSTOP stay unblocked). */
    void setSignalMask(long mask);

    long pendingSignals();

    /** kill(2). */
    void kill(int pid, int signal) throws SysError;

    /** tgkill(2) and tkill(2) (tgid -1). */
    void killThread(int tgid, int tid, int signal) throws SysError;

    /** sigaltstack(2) state: base, size, flags. */
    long[] alternateStack();

    void setAlternateStack(long base, long size, int flags);

    /** rt_sigsuspend(2): waits with {@code mask} until a handler runs; always EINTR. */
    void suspend(long mask) throws SysError;

    // --- waiting ------------------------------------------------------------------------------

    /**
     * Blocks, off the CPU, until {@code ready} holds ({@code monitor} is notified on every
     * change that may make it hold), a signal arrives (EINTR, or ERESTARTSYS to restart), or
     * {@code timeoutNanos} pass (ETIMEDOUT; negative: no limit). {@code ready} is evaluated
     * while holding {@code monitor}.
     */
    void await(Object monitor, BooleanSupplier ready, long timeoutNanos) throws SysError;

    /** Whether a signal waits for this thread (a blocking call should stop and return). */
    boolean signalPending();

    /**
     * Runs {@code call}, which blocks in Java (a socket of the network stack, host I/O), with
     * this thread's CPU given to others meanwhile. The call should wait in short slices and
     * check {@link #signalPending} between them.
     */
    <T> T offCpu(Blocking<T> call) throws java.io.IOException;

    /** A call that may block. */
    @FunctionalInterface
    interface Blocking<T> {
        T run() throws java.io.IOException;
    }

    /** sched_yield: lets another runnable thread of the same or a higher level run first. */
    void yieldCpu();

    /** nanosleep: 0 when the time passed, the nanoseconds left when a signal cut it short. */
    long sleep(long nanos);

    /** futex(2) FUTEX_WAIT: sleeps while the int at {@code address} equals {@code expected}. */
    void futexWait(long address, int expected, long timeoutNanos) throws SysError;

    int futexWake(long address, int count) throws SysError;

    /**
     * futex(2) FUTEX_REQUEUE, and FUTEX_CMP_REQUEUE when {@code compare}: wakes up to {@code wake}
     * waiters of the word at {@code address} and moves up to {@code requeue} others to the word at
     * {@code address2}; with {@code compare}, EAGAIN unless the first word is {@code expected}.
     * How many waiters were woken or moved.
     */
    int futexRequeue(long address, int wake, long address2, int requeue, boolean compare, int expected)
            throws SysError;

    /**
     * CPU time of the thread and of the process, nanoseconds: running guest code or the kernel's
     * work for it, not time blocked or waiting for a CPU.
     */
    long threadCpuNanos();

    long processCpuNanos();

    /** The part of {@link #threadCpuNanos} and {@link #processCpuNanos} spent in the kernel (system time). */
    long threadSysNanos();

    long processSysNanos();

    /**
     * CPU time, and its system part, of the children this process waited for and of the
     * children they waited for (Linux's cutime and cstime).
     */
    long childrenCpuNanos();

    long childrenSysNanos();

    /** Nanoseconds since boot (CLOCK_MONOTONIC) and wall-clock nanoseconds since the epoch. */
    long monotonicNanos();

    long realtimeNanos();

    /** Logs once per number that a system call is not implemented. */
    void unimplemented(int number, String name);

    /**
     * A child's state change, as wait reports it, with the child's CPU time and its system part
     * (its waited-for descendants' included once it has exited), for wait4's rusage.
     */
    record ChildState(int pid, int uid, int waitStatus, int siCode, int siStatus, long cpuNanos, long sysNanos) {
    }
}
