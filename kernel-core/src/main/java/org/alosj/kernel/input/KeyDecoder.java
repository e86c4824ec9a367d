package org.alosj.kernel.input;

import org.osgi.annotation.versioning.ProviderType;

/** Turns one keyboard's key events into terminal input under the loaded keymap. Not thread-safe. */
@ProviderType
public interface KeyDecoder {
    int LED_SCROLL_LOCK = 1;
    int LED_NUM_LOCK = 2;
    int LED_CAPS_LOCK = 4;

    /**
     * Feeds one key event ({@code code}: a Linux key code; {@code value}: 0 released, 1 pressed,
     * 2 autorepeat) and returns what it types: UTF-8 text, control characters, or the escape
     * sequences a VT100-style terminal sends for arrows and function keys; empty when the key
     * types nothing (a modifier, a release).
     */
    byte[] key(int code, int value);

    /** The lock LEDs the keyboard should light now ({@link #LED_CAPS_LOCK} …). */
    int leds();
}
