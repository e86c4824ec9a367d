package org.alosj.hal.board.impl;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.alosj.hal.bus.IoPortHandler;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.irq.InterruptPin;
import org.alosj.hal.irq.IrqLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cascaded 8259A pair of a PC (master at 0x20, slave at 0xA0 on the master's IR2) with the
 * PIIX3 edge/level control registers (ELCR, 0x4D0/0x4D1). Implements ICW1–4, OCW1–3
 * (mask, specific and non-specific EOI, rotation, read IRR/ISR, poll, special mask) and
 * auto-EOI, with fully nested priorities. Level-triggered inputs keep their IRR bit while the
 * line stays high, so a shared PCI line re-interrupts after EOI until every device is served.
 */
final class Pic8259Pair implements InterruptPin {
    private static final Logger LOG = LoggerFactory.getLogger("hw.pic");

    static final int MASTER_COMMAND = 0x20;
    static final int SLAVE_COMMAND = 0xA0;
    static final int ELCR1 = 0x4D0;
    static final int ELCR2 = 0x4D1;

    private static final int ICW1 = 0x10;
    private static final int ICW1_IC4 = 0x01;
    private static final int ICW1_SNGL = 0x02;
    private static final int OCW3 = 0x08;
    private static final int OCW3_POLL = 0x04;
    private static final int OCW3_RR = 0x02;
    private static final int OCW3_RIS = 0x01;
    private static final int OCW3_ESMM = 0x40;
    private static final int OCW3_SMM = 0x20;
    private static final int ICW4_AEOI = 0x02;

    private final class Chip {
        final String name;
        final int elcrMask;
        int irr;
        int isr;
        int imr;
        int levels;
        int elcr;
        int vectorBase;
        int initStep;
        boolean needIcw4;
        boolean single;
        boolean readIsr;
        boolean poll;
        boolean autoEoi;
        boolean rotateOnAutoEoi;
        boolean specialMask;
        int priorityAdd;

        Chip(String name, int elcrMask) {
            this.name = name;
            this.elcrMask = elcrMask;
        }

        void input(int line, boolean high) {
            int m = 1 << line;
            if ((elcr & m) != 0) {
                irr = high ? irr | m : irr & ~m;
            } else if (high && (levels & m) == 0) {
                irr |= m;
            }
            levels = high ? levels | m : levels & ~m;
        }

        /** Priority 0 (highest) to 7 of the best request in {@code mask}, 8 if none. */
        int priority(int mask) {
            if (mask == 0) {
                return 8;
            }
            int p = 0;
            while ((mask & (1 << ((p + priorityAdd) & 7))) == 0) {
                p++;
            }
            return p;
        }

        int pending() {
            int p = priority(irr & ~imr);
            if (p == 8) {
                return -1;
            }
            int inService = specialMask ? isr & ~imr : isr;
            if (p < priority(inService)) {
                return (p + priorityAdd) & 7;
            }
            return -1;
        }

        void intack(int line) {
            int m = 1 << line;
            if (autoEoi) {
                if (rotateOnAutoEoi) {
                    priorityAdd = (line + 1) & 7;
                }
            } else {
                isr |= m;
            }
            if ((elcr & m) == 0) {
                irr &= ~m;
            }
        }

        void writeCommand(int v) {
            if ((v & ICW1) != 0) {
                // Initialization: masks, in-service state and edge sense are reset (datasheet).
                // A level-triggered (ELCR) request follows its line, so one still high stays;
                // the edge latch forgets edge lines, as QEMU's last_irr, so the cascade output
                // of a slave that still requests is seen as a new edge on IR2.
                irr = elcr & levels;
                levels &= elcr;
                isr = 0;
                imr = 0;
                priorityAdd = 0;
                specialMask = false;
                autoEoi = false;
                readIsr = false;
                poll = false;
                needIcw4 = (v & ICW1_IC4) != 0;
                single = (v & ICW1_SNGL) != 0;
                initStep = 2;
            } else if ((v & OCW3) != 0) {
                poll = (v & OCW3_POLL) != 0;
                if ((v & OCW3_RR) != 0) {
                    readIsr = (v & OCW3_RIS) != 0;
                }
                if ((v & OCW3_ESMM) != 0) {
                    specialMask = (v & OCW3_SMM) != 0;
                }
            } else {
                int command = v >> 5;
                switch (command) {
                    case 0, 4 -> rotateOnAutoEoi = command == 4;
                    case 1, 5 -> {
                        int p = priority(isr);
                        if (p != 8) {
                            int line = (p + priorityAdd) & 7;
                            isr &= ~(1 << line);
                            if (command == 5) {
                                priorityAdd = (line + 1) & 7;
                            }
                        }
                    }
                    case 3, 7 -> {
                        int line = v & 7;
                        isr &= ~(1 << line);
                        if (command == 7) {
                            priorityAdd = (line + 1) & 7;
                        }
                    }
                    case 6 -> priorityAdd = (v + 1) & 7;
                    default -> { }
                }
            }
        }

        void writeData(int v) {
            switch (initStep) {
                case 2 -> {
                    vectorBase = v & 0xF8;
                    initStep = single ? (needIcw4 ? 4 : 0) : 3;
                }
                case 3 -> initStep = needIcw4 ? 4 : 0;
                case 4 -> {
                    autoEoi = (v & ICW4_AEOI) != 0;
                    initStep = 0;
                }
                default -> imr = v & 0xFF;
            }
        }

        int readCommand() {
            if (poll) {
                poll = false;
                int line = pending();
                if (line < 0) {
                    return 0;
                }
                intack(line);
                return 0x80 | line;
            }
            return readIsr ? isr : irr;
        }
    }

    private final Chip master = new Chip("master", 0xF8);
    private final Chip slave = new Chip("slave", 0xDE);
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private boolean output;

    Pic8259Pair(IoPortSpace ports) {
        ports.map(MASTER_COMMAND, 2, new ChipPorts(master), "pic1");
        ports.map(SLAVE_COMMAND, 2, new ChipPorts(slave), "pic2");
        ports.map(ELCR1, 2, new IoPortHandler() {
            @Override
            public int ioRead(int port, int size) {
                synchronized (Pic8259Pair.this) {
                    return port == ELCR1 ? master.elcr : slave.elcr;
                }
            }

            @Override
            public void ioWrite(int port, int size, int value) {
                synchronized (Pic8259Pair.this) {
                    Chip c = port == ELCR1 ? master : slave;
                    c.elcr = value & c.elcrMask;
                    update();
                }
            }
        }, "elcr");
    }

    private final class ChipPorts implements IoPortHandler {
        private final Chip chip;

        ChipPorts(Chip chip) {
            this.chip = chip;
        }

        @Override
        public int ioRead(int port, int size) {
            synchronized (Pic8259Pair.this) {
                int v = (port & 1) == 0 ? chip.readCommand() : chip.imr;
                update();
                return v;
            }
        }

        @Override
        public void ioWrite(int port, int size, int value) {
            synchronized (Pic8259Pair.this) {
                if ((port & 1) == 0) {
                    chip.writeCommand(value & 0xFF);
                } else {
                    chip.writeData(value & 0xFF);
                }
                update();
            }
        }
    }

    /** The wire for ISA IRQ {@code irq}. */
    IrqLine line(int irq) {
        if (irq < 0 || irq > 15 || irq == 2) {
            throw new IllegalArgumentException("no ISA IRQ line " + irq + " (0-15, 2 is the cascade)");
        }
        return asserted -> setLine(irq, asserted);
    }

    synchronized void setLine(int irq, boolean asserted) {
        if (irq < 8) {
            master.input(irq, asserted);
        } else {
            slave.input(irq - 8, asserted);
        }
        update();
    }

    /** Recomputes the cascade and the INTR output; wakes listeners on a rising INTR. */
    private void update() {
        master.input(2, slave.pending() >= 0);
        boolean now = master.pending() >= 0;
        boolean rising = now && !output;
        output = now;
        if (now) {
            // Notify on every update that leaves INTR high too: a CPU that sampled it low just
            // before may be about to sleep.
            for (Runnable r : listeners) {
                r.run();
            }
        }
        if (rising) {
            LOG.trace("INTR asserted");
        }
    }

    @Override
    public synchronized boolean pending() {
        return master.pending() >= 0;
    }

    @Override
    public synchronized int acknowledge() {
        int line = master.pending();
        int vector;
        if (line < 0) {
            vector = master.vectorBase + 7;
        } else {
            master.intack(line);
            if (line == 2) {
                int sl = slave.pending();
                if (sl >= 0) {
                    slave.intack(sl);
                    vector = slave.vectorBase + sl;
                } else {
                    vector = slave.vectorBase + 7;
                }
            } else {
                vector = master.vectorBase + line;
            }
        }
        update();
        return vector;
    }

    @Override
    public AutoCloseable onAssert(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** IRR, ISR and IMR of both chips, for diagnostics and tests. */
    synchronized int[] registers() {
        return new int[] {master.irr, master.isr, master.imr, slave.irr, slave.isr, slave.imr};
    }
}
