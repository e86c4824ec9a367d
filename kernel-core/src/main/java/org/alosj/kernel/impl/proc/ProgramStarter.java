package org.alosj.kernel.impl.proc;

import static org.alosj.kernel.impl.proc.ProcessManagerImpl.MAX_PROCESSES;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.TrapFrame;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.impl.proc.CpuBinding.CpuModel;
import org.alosj.kernel.impl.proc.ProcessImpl.AddressSpaceRef;
import org.alosj.kernel.impl.proc.UserFrames.OutOfMemory;
import org.alosj.kernel.proc.ExitStatus;
import org.alosj.kernel.proc.OpenFile;
import org.alosj.kernel.proc.ProcessManager.Launched;
import org.alosj.kernel.proc.SignalAction;
import org.alosj.kernel.proc.Signals;
import org.alosj.kernel.proc.SysError;
import org.alosj.kernel.proc.Terminal;
import org.alosj.kernel.vfs.OpenFlags;

/**
 * Starting programs: spawn (a new session leader from a path, its terminal on fds 0 to 2) and
 * execve (a new image in the calling process, its other threads gone), both through the ELF
 * loader, on a CPU with fresh registers and FPU state.
 */
final class ProgramStarter {
    private static FdTable.Ref streamIn(InputStream in) {
        return new FdTable.Ref(new StreamConsole(in, null, OpenFlags.O_RDONLY));
    }

    private static FdTable.Ref streamOut(OutputStream out) {
        return new FdTable.Ref(new StreamConsole(null, out, OpenFlags.O_WRONLY));
    }

    private final ProcessManagerImpl kernel;

    ProgramStarter(ProcessManagerImpl kernel) {
        this.kernel = kernel;
    }

    Launched spawn(String path, List<String> argv, List<String> envp, Terminal terminal, String cwd)
            throws SysError {
        if (kernel.processes.size() >= MAX_PROCESSES) {
            throw new SysError(SysError.EAGAIN, "process limit reached (" + MAX_PROCESSES + ")");
        }
        CpuModel model = kernel.cpuBinding.requireCpuModel();
        int pid = kernel.nextPid.getAndIncrement();
        ProcessImpl p = new ProcessImpl(pid, Signals.SIGCHLD, kernel.clock.uptimeNanos());
        p.pgid = pid;
        p.sid = pid;
        p.launched = true;
        p.actions = ProcessImpl.defaultActions();
        p.files = new FdTable();
        p.fs = kernel.vfs.createContext(0, 0);
        try {
            p.fs.chdir(cwd == null ? "/" : cwd);
        } catch (FsException e) {
            // keep "/"
        }
        AddressSpace as;
        try {
            as = new AddressSpace(kernel.frames, kernel.kernelPdpt);
        } catch (OutOfMemory oom) {
            p.fs.close();
            throw new SysError(SysError.ENOMEM, "out of memory");
        }
        p.memory = new AddressSpaceRef(as);
        TaskImpl t = new TaskImpl(kernel, pid, p, kernel.cpuBinding.newCpu(model, as));
        p.threads.add(t);
        TrapFrame start = new TrapFrame();
        try {
            ExecLoader.Image image = kernel.loader.load(p.fs, path, argv, 0);
            installImage(t, p, image, envp, start, model.initialFpu());
        } catch (SysError e) {
            p.memory.release();
            p.fs.close();
            throw e;
        }
        t.cpu.setRip(start.rip());
        t.cpu.setReg(Reg.RSP, start.rsp());
        p.tracer = kernel.nextTracer.getAndSet(null);
        t.tracing.initialStop = p.tracer != null;
        InputStream in = terminal.redirectedInput();
        OutputStream out = terminal.redirectedOutput();
        OutputStream err = terminal.redirectedErrors();
        if (terminal.interactive()) {
            Tty tty = new Tty(kernel, terminal, pid);
            p.controllingTty = tty;
            FdTable.Ref ref = new FdTable.Ref(tty.open(OpenFlags.O_RDWR));
            p.files.install(in == null ? ref.retain() : streamIn(in), 0, false);
            p.files.install(out == null ? ref.retain() : streamOut(out), 1, false);
            p.files.install(err == null ? ref.retain() : streamOut(err), 2, false);
            ref.drop();
            tty.startPump();
        } else {
            p.files.install(streamIn(in != null ? in : terminal.input()), 0, false);
            FdTable.Ref console = streamOut(terminal.output());
            p.files.install(out == null ? console.retain() : streamOut(out), 1, false);
            p.files.install(err == null ? console.retain() : streamOut(err), 2, false);
            console.drop();
        }
        kernel.processes.put(pid, p);
        kernel.tasks.put(pid, t);
        t.start();
        return new Launched() {
            public int pid() {
                return pid;
            }

            public ExitStatus waitFor() throws InterruptedException {
                synchronized (kernel.tree) {
                    while (!p.zombie) {
                        kernel.tree.wait();
                    }
                    kernel.processes.remove(pid);
                }
                Tty tty = p.controllingTty;
                if (tty != null) {
                    tty.hangUp();
                }
                return p.status;
            }

            public void signalForeground(int signal) {
                Tty tty = p.controllingTty;
                kernel.signals.signalGroup(tty != null ? tty.foregroundGroup : p.pgid, signal);
            }
        };
    }

    /** Puts a new image into {@code p}, whose only thread is {@code t} (spawn, execve). */
    private void installImage(TaskImpl t, ProcessImpl p, ExecLoader.Image image, List<String> envp, TrapFrame start,
            byte[] initialFpu) throws SysError {
        AddressSpace as = kernel.loader.buildImage(image, envp, start);
        AddressSpaceRef old = p.memory;
        p.memory = new AddressSpaceRef(as);
        if (old != null) {
            old.release();
        }
        // A new CPU: it has decoded nothing yet.
        t.caches.switchAddressSpace(as, null);
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
        byte[] initialFpu = kernel.cpuBinding.requireCpuModel().initialFpu();
        ExecLoader.Image image = kernel.loader.load(p.fs, path, argv, 0);
        TrapFrame start = new TrapFrame();
        // Point of no return once the image is built: the other threads go.
        AddressSpace as = kernel.loader.buildImage(image, envp, start);
        synchronized (kernel.tree) {
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
        t.caches.switchAddressSpace(as, oldFrames);
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
        synchronized (kernel.tree) {
            if (!p.vforkReleased) {
                p.vforkReleased = true;
                kernel.changed();
            }
        }
    }
}
