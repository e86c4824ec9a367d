package org.alosj.kernel.fb;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A display adapter's frame buffer, registered as a service by its driver ({@code fb0} …, with
 * the {@code org.alosj.kernel.device.DeviceProperties}). Drawing goes through a {@link Lease}:
 * the screen has one owner at a time, as a Linux VT has one. The text console takes the first
 * lease; a graphical client that {@link #claim}s the screen gets it at once and the console is
 * told to stop drawing; when the client closes its lease, the screen goes back to the one before
 * it, which is told to redraw everything.
 *
 * <p>Pixels in and out are 0xRRGGBB ints whatever the mode; the driver converts them.
 */
@ProviderType
public interface FramebufferDevice {
    /** Service property: width of the mode in pixels (Integer). */
    String WIDTH = "fb.width";
    /** Service property: height of the mode in pixels (Integer). */
    String HEIGHT = "fb.height";
    /** Service property: bits per pixel (Integer). */
    String BPP = "fb.bpp";

    /** Told when its lease gains or loses the screen; called on the thread that changed owners. */
    interface Client {
        /** The lease owns the screen (again): what is on it now is someone else's, redraw all. */
        void granted(Lease lease);

        /** Another lease took the screen: draws through this one are dropped until granted again. */
        void revoked(Lease lease);
    }

    /** A hold on the screen; draws do nothing while another lease owns it. Rectangles are clipped to the mode. */
    interface Lease extends AutoCloseable {
        String owner();

        /** Whether this lease owns the screen now. */
        boolean active();

        FramebufferMode mode();

        /** Draws {@code width}×{@code height} pixels taken from {@code pixels}, rows {@code scanline} ints apart. */
        void write(int x, int y, int width, int height, int[] pixels, int offset, int scanline);

        /** Fills a rectangle with one colour. */
        void fill(int x, int y, int width, int height, int rgb);

        /** Moves a rectangle to {@code (toX, toY)}; overlapping areas are copied as memmove does. */
        void copy(int fromX, int fromY, int width, int height, int toX, int toY);

        /** Reads back a rectangle (whoever drew it). */
        void read(int x, int y, int width, int height, int[] pixels, int offset, int scanline);

        /** Gives the screen back to the lease below, which is granted it. Idempotent. */
        @Override
        void close();
    }

    /** The frame buffer's name ({@code fb0}). */
    String name();

    FramebufferMode mode();

    /**
     * Takes the screen for {@code owner}: the current owner is revoked and this lease is granted
     * (its client hears {@code granted} before this returns).
     */
    Lease claim(String owner, Client client);

    /** Who holds the screen now, or null. */
    String owner();
}
