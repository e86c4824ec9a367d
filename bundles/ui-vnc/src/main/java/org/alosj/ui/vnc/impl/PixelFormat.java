package org.alosj.ui.vnc.impl;

import java.nio.ByteBuffer;

/**
 * An RFB PIXEL_FORMAT (RFC 6143 7.4): how a client wants pixels on the wire. Only true-colour
 * formats of 8, 16 or 32 bits per pixel are served, in either byte order; each channel is
 * scaled from 8 bits to its maximum.
 */
record PixelFormat(int bitsPerPixel, int depth, boolean bigEndian, boolean trueColour,
        int redMax, int greenMax, int blueMax, int redShift, int greenShift, int blueShift) {

    /** The server's own format, sent in ServerInit: 32 bpp, depth 24, little-endian 0x00RRGGBB. */
    static final PixelFormat NATIVE = new PixelFormat(32, 24, false, true, 255, 255, 255, 16, 8, 0);

    static final int WIRE_LENGTH = 16;

    /** Reads the 16 bytes of a PIXEL_FORMAT; rejects what cannot be served with a message saying why. */
    static PixelFormat parse(ByteBuffer in) {
        int bpp = in.get() & 0xff;
        int depth = in.get() & 0xff;
        boolean bigEndian = in.get() != 0;
        boolean trueColour = in.get() != 0;
        int redMax = in.getShort() & 0xffff;
        int greenMax = in.getShort() & 0xffff;
        int blueMax = in.getShort() & 0xffff;
        int redShift = in.get() & 0xff;
        int greenShift = in.get() & 0xff;
        int blueShift = in.get() & 0xff;
        in.position(in.position() + 3);
        PixelFormat f = new PixelFormat(bpp, depth, bigEndian, trueColour, redMax, greenMax, blueMax,
                redShift, greenShift, blueShift);
        f.check();
        return f;
    }

    private void check() {
        if (bitsPerPixel != 8 && bitsPerPixel != 16 && bitsPerPixel != 32) {
            throw new IllegalArgumentException("bits-per-pixel " + bitsPerPixel + " (expected 8, 16 or 32)");
        }
        if (!trueColour) {
            throw new IllegalArgumentException("a colour-map pixel format (only true colour is served)");
        }
        checkChannel("red", redMax, redShift);
        checkChannel("green", greenMax, greenShift);
        checkChannel("blue", blueMax, blueShift);
    }

    private void checkChannel(String name, int max, int shift) {
        // Maxima are 2^n - 1 in every client seen; a channel is then a bit field.
        if (max == 0 || (max & (max + 1)) != 0 || shift >= 32 || (long) max << shift >= 1L << bitsPerPixel) {
            throw new IllegalArgumentException(name + "-max " + max + " shifted by " + shift
                    + " is not a bit field of a " + bitsPerPixel + "-bit pixel");
        }
    }

    void writeTo(ByteBuffer out) {
        out.put((byte) bitsPerPixel).put((byte) depth).put((byte) (bigEndian ? 1 : 0)).put((byte) (trueColour ? 1 : 0))
                .putShort((short) redMax).putShort((short) greenMax).putShort((short) blueMax)
                .put((byte) redShift).put((byte) greenShift).put((byte) blueShift)
                .put((byte) 0).put((byte) 0).put((byte) 0);
    }

    int bytesPerPixel() {
        return bitsPerPixel / 8;
    }

    /** The client's pixel value for a 0xRRGGBB colour. */
    int pixel(int rgb) {
        return scale(rgb >>> 16 & 0xff, redMax) << redShift
                | scale(rgb >>> 8 & 0xff, greenMax) << greenShift
                | scale(rgb & 0xff, blueMax) << blueShift;
    }

    /** The 0xRRGGBB colour a client pixel stands for (the inverse of {@link #pixel}, to the format's precision). */
    int rgb(int pixel) {
        return unscale(pixel >>> redShift & redMax, redMax) << 16
                | unscale(pixel >>> greenShift & greenMax, greenMax) << 8
                | unscale(pixel >>> blueShift & blueMax, blueMax);
    }

    private static int scale(int channel, int max) {
        return max == 255 ? channel : (channel * max + 127) / 255;
    }

    private static int unscale(int value, int max) {
        return max == 255 ? value : (value * 255 + max / 2) / max;
    }

    /** Writes one pixel, {@code bytes} long (the pixel's size, or 3 for a ZRLE CPIXEL), in the client's byte order. */
    void put(ByteBuffer out, int pixel, int bytes) {
        if (bytes == 3) {
            // CPIXEL: the three bytes that hold the colour bits (RFC 6143 7.7.6).
            boolean low = fitsLowThreeBytes();
            if (bigEndian) {
                if (!low) {
                    pixel >>>= 8;
                }
                out.put((byte) (pixel >>> 16)).put((byte) (pixel >>> 8)).put((byte) pixel);
            } else {
                if (!low) {
                    pixel >>>= 8;
                }
                out.put((byte) pixel).put((byte) (pixel >>> 8)).put((byte) (pixel >>> 16));
            }
            return;
        }
        switch (bytes) {
            case 1 -> out.put((byte) pixel);
            case 2 -> {
                if (bigEndian) {
                    out.put((byte) (pixel >>> 8)).put((byte) pixel);
                } else {
                    out.put((byte) pixel).put((byte) (pixel >>> 8));
                }
            }
            default -> {
                if (bigEndian) {
                    out.putInt(pixel);
                } else {
                    out.putInt(Integer.reverseBytes(pixel));
                }
            }
        }
    }

    private int colourBits() {
        return redMax << redShift | greenMax << greenShift | blueMax << blueShift;
    }

    private boolean fitsLowThreeBytes() {
        return (colourBits() & 0xff000000) == 0;
    }

    /** Bytes a ZRLE CPIXEL takes in this format (RFC 6143 7.7.6). */
    int compressedPixelBytes() {
        int bits = colourBits();
        if (bitsPerPixel == 32 && depth <= 24 && ((bits & 0xff000000) == 0 || (bits & 0xff) == 0)) {
            return 3;
        }
        return bytesPerPixel();
    }
}
