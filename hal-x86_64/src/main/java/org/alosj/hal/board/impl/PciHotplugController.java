package org.alosj.hal.board.impl;

import org.alosj.hal.bus.IoPortHandler;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.irq.IrqLine;

/**
 * PCI hot-plug notification, with the register layout of QEMU's ACPI PCI hot-plug block at
 * 0xAE00: {@code PCI_UP} (0xAE00) and {@code PCI_DOWN} (0xAE04) are bitmaps of slots inserted
 * and removed since they were last read, {@code PCI_EJ} (0xAE08) ejects the slots written to it,
 * {@code PCI_RMV} (0xAE0C) says which slots are removable. There is no ACPI here, so instead of
 * an SCI through GPE status the block drives IRQ 9 (the SCI line of PIIX4 boards) while an
 * event is unread, and reading a bitmap acknowledges it.
 */
final class PciHotplugController implements PciBusImpl.HotplugListener {
    static final int PCI_HOTPLUG_BASE = 0xAE00;
    static final int PCI_UP = 0x0;
    static final int PCI_DOWN = 0x4;
    static final int PCI_EJ = 0x8;
    static final int PCI_RMV = 0xC;
    static final int HOTPLUG_IRQ = 9;

    private final PciBusImpl bus;
    private final IrqLine irq;
    private int up;
    private int down;

    PciHotplugController(IoPortSpace ports, PciBusImpl bus, IrqLine irq) {
        this.bus = bus;
        this.irq = irq;
        ports.map(PCI_HOTPLUG_BASE, 0x10, new IoPortHandler() {
            @Override
            public int ioRead(int port, int size) {
                return read(port - PCI_HOTPLUG_BASE);
            }

            @Override
            public void ioWrite(int port, int size, int value) {
                if (port - PCI_HOTPLUG_BASE == PCI_EJ) {
                    for (int slot = 2; slot < 32; slot++) {
                        if ((value & (1 << slot)) != 0) {
                            bus.eject(slot);
                        }
                    }
                }
            }
        }, "pci-hotplug");
    }

    private synchronized int read(int reg) {
        int v;
        switch (reg) {
            case PCI_UP -> {
                v = up;
                up = 0;
            }
            case PCI_DOWN -> {
                v = down;
                down = 0;
            }
            case PCI_RMV -> v = ~0b11; // the host bridge and the ISA bridge stay
            default -> v = 0;
        }
        irq.set(up != 0 || down != 0);
        return v;
    }

    @Override
    public synchronized void plugged(int slot) {
        up |= 1 << slot;
        down &= ~(1 << slot);
        irq.set(true);
    }

    @Override
    public synchronized void unplugged(int slot) {
        down |= 1 << slot;
        up &= ~(1 << slot);
        irq.set(true);
    }
}
