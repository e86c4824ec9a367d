package org.alosj.kernel.impl.proc;

import java.util.concurrent.atomic.AtomicLong;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.TrapFrame;
import org.alosj.hal.cpu.Vector;
import org.alosj.kernel.proc.ExitStatus;
import org.alosj.kernel.proc.SigInfo;
import org.alosj.kernel.proc.SignalAction;
import org.alosj.kernel.proc.Signals;
import org.alosj.kernel.proc.SysError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signals on their way into one thread: a fault's signal, forced ahead of the rest; the next
 * pending one (the thread's own before the process's); its default action, or its handler's frame,
 * which the ABI builds; and the restart or EINTR of the system call it interrupted. Everything
 * here runs on the thread's own Java thread, with the thread's trap frame set.
 */
final class SignalDelivery {
    private static final Logger LOG = LoggerFactory.getLogger("kernel.proc");

    private final TaskImpl task;
    /** The signal info of a fault, delivered before anything else. */
    private SigInfo forced;
    private SigInfo lastFault;
    private long faultRip;
    private long faultRsp;
    private long faultError;
    /** The number of the system call in progress, for a restart (set at the ABI's entry). */
    long restartNumber;
    /** rt_sigsuspend: the mask the signal frame must restore (not the temporary one). */
    private long savedMaskForHandler;
    private boolean suspendedMask;

    SignalDelivery(TaskImpl task) {
        this.task = task;
    }

    /** Whether a fault's signal waits to be delivered. */
    boolean faultPending() {
        return forced != null;
    }

    /** rt_sigsuspend was interrupted: the handler's frame restores {@code mask}, the one before. */
    void suspendedWith(long mask) {
        savedMaskForHandler = mask;
        suspendedMask = true;
    }

    /** The signal a CPU exception (other than a page fault) raises in the thread. */
    void exceptionSignal(TrapFrame f) {
        int v = f.vector();
        int sig;
        int code = SigInfo.SI_KERNEL;
        long addr = f.rip();
        switch (v) {
            case Vector.DE:
                sig = Signals.SIGFPE;
                code = 1; // FPE_INTDIV
                break;
            case Vector.MF:
            case Vector.XM:
                sig = Signals.SIGFPE;
                code = 0;
                break;
            case Vector.UD:
                sig = Signals.SIGILL;
                code = 2; // ILL_ILLOPN
                break;
            case Vector.BP:
            case Vector.DB:
                sig = Signals.SIGTRAP;
                code = 1; // TRAP_BRKPT
                break;
            case Vector.AC:
                sig = Signals.SIGBUS;
                code = 1;
                break;
            default:
                sig = Signals.SIGSEGV;
                addr = 0;
                break;
        }
        force(new SigInfo(sig, code, 0, 0, addr, 0));
    }

    /** A synchronous fault's signal: a blocked or ignored one kills, as on Linux. */
    void force(SigInfo info) {
        TrapFrame frame = task.frame();
        lastFault = info;
        faultRip = frame.rip();
        faultRsp = frame.rsp();
        faultError = frame.errorCode();
        int sig = info.signo();
        SignalAction a = task.process.action(sig);
        if ((task.blocked & Signals.bit(sig)) != 0 || a.handler() == SignalAction.SIG_IGN) {
            task.blocked &= ~Signals.bit(sig);
            task.process.actions[sig] = SignalAction.DEFAULT;
        }
        forced = info;
    }

    private SigInfo take() {
        if (forced != null) {
            SigInfo f = forced;
            forced = null;
            return f;
        }
        long mask = ~task.blocked | Signals.UNBLOCKABLE;
        for (AtomicLong set : new AtomicLong[] {task.pending, task.process.pending}) {
            while (true) {
                long p = set.get();
                long ready = p & mask;
                if (ready == 0) {
                    break;
                }
                int sig = Long.numberOfTrailingZeros(ready) + 1;
                if (set.compareAndSet(p, p & ~Signals.bit(sig))) {
                    return task.kernel.signals.takeSignalInfo(task, sig, set == task.pending);
                }
            }
        }
        return null;
    }

    /** Delivers pending signals before the thread returns to user code. */
    void deliver(boolean fromSyscall) {
        ProcessManagerImpl kernel = task.kernel;
        ProcessImpl process = task.process;
        boolean restartPending = fromSyscall && task.cpu.reg(Reg.RAX) == -SysError.ERESTARTSYS;
        while (!task.dead && !process.exiting && task.signalReady()) {
            SigInfo info = take();
            if (info == null) {
                break;
            }
            int sig = info.signo();
            SignalAction a = process.action(sig);
            boolean uncatchable = sig == Signals.SIGKILL || sig == Signals.SIGSTOP;
            if (!uncatchable && a.handler() == SignalAction.SIG_IGN) {
                continue;
            }
            if (uncatchable || a.handler() == SignalAction.SIG_DFL) {
                switch (Signals.defaultAction(sig)) {
                    case IGNORE:
                    case CONTINUE:
                        continue;
                    case STOP:
                        kernel.signals.stop(task, sig);
                        continue;
                    default:
                        if (faultRip != 0 && info == lastFault) {
                            // As Linux's "segfault at" line: where the program went wrong.
                            LOG.info("{}[{}]: {} at {} ip {} sp {} error {}", process.name, process.pid,
                                    Signals.name(sig), Long.toHexString(info.address()), Long.toHexString(faultRip),
                                    Long.toHexString(faultRsp), faultError);
                        }
                        kernel.exitGroup(process, ExitStatus.killed(sig, Signals.defaultAction(sig) == Signals.Default.CORE));
                        return;
                }
            }
            if (restartPending) {
                if ((a.flags() & SignalAction.SA_RESTART) != 0) {
                    restart();
                } else {
                    task.cpu.setReg(Reg.RAX, -SysError.EINTR);
                }
                restartPending = false;
            }
            long before = suspendedMask ? savedMaskForHandler : task.blocked;
            suspendedMask = false;
            try {
                kernel.abi().enterSignalHandler(task, a, info, before);
            } catch (SysError | RuntimeException e) {
                LOG.info("{}: no room for the frame of signal {} at rsp {}: killed", process, sig,
                        Long.toHexString(task.frame().rsp()));
                kernel.exitGroup(process, ExitStatus.killed(Signals.SIGSEGV, true));
                return;
            }
            long add = a.mask() | ((a.flags() & SignalAction.SA_NODEFER) != 0 ? 0 : Signals.bit(sig));
            task.blocked = (task.blocked | add) & ~Signals.UNBLOCKABLE;
            if ((a.flags() & SignalAction.SA_RESETHAND) != 0) {
                process.actions[sig] = SignalAction.DEFAULT;
            }
            break;
        }
        if (restartPending) {
            restart();
        }
    }

    private void restart() {
        task.cpu.setReg(Reg.RAX, restartNumber);
        TrapFrame frame = task.frame();
        frame.setRip(frame.rip() - 2);
    }
}
