package org.alosj.kernel.impl.proc;

import java.util.ArrayList;
import java.util.List;
import org.alosj.kernel.proc.ExitStatus;
import org.alosj.kernel.proc.SigInfo;
import org.alosj.kernel.proc.SignalAction;
import org.alosj.kernel.proc.Signals;
import org.alosj.kernel.proc.SysError;

/**
 * Signal generation: kill, tkill/tgkill, the terminal's keys to a process group, and the stop
 * and continue of job control. A signal is made pending on the process (or the thread) and the
 * thread that can take it is woken; delivery, on that thread's way back to user code, is
 * {@link TaskImpl}'s. Every method here holds the manager's tree lock while it looks at or
 * changes the process tree.
 */
final class Signalling {
    private final ProcessManagerImpl kernel;

    Signalling(ProcessManagerImpl kernel) {
        this.kernel = kernel;
    }

    void kill(ProcessImpl sender, int pid, int signal) throws SysError {
        if (signal < 0 || signal > Signals.NSIG) {
            throw new SysError(SysError.EINVAL, "no signal " + signal);
        }
        List<ProcessImpl> targets = new ArrayList<>();
        synchronized (kernel.tree) {
            for (ProcessImpl p : kernel.processTable().values()) {
                boolean match;
                if (pid > 0) {
                    match = p.pid == pid;
                } else if (pid == 0) {
                    match = sender != null && p.pgid == sender.pgid;
                } else if (pid == -1) {
                    match = p != sender && p.pid != 1;
                } else {
                    match = p.pgid == -pid;
                }
                if (match) {
                    targets.add(p);
                }
            }
            if (targets.isEmpty()) {
                throw new SysError(SysError.ESRCH, "no process " + pid);
            }
            if (signal != 0) {
                for (ProcessImpl p : targets) {
                    send(p, sender == null ? SigInfo.kernel(signal) : SigInfo.user(signal, sender.pid, 0));
                }
            }
        }
    }

    void killThread(ProcessImpl sender, int tgid, int tid, int signal) throws SysError {
        if (signal < 0 || signal > Signals.NSIG || tid <= 0) {
            throw new SysError(SysError.EINVAL);
        }
        TaskImpl t = kernel.taskOrNull(tid);
        if (t == null || (tgid > 0 && t.process.pid != tgid) || t.dead) {
            throw new SysError(SysError.ESRCH);
        }
        if (signal == 0) {
            return;
        }
        synchronized (kernel.tree) {
            if (signal == Signals.SIGKILL || signal == Signals.SIGCONT || signal == Signals.SIGSTOP) {
                send(t.process, new SigInfo(signal, SigInfo.SI_TKILL, sender.pid, 0, 0, 0));
                return;
            }
            t.pendingInfo[signal] = new SigInfo(signal, SigInfo.SI_TKILL, sender.pid, 0, 0, 0);
            t.pending.getAndUpdate(v -> v | Signals.bit(signal));
        }
        t.wake();
    }

    /** Every process of group {@code pgid} gets {@code signal} from the kernel (the terminal's keys). */
    void signalGroup(int pgid, int signal) {
        synchronized (kernel.tree) {
            for (ProcessImpl p : kernel.processTable().values()) {
                if (p.pgid == pgid) {
                    send(p, SigInfo.kernel(signal));
                }
            }
        }
    }

    /** Generates a process-directed signal. Caller holds the tree lock. */
    void send(ProcessImpl p, SigInfo info) {
        if (p.zombie || p.exiting) {
            return;
        }
        int sig = info.signo();
        if (sig == Signals.SIGKILL) {
            kernel.exitGroup(p, ExitStatus.killed(Signals.SIGKILL, false));
            return;
        }
        if (sig == Signals.SIGCONT) {
            p.pending.getAndUpdate(v -> v & ~(Signals.bit(Signals.SIGSTOP) | Signals.bit(Signals.SIGTSTP)
                    | Signals.bit(Signals.SIGTTIN) | Signals.bit(Signals.SIGTTOU)));
            if (p.stopped) {
                p.stopped = false;
                p.continueReported = false;
                if (p.parent != null) {
                    send(p.parent, new SigInfo(Signals.SIGCHLD, SigInfo.CLD_CONTINUED, p.pid, 0, 0, Signals.SIGCONT));
                }
                kernel.changed();
            }
        } else if (Signals.defaultAction(sig) == Signals.Default.STOP) {
            p.pending.getAndUpdate(v -> v & ~Signals.bit(Signals.SIGCONT));
        }
        SignalAction a = p.action(sig);
        boolean ignored = a.handler() == SignalAction.SIG_IGN
                || (a.handler() == SignalAction.SIG_DFL && (Signals.defaultAction(sig) == Signals.Default.IGNORE
                || Signals.defaultAction(sig) == Signals.Default.CONTINUE));
        if (ignored && sig != Signals.SIGSTOP) {
            return;
        }
        p.pendingInfo[sig] = info;
        p.pending.getAndUpdate(v -> v | Signals.bit(sig));
        List<TaskImpl> threads;
        synchronized (p.threads) {
            threads = new ArrayList<>(p.threads);
        }
        for (TaskImpl t : threads) {
            if ((t.blocked & Signals.bit(sig)) == 0) {
                t.wake();
                break;
            }
        }
    }

    SigInfo takeSignalInfo(TaskImpl t, int sig, boolean threadDirected) {
        SigInfo[] store = threadDirected ? t.pendingInfo : t.process.pendingInfo;
        SigInfo info = store[sig];
        store[sig] = null;
        return info != null ? info : SigInfo.kernel(sig);
    }

    /** A stop signal's default action: the process stops until SIGCONT or SIGKILL. */
    void stop(TaskImpl t, int sig) {
        ProcessImpl p = t.process;
        synchronized (kernel.tree) {
            p.stopped = true;
            p.stopSignal = sig;
            p.stopReported = false;
            ProcessImpl parent = p.parent;
            if (parent != null && (parent.action(Signals.SIGCHLD).flags() & SignalAction.SA_NOCLDSTOP) == 0) {
                send(parent, new SigInfo(Signals.SIGCHLD, SigInfo.CLD_STOPPED, p.pid, 0, 0, sig));
            }
            kernel.changed();
        }
        t.offCpu(() -> {
            synchronized (kernel.tree) {
                while (p.stopped && !p.exiting) {
                    try {
                        kernel.tree.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            return 0;
        });
    }
}
