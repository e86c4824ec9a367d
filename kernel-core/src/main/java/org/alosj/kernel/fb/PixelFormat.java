package org.alosj.kernel.fb;

/** How a pixel is laid out in frame-buffer memory (little-endian, as Linux's DRM fourcc names). */
public enum PixelFormat {
    /** 32 bits: blue, green, red, unused byte (DRM_FORMAT_XRGB8888). */
    XRGB8888,
    /** 24 bits: blue, green, red (DRM_FORMAT_RGB888). */
    RGB888,
    /** 16 bits: 5 red, 6 green, 5 blue (DRM_FORMAT_RGB565). */
    RGB565,
    /** 16 bits: 1 unused, 5 red, 5 green, 5 blue (DRM_FORMAT_XRGB1555). */
    XRGB1555
}
