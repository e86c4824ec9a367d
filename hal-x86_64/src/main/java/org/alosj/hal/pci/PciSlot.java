package org.alosj.hal.pci;

import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.bus.MemoryBus;
import org.osgi.annotation.versioning.ProviderType;

/** What the bus gives a function it holds: the spaces its BARs decode into and its INTx wire. */
@ProviderType
public interface PciSlot {
    int devfn();

    IoPortSpace ioPorts();

    MemoryBus memory();

    /** Drives the function's INTx pin (the bus routes it through the PIIX3 PIRQ links). */
    void setIntx(boolean asserted);
}
