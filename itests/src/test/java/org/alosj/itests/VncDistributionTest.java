package org.alosj.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.alosj.testkit.RealPeers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host-side faces of the screen, keyboard and mouse on the booted distribution: -vnc with
 * real VNC clients, -display window without a desktop, and the monitor's verbs. Without a
 * display adapter the server shows QEMU's blank 640×480 "display not active" picture; with
 * -vga std, the picture screendump saves.
 */
class VncDistributionTest {
    @TempDir
    Path run;

    private static Path dist() {
        return Path.of(System.getProperty("alosj.dist", "../distribution/target/alosj")).toAbsolutePath().normalize();
    }

    private static int freeDisplayNumber() throws IOException {
        for (int n = 40; n < 99; n++) {
            try (ServerSocket probe = new ServerSocket(5900 + n, 1, java.net.InetAddress.getLoopbackAddress())) {
                return n;
            } catch (IOException taken) {
                // try the next
            }
        }
        throw new IOException("no free VNC port between 5940 and 5998");
    }

    /** Boots the machine with {@code args} running {@code script}, in the background. */
    private CompletableFuture<AlosProcess.Result> boot(String script, String... args) {
        List<String> cmd = new ArrayList<>(AlosProcess.launcher(dist(), run));
        cmd.addAll(List.of("-serial", "none"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-c", script));
        return CompletableFuture.supplyAsync(() -> {
            try {
                return AlosProcess.run(new ProcessBuilder(cmd), 240, "./alos " + String.join(" ", args));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** gvnccapture until the server answers (the machine boots first); fails after 120 s. */
    private static void capture(int display, Path png) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            Process p = new ProcessBuilder("gvnccapture", "-q", "127.0.0.1:" + display, png.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.size(png) > 0) {
                return;
            }
            assertTrue(System.nanoTime() < end, "gvnccapture never got the screen: " + out);
            Thread.sleep(500);
        }
    }

    /** An image's pixels through ImageMagick: width, height, then 0xRRGGBB values. */
    private int[] pixels(Path image) throws Exception {
        Path raw = run.resolve(image.getFileName() + ".rgb");
        AlosProcess.Result r = AlosProcess.run(new ProcessBuilder("convert", image.toString(), "-depth", "8",
                "rgb:" + raw), 60, "convert");
        assertEquals(0, r.status(), r.err());
        AlosProcess.Result size = AlosProcess.run(new ProcessBuilder("identify", "-format", "%w %h", image.toString()),
                60, "identify");
        String[] wh = size.out().strip().split(" ");
        byte[] b = Files.readAllBytes(raw);
        int[] px = new int[2 + b.length / 3];
        px[0] = Integer.parseInt(wh[0]);
        px[1] = Integer.parseInt(wh[1]);
        for (int i = 0; i < b.length / 3; i++) {
            px[2 + i] = (b[3 * i] & 0xff) << 16 | (b[3 * i + 1] & 0xff) << 8 | b[3 * i + 2] & 0xff;
        }
        return px;
    }

    @Test
    void vnc_serves_the_machine_to_real_clients_and_without_an_adapter_shows_a_blank_640x480() throws Exception {
        RealPeers.requireTool("gvnccapture", "Debian package gvncviewer");
        RealPeers.requireTool("convert", "Debian package imagemagick");
        int display = freeDisplayNumber();
        CompletableFuture<AlosProcess.Result> machine = boot("sleep 60", "-vnc", "127.0.0.1:" + display);
        Path png = run.resolve("vnc.png");
        try {
            capture(display, png);
        } finally {
            machine.cancel(true);
        }
        int[] px = pixels(png);
        assertEquals(640, px[0]);
        assertEquals(480, px[1]);
        for (int i = 2; i < px.length; i++) {
            assertEquals(0, px[i], "pixel " + (i - 2) + " of the blank picture");
        }
        destroyMachines();
    }

    /** The machine of a test that ended early (cancel does not end the process): ended by its run directory. */
    private void destroyMachines() {
        ProcessHandle.current().children().filter(p -> p.info().arguments().map(a -> String.join(" ", a)
                .contains("-Dalos.run=" + run)).orElse(false)).forEach(ProcessHandle::destroy);
    }

    @Test
    void the_window_without_a_desktop_is_one_line_and_the_machine_runs_headless() throws Exception {
        List<String> cmd = new ArrayList<>(AlosProcess.launcher(dist(), run));
        cmd.addAll(List.of("-serial", "none", "-display", "window", "-c", "echo still here"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("DISPLAY");
        AlosProcess.Result r = AlosProcess.run(pb, 240, "./alos -display window");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("still here"), r.out());
        assertTrue(r.err().contains("-display window: no desktop to show a window on (DISPLAY is not set);"
                + " running without a window"), r.err());
        assertTrue(r.err().lines().noneMatch(l -> l.contains("Exception") || l.startsWith("\tat ")), r.err());
    }

    @Test
    void monitor_verbs_say_in_one_line_what_the_machine_lacks() throws Exception {
        List<String> cmd = new ArrayList<>(AlosProcess.launcher(dist(), run));
        cmd.addAll(List.of("-serial", "none", "-c", "screendump " + run.resolve("s.png") + "; sendkey ctrl-alt-f1;"
                + " mouse_button 9; sendkey nosuchkey"));
        AlosProcess.Result r = AlosProcess.run(new ProcessBuilder(cmd), 240, "./alos -c screendump");
        String all = r.out() + r.err();
        boolean adapter = !all.contains("screendump: no display adapter");
        if (!adapter) {
            assertTrue(all.contains("screendump: no display adapter (start the machine with -vga std or"
                    + " -device bochs-display)"), all);
        }
        assertTrue(all.contains("mouse_button: bad state 9 (expected 0-7: 1 left, 2 right, 4 middle, added up)"), all);
        assertTrue(all.contains("sendkey: unknown key 'nosuchkey'"), all);
        assertTrue(all.lines().noneMatch(l -> l.contains("Exception")), all);
    }

    /**
     * With the display model (-vga std), what VNC serves is what screendump saves, pixel for
     * pixel (the console's cursor is steady, so nothing may differ but a cell it could be in).
     */
    @Test
    void with_vga_std_vnc_serves_what_screendump_saves() throws Exception {
        RealPeers.requireTool("gvnccapture", "Debian package gvncviewer");
        RealPeers.requireTool("convert", "Debian package imagemagick");
        int display = freeDisplayNumber();
        Path dump = run.resolve("dump.png");
        CompletableFuture<AlosProcess.Result> machine = boot("sleep 3; screendump " + dump + "; sleep 60",
                "-vga", "std", "-vnc", "127.0.0.1:" + display);
        Path png = run.resolve("vnc.png");
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(dump)) {
                assertTrue(System.nanoTime() < end && !machine.isDone(), "screendump never wrote " + dump);
                Thread.sleep(200);
            }
            Thread.sleep(500);
            capture(display, png);
        } finally {
            machine.cancel(true);
            destroyMachines();
        }
        int[] want = pixels(dump);
        int[] got = pixels(png);
        assertEquals(want[0], got[0]);
        assertEquals(want[1], got[1]);
        int differing = 0;
        for (int i = 2; i < want.length; i++) {
            if (want[i] != got[i]) {
                differing++;
            }
        }
        // A text cursor cell (at most 16×32 pixels) may blink between the two.
        assertTrue(differing <= 16 * 32, differing + " pixels differ");
    }
}
