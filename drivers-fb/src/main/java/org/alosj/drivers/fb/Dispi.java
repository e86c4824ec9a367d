package org.alosj.drivers.fb;

import org.alosj.kernel.pci.MmioRegion;

/**
 * The VBE DISPI registers of the Bochs/QEMU adapter, as 16-bit words at index × 2 in BAR2's
 * window at 0x500 (the MMIO way Linux's bochs driver prefers over ports 0x1CE/0x1CF), and QEMU's
 * extended registers at 0x600.
 */
final class Dispi {
    static final int VBE_DISPI_INDEX_ID = 0x0;
    static final int VBE_DISPI_INDEX_XRES = 0x1;
    static final int VBE_DISPI_INDEX_YRES = 0x2;
    static final int VBE_DISPI_INDEX_BPP = 0x3;
    static final int VBE_DISPI_INDEX_ENABLE = 0x4;
    static final int VBE_DISPI_INDEX_BANK = 0x5;
    static final int VBE_DISPI_INDEX_VIRT_WIDTH = 0x6;
    static final int VBE_DISPI_INDEX_VIRT_HEIGHT = 0x7;
    static final int VBE_DISPI_INDEX_X_OFFSET = 0x8;
    static final int VBE_DISPI_INDEX_Y_OFFSET = 0x9;
    static final int VBE_DISPI_INDEX_VIDEO_MEMORY_64K = 0xA;

    static final int VBE_DISPI_ID0 = 0xB0C0;
    static final int VBE_DISPI_ID5 = 0xB0C5;

    static final int VBE_DISPI_ENABLED = 0x01;
    static final int VBE_DISPI_GETCAPS = 0x02;
    static final int VBE_DISPI_LFB_ENABLED = 0x40;

    static final int MMIO_DISPI = 0x500;
    static final int MMIO_QEXT = 0x600;
    static final int QEXT_REG_SIZE = 0;
    static final int QEXT_REG_BYTEORDER = 4;
    static final int QEXT_LITTLE_ENDIAN = 0x1E1E1E1E;

    private final MmioRegion mmio;

    Dispi(MmioRegion mmio) {
        this.mmio = mmio;
    }

    int read(int index) {
        return mmio.read16(MMIO_DISPI + index * 2L);
    }

    void write(int index, int value) {
        mmio.write16(MMIO_DISPI + index * 2L, value);
    }

    /** Whether QEMU's extended registers are there (they report their own size). */
    boolean hasExtendedRegisters() {
        int size = mmio.read32(MMIO_QEXT + QEXT_REG_SIZE);
        return size >= 8 && size != -1;
    }

    /** Asks for a little-endian frame buffer (QEMU's default; a big-endian guest would ask otherwise). */
    void setLittleEndian() {
        mmio.write32(MMIO_QEXT + QEXT_REG_BYTEORDER, QEXT_LITTLE_ENDIAN);
    }
}
