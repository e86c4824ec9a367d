package org.alosj.monitor.impl;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * QEMU's key names (its QKeyCode enumeration, what {@code sendkey} takes) to Linux input key
 * codes, the numbers {@link org.alosj.hal.input.HostInput} takes.
 */
final class QKeyCodes {
    private static final Map<String, Integer> CODES = new LinkedHashMap<>();

    static {
        String letters = "qwertyuiop";
        for (int i = 0; i < letters.length(); i++) {
            CODES.put(letters.substring(i, i + 1), 16 + i);
        }
        letters = "asdfghjkl";
        for (int i = 0; i < letters.length(); i++) {
            CODES.put(letters.substring(i, i + 1), 30 + i);
        }
        letters = "zxcvbnm";
        for (int i = 0; i < letters.length(); i++) {
            CODES.put(letters.substring(i, i + 1), 44 + i);
        }
        for (int i = 1; i <= 9; i++) {
            CODES.put(Integer.toString(i), 1 + i);
        }
        CODES.put("0", 11);
        for (int i = 1; i <= 10; i++) {
            CODES.put("f" + i, 58 + i);
        }
        CODES.put("f11", 87);
        CODES.put("f12", 88);
        int[] keypad = {82, 79, 80, 81, 75, 76, 77, 71, 72, 73};
        for (int i = 0; i < keypad.length; i++) {
            CODES.put("kp_" + i, keypad[i]);
        }
        Object[] named = {
            "esc", 1, "minus", 12, "equal", 13, "backspace", 14, "tab", 15, "bracket_left", 26,
            "bracket_right", 27, "ret", 28, "ctrl", 29, "semicolon", 39, "apostrophe", 40,
            "grave_accent", 41, "shift", 42, "backslash", 43, "comma", 51, "dot", 52, "slash", 53,
            "shift_r", 54, "kp_multiply", 55, "asterisk", 55, "alt", 56, "spc", 57, "caps_lock", 58,
            "num_lock", 69, "scroll_lock", 70, "kp_subtract", 74, "kp_add", 78, "kp_decimal", 83,
            "less", 86, "ro", 89, "katakanahiragana", 93, "henkan", 92, "muhenkan", 94,
            "kp_enter", 96, "ctrl_r", 97, "kp_divide", 98, "sysrq", 99, "print", 99, "alt_r", 100,
            "lf", 101, "home", 102, "up", 103, "pgup", 104, "left", 105, "right", 106, "end", 107,
            "down", 108, "pgdn", 109, "insert", 110, "delete", 111, "audiomute", 113,
            "volumedown", 114, "volumeup", 115, "power", 116, "kp_equals", 117, "pause", 119,
            "kp_comma", 121, "lang1", 122, "lang2", 123, "yen", 124, "meta_l", 125, "meta_r", 126,
            "menu", 127, "compose", 127, "stop", 128, "again", 129, "props", 130, "undo", 131,
            "front", 132, "copy", 133, "open", 134, "paste", 135, "find", 136, "cut", 137,
            "help", 138, "calculator", 140, "sleep", 142, "wake", 143, "mail", 155,
            "ac_bookmarks", 156, "computer", 157, "ac_back", 158, "ac_forward", 159,
            "audionext", 163, "audioplay", 164, "audioprev", 165, "audiostop", 166,
            "ac_home", 172, "ac_refresh", 173,
        };
        for (int i = 0; i < named.length; i += 2) {
            CODES.put((String) named[i], (Integer) named[i + 1]);
        }
    }

    private QKeyCodes() {
    }

    /** The Linux key code of a QEMU key name, or -1. */
    static int code(String name) {
        return CODES.getOrDefault(name, -1);
    }
}
