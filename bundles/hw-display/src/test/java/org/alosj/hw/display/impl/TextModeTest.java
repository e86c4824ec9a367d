package org.alosj.hw.display.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.alosj.hal.display.DisplaySurface;
import org.junit.jupiter.api.Test;

/**
 * The std VGA's text mode as a PC shows it after power-on: 80×25 cells of 9×16 at 720×400 from
 * the text window at 0xB8000 (character, then attribute), the CRTC's start address and cursor
 * (0x3D4/0x3D5), damage for what changed; bochs-display has no text mode and shows nothing.
 */
class TextModeTest {
    private static final long TEXT = 0xB8000;

    /** The font's glyph rows for a character, read from the resource as the model reads it. */
    private static byte[] glyph(int codePoint) throws Exception {
        try (InputStream in = TextMode.class.getResourceAsStream("vga-font-8x16.bin")) {
            DataInputStream data = new DataInputStream(in);
            data.readNBytes(12);
            int count = data.readInt();
            for (int i = 0; i < count; i++) {
                int code = data.readInt();
                byte[] rows = data.readNBytes(16);
                if (code == codePoint) {
                    return rows;
                }
            }
        }
        throw new AssertionError("no glyph for " + codePoint);
    }

    private static void put(Rig rig, int col, int row, char c, int attribute) {
        rig.mem.write(TEXT + (row * 80L + col) * 2, 1, c);
        rig.mem.write(TEXT + (row * 80L + col) * 2 + 1, 1, attribute);
    }

    private static void crtc(Rig rig, int index, int value) {
        rig.io.outb(0x3D4, index);
        rig.io.outb(0x3D5, value);
    }

    @Test
    void afterPowerOnTheStdVgaShows80By25TextFromB8000() throws Exception {
        try (Rig rig = new Rig(true)) {
            Scanout s = rig.vga.scanout();
            assertEquals(720, s.width());
            assertEquals(400, s.height());
            crtc(rig, 0x0A, 0x20); // cursor off: the cell shows only its character
            put(rig, 2, 1, 'H', 0x1F); // white on blue
            assertEquals('H', rig.mem.read(TEXT + (80 + 2) * 2, 1));
            int[] p = rig.picture();
            byte[] h = glyph('H');
            for (int y = 0; y < 16; y++) {
                for (int x = 0; x < 9; x++) {
                    boolean ink = x < 8 && (h[y] & (0x80 >> x)) != 0;
                    assertEquals(ink ? 0xFFFFFF : 0x0000AA, p[(16 + y) * 720 + 18 + x], "pixel " + x + "," + y);
                }
            }
            // An untouched cell is a blank in grey on black.
            assertEquals(0x000000, p[300 * 720 + 400]);
        }
    }

    @Test
    void theCursorIsAnUnderlineAtTheCrtcsLocationAndMovesWithDamage() throws Exception {
        try (Rig rig = new Rig(true)) {
            List<int[]> damage = new ArrayList<>();
            rig.vga.scanout().addListener(new DisplaySurface.Listener() {
                @Override
                public void damaged(int x, int y, int width, int height) {
                    damage.add(new int[] {x, y, width, height});
                }

                @Override
                public void modeChanged(int width, int height) {
                }
            });
            crtc(rig, 0x0E, 0);
            crtc(rig, 0x0F, 81); // row 1, column 1
            int[] p = rig.picture();
            assertEquals(0xAAAAAA, p[(16 + 14) * 720 + 9 + 3], "cursor lines 13-14 in the cell's grey");
            assertEquals(0x000000, p[(16 + 5) * 720 + 9 + 3]);
            assertFalse(damage.isEmpty());
            int[] last = damage.get(damage.size() - 1);
            assertEquals(List.of(9, 16, 9, 16), List.of(last[0], last[1], last[2], last[3]));
            damage.clear();
            put(rig, 5, 3, 'x', 0x07);
            assertTrue(damage.stream().anyMatch(d -> d[0] == 45 && d[1] == 48 && d[2] == 9 && d[3] == 16),
                    "a character's cell is damaged");
        }
    }

    @Test
    void theStartAddressScrollsThePicture() throws Exception {
        try (Rig rig = new Rig(true)) {
            crtc(rig, 0x0A, 0x20);
            put(rig, 0, 1, 'A', 0x0F);
            int[] before = rig.picture();
            crtc(rig, 0x0C, 0);
            crtc(rig, 0x0D, 80); // start one row down: row 1 shows at the top
            int[] after = rig.picture();
            for (int y = 0; y < 16; y++) {
                for (int x = 0; x < 9; x++) {
                    assertEquals(before[(16 + y) * 720 + x], after[y * 720 + x]);
                }
            }
            assertEquals(80, rig.io.inb(0x3D5));
        }
    }

    @Test
    void aDriverSettingAModeLeavesTextModeAndDisablingDispiComesBack() throws Exception {
        try (Rig rig = new Rig(true).placed()) {
            rig.setMode(640, 480, 32);
            assertEquals(640, rig.vga.scanout().width());
            rig.dispiWrite(BochsVga.VBE_DISPI_INDEX_ENABLE, 0);
            assertEquals(720, rig.vga.scanout().width());
        }
    }

    @Test
    void bochsDisplayHasNoTextModeAndTheWindowStaysUnclaimed() throws Exception {
        try (Rig rig = new Rig(false)) {
            assertEquals(0, rig.vga.scanout().width());
            rig.mem.write(TEXT, 1, 'Z');
            assertEquals(0xFF, rig.mem.read(TEXT, 1), "nothing answers in the legacy window");
        }
    }

    @Test
    void thePcsLegacyWindowIsNotRam() {
        try (Rig rig = new Rig(false)) {
            assertEquals(-1, rig.mem.ramOffset(0xB8000));
            assertEquals(0x9F000, rig.mem.ramOffset(0x9F000));
            assertEquals(0xC0000, rig.mem.ramOffset(0xC0000));
        }
    }

    @Test
    void cp437LineDrawingFillsTheNinthColumn() throws Exception {
        try (Rig rig = new Rig(true)) {
            crtc(rig, 0x0A, 0x20);
            put(rig, 0, 0, (char) 0xC4, 0x07); // ─
            put(rig, 1, 0, '-', 0x07);
            int[] p = rig.picture();
            Map<Integer, Integer> ninth = new HashMap<>();
            for (int y = 0; y < 16; y++) {
                if (p[y * 720 + 7] != 0) {
                    ninth.put(y, p[y * 720 + 8]);
                }
            }
            assertFalse(ninth.isEmpty(), "the box line has ink in column 8");
            ninth.values().forEach(v -> assertEquals(0xAAAAAA, v));
            for (int y = 0; y < 16; y++) {
                assertEquals(0, p[y * 720 + 9 + 8], "an ordinary character's ninth column is background");
            }
        }
    }
}
