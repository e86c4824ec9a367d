package org.alosj.gui.api;

import org.osgi.annotation.versioning.ConsumerType;

/** What happens to a window, delivered on the desktop's thread. Every method has a default. */
@ConsumerType
public interface WindowListener {
    /** The user typed: the bytes a terminal would read for it (UTF-8 text, control characters, escape sequences). */
    default void typed(byte[] input) {
    }

    /** A key went down (value 1), repeated (2) or up (0); {@code code} is a Linux key code. */
    default void key(int code, int value) {
    }

    /** A mouse button ({@code button}: 1 left, 2 right, 3 middle) went down or up at (x, y) in the content area. */
    default void mouseButton(int x, int y, int button, boolean down) {
    }

    /** The pointer moved to (x, y) in the content area; {@code buttons} as held (bit 0 left, 1 right, 2 middle). */
    default void mouseMoved(int x, int y, int buttons) {
    }

    /** The wheel turned at (x, y): positive away from the user. */
    default void wheel(int x, int y, int notches) {
    }

    /** The content area has a new size: the canvas is new, draw everything again. */
    default void resized(int width, int height) {
    }

    /** The window got or lost the keyboard focus. */
    default void focus(boolean focused) {
    }

    /** The window is gone (closed by the user or the application, or the desktop stopped). */
    default void closed() {
    }
}
