package org.alosj.hw.display.impl;

import static org.alosj.hw.display.impl.BochsVga.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.alosj.hal.display.DisplaySurface;
import org.junit.jupiter.api.Test;

/** The picture as a monitor sees it: pixels as 0xRRGGBB for every depth, and damage. */
class ScanoutTest {
    static final class Recorder implements DisplaySurface.Listener {
        final List<String> events = new ArrayList<>();

        @Override
        public void damaged(int x, int y, int width, int height) {
            events.add("damage " + x + "," + y + " " + width + "x" + height);
        }

        @Override
        public void modeChanged(int width, int height) {
            events.add("mode " + width + "x" + height);
        }
    }

    @Test
    void thirtyTwoBitPixelsAreBgrxInMemory() {
        try (Rig rig = new Rig(false).placed()) {
            rig.setMode(640, 480, 32);
            rig.mem.write(Rig.FB + 4 * 5, new byte[] {0x33, 0x22, 0x11, 0x7F}, 0, 4);
            assertEquals(0x112233, rig.picture()[5], "the unused byte does not show");
        }
    }

    @Test
    void sixteenFifteenAndTwentyFourBitPixels() {
        try (Rig rig = new Rig(true).placed()) {
            rig.setMode(640, 480, 16);
            rig.mem.writeShort(Rig.FB, 0xF800); // pure red in 5:6:5
            rig.mem.writeShort(Rig.FB + 2, 0x07E0);
            assertEquals(0xFF0000, rig.picture()[0]);
            assertEquals(0x00FF00, rig.picture()[1]);
            rig.setMode(640, 480, 15);
            rig.mem.writeShort(Rig.FB, 0x001F); // blue in 1:5:5:5
            rig.mem.writeShort(Rig.FB + 2, 0x7C00);
            assertEquals(0x0000FF, rig.picture()[0]);
            assertEquals(0xFF0000, rig.picture()[1]);
            rig.setMode(640, 480, 24);
            rig.mem.write(Rig.FB + 3, new byte[] {0x01, 0x02, 0x03}, 0, 3);
            assertEquals(0x030201, rig.picture()[1]);
        }
    }

    @Test
    void eightBitPixelsGoThroughTheDac() {
        try (Rig rig = new Rig(true).placed()) {
            rig.setMode(640, 480, 8);
            rig.io.outb(0x3C8, 7);
            rig.io.outb(0x3C9, 0x3F);
            rig.io.outb(0x3C9, 0x20);
            rig.io.outb(0x3C9, 0x00);
            rig.mem.writeByte(Rig.FB + 1, 7);
            assertEquals(0xFF8200, rig.picture()[1], "6-bit DAC values widen to 8 bits");
            rig.io.outb(0x3C7, 7);
            assertEquals(0x3F, rig.io.inb(0x3C9));
            rig.dispiWrite(VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_8BIT_DAC | VBE_DISPI_NOCLEARMEM);
            assertEquals(0x3F2000, rig.picture()[1], "with the 8-bit DAC the values are taken as they are");
        }
    }

    @Test
    void aStoreDamagesItsPixelsAndABurstItsRows() {
        try (Rig rig = new Rig(false).placed()) {
            Recorder rec = new Recorder();
            rig.vga.scanout().addListener(rec);
            rig.setMode(640, 480, 32);
            assertEquals("mode 640x480", rec.events.get(rec.events.size() - 1));
            rec.events.clear();
            rig.mem.writeLong(Rig.FB + (10 * 640 + 3) * 4L, -1L);
            rig.mem.write(Rig.FB + 640 * 4L * 100 + 8, new byte[640 * 4 * 2], 0, 640 * 4 * 2);
            rig.mem.writeInt(Rig.FB + (16 << 20) - 4, 1); // past the picture: no damage
            assertEquals(List.of("damage 3,10 2x1", "damage 0,100 640x3"), rec.events);
            rig.dispiWrite(VBE_DISPI_INDEX_ENABLE, 0);
            assertEquals("mode 0x0", rec.events.get(rec.events.size() - 1));
            rig.vga.scanout().removeListener(rec);
        }
    }

    @Test
    void readingOutsideThePictureIsRefused() {
        try (Rig rig = new Rig(false).placed()) {
            rig.setMode(640, 480, 32);
            int[] into = new int[10];
            assertThrows(IndexOutOfBoundsException.class, () -> rig.vga.scanout().read(635, 0, 10, 1, into, 0, 10));
            assertThrows(IndexOutOfBoundsException.class, () -> rig.vga.scanout().read(0, 0, 10, 2, into, 0, 10));
        }
    }

    @Test
    void yOffsetPansThePicture() {
        try (Rig rig = new Rig(true).placed()) {
            rig.setMode(640, 480, 32);
            rig.mem.writeInt(Rig.FB + 480L * 640 * 4, 0x00ABCD);
            rig.dispiWrite(VBE_DISPI_INDEX_Y_OFFSET, 480);
            assertEquals(0x00ABCD, rig.picture()[0], "the second page is shown");
        }
    }
}
