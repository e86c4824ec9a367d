package org.alosj.ui.vnc.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.alosj.ui.vnc.impl.Damage.Rect;
import org.junit.jupiter.api.Test;

/** Damage keeps rectangles apart while few, merges touching ones, and gives back only what a request covers. */
class DamageTest {
    private static final Rect SCREEN = new Rect(0, 0, 640, 480);

    @Test
    void separateRectanglesStayApartAndTouchingOnesMerge() {
        Damage d = new Damage();
        d.add(0, 0, 10, 10);
        d.add(100, 100, 10, 10);
        d.add(10, 0, 5, 10); // touches the first
        assertEquals(List.of(new Rect(100, 100, 10, 10), new Rect(0, 0, 15, 10)), d.take(SCREEN, 640, 480));
        assertTrue(d.isEmpty());
    }

    @Test
    void tooManyRectanglesBecomeTheirBoundingBox() {
        Damage d = new Damage();
        for (int i = 0; i <= Damage.MAX_RECTS; i++) {
            d.add(i * 20, i * 20, 5, 5);
        }
        assertEquals(List.of(new Rect(0, 0, Damage.MAX_RECTS * 20 + 5, Damage.MAX_RECTS * 20 + 5)),
                d.take(SCREEN, 640, 480));
    }

    @Test
    void aRequestTakesItsPartClippedToTheScreenAndTheRestWaits() {
        Damage d = new Damage();
        d.add(600, 400, 100, 100);
        assertEquals(List.of(new Rect(600, 400, 40, 80)), d.take(SCREEN, 640, 480));
        d.add(0, 0, 50, 50);
        assertEquals(List.of(new Rect(0, 0, 20, 20)), d.take(new Rect(0, 0, 20, 20), 640, 480));
        // What the small request did not cover: the band below it and the part to its right.
        assertEquals(List.of(new Rect(0, 20, 50, 30), new Rect(20, 0, 30, 20)), d.take(SCREEN, 640, 480));
        assertTrue(d.isEmpty());
    }
}
