package org.alosj.drivers.fb.console;

import java.util.Arrays;
import org.alosj.kernel.device.ConsoleDevice;
import org.alosj.kernel.fb.FramebufferDevice;
import org.alosj.kernel.fb.FramebufferMode;
import org.alosj.kernel.input.KeyDecoder;

/**
 * The frame-buffer text console (Linux's fbcon): a {@link Vt} drawn cell by cell with the
 * {@link BitmapFont} through a lease on a frame buffer, an underline cursor, and keyboard input
 * turned into bytes by a {@link KeyDecoder}. It draws only what changed, once per write, and
 * scrolls by copying the picture. While a graphical client holds the screen it keeps the text
 * and draws nothing; given the screen back, it draws it all again.
 *
 * <p>Writers, the screen hand-over and key input are serialised on this object.
 */
public final class FbConsole implements ConsoleDevice, FramebufferDevice.Client, Vt.Host {
    static final int EV_KEY = 0x01;
    /** Key codes from here on are buttons (mice, pads), not keys. */
    static final int BTN_MISC = 0x100;

    private final String name;
    private final FramebufferDevice framebuffer;
    private final BitmapFont font;
    private final FramebufferMode mode;
    private final Vt vt;
    private final int[] rowPixels;
    private final int[] colours = new int[2];
    private volatile InputListener input;
    private KeyDecoder decoder;
    private FramebufferDevice.Lease lease;
    private int cursorDrawnX = -1;
    private int cursorDrawnY = -1;

    public FbConsole(String name, FramebufferDevice framebuffer, BitmapFont font) {
        this.name = name;
        this.framebuffer = framebuffer;
        this.font = font;
        this.mode = framebuffer.mode();
        this.vt = new Vt(Math.max(1, mode.width() / BitmapFont.WIDTH), Math.max(1, mode.height() / BitmapFont.HEIGHT), this);
        this.rowPixels = new int[vt.columns() * BitmapFont.WIDTH * BitmapFont.HEIGHT];
    }

    /** Takes the screen (the console is the first owner of a frame buffer). */
    public void start() {
        FramebufferDevice.Lease l = framebuffer.claim("fbcon:" + name, this);
        synchronized (this) {
            lease = l;
        }
    }

    /** Lets go of the screen. */
    public void stop() {
        FramebufferDevice.Lease l;
        synchronized (this) {
            l = lease;
            lease = null;
        }
        if (l != null) {
            l.close();
        }
    }

    @Override
    public String name() {
        return name;
    }

    public int columns() {
        return vt.columns();
    }

    public int rows() {
        return vt.rows();
    }

    public String framebufferName() {
        return framebuffer.name();
    }

    @Override
    public synchronized void write(byte[] data, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, data.length);
        vt.write(data, offset, length);
        render();
    }

    @Override
    public void setInputListener(InputListener listener) {
        input = listener;
    }

    /** The decoder keys go through (from the Keymaps service), or null to ignore keys. */
    public synchronized void setKeyDecoder(KeyDecoder decoder) {
        this.decoder = decoder;
    }

    /** Whether this console shows on its screen now (a graphical client may hold it). */
    public synchronized boolean visible() {
        return lease != null && lease.active();
    }

    /** One evdev event from a keyboard: keys become input bytes while the console is visible. */
    public void inputEvent(int type, int code, int value) {
        byte[] bytes;
        synchronized (this) {
            if (type != EV_KEY || code >= BTN_MISC || code < 0 || decoder == null || lease == null || !lease.active()) {
                return;
            }
            bytes = decoder.key(code, value);
        }
        if (bytes != null && bytes.length > 0) {
            deliver(bytes);
        }
    }

    private void deliver(byte[] bytes) {
        InputListener l = input;
        if (l != null) {
            l.received(bytes, 0, bytes.length);
        }
    }

    // ---- the screen hand-over ----

    @Override
    public synchronized void granted(FramebufferDevice.Lease l) {
        lease = l;
        // Whatever is on the screen is someone else's: clear the margins, draw every cell.
        int textWidth = vt.columns() * BitmapFont.WIDTH;
        int textHeight = vt.rows() * BitmapFont.HEIGHT;
        l.fill(textWidth, 0, mode.width() - textWidth, mode.height(), 0);
        l.fill(0, textHeight, textWidth, mode.height() - textHeight, 0);
        cursorDrawnX = -1;
        vt.touchAll();
        render();
    }

    @Override
    public synchronized void revoked(FramebufferDevice.Lease l) {
        // Draws through the lease are dropped from now on; the text keeps changing in the Vt.
    }

    // ---- Vt.Host ----

    @Override
    public void flush() {
        render();
    }

    @Override
    public void reply(byte[] bytes) {
        deliver(bytes);
    }

    // ---- drawing ----

    /** Draws what the Vt says changed; caller holds the lock. */
    private void render() {
        FramebufferDevice.Lease l = lease;
        if (l == null || !l.active()) {
            return; // the damage stays: granted() draws everything anyway
        }
        int[] scroll = vt.pendingScroll();
        if (cursorDrawnX >= 0) {
            int y = cursorDrawnY;
            if (scroll[2] != 0 && y >= scroll[0] && y <= scroll[1]) {
                y -= scroll[2]; // the copy moves the drawn cursor along
            }
            vt.touch(cursorDrawnX, y);
            cursorDrawnX = -1;
        }
        if (scroll[2] != 0) {
            int h = BitmapFont.HEIGHT;
            int width = vt.columns() * BitmapFont.WIDTH;
            int n = Math.abs(scroll[2]);
            int regionRows = scroll[1] - scroll[0] + 1;
            if (scroll[2] > 0) {
                l.copy(0, (scroll[0] + n) * h, width, (regionRows - n) * h, 0, scroll[0] * h);
            } else {
                l.copy(0, scroll[0] * h, width, (regionRows - n) * h, 0, (scroll[0] + n) * h);
            }
        }
        if (vt.cursorVisible()) {
            vt.touch(vt.cursorX(), vt.cursorY());
        }
        for (int row = 0; row < vt.rows(); row++) {
            int from = vt.dirtyFrom(row);
            int to = vt.dirtyTo(row);
            if (from < to) {
                drawCells(l, row, from, to);
            }
        }
        vt.takeDamage();
        if (vt.cursorVisible()) {
            drawCursor(l, vt.cursorX(), vt.cursorY());
            cursorDrawnX = vt.cursorX();
            cursorDrawnY = vt.cursorY();
        }
    }

    private void drawCells(FramebufferDevice.Lease l, int row, int from, int to) {
        int w = (to - from) * BitmapFont.WIDTH;
        for (int col = from; col < to; col++) {
            int style = vt.style(col, row);
            Palette.resolve(style, colours);
            int fg = colours[0];
            int bg = colours[1];
            byte[] glyph = font.glyph(vt.codePoint(col, row));
            int base = (col - from) * BitmapFont.WIDTH;
            for (int gy = 0; gy < BitmapFont.HEIGHT; gy++) {
                int bits = glyph[gy] & 0xFF;
                if (gy == BitmapFont.HEIGHT - 1 && (style & Vt.UNDERLINE) != 0) {
                    bits = 0xFF;
                }
                int at = gy * w + base;
                for (int gx = 0; gx < BitmapFont.WIDTH; gx++) {
                    rowPixels[at + gx] = (bits & 0x80 >> gx) != 0 ? fg : bg;
                }
            }
        }
        l.write(from * BitmapFont.WIDTH, row * BitmapFont.HEIGHT, w, BitmapFont.HEIGHT, rowPixels, 0, w);
    }

    /** An underline cursor in the cell's foreground colour, two lines high (Linux's default). */
    private void drawCursor(FramebufferDevice.Lease l, int col, int row) {
        Palette.resolve(vt.style(col, row), colours);
        int[] line = new int[BitmapFont.WIDTH * 2];
        Arrays.fill(line, colours[0]);
        l.write(col * BitmapFont.WIDTH, row * BitmapFont.HEIGHT + BitmapFont.HEIGHT - 2, BitmapFont.WIDTH, 2,
                line, 0, BitmapFont.WIDTH);
    }

    /** The terminal's state, for tests in this bundle. */
    Vt vt() {
        return vt;
    }

    @Override
    public String toString() {
        return name + " on " + framebuffer.name() + " (" + vt.columns() + "x" + vt.rows() + ")";
    }
}
