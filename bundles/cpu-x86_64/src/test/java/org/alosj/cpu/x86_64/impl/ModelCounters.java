package org.alosj.cpu.x86_64.impl;

import org.alosj.hal.cpu.Cpu;

/** The model's counters that the Cpu API does not carry, for tests outside this package. */
public final class ModelCounters {
    private ModelCounters() {
    }

    /** SSE3, SSSE3, SSE4 and CRC32 instructions the CPU has executed. */
    public static long extensionInstructions(Cpu cpu) {
        return ((X86Core) cpu).extensionInstructionsExecuted();
    }
}
