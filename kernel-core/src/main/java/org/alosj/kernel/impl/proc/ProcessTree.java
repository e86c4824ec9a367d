package org.alosj.kernel.impl.proc;

import java.util.ArrayList;
import java.util.List;
import org.alosj.hal.cpu.CpuStatistics;
import org.alosj.kernel.proc.ExitStatus;
import org.alosj.kernel.proc.SigInfo;
import org.alosj.kernel.proc.SignalAction;
import org.alosj.kernel.proc.Signals;
import org.alosj.kernel.proc.SysError;
import org.alosj.kernel.proc.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process tree: threads and processes ending (exit, exit_group, the last thread out turning
 * its process into a zombie for its parent, SIGCHLD), wait and reaping, and the process groups
 * and sessions. Parent/child links, groups, stop state and zombies change under the tree lock
 * ({@link ProcessManagerImpl#tree}); waiting parents sleep on it.
 */
final class ProcessTree {
    private static final Logger LOG = LoggerFactory.getLogger("kernel.proc");

    static final int WNOHANG = 1;
    static final int WUNTRACED = 2;
    static final int WEXITED = 4;
    static final int WCONTINUED = 8;
    static final int WNOWAIT = 0x100_0000;

    private final ProcessManagerImpl kernel;

    ProcessTree(ProcessManagerImpl kernel) {
        this.kernel = kernel;
    }

    void exit(TaskImpl t, int code, boolean group) {
        if (group) {
            exitGroup(t.process, ExitStatus.exited(code));
            return;
        }
        synchronized (kernel.tree) {
            if (t.process.status == null && t.process.threads.size() == 1) {
                t.process.status = ExitStatus.exited(code);
            }
        }
        t.dead = true;
    }

    void exitGroup(ProcessImpl p, ExitStatus status) {
        List<TaskImpl> threads;
        synchronized (kernel.tree) {
            if (p.exiting || p.zombie) {
                return;
            }
            p.exiting = true;
            p.status = status;
            p.stopped = false;
            threads = new ArrayList<>(p.threads);
            kernel.changed();
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
                kernel.futexes.wake(t, t.clearChildTid, 1);
            } catch (SysError e) {
                // the program unmapped its own tid word: nothing to clear
            }
        }
        boolean last;
        synchronized (kernel.tree) {
            synchronized (p.threads) {
                p.threads.remove(t);
                last = p.threads.isEmpty();
            }
            p.deadThreadsCpuNanos += t.cpuNanos;
            p.deadThreadsSysNanos += t.sysNanos;
            CpuStatistics counted = t.cpu.statistics();
            p.cpuAccount.threadExited(counted, t.cpuNanos);
            kernel.machineCpu.threadExited(counted, t.cpuNanos);
            kernel.tasks.remove(t.tid);
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
        synchronized (kernel.tree) {
            p.zombie = true;
            p.vforkReleased = true;
            for (ProcessImpl c : p.children) {
                c.parent = null;
                if (c.zombie) {
                    kernel.processes.remove(c.pid);
                }
            }
            p.children.clear();
            ProcessImpl parent = p.parent;
            if (parent == null) {
                if (!p.launched) {
                    kernel.processes.remove(p.pid);
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
                    kernel.signals.send(parent, new SigInfo(p.exitSignal, code, p.pid, 0, 0,
                            st.signal() == 0 ? st.code() : st.signal()));
                }
            }
            kernel.changed();
        }
    }

    private void reap(ProcessImpl c) {
        if (c.parent != null) {
            c.parent.children.remove(c);
            c.parent.reapedChildrenCpuNanos += c.deadThreadsCpuNanos + c.reapedChildrenCpuNanos;
            c.parent.reapedChildrenSysNanos += c.deadThreadsSysNanos + c.reapedChildrenSysNanos;
        }
        kernel.processes.remove(c.pid);
    }

    Task.ChildState waitChild(TaskImpl t, int pid, int options) throws SysError {
        ProcessImpl me = t.process;
        for (;;) {
            long seen;
            synchronized (kernel.tree) {
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
                                st.signal() == 0 ? st.code() : st.signal(),
                                c.deadThreadsCpuNanos + c.reapedChildrenCpuNanos,
                                c.deadThreadsSysNanos + c.reapedChildrenSysNanos);
                    }
                    if (c.stopped && !c.stopReported && (options & WUNTRACED) != 0) {
                        if ((options & WNOWAIT) == 0) {
                            c.stopReported = true;
                        }
                        return new Task.ChildState(c.pid, c.uid, (c.stopSignal << 8) | 0x7F, SigInfo.CLD_STOPPED,
                                c.stopSignal, c.cpuNanos(), c.sysNanos());
                    }
                    if (!c.continueReported && (options & WCONTINUED) != 0) {
                        if ((options & WNOWAIT) == 0) {
                            c.continueReported = true;
                        }
                        return new Task.ChildState(c.pid, c.uid, 0xFFFF, SigInfo.CLD_CONTINUED, Signals.SIGCONT,
                                c.cpuNanos(), c.sysNanos());
                    }
                }
                if (!any) {
                    throw new SysError(SysError.ECHILD);
                }
                if ((options & WNOHANG) != 0) {
                    return null;
                }
                seen = kernel.treeChanges;
            }
            t.await(kernel.tree, () -> kernel.treeChanges != seen, -1);
        }
    }

    // --- groups and sessions -------------------------------------------------------------------------

    int ppid(ProcessImpl p) {
        synchronized (kernel.tree) {
            return p.parent == null ? 0 : p.parent.pid;
        }
    }

    void setpgid(TaskImpl t, int pid, int pgid) throws SysError {
        synchronized (kernel.tree) {
            ProcessImpl me = t.process;
            ProcessImpl target = pid == 0 ? me : kernel.processes.get(pid);
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
                for (ProcessImpl q : kernel.processes.values()) {
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
        ProcessImpl p = pid == 0 ? t.process : kernel.processes.get(pid);
        if (p == null) {
            throw new SysError(SysError.ESRCH);
        }
        return p.pgid;
    }

    int setsid(TaskImpl t) throws SysError {
        synchronized (kernel.tree) {
            ProcessImpl p = t.process;
            for (ProcessImpl q : kernel.processes.values()) {
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
        ProcessImpl p = pid == 0 ? t.process : kernel.processes.get(pid);
        if (p == null) {
            throw new SysError(SysError.ESRCH);
        }
        return p.sid;
    }
}
