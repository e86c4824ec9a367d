package org.alosj.gui.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alosj.gui.api.Canvas.TextStyle;
import org.junit.jupiter.api.Test;

class RasterTest {
    private final Fonts fonts = new Fonts();

    @Test
    void textIsTheGlyphCoverageBlendedOverTheBackground() {
        Raster r = new Raster(100, 30, fonts);
        r.fill(0, 0, 100, 30, 0x000000);
        int end = r.text(5, 3, "A", 0xffffff, TextStyle.MONOSPACE);
        GlyphAtlas mono = fonts.of(TextStyle.MONOSPACE);
        GlyphAtlas.Glyph a = mono.glyph('A');
        assertEquals(5 + a.advance(), end);
        int inked = 0;
        for (int y = 0; y < mono.lineHeight(); y++) {
            for (int x = 0; x < a.width(); x++) {
                int cov = a.coverage()[y * a.width() + x] & 0xff;
                int px = r.pixels[(3 + y) * 100 + 5 + a.xOffset() + x];
                // White over black: each channel is the coverage itself.
                assertEquals(cov, px & 0xff, "pixel " + x + "," + y);
                assertEquals(px & 0xff, (px >> 16) & 0xff);
                if (cov > 0) {
                    inked++;
                }
            }
        }
        assertTrue(inked > 20, "an A has ink: " + inked);
        assertTrue(mono.has('é') && mono.has('€'), "Latin-1 and the euro sign are in the atlas");
    }

    @Test
    void monospaceGlyphsShareOneAdvance() {
        GlyphAtlas mono = fonts.of(TextStyle.MONOSPACE);
        assertEquals(mono.glyph('i').advance(), mono.glyph('W').advance());
        GlyphAtlas sans = fonts.of(TextStyle.REGULAR);
        assertTrue(sans.glyph('i').advance() < sans.glyph('W').advance());
    }

    @Test
    void copyMovesOverlappingRowsWithoutSmearing() {
        Raster r = new Raster(4, 6, fonts);
        for (int y = 0; y < 6; y++) {
            r.fill(0, y, 4, 1, y);
        }
        r.copy(0, 0, 4, 5, 0, 1);
        for (int y = 1; y < 6; y++) {
            assertEquals(y - 1, r.pixels[y * 4]);
        }
        r.copy(0, 1, 4, 5, 0, -1);
        for (int y = 0; y < 5; y++) {
            assertEquals(y, r.pixels[y * 4]);
        }
    }

    @Test
    void drawingOutsideIsClippedNotAnError() {
        Raster r = new Raster(10, 10, fonts);
        r.fill(-5, -5, 100, 100, 0x010203);
        r.line(-20, -20, 30, 30, 0xffffff);
        r.text(8, 8, "clipped text", 0xffffff, TextStyle.REGULAR);
        r.copy(-3, -3, 20, 20, 7, 7);
        r.image(5, 5, 10, 10, new int[100], 0, 10);
        assertEquals(0, r.pixels[99]);
    }

    @Test
    void lineDrawsBothEnds() {
        Raster r = new Raster(20, 20, fonts);
        r.line(2, 17, 15, 3, 0xffffff);
        assertEquals(0xffffff, r.pixels[17 * 20 + 2]);
        assertEquals(0xffffff, r.pixels[3 * 20 + 15]);
    }

    @Test
    void damageMergesOverlapsAndClips() {
        Damage d = new Damage();
        d.add(new Rect(0, 0, 10, 10));
        d.add(new Rect(5, 5, 10, 10));
        d.add(new Rect(100, 100, 5, 5));
        var rects = d.take(new Rect(0, 0, 102, 102));
        assertEquals(2, rects.size());
        assertTrue(rects.contains(new Rect(0, 0, 15, 15)));
        assertTrue(rects.contains(new Rect(100, 100, 2, 2)));
        assertTrue(d.isEmpty());
    }
}
