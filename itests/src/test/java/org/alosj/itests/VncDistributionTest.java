package org.alosj.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
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
        // The default lan0 as a hub: never passt in the machine's own namespace.
        cmd.addAll(List.of("-serial", "none", "-netdev", "hub,id=lan0"));
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
        cmd.addAll(List.of("-serial", "none", "-netdev", "hub,id=lan0", "-display", "window", "-c", "echo still here"));
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
    /** Runs a host tool to its end (bounded), returning what it printed; a failure says what it printed. */
    private static String tool(long seconds, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), String.join(" ", cmd) + " did not finish in " + seconds + " s");
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        return out;
    }

    private static void awaitPort(int port, CompletableFuture<AlosProcess.Result> machine) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException notYet) {
                assertTrue(System.nanoTime() < end && !machine.isDone(), "nothing listens on port " + port);
                Thread.sleep(200);
            }
        }
    }

    private static void awaitFile(Path file, CompletableFuture<AlosProcess.Result> machine) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(file)) {
            assertTrue(System.nanoTime() < end && !machine.isDone(), "screendump never wrote " + file);
            Thread.sleep(200);
        }
        Thread.sleep(500);
    }

    /**
     * Keys typed in a real VNC client (gtk-vnc's, driven from Python) go through the server, the
     * PS/2 model and its driver to the shell on tty1: the screen then shows the command and its
     * output, read back against the console font.
     */
    @Test
    void keys_sent_over_vnc_reach_the_shell_on_the_frame_buffer_console() throws Exception {
        RealPeers.require(Files.isRegularFile(Path.of("/usr/lib/x86_64-linux-gnu/girepository-1.0/GVnc-1.0.typelib"))
                && RealPeers.onPath("python3"), "gtk-vnc's GVnc for Python is not installed"
                + " (Debian packages gir1.2-gtk-vnc-2.0 python3-gi)");
        Path script = Path.of("../bundles/ui-vnc/src/test/resources/gvnc-input.py").toAbsolutePath().normalize();
        int display = freeDisplayNumber();
        Path dump = run.resolve("typed.png");
        CompletableFuture<AlosProcess.Result> machine = boot("sleep 15; screendump " + dump + "; sleep 60",
                "-vga", "std", "-vnc", "127.0.0.1:" + display);
        try {
            awaitPort(5900 + display, machine);
            Thread.sleep(4000); // tty1's shell comes up with the machine; keys typed earlier would wait in no buffer
            String sent = tool(60, "/usr/bin/python3", script.toString(), "127.0.0.1", Integer.toString(5900 + display),
                    "key:65", "key:63", "key:68", "key:6f", "key:20", "key:76", "key:6e", "key:63", "key:ff0d");
            assertTrue(sent.contains("sent 9"), sent);
            awaitFile(dump, machine);
        } finally {
            machine.cancel(true);
            destroyMachines();
        }
        List<String> screen = GuiDistributionTest.rows(ImageIO.read(dump.toFile()), 0, 0, 128, 2);
        assertTrue(screen.get(0).endsWith("> echo vnc"), screen.toString());
        assertEquals("vnc", screen.get(1), screen.toString());
    }

    /**
     * The desktop driven from a real VNC client: gtk-vnc's pointer events (absolute positions the
     * server turns into PS/2 motion) open the Terminal from the task bar menu, and its keys reach
     * the shell in that window, read back from a screendump against the console font.
     */
    @Test
    void pointer_and_keys_sent_over_vnc_drive_the_desktop() throws Exception {
        RealPeers.require(Files.isRegularFile(Path.of("/usr/lib/x86_64-linux-gnu/girepository-1.0/GVnc-1.0.typelib"))
                && RealPeers.onPath("python3"), "gtk-vnc's GVnc for Python is not installed"
                + " (Debian packages gir1.2-gtk-vnc-2.0 python3-gi)");
        Path script = Path.of("../bundles/ui-vnc/src/test/resources/gvnc-input.py").toAbsolutePath().normalize();
        int display = freeDisplayNumber();
        Path ready = run.resolve("ready.png");
        Path dump = run.resolve("desktop.png");
        CompletableFuture<AlosProcess.Result> machine = boot("gui; screendump " + ready + "; sleep 20; screendump " + dump
                + "; sleep 60", "-vga", "std", "-vnc", "127.0.0.1:" + display);
        try {
            awaitPort(5900 + display, machine);
            awaitFile(ready, machine);
            // The first position is the server's reference; the next two push the pointer into the
            // bottom-left corner (the desktop clamps it there: 0,767) whatever its start. Then the
            // menu button (20,757), and the menu's last item, Terminal (30,725), each clicked at
            // a person's pace; then the keys, once the terminal's shell is up.
            String sent = tool(90, "/usr/bin/python3", script.toString(), "127.0.0.1", Integer.toString(5900 + display),
                    "ptr:0,512,384", "sleep:200", "ptr:0,1023,0", "sleep:300", "ptr:0,0,767", "sleep:500",
                    "ptr:0,20,757", "sleep:300", "ptr:1,20,757", "sleep:200", "ptr:0,20,757", "sleep:500",
                    "ptr:0,30,725", "sleep:300", "ptr:1,30,725", "sleep:200", "ptr:0,30,725", "sleep:4000",
                    "key:65", "key:63", "key:68", "key:6f", "key:20", "key:76", "key:67", "key:ff0d");
            assertTrue(sent.contains("sent 17"), sent);
            awaitFile(dump, machine);
        } finally {
            machine.cancel(true);
            destroyMachines();
        }
        java.awt.image.BufferedImage picture = ImageIO.read(dump.toFile());
        int[] title = GuiDistributionTest.titleBar(picture);
        assertTrue(title != null, "no window on the desktop");
        List<String> term = GuiDistributionTest.rows(picture, title[0], title[1] + GuiDistributionTest.TITLE_HEIGHT, 80, 2);
        assertTrue(term.get(0).endsWith("> echo vg"), term.toString());
        assertEquals("vg", term.get(1), term.toString());
    }

    /**
     * Under a real X server (Xvfb), -display window opens a window whose picture (ImageMagick's
     * import) is the screen screendump saves, and keys xdotool types into it reach the shell.
     */
    @Test
    void the_window_under_xvfb_shows_the_screen_and_xdotool_types_into_the_shell() throws Exception {
        RealPeers.requireTool("Xvfb", "Debian package xvfb");
        RealPeers.requireTool("xdotool", "Debian package xdotool");
        RealPeers.requireTool("import", "Debian package imagemagick");
        int x = 90;
        while (Files.exists(Path.of("/tmp/.X11-unix/X" + x)) || Files.exists(Path.of("/tmp/.X" + x + "-lock"))) {
            x++;
        }
        String xdisplay = ":" + x;
        Process xvfb = new ProcessBuilder("Xvfb", xdisplay, "-screen", "0", "1280x1024x24", "-nolisten", "tcp")
                .redirectErrorStream(true).redirectOutput(run.resolve("xvfb.log").toFile()).start();
        Path dump = run.resolve("window.png");
        Path raw = run.resolve("window.rgb");
        CompletableFuture<AlosProcess.Result> machine = null;
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(Path.of("/tmp/.X11-unix/X" + x))) {
                assertTrue(xvfb.isAlive() && System.nanoTime() < end, "Xvfb " + xdisplay + " did not start");
                Thread.sleep(100);
            }
            List<String> cmd = new ArrayList<>(AlosProcess.launcher(dist(), run));
            cmd.addAll(List.of("-serial", "none", "-vga", "std", "-display", "window", "-netdev", "hub,id=lan0",
                    "-c", "sleep 15; screendump " + dump + "; sleep 60"));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("DISPLAY", xdisplay);
            machine = CompletableFuture.supplyAsync(() -> {
                try {
                    return AlosProcess.run(pb, 240, "./alos -display window");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            String[] env = {"env", "DISPLAY=" + xdisplay};
            String id = tool(120, concat(env, "xdotool", "search", "--sync", "--name", "^ALOS/J")).strip().split("\\s+")[0];
            Thread.sleep(4000);
            // Without a window manager the keyboard follows the pointer: put it in the window.
            tool(30, concat(env, "xdotool", "mousemove", "--window", id, "--sync", "500", "400"));
            tool(30, concat(env, "xdotool", "key", "--delay", "40", "e", "c", "h", "o", "space", "w", "i", "n", "Return"));
            awaitFile(dump, machine);
            tool(60, concat(env, "import", "-window", id, "-crop", "1024x768+0+0", "-depth", "8", "rgb:" + raw));
        } finally {
            if (machine != null) {
                machine.cancel(true);
            }
            destroyMachines();
            xvfb.destroy();
            xvfb.waitFor(10, TimeUnit.SECONDS);
        }
        java.awt.image.BufferedImage saved = ImageIO.read(dump.toFile());
        List<String> screen = GuiDistributionTest.rows(saved, 0, 0, 128, 2);
        assertTrue(screen.get(0).endsWith("> echo win"), screen.toString());
        assertEquals("win", screen.get(1), screen.toString());
        byte[] b = Files.readAllBytes(raw);
        assertEquals(1024 * 768 * 3, b.length, "the window's picture is the 1024x768 screen");
        int differing = 0;
        for (int i = 0; i < 1024 * 768; i++) {
            int rgb = (b[3 * i] & 0xff) << 16 | (b[3 * i + 1] & 0xff) << 8 | (b[3 * i + 2] & 0xff);
            if (rgb != (saved.getRGB(i % 1024, i / 1024) & 0xffffff)) {
                differing++;
            }
        }
        // The window was taken a moment after the screendump; only the cursor's cell may differ.
        assertTrue(differing <= 16 * 8, differing + " pixels differ between the window and screendump");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
