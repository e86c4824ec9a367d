package org.alosj.hal.board.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.alosj.hal.bus.IoPortSpace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The MC146818 RTC and CMOS RAM at 0x70/0x71 (Motorola MC146818A datasheet) with the memory
 * size bytes a PC BIOS (and QEMU's {@code pc_cmos_init}) leaves there.
 */
class CmosRtcTest {
    static final int INDEX = 0x70;
    static final int DATA = 0x71;
    /** Tuesday 19 March 2024, 21:47:35 UTC: every field has two distinct digits or a PM hour. */
    static final Instant WHEN = Instant.parse("2024-03-19T21:47:35Z");

    private PcMachine machine;

    @AfterEach
    void powerOff() {
        if (machine != null) {
            machine.powerOff();
        }
    }

    private IoPortSpace boot(Clock wallClock) {
        machine = new PcMachine(new MachineSettings("rtc", 64L << 20, 1, null, wallClock));
        return machine.ioPorts();
    }

    static int cmos(IoPortSpace ports, int reg) {
        ports.outb(INDEX, reg);
        return ports.inb(DATA);
    }

    static void cmos(IoPortSpace ports, int reg, int value) {
        ports.outb(INDEX, reg);
        ports.outb(DATA, value);
    }

    /** A wall clock the test moves by hand. */
    static final class ManualClock extends Clock {
        Instant now;

        ManualClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void powerOnRegistersAAndBAndD() {
        IoPortSpace ports = boot(Clock.fixed(WHEN, ZoneOffset.UTC));
        assertEquals(0x26, cmos(ports, 0x0A), "32.768 kHz divider, 1024 Hz rate");
        assertEquals(0x02, cmos(ports, 0x0B), "24-hour, BCD, no interrupts");
        assertEquals(0x80, cmos(ports, 0x0D), "VRT: the battery is good");
    }

    @Test
    void timeRegistersReadTheWallClockInBcd() {
        IoPortSpace ports = boot(Clock.fixed(WHEN, ZoneOffset.UTC));
        assertEquals(0x35, cmos(ports, 0x00), "seconds");
        assertEquals(0x47, cmos(ports, 0x02), "minutes");
        assertEquals(0x21, cmos(ports, 0x04), "hours, 24-hour");
        assertEquals(0x03, cmos(ports, 0x06), "day of week, Sunday = 1");
        assertEquals(0x19, cmos(ports, 0x07), "day of month");
        assertEquals(0x03, cmos(ports, 0x08), "month");
        assertEquals(0x24, cmos(ports, 0x09), "year");
        assertEquals(0x20, cmos(ports, 0x32), "century (the byte QEMU and ACPI FADT name)");
    }

    @Test
    void dmBitSelectsBinaryData() {
        IoPortSpace ports = boot(Clock.fixed(WHEN, ZoneOffset.UTC));
        cmos(ports, 0x0B, 0x06); // 24-hour, binary
        assertEquals(35, cmos(ports, 0x00));
        assertEquals(47, cmos(ports, 0x02));
        assertEquals(21, cmos(ports, 0x04));
        assertEquals(19, cmos(ports, 0x07));
        assertEquals(3, cmos(ports, 0x08));
        assertEquals(24, cmos(ports, 0x09));
        assertEquals(20, cmos(ports, 0x32));
    }

    @Test
    void twelveHourModeSetsBit7ForPm() {
        IoPortSpace ports = boot(Clock.fixed(WHEN, ZoneOffset.UTC));
        cmos(ports, 0x0B, 0x00); // 12-hour, BCD
        assertEquals(0x80 | 0x09, cmos(ports, 0x04), "9 PM");
        cmos(ports, 0x0B, 0x04); // 12-hour, binary
        assertEquals(0x80 | 9, cmos(ports, 0x04));
    }

    @Test
    void twelveHourModeCallsMidnightAndNoonTwelve() {
        IoPortSpace ports = boot(Clock.fixed(Instant.parse("2024-03-19T00:30:00Z"), ZoneOffset.UTC));
        cmos(ports, 0x0B, 0x00);
        assertEquals(0x12, cmos(ports, 0x04), "12 AM");
        machine.powerOff();
        ports = boot(Clock.fixed(Instant.parse("2024-03-19T12:30:00Z"), ZoneOffset.UTC));
        cmos(ports, 0x0B, 0x00);
        assertEquals(0x92, cmos(ports, 0x04), "12 PM");
    }

    @Test
    void timeFollowsAnOffsetWallClock() {
        Clock clock = Clock.offset(Clock.fixed(WHEN, ZoneOffset.UTC), Duration.ofHours(3));
        IoPortSpace ports = boot(clock);
        assertEquals(0x00, cmos(ports, 0x04), "21:47 + 3 h is 00:47");
        assertEquals(0x20, cmos(ports, 0x07), "on the 20th");
        assertEquals(0x04, cmos(ports, 0x06), "a Wednesday");
    }

    @Test
    void uipIsSetOnlyInTheLast244MicrosecondsOfASecond() {
        IoPortSpace ports = boot(Clock.fixed(WHEN.plusNanos(999_900_000), ZoneOffset.UTC));
        assertEquals(0x80, cmos(ports, 0x0A) & 0x80, "update in progress");
        machine.powerOff();
        ports = boot(Clock.fixed(WHEN.plusMillis(500), ZoneOffset.UTC));
        assertEquals(0x00, cmos(ports, 0x0A) & 0x80);
    }

    @Test
    void uipIsReadOnly() {
        IoPortSpace ports = boot(Clock.fixed(WHEN, ZoneOffset.UTC));
        cmos(ports, 0x0A, 0xA6);
        assertEquals(0x26, cmos(ports, 0x0A));
    }

    @Test
    void setBitFreezesTheClockWhileSoftwareWritesIt() {
        ManualClock clock = new ManualClock(WHEN);
        IoPortSpace ports = boot(clock);
        cmos(ports, 0x0B, 0x82); // SET, 24-hour, BCD
        clock.now = WHEN.plusSeconds(10);
        assertEquals(0x35, cmos(ports, 0x00), "no updates while SET");
        cmos(ports, 0x04, 0x08);
        cmos(ports, 0x02, 0x00);
        cmos(ports, 0x00, 0x00);
        clock.now = clock.now.plusSeconds(10);
        assertEquals(0x00, cmos(ports, 0x00), "the written seconds are held");
        cmos(ports, 0x0B, 0x02); // SET off: the clock runs from what was written
        assertEquals(0x08, cmos(ports, 0x04));
        assertEquals(0x00, cmos(ports, 0x02));
        assertEquals(0x00, cmos(ports, 0x00));
        clock.now = clock.now.plusSeconds(3);
        assertEquals(0x03, cmos(ports, 0x00));
        assertEquals(0x19, cmos(ports, 0x07), "the date was not touched");
    }

    @Test
    void timeWrittenWithoutSetRunsOnFromTheNewValue() {
        ManualClock clock = new ManualClock(WHEN);
        IoPortSpace ports = boot(clock);
        cmos(ports, 0x09, 0x99);
        cmos(ports, 0x32, 0x19);
        clock.now = clock.now.plusSeconds(60);
        assertEquals(0x99, cmos(ports, 0x09));
        assertEquals(0x19, cmos(ports, 0x32));
        assertEquals(0x48, cmos(ports, 0x02), "a minute later");
    }

    @Test
    void registerCClearsOnRead() {
        IoPortSpace ports = boot(Clock.fixed(WHEN, ZoneOffset.UTC));
        cmos(ports, 0x0C);
        assertEquals(0x00, cmos(ports, 0x0C));
    }

    @Test
    void nvramBytesPersistAndBit7OfTheIndexIsTheNmiMask() {
        IoPortSpace ports = boot(Clock.fixed(WHEN, ZoneOffset.UTC));
        for (int reg = 0x38; reg < 0x80; reg++) {
            if (reg >= 0x5B && reg <= 0x5D) {
                continue;
            }
            cmos(ports, reg, reg ^ 0xA5);
        }
        for (int reg = 0x38; reg < 0x80; reg++) {
            if (reg >= 0x5B && reg <= 0x5D) {
                continue;
            }
            assertEquals(reg ^ 0xA5, cmos(ports, reg), String.format("CMOS byte %#x", reg));
        }
        assertEquals(0x40 ^ 0xA5, cmos(ports, 0x80 | 0x40), "NMI-disable bit does not change the index");
        assertEquals(0x20, cmos(ports, 0x80 | 0x32));
    }

    /** The sizes as QEMU's pc_cmos_init writes them, for RAM below the 3.5 GiB hole. */
    @Test
    void memorySizeBytesOf64MiBMachine() {
        IoPortSpace ports = boot(Clock.fixed(WHEN, ZoneOffset.UTC));
        assertEquals(640, cmos(ports, 0x15) | cmos(ports, 0x16) << 8, "base memory in KiB");
        int extKiB = 63 * 1024;
        assertEquals(extKiB, cmos(ports, 0x17) | cmos(ports, 0x18) << 8, "KiB above 1 MiB");
        assertEquals(extKiB, cmos(ports, 0x30) | cmos(ports, 0x31) << 8);
        assertEquals(48 * 16, cmos(ports, 0x34) | cmos(ports, 0x35) << 8, "64 KiB units above 16 MiB");
        assertEquals(0, cmos(ports, 0x5B) | cmos(ports, 0x5C) << 8 | cmos(ports, 0x5D) << 16);
    }

    @Test
    void memorySizeBytesSaturateAt64MiBForOldSoftware() {
        IoPortSpace rtc = rtcAlone(256L << 20);
        assertEquals(0xFFFF, cmos(rtc, 0x30) | cmos(rtc, 0x31) << 8);
        assertEquals(0xFFFF, cmos(rtc, 0x17) | cmos(rtc, 0x18) << 8);
        assertEquals(240 * 16, cmos(rtc, 0x34) | cmos(rtc, 0x35) << 8);
    }

    @Test
    void memoryAbove4GiBIsCountedIn64KiBUnitsIn0x5BTo0x5D() {
        // 6 GiB: 3.5 GiB below the PCI hole at 0xE0000000, 2.5 GiB relocated above 4 GiB.
        IoPortSpace rtc = rtcAlone(6L << 30);
        assertEquals((0xE000_0000L - (16 << 20)) >> 16, cmos(rtc, 0x34) | cmos(rtc, 0x35) << 8);
        assertEquals((2560L << 20) >> 16, cmos(rtc, 0x5B) | cmos(rtc, 0x5C) << 8 | cmos(rtc, 0x5D) << 16);
        assertEquals(640, cmos(rtc, 0x15) | cmos(rtc, 0x16) << 8);
    }

    @Test
    void sixteenMiBMachineHasNothingAbove16MiB() {
        IoPortSpace rtc = rtcAlone(16L << 20);
        assertEquals(0, cmos(rtc, 0x34) | cmos(rtc, 0x35) << 8);
        assertEquals(15 * 1024, cmos(rtc, 0x30) | cmos(rtc, 0x31) << 8);
    }

    /** The chip alone on its own port bus, for RAM sizes a test should not have to allocate. */
    private static IoPortSpace rtcAlone(long ramBytes) {
        IoPortBus ports = new IoPortBus();
        new CmosRtc(ports, Clock.fixed(WHEN, ZoneOffset.UTC), ramBytes);
        return ports;
    }
}
