package org.alosj.kernel.impl.pci;

import java.util.ArrayList;
import java.util.List;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.kernel.irq.InterruptHandler;
import org.alosj.kernel.irq.InterruptRegistration;
import org.alosj.kernel.irq.Interrupts;
import org.alosj.kernel.legacy.LegacyClaim;
import org.alosj.kernel.pci.IoRegion;

/**
 * One driver's legacy ports and IRQs, taken from the register the PCI device manager also uses,
 * so a platform driver and an IDE function in compatibility mode cannot both decode a port.
 */
final class LegacyClaimImpl implements LegacyClaim {
    private final LegacyResources legacy;
    private final IoPortSpace ports;
    private final Interrupts interrupts;
    private final String owner;
    private final List<Integer> portBases = new ArrayList<>();
    private final List<InterruptRegistration> irqs = new ArrayList<>();
    private boolean closed;

    LegacyClaimImpl(LegacyResources legacy, IoPortSpace ports, Interrupts interrupts, String owner) {
        this.legacy = legacy;
        this.ports = ports;
        this.interrupts = interrupts;
        this.owner = owner;
    }

    private void requireOpen(String what) {
        if (closed) {
            throw new IllegalStateException(owner + ": the legacy claim is closed: no " + what);
        }
    }

    @Override
    public synchronized IoRegion ioPorts(int base, int length) {
        requireOpen("I/O ports");
        legacy.claimPorts(base, length, owner);
        portBases.add(base);
        return new IoWindow(ports, base, length);
    }

    @Override
    public synchronized InterruptRegistration requestIrq(int isaIrq, String name, InterruptHandler handler) {
        requireOpen("IRQ");
        legacy.claimIrq(isaIrq, owner);
        InterruptRegistration r;
        try {
            r = interrupts.register(isaIrq, name, handler);
        } catch (RuntimeException e) {
            legacy.releaseIrq(isaIrq, owner);
            throw e;
        }
        irqs.add(r);
        return new InterruptRegistration() {
            @Override
            public int irq() {
                return isaIrq;
            }

            @Override
            public void close() {
                synchronized (LegacyClaimImpl.this) {
                    if (irqs.remove(r)) {
                        r.close();
                        legacy.releaseIrq(isaIrq, owner);
                    }
                }
            }
        };
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (InterruptRegistration r : irqs) {
            r.close();
            legacy.releaseIrq(r.irq(), owner);
        }
        irqs.clear();
        for (int base : portBases) {
            legacy.releasePorts(base, owner);
        }
        portBases.clear();
    }
}
