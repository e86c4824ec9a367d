package org.alosj.ui.vnc.impl;

import java.util.HashMap;
import java.util.Map;

/**
 * X11 keysyms (what RFB KeyEvents carry, RFC 6143 7.5.4) to Linux key codes for a US keyboard,
 * as QEMU maps them for a PS/2 keyboard: a shifted symbol ({@code A}, {@code !}) is its base
 * key, with the shift key pressed around it when the client did not already hold one.
 */
final class Keysyms {
    /** A key and whether the symbol needs shift on a US keyboard. */
    record Key(int code, boolean shifted) {
    }

    static final int KEY_LEFTSHIFT = 42;
    static final int KEY_RIGHTSHIFT = 54;

    private static final Map<Integer, Key> KEYS = new HashMap<>();

    // The US layout's printable keys, row by row: unshifted and shifted symbols, and the key codes.
    private static final String PLAIN = "`1234567890-=qwertyuiop[]\\asdfghjkl;'zxcvbnm,./ ";
    private static final String SHIFTED = "~!@#$%^&*()_+QWERTYUIOP{}|ASDFGHJKL:\"ZXCVBNM<>? ";
    private static final int[] CODES = {
        41, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
        16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 43,
        30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
        44, 45, 46, 47, 48, 49, 50, 51, 52, 53,
        57,
    };

    static {
        for (int i = 0; i < CODES.length; i++) {
            // Latin-1 keysyms are the characters' own code points.
            KEYS.put((int) SHIFTED.charAt(i), new Key(CODES[i], SHIFTED.charAt(i) != ' '));
            KEYS.put((int) PLAIN.charAt(i), new Key(CODES[i], false));
        }
        plain(0xff08, 14);  // BackSpace
        plain(0xff09, 15);  // Tab
        KEYS.put(0xfe20, new Key(15, true)); // ISO_Left_Tab: shift-tab
        plain(0xff0d, 28);  // Return
        plain(0xff13, 119); // Pause
        plain(0xff14, 70);  // Scroll_Lock
        plain(0xff15, 99);  // Sys_Req
        plain(0xff1b, 1);   // Escape
        plain(0xffff, 111); // Delete
        plain(0xff50, 102); // Home
        plain(0xff51, 105); // Left
        plain(0xff52, 103); // Up
        plain(0xff53, 106); // Right
        plain(0xff54, 108); // Down
        plain(0xff55, 104); // Prior (page up)
        plain(0xff56, 109); // Next (page down)
        plain(0xff57, 107); // End
        plain(0xff61, 99);  // Print
        plain(0xff63, 110); // Insert
        plain(0xff67, 127); // Menu (compose)
        plain(0xff7f, 69);  // Num_Lock
        plain(0xff8d, 96);  // KP_Enter
        plain(0xffaa, 55);  // KP_Multiply
        plain(0xffab, 78);  // KP_Add
        plain(0xffad, 74);  // KP_Subtract
        plain(0xffae, 83);  // KP_Decimal
        plain(0xffaf, 98);  // KP_Divide
        int[] keypad = {82, 79, 80, 81, 75, 76, 77, 71, 72, 73}; // KP_0 .. KP_9
        for (int i = 0; i < keypad.length; i++) {
            plain(0xffb0 + i, keypad[i]);
        }
        // The keypad with Num Lock off.
        plain(0xff95, 71); // KP_Home
        plain(0xff96, 75); // KP_Left
        plain(0xff97, 72); // KP_Up
        plain(0xff98, 77); // KP_Right
        plain(0xff99, 80); // KP_Down
        plain(0xff9a, 73); // KP_Prior
        plain(0xff9b, 81); // KP_Next
        plain(0xff9c, 79); // KP_End
        plain(0xff9d, 76); // KP_Begin
        plain(0xff9e, 82); // KP_Insert
        plain(0xff9f, 83); // KP_Delete
        for (int i = 0; i < 10; i++) {
            plain(0xffbe + i, 59 + i); // F1 .. F10
        }
        plain(0xffc8, 87); // F11
        plain(0xffc9, 88); // F12
        plain(0xffe1, KEY_LEFTSHIFT);
        plain(0xffe2, KEY_RIGHTSHIFT);
        plain(0xffe3, 29);  // Control_L
        plain(0xffe4, 97);  // Control_R
        plain(0xffe5, 58);  // Caps_Lock
        plain(0xffe7, 125); // Meta_L: the Windows key, as QEMU does
        plain(0xffe8, 126); // Meta_R
        plain(0xffe9, 56);  // Alt_L
        plain(0xffea, 100); // Alt_R
        plain(0xfe03, 100); // ISO_Level3_Shift (AltGr)
        plain(0xffeb, 125); // Super_L
        plain(0xffec, 126); // Super_R
    }

    private static void plain(int keysym, int code) {
        KEYS.put(keysym, new Key(code, false));
    }

    private Keysyms() {
    }

    /** The key a keysym stands for, or null for a keysym a US keyboard has no key for. */
    static Key lookup(int keysym) {
        return KEYS.get(keysym);
    }

    static boolean isShift(int code) {
        return code == KEY_LEFTSHIFT || code == KEY_RIGHTSHIFT;
    }
}
