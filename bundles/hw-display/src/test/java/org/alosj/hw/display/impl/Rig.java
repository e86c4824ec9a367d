package org.alosj.hw.display.impl;

import org.alosj.hal.board.impl.MachineSettings;
import org.alosj.hal.board.impl.PcMachine;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.bus.MemoryBus;

/**
 * A PC with one display adapter in slot 2, and what firmware and a driver do to it:
 * configuration cycles through 0xCF8/0xCFC, BARs placed in the PCI hole, DISPI through the
 * ports or BAR2, pixels through BAR0.
 */
final class Rig implements AutoCloseable {
    static final int SLOT = 2;
    static final int DEVFN = SLOT << 3;
    static final long FB = 0xFD00_0000L;
    static final long MMIO = 0xFEBF_0000L;

    final PcMachine machine = new PcMachine(MachineSettings.withRamMiB(32));
    final IoPortSpace io = machine.ioPorts();
    final MemoryBus mem = machine.memory();
    final DisplayComponent component;
    final BochsVga vga;

    Rig(boolean std) {
        component = new DisplayComponent(std ? "std" : "bochs-display", "vga0", std ? "vga" : "video0",
                Integer.toString(SLOT), 16, machine, null);
        vga = component.adapter();
    }

    /** Places BAR0 and BAR2 and turns memory decoding on, as firmware would. */
    Rig placed() {
        cfgWrite(0x10, 4, (int) FB);
        cfgWrite(0x18, 4, (int) MMIO);
        cfgWrite(0x04, 2, 0x0002);
        return this;
    }

    @Override
    public void close() {
        component.deactivate();
        machine.powerOff();
    }

    int cfgRead(int offset, int size) {
        io.outl(0xCF8, 0x8000_0000 | DEVFN << 8 | (offset & 0xFC));
        return io.read(0xCFC + (offset & 3), size);
    }

    void cfgWrite(int offset, int size, int value) {
        io.outl(0xCF8, 0x8000_0000 | DEVFN << 8 | (offset & 0xFC));
        io.write(0xCFC + (offset & 3), size, value);
    }

    int dispiRead(int index) {
        return (int) mem.read(MMIO + BochsVga.PCI_VGA_BOCHS_OFFSET + index * 2L, 2);
    }

    void dispiWrite(int index, int value) {
        mem.write(MMIO + BochsVga.PCI_VGA_BOCHS_OFFSET + index * 2L, 2, value);
    }

    int portRead(int index) {
        io.outw(BochsVga.VBE_DISPI_IOPORT_INDEX, index);
        return io.inw(BochsVga.VBE_DISPI_IOPORT_DATA);
    }

    void portWrite(int index, int value) {
        io.outw(BochsVga.VBE_DISPI_IOPORT_INDEX, index);
        io.outw(BochsVga.VBE_DISPI_IOPORT_DATA, value);
    }

    /** Sets a mode as Linux's bochs DRM driver does: disable, geometry, enable with the LFB. */
    void setMode(int width, int height, int bpp) {
        dispiWrite(BochsVga.VBE_DISPI_INDEX_ENABLE, 0);
        dispiWrite(BochsVga.VBE_DISPI_INDEX_BPP, bpp);
        dispiWrite(BochsVga.VBE_DISPI_INDEX_XRES, width);
        dispiWrite(BochsVga.VBE_DISPI_INDEX_YRES, height);
        dispiWrite(BochsVga.VBE_DISPI_INDEX_BANK, 0);
        dispiWrite(BochsVga.VBE_DISPI_INDEX_VIRT_WIDTH, width);
        dispiWrite(BochsVga.VBE_DISPI_INDEX_VIRT_HEIGHT, height);
        dispiWrite(BochsVga.VBE_DISPI_INDEX_X_OFFSET, 0);
        dispiWrite(BochsVga.VBE_DISPI_INDEX_Y_OFFSET, 0);
        dispiWrite(BochsVga.VBE_DISPI_INDEX_ENABLE, BochsVga.VBE_DISPI_ENABLED | BochsVga.VBE_DISPI_LFB_ENABLED);
    }

    /** The whole picture as 0xRRGGBB. */
    int[] picture() {
        Scanout s = vga.scanout();
        int[] p = new int[s.width() * s.height()];
        s.read(0, 0, s.width(), s.height(), p, 0, s.width());
        return p;
    }
}
