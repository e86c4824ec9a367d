package org.alosj.kernel.impl.proc;

import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.CpuFactory;
import org.alosj.hal.cpu.Cr;
import org.alosj.kernel.proc.ExitStatus;
import org.alosj.kernel.proc.Signals;
import org.alosj.kernel.proc.SysError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CPU model the processes run on: the CpuFactory bound from its own bundle (it may come and
 * go), a fresh CPU's FXSAVE image for execve, and a new CPU set up for an address space.
 */
final class CpuBinding {
    private static final Logger LOG = LoggerFactory.getLogger("kernel.proc");

    private final ProcessManagerImpl kernel;
    /** The CPU model in use and a fresh CPU's FXSAVE image (execve's FPU state); null without one. */
    private final java.util.concurrent.atomic.AtomicReference<CpuModel> cpuModel =
            new java.util.concurrent.atomic.AtomicReference<>();

    record CpuModel(CpuFactory factory, byte[] initialFpu) {
    }

    CpuBinding(ProcessManagerImpl kernel) {
        this.kernel = kernel;
    }

    /**
     * The CPU model comes from its own bundle. Without it no program starts (spawn, fork and
     * clone fail with EAGAIN and say why); when it goes, the programs running on its CPUs are
     * killed, as processes die when their processor is pulled.
     */
    void bind(CpuFactory factory) {
        byte[] initialFpu = factory.create(kernel.bus).saveFpuState();
        cpuModel.set(new CpuModel(factory, initialFpu));
        LOG.info("processes: CPU model {} bound", factory.getClass().getName());
    }

    void unbind(CpuFactory factory) {
        CpuModel m = cpuModel.get();
        if (m == null || m.factory() != factory || !cpuModel.compareAndSet(m, null)) {
            return;
        }
        int n = kernel.processes.size();
        if (n > 0) {
            LOG.warn("processes: the CPU model went away; killing {} process(es) that ran on it", n);
        }
        for (ProcessImpl p : kernel.processes.values()) {
            kernel.exitGroup(p, ExitStatus.killed(Signals.SIGKILL, false));
        }
    }

    CpuModel requireCpuModel() throws SysError {
        CpuModel m = cpuModel.get();
        if (m == null) {
            throw new SysError(SysError.EAGAIN, "no CPU model: the cpu-x86_64 bundle is not active");
        }
        return m;
    }

    /** CPUID of the CPU model in use for {@code leaf} (subleaf 0), or null without a model. */
    int[] cpuid(int leaf) {
        CpuModel m = cpuModel.get();
        return m == null ? null : m.factory().cpuid(leaf, 0);
    }

    Cpu newCpu(CpuModel model, AddressSpace as) {
        Cpu c = model.factory().create(kernel.bus);
        c.setCr(3, as.pml4);
        c.setCr(0, c.cr(0) | Cr.CR0_PG | Cr.CR0_WP);
        return c;
    }
}
