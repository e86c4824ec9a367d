package org.alosj.gui.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Drawing on a window's content area. Colours are 0xRRGGBB; coordinates are pixels from the
 * top left of the area; everything is clipped to it.
 */
@ProviderType
public interface Canvas {
    int width();

    int height();

    void fill(int x, int y, int width, int height, int rgb);

    void line(int x0, int y0, int x1, int y1, int rgb);

    void rectangle(int x, int y, int width, int height, int rgb);

    /** Draws antialiased text with its top at {@code y}; returns the x after it. */
    int text(int x, int y, String text, int rgb, TextStyle style);

    /** Width of {@code text} in pixels. */
    int textWidth(String text, TextStyle style);

    /** Height of a line of text in pixels. */
    int lineHeight(TextStyle style);

    /** Copies pixels (0xRRGGBB, {@code scanline} ints per row) onto the canvas. */
    void image(int x, int y, int width, int height, int[] pixels, int offset, int scanline);

    /** Copies a rectangle of the canvas out into {@code pixels} (0xRRGGBB, {@code scanline} ints per row). */
    void read(int x, int y, int width, int height, int[] pixels, int offset, int scanline);

    /** Moves a rectangle of the canvas by (dx, dy), as a scroll does. */
    void copy(int x, int y, int width, int height, int dx, int dy);

    enum TextStyle { REGULAR, BOLD, MONOSPACE }
}
