package org.alosj.hal.board.impl;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.alosj.hal.bus.IoPortHandler;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.irq.IrqLine;

/**
 * The 8254 interval timer at 0x40–0x43, clocked at 1.193182 MHz, and the PIIX3's port 0x61
 * (channel 2 gate, refresh toggle, OUT2). Counters are computed from elapsed host time rather
 * than ticked; channel 0's OUT drives IRQ 0 from the board clock, one edge per period in modes 2
 * and 3 and once at terminal count in mode 0.
 */
final class Pit8254 {
    static final long PIT_HZ = 1_193_182L;
    static final int PIT_BASE = 0x40;
    static final int PIT_CONTROL = 0x43;
    static final int PORT_B = 0x61;

    private static final int ACCESS_LATCH = 0;
    private static final int ACCESS_LOW = 1;
    private static final int ACCESS_HIGH = 2;
    private static final int ACCESS_WORD = 3;

    private final class Channel {
        final int index;
        int mode;
        int access = ACCESS_WORD;
        boolean bcd;
        int reload = 0x10000;
        long loadNanos;
        boolean counting;
        boolean writeHighNext;
        boolean readHighNext;
        int latchedCount = -1;
        int latchedStatus = -1;
        int writeLow;
        boolean gate = true;

        Channel(int index) {
            this.index = index;
        }

        long elapsedTicks() {
            return (clock.getAsLong() - loadNanos) * PIT_HZ / 1_000_000_000L;
        }

        int count() {
            if (!counting) {
                return reload & 0xFFFF;
            }
            long t = elapsedTicks();
            switch (mode) {
                case 2, 3, 6, 7:
                    return (int) (reload - (t % reload)) & 0xFFFF;
                default:
                    return (int) ((reload - t) & 0xFFFF);
            }
        }

        boolean out() {
            if (!counting) {
                return mode != 0;
            }
            long t = elapsedTicks();
            switch (mode) {
                case 0:
                    return t >= reload;
                case 2, 6:
                    return t % reload != reload - 1;
                case 3, 7:
                    return t % reload < (reload + 1) / 2;
                default:
                    return true;
            }
        }

        void load(int value) {
            reload = value == 0 ? 0x10000 : value;
            loadNanos = clock.getAsLong();
            counting = true;
            if (index == 0) {
                startIrq0();
            }
        }

        void write(int v) {
            switch (access) {
                case ACCESS_LOW -> load(v & 0xFF);
                case ACCESS_HIGH -> load((v & 0xFF) << 8);
                case ACCESS_WORD -> {
                    if (!writeHighNext) {
                        writeLow = v & 0xFF;
                        writeHighNext = true;
                    } else {
                        writeHighNext = false;
                        load(writeLow | (v & 0xFF) << 8);
                    }
                }
                default -> { }
            }
        }

        int read() {
            if (latchedStatus >= 0) {
                int s = latchedStatus;
                latchedStatus = -1;
                return s;
            }
            int value = latchedCount >= 0 ? latchedCount : count();
            int result;
            switch (access) {
                case ACCESS_LOW -> result = value & 0xFF;
                case ACCESS_HIGH -> result = (value >> 8) & 0xFF;
                default -> {
                    result = readHighNext ? (value >> 8) & 0xFF : value & 0xFF;
                    readHighNext = !readHighNext;
                    if (!readHighNext) {
                        latchedCount = -1;
                    }
                    return result;
                }
            }
            latchedCount = -1;
            return result;
        }

        int status() {
            return (out() ? 0x80 : 0) | (counting ? 0 : 0x40) | access << 4 | mode << 1 | (bcd ? 1 : 0);
        }
    }

    private final Channel[] channels = {new Channel(0), new Channel(1), new Channel(2)};
    private final LongSupplier clock;
    private final ScheduledExecutorService scheduler;
    private final IrqLine irq0;
    private ScheduledFuture<?> irq0Task;
    private int portB;
    private boolean refreshToggle;

    Pit8254(IoPortSpace ports, ScheduledExecutorService scheduler, LongSupplier nanoClock, IrqLine irq0) {
        this.scheduler = scheduler;
        this.clock = nanoClock;
        this.irq0 = irq0;
        ports.map(PIT_BASE, 4, new IoPortHandler() {
            @Override
            public int ioRead(int port, int size) {
                synchronized (Pit8254.this) {
                    return port == PIT_CONTROL ? 0xFF : channels[port - PIT_BASE].read();
                }
            }

            @Override
            public void ioWrite(int port, int size, int value) {
                synchronized (Pit8254.this) {
                    if (port == PIT_CONTROL) {
                        control(value & 0xFF);
                    } else {
                        channels[port - PIT_BASE].write(value);
                    }
                }
            }
        }, "pit");
        ports.map(PORT_B, 1, new IoPortHandler() {
            @Override
            public int ioRead(int port, int size) {
                synchronized (Pit8254.this) {
                    refreshToggle = !refreshToggle;
                    return (portB & 0x0F) | (refreshToggle ? 0x10 : 0) | (channels[2].out() ? 0x20 : 0);
                }
            }

            @Override
            public void ioWrite(int port, int size, int value) {
                synchronized (Pit8254.this) {
                    portB = value & 0x0F;
                    channels[2].gate = (value & 1) != 0;
                }
            }
        }, "port61");
    }

    private void control(int v) {
        int sel = v >> 6;
        if (sel == 3) {
            // Read-back: bit 5 clear latches counts, bit 4 clear latches status, bits 1-3 select.
            for (int i = 0; i < 3; i++) {
                if ((v & (2 << i)) != 0) {
                    Channel c = channels[i];
                    if ((v & 0x20) == 0 && c.latchedCount < 0) {
                        c.latchedCount = c.count();
                    }
                    if ((v & 0x10) == 0 && c.latchedStatus < 0) {
                        c.latchedStatus = c.status();
                    }
                }
            }
            return;
        }
        Channel c = channels[sel];
        int access = (v >> 4) & 3;
        if (access == ACCESS_LATCH) {
            if (c.latchedCount < 0) {
                c.latchedCount = c.count();
            }
            return;
        }
        c.access = access;
        c.mode = (v >> 1) & 7;
        c.bcd = (v & 1) != 0;
        c.counting = false;
        c.writeHighNext = false;
        c.readHighNext = false;
        c.latchedCount = -1;
        if (sel == 0) {
            stopIrq0();
            irq0.set(c.mode != 0);
        }
    }

    private void startIrq0() {
        stopIrq0();
        Channel c = channels[0];
        // Faster than 20 kHz would only flood the host: real code never asks for it.
        long periodNanos = Math.max(50_000L, c.reload * 1_000_000_000L / PIT_HZ);
        switch (c.mode) {
            case 0 -> {
                irq0.set(false);
                irq0Task = scheduler.schedule(() -> irq0.set(true), periodNanos, TimeUnit.NANOSECONDS);
            }
            case 2, 3, 6, 7 -> irq0Task = scheduler.scheduleAtFixedRate(irq0::pulse, periodNanos, periodNanos,
                    TimeUnit.NANOSECONDS);
            default -> { }
        }
    }

    private void stopIrq0() {
        if (irq0Task != null) {
            irq0Task.cancel(false);
            irq0Task = null;
        }
    }

    synchronized void powerOff() {
        stopIrq0();
    }
}
