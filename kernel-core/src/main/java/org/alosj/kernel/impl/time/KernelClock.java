package org.alosj.kernel.impl.time;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.kernel.irq.InterruptRegistration;
import org.alosj.kernel.irq.Interrupts;
import org.alosj.kernel.time.SystemClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Time. At boot the wall clock is read once from the CMOS RTC; the PIT is programmed as a rate
 * generator at {@link #TICK_HZ} and its IRQ 0 counts ticks. Wall time afterwards is the RTC
 * reading plus the monotonic time since, so it never jumps with the host's clock.
 */
public final class KernelClock implements SystemClock {
    private static final Logger LOG = LoggerFactory.getLogger("kernel.time");

    public static final int TICK_HZ = 100;
    static final long PIT_HZ = 1_193_182L;
    static final int PIT_CHANNEL0 = 0x40;
    static final int PIT_COMMAND = 0x43;
    static final int CMOS_INDEX = 0x70;
    static final int CMOS_DATA = 0x71;

    private final long bootNanos;
    private final Instant rtcAtBoot;
    private final AtomicLong ticks = new AtomicLong();
    private final InterruptRegistration tick;
    private volatile long bootMillis = -1;

    public KernelClock(IoPortSpace ports, Interrupts interrupts, long bootNanos) {
        this.bootNanos = bootNanos;
        this.rtcAtBoot = readRtc(ports);
        int divisor = (int) (PIT_HZ / TICK_HZ);
        ports.outb(PIT_COMMAND, 0x34); // channel 0, low then high byte, mode 2 (rate generator)
        ports.outb(PIT_CHANNEL0, divisor & 0xFF);
        ports.outb(PIT_CHANNEL0, divisor >> 8);
        tick = interrupts.register(0, "timer", irq -> {
            ticks.incrementAndGet();
            return true;
        });
        LOG.info("clock: RTC says {}, PIT at {} Hz", rtcAtBoot, TICK_HZ);
    }

    private static int cmos(IoPortSpace ports, int reg) {
        ports.outb(CMOS_INDEX, reg);
        return ports.inb(CMOS_DATA);
    }

    /** Reads the RTC the way a BIOS does: wait out an update, read twice until stable. */
    static Instant readRtc(IoPortSpace ports) {
        int[] a;
        int[] b = null;
        int tries = 0;
        do {
            for (int spin = 0; spin < 10_000 && (cmos(ports, 0x0A) & 0x80) != 0; spin++) {
                Thread.onSpinWait();
            }
            a = b;
            b = new int[] {cmos(ports, 0), cmos(ports, 2), cmos(ports, 4), cmos(ports, 7), cmos(ports, 8),
                cmos(ports, 9), cmos(ports, 0x32)};
        } while ((a == null || !java.util.Arrays.equals(a, b)) && ++tries < 5);
        int regB = cmos(ports, 0x0B);
        boolean binary = (regB & 0x04) != 0;
        boolean h24 = (regB & 0x02) != 0;
        int second = dec(b[0], binary);
        int minute = dec(b[1], binary);
        int hour = dec(b[2] & 0x7F, binary);
        if (!h24) {
            hour = hour % 12 + ((b[2] & 0x80) != 0 ? 12 : 0);
        }
        int day = dec(b[3], binary);
        int month = dec(b[4], binary);
        int century = dec(b[6], binary);
        int year = (century == 0 ? 20 : century) * 100 + dec(b[5], binary);
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second).toInstant(ZoneOffset.UTC);
        } catch (java.time.DateTimeException e) {
            LOG.warn("RTC holds an impossible date ({}-{}-{} {}:{}:{}); starting the clock at the epoch",
                    year, month, day, hour, minute, second);
            return Instant.EPOCH;
        }
    }

    private static int dec(int v, boolean binary) {
        return binary ? v : (v >> 4) * 10 + (v & 0xF);
    }

    @Override
    public Instant now() {
        return rtcAtBoot.plusNanos(uptimeNanos());
    }

    @Override
    public long uptimeNanos() {
        return System.nanoTime() - bootNanos;
    }

    @Override
    public long ticks() {
        return ticks.get();
    }

    @Override
    public int tickHz() {
        return TICK_HZ;
    }

    @Override
    public long bootMillis() {
        return bootMillis;
    }

    public void bootFinished() {
        bootMillis = uptimeNanos() / 1_000_000;
    }

    public void shutdown() {
        tick.close();
    }
}
