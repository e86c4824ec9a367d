package org.alosj.drivers.fb;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.alosj.drivers.fb.console.BitmapFont;
import org.alosj.drivers.fb.console.FbConsole;
import org.alosj.kernel.fb.FramebufferDevice;

/**
 * Display figures (run by bench/display.sh, not a test): on the real board with the std VGA model
 * and the bochs driver at 1024×768×32, the time of
 *   - a full-screen redraw through the driver (0xRRGGBB ints → XRGB8888 → burst MMIO writes into
 *     BAR0, damage reported by the model), and the same with one 32-bit MMIO store per pixel;
 *   - a full screen of text through fbcon (128×48 cells drawn from the font);
 *   - scrolling: lines/s of a stream of text that scrolls the whole screen;
 * beside the peer figure of the same size in plain Java: an int[] copy of 1024×768 pixels.
 */
public final class DisplayBench {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        try (RealDisplayRig rig = new RealDisplayRig(true)) {
            FramebufferDevice fb = rig.bind(1024, 768, 32);
            int w = 1024;
            int h = 768;
            int[] frame = new int[w * h];
            for (int i = 0; i < frame.length; i++) {
                frame[i] = i * 2654435761L > 0 ? i : ~i & 0xFFFFFF;
            }
            int[] copy = new int[w * h];
            FramebufferDevice.Lease lease = fb.claim("bench", new FramebufferDevice.Client() {
                @Override
                public void granted(FramebufferDevice.Lease l) {
                }

                @Override
                public void revoked(FramebufferDevice.Lease l) {
                }
            });
            // Warm up every path, then measure.
            for (int i = 0; i < rounds / 2 + 5; i++) {
                lease.write(0, 0, w, h, frame, 0, w);
                System.arraycopy(frame, 0, copy, 0, frame.length);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                lease.write(0, 0, w, h, frame, 0, w);
            }
            double driver = (System.nanoTime() - t0) / 1e6 / rounds;
            t0 = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                System.arraycopy(frame, 0, copy, 0, frame.length);
                copy[i] ^= 1; // keep the copy alive
            }
            double peer = (System.nanoTime() - t0) / 1e6 / rounds;
            long fbBase = rig.adapter.barAddress(0);
            int perPixelRounds = Math.max(3, rounds / 10);
            t0 = System.nanoTime();
            for (int r = 0; r < perPixelRounds; r++) {
                for (int i = 0; i < frame.length; i++) {
                    rig.machine.memory().write(fbBase + 4L * i, 4, frame[i]);
                }
            }
            double perPixel = (System.nanoTime() - t0) / 1e6 / perPixelRounds;
            lease.close();

            FbConsole console = new FbConsole("tty1", fb, BitmapFont.load());
            console.start();
            StringBuilder sb = new StringBuilder("\u001b[H");
            for (int row = 0; row < 48; row++) {
                for (int col = 0; col < 128; col++) {
                    sb.append((char) ('!' + (row * 7 + col) % 90));
                }
            }
            byte[] screen = sb.toString().getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < rounds / 2 + 5; i++) {
                console.write(screen, 0, screen.length);
            }
            t0 = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                console.write(screen, 0, screen.length);
            }
            double text = (System.nanoTime() - t0) / 1e6 / rounds;

            byte[] line = "a line of text that scrolls the whole screen by one row, 0123456789\r\n"
                    .getBytes(StandardCharsets.UTF_8);
            int lines = rounds * 40;
            for (int i = 0; i < lines / 4; i++) {
                console.write(line, 0, line.length);
            }
            t0 = System.nanoTime();
            for (int i = 0; i < lines; i++) {
                console.write(line, 0, line.length); // one write a line: one scroll copy each
            }
            double perLine = (System.nanoTime() - t0) / 1e6 / lines;
            // A burst (cat of a file): 1,000 lines in one write cost one copy of the picture.
            byte[] burst = new byte[line.length * 1000];
            for (int i = 0; i < 1000; i++) {
                System.arraycopy(line, 0, burst, i * line.length, line.length);
            }
            for (int i = 0; i < 3; i++) {
                console.write(burst, 0, burst.length);
            }
            t0 = System.nanoTime();
            for (int i = 0; i < rounds / 5 + 1; i++) {
                console.write(burst, 0, burst.length);
            }
            double perBurst = (System.nanoTime() - t0) / 1e6 / (rounds / 5 + 1);
            console.stop();

            System.out.println(String.format(Locale.ROOT, "display (1024x768x32, std VGA model, bochs driver), %d rounds:", rounds));
            System.out.println(String.format(Locale.ROOT, "  full-screen redraw through the driver (burst MMIO): %.2f ms (%.0f frames/s)", driver, 1000 / driver));
            System.out.println(String.format(Locale.ROOT, "  the same, one 32-bit MMIO store a pixel:          %.2f ms", perPixel));
            System.out.println(String.format(Locale.ROOT, "  peer: Java int[] copy of 1024x768 (System.arraycopy): %.2f ms", peer));
            System.out.println(String.format(Locale.ROOT, "  fbcon full screen of text (128x48 cells):          %.2f ms", text));
            System.out.println(String.format(Locale.ROOT, "  fbcon scroll, one line a write:                   %.3f ms a line (%.0f lines/s)", perLine, 1000 / perLine));
            System.out.println(String.format(Locale.ROOT, "  fbcon 1,000 lines in one write:                   %.2f ms (%.0f lines/s)", perBurst, 1000 * 1000 / perBurst));
        }
    }
}
