package org.alosj.hal.bus;

import org.osgi.annotation.versioning.ProviderType;

/** The physical memory space with its decoders: RAM is fixed at power-on, MMIO comes and goes. */
@ProviderType
public interface MemoryBus extends PhysicalMemory {
    /**
     * Decodes {@code [base, base + length)} to {@code handler}.
     *
     * @throws IllegalArgumentException if the window overlaps RAM or another window
     */
    Mapping mapMmio(long base, long length, MmioHandler handler, String owner);

    /** The guest RAM behind this bus, for the CPU's fast paths. */
    GuestRam ram();

    /**
     * The offset into {@link #ram()} that physical {@code address} decodes to, or -1 when RAM
     * does not decode it (MMIO, open bus). Offsets are contiguous within a 4 KiB page.
     */
    long ramOffset(long address);
}
