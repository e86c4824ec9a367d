package org.alosj.gui.apps;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicBoolean;

import org.alosj.gui.api.AppWindow;
import org.alosj.gui.api.Canvas;
import org.alosj.kernel.fb.FramebufferDevice;
import org.alosj.kernel.fb.FramebufferMode;
import org.alosj.kernel.fb.PixelFormat;

/**
 * A frame buffer whose pixels are a window's content area: what a text console draws through
 * its lease shows in the window. Leases stack as on a real frame buffer (the newest owns it).
 * Drawing marks the window for one repaint, however many rectangles a console write draws.
 */
final class WindowFramebuffer implements FramebufferDevice {
    private final String name;
    private final AppWindow window;
    private final FramebufferMode mode;
    private final Deque<WindowLease> leases = new ArrayDeque<>();
    private final AtomicBoolean repaintPending = new AtomicBoolean();

    WindowFramebuffer(String name, AppWindow window, int width, int height) {
        this.name = name;
        this.window = window;
        this.mode = new FramebufferMode(width, height, 32, width * 4, PixelFormat.XRGB8888);
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
    public Lease claim(String owner, Client client) {
        WindowLease lease = new WindowLease(owner, client);
        WindowLease before;
        synchronized (this) {
            before = leases.peek();
            leases.push(lease);
        }
        if (before != null) {
            before.client.revoked(before);
        }
        client.granted(lease);
        return lease;
    }

    @Override
    public synchronized String owner() {
        WindowLease top = leases.peek();
        return top == null ? null : top.owner;
    }

    private void drawn() {
        if (repaintPending.compareAndSet(false, true)) {
            window.invokeLater(() -> {
                repaintPending.set(false);
                window.repaint();
            });
        }
    }

    private final class WindowLease implements Lease {
        final String owner;
        final Client client;
        private boolean closed;

        WindowLease(String owner, Client client) {
            this.owner = owner;
            this.client = client;
        }

        @Override
        public String owner() {
            return owner;
        }

        @Override
        public boolean active() {
            synchronized (WindowFramebuffer.this) {
                return !closed && leases.peek() == this;
            }
        }

        @Override
        public FramebufferMode mode() {
            return mode;
        }

        private Canvas canvas() {
            return active() && window.isOpen() ? window.canvas() : null;
        }

        @Override
        public void write(int x, int y, int width, int height, int[] pixels, int offset, int scanline) {
            Canvas c = canvas();
            if (c != null) {
                c.image(x, y, Math.min(width, mode.width() - x), Math.min(height, mode.height() - y), pixels, offset, scanline);
                drawn();
            }
        }

        @Override
        public void fill(int x, int y, int width, int height, int rgb) {
            Canvas c = canvas();
            if (c != null) {
                c.fill(x, y, Math.min(width, mode.width() - x), Math.min(height, mode.height() - y), rgb);
                drawn();
            }
        }

        @Override
        public void copy(int fromX, int fromY, int width, int height, int toX, int toY) {
            Canvas c = canvas();
            if (c != null) {
                c.copy(fromX, fromY, width, height, toX - fromX, toY - fromY);
                drawn();
            }
        }

        @Override
        public void read(int x, int y, int width, int height, int[] pixels, int offset, int scanline) {
            window.canvas().read(x, y, width, height, pixels, offset, scanline);
        }

        @Override
        public void close() {
            WindowLease next;
            synchronized (WindowFramebuffer.this) {
                if (closed) {
                    return;
                }
                closed = true;
                boolean wasTop = leases.peek() == this;
                leases.remove(this);
                next = wasTop ? leases.peek() : null;
            }
            if (next != null) {
                next.client.granted(next);
            }
        }
    }
}
