package org.alosj.hal.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.alosj.hal.display.DisplaySurface;

/** A display adapter's picture held in memory, for the tests of what reads a screen (VNC, the window, screendump): draws and tells listeners. */
public final class MemorySurface implements DisplaySurface {
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private int width;
    private int height;
    private int[] pixels = new int[0];

    public MemorySurface(int width, int height) {
        setMode(width, height);
    }

    public synchronized void setMode(int w, int h) {
        width = w;
        height = h;
        pixels = new int[w * h];
        for (Listener l : listeners) {
            l.modeChanged(w, h);
        }
    }

    public void fill(int x, int y, int w, int h, int rgb) {
        synchronized (this) {
            for (int row = y; row < y + h; row++) {
                java.util.Arrays.fill(pixels, row * width + x, row * width + x + w, rgb);
            }
        }
        for (Listener l : listeners) {
            l.damaged(x, y, w, h);
        }
    }

    /** A picture in which neighbouring pixels differ in every channel: a lossless check sees any slip. */
    public void pattern(long seed) {
        java.util.Random r = new java.util.Random(seed);
        synchronized (this) {
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = r.nextInt() & 0xffffff;
            }
        }
        for (Listener l : listeners) {
            l.damaged(0, 0, width, height);
        }
    }

    /** Replaces one row without telling anyone (the bench draws rows, then damages once). */
    public synchronized void setRow(int y, int[] row) {
        System.arraycopy(row, 0, pixels, y * width, width);
    }

    public void damageAll() {
        for (Listener l : listeners) {
            l.damaged(0, 0, width, height);
        }
    }

    public synchronized int pixel(int x, int y) {
        return pixels[y * width + x];
    }

    @Override
    public String id() {
        return "vga";
    }

    @Override
    public synchronized int width() {
        return width;
    }

    @Override
    public synchronized int height() {
        return height;
    }

    @Override
    public synchronized void read(int x, int y, int w, int h, int[] target, int offset, int scanline) {
        if (x < 0 || y < 0 || x + w > width || y + h > height) {
            throw new IllegalArgumentException("rectangle outside the mode");
        }
        for (int row = 0; row < h; row++) {
            System.arraycopy(pixels, (y + row) * width + x, target, offset + row * scanline, w);
        }
    }

    @Override
    public void addListener(Listener l) {
        listeners.add(l);
    }

    @Override
    public void removeListener(Listener l) {
        listeners.remove(l);
    }
}
