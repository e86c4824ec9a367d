package org.alosj.ui.vnc.impl;

import java.util.ArrayList;
import java.util.List;

/**
 * The parts of the screen a client has not seen since its last update: a few rectangles,
 * merged into their bounding box when there are too many to be worth sending apart. Not
 * thread-safe: the session guards it.
 */
final class Damage {
    record Rect(int x, int y, int width, int height) {
        boolean overlapsOrTouches(Rect o) {
            return x <= o.x + o.width && o.x <= x + width && y <= o.y + o.height && o.y <= y + height;
        }

        Rect union(Rect o) {
            int x0 = Math.min(x, o.x);
            int y0 = Math.min(y, o.y);
            return new Rect(x0, y0, Math.max(x + width, o.x + o.width) - x0, Math.max(y + height, o.y + o.height) - y0);
        }

        Rect clip(int w, int h) {
            int x0 = Math.max(0, x);
            int y0 = Math.max(0, y);
            int x1 = Math.min(w, x + width);
            int y1 = Math.min(h, y + height);
            return x1 <= x0 || y1 <= y0 ? null : new Rect(x0, y0, x1 - x0, y1 - y0);
        }
    }

    static final int MAX_RECTS = 16;

    private final List<Rect> rects = new ArrayList<>();

    void add(int x, int y, int width, int height) {
        if (width <= 0 || height <= 0) {
            return;
        }
        Rect r = new Rect(x, y, width, height);
        // Fold in every rectangle it touches, again until none does.
        boolean merged = true;
        while (merged) {
            merged = false;
            for (int i = 0; i < rects.size(); i++) {
                if (rects.get(i).overlapsOrTouches(r)) {
                    r = r.union(rects.remove(i));
                    merged = true;
                    break;
                }
            }
        }
        rects.add(r);
        if (rects.size() > MAX_RECTS) {
            Rect all = rects.get(0);
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

    void clear() {
        rects.clear();
    }

    /** The damage inside the requested area, clipped to a {@code w}×{@code h} screen; that part is forgotten. */
    List<Rect> take(Rect area, int w, int h) {
        List<Rect> out = new ArrayList<>();
        List<Rect> kept = new ArrayList<>();
        for (Rect r : rects) {
            Rect inside = intersect(r, area);
            Rect clipped = inside == null ? null : inside.clip(w, h);
            if (clipped != null) {
                out.add(clipped);
            }
            if (inside == null || !inside.equals(r)) {
                // Damage outside the request waits for a request that covers it.
                kept.add(r);
            }
        }
        rects.clear();
        rects.addAll(kept);
        return out;
    }

    private static Rect intersect(Rect a, Rect b) {
        int x0 = Math.max(a.x(), b.x());
        int y0 = Math.max(a.y(), b.y());
        int x1 = Math.min(a.x() + a.width(), b.x() + b.width());
        int y1 = Math.min(a.y() + a.height(), b.y() + b.height());
        return x1 <= x0 || y1 <= y0 ? null : new Rect(x0, y0, x1 - x0, y1 - y0);
    }
}
