package org.alosj.hal.board.impl;

import org.alosj.hal.irq.InterruptPin;

/**
 * What interrupts the board's CPU: the APIC's message requests and the 8259 pair's INTR (wired
 * to the LAPIC's LINT0 as ExtINT on a PC). A pending message is taken first: the 8259 is the
 * legacy path, and its request stays until its own acknowledge cycle.
 */
final class CpuInterruptInputs implements InterruptPin {
    private final ApicMessageSink apic;
    private final InterruptPin pic;

    CpuInterruptInputs(ApicMessageSink apic, InterruptPin pic) {
        this.apic = apic;
        this.pic = pic;
    }

    @Override
    public boolean pending() {
        return apic.pending() || pic.pending();
    }

    @Override
    public int acknowledge() {
        int vector = apic.acknowledge();
        return vector >= 0 ? vector : pic.acknowledge();
    }

    @Override
    public AutoCloseable onAssert(Runnable listener) {
        AutoCloseable a = apic.onAssert(listener);
        AutoCloseable b = pic.onAssert(listener);
        return () -> {
            try {
                a.close();
            } finally {
                b.close();
            }
        };
    }
}
