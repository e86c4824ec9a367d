package org.alosj.kernel.impl.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.kernel.impl.irq.InterruptManager;
import org.alosj.kernel.testkit.Await;
import org.alosj.kernel.testkit.TestPc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Kernel time on the real board: the wall clock read once from the MC146818 in whatever format
 * register B selects, and the 8254 channel 0 programmed as a 100 Hz rate generator whose IRQ 0
 * counts ticks.
 */
class KernelClockTest {
    private static final int CMOS_INDEX = 0x70;
    private static final int CMOS_DATA = 0x71;
    private static final int REG_B = 0x0B;

    private static void cmosWrite(IoPortSpace ports, int reg, int value) {
        ports.outb(CMOS_INDEX, reg);
        ports.outb(CMOS_DATA, value);
    }

    @Test
    void wallClockStartsAtTheRtcReading() {
        Instant rtc = Instant.parse("2024-02-29T13:45:56Z");
        try (TestPc pc = TestPc.withClock(16, Clock.fixed(rtc, ZoneOffset.UTC))) {
            InterruptManager irqs = new InterruptManager(pc.ports(), pc.platform.interruptPin(), "cpu0");
            try {
                long boot = System.nanoTime();
                KernelClock clock = new KernelClock(pc.ports(), irqs, boot);
                Instant now = clock.now();
                assertFalse(now.isBefore(rtc), now::toString);
                assertTrue(now.isBefore(rtc.plusSeconds(5)), now::toString);
                assertTrue(clock.uptimeNanos() >= 0);
                clock.shutdown();
            } finally {
                irqs.shutdown();
            }
        }
    }

    @Test
    void wallClockIsTheHostsDateWithinSeconds() {
        try (TestPc pc = TestPc.withRamMiB(16)) {
            InterruptManager irqs = new InterruptManager(pc.ports(), pc.platform.interruptPin(), "cpu0");
            try {
                KernelClock clock = new KernelClock(pc.ports(), irqs, System.nanoTime());
                Duration skew = Duration.between(Instant.now(), clock.now()).abs();
                assertTrue(skew.compareTo(Duration.ofSeconds(3)) < 0, () -> "RTC off the host clock by " + skew);
                clock.shutdown();
            } finally {
                irqs.shutdown();
            }
        }
    }

    @ParameterizedTest(name = "{0} in register B {1}")
    @CsvSource({
        "2024-02-29T13:45:56Z, 0x02",   // BCD, 24-hour: the PC BIOS default
        "2024-02-29T13:45:56Z, 0x06",   // binary, 24-hour
        "2024-02-29T13:45:56Z, 0x00",   // BCD, 12-hour: 01 PM
        "2024-02-29T13:45:56Z, 0x04",   // binary, 12-hour
        "2031-07-04T00:30:00Z, 0x00",   // 12:30 AM is hour 0
        "2031-07-04T12:30:00Z, 0x00",   // 12:30 PM is hour 12
        "2031-07-04T12:30:00Z, 0x04",
        "2031-07-04T23:59:59Z, 0x04",
        "1999-12-31T23:59:59Z, 0x02",   // the century comes from CMOS 0x32
        "2100-01-01T00:00:00Z, 0x00"})
    void rtcIsDecodedInEveryFormatRegisterBSelects(String time, String regB) {
        Instant rtc = Instant.parse(time);
        try (TestPc pc = TestPc.withClock(16, Clock.fixed(rtc, ZoneOffset.UTC))) {
            cmosWrite(pc.ports(), REG_B, Integer.decode(regB));
            assertEquals(rtc, KernelClock.readRtc(pc.ports()));
        }
    }

    @Test
    void pitChannel0IsARateGeneratorAt100Hz() {
        try (TestPc pc = TestPc.withRamMiB(16)) {
            IoPortSpace ports = pc.ports();
            InterruptManager irqs = new InterruptManager(ports, pc.platform.interruptPin(), "cpu0");
            try {
                KernelClock clock = new KernelClock(ports, irqs, System.nanoTime());
                assertEquals(100, clock.tickHz());
                ports.outb(0x43, 0xE2); // read-back: status of channel 0
                int status = ports.inb(0x40);
                assertEquals(0x34, status & 0x3F, "lobyte/hibyte access, mode 2, binary");
                ports.outb(0x43, 0x00); // latch channel 0's count
                int count = ports.inb(0x40) | ports.inb(0x40) << 8;
                assertTrue(count >= 1 && count <= 1_193_182 / 100, () -> "count " + count + " above the divisor");
                clock.shutdown();
            } finally {
                irqs.shutdown();
            }
        }
    }

    @Test
    void ticksAdvanceAtRoughly100Hz() {
        try (TestPc pc = TestPc.withRamMiB(16)) {
            InterruptManager irqs = new InterruptManager(pc.ports(), pc.platform.interruptPin(), "cpu0");
            try {
                KernelClock clock = new KernelClock(pc.ports(), irqs, System.nanoTime());
                Await.until(() -> clock.ticks() >= 1, () -> "the first tick");
                long t0 = clock.ticks();
                long start = System.nanoTime();
                long previous = t0;
                while (System.nanoTime() - start < 500_000_000L) {
                    long t = clock.ticks();
                    assertTrue(t >= previous, "ticks never go back");
                    previous = t;
                    Thread.onSpinWait();
                }
                long ticks = clock.ticks() - t0;
                double seconds = (System.nanoTime() - start) / 1e9;
                // Generous: a loaded host delays the interrupt thread and merges edges, but can
                // never make the PIT run fast.
                assertTrue(ticks <= seconds * 100 * 1.5 + 10, () -> ticks + " ticks in " + seconds + " s");
                assertTrue(ticks >= seconds * 100 / 5, () -> ticks + " ticks in " + seconds + " s");
                assertTrue(irqs.statistics().stream().anyMatch(s -> s.irq() == 0
                        && s.handlers().equals(java.util.List.of("timer")) && s.count() >= ticks));
                clock.shutdown();
                assertEquals(1, pc.ports().inb(0x21) & 1, "IRQ 0 masked once the clock is gone");
            } finally {
                irqs.shutdown();
            }
        }
    }

    @Test
    void bootTimeIsMeasuredWhenBootFinishes() {
        try (TestPc pc = TestPc.withRamMiB(16)) {
            InterruptManager irqs = new InterruptManager(pc.ports(), pc.platform.interruptPin(), "cpu0");
            try {
                KernelClock clock = new KernelClock(pc.ports(), irqs, System.nanoTime() - 42_000_000L);
                assertEquals(-1, clock.bootMillis(), "not finished yet");
                clock.bootFinished();
                assertTrue(clock.bootMillis() >= 42 && clock.bootMillis() < 10_000, () -> "" + clock.bootMillis());
                clock.shutdown();
            } finally {
                irqs.shutdown();
            }
        }
    }
}
