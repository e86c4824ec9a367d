package org.alosj.ui.vnc.impl;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Keystroke to pixel: boots ./alos with -vga std and -vnc, and for each of N keys sends the key
 * from a VNC client and times until the framebuffer update showing its character in the shell's
 * line on tty1 arrives (VNC, the PS/2 model, IRQ 1, the driver, the keymap, fbcon, the shell's
 * line editor echoing it, fbcon drawing it, the adapter's damage, VNC again). Beside it, in the
 * same run, the peer: a VNC round trip alone (a non-incremental 1×1 update request and its
 * answer). Run by bench/keylatency.sh: {@code KeyLatencyBench ALOS_SCRIPT [KEYS]}.
 */
public final class KeyLatencyBench {
    private static final int PROMPT = "alos:/> ".length();

    public static void main(String[] args) throws Exception {
        String alos = args[0];
        int keys = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        int display = freeDisplay();
        Path run = Files.createTempDirectory("alos-keylatency");
        ProcessBuilder pb = new ProcessBuilder(alos, "-vga", "std", "-vnc", "127.0.0.1:" + display, "-serial", "none",
                "-netdev", "hub,id=lan0", "-c", "sleep 600").redirectErrorStream(true)
                .redirectOutput(run.resolve("alos.log").toFile()).redirectInput(new File("/dev/null"));
        pb.environment().put("ALOS_RUN", run.toString());
        Process machine = pb.start();
        try {
            RfbClient c = connect(5900 + display);
            c.handshake("003.008");
            c.setEncodings(RfbSession.ENCODING_RAW);
            c.request(false);
            c.readUpdate();
            Thread.sleep(8000); // tty1's shell comes up after boot
            c.request(false);
            c.readUpdate();
            List<Long> typed = new ArrayList<>();
            for (int i = 0; i < keys && PROMPT + i < c.width / 8; i++) {
                int col = PROMPT + i;
                long t0 = System.nanoTime();
                c.key('a' + i % 26, true);
                c.key('a' + i % 26, false);
                boolean seen = false;
                while (!seen) {
                    c.request(true);
                    for (RfbClient.Rect r : c.readUpdate()) {
                        seen |= r.x() < col * 8 + 8 && r.x() + r.width() > col * 8 && r.y() < 16;
                    }
                    // The cell shows the letter (ink above the cursor's underline rows), not only damage.
                    seen &= inked(c, col);
                }
                typed.add(System.nanoTime() - t0);
                Thread.sleep(50);
            }
            List<Long> roundTrips = new ArrayList<>();
            for (int i = 0; i < keys; i++) {
                long t0 = System.nanoTime();
                c.request(false, 0, 0, 1, 1);
                c.readUpdate();
                roundTrips.add(System.nanoTime() - t0);
                Thread.sleep(50);
            }
            System.out.printf(Locale.ROOT, "keystroke to pixel over VNC, %d keys: median %.2f ms, p90 %.2f ms, max %.2f ms%n",
                    typed.size(), pct(typed, 50), pct(typed, 90), pct(typed, 100));
            System.out.printf(Locale.ROOT, "peer, a VNC round trip alone (1x1 update), %d: median %.2f ms, p90 %.2f ms%n",
                    roundTrips.size(), pct(roundTrips, 50), pct(roundTrips, 90));
            c.close();
        } finally {
            machine.destroy();
            machine.waitFor();
        }
    }

    private static boolean inked(RfbClient c, int col) {
        int bg = c.frame[col * 8 + 7];
        for (int y = 0; y < 13; y++) {
            for (int x = 0; x < 8; x++) {
                if (c.frame[y * c.width + col * 8 + x] != bg) {
                    return true;
                }
            }
        }
        return false;
    }

    private static double pct(List<Long> nanos, int p) {
        List<Long> s = new ArrayList<>(nanos);
        Collections.sort(s);
        int i = Math.min(s.size() - 1, Math.max(0, (int) Math.ceil(p / 100.0 * s.size()) - 1));
        return s.get(i) / 1e6;
    }

    private static RfbClient connect(int port) throws Exception {
        long end = System.nanoTime() + 120_000_000_000L;
        while (true) {
            try {
                return new RfbClient(port);
            } catch (IOException notYet) {
                if (System.nanoTime() > end) {
                    throw new IOException("nothing listens on " + port + " after 120 s");
                }
                Thread.sleep(200);
            }
        }
    }

    private static int freeDisplay() throws IOException {
        for (int n = 60; n < 99; n++) {
            try (ServerSocket probe = new ServerSocket(5900 + n, 1, java.net.InetAddress.getLoopbackAddress())) {
                return n;
            } catch (IOException taken) {
                // the next one
            }
        }
        throw new IOException("no free VNC port between 5960 and 5998");
    }
}
