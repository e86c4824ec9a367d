package org.alosj.gui.impl;

/** Where the composed picture goes: the framebuffer the desktop owns while it runs. */
interface Screen {
    int width();

    int height();

    /** Shows a rectangle of {@code pixels} (0xRRGGBB, {@code scanline} ints per row) at (x, y). */
    void show(int x, int y, int width, int height, int[] pixels, int offset, int scanline);
}
