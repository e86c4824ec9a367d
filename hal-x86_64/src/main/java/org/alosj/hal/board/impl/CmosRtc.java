package org.alosj.hal.board.impl;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.alosj.hal.bus.IoPortHandler;
import org.alosj.hal.bus.IoPortSpace;

/**
 * The MC146818 CMOS real-time clock and NVRAM at 0x70/0x71. The time registers read the host's
 * UTC time (plus whatever offset the guest set by writing them), in BCD or binary and 12- or
 * 24-hour form as register B selects. The NVRAM holds what a PC BIOS leaves there: memory sizes
 * (0x30/0x31, 0x34/0x35, 0x5B–0x5D) and the century (0x32).
 */
final class CmosRtc {
    static final int INDEX_PORT = 0x70;
    static final int REG_SECONDS = 0x00;
    static final int REG_MINUTES = 0x02;
    static final int REG_HOURS = 0x04;
    static final int REG_DAY_OF_WEEK = 0x06;
    static final int REG_DAY_OF_MONTH = 0x07;
    static final int REG_MONTH = 0x08;
    static final int REG_YEAR = 0x09;
    static final int REG_A = 0x0A;
    static final int REG_B = 0x0B;
    static final int REG_C = 0x0C;
    static final int REG_D = 0x0D;
    static final int REG_CENTURY = 0x32;

    static final int REG_B_SET = 0x80;
    static final int REG_B_DM_BINARY = 0x04;
    static final int REG_B_24H = 0x02;
    static final int REG_D_VRT = 0x80;

    private final byte[] nvram = new byte[128];
    private final Clock clock;
    private Duration offset = Duration.ZERO;
    private int index;
    private LocalDateTime frozen;

    CmosRtc(IoPortSpace ports, Clock clock, long ramBytes) {
        this.clock = clock;
        nvram[REG_A] = 0x26;
        nvram[REG_B] = REG_B_24H;
        nvram[REG_D] = (byte) REG_D_VRT;
        nvram[0x15] = (byte) 640; // base memory in KiB (below the EBDA and VGA hole)
        nvram[0x16] = (byte) (640 >> 8);
        long kbAbove1M = Math.min((ramBytes - (1 << 20)) / 1024, 0xFFFF);
        nvram[0x17] = nvram[0x30] = (byte) kbAbove1M;
        nvram[0x18] = nvram[0x31] = (byte) (kbAbove1M >> 8);
        long below4g = Math.min(ramBytes, MemoryBusImpl.PCI_HOLE_START);
        long above16m = below4g > (16 << 20) ? (below4g - (16 << 20)) >> 16 : 0;
        nvram[0x34] = (byte) Math.min(above16m, 0xFFFF);
        nvram[0x35] = (byte) (Math.min(above16m, 0xFFFF) >> 8);
        long above4g = Math.max(0, ramBytes - MemoryBusImpl.PCI_HOLE_START) >> 16;
        nvram[0x5B] = (byte) above4g;
        nvram[0x5C] = (byte) (above4g >> 8);
        nvram[0x5D] = (byte) (above4g >> 16);
        ports.map(INDEX_PORT, 2, new IoPortHandler() {
            @Override
            public int ioRead(int port, int size) {
                synchronized (CmosRtc.this) {
                    return port == INDEX_PORT ? 0xFF : read(index);
                }
            }

            @Override
            public void ioWrite(int port, int size, int value) {
                synchronized (CmosRtc.this) {
                    if (port == INDEX_PORT) {
                        index = value & 0x7F; // bit 7 is the NMI mask
                    } else {
                        write(index, value & 0xFF);
                    }
                }
            }
        }, "rtc");
    }

    private LocalDateTime now() {
        if (frozen != null) {
            return frozen;
        }
        return LocalDateTime.ofInstant(clock.instant().plus(offset), ZoneOffset.UTC);
    }

    private int encode(int value) {
        return (nvram[REG_B] & REG_B_DM_BINARY) != 0 ? value : (value / 10) << 4 | value % 10;
    }

    private int decode(int value) {
        return (nvram[REG_B] & REG_B_DM_BINARY) != 0 ? value : (value >> 4) * 10 + (value & 0xF);
    }

    private int read(int reg) {
        LocalDateTime t = now();
        switch (reg) {
            case REG_SECONDS: return encode(t.getSecond());
            case REG_MINUTES: return encode(t.getMinute());
            case REG_HOURS: {
                int h = t.getHour();
                if ((nvram[REG_B] & REG_B_24H) != 0) {
                    return encode(h);
                }
                int h12 = h % 12 == 0 ? 12 : h % 12;
                return encode(h12) | (h >= 12 ? 0x80 : 0);
            }
            case REG_DAY_OF_WEEK: return encode(t.getDayOfWeek().getValue() % 7 + 1);
            case REG_DAY_OF_MONTH: return encode(t.getDayOfMonth());
            case REG_MONTH: return encode(t.getMonthValue());
            case REG_YEAR: return encode(t.getYear() % 100);
            case REG_CENTURY: return encode(t.getYear() / 100);
            case REG_A: {
                // UIP is set for the last 244 us of each second, when the registers change.
                int nanos = clock.instant().getNano();
                return (nvram[REG_A] & 0x7F) | (nanos > 999_756_000 ? 0x80 : 0);
            }
            case REG_C: {
                int v = nvram[REG_C] & 0xFF;
                nvram[REG_C] = 0;
                return v;
            }
            default: return nvram[reg] & 0xFF;
        }
    }

    private void write(int reg, int value) {
        switch (reg) {
            case REG_SECONDS, REG_MINUTES, REG_HOURS, REG_DAY_OF_MONTH, REG_MONTH, REG_YEAR, REG_CENTURY -> {
                LocalDateTime t = now();
                try {
                    int v = decode(reg == REG_HOURS ? value & 0x7F : value);
                    if (reg == REG_HOURS && (nvram[REG_B] & REG_B_24H) == 0) {
                        v = v % 12 + ((value & 0x80) != 0 ? 12 : 0);
                    }
                    t = switch (reg) {
                        case REG_SECONDS -> t.withSecond(v);
                        case REG_MINUTES -> t.withMinute(v);
                        case REG_HOURS -> t.withHour(v);
                        case REG_DAY_OF_MONTH -> t.withDayOfMonth(v);
                        case REG_MONTH -> t.withMonth(v);
                        case REG_YEAR -> t.withYear(t.getYear() / 100 * 100 + v);
                        default -> t.withYear(v * 100 + t.getYear() % 100);
                    };
                } catch (java.time.DateTimeException e) {
                    return; // an impossible date is ignored, as the chip would show garbage
                }
                setTime(t);
            }
            case REG_B -> {
                boolean wasSet = (nvram[REG_B] & REG_B_SET) != 0;
                nvram[REG_B] = (byte) value;
                if ((value & REG_B_SET) != 0 && !wasSet) {
                    frozen = now();
                } else if ((value & REG_B_SET) == 0 && wasSet) {
                    LocalDateTime t = frozen;
                    frozen = null;
                    setTime(t);
                }
            }
            case REG_A -> nvram[REG_A] = (byte) (value & 0x7F);
            case REG_C, REG_D -> { }
            default -> nvram[reg] = (byte) value;
        }
    }

    private void setTime(LocalDateTime t) {
        if (frozen != null) {
            frozen = t;
        } else {
            offset = Duration.between(clock.instant(), t.toInstant(ZoneOffset.UTC));
        }
    }
}
