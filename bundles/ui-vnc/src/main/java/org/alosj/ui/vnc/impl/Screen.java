package org.alosj.ui.vnc.impl;

/**
 * What the server shows and where input goes: the display adapter's picture and the keyboard
 * and mouse models, or their absence. The server implements it over the services; tests over
 * their own surface.
 */
interface Screen {
    /** Width in pixels; when the adapter shows nothing, the size of the blank picture offered instead. */
    int width();

    int height();

    /** Copies a rectangle inside the current size, rows {@code scanline} apart; blank (black) when nothing is shown. */
    void read(int x, int y, int width, int height, int[] target, int offset, int scanline);

    void key(int linuxKeyCode, boolean down);

    void pointer(int dx, int dy, int wheel, int buttons);
}
