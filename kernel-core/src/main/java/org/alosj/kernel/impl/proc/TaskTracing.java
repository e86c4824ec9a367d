package org.alosj.kernel.impl.proc;

import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.Rflags;
import org.alosj.kernel.proc.Signals;
import org.alosj.kernel.proc.SysError;
import org.alosj.kernel.proc.TracedThread;
import org.alosj.kernel.proc.Tracer;

/**
 * One thread under a debugger (its process's {@link Tracer}): why it must stop before it runs
 * user code again (the first instruction of a traced program, a breakpoint or the end of a single
 * step, the debugger's interrupt), the stop itself, off the CPU until the debugger lets it go, and
 * the thread as the debugger holds it. The stop and its reasons are the thread's own business;
 * the {@link TracedThread} methods are called from the debugger's threads.
 */
final class TaskTracing implements TracedThread {
    private final TaskImpl task;

    /** Stop before the first instruction: the program was started under the debugger. */
    boolean initialStop;
    private int pendingStop;
    private volatile boolean stopRequested;
    private final Object lock = new Object();
    private boolean stopped;
    private boolean resumeStep;

    TaskTracing(TaskImpl task) {
        this.task = task;
    }

    /**
     * The signal the debugger must be told of before the thread runs user code again (SIGTRAP
     * for a start, breakpoint or step, SIGINT for an interrupt), or 0; the reasons are cleared.
     * Own thread.
     */
    int takeStop() {
        int sig = initialStop || pendingStop != 0 ? Signals.SIGTRAP : stopRequested ? Signals.SIGINT : 0;
        if (sig != 0) {
            initialStop = false;
            pendingStop = 0;
            stopRequested = false;
        }
        return sig;
    }

    /** A breakpoint or the end of a single step: the thread stops with SIGTRAP before going on. */
    void trapped() {
        pendingStop = Signals.SIGTRAP;
    }

    /** Stops for the debugger, off the CPU, until it resumes the thread (or the process ends). Own thread. */
    void stop(Tracer tracer, int sig) {
        Cpu cpu = task.cpu;
        cpu.setRflags(cpu.rflags() & ~Rflags.TF);
        task.state = 'T';
        task.kernel.scheduler.release(task);
        synchronized (lock) {
            stopped = true;
        }
        task.waitingOn = lock;
        try {
            tracer.stopped(this, sig);
            synchronized (lock) {
                while (stopped && !task.dead && !task.process.exiting && task.process.tracer != null) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                stopped = false;
            }
        } finally {
            task.waitingOn = null;
            task.state = 'R';
            task.kernel.scheduler.acquire(task);
            task.caches.sync();
        }
        if (resumeStep) {
            cpu.setRflags(cpu.rflags() | Rflags.TF);
        }
    }

    // --- the thread as its debugger holds it --------------------------------------------------------

    @Override
    public int pid() {
        return task.process.pid;
    }

    @Override
    public int tid() {
        return task.tid;
    }

    @Override
    public Cpu cpu() {
        return task.cpu;
    }

    @Override
    public boolean stopped() {
        synchronized (lock) {
            return stopped;
        }
    }

    @Override
    public byte[] peek(long address, int length) throws SysError {
        return task.memory().read(address, length);
    }

    @Override
    public void poke(long address, byte[] bytes) throws SysError {
        AddressSpace as = task.process.addressSpace();
        for (int done = 0; done < bytes.length;) {
            long va = address + done;
            int n = (int) Math.min(bytes.length - done, AddressSpace.PAGE - (va & (AddressSpace.PAGE - 1)));
            long pa = as.privateFrame(va);
            as.frames().bus().write(pa, bytes, done, n);
            task.cpu.invalidateCode(pa, n);
            done += n;
        }
    }

    @Override
    public void resume(boolean singleStep) {
        synchronized (lock) {
            resumeStep = singleStep;
            stopped = false;
            lock.notifyAll();
        }
    }

    @Override
    public void interrupt() {
        stopRequested = true;
        task.cpu.requestPreemption();
    }

    @Override
    public void kill() {
        task.kernel.exitGroup(task.process, org.alosj.kernel.proc.ExitStatus.killed(Signals.SIGKILL, false));
        resume(false);
    }

    @Override
    public void detach() {
        task.process.tracer = null;
        resume(false);
    }
}
