package org.alosj.hal.input;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Where keys and pointer motion from the host enter an input device model, registered as a
 * service by the model. Keys are named by Linux input key codes ({@code KEY_A} = 30,
 * {@code KEY_ENTER} = 28 …, as {@code linux/input-event-codes.h} numbers them), whatever scan
 * codes the model then puts on its wire. Calls may come from any thread.
 */
@ProviderType
public interface HostInput {
    int BUTTON_LEFT = 1;
    int BUTTON_RIGHT = 2;
    int BUTTON_MIDDLE = 4;

    String name();

    /** A key went down ({@code down}) or up. Holding a key down repeats as the keyboard's typematic settings say. */
    void key(int linuxKeyCode, boolean down);

    /**
     * The pointer moved by ({@code dx}, {@code dy}) pixels (right and down are positive), the wheel
     * turned {@code wheel} notches (positive: away from the user) and the buttons now held are
     * {@code buttons} ({@link #BUTTON_LEFT} …). A model with no pointer ignores it.
     */
    void pointer(int dx, int dy, int wheel, int buttons);

    int LED_SCROLL_LOCK = 1;
    int LED_NUM_LOCK = 2;
    int LED_CAPS_LOCK = 4;

    /**
     * The lock LEDs the guest last lit on this keyboard ({@link #LED_CAPS_LOCK} …), for a user
     * interface to show them or keep the host's locks in step (VNC's LED state); 0 for a model
     * with no LEDs. @since 1.1
     */
    default int leds() {
        return 0;
    }
}
