package org.alosj.hw.display.impl;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;

/**
 * The std VGA's 80×25 colour text mode, as the adapter shows it after power-on (mode 3): the
 * text buffer the CPU sees at 0xB8000 (a character byte and an attribute byte a cell, odd/even
 * addressing folded into one array), the CRT controller's start address, cursor location and
 * cursor shape (ports 0x3D4/0x3D5), and a picture of 720×400: cells of 9×16 pixels drawn from
 * the character generator, whose glyphs the video BIOS loads into plane 2 at power-on — here the
 * code page 437 glyphs of the console font, a deliberate copy below the bus line (drivers-fb's
 * font-8x16.bin, baked from DejaVu Sans Mono). The ninth column repeats the eighth for the line
 * drawing characters 0xC0–0xDF, as the attribute controller's line graphics enable does.
 * Attribute: foreground bits 0–3, background bits 4–6 through the 16 standard colours; bit 7
 * (blink) shows as a steady background, as with blinking turned off.
 */
final class TextMode {
    static final int COLUMNS = 80;
    static final int ROWS = 25;
    static final int CELL_WIDTH = 9;
    static final int CELL_HEIGHT = 16;
    static final int WIDTH = COLUMNS * CELL_WIDTH;
    static final int HEIGHT = ROWS * CELL_HEIGHT;
    /** The text window's base and size (graphics controller memory map 3: B8000–BFFFF). */
    static final long WINDOW_BASE = 0xB8000;
    static final int WINDOW_SIZE = 0x8000;

    static final int CRTC_INDEX = 0x3D4;
    static final int CRTC_DATA = 0x3D5;
    static final int CRTC_CURSOR_START = 0x0A;
    static final int CRTC_CURSOR_END = 0x0B;
    static final int CRTC_START_HIGH = 0x0C;
    static final int CRTC_START_LOW = 0x0D;
    static final int CRTC_CURSOR_HIGH = 0x0E;
    static final int CRTC_CURSOR_LOW = 0x0F;
    private static final int CRTC_REGISTERS = 0x19;
    private static final int CURSOR_DISABLE = 0x20;

    /** The 16 text colours as the BIOS programs the DAC at power-on (0xAA and 0x55 levels). */
    private static final int[] COLOURS = {
        0x000000, 0x0000AA, 0x00AA00, 0x00AAAA, 0xAA0000, 0xAA00AA, 0xAA5500, 0xAAAAAA,
        0x555555, 0x5555FF, 0x55FF55, 0x55FFFF, 0xFF5555, 0xFF55FF, 0xFFFF55, 0xFFFFFF,
    };

    private final byte[] buffer = new byte[WINDOW_SIZE];
    private final byte[][] glyphs = new byte[256][];
    private final int[] crtc = new int[CRTC_REGISTERS];
    private int crtcIndex;

    TextMode() {
        loadFont();
        reset();
    }

    /** Power-on state: a blank screen of grey on black, the cursor two lines high at the top left. */
    synchronized void reset() {
        for (int i = 0; i < WINDOW_SIZE; i += 2) {
            buffer[i] = ' ';
            buffer[i + 1] = 0x07;
        }
        java.util.Arrays.fill(crtc, 0);
        crtc[CRTC_CURSOR_START] = 0x0D;
        crtc[CRTC_CURSOR_END] = 0x0E;
        crtcIndex = 0;
    }

    private void loadFont() {
        Charset cp437 = Charset.forName("IBM437");
        java.util.Map<Integer, byte[]> unicode = new java.util.HashMap<>();
        try (InputStream in = TextMode.class.getResourceAsStream("vga-font-8x16.bin")) {
            if (in == null) {
                throw new IllegalStateException("vga-font-8x16.bin is missing from the bundle");
            }
            DataInputStream data = new DataInputStream(in);
            data.readNBytes(12); // magic, width, height
            int count = data.readInt();
            for (int i = 0; i < count; i++) {
                int code = data.readInt();
                unicode.put(code, data.readNBytes(CELL_HEIGHT));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the VGA font: " + e.getMessage(), e);
        }
        byte[] blank = new byte[CELL_HEIGHT];
        for (int c = 0; c < 256; c++) {
            int cp = new String(new byte[] {(byte) c}, cp437).codePointAt(0);
            glyphs[c] = c == 0 ? blank : unicode.getOrDefault(cp, unicode.getOrDefault((int) '?', blank));
        }
    }

    // ---- the CPU's side ----

    synchronized int read(int offset) {
        return buffer[offset] & 0xFF;
    }

    synchronized void write(int offset, int value) {
        buffer[offset] = (byte) value;
    }

    synchronized int crtcRead(int port) {
        return port == CRTC_INDEX ? crtcIndex : crtcIndex < CRTC_REGISTERS ? crtc[crtcIndex] : 0xFF;
    }

    /** Returns true when the write changed what the whole screen shows (start address, cursor). */
    synchronized boolean crtcWrite(int port, int value) {
        if (port == CRTC_INDEX) {
            crtcIndex = value & 0x3F;
            return false;
        }
        if (crtcIndex >= CRTC_REGISTERS) {
            return false;
        }
        crtc[crtcIndex] = value & 0xFF;
        return crtcIndex >= CRTC_CURSOR_START && crtcIndex <= CRTC_CURSOR_LOW;
    }

    /** The screen rectangle a write to buffer bytes [offset, offset + length) may have changed. */
    synchronized int[] damage(int offset, int length) {
        int start = startCell() * 2;
        int from = Math.max(0, offset - start) / 2;
        int to = (offset + length - 1 - start) / 2;
        if (offset + length <= start || from >= COLUMNS * ROWS) {
            return null;
        }
        to = Math.min(to, COLUMNS * ROWS - 1);
        int row0 = from / COLUMNS;
        int row1 = to / COLUMNS;
        if (row0 == row1) {
            return new int[] {(from % COLUMNS) * CELL_WIDTH, row0 * CELL_HEIGHT,
                (to - from + 1) * CELL_WIDTH, CELL_HEIGHT};
        }
        return new int[] {0, row0 * CELL_HEIGHT, WIDTH, (row1 - row0 + 1) * CELL_HEIGHT};
    }

    private int startCell() {
        return crtc[CRTC_START_HIGH] << 8 | crtc[CRTC_START_LOW];
    }

    // ---- the picture ----

    /** Draws the rectangle of the 720×400 picture into {@code target} as 0xRRGGBB. */
    synchronized void render(int x, int y, int width, int height, int[] target, int offset, int scanline) {
        int start = startCell();
        int cursor = crtc[CRTC_CURSOR_HIGH] << 8 | crtc[CRTC_CURSOR_LOW];
        boolean cursorOn = (crtc[CRTC_CURSOR_START] & CURSOR_DISABLE) == 0;
        int cursorFrom = crtc[CRTC_CURSOR_START] & 0x1F;
        int cursorTo = crtc[CRTC_CURSOR_END] & 0x1F;
        for (int py = y; py < y + height; py++) {
            int row = py / CELL_HEIGHT;
            int line = py % CELL_HEIGHT;
            int out = offset + (py - y) * scanline;
            for (int px = x; px < x + width; px++) {
                int col = px / CELL_WIDTH;
                int dot = px % CELL_WIDTH;
                int cell = start + row * COLUMNS + col;
                int at = (cell * 2) & (WINDOW_SIZE - 1);
                int ch = buffer[at] & 0xFF;
                int attr = buffer[at + 1] & 0xFF;
                byte[] glyph = glyphs[ch];
                boolean ink;
                if (dot < 8) {
                    ink = (glyph[line] & (0x80 >> dot)) != 0;
                } else {
                    ink = ch >= 0xC0 && ch <= 0xDF && (glyph[line] & 1) != 0;
                }
                if (cursorOn && cell == cursor && line >= cursorFrom && line <= cursorTo) {
                    ink = true;
                }
                target[out + px - x] = ink ? COLOURS[attr & 0x0F] : COLOURS[(attr >> 4) & 0x07];
            }
        }
    }

    /** The cell rectangle of the cursor, to damage it when it moves. */
    synchronized int[] cursorCell() {
        int cursor = (crtc[CRTC_CURSOR_HIGH] << 8 | crtc[CRTC_CURSOR_LOW]) - startCell();
        if (cursor < 0 || cursor >= COLUMNS * ROWS) {
            return null;
        }
        return new int[] {(cursor % COLUMNS) * CELL_WIDTH, (cursor / COLUMNS) * CELL_HEIGHT, CELL_WIDTH, CELL_HEIGHT};
    }
}
