package org.alosj.hal.board.impl;

import java.io.OutputStream;
import java.time.Clock;

/**
 * How to build a PC: RAM size, processors, where COM1's output goes, and the wall clock the RTC
 * reads (the host's, unless a test fixes it).
 */
public record MachineSettings(String name, long ramBytes, int cpus, OutputStream serialSink, Clock wallClock) {
    public static final long MIN_RAM = 16L << 20;
    public static final long MAX_RAM = 16L << 30;

    public MachineSettings {
        if (ramBytes < MIN_RAM || ramBytes > MAX_RAM || (ramBytes & 0xFFFFF) != 0) {
            throw new IllegalArgumentException("machine RAM must be a whole number of MiB from 16 MiB to 16 GiB, got "
                    + ramBytes + " bytes");
        }
        if (cpus < 1 || cpus > 64) {
            throw new IllegalArgumentException("machine CPU count must be 1-64, got " + cpus);
        }
    }

    public static MachineSettings withRamMiB(int mib) {
        return new MachineSettings("pc", (long) mib << 20, 1, null, Clock.systemUTC());
    }
}
