package org.alosj.gui.impl;

import java.util.ArrayList;
import java.util.List;

/**
 * The parts of the screen to draw again. Rectangles that overlap, or whose union wastes little,
 * are merged, and past a handful the whole bounding box is taken: composing a few large areas
 * costs less than bookkeeping many small ones.
 */
final class Damage {
    private static final int MAX_RECTS = 16;
    private final List<Rect> rects = new ArrayList<>();

    void add(Rect r) {
        if (r.isEmpty()) {
            return;
        }
        Rect merged = r;
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int i = 0; i < rects.size(); i++) {
                Rect o = rects.get(i);
                Rect u = o.union(merged);
                if (!o.intersect(merged).isEmpty() || u.area() <= (o.area() + merged.area()) * 5 / 4) {
                    rects.remove(i);
                    merged = u;
                    changed = true;
                    break;
                }
            }
        }
        rects.add(merged);
        if (rects.size() > MAX_RECTS) {
            Rect all = Rect.EMPTY;
            for (Rect o : rects) {
                all = all.union(o);
            }
            rects.clear();
            rects.add(all);
        }
    }

    boolean isEmpty() {
        return rects.isEmpty();
    }

    /** The rectangles, clipped to {@code bounds}; the damage is cleared. */
    List<Rect> take(Rect bounds) {
        List<Rect> out = new ArrayList<>(rects.size());
        for (Rect r : rects) {
            Rect c = r.intersect(bounds);
            if (!c.isEmpty()) {
                out.add(c);
            }
        }
        rects.clear();
        return out;
    }
}
