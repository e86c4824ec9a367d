package org.alosj.hw.display.impl;

import static org.alosj.hw.display.impl.BochsVga.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** VBE DISPI as QEMU's std VGA (vga.c) and bochs-display (bochs-display.c) implement it. */
class RegisterTest {
    @Test
    void idReadsB0C5AndAcceptsOnlyKnownIdsOnStdVga() {
        try (Rig rig = new Rig(true).placed()) {
            assertEquals(VBE_DISPI_ID5, rig.portRead(VBE_DISPI_INDEX_ID));
            rig.portWrite(VBE_DISPI_INDEX_ID, VBE_DISPI_ID0);
            assertEquals(VBE_DISPI_ID0, rig.dispiRead(VBE_DISPI_INDEX_ID), "the BIOS negotiates the interface version");
            rig.portWrite(VBE_DISPI_INDEX_ID, 0x1234);
            assertEquals(VBE_DISPI_ID0, rig.portRead(VBE_DISPI_INDEX_ID));
        }
    }

    @Test
    void bochsDisplayIdIsConstantAndItHasNoPorts() {
        try (Rig rig = new Rig(false).placed()) {
            rig.dispiWrite(VBE_DISPI_INDEX_ID, VBE_DISPI_ID0);
            assertEquals(VBE_DISPI_ID5, rig.dispiRead(VBE_DISPI_INDEX_ID));
            assertEquals(0xFFFF, rig.io.inw(VBE_DISPI_IOPORT_DATA), "no device decodes 0x1CF");
        }
    }

    @Test
    void videoMemoryIsReportedIn64KiBUnits() {
        try (Rig rig = new Rig(true).placed()) {
            assertEquals(256, rig.portRead(VBE_DISPI_INDEX_VIDEO_MEMORY_64K));
            assertEquals(256, rig.dispiRead(VBE_DISPI_INDEX_VIDEO_MEMORY_64K));
        }
        try (Rig rig = new Rig(false).placed()) {
            assertEquals(256, rig.dispiRead(VBE_DISPI_INDEX_VIDEO_MEMORY_64K));
        }
    }

    @Test
    void getcapsMakesResolutionAndDepthReadTheMaximum() {
        try (Rig rig = new Rig(true).placed()) {
            rig.dispiWrite(VBE_DISPI_INDEX_XRES, 640);
            rig.dispiWrite(VBE_DISPI_INDEX_ENABLE, VBE_DISPI_GETCAPS);
            assertEquals(VBE_DISPI_MAX_XRES, rig.dispiRead(VBE_DISPI_INDEX_XRES));
            assertEquals(VBE_DISPI_MAX_YRES, rig.dispiRead(VBE_DISPI_INDEX_YRES));
            assertEquals(VBE_DISPI_MAX_BPP, rig.dispiRead(VBE_DISPI_INDEX_BPP));
            rig.dispiWrite(VBE_DISPI_INDEX_ENABLE, 0);
            assertEquals(640, rig.dispiRead(VBE_DISPI_INDEX_XRES));
        }
    }

    @Test
    void stdVgaFixesUpModesItCannotShow() {
        try (Rig rig = new Rig(true).placed()) {
            rig.setMode(1023, 600, 7);
            assertEquals(8, rig.dispiRead(VBE_DISPI_INDEX_BPP), "an unknown depth becomes 8");
            assertEquals(1016, rig.dispiRead(VBE_DISPI_INDEX_XRES), "widths round down to 8 pixels");
            assertEquals(1016, rig.vga.scanout().width());
            rig.setMode(16000, 12000, 32);
            // 16 MiB holds 262 lines of 64,000 bytes: the height is clamped to that.
            assertEquals(262, rig.dispiRead(VBE_DISPI_INDEX_YRES));
            assertEquals(262, rig.dispiRead(VBE_DISPI_INDEX_VIRT_HEIGHT));
            rig.setMode(1024, 768, 32);
            assertEquals(4096, rig.dispiRead(VBE_DISPI_INDEX_VIRT_HEIGHT), "VIRT_HEIGHT is what memory holds");
            rig.dispiWrite(VBE_DISPI_INDEX_Y_OFFSET, 5000);
            assertEquals(0, rig.dispiRead(VBE_DISPI_INDEX_Y_OFFSET), "an offset past memory resets to 0");
            rig.dispiWrite(VBE_DISPI_INDEX_Y_OFFSET, 768);
            assertEquals(768, rig.dispiRead(VBE_DISPI_INDEX_Y_OFFSET), "page flipping to the second page");
            rig.dispiWrite(VBE_DISPI_INDEX_BPP, 15);
            assertEquals(15, rig.dispiRead(VBE_DISPI_INDEX_BPP), "15 stays 15 (laid out as 16)");
        }
    }

    @Test
    void bochsDisplayKeepsRegistersAsWrittenAndBlanksModesItCannotShow() {
        try (Rig rig = new Rig(false).placed()) {
            rig.setMode(1024, 768, 24);
            assertEquals(24, rig.dispiRead(VBE_DISPI_INDEX_BPP));
            assertEquals(0, rig.vga.scanout().width(), "bochs-display shows 16 and 32 bpp only");
            rig.setMode(32, 32, 32);
            assertEquals(0, rig.vga.scanout().width(), "under 64x64 is no mode");
            rig.setMode(4096, 2048, 32);
            assertEquals(0, rig.vga.scanout().width(), "32 MiB does not fit in 16");
            rig.setMode(1024, 768, 32);
            assertEquals(1024, rig.vga.scanout().width());
            assertEquals(768, rig.vga.scanout().height());
            rig.dispiWrite(VBE_DISPI_INDEX_XRES, 1023);
            assertEquals(1023, rig.dispiRead(VBE_DISPI_INDEX_XRES), "no rounding on bochs-display");
        }
    }

    @Test
    void enablingClearsTheScreenUnlessNoclearmem() {
        try (Rig rig = new Rig(true).placed()) {
            rig.setMode(640, 480, 32);
            rig.mem.writeInt(Rig.FB, 0x123456);
            rig.dispiWrite(VBE_DISPI_INDEX_ENABLE, 0);
            rig.dispiWrite(VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_NOCLEARMEM);
            assertEquals(0x123456, rig.mem.readInt(Rig.FB));
            rig.dispiWrite(VBE_DISPI_INDEX_ENABLE, 0);
            rig.dispiWrite(VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED);
            assertEquals(0, rig.mem.readInt(Rig.FB));
        }
    }

    @Test
    void framebufferIsDecodedOnlyWhileMemorySpaceIsEnabled() {
        try (Rig rig = new Rig(true)) {
            rig.cfgWrite(0x10, 4, (int) Rig.FB);
            rig.mem.writeInt(Rig.FB, 0x55AA55AA);
            assertEquals(0xFFFF_FFFF, rig.mem.readInt(Rig.FB), "open bus while decoding is off");
            rig.cfgWrite(0x04, 2, 0x0002);
            assertEquals(0, rig.mem.readInt(Rig.FB), "the write before did not reach video memory");
            rig.mem.writeInt(Rig.FB + 16, 0x55AA55AA);
            assertEquals(0x55AA55AA, rig.mem.readInt(Rig.FB + 16));
            rig.cfgWrite(0x04, 2, 0);
            assertEquals(0xFFFF_FFFF, rig.mem.readInt(Rig.FB + 16));
        }
    }

    @Test
    void extendedRegistersReportTheirSizeAndByteOrder() {
        try (Rig rig = new Rig(false).placed()) {
            long qext = Rig.MMIO + PCI_VGA_QEXT_OFFSET;
            assertEquals(PCI_VGA_QEXT_SIZE, rig.mem.readInt(qext + PCI_VGA_QEXT_REG_SIZE));
            assertEquals(PCI_VGA_QEXT_LITTLE_ENDIAN, rig.mem.readInt(qext + PCI_VGA_QEXT_REG_BYTEORDER));
            rig.mem.writeInt(qext + PCI_VGA_QEXT_REG_BYTEORDER, 0x12345678);
            assertEquals(PCI_VGA_QEXT_LITTLE_ENDIAN, rig.mem.readInt(qext + PCI_VGA_QEXT_REG_BYTEORDER), "other values are ignored");
            rig.mem.writeInt(qext + PCI_VGA_QEXT_REG_BYTEORDER, PCI_VGA_QEXT_BIG_ENDIAN);
            assertEquals(PCI_VGA_QEXT_BIG_ENDIAN, rig.mem.readInt(qext + PCI_VGA_QEXT_REG_BYTEORDER));
            rig.setMode(64, 64, 32);
            rig.mem.writeInt(Rig.FB, 0x44332211); // bytes 11 22 33 44: x, R, G, B in big-endian order
            assertEquals(0x223344, rig.picture()[0]);
        }
    }

    @Test
    void mmioWindowGoesThroughTheIndexRegisterOnStdVga() {
        try (Rig rig = new Rig(true).placed()) {
            rig.dispiRead(VBE_DISPI_INDEX_BPP);
            assertEquals(VBE_DISPI_INDEX_BPP, rig.io.inw(VBE_DISPI_IOPORT_INDEX));
            rig.mem.write(Rig.MMIO + PCI_VGA_BOCHS_OFFSET + 2, 4, 800 | 600L << 16); // XRES and YRES in one dword
            assertEquals(800, rig.portRead(VBE_DISPI_INDEX_XRES));
            assertEquals(600, rig.portRead(VBE_DISPI_INDEX_YRES));
        }
    }

    @Test
    void randomRegisterTrafficNeverThrows() {
        for (boolean std : new boolean[] {true, false}) {
            try (Rig rig = new Rig(std).placed()) {
                Random random = new Random(12);
                int[] sizes = {1, 2, 4, 8};
                for (int i = 0; i < 20_000; i++) {
                    int size = sizes[random.nextInt(4)];
                    long at = Rig.MMIO + (random.nextInt(0x1000) & ~(size - 1));
                    switch (random.nextInt(5)) {
                        case 0 -> rig.mem.write(at, size, random.nextLong());
                        case 1 -> rig.mem.read(at, size);
                        case 2 -> rig.io.write(0x1CE + random.nextInt(2), 2, random.nextInt(0x10000));
                        case 3 -> rig.io.write(0x3C6 + random.nextInt(4), 1, random.nextInt(256));
                        default -> rig.dispiWrite(random.nextInt(16), random.nextInt(0x10000));
                    }
                    if (rig.vga.scanout().width() > 0 && i % 500 == 0) {
                        rig.picture();
                    }
                }
                rig.setMode(640, 480, 32);
                rig.mem.writeInt(Rig.FB, 0xABCDEF);
                assertEquals(0xABCDEF, rig.picture()[0], "still a working adapter");
            }
        }
    }

    @Test
    void aBurstThroughTheBusLandsAsByteWritesWould() {
        try (Rig rig = new Rig(false).placed()) {
            byte[] data = new byte[10_000];
            new Random(3).nextBytes(data);
            rig.mem.write(Rig.FB + 3, data, 0, data.length);
            byte[] back = new byte[data.length];
            rig.mem.read(Rig.FB + 3, back, 0, back.length);
            assertArrayEquals(data, back);
            for (int i = 0; i < 100; i++) {
                assertEquals(data[i] & 0xFF, rig.mem.readByte(Rig.FB + 3 + i));
            }
            // A burst running past the end of the window stops at the window's edge: open bus.
            long end = Rig.FB + (16 << 20);
            byte[] tail = new byte[8];
            rig.mem.read(end - 4, tail, 0, 8);
            assertEquals(-1, tail[7]);
            assertTrue(rig.vga.videoMemorySize() == 16 << 20);
        }
    }

    @Test
    void vgaPortsAreReachableThroughBar2OnStdVgaOnly() {
        try (Rig rig = new Rig(true).placed()) {
            long dac = Rig.MMIO + PCI_VGA_IOPORT_OFFSET + (0x3C8 - 0x3C0);
            rig.mem.writeShort(dac, 9 | 0x2A << 8); // index 9, then its red in one word
            rig.mem.writeByte(dac + 1, 0x15);
            rig.mem.writeByte(dac + 1, 0x3F);
            rig.io.outb(0x3C7, 9);
            assertEquals(0x2A, rig.io.inb(0x3C9));
            assertEquals(0x15, rig.io.inb(0x3C9));
            assertEquals(0x3F, rig.io.inb(0x3C9));
            assertEquals(10, rig.mem.readByte(dac), "the write index moved on to the next entry");
        }
        try (Rig rig = new Rig(false).placed()) {
            assertEquals(0xFF, rig.mem.readByte(Rig.MMIO + PCI_VGA_IOPORT_OFFSET + 8), "bochs-display has no VGA ports");
            assertEquals(0xFF, rig.io.inb(0x3C8));
        }
    }
}
