package org.alosj.drivers.fb;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.alosj.kernel.fb.FramebufferDevice;
import org.alosj.kernel.fb.FramebufferMode;
import org.alosj.kernel.fb.PixelFormat;
import org.alosj.kernel.pci.MmioRegion;

/**
 * The adapter's frame buffer once a mode is set: BAR0 mapped, pixels converted from 0xRRGGBB
 * to the mode's format and moved a row at a time in bursts through the BAR (the bus turns a
 * burst into one copy into video memory). Leases form a stack: the top one draws.
 *
 * <p>Lock order: a lease's client is called with this object's lock released, so a client may
 * draw from {@code granted}.
 */
final class BochsFramebuffer implements FramebufferDevice {
    private final String name;
    private final MmioRegion aperture;
    private final FramebufferMode mode;
    private final int bytesPerPixel;
    /** Owners, the active one last. */
    private final List<LeaseImpl> leases = new ArrayList<>();
    private volatile boolean closed;

    BochsFramebuffer(String name, MmioRegion aperture, FramebufferMode mode) {
        this.name = name;
        this.aperture = aperture;
        this.mode = mode;
        this.bytesPerPixel = (mode.bitsPerPixel() + 7) / 8;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public FramebufferMode mode() {
        return mode;
    }

    @Override
    public synchronized String owner() {
        return leases.isEmpty() ? null : leases.get(leases.size() - 1).owner;
    }

    @Override
    public Lease claim(String owner, Client client) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(client, "client");
        LeaseImpl lease = new LeaseImpl(owner, client);
        LeaseImpl previous;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException(name + ": the frame buffer is gone");
            }
            previous = leases.isEmpty() ? null : leases.get(leases.size() - 1);
            leases.add(lease);
        }
        if (previous != null) {
            previous.client.revoked(previous);
        }
        client.granted(lease);
        return lease;
    }

    private void release(LeaseImpl lease) {
        LeaseImpl next = null;
        synchronized (this) {
            int at = leases.indexOf(lease);
            if (at < 0) {
                return;
            }
            boolean wasActive = at == leases.size() - 1;
            leases.remove(at);
            if (wasActive && !leases.isEmpty() && !closed) {
                next = leases.get(leases.size() - 1);
            }
        }
        if (next != null) {
            next.client.granted(next);
        }
    }

    /** The driver lets go: every lease goes dead and their owners are told. */
    void close() {
        List<LeaseImpl> gone;
        synchronized (this) {
            closed = true;
            gone = new ArrayList<>(leases);
            leases.clear();
        }
        for (LeaseImpl l : gone) {
            l.client.revoked(l);
        }
    }

    private synchronized boolean isActive(LeaseImpl lease) {
        return !closed && !leases.isEmpty() && leases.get(leases.size() - 1) == lease;
    }

    // ---- drawing ----

    /** A rectangle clipped to the mode: {x, y, width, height, dx, dy} (dx, dy: how much was cut off the top left). */
    private int[] clip(int x, int y, int width, int height) {
        int x0 = Math.max(0, x);
        int y0 = Math.max(0, y);
        int x1 = (int) Math.min((long) x + width, mode.width());
        int y1 = (int) Math.min((long) y + height, mode.height());
        if (x1 <= x0 || y1 <= y0) {
            return null;
        }
        return new int[] {x0, y0, x1 - x0, y1 - y0, x0 - x, y0 - y};
    }

    private long offsetOf(int x, int y) {
        return (long) y * mode.stride() + (long) x * bytesPerPixel;
    }

    void write(int x, int y, int width, int height, int[] pixels, int offset, int scanline) {
        int[] r = clip(x, y, width, height);
        if (r == null) {
            return;
        }
        byte[] row = new byte[r[2] * bytesPerPixel];
        ByteBuffer buf = ByteBuffer.wrap(row).order(ByteOrder.LITTLE_ENDIAN);
        for (int j = 0; j < r[3]; j++) {
            int src = offset + (r[5] + j) * scanline + r[4];
            Objects.checkFromIndexSize(src, r[2], pixels.length);
            encode(pixels, src, r[2], buf);
            aperture.write(offsetOf(r[0], r[1] + j), row, 0, row.length);
        }
    }

    void fill(int x, int y, int width, int height, int rgb) {
        int[] r = clip(x, y, width, height);
        if (r == null) {
            return;
        }
        int[] colour = new int[r[2]];
        java.util.Arrays.fill(colour, rgb);
        byte[] row = new byte[r[2] * bytesPerPixel];
        encode(colour, 0, r[2], ByteBuffer.wrap(row).order(ByteOrder.LITTLE_ENDIAN));
        for (int j = 0; j < r[3]; j++) {
            aperture.write(offsetOf(r[0], r[1] + j), row, 0, row.length);
        }
    }

    void copy(int fromX, int fromY, int width, int height, int toX, int toY) {
        // Clip both rectangles by the same amount so the copy stays a translation.
        int[] src = clip(fromX, fromY, width, height);
        if (src == null) {
            return;
        }
        int[] dst = clip(toX + src[4], toY + src[5], src[2], src[3]);
        if (dst == null) {
            return;
        }
        int sx = src[0] + dst[4];
        int sy = src[1] + dst[5];
        int w = dst[2];
        int h = dst[3];
        byte[] row = new byte[w * bytesPerPixel];
        if (dst[1] <= sy) {
            for (int j = 0; j < h; j++) {
                aperture.read(offsetOf(sx, sy + j), row, 0, row.length);
                aperture.write(offsetOf(dst[0], dst[1] + j), row, 0, row.length);
            }
        } else {
            for (int j = h - 1; j >= 0; j--) { // moving down: bottom row first
                aperture.read(offsetOf(sx, sy + j), row, 0, row.length);
                aperture.write(offsetOf(dst[0], dst[1] + j), row, 0, row.length);
            }
        }
    }

    void read(int x, int y, int width, int height, int[] pixels, int offset, int scanline) {
        int[] r = clip(x, y, width, height);
        if (r == null) {
            return;
        }
        byte[] row = new byte[r[2] * bytesPerPixel];
        ByteBuffer buf = ByteBuffer.wrap(row).order(ByteOrder.LITTLE_ENDIAN);
        for (int j = 0; j < r[3]; j++) {
            int at = offset + (r[5] + j) * scanline + r[4];
            Objects.checkFromIndexSize(at, r[2], pixels.length);
            aperture.read(offsetOf(r[0], r[1] + j), row, 0, row.length);
            decode(buf, pixels, at, r[2]);
        }
    }

    private void encode(int[] pixels, int from, int count, ByteBuffer out) {
        out.clear();
        PixelFormat f = mode.format();
        switch (f) {
            case XRGB8888 -> out.asIntBuffer().put(pixels, from, count); // little-endian: B, G, R, X
            case RGB888 -> {
                for (int i = 0; i < count; i++) {
                    int p = pixels[from + i];
                    out.put((byte) p).put((byte) (p >> 8)).put((byte) (p >> 16));
                }
            }
            case RGB565 -> {
                for (int i = 0; i < count; i++) {
                    int p = pixels[from + i];
                    out.putShort((short) ((p >> 8 & 0xF800) | (p >> 5 & 0x07E0) | (p >> 3 & 0x001F)));
                }
            }
            case XRGB1555 -> {
                for (int i = 0; i < count; i++) {
                    int p = pixels[from + i];
                    out.putShort((short) ((p >> 9 & 0x7C00) | (p >> 6 & 0x03E0) | (p >> 3 & 0x001F)));
                }
            }
        }
    }

    private void decode(ByteBuffer in, int[] pixels, int at, int count) {
        in.clear();
        switch (mode.format()) {
            case XRGB8888 -> {
                in.asIntBuffer().get(pixels, at, count);
                for (int i = 0; i < count; i++) {
                    pixels[at + i] &= 0xFFFFFF;
                }
            }
            case RGB888 -> {
                for (int i = 0; i < count; i++) {
                    pixels[at + i] = (in.get() & 0xFF) | (in.get() & 0xFF) << 8 | (in.get() & 0xFF) << 16;
                }
            }
            case RGB565 -> {
                for (int i = 0; i < count; i++) {
                    int p = in.getShort() & 0xFFFF;
                    pixels[at + i] = widen(p >> 11, 5) << 16 | widen(p >> 5, 6) << 8 | widen(p, 5);
                }
            }
            case XRGB1555 -> {
                for (int i = 0; i < count; i++) {
                    int p = in.getShort() & 0xFFFF;
                    pixels[at + i] = widen(p >> 10, 5) << 16 | widen(p >> 5, 5) << 8 | widen(p, 5);
                }
            }
        }
    }

    private static int widen(int v, int bits) {
        v &= (1 << bits) - 1;
        return v << (8 - bits) | v >> (2 * bits - 8);
    }

    private final class LeaseImpl implements Lease {
        final String owner;
        final Client client;

        LeaseImpl(String owner, Client client) {
            this.owner = owner;
            this.client = client;
        }

        @Override
        public String owner() {
            return owner;
        }

        @Override
        public boolean active() {
            return isActive(this);
        }

        @Override
        public FramebufferMode mode() {
            return mode;
        }

        @Override
        public void write(int x, int y, int width, int height, int[] pixels, int offset, int scanline) {
            if (active()) {
                BochsFramebuffer.this.write(x, y, width, height, pixels, offset, scanline);
            }
        }

        @Override
        public void fill(int x, int y, int width, int height, int rgb) {
            if (active()) {
                BochsFramebuffer.this.fill(x, y, width, height, rgb);
            }
        }

        @Override
        public void copy(int fromX, int fromY, int width, int height, int toX, int toY) {
            if (active()) {
                BochsFramebuffer.this.copy(fromX, fromY, width, height, toX, toY);
            }
        }

        @Override
        public void read(int x, int y, int width, int height, int[] pixels, int offset, int scanline) {
            if (!closed) {
                BochsFramebuffer.this.read(x, y, width, height, pixels, offset, scanline);
            }
        }

        @Override
        public void close() {
            release(this);
        }

        @Override
        public String toString() {
            return name + " lease of " + owner;
        }
    }
}
