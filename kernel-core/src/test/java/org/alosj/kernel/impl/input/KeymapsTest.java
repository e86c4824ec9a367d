package org.alosj.kernel.impl.input;

import static org.alosj.kernel.impl.input.KeyCodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.alosj.kernel.input.KeyDecoder;
import org.junit.jupiter.api.Test;

/** The us and fr layouts, modifiers, locks and terminal sequences, as Linux's console types them. */
class KeymapsTest {
    private final KeymapsImpl keymaps = new KeymapsImpl();

    /** The US keyboard's keys for each printable ASCII character: key code, shifted. */
    private static final String US_PLAIN = "1234567890-=qwertyuiop[]asdfghjkl;'`\\zxcvbnm,./ ";
    private static final String US_SHIFT = "!@#$%^&*()_+QWERTYUIOP{}ASDFGHJKL:\"~|ZXCVBNM<>? ";
    private static final int[] US_CODES = {
        2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
        30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 57,
    };

    private static String press(KeyDecoder d, int... codes) {
        StringBuilder s = new StringBuilder();
        for (int c : codes) {
            s.append(new String(d.key(c, 1), StandardCharsets.UTF_8));
            s.append(new String(d.key(c, 0), StandardCharsets.UTF_8));
        }
        return s.toString();
    }

    private static String chord(KeyDecoder d, int modifier, int code) {
        d.key(modifier, 1);
        String s = press(d, code);
        d.key(modifier, 0);
        return s;
    }

    @Test
    void everyPrintableAsciiCharacterOnUs() {
        KeyDecoder d = keymaps.newDecoder();
        Map<Character, String> typed = new HashMap<>();
        for (int i = 0; i < US_CODES.length; i++) {
            typed.put(US_PLAIN.charAt(i), press(d, US_CODES[i]));
            typed.put(US_SHIFT.charAt(i), chord(d, KEY_LEFTSHIFT, US_CODES[i]));
        }
        for (char c = ' '; c < 0x7F; c++) {
            assertEquals(String.valueOf(c), typed.get(c), "character " + c);
        }
    }

    @Test
    void frenchLettersDigitsAndAltGr() {
        keymaps.load("fr");
        KeyDecoder d = keymaps.newDecoder();
        assertEquals("azertyuiop", press(d, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25));
        assertEquals("qsdfghjklm", press(d, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39));
        assertEquals("wxcvbn,;:!", press(d, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53));
        assertEquals("&é\"'(-è_çà)=", press(d, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13));
        StringBuilder digits = new StringBuilder();
        for (int code = KEY_1; code <= KEY_0; code++) {
            digits.append(chord(d, KEY_RIGHTSHIFT, code));
        }
        assertEquals("1234567890", digits.toString());
        StringBuilder altGr = new StringBuilder();
        for (int code = KEY_1 + 1; code <= KEY_EQUAL; code++) {
            altGr.append(chord(d, KEY_RIGHTALT, code));
        }
        assertEquals("~#{[|`\\^@]}", altGr.toString());
        assertEquals("€", chord(d, KEY_RIGHTALT, 18));
        assertEquals("ù", press(d, KEY_APOSTROPHE));
        assertEquals("AZERTY", chord(d, KEY_LEFTSHIFT, 16) + chord(d, KEY_LEFTSHIFT, 17) + chord(d, KEY_LEFTSHIFT, 18)
                + chord(d, KEY_LEFTSHIFT, 19) + chord(d, KEY_LEFTSHIFT, 20) + chord(d, KEY_LEFTSHIFT, 21));
        assertEquals("<>", press(d, KEY_102ND) + chord(d, KEY_LEFTSHIFT, KEY_102ND));
    }

    @Test
    void frenchDeadKeysComposeVowels() {
        keymaps.load("fr");
        KeyDecoder d = keymaps.newDecoder();
        assertEquals("", press(d, KEY_LEFTBRACE));
        assertEquals("ê", press(d, 18));
        assertEquals("â", press(d, KEY_LEFTBRACE, 16));
        assertEquals("ü", chord(d, KEY_LEFTSHIFT, KEY_LEFTBRACE) + press(d, 22));
        press(d, KEY_LEFTBRACE);
        assertEquals("Î", chord(d, KEY_LEFTSHIFT, 23));
        assertEquals("^", press(d, KEY_LEFTBRACE, KEY_SPACE));
        assertEquals("^z", press(d, KEY_LEFTBRACE, 17));
        assertEquals("^", press(d, KEY_LEFTBRACE, KEY_LEFTBRACE));
    }

    @Test
    void capsLockShiftsLettersOnlyAndLightsItsLed() {
        KeyDecoder d = keymaps.newDecoder();
        press(d, KEY_CAPSLOCK);
        assertEquals(KeyDecoder.LED_CAPS_LOCK, d.leds());
        assertEquals("A1", press(d, KEY_A, KEY_1));
        assertEquals("a!", chord(d, KEY_LEFTSHIFT, KEY_A) + chord(d, KEY_LEFTSHIFT, KEY_1));
        press(d, KEY_CAPSLOCK);
        assertEquals(0, d.leds());
        keymaps.load("fr");
        press(d, KEY_CAPSLOCK);
        assertEquals("Aé", press(d, 16, 3), "é is not a capitalisable letter key on AZERTY");
    }

    @Test
    void ctrlAltAndTheEditingKeys() {
        KeyDecoder d = keymaps.newDecoder();
        assertEquals("\u0003", chord(d, KEY_LEFTCTRL, 46));
        assertEquals("\u001b", chord(d, KEY_RIGHTCTRL, KEY_LEFTBRACE));
        assertEquals("\u001bx", chord(d, KEY_LEFTALT, 45));
        assertEquals("\r\u007f\t\u001b", press(d, KEY_ENTER, KEY_BACKSPACE, KEY_TAB, KEY_ESC));
        assertEquals("\u001b[A\u001b[B\u001b[C\u001b[D", press(d, KEY_UP, KEY_DOWN, KEY_RIGHT, KEY_LEFT));
        assertEquals("\u001b[H\u001b[F\u001b[5~\u001b[6~\u001b[2~\u001b[3~",
                press(d, KEY_HOME, KEY_END, KEY_PAGEUP, KEY_PAGEDOWN, KEY_INSERT, KEY_DELETE));
        assertEquals("\u001bOP\u001bOS\u001b[15~\u001b[21~\u001b[24~", press(d, KEY_F1, KEY_F1 + 3, KEY_F1 + 4, KEY_F10, KEY_F12));
        assertEquals("\u001b[Z", chord(d, KEY_LEFTSHIFT, KEY_TAB));
        keymaps.load("fr");
        assertEquals("\u0001", chord(d, KEY_LEFTCTRL, 16), "Ctrl-A is the key that types a");
    }

    @Test
    void numLockSwitchesTheKeypadAndRepeatsType() {
        KeyDecoder d = keymaps.newDecoder();
        assertEquals("\u001b[H\u001b[A", press(d, KEY_KP7, KEY_KP8));
        press(d, KEY_NUMLOCK);
        assertEquals(KeyDecoder.LED_NUM_LOCK, d.leds());
        assertEquals("78.", press(d, KEY_KP7, KEY_KP8, KEY_KPDOT));
        assertEquals("x", new String(d.key(45, 2), StandardCharsets.UTF_8), "autorepeat types again");
        assertEquals("", new String(d.key(KEY_LEFTSHIFT, 2), StandardCharsets.UTF_8));
    }

    @Test
    void unknownKeymapsAreRefusedNamingTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> keymaps.load("xx"));
        assertEquals("unknown keymap 'xx' (us, fr)", e.getMessage());
        assertEquals("us", keymaps.current());
    }
}
