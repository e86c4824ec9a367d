package org.alosj.shell.impl;

/** The names {@code linux/input-event-codes.h} gives the key codes a PC keyboard sends, for kbhit. */
final class KeyNames {
    private static final String[] NAMES = new String[144];

    static {
        String[] first = {
            null, "ESC", "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "MINUS", "EQUAL", "BACKSPACE", "TAB",
            "Q", "W", "E", "R", "T", "Y", "U", "I", "O", "P", "LEFTBRACE", "RIGHTBRACE", "ENTER", "LEFTCTRL", "A", "S",
            "D", "F", "G", "H", "J", "K", "L", "SEMICOLON", "APOSTROPHE", "GRAVE", "LEFTSHIFT", "BACKSLASH", "Z", "X",
            "C", "V", "B", "N", "M", "COMMA", "DOT", "SLASH", "RIGHTSHIFT", "KPASTERISK", "LEFTALT", "SPACE",
            "CAPSLOCK", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "NUMLOCK", "SCROLLLOCK", "KP7",
            "KP8", "KP9", "KPMINUS", "KP4", "KP5", "KP6", "KPPLUS", "KP1", "KP2", "KP3", "KP0", "KPDOT", null,
            "ZENKAKUHANKAKU", "102ND", "F11", "F12",
        };
        System.arraycopy(first, 0, NAMES, 0, first.length);
        String[] extended = {
            "KPENTER", "RIGHTCTRL", "KPSLASH", "SYSRQ", "RIGHTALT", "LINEFEED", "HOME", "UP", "PAGEUP", "LEFT",
            "RIGHT", "END", "DOWN", "PAGEDOWN", "INSERT", "DELETE", "MACRO", "MUTE", "VOLUMEDOWN", "VOLUMEUP",
            "POWER", "KPEQUAL", "KPPLUSMINUS", "PAUSE", "SCALE", "KPCOMMA", "HANGEUL", "HANJA", "YEN", "LEFTMETA",
            "RIGHTMETA", "COMPOSE",
        };
        System.arraycopy(extended, 0, NAMES, 96, extended.length);
        NAMES[142] = "SLEEP";
        NAMES[143] = "WAKEUP";
    }

    private KeyNames() {
    }

    /** {@code KEY_A}, or {@code KEY_#300} for a code without a name here. */
    static String name(int code) {
        String n = code >= 0 && code < NAMES.length ? NAMES[code] : null;
        return n != null ? "KEY_" + n : "KEY_#" + code;
    }
}
