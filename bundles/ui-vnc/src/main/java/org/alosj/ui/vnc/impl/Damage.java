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

    /** Whether any damage lies inside {@code area}: an incremental request waits until some does. */
    boolean touches(Rect area) {
        for (Rect r : rects) {
            if (intersect(r, area) != null) {
                return true;
            }
        }
        return false;
    }

    boolean isEmpty() {
        return rects.isEmpty();
    }

    void clear() {
        rects.clear();
    }

    /**
     * The damage inside the requested area, clipped to a {@code w}×{@code h} screen; that part is
     * forgotten, as is anything off the screen. What lies outside the request waits for one that covers it.
     */
    List<Rect> take(Rect area, int w, int h) {
        List<Rect> out = new ArrayList<>();
        List<Rect> kept = new ArrayList<>();
        for (Rect damaged : rects) {
            Rect r = damaged.clip(w, h);
            if (r == null) {
                continue;
            }
            Rect inside = intersect(r, area);
            if (inside == null) {
                kept.add(r);
                continue;
            }
            out.add(inside);
            // What is left of r around the part sent: bands above and below, then left and right.
            addIfAny(kept, r.x(), r.y(), r.width(), inside.y() - r.y());
            addIfAny(kept, r.x(), inside.y() + inside.height(), r.width(), r.y() + r.height() - inside.y() - inside.height());
            addIfAny(kept, r.x(), inside.y(), inside.x() - r.x(), inside.height());
            addIfAny(kept, inside.x() + inside.width(), inside.y(), r.x() + r.width() - inside.x() - inside.width(),
                    inside.height());
        }
        rects.clear();
        rects.addAll(kept);
        return out;
    }

    private static void addIfAny(List<Rect> list, int x, int y, int width, int height) {
        if (width > 0 && height > 0) {
            list.add(new Rect(x, y, width, height));
        }
    }

    private static Rect intersect(Rect a, Rect b) {
        int x0 = Math.max(a.x(), b.x());
        int y0 = Math.max(a.y(), b.y());
        int x1 = Math.min(a.x() + a.width(), b.x() + b.width());
        int y1 = Math.min(a.y() + a.height(), b.y() + b.height());
        return x1 <= x0 || y1 <= y0 ? null : new Rect(x0, y0, x1 - x0, y1 - y0);
    }
}
