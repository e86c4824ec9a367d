package org.alosj.cpu.x86_64.impl;

import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.CpuFactory;
import org.alosj.hal.cpu.Reg;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * The CPU model as a service: every CPU the machine runs is made here, and shares the traces
 * ({@link TraceCache}) and the block classes ({@link BlockCompiler}) it compiles with the others.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = CpuFactory.class)
public final class X86CpuFactory implements CpuFactory {
    /**
     * Compiled traces kept for reuse: a few programs' hot paths. An entry holds its method's
     * bytes and its instructions' fields, about 5 KiB for a trace of 15 instructions.
     */
    static final int TRACE_CACHE_ENTRIES = 1_024;

    private final TraceCache traces = new TraceCache(TRACE_CACHE_ENTRIES);
    /** One block compiler for all the CPUs: a block's shape is compiled once (see BlockCompiler.compile). */
    final BlockCompiler blocks = new BlockCompiler();

    @Override
    public Cpu create(MemoryBus memory) {
        if (memory == null) {
            throw new IllegalArgumentException("a CPU needs a memory bus, got null");
        }
        return new X86Core(memory, traces, blocks);
    }

    @Override
    public int[] cpuid(int leaf, int subleaf) {
        long[] r = new long[Reg.COUNT];
        r[Reg.RAX] = leaf & 0xFFFF_FFFFL;
        r[Reg.RCX] = subleaf & 0xFFFF_FFFFL;
        CpuId.execute(r);
        return new int[] {(int) r[Reg.RAX], (int) r[Reg.RBX], (int) r[Reg.RCX], (int) r[Reg.RDX]};
    }
}
