package org.alosj.kernel.device;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A keyboard or pointer, delivering evdev-style events. Service property {@value #KIND} says
 * which ({@value #KIND_KEYBOARD} or {@value #KIND_MOUSE}).
 */
@ProviderType
public interface InputDevice {
    /** Service property: {@value #KIND_KEYBOARD} or {@value #KIND_MOUSE}. @since 1.2 */
    String KIND = "input.kind";
    String KIND_KEYBOARD = "keyboard";
    String KIND_MOUSE = "mouse";

    /** Event types and codes, as {@code linux/input-event-codes.h} numbers them. @since 1.2 */
    int EV_SYN = 0x00;
    int EV_KEY = 0x01;
    int EV_REL = 0x02;
    int SYN_REPORT = 0;
    int REL_X = 0x00;
    int REL_Y = 0x01;
    int REL_WHEEL = 0x08;
    int BTN_LEFT = 0x110;
    int BTN_RIGHT = 0x111;
    int BTN_MIDDLE = 0x112;

    /** One event: type (key, relative, absolute, sync), code and value, as Linux's input layer. */
    record Event(int type, int code, int value, long timestampNanos) {
    }

    @FunctionalInterface
    interface Listener {
        void event(InputDevice device, Event event);
    }

    String name();

    /**
     * Sets the one consumer of the events (null: none), replacing the previous one. Events may be
     * delivered in interrupt context (a PS/2 driver's IRQ handler): the listener must not block.
     */
    void setListener(Listener listener);

    /**
     * The consumer now set, or null; a reader that takes the device for a while (kbhit) puts it
     * back when done. @since 1.2
     */
    default Listener listener() {
        return null;
    }

    /**
     * Lights the lock LEDs ({@code org.alosj.kernel.input.KeyDecoder.LED_*} bits); a device
     * without LEDs has nothing to light. @since 1.2
     */
    default void setLeds(int leds) {
    }
}
