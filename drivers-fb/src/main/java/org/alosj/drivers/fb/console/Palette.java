package org.alosj.drivers.fb.console;

/**
 * The console's colours: the 16 of Linux's VGA console (its default {@code vt.default_red} …
 * table), then xterm's 6×6×6 cube and 24 greys for the 256-colour SGR forms.
 */
final class Palette {
    static final int DEFAULT_FOREGROUND = 7;
    static final int DEFAULT_BACKGROUND = 0;
    private static final int[] COLOURS = new int[256];

    static {
        int[] vga = {0x000000, 0xAA0000, 0x00AA00, 0xAA5500, 0x0000AA, 0xAA00AA, 0x00AAAA, 0xAAAAAA,
            0x555555, 0xFF5555, 0x55FF55, 0xFFFF55, 0x5555FF, 0xFF55FF, 0x55FFFF, 0xFFFFFF};
        System.arraycopy(vga, 0, COLOURS, 0, 16);
        int[] level = {0, 95, 135, 175, 215, 255};
        for (int i = 0; i < 216; i++) {
            COLOURS[16 + i] = level[i / 36] << 16 | level[i / 6 % 6] << 8 | level[i % 6];
        }
        for (int i = 0; i < 24; i++) {
            int g = 8 + 10 * i;
            COLOURS[232 + i] = g << 16 | g << 8 | g;
        }
    }

    private Palette() {
    }

    static int rgb(int index) {
        return COLOURS[index & 0xFF];
    }

    /** The palette entry closest to a true colour (SGR 38;2 on a 256-colour cell). */
    static int nearest(int red, int green, int blue) {
        int best = 0;
        long bestDistance = Long.MAX_VALUE;
        for (int i = 0; i < 256; i++) {
            int c = COLOURS[i];
            long dr = (c >> 16 & 0xFF) - red;
            long dg = (c >> 8 & 0xFF) - green;
            long db = (c & 0xFF) - blue;
            long d = dr * dr + dg * dg + db * db;
            if (d < bestDistance) {
                bestDistance = d;
                best = i;
            }
        }
        return best;
    }

    /** A cell's colours as drawn: {foreground, background}, bold brightening the 8 basic ones. */
    static void resolve(int style, int[] out) {
        int fg = Vt.foreground(style);
        int bg = Vt.background(style);
        if (fg == Vt.DEFAULT_COLOUR) {
            fg = DEFAULT_FOREGROUND;
        }
        if (bg == Vt.DEFAULT_COLOUR) {
            bg = DEFAULT_BACKGROUND;
        }
        if ((style & Vt.BOLD) != 0 && fg < 8) {
            fg += 8;
        }
        int f = rgb(fg);
        if ((style & Vt.DIM) != 0) {
            f = (f >> 1) & 0x7F7F7F;
        }
        int b = rgb(bg);
        if ((style & Vt.REVERSE) != 0) {
            out[0] = b;
            out[1] = f;
        } else {
            out[0] = f;
            out[1] = b;
        }
    }
}
