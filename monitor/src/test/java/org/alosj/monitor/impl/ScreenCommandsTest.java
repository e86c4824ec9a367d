package org.alosj.monitor.impl;

import org.alosj.hal.testing.MemorySurface;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.alosj.testkit.RealPeers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** screendump writes the adapter's picture as a PNG every reader sees pixel for pixel. */
class ScreenCommandsTest {
    private final ScreenCommands commands = new ScreenCommands();
    private final MemorySurface surface = new MemorySurface(160, 100);
    @TempDir
    Path dir;

    ScreenCommandsTest() {
        commands.bindSurface(surface);
        surface.pattern(5);
    }

    @Test
    void theSavedPngHoldsThePicturePixelForPixel() throws Exception {
        Path png = dir.resolve("screen.png");
        String said = commands.screendump(png.toString());
        assertEquals(png + ": 160x100", said);
        BufferedImage image = ImageIO.read(png.toFile());
        for (int y = 0; y < 100; y++) {
            for (int x = 0; x < 160; x++) {
                assertEquals(surface.pixel(x, y), image.getRGB(x, y) & 0xffffff, x + "," + y);
            }
        }
    }

    @Test
    void imageMagickReadsTheSamePixels() throws Exception {
        RealPeers.requireTool("convert", "Debian package imagemagick");
        Path png = dir.resolve("screen.png");
        commands.screendump(png.toString());
        Path raw = dir.resolve("screen.rgb");
        Process p = new ProcessBuilder("convert", png.toString(), "-depth", "8", "rgb:" + raw)
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
        byte[] b = Files.readAllBytes(raw);
        assertEquals(160 * 100 * 3, b.length);
        for (int i = 0; i < 160 * 100; i++) {
            int rgb = (b[3 * i] & 0xff) << 16 | (b[3 * i + 1] & 0xff) << 8 | b[3 * i + 2] & 0xff;
            assertEquals(surface.pixel(i % 160, i / 160), rgb, "pixel " + i);
        }
    }

    @Test
    void aDisplayIsChosenByIdAndMistakesAreOneLine() {
        assertTrue(commands.screendump("-d", "vga", dir.resolve("a.png").toString()).endsWith("160x100"));
        assertEquals("screendump: no display 'bochs' (displays: vga)", assertThrows(IllegalArgumentException.class,
                () -> commands.screendump("-d", "bochs", dir.resolve("b.png").toString())).getMessage());
        assertEquals("usage: screendump [-d DISPLAY] FILE.png",
                assertThrows(IllegalArgumentException.class, () -> commands.screendump()).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> commands.screendump(dir.resolve("no/such/dir/c.png").toString())).getMessage()
                .startsWith("screendump: cannot write '"));
    }

    @Test
    void aBlankedAdapterOrNoAdapterIsSaid() {
        surface.setMode(0, 0);
        assertEquals("screendump: display 'vga' shows nothing (no mode set, or blanked)",
                assertThrows(IllegalStateException.class, () -> commands.screendump("x.png")).getMessage());
        commands.unbindSurface(surface);
        assertTrue(assertThrows(IllegalStateException.class, () -> commands.screendump("x.png")).getMessage()
                .startsWith("screendump: no display adapter"));
    }
}
