package org.alosj.cpu.x86_64;

import org.alosj.hal.bus.GuestRam;
import org.alosj.hal.bus.Mapping;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.bus.MmioHandler;

/** Test bus: RAM from physical 0 up, open bus (all ones, writes dropped) above it, no MMIO. */
public final class FlatRamBus implements MemoryBus {
    private final GuestRam ram;

    public FlatRamBus(long size) {
        this.ram = new GuestRam(size);
    }

    @Override
    public GuestRam ram() {
        return ram;
    }

    @Override
    public long ramOffset(long address) {
        return address >= 0 && address < ram.size() ? address : -1;
    }

    @Override
    public Mapping mapMmio(long base, long length, MmioHandler handler, String owner) {
        throw new UnsupportedOperationException("no MMIO on the test bus");
    }

    @Override
    public long read(long address, int size) {
        if (address >= 0 && address + size <= ram.size()) {
            return ram.read(address, size);
        }
        return size == 8 ? -1L : (1L << (8 * size)) - 1;
    }

    @Override
    public void write(long address, int size, long value) {
        if (address >= 0 && address + size <= ram.size()) {
            ram.write(address, size, value);
        }
    }

    @Override
    public void read(long address, byte[] dst, int offset, int length) {
        ram.read(address, dst, offset, length);
    }

    @Override
    public void write(long address, byte[] src, int offset, int length) {
        ram.write(address, src, offset, length);
    }
}
