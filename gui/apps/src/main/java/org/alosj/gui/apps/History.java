package org.alosj.gui.apps;

/** The last N samples of a quantity, oldest first, for a scrolling graph. */
final class History {
    private final double[] values;
    private int count;
    private int next;

    History(int capacity) {
        values = new double[capacity];
    }

    void add(double v) {
        values[next] = v;
        next = (next + 1) % values.length;
        count = Math.min(count + 1, values.length);
    }

    int size() {
        return count;
    }

    /** The i-th sample, 0 the oldest kept. */
    double get(int i) {
        int start = count < values.length ? 0 : next;
        return values[(start + i) % values.length];
    }

    double last() {
        return count == 0 ? 0 : get(count - 1);
    }

    double max() {
        double m = 0;
        for (int i = 0; i < count; i++) {
            m = Math.max(m, get(i));
        }
        return m;
    }
}
