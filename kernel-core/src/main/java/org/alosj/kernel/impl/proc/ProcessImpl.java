package org.alosj.kernel.impl.proc;

import java.util.ArrayList;
import java.util.List;
import org.alosj.kernel.proc.ExitStatus;
import org.alosj.kernel.proc.SignalAction;
import org.alosj.kernel.proc.Signals;
import org.alosj.kernel.vfs.VfsContext;

/**
 * A process: a thread group sharing an address space, descriptors, a working directory and
 * signal handlers; its place in the process tree, its process group and session; and, once its
 * last thread is gone, the status its parent collects (a zombie until then).
 *
 * <p>Tree fields (parent, children, pgid, sid, stopped, zombie) are guarded by the manager's
 * tree lock; {@link #pending} by its own atomic updates.
 */
final class ProcessImpl {
    final int pid;
    ProcessImpl parent;
    final List<ProcessImpl> children = new ArrayList<>();
    int pgid;
    int sid;
    final int uid = 0;
    final int gid = 0;

    volatile AddressSpaceRef memory;
    volatile FdTable files;
    volatile VfsContext fs;
    /** The handlers, shared with CLONE_SIGHAND children. */
    volatile SignalAction[] actions;
    final java.util.concurrent.atomic.AtomicLong pending = new java.util.concurrent.atomic.AtomicLong();

    final List<TaskImpl> threads = new ArrayList<>();
    volatile String name;
    volatile List<String> cmdline;
    volatile String executable;
    final int exitSignal;
    final long startNanos;

    /** Set by exit_group or a fatal signal: every thread leaves at its next kernel entry. */
    volatile boolean exiting;
    volatile ExitStatus status;
    boolean zombie;
    boolean stopped;
    int stopSignal;
    boolean stopReported = true;
    boolean continueReported = true;
    /** A vfork parent waits until this child execs or exits. */
    boolean vforkReleased = true;
    /** CPU time (and its system part) of its threads that have exited. */
    long deadThreadsCpuNanos;
    long deadThreadsSysNanos;
    /** CPU model counters: its threads', kept when they exit (the process tree's lock guards it). */
    final CpuAccount cpuAccount;
    /** CPU time (and its system part) of the children it waited for, and of theirs (Linux's cutime, cstime). */
    long reapedChildrenCpuNanos;
    long reapedChildrenSysNanos;
    /** The console's terminal when this process's session has one. */
    volatile Tty controllingTty;
    /** Its debugger, if one traces it. */
    volatile org.alosj.kernel.proc.Tracer tracer;
    /** Started from the console: its waiter, not a parent, reaps it. */
    boolean launched;
    /** The working directory is another process's (CLONE_FS): not ours to close. */
    boolean sharedFs;
    /** The address space was released at exit. */
    volatile boolean memoryGone;
    /** The siginfo of each pending process-directed signal. */
    final org.alosj.kernel.proc.SigInfo[] pendingInfo = new org.alosj.kernel.proc.SigInfo[Signals.NSIG + 1];

    ProcessImpl(int pid, int exitSignal, long startNanos) {
        this.pid = pid;
        this.exitSignal = exitSignal;
        this.startNanos = startNanos;
        this.cpuAccount = new CpuAccount(startNanos);
    }

    SignalAction action(int sig) {
        return actions[sig];
    }

    static SignalAction[] defaultActions() {
        SignalAction[] a = new SignalAction[Signals.NSIG + 1];
        java.util.Arrays.fill(a, SignalAction.DEFAULT);
        return a;
    }

    AddressSpace addressSpace() {
        return memory.space;
    }

    long cpuNanos() {
        return deadThreadsCpuNanos + sumOfThreads(t -> t.cpuNanos);
    }

    /** The system part of {@link #cpuNanos}. */
    long sysNanos() {
        return deadThreadsSysNanos + sumOfThreads(t -> t.sysNanos);
    }

    private long sumOfThreads(java.util.function.ToLongFunction<TaskImpl> field) {
        long n = 0;
        synchronized (threads) {
            for (TaskImpl t : threads) {
                n += field.applyAsLong(t);
            }
        }
        return n;
    }

    /** An address space with the number of processes using it (CLONE_VM without CLONE_THREAD shares one). */
    static final class AddressSpaceRef {
        final AddressSpace space;
        private int users = 1;

        AddressSpaceRef(AddressSpace space) {
            this.space = space;
        }

        synchronized AddressSpaceRef retain() {
            users++;
            return this;
        }

        void release() {
            boolean last;
            synchronized (this) {
                last = --users == 0;
            }
            if (last) {
                space.destroy();
            }
        }
    }

    @Override
    public String toString() {
        return "process " + pid + " (" + name + ")";
    }
}
