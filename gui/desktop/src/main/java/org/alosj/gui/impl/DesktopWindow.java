package org.alosj.gui.impl;

import org.alosj.gui.api.AppWindow;
import org.alosj.gui.api.Canvas;
import org.alosj.gui.api.Canvas.TextStyle;
import org.alosj.gui.api.GuiApplication;
import org.alosj.gui.api.WindowListener;

/**
 * A window on the desktop: its frame (border, title bar with the close box) drawn into its own
 * raster, and its content raster the application draws into. Geometry changes and events go
 * through the desktop's thread; the application may draw from any thread.
 */
final class DesktopWindow implements AppWindow {
    private final Desktop desktop;
    final GuiApplication application;
    private volatile String title;
    private volatile Raster content;
    private Raster decoration;
    private Rect frame;
    private volatile WindowListener listener = new WindowListener() {
    };
    private volatile boolean open = true;
    boolean focused;

    DesktopWindow(Desktop desktop, GuiApplication application, String title, int x, int y, int width, int height) {
        this.desktop = desktop;
        this.application = application;
        this.title = title;
        this.frame = new Rect(x, y, width + 2 * Theme.BORDER, height + Theme.TITLE_HEIGHT + 2 * Theme.BORDER);
        this.content = new Raster(width, height, desktop.fonts());
        content.fill(0, 0, width, height, 0xffffff);
        renderDecoration();
    }

    // --- AppWindow

    @Override
    public void invokeLater(Runnable task) {
        desktop.post(task);
    }

    @Override
    public Canvas canvas() {
        return content;
    }

    @Override
    public void repaint() {
        desktop.post(() -> {
            if (open) {
                desktop.damage(contentRect());
            }
        });
    }

    @Override
    public void setTitle(String newTitle) {
        desktop.post(() -> {
            title = newTitle == null ? "" : newTitle;
            renderDecoration();
            desktop.damage(frame);
            desktop.taskbarChanged();
        });
    }

    @Override
    public void setListener(WindowListener l) {
        listener = l == null ? new WindowListener() {
        } : l;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        desktop.post(() -> desktop.closeWindow(this));
    }

    // --- the desktop's side (desktop thread only)

    String title() {
        return title;
    }

    WindowListener listener() {
        return listener;
    }

    Rect frame() {
        return frame;
    }

    Raster content() {
        return content;
    }

    Raster decoration() {
        return decoration;
    }

    Rect contentRect() {
        return new Rect(frame.x() + Theme.BORDER, frame.y() + Theme.BORDER + Theme.TITLE_HEIGHT,
                frame.width() - 2 * Theme.BORDER, frame.height() - 2 * Theme.BORDER - Theme.TITLE_HEIGHT);
    }

    Rect titleBar() {
        return new Rect(frame.x(), frame.y(), frame.width(), Theme.TITLE_HEIGHT + Theme.BORDER);
    }

    Rect closeBox() {
        int size = Theme.CLOSE_BOX;
        return new Rect(frame.right() - Theme.BORDER - 4 - size, frame.y() + Theme.BORDER + (Theme.TITLE_HEIGHT - size) / 2, size, size);
    }

    Rect resizeGrip() {
        return new Rect(frame.right() - Theme.RESIZE_GRIP, frame.bottom() - Theme.RESIZE_GRIP, Theme.RESIZE_GRIP, Theme.RESIZE_GRIP);
    }

    void moveTo(int x, int y) {
        frame = new Rect(x, y, frame.width(), frame.height());
    }

    /** New content size: a fresh content raster keeping what fits of the old picture. */
    void resize(int width, int height) {
        int w = Math.max(Theme.MIN_CONTENT_WIDTH, width);
        int h = Math.max(Theme.MIN_CONTENT_HEIGHT, height);
        Raster old = content;
        Raster fresh = new Raster(w, h, desktop.fonts());
        fresh.fill(0, 0, w, h, 0xffffff);
        old.drawOnto(fresh, old.bounds(), 0, 0);
        content = fresh;
        frame = new Rect(frame.x(), frame.y(), w + 2 * Theme.BORDER, h + Theme.TITLE_HEIGHT + 2 * Theme.BORDER);
        renderDecoration();
    }

    void setFocused(boolean f) {
        if (focused != f) {
            focused = f;
            renderDecoration();
        }
    }

    void markClosed() {
        open = false;
    }

    void renderDecoration() {
        Raster d = new Raster(frame.width(), Theme.TITLE_HEIGHT + Theme.BORDER, desktop.fonts());
        d.fill(0, 0, d.width, d.height, focused ? Theme.TITLE_FOCUSED : Theme.TITLE_UNFOCUSED);
        d.fill(0, 0, d.width, Theme.BORDER, Theme.FRAME);
        d.fill(0, 0, Theme.BORDER, d.height, Theme.FRAME);
        d.fill(d.width - Theme.BORDER, 0, Theme.BORDER, d.height, Theme.FRAME);
        int lineHeight = d.lineHeight(TextStyle.BOLD);
        int textY = Theme.BORDER + (Theme.TITLE_HEIGHT - lineHeight) / 2;
        Rect close = closeBox().translate(-frame.x(), -frame.y());
        String shown = ellipsize(d, title, close.x() - 12);
        d.text(8, textY, shown, Theme.TITLE_TEXT, TextStyle.BOLD);
        d.fill(close.x(), close.y(), close.width(), close.height(), Theme.CLOSE);
        for (int i = 3; i < close.width() - 3; i++) {
            d.plot(close.x() + i, close.y() + i, 0xffffff);
            d.plot(close.x() + close.width() - 1 - i, close.y() + i, 0xffffff);
        }
        decoration = d;
    }

    private static String ellipsize(Raster r, String text, int width) {
        if (r.textWidth(text, TextStyle.BOLD) <= width) {
            return text;
        }
        String s = text;
        while (!s.isEmpty() && r.textWidth(s + "…", TextStyle.BOLD) > width) {
            s = s.substring(0, s.length() - 1);
        }
        return s + "…";
    }
}
