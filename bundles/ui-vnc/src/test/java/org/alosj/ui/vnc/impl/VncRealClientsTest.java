package org.alosj.ui.vnc.impl;

import org.alosj.hal.testing.MemorySurface;
import org.alosj.hal.testing.RecordingInput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.alosj.testkit.RealPeers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real VNC clients against the server: Debian's vncsnapshot (TightVNC's RFB 3.3 code, JPEG
 * output), gtk-vnc's gvnccapture (lossless PNG) and a gtk-vnc client sending keys and pointer.
 */
class VncRealClientsTest {
    private final MemorySurface surface = new MemorySurface(320, 200);
    private final RecordingInput input = new RecordingInput();
    private VncServer server;
    @TempDir
    Path dir;

    @BeforeEach
    void start() throws IOException {
        server = TestServers.start(10_000);
        server.bindSurface(surface);
        server.bindInput(input);
        // A picture as a console shows one: blocks of colour and thin strokes on a dark ground.
        surface.fill(0, 0, 320, 200, 0x101820);
        surface.fill(10, 10, 120, 60, 0xd03020);
        surface.fill(150, 20, 150, 40, 0x20c040);
        surface.fill(40, 100, 240, 80, 0x2050e0);
        for (int x = 20; x < 300; x += 6) {
            surface.fill(x, 90, 2, 8, 0xf0f0f0);
        }
    }

    @AfterEach
    void stop() {
        server.deactivate();
    }

    static String run(Path dir, long seconds, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("peer.log").toFile()).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(command[0] + " did not finish in " + seconds + " s: "
                    + Files.readString(dir.resolve("peer.log")));
        }
        String log = Files.readString(dir.resolve("peer.log"));
        assertEquals(0, p.exitValue(), command[0] + ": " + log);
        return log;
    }

    /** An image file's pixels as 0xRRGGBB, decoded by ImageMagick; its size must be 320×200. */
    private int[] decode(Path image) throws IOException, InterruptedException {
        RealPeers.requireTool("convert", "Debian package imagemagick");
        Path raw = dir.resolve("pixels.rgb");
        run(dir, 60, "convert", image.toString(), "-depth", "8", "rgb:" + raw);
        byte[] b = Files.readAllBytes(raw);
        assertEquals(320 * 200 * 3, b.length, "size of " + image.getFileName());
        int[] px = new int[320 * 200];
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

    @Test
    void vncsnapshotCapturesThePictureWithinJpegError() throws Exception {
        RealPeers.requireTool("vncsnapshot", "Debian package vncsnapshot");
        Path jpg = dir.resolve("snap.jpg");
        run(dir, 60, "vncsnapshot", "-quiet", "-allowblank", "-quality", "100",
                "127.0.0.1::" + server.port(), jpg.toString());
        int[] got = decode(jpg);
        int[] want = picture();
        long error = 0;
        for (int y = 0; y < 200; y++) {
            for (int x = 0; x < 320; x++) {
                int a = got[y * 320 + x];
                int b = want[y * 320 + x];
                for (int shift = 0; shift < 24; shift += 8) {
                    error += Math.abs((a >> shift & 0xff) - (b >> shift & 0xff));
                }
            }
        }
        double meanError = error / (320.0 * 200 * 3);
        assertTrue(meanError < 4, "mean absolute error " + meanError + " per channel");
    }

    @Test
    void gvnccaptureCapturesThePicturePixelForPixel() throws Exception {
        RealPeers.requireTool("gvnccapture", "Debian package gvncviewer");
        Path png = dir.resolve("snap.png");
        run(dir, 60, "gvnccapture", "-q", "127.0.0.1:" + (server.port() - 5900), png.toString());
        int[] got = decode(png);
        int[] want = picture();
        List<String> wrong = new ArrayList<>();
        for (int y = 0; y < 200; y++) {
            for (int x = 0; x < 320; x++) {
                if (got[y * 320 + x] != want[y * 320 + x] && wrong.size() < 5) {
                    wrong.add(x + "," + y + ": " + Integer.toHexString(got[y * 320 + x])
                            + " instead of " + Integer.toHexString(want[y * 320 + x]));
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void keysAndPointerFromGtkVncArriveAtTheInputModels() throws Exception {
        RealPeers.require(Files.isRegularFile(Path.of("/usr/lib/x86_64-linux-gnu/girepository-1.0/GVnc-1.0.typelib"))
                && RealPeers.onPath("python3"), "gtk-vnc's GVnc for Python is not installed"
                + " (Debian packages gir1.2-gtk-vnc-2.0 python3-gi)");
        Path script = dir.resolve("gvnc-input.py");
        try (var in = getClass().getResourceAsStream("/gvnc-input.py")) {
            Files.copy(in, script);
        }
        String log = run(dir, 60, "/usr/bin/python3", script.toString(), "127.0.0.1", Integer.toString(server.port()),
                "key:68", "down:ffe1", "key:49", "up:ffe1", "key:ff0d", "ptr:0,100,100", "ptr:1,90,120", "ptr:0,90,120");
        assertTrue(log.contains("sent 8"), log);
        // h; shift held by the client, then I; Return; motion with the left button.
        assertEquals(List.of("down 35", "up 35", "down 42", "down 23", "up 23", "up 42", "down 28", "up 28",
                "pointer -10 20 0 1", "pointer 0 0 0 0"), input.await(10));
    }
}
