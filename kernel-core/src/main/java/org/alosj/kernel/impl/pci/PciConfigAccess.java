package org.alosj.kernel.impl.pci;

import org.alosj.hal.bus.IoPortSpace;
import org.alosj.kernel.pci.PciAddress;

/**
 * Configuration mechanism #1: the address goes to 0xCF8, the data moves through 0xCFC–0xCFF.
 * The address register is shared by every caller, so each access holds the lock across both.
 */
public final class PciConfigAccess {
    static final int CONFIG_ADDRESS = 0xCF8;
    static final int CONFIG_DATA = 0xCFC;

    private final IoPortSpace ports;

    public PciConfigAccess(IoPortSpace ports) {
        this.ports = ports;
    }

    private static int address(PciAddress a, int offset) {
        return 0x8000_0000 | a.bus() << 16 | a.device() << 11 | a.function() << 8 | (offset & 0xFC);
    }

    private static void check(int offset, int size) {
        if ((size != 1 && size != 2 && size != 4) || offset < 0 || offset + size > 256 || (offset & (size - 1)) != 0) {
            throw new IllegalArgumentException("PCI config access at offset " + offset + " size " + size
                    + " (must be aligned, within 256 bytes)");
        }
    }

    public synchronized int read(PciAddress a, int offset, int size) {
        check(offset, size);
        ports.outl(CONFIG_ADDRESS, address(a, offset));
        return ports.read(CONFIG_DATA + (offset & 3), size);
    }

    public synchronized void write(PciAddress a, int offset, int size, int value) {
        check(offset, size);
        ports.outl(CONFIG_ADDRESS, address(a, offset));
        ports.write(CONFIG_DATA + (offset & 3), size, value);
    }
}
