package org.alosj.kernel.impl.pci;

import org.alosj.hal.bus.IoPortSpace;
import org.alosj.kernel.pci.IoRegion;

/** A BAR's I/O ports, bounds-checked so a driver bug cannot poke another device. */
record IoWindow(IoPortSpace ports, int base, int length) implements IoRegion {
    private int port(int offset, int width) {
        if (offset < 0 || offset > length - width) {
            throw new IndexOutOfBoundsException(String.format(
                    "I/O access at offset %#x width %d outside the %d-byte BAR at %#x", offset, width, length, base));
        }
        return base + offset;
    }

    @Override
    public int in8(int offset) {
        return ports.read(port(offset, 1), 1);
    }

    @Override
    public int in16(int offset) {
        return ports.read(port(offset, 2), 2);
    }

    @Override
    public int in32(int offset) {
        return ports.read(port(offset, 4), 4);
    }

    @Override
    public void out8(int offset, int value) {
        ports.write(port(offset, 1), 1, value);
    }

    @Override
    public void out16(int offset, int value) {
        ports.write(port(offset, 2), 2, value);
    }

    @Override
    public void out32(int offset, int value) {
        ports.write(port(offset, 4), 4, value);
    }
}
