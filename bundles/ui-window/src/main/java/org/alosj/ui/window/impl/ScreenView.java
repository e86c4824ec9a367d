package org.alosj.ui.window.impl;

import java.awt.Color;
import java.awt.Dimension;
import java.awt.Font;
import java.awt.Graphics;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import javax.swing.JComponent;
import org.alosj.hal.display.DisplaySurface;

/**
 * The picture, one screen pixel a window pixel. Damage becomes Swing repaint requests (which
 * Swing merges); painting, on the event thread, copies the damaged part of the surface into a
 * picture of its own and draws it. Without a picture it says so, as QEMU's window does.
 */
final class ScreenView extends JComponent {
    private static final long serialVersionUID = 1L;
    static final int BLANK_WIDTH = 640;
    static final int BLANK_HEIGHT = 480;

    private transient volatile DisplaySurface surface;
    private transient BufferedImage image;

    ScreenView() {
        setOpaque(true);
        setFocusable(true);
        // Tab and shift-Tab belong to the guest, not to Swing's focus traversal.
        setFocusTraversalKeysEnabled(false);
        setPreferredSize(new Dimension(BLANK_WIDTH, BLANK_HEIGHT));
    }

    void show(DisplaySurface s) {
        surface = s;
    }

    /** The size the window should have for the current mode. */
    Dimension modeSize() {
        DisplaySurface s = surface;
        return s != null && s.width() > 0 && s.height() > 0 ? new Dimension(s.width(), s.height())
                : new Dimension(BLANK_WIDTH, BLANK_HEIGHT);
    }

    @Override
    protected void paintComponent(Graphics g) {
        DisplaySurface s = surface;
        int w = s == null ? 0 : s.width();
        int h = s == null ? 0 : s.height();
        Rectangle clip = g.getClipBounds();
        if (clip == null) {
            clip = new Rectangle(0, 0, getWidth(), getHeight());
        }
        g.setColor(Color.BLACK);
        if (w <= 0 || h <= 0) {
            g.fillRect(clip.x, clip.y, clip.width, clip.height);
            g.setColor(Color.LIGHT_GRAY);
            g.setFont(new Font(Font.MONOSPACED, Font.PLAIN, 14));
            g.drawString("Display output is not active.", 16, 24);
            return;
        }
        if (image == null || image.getWidth() != w || image.getHeight() != h) {
            image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            clip = new Rectangle(0, 0, w, h);
        }
        Rectangle r = clip.intersection(new Rectangle(0, 0, w, h));
        if (!r.isEmpty()) {
            int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
            try {
                s.read(r.x, r.y, r.width, r.height, pixels, r.y * w + r.x, w);
            } catch (RuntimeException modeChanged) {
                // The mode changed while painting: its own repaint follows.
                return;
            }
            g.drawImage(image, r.x, r.y, r.x + r.width, r.y + r.height, r.x, r.y, r.x + r.width, r.y + r.height, null);
        }
        // The window may be larger than the mode (a window manager's minimum size): black around it.
        if (getWidth() > w) {
            g.fillRect(w, 0, getWidth() - w, getHeight());
        }
        if (getHeight() > h) {
            g.fillRect(0, h, w, getHeight() - h);
        }
    }
}
