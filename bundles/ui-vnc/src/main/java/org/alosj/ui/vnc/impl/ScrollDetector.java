package org.alosj.ui.vnc.impl;

import java.util.Arrays;

/**
 * Finds a scroll in a damaged rectangle, so it can go as a CopyRect (RFC 6143 7.7.2) and only
 * the new lines as pixels: it keeps the picture the client has (what this session last sent)
 * and looks for the rectangle's new rows higher up in it. Scrolling up only, as consoles and
 * terminals do. Writer thread only.
 */
final class ScrollDetector {
    /** Fewer rows than this are not worth a CopyRect. */
    static final int MIN_ROWS = 32;
    /** Candidate offsets fully checked at most, so repetitive pictures (blank lines) stay cheap. */
    private static final int MAX_CANDIDATES = 16;

    private int width;
    private int height;
    private int[] shadow = new int[0];

    /** Forgets the client's picture (a new size, or one not known): nothing matches until rows are recorded. */
    void reset(int w, int h) {
        width = w;
        height = h;
        shadow = new int[w * h];
        Arrays.fill(shadow, -1); // pixels are 0xRRGGBB: -1 never matches
    }

    /**
     * By how many rows the rectangle's content moved up from what the client has (its rows
     * {@code y + k ...} are now at {@code y ...}), or 0 when it did not scroll.
     */
    int scrolledUp(int x, int y, int w, int h, int[] pixels) {
        if (h < MIN_ROWS || x + w > width || y + h > height) {
            return 0;
        }
        int checked = 0;
        for (int k = 1; k <= h / 2 && checked < MAX_CANDIDATES; k++) {
            if (!rowMatches(pixels, w, 0, x, y + k)) {
                continue;
            }
            checked++;
            boolean all = true;
            for (int i = 1; i < h - k && all; i++) {
                all = rowMatches(pixels, w, i, x, y + k + i);
            }
            if (all) {
                return k;
            }
        }
        return 0;
    }

    private boolean rowMatches(int[] pixels, int w, int row, int x, int shadowRow) {
        int s = shadowRow * width + x;
        return Arrays.equals(pixels, row * w, row * w + w, shadow, s, s + w);
    }

    /** The client now has these pixels (rows {@code w} apart, from row {@code fromRow} of them) at (x, y). */
    void sent(int x, int y, int w, int h, int[] pixels, int fromRow) {
        if (x + w > width || y + h > height) {
            return;
        }
        for (int i = 0; i < h; i++) {
            System.arraycopy(pixels, (fromRow + i) * w, shadow, (y + i) * width + x, w);
        }
    }

    /** The client copied rows {@code srcY ...} up to {@code y ...} (a CopyRect). */
    void copiedUp(int x, int y, int w, int h, int srcY) {
        for (int i = 0; i < h; i++) {
            // Top row first: moving up never overwrites a row still to be copied.
            System.arraycopy(shadow, (srcY + i) * width + x, shadow, (y + i) * width + x, w);
        }
    }

    boolean sized(int w, int h) {
        return width == w && height == h;
    }
}
