package org.alosj.gui.impl;

/** A rectangle in pixels; empty when width or height is not positive. */
record Rect(int x, int y, int width, int height) {
    static final Rect EMPTY = new Rect(0, 0, 0, 0);

    boolean isEmpty() {
        return width <= 0 || height <= 0;
    }

    int right() {
        return x + width;
    }

    int bottom() {
        return y + height;
    }

    boolean contains(int px, int py) {
        return px >= x && py >= y && px < right() && py < bottom();
    }

    Rect intersect(Rect o) {
        int l = Math.max(x, o.x);
        int t = Math.max(y, o.y);
        int r = Math.min(right(), o.right());
        int b = Math.min(bottom(), o.bottom());
        return r <= l || b <= t ? EMPTY : new Rect(l, t, r - l, b - t);
    }

    Rect union(Rect o) {
        if (isEmpty()) {
            return o;
        }
        if (o.isEmpty()) {
            return this;
        }
        int l = Math.min(x, o.x);
        int t = Math.min(y, o.y);
        return new Rect(l, t, Math.max(right(), o.right()) - l, Math.max(bottom(), o.bottom()) - t);
    }

    Rect translate(int dx, int dy) {
        return new Rect(x + dx, y + dy, width, height);
    }

    long area() {
        return isEmpty() ? 0 : (long) width * height;
    }
}
