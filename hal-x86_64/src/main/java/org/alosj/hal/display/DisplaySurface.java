package org.alosj.hal.display;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The picture a display adapter scans out, registered as a service by the display model (one
 * per adapter, with the {@link #DISPLAY_ID} property). Pixels are 0xRRGGBB ints (the top byte
 * is zero), row after row; a blanked or unprogrammed adapter shows a mode of 0×0.
 */
@ProviderType
public interface DisplaySurface {
    /** Service property naming the adapter ({@code vga}, or the {@code id=} of {@code -device}). */
    String DISPLAY_ID = "display.id";

    /** Told what changed on the screen; called on the thread that made the change: keep it short. */
    interface Listener {
        /** Pixels inside this rectangle (screen coordinates, clipped to the mode) may have changed. */
        void damaged(int x, int y, int width, int height);

        /** The mode changed (or the adapter was enabled or blanked): everything is new. */
        void modeChanged(int width, int height);
    }

    String id();

    /** Width of the current mode in pixels, 0 when nothing is shown. */
    int width();

    /** Height of the current mode in pixels, 0 when nothing is shown. */
    int height();

    /**
     * Copies a rectangle of the current picture into {@code target} at {@code offset}, rows
     * {@code scanline} ints apart. The rectangle must lie inside the current mode.
     */
    void read(int x, int y, int width, int height, int[] target, int offset, int scanline);

    void addListener(Listener listener);

    void removeListener(Listener listener);
}
