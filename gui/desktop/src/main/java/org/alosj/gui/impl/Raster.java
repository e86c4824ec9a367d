package org.alosj.gui.impl;

import org.alosj.gui.api.Canvas;

/**
 * A picture in memory, 0xRRGGBB ints row after row, with the drawing primitives; every operation
 * is clipped to the raster. Window contents, the task bar and the composed screen are rasters.
 */
final class Raster implements Canvas {
    final int width;
    final int height;
    final int[] pixels;
    private final Fonts fonts;

    Raster(int width, int height, Fonts fonts) {
        this.width = Math.max(0, width);
        this.height = Math.max(0, height);
        this.pixels = new int[this.width * this.height];
        this.fonts = fonts;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    Rect bounds() {
        return new Rect(0, 0, width, height);
    }

    @Override
    public void fill(int x, int y, int w, int h, int rgb) {
        Rect c = new Rect(x, y, w, h).intersect(bounds());
        for (int row = c.y(); row < c.bottom(); row++) {
            int base = row * width;
            java.util.Arrays.fill(pixels, base + c.x(), base + c.right(), rgb & 0xffffff);
        }
    }

    @Override
    public void rectangle(int x, int y, int w, int h, int rgb) {
        if (w <= 0 || h <= 0) {
            return;
        }
        fill(x, y, w, 1, rgb);
        fill(x, y + h - 1, w, 1, rgb);
        fill(x, y, 1, h, rgb);
        fill(x + w - 1, y, 1, h, rgb);
    }

    @Override
    public void line(int x0, int y0, int x1, int y1, int rgb) {
        // Bresenham over all octants; points outside the raster are skipped, not clipped
        // analytically: lines here are short (widgets, graphs).
        int dx = Math.abs(x1 - x0);
        int dy = -Math.abs(y1 - y0);
        int sx = x0 < x1 ? 1 : -1;
        int sy = y0 < y1 ? 1 : -1;
        int err = dx + dy;
        int x = x0;
        int y = y0;
        int guard = dx - dy + 1;
        while (guard-- > 0) {
            plot(x, y, rgb);
            if (x == x1 && y == y1) {
                break;
            }
            int e2 = 2 * err;
            if (e2 >= dy) {
                err += dy;
                x += sx;
            }
            if (e2 <= dx) {
                err += dx;
                y += sy;
            }
        }
    }

    void plot(int x, int y, int rgb) {
        if (x >= 0 && y >= 0 && x < width && y < height) {
            pixels[y * width + x] = rgb & 0xffffff;
        }
    }

    @Override
    public int text(int x, int y, String text, int rgb, TextStyle style) {
        GlyphAtlas font = fonts.of(style);
        int pen = x;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            GlyphAtlas.Glyph g = font.glyph(cp);
            blend(pen + g.xOffset(), y, g.width(), font.lineHeight(), g.coverage(), rgb);
            pen += g.advance();
        }
        return pen;
    }

    /** Lays {@code rgb} over the raster with the given per-pixel coverage (0–255), gamma ignored. */
    private void blend(int x, int y, int w, int h, byte[] coverage, int rgb) {
        Rect c = new Rect(x, y, w, h).intersect(bounds());
        int fr = (rgb >> 16) & 0xff;
        int fg = (rgb >> 8) & 0xff;
        int fb = rgb & 0xff;
        for (int row = c.y(); row < c.bottom(); row++) {
            int src = (row - y) * w + (c.x() - x);
            int dst = row * width + c.x();
            for (int col = c.x(); col < c.right(); col++, src++, dst++) {
                int a = coverage[src] & 0xff;
                if (a == 0) {
                    continue;
                }
                if (a == 255) {
                    pixels[dst] = rgb & 0xffffff;
                    continue;
                }
                int bg = pixels[dst];
                int r = ((bg >> 16) & 0xff) + ((fr - ((bg >> 16) & 0xff)) * a + 127) / 255;
                int gg = ((bg >> 8) & 0xff) + ((fg - ((bg >> 8) & 0xff)) * a + 127) / 255;
                int b = (bg & 0xff) + ((fb - (bg & 0xff)) * a + 127) / 255;
                pixels[dst] = (r << 16) | (gg << 8) | b;
            }
        }
    }

    @Override
    public int textWidth(String text, TextStyle style) {
        return fonts.of(style).width(text);
    }

    @Override
    public int lineHeight(TextStyle style) {
        return fonts.of(style).lineHeight();
    }

    @Override
    public void image(int x, int y, int w, int h, int[] src, int offset, int scanline) {
        Rect c = new Rect(x, y, w, h).intersect(bounds());
        for (int row = c.y(); row < c.bottom(); row++) {
            int from = offset + (row - y) * scanline + (c.x() - x);
            if (from < 0 || from + c.width() > src.length) {
                throw new IllegalArgumentException("image: source too small for " + w + "x" + h);
            }
            System.arraycopy(src, from, pixels, row * width + c.x(), c.width());
        }
    }

    @Override
    public void read(int x, int y, int w, int h, int[] dst, int offset, int scanline) {
        Rect c = new Rect(x, y, w, h).intersect(bounds());
        for (int row = c.y(); row < c.bottom(); row++) {
            int to = offset + (row - y) * scanline + (c.x() - x);
            if (to < 0 || to + c.width() > dst.length) {
                throw new IllegalArgumentException("read: target too small for " + w + "x" + h);
            }
            System.arraycopy(pixels, row * width + c.x(), dst, to, c.width());
        }
    }

    @Override
    public void copy(int x, int y, int w, int h, int dx, int dy) {
        // Clip both the source and the destination, then copy rows in the order that never
        // reads a row already overwritten.
        Rect src = new Rect(x, y, w, h).intersect(bounds()).translate(dx, dy).intersect(bounds()).translate(-dx, -dy);
        if (src.isEmpty()) {
            return;
        }
        if (dy > 0) {
            for (int row = src.bottom() - 1; row >= src.y(); row--) {
                System.arraycopy(pixels, row * width + src.x(), pixels, (row + dy) * width + src.x() + dx, src.width());
            }
        } else {
            for (int row = src.y(); row < src.bottom(); row++) {
                System.arraycopy(pixels, row * width + src.x(), pixels, (row + dy) * width + src.x() + dx, src.width());
            }
        }
    }

    /** Copies a rectangle of this raster onto {@code target} at (tx, ty); both clipped. */
    void drawOnto(Raster target, Rect part, int tx, int ty) {
        Rect c = part.intersect(bounds());
        Rect dst = new Rect(tx + c.x() - part.x(), ty + c.y() - part.y(), c.width(), c.height()).intersect(target.bounds());
        int sx = c.x() + (dst.x() - (tx + c.x() - part.x()));
        int sy = c.y() + (dst.y() - (ty + c.y() - part.y()));
        for (int row = 0; row < dst.height(); row++) {
            System.arraycopy(pixels, (sy + row) * width + sx, target.pixels, (dst.y() + row) * target.width + dst.x(), dst.width());
        }
    }
}
