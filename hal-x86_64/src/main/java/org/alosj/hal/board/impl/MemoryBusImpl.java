package org.alosj.hal.board.impl;

import java.util.Map;
import java.util.TreeMap;
import org.alosj.hal.bus.GuestRam;
import org.alosj.hal.bus.Mapping;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.bus.MmioHandler;

/**
 * The physical address space of the i440FX: RAM from 0 up to the PCI hole, the rest of RAM
 * above 4 GiB, MMIO windows wherever BARs put them in the hole, open bus elsewhere.
 */
final class MemoryBusImpl implements MemoryBus {
    /** The legacy VGA memory window (0xA0000–0xBFFFF): never RAM, a VGA adapter's if it claims it. */
    static final long VGA_WINDOW_START = 0xA0000;
    static final long VGA_WINDOW_END = 0xC0000;

    /** Where low RAM stops and the 32-bit PCI window begins (as QEMU's pc machine). */
    static final long PCI_HOLE_START = 0xE000_0000L;
    static final long FOUR_GIB = 1L << 32;

    private static final class Window implements Mapping {
        final long base;
        final long length;
        final MmioHandler handler;
        final String owner;
        private final MemoryBusImpl bus;

        Window(MemoryBusImpl bus, long base, long length, MmioHandler handler, String owner) {
            this.bus = bus;
            this.base = base;
            this.length = length;
            this.handler = handler;
            this.owner = owner;
        }

        @Override
        public long base() {
            return base;
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public void close() {
            bus.unmap(this);
        }
    }

    private final GuestRam ram;
    private final long lowRamEnd;
    private final long highRamEnd;
    /** Copy-on-write, so accesses never lock. */
    private volatile TreeMap<Long, Window> windows = new TreeMap<>();

    MemoryBusImpl(GuestRam ram) {
        this.ram = ram;
        this.lowRamEnd = Math.min(ram.size(), PCI_HOLE_START);
        this.highRamEnd = ram.size() > PCI_HOLE_START ? FOUR_GIB + (ram.size() - PCI_HOLE_START) : FOUR_GIB;
    }

    long lowRamEnd() {
        return lowRamEnd;
    }

    long highRamEnd() {
        return highRamEnd;
    }

    @Override
    public GuestRam ram() {
        return ram;
    }

    @Override
    public long ramOffset(long address) {
        if (address >= VGA_WINDOW_START && address < VGA_WINDOW_END) {
            return -1; // the legacy VGA window: the chipset sends it to the bus, as on every PC
        }
        if (address >= 0 && address < lowRamEnd) {
            return address;
        }
        if (address >= FOUR_GIB && address < highRamEnd) {
            return address - FOUR_GIB + lowRamEnd;
        }
        return -1;
    }

    @Override
    public synchronized Mapping mapMmio(long base, long length, MmioHandler handler, String owner) {
        if (length <= 0 || base < 0 || base + length < base) {
            throw new IllegalArgumentException(String.format("MMIO window %#x+%#x is invalid", base, length));
        }
        boolean inVgaWindow = base >= VGA_WINDOW_START && base + length <= VGA_WINDOW_END;
        if ((base < lowRamEnd && !inVgaWindow) || (base + length > FOUR_GIB && base < highRamEnd)) {
            throw new IllegalArgumentException(String.format("MMIO window %#x+%#x of %s overlaps RAM", base, length, owner));
        }
        Map.Entry<Long, Window> below = windows.floorEntry(base + length - 1);
        if (below != null && below.getValue().base + below.getValue().length > base) {
            throw new IllegalArgumentException(String.format("MMIO window %#x+%#x of %s overlaps %s at %#x",
                    base, length, owner, below.getValue().owner, below.getValue().base));
        }
        Window w = new Window(this, base, length, handler, owner);
        TreeMap<Long, Window> copy = new TreeMap<>(windows);
        copy.put(base, w);
        windows = copy;
        return w;
    }

    private synchronized void unmap(Window w) {
        if (windows.get(w.base) == w) {
            TreeMap<Long, Window> copy = new TreeMap<>(windows);
            copy.remove(w.base);
            windows = copy;
        }
    }

    private Window window(long address) {
        Map.Entry<Long, Window> e = windows.floorEntry(address);
        if (e == null) {
            return null;
        }
        Window w = e.getValue();
        return address - w.base < w.length ? w : null;
    }

    @Override
    public long read(long address, int size) {
        long off = ramOffset(address);
        if (off >= 0 && ramOffset(address + size - 1) == off + size - 1) {
            return ram.read(off, size);
        }
        Window w = window(address);
        if (w != null) {
            long v = w.handler.mmioRead(address - w.base, size);
            return size == 8 ? v : v & ((1L << (8 * size)) - 1);
        }
        if (off >= 0) {
            return readBytewise(address, size);
        }
        return size == 8 ? -1L : (1L << (8 * size)) - 1;
    }

    @Override
    public void write(long address, int size, long value) {
        long off = ramOffset(address);
        if (off >= 0 && ramOffset(address + size - 1) == off + size - 1) {
            ram.write(off, size, value);
            return;
        }
        Window w = window(address);
        if (w != null) {
            w.handler.mmioWrite(address - w.base, size, value);
        } else if (off >= 0) {
            for (int i = 0; i < size; i++) {
                write(address + i, 1, value >>> (8 * i));
            }
        }
    }

    private long readBytewise(long address, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            v |= read(address + i, 1) << (8 * i);
        }
        return v;
    }

    @Override
    public void read(long address, byte[] dst, int offset, int length) {
        while (length > 0) {
            long off = ramOffset(address);
            if (off >= 0) {
                long runEnd = address < lowRamEnd ? lowRamEnd : highRamEnd;
                int n = (int) Math.min(length, runEnd - address);
                ram.read(off, dst, offset, n);
                address += n;
                offset += n;
                length -= n;
            } else {
                Window w = window(address);
                if (w != null) {
                    // The part inside the window goes to the device as one burst.
                    int n = (int) Math.min(length, w.base + w.length - address);
                    w.handler.mmioRead(address - w.base, dst, offset, n);
                    address += n;
                    offset += n;
                    length -= n;
                } else {
                    dst[offset++] = (byte) read(address++, 1);
                    length--;
                }
            }
        }
    }

    @Override
    public void write(long address, byte[] src, int offset, int length) {
        while (length > 0) {
            long off = ramOffset(address);
            if (off >= 0) {
                long runEnd = address < lowRamEnd ? lowRamEnd : highRamEnd;
                int n = (int) Math.min(length, runEnd - address);
                ram.write(off, src, offset, n);
                address += n;
                offset += n;
                length -= n;
            } else {
                Window w = window(address);
                if (w != null) {
                    int n = (int) Math.min(length, w.base + w.length - address);
                    w.handler.mmioWrite(address - w.base, src, offset, n);
                    address += n;
                    offset += n;
                    length -= n;
                } else {
                    write(address++, 1, src[offset++]);
                    length--;
                }
            }
        }
    }
}
