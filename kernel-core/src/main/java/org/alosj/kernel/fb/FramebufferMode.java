package org.alosj.kernel.fb;

/**
 * A video mode as the adapter scans it out: {@code stride} bytes from one row to the next and
 * {@code bitsPerPixel} of the given {@link PixelFormat}.
 */
public record FramebufferMode(int width, int height, int bitsPerPixel, int stride, PixelFormat format) {
    public FramebufferMode {
        if (width <= 0 || height <= 0 || stride < width * ((bitsPerPixel + 7) / 8)) {
            throw new IllegalArgumentException("mode " + width + "x" + height + "x" + bitsPerPixel
                    + " with a stride of " + stride + " bytes");
        }
    }

    @Override
    public String toString() {
        return width + "x" + height + "x" + bitsPerPixel;
    }
}
