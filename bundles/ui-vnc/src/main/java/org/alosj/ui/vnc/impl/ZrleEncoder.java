package org.alosj.ui.vnc.impl;

import java.nio.ByteBuffer;
import java.util.zip.Deflater;

/**
 * ZRLE (RFC 6143 7.7.6): a rectangle cut into 64×64 tiles, each a solid colour or raw CPIXELs,
 * all through one zlib stream that lives as long as the connection (the client keeps one
 * inflater, so every rectangle continues the same stream, flushed at its end).
 */
final class ZrleEncoder {
    static final int TILE = 64;
    private static final int SUB_RAW = 0;
    private static final int SUB_SOLID = 1;

    private final Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    private ByteBuffer plain = ByteBuffer.allocate(TILE * TILE * 4 + 1);
    private byte[] compressed = new byte[64 * 1024];

    /**
     * Encodes {@code w}×{@code h} pixels (0xRRGGBB, rows {@code w} apart) and returns the bytes
     * that follow the rectangle header: the zlib data's length (U32), then the data.
     */
    ByteBuffer encode(int[] pixels, int w, int h, PixelFormat format) {
        int cpixel = format.compressedPixelBytes();
        int need = w * h * cpixel + (w / TILE + 1) * (h / TILE + 1);
        if (plain.capacity() < need) {
            plain = ByteBuffer.allocate(need);
        }
        plain.clear();
        for (int ty = 0; ty < h; ty += TILE) {
            int th = Math.min(TILE, h - ty);
            for (int tx = 0; tx < w; tx += TILE) {
                int tw = Math.min(TILE, w - tx);
                tile(pixels, w, tx, ty, tw, th, format, cpixel);
            }
        }
        plain.flip();
        deflater.setInput(plain.array(), 0, plain.limit());
        ByteBuffer out = ByteBuffer.allocate(4 + deflateBound(plain.limit()));
        out.position(4);
        int n;
        do {
            n = deflater.deflate(compressed, 0, compressed.length, Deflater.SYNC_FLUSH);
            if (out.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(out.capacity() * 2 + n);
                out.flip();
                bigger.put(out);
                out = bigger;
            }
            out.put(compressed, 0, n);
        } while (n == compressed.length);
        out.putInt(0, out.position() - 4);
        out.flip();
        return out;
    }

    private static int deflateBound(int length) {
        return length + length / 1000 + 64;
    }

    private void tile(int[] pixels, int scan, int tx, int ty, int tw, int th, PixelFormat format, int cpixel) {
        int first = pixels[ty * scan + tx];
        boolean solid = true;
        for (int y = 0; y < th && solid; y++) {
            int row = (ty + y) * scan + tx;
            for (int x = 0; x < tw; x++) {
                if (pixels[row + x] != first) {
                    solid = false;
                    break;
                }
            }
        }
        if (solid) {
            plain.put((byte) SUB_SOLID);
            format.put(plain, format.pixel(first), cpixel);
            return;
        }
        plain.put((byte) SUB_RAW);
        for (int y = 0; y < th; y++) {
            int row = (ty + y) * scan + tx;
            for (int x = 0; x < tw; x++) {
                format.put(plain, format.pixel(pixels[row + x]), cpixel);
            }
        }
    }

    void close() {
        deflater.end();
    }
}
