package org.alosj.hal.board;

import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.firmware.MemoryMap;
import org.alosj.hal.irq.InterruptPin;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The machine as its processor sees it. This is the only hardware contract the kernel uses:
 * everything else (PCI configuration, device registers, DMA buffers) is reached through these
 * buses, as on a real PC.
 */
@ProviderType
public interface Platform {
    /** Service property: the machine's name. */
    String MACHINE_NAME = "machine.name";

    IoPortSpace ioPorts();

    MemoryBus memory();

    InterruptPin interruptPin();

    MemoryMap memoryMap();

    /** Processors the machine was built with. */
    int cpuCount();

    /** Nanoseconds since power-on, from the board's oscillator (what RDTSC would count). */
    long uptimeNanos();
}
