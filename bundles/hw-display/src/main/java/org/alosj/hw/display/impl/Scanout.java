package org.alosj.hw.display.impl;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.alosj.hal.display.DisplaySurface;

/**
 * What the adapter's CRTC reads out of video memory: the current mode, pixels converted to
 * 0xRRGGBB for any depth (8 through the DAC, 15, 16, 24, 32, either frame-buffer byte order for
 * 32), and damage. Every write to video memory inside the visible picture is reported to the
 * listeners at once, as rows (a burst) or as the exact pixels (a single store), on the writer's
 * thread; a consumer keeps its own dirty region and redraws at its own pace.
 */
public final class Scanout implements DisplaySurface {
    /** A picture: {@code start} and {@code stride} in bytes of video memory. */
    record Mode(int width, int height, int bpp, int stride, int start, boolean bigEndian) {
        static final Mode BLANK = new Mode(0, 0, 0, 0, 0, false);
        /** The std VGA's 80×25 text mode (no depth: drawn from the text buffer and the font). */
        static final Mode TEXT = new Mode(TextMode.WIDTH, TextMode.HEIGHT, 0, 0, 0, false);

        int bytesPerPixel() {
            return (bpp + 7) / 8;
        }
    }

    private final String id;
    private final BochsVga adapter;
    private final byte[] vram;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.BLANK;

    Scanout(String id, BochsVga adapter) {
        this.id = id;
        this.adapter = adapter;
        this.vram = adapter.videoMemory();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int width() {
        return mode.width();
    }

    @Override
    public int height() {
        return mode.height();
    }

    /** Bits per pixel of the mode shown, 0 when blank. */
    public int depth() {
        return mode.bpp();
    }

    @Override
    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    @Override
    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    void setMode(Mode next) {
        Mode before = mode;
        if (next.equals(before)) {
            return;
        }
        mode = next;
        for (Listener l : listeners) {
            l.modeChanged(next.width(), next.height());
        }
    }

    void paletteChanged() {
        Mode m = mode;
        if (m.bpp() == 8) {
            damage(0, 0, m.width(), m.height());
        }
    }

    /** Text buffer bytes {@code [offset, offset + length)} were written. */
    void textWritten(int offset, int length) {
        if (mode != Mode.TEXT || listeners.isEmpty()) {
            return;
        }
        int[] r = adapter.textMode().damage(offset, length);
        if (r != null) {
            damage(r[0], r[1], r[2], r[3]);
        }
    }

    /** The CRT controller moved the picture or the cursor. */
    void textRedrawn(int[] cursorBefore) {
        if (mode != Mode.TEXT) {
            return;
        }
        int[] after = adapter.textMode().cursorCell();
        if (cursorBefore != null && after != null) {
            damage(cursorBefore[0], cursorBefore[1], cursorBefore[2], cursorBefore[3]);
            damage(after[0], after[1], after[2], after[3]);
        } else {
            damage(0, 0, TextMode.WIDTH, TextMode.HEIGHT);
        }
    }

    /** Video memory {@code [offset, offset + length)} was written. */
    void written(int offset, int length) {
        if (listeners.isEmpty()) {
            return;
        }
        Mode m = mode;
        if (m.width() == 0) {
            return;
        }
        long visible = (long) m.stride() * m.height();
        long from = (long) offset - m.start();
        long to = from + length; // exclusive
        if (to <= 0 || from >= visible) {
            return;
        }
        from = Math.max(from, 0);
        to = Math.min(to, visible);
        int y0 = (int) (from / m.stride());
        int y1 = (int) ((to - 1) / m.stride());
        if (y0 == y1) {
            int bpp = m.bytesPerPixel();
            int x0 = (int) (from - (long) y0 * m.stride()) / bpp;
            int x1 = (int) (to - 1 - (long) y0 * m.stride()) / bpp;
            if (x0 >= m.width()) {
                return; // the unseen part of a virtual line
            }
            x1 = Math.min(x1, m.width() - 1);
            damage(x0, y0, x1 - x0 + 1, 1);
        } else {
            damage(0, y0, m.width(), y1 - y0 + 1);
        }
    }

    private void damage(int x, int y, int width, int height) {
        for (Listener l : listeners) {
            l.damaged(x, y, width, height);
        }
    }

    @Override
    public void read(int x, int y, int width, int height, int[] target, int offset, int scanline) {
        Mode m = mode;
        if (x < 0 || y < 0 || width < 0 || height < 0 || x + width > m.width() || y + height > m.height()) {
            throw new IndexOutOfBoundsException("rectangle " + width + "x" + height + " at " + x + "," + y
                    + " outside the " + m.width() + "x" + m.height() + " picture");
        }
        if (height > 0 && (offset < 0 || (long) offset + (long) (height - 1) * scanline + width > target.length)) {
            throw new IndexOutOfBoundsException("target of " + target.length + " pixels too small");
        }
        if (m == Mode.TEXT) {
            adapter.textMode().render(x, y, width, height, target, offset, scanline);
            return;
        }
        int bpp = m.bytesPerPixel();
        int[] colours = m.bpp() == 8 ? palette() : null;
        for (int row = 0; row < height; row++) {
            int src = m.start() + (y + row) * m.stride() + x * bpp;
            int dst = offset + row * scanline;
            convertRow(m, colours, src, target, dst, width);
        }
    }

    private int[] palette() {
        int[] colours = new int[256];
        for (int i = 0; i < 256; i++) {
            colours[i] = adapter.paletteColour(i);
        }
        return colours;
    }

    private void convertRow(Mode m, int[] colours, int src, int[] dst, int at, int count) {
        byte[] v = vram;
        switch (m.bpp()) {
            case 32 -> {
                if (m.bigEndian()) {
                    for (int i = 0; i < count; i++, src += 4) {
                        dst[at + i] = (v[src + 1] & 0xFF) << 16 | (v[src + 2] & 0xFF) << 8 | (v[src + 3] & 0xFF);
                    }
                } else {
                    for (int i = 0; i < count; i++, src += 4) {
                        dst[at + i] = (v[src + 2] & 0xFF) << 16 | (v[src + 1] & 0xFF) << 8 | (v[src] & 0xFF);
                    }
                }
            }
            case 24 -> {
                for (int i = 0; i < count; i++, src += 3) {
                    dst[at + i] = (v[src + 2] & 0xFF) << 16 | (v[src + 1] & 0xFF) << 8 | (v[src] & 0xFF);
                }
            }
            case 16 -> {
                for (int i = 0; i < count; i++, src += 2) {
                    int p = (v[src] & 0xFF) | (v[src + 1] & 0xFF) << 8;
                    dst[at + i] = five2eight(p >>> 11) << 16 | six2eight(p >>> 5) << 8 | five2eight(p);
                }
            }
            case 15 -> {
                for (int i = 0; i < count; i++, src += 2) {
                    int p = (v[src] & 0xFF) | (v[src + 1] & 0xFF) << 8;
                    dst[at + i] = five2eight(p >>> 10) << 16 | five2eight(p >>> 5) << 8 | five2eight(p);
                }
            }
            case 8 -> {
                for (int i = 0; i < count; i++) {
                    dst[at + i] = colours[v[src + i] & 0xFF];
                }
            }
            default -> throw new IllegalStateException("no picture at depth " + m.bpp());
        }
    }

    private static int five2eight(int v) {
        v &= 0x1F;
        return v << 3 | v >> 2;
    }

    private static int six2eight(int v) {
        v &= 0x3F;
        return v << 2 | v >> 4;
    }
}
