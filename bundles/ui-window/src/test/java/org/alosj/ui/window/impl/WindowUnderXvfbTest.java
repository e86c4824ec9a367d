package org.alosj.ui.window.impl;

import org.alosj.hal.testing.MemorySurface;
import org.alosj.hal.testing.RecordingInput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.event.WindowEvent;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.swing.SwingUtilities;
import org.alosj.kernel.power.SystemPower;
import org.alosj.testkit.RealPeers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The window on a real X server (Xvfb, the display surefire's DISPLAY names): ImageMagick's
 * import sees the surface's picture pixel for pixel, damage included, and xdotool's keys and
 * mouse reach the input models.
 */
class WindowUnderXvfbTest {
    private static Process xvfb;
    private static String display;
    @TempDir
    static Path dir;

    private final MemorySurface surface = new MemorySurface(320, 200);
    private final RecordingInput input = new RecordingInput();

    @BeforeAll
    static void startXvfb() throws Exception {
        RealPeers.requireTool("Xvfb", "Debian package xvfb");
        RealPeers.requireTool("xdotool", "Debian package xdotool");
        RealPeers.requireTool("import", "Debian package imagemagick");
        display = System.getenv("DISPLAY");
        RealPeers.require(display != null && display.matches(":\\d+"), "DISPLAY is not set to an X display number"
                + " (the pom sets it for this test)");
        clearStaleLock(display.substring(1));
        // Xvfb goes when this JVM does (AWT holds its X connection to the end, and Xlib ends the
        // process if the server goes first): a watcher ends it once the JVM is gone, even a killed one.
        String watch = "Xvfb " + display + " -screen 0 1024x768x24 -nolisten tcp & x=$!; "
                + "while kill -0 " + ProcessHandle.current().pid() + " 2>/dev/null && kill -0 $x 2>/dev/null; "
                + "do sleep 1; done; kill $x 2>/dev/null; wait";
        xvfb = new ProcessBuilder("sh", "-c", watch)
                .redirectErrorStream(true).redirectOutput(dir.resolve("xvfb.log").toFile()).start();
        // The server is up once a client can talk to it.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Process p = new ProcessBuilder("xdotool", "getmouselocation").redirectErrorStream(true).start();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                break;
            }
            assertTrue(xvfb.isAlive(), "Xvfb " + display + " ended: " + Files.readString(dir.resolve("xvfb.log")));
            assertTrue(System.nanoTime() < end, "Xvfb " + display + " did not answer in 30 s");
            Thread.sleep(100);
        }
    }

    /** A lock left by an Xvfb that died (a killed test run) would keep a new one from starting. */
    private static void clearStaleLock(String number) throws IOException {
        Path lock = Path.of("/tmp/.X" + number + "-lock");
        if (Files.exists(lock)) {
            String pid = Files.readString(lock).strip();
            if (!Files.exists(Path.of("/proc", pid))) {
                Files.deleteIfExists(lock);
                Files.deleteIfExists(Path.of("/tmp/.X11-unix/X" + number));
            }
        }
    }

    static String run(String... command) throws IOException, InterruptedException {
        Path log = dir.resolve("peer.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", command) + " did not finish in 30 s");
        }
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }

    private static WindowDisplay open(String title) {
        return new WindowDisplay(new WindowDisplay.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return WindowDisplay.Config.class;
            }

            @Override
            public String title() {
                return title;
            }
        });
    }

    /** The window's picture as import captures it, 0xRRGGBB. */
    private static int[] screenshot(String window, int w, int h) throws IOException, InterruptedException {
        Path raw = dir.resolve("shot.rgb");
        run("import", "-window", window, "-crop", w + "x" + h + "+0+0", "-depth", "8", "rgb:" + raw);
        byte[] b = Files.readAllBytes(raw);
        int[] px = new int[b.length / 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (b[3 * i] & 0xff) << 16 | (b[3 * i + 1] & 0xff) << 8 | b[3 * i + 2] & 0xff;
        }
        return px;
    }

    private int[] picture() {
        int[] px = new int[320 * 200];
        surface.read(0, 0, 320, 200, px, 0, 320);
        return px;
    }

    /** Screenshots until the window shows the picture (painting is asynchronous); fails after 30 s. */
    private void awaitPicture(String window) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int[] want = picture();
        int[] got;
        do {
            got = screenshot(window, 320, 200);
            if (Arrays.equals(want, got)) {
                return;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < end);
        int first = 0;
        while (first < Math.min(want.length, got.length) && want[first] == got[first]) {
            first++;
        }
        throw new AssertionError("the window does not show the picture: " + got.length + " pixels, first difference at "
                + first);
    }

    @Test
    void theWindowShowsThePictureAndItsDamageAndTakesTheHostsKeysAndMouse() throws Exception {
        surface.pattern(3);
        WindowDisplay window = open("ALOS/J window test");
        window.bindSurface(surface);
        window.bindInput(input);
        try {
            String id = run("xdotool", "search", "--sync", "--name", "^ALOS/J window test$").strip().split("\\s+")[0];
            awaitPicture(id);
            surface.fill(100, 50, 60, 40, 0xff8800);
            awaitPicture(id);

            // The mouse first: a click in the window gives it the keyboard, as on a desktop without a window manager.
            run("xdotool", "mousemove", "--window", id, "--sync", "10", "10");
            run("xdotool", "mousemove", "--window", id, "--sync", "30", "25", "click", "1", "click", "4");
            assertEquals(List.of("pointer 20 15 0 0", "pointer 0 0 0 1", "pointer 0 0 0 0", "pointer 0 0 1 0"),
                    input.await(4));
            run("xdotool", "key", "--delay", "20", "a", "shift+b", "Return");
            // xdotool lets go of a combination's keys in the order it pressed them.
            assertEquals(List.of("down 30", "up 30", "down 42", "down 48", "up 42", "up 48", "down 28", "up 28"),
                    input.await(12).subList(4, 12));
        } finally {
            window.close();
        }
    }

    @Test
    void aModeChangeResizesTheWindowAndClosingItPowersTheMachineOff() throws Exception {
        surface.pattern(4);
        WindowDisplay window = open("ALOS/J close test");
        CountDownLatch off = new CountDownLatch(1);
        window.bindPower(new SystemPower() {
            @Override
            public void powerOff() {
                off.countDown();
            }

            @Override
            public void reboot() {
                throw new AssertionError("closing the window must not reboot");
            }
        });
        window.bindSurface(surface);
        String id = run("xdotool", "search", "--sync", "--name", "^ALOS/J close test$").strip().split("\\s+")[0];
        awaitPicture(id);
        surface.setMode(400, 300);
        surface.pattern(5);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String geometry;
        do {
            geometry = run("xdotool", "getwindowgeometry", id);
            Thread.sleep(50);
        } while (!geometry.contains("400x300") && System.nanoTime() < end);
        assertTrue(geometry.contains("400x300"), geometry);
        SwingUtilities.invokeAndWait(() -> window.frame().dispatchEvent(
                new WindowEvent(window.frame(), WindowEvent.WINDOW_CLOSING)));
        assertTrue(off.await(30, TimeUnit.SECONDS), "the power service was not asked to power off");
    }
}
