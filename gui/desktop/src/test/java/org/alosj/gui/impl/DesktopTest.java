package org.alosj.gui.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.alosj.gui.api.AppWindow;
import org.alosj.gui.api.GuiApplication;
import org.alosj.gui.api.WindowListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DesktopTest {
    /** A screen in memory: what the desktop shows lands in an int array, and shown areas are counted. */
    static final class MemoryScreen implements Screen {
        final int width;
        final int height;
        final int[] pixels;
        long shownPixels;
        final List<Rect> shown = new CopyOnWriteArrayList<>();

        MemoryScreen(int width, int height) {
            this.width = width;
            this.height = height;
            this.pixels = new int[width * height];
        }

        @Override
        public int width() {
            return width;
        }

        @Override
        public int height() {
            return height;
        }

        @Override
        public synchronized void show(int x, int y, int w, int h, int[] src, int offset, int scanline) {
            for (int row = 0; row < h; row++) {
                System.arraycopy(src, offset + row * scanline, pixels, (y + row) * width + x, w);
            }
            shownPixels += (long) w * h;
            shown.add(new Rect(x, y, w, h));
        }

        synchronized int at(int x, int y) {
            return pixels[y * width + x];
        }
    }

    /** An application drawing a solid colour, remembering what it was told. */
    static final class SolidApp implements GuiApplication {
        final String title;
        final int colour;
        final List<String> heard = new CopyOnWriteArrayList<>();
        volatile AppWindow window;

        SolidApp(String title, int colour) {
            this.title = title;
            this.colour = colour;
        }

        @Override
        public String title() {
            return title;
        }

        @Override
        public int preferredWidth() {
            return 200;
        }

        @Override
        public int preferredHeight() {
            return 120;
        }

        @Override
        public void open(AppWindow w) {
            window = w;
            w.canvas().fill(0, 0, w.canvas().width(), w.canvas().height(), colour);
            w.setListener(new WindowListener() {
                @Override
                public void typed(byte[] input) {
                    heard.add("typed " + new String(input));
                }

                @Override
                public void mouseButton(int x, int y, int button, boolean down) {
                    heard.add("button " + button + (down ? " down " : " up ") + x + "," + y);
                }

                @Override
                public void resized(int width, int height) {
                    heard.add("resized " + width + "x" + height);
                    w.canvas().fill(0, 0, width, height, colour);
                }

                @Override
                public void closed() {
                    heard.add("closed");
                }
            });
            w.repaint();
        }
    }

    private final List<GuiApplication> apps = new ArrayList<>();
    private MemoryScreen screen;
    private Desktop desktop;

    @BeforeEach
    void start() {
        screen = new MemoryScreen(640, 480);
        desktop = new Desktop(screen, new Fonts(), () -> List.copyOf(apps), null);
        desktop.start();
    }

    @AfterEach
    void stop() {
        desktop.stop();
    }

    private DesktopWindow open(GuiApplication app) throws Exception {
        DesktopWindow[] opened = new DesktopWindow[1];
        desktop.post(() -> opened[0] = desktop.open(app));
        assertTrue(desktop.awaitIdle(5000));
        return opened[0];
    }

    /** Moves the pointer to an absolute place with relative motion, as a mouse would. */
    private void pointTo(int x, int y, int buttons) throws Exception {
        assertTrue(desktop.awaitIdle(5000));
        desktop.pointer(x - desktop.pointerX(), y - desktop.pointerY(), 0, buttons);
        assertTrue(desktop.awaitIdle(5000));
    }

    @Test
    void aWindowShowsItsContentInsideItsFrameOnTheDesktop() throws Exception {
        DesktopWindow w = open(new SolidApp("red", 0xff0000));
        Rect c = w.contentRect();
        assertEquals(0xff0000, screen.at(c.x() + 5, c.y() + 5));
        assertEquals(Theme.TITLE_FOCUSED, screen.at(w.frame().x() + 3, w.frame().y() + 3));
        assertEquals(Theme.DESKTOP, screen.at(w.frame().right() + 5, w.frame().y() + 5));
        assertEquals(Theme.TASKBAR, screen.at(screen.width - 200, screen.height - 2));
    }

    @Test
    void draggingTheTitleBarMovesTheWindowAndUncoversTheDesktop() throws Exception {
        DesktopWindow w = open(new SolidApp("drag me", 0x00ff00));
        Rect before = w.frame();
        int gx = before.x() + 30;
        int gy = before.y() + 8;
        pointTo(gx, gy, 0);
        pointTo(gx, gy, 1);
        pointTo(gx + 150, gy + 90, 1);
        pointTo(gx + 150, gy + 90, 0);
        Rect after = w.frame();
        assertEquals(before.x() + 150, after.x());
        assertEquals(before.y() + 90, after.y());
        Rect c = w.contentRect();
        assertEquals(0x00ff00, screen.at(c.x() + 10, c.y() + 10));
        // The old top-left corner of the content is desktop again.
        int ox = before.x() + 10;
        int oy = before.y() + Theme.TITLE_HEIGHT + 10;
        assertFalse(after.contains(ox, oy));
        assertNotEquals(0x00ff00, screen.at(ox, oy));
    }

    @Test
    void aDragInSeveralMotionsMovesByTheirSum() throws Exception {
        DesktopWindow w = open(new SolidApp("steps", 0x00ff00));
        Rect before = w.frame();
        pointTo(before.x() + 40, before.y() + 5, 0);
        pointTo(before.x() + 40, before.y() + 5, 1);
        // A PS/2 mouse reports a long move as several packets of at most 255.
        desktop.pointer(255, 200, 0, 1);
        desktop.pointer(45, 0, 0, 1);
        assertTrue(desktop.awaitIdle(5000));
        desktop.pointer(0, 0, 0, 0);
        assertEquals(before.x() + 300, w.frame().x());
        assertEquals(before.y() + 200, w.frame().y());
    }

    @Test
    void theResizeGripResizesAndTellsTheApplication() throws Exception {
        SolidApp app = new SolidApp("resize", 0x0000ff);
        DesktopWindow w = open(app);
        Rect grip = w.resizeGrip();
        Rect c0 = w.contentRect();
        pointTo(grip.x() + 3, grip.y() + 3, 0);
        pointTo(grip.x() + 3, grip.y() + 3, 1);
        pointTo(grip.x() + 83, grip.y() + 43, 1);
        pointTo(grip.x() + 83, grip.y() + 43, 0);
        Rect c1 = w.contentRect();
        assertEquals(c0.width() + 80, c1.width());
        assertEquals(c0.height() + 40, c1.height());
        assertTrue(app.heard.contains("resized " + c1.width() + "x" + c1.height()), app.heard.toString());
        app.window.repaint();
        assertTrue(desktop.awaitIdle(5000));
        assertEquals(0x0000ff, screen.at(c1.right() - 30, c1.bottom() - 30), "the new area is drawn (away from the pointer)");
    }

    @Test
    void clickingRaisesAndFocusesAndTheCloseBoxCloses() throws Exception {
        SolidApp a = new SolidApp("a", 0x111111);
        SolidApp b = new SolidApp("b", 0x222222);
        DesktopWindow wa = open(a);
        DesktopWindow wb = open(b);
        assertSame(wb, desktop.focused());
        // A point of a's content that b covers is b's; clicking a's uncovered part raises a.
        Rect ca = wa.contentRect();
        pointTo(ca.x() + 3, ca.bottom() - 3, 0);
        pointTo(ca.x() + 3, ca.bottom() - 3, 1);
        pointTo(ca.x() + 3, ca.bottom() - 3, 0);
        assertSame(wa, desktop.focused());
        assertTrue(a.heard.contains("button 1 down 3," + (ca.height() - 3)), a.heard.toString());
        Rect cb = wb.contentRect();
        assertEquals(0x111111, screen.at(cb.x() + 2, cb.y() + 2), "a is on top where they overlap");
        desktop.key(30, 1);
        Rect close = wa.closeBox();
        pointTo(close.x() + 4, close.y() + 4, 1);
        pointTo(close.x() + 4, close.y() + 4, 0);
        assertFalse(wa.isOpen());
        assertTrue(a.heard.contains("closed"));
        assertSame(wb, desktop.focused());
        assertEquals(0x222222, screen.at(cb.x() + 2, cb.y() + 2));
    }

    @Test
    void theMenuListsApplicationsAndOpensTheChosenOne() throws Exception {
        SolidApp clock = new SolidApp("Clock", 0x123456);
        apps.add(clock);
        pointTo(20, screen.height - 10, 1);
        pointTo(20, screen.height - 10, 0);
        // The one item sits right above the task bar.
        pointTo(30, screen.height - Theme.TASKBAR_HEIGHT - 15, 1);
        pointTo(30, screen.height - Theme.TASKBAR_HEIGHT - 15, 0);
        assertEquals(1, desktop.windows().size());
        assertSame(clock, desktop.windows().get(0).application);
        desktop.applicationGone(clock);
        assertTrue(desktop.awaitIdle(5000));
        assertTrue(desktop.windows().isEmpty());
        assertNull(desktop.focused());
    }

    @Test
    void aSmallChangeRedrawsOnlyItsArea() throws Exception {
        SolidApp app = new SolidApp("small", 0xabcdef);
        DesktopWindow w = open(app);
        assertTrue(desktop.awaitIdle(5000));
        screen.shown.clear();
        app.window.canvas().fill(0, 0, 4, 4, 0);
        app.window.repaint();
        assertTrue(desktop.awaitIdle(5000));
        // What was sent to the screen is the window's content, and the clock's task bar if it ticked.
        Rect content = w.contentRect();
        Rect taskbar = new Rect(0, screen.height - Theme.TASKBAR_HEIGHT, screen.width, Theme.TASKBAR_HEIGHT);
        assertFalse(screen.shown.isEmpty());
        for (Rect r : screen.shown) {
            assertTrue(content.intersect(r).equals(r) || taskbar.intersect(r).equals(r), "redrew " + r);
        }
        assertEquals(0, screen.at(content.x() + 1, content.y() + 1));
    }

    @Test
    void aThrowingApplicationDoesNotTakeTheDesktopDown() throws Exception {
        GuiApplication bad = new GuiApplication() {
            @Override
            public String title() {
                return "bad";
            }

            @Override
            public void open(AppWindow window) {
                window.setListener(new WindowListener() {
                    @Override
                    public void mouseButton(int x, int y, int button, boolean down) {
                        throw new IllegalStateException("boom");
                    }
                });
            }
        };
        DesktopWindow w = open(bad);
        Rect c = w.contentRect();
        pointTo(c.x() + 10, c.y() + 10, 1);
        pointTo(c.x() + 10, c.y() + 10, 0);
        DesktopWindow ok = open(new SolidApp("fine", 0x00ffff));
        assertEquals(0x00ffff, screen.at(ok.contentRect().x() + 1, ok.contentRect().y() + 1));
    }
}
