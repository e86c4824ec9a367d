package org.alosj.ui.vnc.impl;

import org.alosj.hal.testing.MemorySurface;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Locale;

/**
 * bench/vnc.sh's measure: full-screen frames per second from the VNC server to a client on
 * loopback at 1024×768×32 (every frame changes the whole screen, as a scrolling console does),
 * in Raw and ZRLE, beside the peer: the same bytes as Raw through a bare loopback socket.
 * Usage: VncBench [SECONDS per figure].
 */
public final class VncBench {
    private static final int W = 1024;
    private static final int H = 768;

    private VncBench() {
    }

    /** CPU time this process used, in nanoseconds: on a loaded machine it says more than the clock. */
    private static long cpu() {
        return ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        MemorySurface surface = new MemorySurface(W, H);
        VncServer server = TestServers.start(10_000);
        server.bindSurface(surface);
        try {
            System.out.println(String.format(Locale.ROOT, "%-34s %s", "what (1024x768, 32 bpp, loopback)", "figures"));
            vnc(server, surface, RfbSession.ENCODING_RAW, seconds);
            vnc(server, surface, RfbSession.ENCODING_ZRLE, seconds);
            scrolling(server, surface, seconds);
            socket(seconds);
        } finally {
            server.deactivate();
        }
    }

    /** A console-like screen: text-sized cells of two colours that change with {@code frame}. */
    private static void draw(MemorySurface surface, int frame) {
        int[] row = new int[W];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int cell = (x / 8) * 31 + (y / 16) * 17 + frame;
                int bit = (cell * 2654435761L >>> (x % 8 + (y % 16) * 2) & 1) == 1 ? 1 : 0;
                row[x] = (cell % 5 == 0) ? 0x000000 : bit == 1 ? 0xc0c0c0 : 0x000020;
            }
            surface.setRow(y, row);
        }
        surface.damageAll();
    }

    private static void vnc(VncServer server, MemorySurface surface, int encoding, double seconds) throws IOException {
        try (RfbClient c = new RfbClient(server.port()).handshake("003.008")) {
            c.setEncodings(encoding);
            c.request(false);
            c.readUpdate();
            int frames = 0;
            long cpu0 = cpu();
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                draw(surface, frames + 1);
                c.request(true);
                c.readUpdate();
                frames++;
            }
            double s = (System.nanoTime() - start) / 1e9;
            System.out.println(String.format(Locale.ROOT, "%-34s %.1f frames/s, %.1f ms CPU a frame",
                    "VNC " + (encoding == 0 ? "Raw" : "ZRLE") + " (draw+encode+decode)", frames / s,
                    (cpu() - cpu0) / 1e6 / frames));
        }
    }

    /** A console scrolling a 16-pixel line a frame: CopyRect for what moved, ZRLE for the new line. */
    private static void scrolling(VncServer server, MemorySurface surface, double seconds) throws IOException {
        draw(surface, 0);
        try (RfbClient c = new RfbClient(server.port()).handshake("003.008")) {
            c.setEncodings(RfbSession.ENCODING_ZRLE, RfbSession.ENCODING_COPY_RECT);
            c.request(false);
            c.readUpdate();
            int[] moved = new int[W * (H - 16)];
            int[] line = new int[W];
            int frames = 0;
            long cpu0 = cpu();
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                surface.read(0, 16, W, H - 16, moved, 0, W);
                for (int y = 0; y < H - 16; y++) {
                    System.arraycopy(moved, y * W, line, 0, W);
                    surface.setRow(y, line);
                }
                for (int y = H - 16; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        line[x] = ((x / 8 + frames) * 2654435761L >>> (x % 8 + y % 16) & 1) == 1 ? 0xc0c0c0 : 0x000020;
                    }
                    surface.setRow(y, line);
                }
                c.request(true);
                surface.damageAll();
                c.readUpdate();
                frames++;
            }
            double s = (System.nanoTime() - start) / 1e9;
            System.out.println(String.format(Locale.ROOT, "%-34s %.1f frames/s, %.1f ms CPU a frame",
                    "VNC scrolling (CopyRect + ZRLE)", frames / s, (cpu() - cpu0) / 1e6 / frames));
        }
    }

    /** The peer: 3 MiB frames (Raw's bytes) through a bare loopback socket, read fully by the other end. */
    private static void socket(double seconds) throws IOException, InterruptedException {
        int frameBytes = W * H * 4 + 16;
        try (ServerSocket ss = new ServerSocket()) {
            ss.bind(new InetSocketAddress("127.0.0.1", 0));
            Thread sender = new Thread(() -> {
                try (Socket s = ss.accept(); OutputStream out = s.getOutputStream(); InputStream in = s.getInputStream()) {
                    byte[] frame = new byte[frameBytes];
                    while (in.read() >= 0) { // one request byte a frame, as the client asks for each update
                        out.write(frame);
                        out.flush();
                    }
                } catch (IOException e) {
                    // the reader closed: done
                }
            });
            sender.start();
            try (Socket s = new Socket("127.0.0.1", ss.getLocalPort())) {
                s.setTcpNoDelay(true);
                DataInputStream in = new DataInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                byte[] frame = new byte[frameBytes];
                int frames = 0;
                long cpu0 = cpu();
                long start = System.nanoTime();
                long end = start + (long) (seconds * 1e9);
                while (System.nanoTime() < end) {
                    out.write(1);
                    in.readFully(frame);
                    frames++;
                }
                double sec = (System.nanoTime() - start) / 1e9;
                System.out.println(String.format(Locale.ROOT, "%-34s %.1f frames/s, %.1f ms CPU a frame (%.0f MB/s)",
                        "peer: loopback socket, Raw's bytes", frames / sec, (cpu() - cpu0) / 1e6 / frames,
                        frames * (double) frameBytes / sec / 1e6));
            }
            sender.join(10_000);
        }
    }
}
