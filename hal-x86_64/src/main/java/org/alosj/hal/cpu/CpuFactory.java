package org.alosj.hal.cpu;

import org.alosj.hal.bus.MemoryBus;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Makes processors. The CPU model's bundle registers one as a service; whoever runs guest code
 * (the kernel's process manager, a test) gets its CPUs here, so this API never names a model.
 */
@ProviderType
public interface CpuFactory {
    /**
     * A new logical processor in the reset state {@link Cpu} describes, reading and writing
     * guest memory through {@code memory}. Each call gives an independent CPU; CPUs made over
     * the same memory see each other's stores.
     */
    Cpu create(MemoryBus memory);

    /**
     * What CPUID returns on the CPUs this factory makes for {@code leaf} (EAX) and
     * {@code subleaf} (ECX): EAX, EBX, ECX and EDX, as a guest reads them (the kernel's
     * /proc/cpuinfo describes the processor from them).
     */
    int[] cpuid(int leaf, int subleaf);
}
