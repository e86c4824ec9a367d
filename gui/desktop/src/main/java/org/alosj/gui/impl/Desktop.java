package org.alosj.gui.impl;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.alosj.gui.api.GuiApplication;
import org.alosj.gui.api.WindowListener;
import org.alosj.kernel.input.KeyDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The desktop: windows in stacking order, the window manager's mouse handling (click to raise
 * and focus, drag the title bar to move, the bottom-right grip to resize, the close box), the
 * task bar with its application menu, the pointer, and the compositor that draws only the damaged
 * parts of the screen. Everything happens on one thread, the desktop's, fed by a task queue:
 * input, application requests and the clock are tasks, and the screen is composed once the queue
 * is drained, so a burst of mouse motion costs one frame.
 */
final class Desktop {
    private static final Logger LOG = LoggerFactory.getLogger(Desktop.class);

    private enum Drag { NONE, MOVE, RESIZE, CONTENT }

    private final Screen screen;
    private final Fonts fonts;
    private final Supplier<List<GuiApplication>> applications;
    private final KeyDecoder keys;
    private final Raster composed;
    private final Damage damage = new Damage();
    private final List<DesktopWindow> windows = new ArrayList<>(); // bottom first
    private final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final Cursor cursor = new Cursor();
    private final Thread thread;
    private final Taskbar taskbar;
    private volatile boolean running;
    private DesktopWindow focus;
    private int buttons;
    private Drag drag = Drag.NONE;
    private DesktopWindow dragged;
    private int dragX;
    private int dragY;
    private Rect dragStart;
    private long frames;

    Desktop(Screen screen, Fonts fonts, Supplier<List<GuiApplication>> applications, KeyDecoder keys) {
        this.screen = screen;
        this.fonts = fonts;
        this.applications = applications;
        this.keys = keys;
        this.composed = new Raster(screen.width(), screen.height(), fonts);
        this.taskbar = new Taskbar(this, fonts, screen.width(), screen.height());
        cursor.x = screen.width() / 2;
        cursor.y = screen.height() / 2;
        this.thread = new Thread(this::run, "gui-desktop");
        thread.setDaemon(true);
    }

    void start() {
        running = true;
        damage.add(composed.bounds());
        thread.start();
    }

    /** Closes every window (their listeners hear it) and stops the desktop's thread. */
    void stop() {
        if (!running) {
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        post(() -> {
            for (DesktopWindow w : List.copyOf(windows)) {
                closeWindow(w);
            }
            running = false;
            done.countDown();
        });
        try {
            if (!done.await(5, TimeUnit.SECONDS)) {
                LOG.warn("desktop: did not stop within 5 s; abandoning its thread");
            }
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running = false;
    }

    boolean isRunning() {
        return running;
    }

    Fonts fonts() {
        return fonts;
    }

    void post(Runnable task) {
        tasks.add(task);
    }

    private void run() {
        long nextClock = 0;
        while (running) {
            try {
                Runnable t = tasks.poll(250, TimeUnit.MILLISECONDS);
                while (t != null) {
                    runSafely(t);
                    t = running ? tasks.poll() : null;
                }
                long now = System.currentTimeMillis();
                if (now >= nextClock) {
                    taskbar.setClock(LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")));
                    nextClock = now - now % 1000 + 1000;
                }
                compose();
            } catch (InterruptedException e) {
                running = false;
            }
        }
    }

    private void runSafely(Runnable t) {
        try {
            t.run();
        } catch (RuntimeException e) {
            // An application's listener that throws must not take the desktop down.
            LOG.warn("gui: a window's handler failed: {}", e.toString());
        }
    }

    // --- the compositor

    void damage(Rect r) {
        damage.add(r);
    }

    void taskbarChanged() {
        taskbar.render(windows, focus);
        damage.add(taskbar.bounds());
    }

    long frames() {
        return frames;
    }

    private void compose() {
        if (damage.isEmpty()) {
            return;
        }
        for (Rect r : damage.take(composed.bounds())) {
            paint(r);
            screen.show(r.x(), r.y(), r.width(), r.height(), composed.pixels, r.y() * composed.width + r.x(), composed.width);
        }
        frames++;
    }

    /** Draws the screen inside {@code r}: background, windows bottom to top, task bar, menu, pointer. */
    private void paint(Rect r) {
        paintBackground(r);
        for (DesktopWindow w : windows) {
            Rect f = w.frame().intersect(r);
            if (f.isEmpty()) {
                continue;
            }
            composed.fill(f.x(), f.y(), f.width(), f.height(), Theme.FRAME);
            Rect title = w.titleBar().intersect(r);
            if (!title.isEmpty()) {
                w.decoration().drawOnto(composed, title.translate(-w.frame().x(), -w.frame().y()), title.x(), title.y());
            }
            Rect c = w.contentRect();
            Rect part = c.intersect(r);
            if (!part.isEmpty()) {
                w.content().drawOnto(composed, part.translate(-c.x(), -c.y()), part.x(), part.y());
            }
        }
        taskbar.drawOnto(composed, r);
        cursor.drawOnto(composed, r);
    }

    private void paintBackground(Rect r) {
        // A plain colour with a faint grid: cheap to draw and shows a window's motion clearly.
        composed.fill(r.x(), r.y(), r.width(), r.height(), Theme.DESKTOP);
        int first = (r.y() + 31) / 32 * 32;
        for (int y = first; y < r.bottom(); y += 32) {
            composed.fill(r.x(), y, r.width(), 1, Theme.DESKTOP_LINE);
        }
    }

    /** The composed picture (a copy), for tests and benchmarks; call on the desktop's thread or when idle. */
    int[] picture() {
        return composed.pixels.clone();
    }

    // --- windows

    DesktopWindow open(GuiApplication app) {
        String title = app.title();
        int w = Math.min(Math.max(Theme.MIN_CONTENT_WIDTH, app.preferredWidth()), screen.width() - 40);
        int h = Math.min(Math.max(Theme.MIN_CONTENT_HEIGHT, app.preferredHeight()),
                screen.height() - Theme.TASKBAR_HEIGHT - Theme.TITLE_HEIGHT - 40);
        int n = windows.size();
        int x = 30 + (n * 28) % Math.max(1, screen.width() / 3);
        int y = 20 + (n * 28) % Math.max(1, screen.height() / 3);
        DesktopWindow win = new DesktopWindow(this, app, title, x, y, w, h);
        windows.add(win);
        setFocus(win);
        damage.add(win.frame());
        try {
            app.open(win);
        } catch (RuntimeException e) {
            LOG.warn("gui: {} failed to open: {}", title, e.toString());
            closeWindow(win);
        }
        return win;
    }

    void openLater(GuiApplication app) {
        post(() -> open(app));
    }

    void closeWindow(DesktopWindow w) {
        if (!windows.remove(w)) {
            return;
        }
        w.markClosed();
        damage.add(w.frame());
        if (focus == w) {
            focus = null;
            setFocus(windows.isEmpty() ? null : windows.get(windows.size() - 1));
        }
        taskbarChanged();
        WindowListener l = w.listener();
        runSafely(l::closed);
    }

    /** Closes the windows of an application that went away (its bundle stopped). */
    void applicationGone(GuiApplication app) {
        post(() -> {
            for (DesktopWindow w : List.copyOf(windows)) {
                if (w.application == app) {
                    closeWindow(w);
                }
            }
            taskbar.closeMenu();
            damage.add(composed.bounds());
        });
    }

    List<DesktopWindow> windows() {
        return windows;
    }

    DesktopWindow focused() {
        return focus;
    }

    void raise(DesktopWindow w) {
        if (windows.remove(w)) {
            windows.add(w);
            damage.add(w.frame());
        }
        setFocus(w);
    }

    private void setFocus(DesktopWindow w) {
        if (focus == w) {
            return;
        }
        DesktopWindow old = focus;
        focus = w;
        if (old != null) {
            old.setFocused(false);
            damage.add(old.titleBar());
            WindowListener l = old.listener();
            runSafely(() -> l.focus(false));
        }
        if (w != null) {
            w.setFocused(true);
            damage.add(w.titleBar());
            WindowListener l = w.listener();
            runSafely(() -> l.focus(true));
        }
        taskbarChanged();
    }

    List<GuiApplication> applications() {
        return applications.get();
    }

    // --- input (any thread)

    /** Relative motion and buttons from a mouse, as its driver reports them. */
    void pointer(int dx, int dy, int wheel, int newButtons) {
        post(() -> pointerNow(dx, dy, wheel, newButtons));
    }

    /** A key event from a keyboard (Linux key code; value 0 up, 1 down, 2 repeat). */
    void key(int code, int value) {
        post(() -> keyNow(code, value));
    }

    private void keyNow(int code, int value) {
        byte[] typed = keys == null ? new byte[0] : keys.key(code, value);
        DesktopWindow w = focus;
        if (w == null) {
            return;
        }
        WindowListener l = w.listener();
        runSafely(() -> l.key(code, value));
        if (typed.length > 0) {
            runSafely(() -> l.typed(typed));
        }
    }

    private void pointerNow(int dx, int dy, int wheel, int newButtons) {
        Rect before = cursor.bounds();
        cursor.x = Math.max(0, Math.min(screen.width() - 1, cursor.x + dx));
        cursor.y = Math.max(0, Math.min(screen.height() - 1, cursor.y + dy));
        if (!before.equals(cursor.bounds())) {
            damage.add(before);
            damage.add(cursor.bounds());
        }
        int pressed = newButtons & ~buttons;
        int released = buttons & ~newButtons;
        buttons = newButtons;
        if (dx != 0 || dy != 0) {
            moved();
        }
        for (int b = 0; b < 3; b++) {
            int bit = 1 << b;
            if ((pressed & bit) != 0) {
                pressed(b + 1);
            }
            if ((released & bit) != 0) {
                released(b + 1);
            }
        }
        if (wheel != 0) {
            DesktopWindow w = windowAt(cursor.x, cursor.y);
            if (w != null && w.contentRect().contains(cursor.x, cursor.y)) {
                Rect c = w.contentRect();
                runSafely(() -> w.listener().wheel(cursor.x - c.x(), cursor.y - c.y(), wheel));
            }
        }
    }

    private void moved() {
        switch (drag) {
            case MOVE -> {
                Rect old = dragged.frame();
                int nx = dragStart.x() + cursor.x - dragX;
                int ny = Math.max(0, Math.min(screen.height() - Theme.TASKBAR_HEIGHT - Theme.TITLE_HEIGHT, dragStart.y() + cursor.y - dragY));
                dragged.moveTo(nx, ny);
                damage.add(old);
                damage.add(dragged.frame());
            }
            case RESIZE -> {
                Rect old = dragged.frame();
                int w = dragStart.width() + cursor.x - dragX - 2 * Theme.BORDER;
                int h = dragStart.height() + cursor.y - dragY - 2 * Theme.BORDER - Theme.TITLE_HEIGHT;
                Rect c = dragged.contentRect();
                if (Math.max(Theme.MIN_CONTENT_WIDTH, w) != c.width() || Math.max(Theme.MIN_CONTENT_HEIGHT, h) != c.height()) {
                    dragged.resize(w, h);
                    damage.add(old);
                    damage.add(dragged.frame());
                    Rect n = dragged.contentRect();
                    DesktopWindow target = dragged;
                    runSafely(() -> target.listener().resized(n.width(), n.height()));
                }
            }
            case CONTENT -> {
                Rect c = dragged.contentRect();
                DesktopWindow target = dragged;
                int b = buttons;
                runSafely(() -> target.listener().mouseMoved(cursor.x - c.x(), cursor.y - c.y(), b));
            }
            case NONE -> {
                taskbar.hover(cursor.x, cursor.y);
                DesktopWindow w = windowAt(cursor.x, cursor.y);
                if (w != null && w.contentRect().contains(cursor.x, cursor.y)) {
                    Rect c = w.contentRect();
                    runSafely(() -> w.listener().mouseMoved(cursor.x - c.x(), cursor.y - c.y(), 0));
                }
            }
        }
    }

    private void pressed(int button) {
        if (drag != Drag.NONE) {
            return;
        }
        if (taskbar.click(cursor.x, cursor.y, windows)) {
            return;
        }
        DesktopWindow w = windowAt(cursor.x, cursor.y);
        if (w == null) {
            return;
        }
        raise(w);
        if (button != 1 && !w.contentRect().contains(cursor.x, cursor.y)) {
            return;
        }
        if (button == 1 && w.closeBox().contains(cursor.x, cursor.y)) {
            closeWindow(w);
            return;
        }
        dragged = w;
        dragX = cursor.x;
        dragY = cursor.y;
        dragStart = w.frame();
        if (button == 1 && w.resizeGrip().contains(cursor.x, cursor.y)) {
            drag = Drag.RESIZE;
        } else if (button == 1 && w.titleBar().contains(cursor.x, cursor.y)) {
            drag = Drag.MOVE;
        } else if (w.contentRect().contains(cursor.x, cursor.y)) {
            drag = Drag.CONTENT;
            Rect c = w.contentRect();
            runSafely(() -> w.listener().mouseButton(cursor.x - c.x(), cursor.y - c.y(), button, true));
        }
    }

    private void released(int button) {
        if (drag == Drag.CONTENT && dragged != null) {
            Rect c = dragged.contentRect();
            DesktopWindow target = dragged;
            runSafely(() -> target.listener().mouseButton(cursor.x - c.x(), cursor.y - c.y(), button, false));
        }
        if (buttons == 0) {
            drag = Drag.NONE;
            dragged = null;
        }
    }

    private DesktopWindow windowAt(int x, int y) {
        if (taskbar.bounds().contains(x, y)) {
            return null;
        }
        for (int i = windows.size() - 1; i >= 0; i--) {
            if (windows.get(i).frame().contains(x, y)) {
                return windows.get(i);
            }
        }
        return null;
    }

    int pointerX() {
        return cursor.x;
    }

    int pointerY() {
        return cursor.y;
    }

    /** Waits until every task posted before this call has run and the screen is composed. */
    boolean awaitIdle(long timeoutMillis) throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(1);
        post(() -> {
            compose();
            latch.countDown();
        });
        return latch.await(timeoutMillis, TimeUnit.MILLISECONDS);
    }
}
