package org.alosj.gui.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.alosj.gui.api.AppWindow;
import org.alosj.gui.api.Canvas.TextStyle;
import org.alosj.gui.api.GuiApplication;

/**
 * The compositor's frame rate at 1024×768 with N windows (default 10) all moving every frame,
 * each frame composed and shown (damage of every window's old and new place); beside it the peer
 * figure from the same run, a plain copy of a whole 1024×768 int[] screen. Run by bench/gui.sh.
 */
public final class DesktopBench {
    public static void main(String[] args) throws Exception {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 600;
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        DesktopTest.MemoryScreen screen = new DesktopTest.MemoryScreen(1024, 768);
        Desktop desktop = new Desktop(screen, new Fonts(), List::of, null);
        desktop.start();
        List<DesktopWindow> windows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            GuiApplication app = new GuiApplication() {
                @Override
                public String title() {
                    return "window " + n;
                }

                @Override
                public int preferredWidth() {
                    return 320;
                }

                @Override
                public int preferredHeight() {
                    return 200;
                }

                @Override
                public void open(AppWindow w) {
                    w.canvas().fill(0, 0, 320, 200, 0x101010 * (n + 1));
                    for (int line = 0; line < 12; line++) {
                        w.canvas().text(4, 4 + line * 15, "line " + line + " of window " + n, 0xffffff, TextStyle.MONOSPACE);
                    }
                }
            };
            DesktopWindow[] opened = new DesktopWindow[1];
            desktop.post(() -> opened[0] = desktop.open(app));
            desktop.awaitIdle(5000);
            windows.add(opened[0]);
        }
        for (int round = 0; round < 3; round++) {
            long start = System.nanoTime();
            for (int f = 0; f < frames; f++) {
                int step = f;
                desktop.post(() -> {
                    for (int i = 0; i < windows.size(); i++) {
                        DesktopWindow w = windows.get(i);
                        Rect old = w.frame();
                        int x = (40 + i * 60 + step * 3) % (1024 - old.width());
                        int y = (20 + i * 40 + step * 2) % (768 - 28 - old.height());
                        w.moveTo(x, y);
                        desktop.damage(old);
                        desktop.damage(w.frame());
                    }
                });
                desktop.awaitIdle(5000);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            int[] src = new int[1024 * 768];
            int[] dst = new int[1024 * 768];
            long peerStart = System.nanoTime();
            for (int f = 0; f < frames; f++) {
                src[f % src.length] = f;
                System.arraycopy(src, 0, dst, 0, src.length);
            }
            double peerSeconds = (System.nanoTime() - peerStart) / 1e9;
            System.out.printf(Locale.ROOT, "round %d: %d windows moving, %.0f frames/s (%.2f ms a frame, %.1f Mpixels shown a frame);"
                    + " peer, a whole-screen int[] copy: %.0f copies/s (%.2f ms)%n", round + 1, count, frames / seconds,
                    seconds * 1000 / frames, screen.shownPixels / 1e6 / desktop.frames(), frames / peerSeconds,
                    peerSeconds * 1000 / frames);
        }
        desktop.stop();
    }
}
