package org.alosj.kernel.impl.pci;

import org.alosj.hal.bus.PhysicalMemory;
import org.alosj.kernel.pci.MmioRegion;

/** A BAR's memory window, bounds-checked. */
record MmioWindow(PhysicalMemory memory, long base, long length) implements MmioRegion {
    private long at(long offset, int width) {
        if (offset < 0 || offset > length - width) {
            throw new IndexOutOfBoundsException(String.format(
                    "MMIO access at offset %#x width %d outside the %d-byte BAR at %#x", offset, width, length, base));
        }
        return base + offset;
    }

    @Override
    public int read8(long offset) {
        return (int) memory.read(at(offset, 1), 1);
    }

    @Override
    public int read16(long offset) {
        return (int) memory.read(at(offset, 2), 2);
    }

    @Override
    public int read32(long offset) {
        return (int) memory.read(at(offset, 4), 4);
    }

    @Override
    public long read64(long offset) {
        return memory.read(at(offset, 8), 8);
    }

    @Override
    public void write8(long offset, int value) {
        memory.write(at(offset, 1), 1, value & 0xFFL);
    }

    @Override
    public void write16(long offset, int value) {
        memory.write(at(offset, 2), 2, value & 0xFFFFL);
    }

    @Override
    public void write32(long offset, int value) {
        memory.write(at(offset, 4), 4, value & 0xFFFF_FFFFL);
    }

    @Override
    public void write64(long offset, long value) {
        memory.write(at(offset, 8), 8, value);
    }

    @Override
    public void read(long offset, byte[] dst, int dstOffset, int length) {
        java.util.Objects.checkFromIndexSize(dstOffset, length, dst.length);
        memory.read(at(offset, length), dst, dstOffset, length);
    }

    @Override
    public void write(long offset, byte[] src, int srcOffset, int length) {
        java.util.Objects.checkFromIndexSize(srcOffset, length, src.length);
        memory.write(at(offset, length), src, srcOffset, length);
    }
}
