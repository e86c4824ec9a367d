package org.alosj.hal.pci;

import org.alosj.hal.bus.IoPortSpace;

/**
 * PCI configuration mechanism #1 as a driver uses it: a dword address with bit 31 set to
 * 0xCF8, then a byte, word or dword access at 0xCFC + (register & 3). Bus 0 only.
 */
public final class Cf8 {
    public static final int CONFIG_ADDRESS = 0xCF8;
    public static final int CONFIG_DATA = 0xCFC;
    public static final int ENABLE = 0x8000_0000;

    private final IoPortSpace ports;

    public Cf8(IoPortSpace ports) {
        this.ports = ports;
    }

    public static int devfn(int slot, int function) {
        return slot << 3 | function;
    }

    public static int address(int devfn, int register) {
        return ENABLE | devfn << 8 | (register & 0xFC);
    }

    public int readl(int devfn, int register) {
        ports.outl(CONFIG_ADDRESS, address(devfn, register));
        return ports.inl(CONFIG_DATA);
    }

    public int readw(int devfn, int register) {
        ports.outl(CONFIG_ADDRESS, address(devfn, register));
        return ports.inw(CONFIG_DATA + (register & 2));
    }

    public int readb(int devfn, int register) {
        ports.outl(CONFIG_ADDRESS, address(devfn, register));
        return ports.inb(CONFIG_DATA + (register & 3));
    }

    public void writel(int devfn, int register, int value) {
        ports.outl(CONFIG_ADDRESS, address(devfn, register));
        ports.outl(CONFIG_DATA, value);
    }

    public void writew(int devfn, int register, int value) {
        ports.outl(CONFIG_ADDRESS, address(devfn, register));
        ports.outw(CONFIG_DATA + (register & 2), value);
    }

    public void writeb(int devfn, int register, int value) {
        ports.outl(CONFIG_ADDRESS, address(devfn, register));
        ports.outb(CONFIG_DATA + (register & 3), value);
    }

    /** The whole 256-byte space, read a dword at a time as {@code lspci -xxx} does. */
    public byte[] dump(int devfn) {
        byte[] b = new byte[256];
        for (int r = 0; r < 256; r += 4) {
            int v = readl(devfn, r);
            for (int i = 0; i < 4; i++) {
                b[r + i] = (byte) (v >>> (8 * i));
            }
        }
        return b;
    }
}
