package org.alosj.kernel.impl.proc;

import static org.alosj.kernel.impl.proc.ProcessManagerImpl.MAX_PROCESSES;

import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.TrapFrame;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.impl.proc.CpuBinding.CpuModel;
import org.alosj.kernel.impl.proc.ProcessImpl.AddressSpaceRef;
import org.alosj.kernel.impl.proc.UserFrames.OutOfMemory;
import org.alosj.kernel.proc.SysError;

/**
 * clone(2): a new thread in the caller's process (CLONE_THREAD) or a new process (fork, vfork,
 * and the sharing flags: address space, files, filesystem context, handlers), on a CPU that
 * starts from the caller's registers. The child joins the tree under the tree lock.
 */
final class Cloner {
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

    private final ProcessManagerImpl kernel;

    Cloner(ProcessManagerImpl kernel) {
        this.kernel = kernel;
    }

    int clone(TaskImpl parent, long flags, long childStack, long parentTid, long childTid, long tls)
            throws SysError {
        boolean thread = (flags & CLONE_THREAD) != 0;
        if ((thread && (flags & CLONE_SIGHAND) == 0) || ((flags & CLONE_SIGHAND) != 0 && (flags & CLONE_VM) == 0)) {
            throw new SysError(SysError.EINVAL);
        }
        CpuModel model = kernel.cpuBinding.requireCpuModel();
        ProcessImpl pp = parent.process;
        if ((flags & CLONE_VM) != 0) {
            // Two CPU models on one address space from now on: RWX pages go W^X (see AddressSpace).
            pp.addressSpace().sharedByThreads();
        }
        int tid = kernel.nextPid.getAndIncrement();
        ProcessImpl owner;
        AddressSpace as;
        if (thread) {
            owner = pp;
            as = pp.addressSpace();
        } else {
            if (kernel.processes.size() >= MAX_PROCESSES) {
                throw new SysError(SysError.EAGAIN, "process limit reached");
            }
            owner = new ProcessImpl(tid, (int) (flags & 0xFF), kernel.clock.uptimeNanos());
            if ((flags & CLONE_VM) != 0) {
                owner.memory = pp.memory.retain();
            } else {
                try {
                    owner.memory = new AddressSpaceRef(pp.addressSpace().copyOnWrite(kernel.kernelPdpt));
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
                owner.fs = kernel.vfs.createContext(pp.uid, pp.gid);
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
        Cpu c = kernel.cpuBinding.newCpu(model, as);
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
        TaskImpl child = new TaskImpl(kernel, tid, owner, c);
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
        synchronized (kernel.tree) {
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
                kernel.processes.put(tid, owner);
            }
            kernel.tasks.put(tid, child);
        }
        child.start();
        if (!thread && (flags & CLONE_VFORK) != 0) {
            // The parent sleeps until the child execs or exits; signals do not cut that short.
            parent.offCpu(() -> {
                synchronized (kernel.tree) {
                    while (!owner.vforkReleased) {
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
        return tid;
    }
}
