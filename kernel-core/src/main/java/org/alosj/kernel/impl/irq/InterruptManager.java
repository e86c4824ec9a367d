package org.alosj.kernel.impl.irq;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.irq.InterruptPin;
import org.alosj.kernel.irq.InterruptHandler;
import org.alosj.kernel.irq.InterruptRegistration;
import org.alosj.kernel.irq.Interrupts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Interrupts over the 8259 pair. Boot remaps the PICs to vectors 0x20–0x2F and masks every line;
 * a line is unmasked while it has handlers. The CPU's interrupt thread sleeps until INTR rises,
 * runs the acknowledge cycle, calls the line's handlers (interrupt context: they must not block)
 * and sends EOI. Lines are shared: the interrupt is handled if any handler claims it; a line
 * that keeps interrupting with nobody claiming it is masked, as Linux's "nobody cared".
 *
 * <p>Vectors {@value #FIRST_MESSAGE_VECTOR}–{@value #LAST_MESSAGE_VECTOR} belong to
 * message-signalled interrupts: each is allocated to one handler, is never shared, and needs no
 * EOI to the 8259s (the board's APIC message sink keeps no in-service state).
 */
public final class InterruptManager implements Interrupts {
    private static final Logger LOG = LoggerFactory.getLogger("kernel.irq");

    public static final int VECTOR_BASE = 0x20;
    static final int PIC1_COMMAND = 0x20;
    static final int PIC1_DATA = 0x21;
    static final int PIC2_COMMAND = 0xA0;
    static final int PIC2_DATA = 0xA1;
    static final int ELCR1 = 0x4D0;
    static final int ELCR2 = 0x4D1;
    static final int PIC_EOI = 0x20;
    static final int OCW3_READ_ISR = 0x0B;
    static final int CASCADE_IRQ = 2;
    static final int NOBODY_CARED_LIMIT = 100_000;
    public static final int FIRST_MESSAGE_VECTOR = 0x30;
    public static final int LAST_MESSAGE_VECTOR = 0xEF;

    private final IoPortSpace ports;
    private final InterruptPin pin;
    private final Line[] lines = new Line[16];
    private final Thread cpuThread;
    private final AutoCloseable wakeup;
    private volatile boolean running = true;
    private int imr = 0xFFFF & ~(1 << CASCADE_IRQ);
    private final MessageVector[] vectors = new MessageVector[256];
    private volatile long strayVectors;

    /** One allocated message vector; its counters outlive nothing: freeing drops them. */
    private final class MessageVector implements InterruptRegistration {
        final int vector;
        final String chip;
        final String source;
        final String name;
        final InterruptHandler handler;
        volatile long count;
        volatile long failures;

        MessageVector(int vector, String chip, String source, String name, InterruptHandler handler) {
            this.vector = vector;
            this.chip = chip;
            this.source = source;
            this.name = name;
            this.handler = handler;
        }

        @Override
        public int irq() {
            return vector;
        }

        @Override
        public void close() {
            synchronized (vectors) {
                if (vectors[vector] == this) {
                    vectors[vector] = null;
                    LOG.debug("vector {}: {} freed", vector, name);
                }
            }
        }
    }

    private final class Line {
        final int irq;
        final List<Registration> handlers = new CopyOnWriteArrayList<>();
        volatile long count;
        volatile long spurious;
        volatile long unclaimedInARow;
        volatile long failures;

        Line(int irq) {
            this.irq = irq;
        }
    }

    private final class Registration implements InterruptRegistration {
        final Line line;
        final String name;
        final InterruptHandler handler;

        Registration(Line line, String name, InterruptHandler handler) {
            this.line = line;
            this.name = name;
            this.handler = handler;
        }

        @Override
        public int irq() {
            return line.irq;
        }

        @Override
        public void close() {
            if (line.handlers.remove(this) && line.handlers.isEmpty()) {
                setMasked(line.irq, true);
            }
        }
    }

    public InterruptManager(IoPortSpace ports, InterruptPin pin, String cpuName) {
        this.ports = ports;
        this.pin = pin;
        for (int i = 0; i < 16; i++) {
            lines[i] = new Line(i);
        }
        initPics();
        cpuThread = new Thread(this::interruptLoop, cpuName + "-irq");
        cpuThread.setDaemon(true);
        cpuThread.setPriority(Thread.MAX_PRIORITY);
        wakeup = pin.onAssert(() -> LockSupport.unpark(cpuThread));
        cpuThread.start();
    }

    private void initPics() {
        ports.outb(PIC1_COMMAND, 0x11); // ICW1: edge, cascade, ICW4 follows
        ports.outb(PIC2_COMMAND, 0x11);
        ports.outb(PIC1_DATA, VECTOR_BASE); // ICW2: vector bases
        ports.outb(PIC2_DATA, VECTOR_BASE + 8);
        ports.outb(PIC1_DATA, 1 << CASCADE_IRQ); // ICW3: slave on IR2
        ports.outb(PIC2_DATA, CASCADE_IRQ);
        ports.outb(PIC1_DATA, 0x01); // ICW4: 8086 mode, normal EOI
        ports.outb(PIC2_DATA, 0x01);
        writeMasks();
    }

    /** Marks {@code irq} level-triggered in the PIIX3 ELCR (PCI lines and the hot-plug SCI). */
    public synchronized void setLevelTriggered(int irq) {
        int port = irq < 8 ? ELCR1 : ELCR2;
        ports.outb(port, ports.inb(port) | 1 << (irq & 7));
    }

    private synchronized void setMasked(int irq, boolean masked) {
        imr = masked ? imr | 1 << irq : imr & ~(1 << irq);
        writeMasks();
    }

    private void writeMasks() {
        ports.outb(PIC1_DATA, imr & 0xFF);
        ports.outb(PIC2_DATA, imr >> 8);
    }

    @Override
    public InterruptRegistration register(int irq, String name, InterruptHandler handler) {
        if (irq < 0 || irq > 15 || irq == CASCADE_IRQ) {
            throw new IllegalArgumentException("IRQ " + irq + " cannot be requested (0-15 except 2)");
        }
        Line line = lines[irq];
        Registration r = new Registration(line, name, handler);
        line.handlers.add(r);
        line.unclaimedInARow = 0;
        setMasked(irq, false);
        LOG.debug("irq {}: {} registered", irq, name);
        return r;
    }

    @Override
    public List<LineStats> statistics() {
        List<LineStats> out = new ArrayList<>();
        for (Line l : lines) {
            if (l.count > 0 || l.spurious > 0 || !l.handlers.isEmpty()) {
                out.add(new LineStats(l.irq, l.count, l.spurious,
                        l.handlers.stream().map(h -> h.name).toList()));
            }
        }
        return out;
    }

    @Override
    public InterruptRegistration allocateVector(String chip, String source, String name,
                                                InterruptHandler handler) {
        synchronized (vectors) {
            for (int v = FIRST_MESSAGE_VECTOR; v <= LAST_MESSAGE_VECTOR; v++) {
                if (vectors[v] == null) {
                    vectors[v] = new MessageVector(v, chip, source, name, handler);
                    LOG.debug("vector {}: {} {} {} allocated", v, chip, source, name);
                    return vectors[v];
                }
            }
        }
        throw new IllegalStateException("no free interrupt vector for " + name + " ("
                + FIRST_MESSAGE_VECTOR + "-" + LAST_MESSAGE_VECTOR + " all taken)");
    }

    @Override
    public List<VectorStats> vectorStatistics() {
        List<VectorStats> out = new ArrayList<>();
        synchronized (vectors) {
            for (MessageVector m : vectors) {
                if (m != null) {
                    out.add(new VectorStats(m.vector, m.count, m.chip, m.source, m.name));
                }
            }
        }
        return out;
    }

    /** Messages that arrived on a vector nobody holds (a device left programmed, a stray). */
    public long strayVectors() {
        return strayVectors;
    }

    private void dispatchMessage(int vector) {
        MessageVector m;
        synchronized (vectors) {
            m = vectors[vector];
        }
        if (m == null) {
            if (strayVectors++ % 1000 == 0) {
                LOG.warn("vector {}: a message nobody allocated (dropped)", vector);
            }
            return;
        }
        m.count++;
        try {
            m.handler.handle(vector);
        } catch (RuntimeException | Error e) {
            m.failures++;
            LOG.error("vector {}: handler {} threw: {}", vector, m.name, e.toString(), e);
        }
    }

    private void interruptLoop() {
        while (running) {
            if (!pin.pending()) {
                LockSupport.park(this);
                continue;
            }
            int vector = pin.acknowledge();
            if (vector >= FIRST_MESSAGE_VECTOR && vector <= LAST_MESSAGE_VECTOR) {
                dispatchMessage(vector);
                continue;
            }
            int irq = vector - VECTOR_BASE;
            if (irq < 0 || irq > 15) {
                LOG.warn("unexpected vector {} from the interrupt controller", vector);
                continue;
            }
            if ((irq == 7 || irq == 15) && !inService(irq)) {
                // Spurious: the request went away before the acknowledge. No EOI for its chip,
                // but the master did put the cascade in service for IRQ 15.
                lines[irq].spurious++;
                if (irq == 15) {
                    ports.outb(PIC1_COMMAND, PIC_EOI);
                }
                continue;
            }
            dispatch(lines[irq]);
            if (irq >= 8) {
                ports.outb(PIC2_COMMAND, PIC_EOI);
            }
            ports.outb(PIC1_COMMAND, PIC_EOI);
        }
    }

    private boolean inService(int irq) {
        int command = irq < 8 ? PIC1_COMMAND : PIC2_COMMAND;
        ports.outb(command, OCW3_READ_ISR);
        return (ports.inb(command) & (1 << (irq & 7))) != 0;
    }

    private void dispatch(Line line) {
        line.count++;
        boolean claimed = false;
        for (Registration r : line.handlers) {
            try {
                claimed |= r.handler.handle(line.irq);
            } catch (RuntimeException | Error e) {
                line.failures++;
                LOG.error("irq {}: handler {} threw: {}", line.irq, r.name, e.toString(), e);
            }
        }
        if (claimed) {
            line.unclaimedInARow = 0;
        } else if (++line.unclaimedInARow >= NOBODY_CARED_LIMIT) {
            LOG.error("irq {}: nobody cared ({} interrupts unclaimed); disabling it", line.irq,
                    line.unclaimedInARow);
            setMasked(line.irq, true);
        }
    }

    public void shutdown() {
        running = false;
        try {
            wakeup.close();
        } catch (Exception e) {
            LOG.debug("closing the INTR listener", e);
        }
        LockSupport.unpark(cpuThread);
        try {
            cpuThread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        imr = 0xFFFF;
        writeMasks();
    }
}
