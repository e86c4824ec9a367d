package org.alosj.kernel.impl.input;

/** The Linux key codes the keymaps name ({@code linux/input-event-codes.h}). */
final class KeyCodes {
    static final int KEY_ESC = 1;
    static final int KEY_1 = 2;
    static final int KEY_0 = 11;
    static final int KEY_MINUS = 12;
    static final int KEY_EQUAL = 13;
    static final int KEY_BACKSPACE = 14;
    static final int KEY_TAB = 15;
    static final int KEY_Q = 16;
    static final int KEY_LEFTBRACE = 26;
    static final int KEY_RIGHTBRACE = 27;
    static final int KEY_ENTER = 28;
    static final int KEY_LEFTCTRL = 29;
    static final int KEY_A = 30;
    static final int KEY_SEMICOLON = 39;
    static final int KEY_APOSTROPHE = 40;
    static final int KEY_GRAVE = 41;
    static final int KEY_LEFTSHIFT = 42;
    static final int KEY_BACKSLASH = 43;
    static final int KEY_Z = 44;
    static final int KEY_M = 50;
    static final int KEY_COMMA = 51;
    static final int KEY_DOT = 52;
    static final int KEY_SLASH = 53;
    static final int KEY_RIGHTSHIFT = 54;
    static final int KEY_KPASTERISK = 55;
    static final int KEY_LEFTALT = 56;
    static final int KEY_SPACE = 57;
    static final int KEY_CAPSLOCK = 58;
    static final int KEY_F1 = 59;
    static final int KEY_F10 = 68;
    static final int KEY_NUMLOCK = 69;
    static final int KEY_SCROLLLOCK = 70;
    static final int KEY_KP7 = 71;
    static final int KEY_KP8 = 72;
    static final int KEY_KP9 = 73;
    static final int KEY_KPMINUS = 74;
    static final int KEY_KP4 = 75;
    static final int KEY_KP5 = 76;
    static final int KEY_KP6 = 77;
    static final int KEY_KPPLUS = 78;
    static final int KEY_KP1 = 79;
    static final int KEY_KP2 = 80;
    static final int KEY_KP3 = 81;
    static final int KEY_KP0 = 82;
    static final int KEY_KPDOT = 83;
    static final int KEY_102ND = 86;
    static final int KEY_F11 = 87;
    static final int KEY_F12 = 88;
    static final int KEY_KPENTER = 96;
    static final int KEY_RIGHTCTRL = 97;
    static final int KEY_KPSLASH = 98;
    static final int KEY_RIGHTALT = 100;
    static final int KEY_HOME = 102;
    static final int KEY_UP = 103;
    static final int KEY_PAGEUP = 104;
    static final int KEY_LEFT = 105;
    static final int KEY_RIGHT = 106;
    static final int KEY_END = 107;
    static final int KEY_DOWN = 108;
    static final int KEY_PAGEDOWN = 109;
    static final int KEY_INSERT = 110;
    static final int KEY_DELETE = 111;

    static final int KEY_MAX = 0x2ff;

    private KeyCodes() {
    }
}
