package org.alosj.cpu.x86_64.impl;

import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.CpuFactory;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** The CPU model as a service: every CPU the machine runs is made here. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = CpuFactory.class)
public final class X86CpuFactory implements CpuFactory {
    @Override
    public Cpu create(MemoryBus memory) {
        if (memory == null) {
            throw new IllegalArgumentException("a CPU needs a memory bus, got null");
        }
        return new X86Core(memory);
    }
}
