package org.alosj.kernel.testkit;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.alosj.hal.irq.InterruptPin;

/**
 * The CPU's INTR pin with a logic analyser on it: passes everything through to the real 8259
 * pair, records the vector of every acknowledge cycle, and can run one action just before the
 * next INTA, which is how a test makes a device withdraw its request at the worst moment.
 */
public final class InterruptPinTap implements InterruptPin {
    private final InterruptPin pic;
    private final ConcurrentLinkedQueue<Integer> vectors = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Runnable> beforeNextAck = new AtomicReference<>();

    public InterruptPinTap(InterruptPin pic) {
        this.pic = pic;
    }

    /** Runs {@code action} on the interrupt thread between its INTR sample and the next INTA. */
    public void beforeNextAcknowledge(Runnable action) {
        beforeNextAck.set(action);
    }

    public boolean armed() {
        return beforeNextAck.get() != null;
    }

    public java.util.List<Integer> vectors() {
        return java.util.List.copyOf(vectors);
    }

    @Override
    public boolean pending() {
        return pic.pending();
    }

    @Override
    public int acknowledge() {
        Runnable r = beforeNextAck.getAndSet(null);
        if (r != null) {
            r.run();
        }
        int vector = pic.acknowledge();
        if (vectors.size() < 10_000) {
            vectors.add(vector);
        }
        return vector;
    }

    @Override
    public AutoCloseable onAssert(Runnable listener) {
        return pic.onAssert(listener);
    }
}
