package org.alosj.ui.window.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.event.KeyEvent;
import org.junit.jupiter.api.Test;

/** AWT's key codes and locations as the PC keys a US keymap expects (linux/input-event-codes.h). */
class AwtKeysTest {
    private static int code(int vk) {
        return AwtKeys.linuxCode(vk, KeyEvent.KEY_LOCATION_STANDARD);
    }

    @Test
    void lettersDigitsAndPunctuationSitWhereAUsKeyboardHasThem() {
        assertEquals(30, code(KeyEvent.VK_A));
        assertEquals(16, code(KeyEvent.VK_Q));
        assertEquals(50, code(KeyEvent.VK_M));
        assertEquals(2, code(KeyEvent.VK_1));
        assertEquals(11, code(KeyEvent.VK_0));
        assertEquals(53, code(KeyEvent.VK_SLASH));
        assertEquals(41, code(KeyEvent.VK_BACK_QUOTE));
        assertEquals(28, code(KeyEvent.VK_ENTER));
        assertEquals(88, code(KeyEvent.VK_F12));
    }

    @Test
    void leftAndRightModifiersAndTheKeypadAreTheirOwnKeys() {
        assertEquals(42, AwtKeys.linuxCode(KeyEvent.VK_SHIFT, KeyEvent.KEY_LOCATION_LEFT));
        assertEquals(54, AwtKeys.linuxCode(KeyEvent.VK_SHIFT, KeyEvent.KEY_LOCATION_RIGHT));
        assertEquals(29, AwtKeys.linuxCode(KeyEvent.VK_CONTROL, KeyEvent.KEY_LOCATION_LEFT));
        assertEquals(97, AwtKeys.linuxCode(KeyEvent.VK_CONTROL, KeyEvent.KEY_LOCATION_RIGHT));
        assertEquals(100, AwtKeys.linuxCode(KeyEvent.VK_ALT, KeyEvent.KEY_LOCATION_RIGHT));
        assertEquals(96, AwtKeys.linuxCode(KeyEvent.VK_ENTER, KeyEvent.KEY_LOCATION_NUMPAD));
        assertEquals(71, AwtKeys.linuxCode(KeyEvent.VK_HOME, KeyEvent.KEY_LOCATION_NUMPAD));
        assertEquals(102, AwtKeys.linuxCode(KeyEvent.VK_HOME, KeyEvent.KEY_LOCATION_STANDARD));
        assertEquals(82, code(KeyEvent.VK_NUMPAD0));
        assertEquals(-1, code(KeyEvent.VK_KANA_LOCK));
    }
}
