package org.alosj.hal.board;

import java.util.concurrent.ScheduledExecutorService;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.irq.IrqLine;
import org.alosj.hal.pci.PciBus;
import org.osgi.annotation.versioning.ProviderType;

/** The motherboard device models plug into. */
@ProviderType
public interface Board {
    PciBus pci();

    /** For ISA-style devices that decode fixed ports. */
    IoPortSpace ioPorts();

    MemoryBus memory();

    /** ISA interrupt request line {@code irq} (0–15) into the 8259 pair. */
    IrqLine isaIrq(int irq);

    /**
     * A scheduler for device timers (poll intervals, link timers, modelled latencies). Tasks
     * must be short; a device that needs to block uses its own thread.
     */
    ScheduledExecutorService clock();

    /**
     * The front panel's power button, pressed and released (QEMU's {@code system_powerdown}):
     * the ACPI fixed power-button event, which an OS that enabled it sees as an SCI and answers
     * with an orderly shutdown. Nothing happens to an OS that ignores it.
     */
    void pressPowerButton();
}
