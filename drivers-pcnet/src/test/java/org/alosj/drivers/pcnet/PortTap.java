package org.alosj.drivers.pcnet;

import java.util.concurrent.atomic.AtomicLong;
import org.alosj.hal.bus.IoPortHandler;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.bus.Mapping;

/**
 * The machine's I/O-port space with a bus analyser on it: every cycle passes through to the real
 * port space, and those that fall in one watched range (a BAR) are counted. The kernel is built
 * over this, so the test sees each register cycle the driver makes.
 */
final class PortTap implements IoPortSpace {
    private final IoPortSpace bus;
    private final AtomicLong cycles = new AtomicLong();
    private volatile int watchBase = -1;
    private volatile int watchLength;

    PortTap(IoPortSpace bus) {
        this.bus = bus;
    }

    /** Counts the cycles that touch {@code [base, base + length)}. */
    void watch(int base, int length) {
        watchLength = length;
        watchBase = base;
    }

    /** Cycles in the watched range since the last reset. */
    long cycles() {
        return cycles.get();
    }

    void resetCount() {
        cycles.set(0);
    }

    private void observe(int port, int size) {
        int base = watchBase;
        if (base >= 0 && port + size > base && port < base + watchLength) {
            cycles.incrementAndGet();
        }
    }

    @Override
    public Mapping map(int base, int length, IoPortHandler handler, String owner) {
        return bus.map(base, length, handler, owner);
    }

    @Override
    public int read(int port, int size) {
        observe(port, size);
        return bus.read(port, size);
    }

    @Override
    public void write(int port, int size, int value) {
        observe(port, size);
        bus.write(port, size, value);
    }
}
