package org.alosj.ui.window.impl;

import java.awt.event.KeyEvent;
import java.util.HashMap;
import java.util.Map;

/**
 * AWT virtual key codes (and the key's location, for the two shifts, controls and the keypad)
 * to Linux input key codes. AWT names keys by the host layout's meaning, so a US host layout
 * gives the US positions the guest's keymap expects.
 */
final class AwtKeys {
    private static final Map<Integer, Integer> MAIN = new HashMap<>();
    private static final Map<Integer, Integer> KEYPAD = new HashMap<>();

    static {
        String rows = "QWERTYUIOP";
        for (int i = 0; i < rows.length(); i++) {
            MAIN.put((int) rows.charAt(i), 16 + i);
        }
        rows = "ASDFGHJKL";
        for (int i = 0; i < rows.length(); i++) {
            MAIN.put((int) rows.charAt(i), 30 + i);
        }
        rows = "ZXCVBNM";
        for (int i = 0; i < rows.length(); i++) {
            MAIN.put((int) rows.charAt(i), 44 + i);
        }
        for (int i = 1; i <= 9; i++) {
            MAIN.put(KeyEvent.VK_0 + i, 1 + i);
        }
        MAIN.put(KeyEvent.VK_0, 11);
        for (int i = 0; i < 10; i++) {
            MAIN.put(KeyEvent.VK_F1 + i, 59 + i);
        }
        MAIN.put(KeyEvent.VK_F11, 87);
        MAIN.put(KeyEvent.VK_F12, 88);
        int[][] pairs = {
            {KeyEvent.VK_ESCAPE, 1}, {KeyEvent.VK_MINUS, 12}, {KeyEvent.VK_EQUALS, 13},
            {KeyEvent.VK_BACK_SPACE, 14}, {KeyEvent.VK_TAB, 15}, {KeyEvent.VK_OPEN_BRACKET, 26},
            {KeyEvent.VK_CLOSE_BRACKET, 27}, {KeyEvent.VK_ENTER, 28}, {KeyEvent.VK_CONTROL, 29},
            {KeyEvent.VK_SEMICOLON, 39}, {KeyEvent.VK_QUOTE, 40}, {KeyEvent.VK_BACK_QUOTE, 41},
            {KeyEvent.VK_DEAD_GRAVE, 41}, {KeyEvent.VK_SHIFT, 42}, {KeyEvent.VK_BACK_SLASH, 43},
            {KeyEvent.VK_COMMA, 51}, {KeyEvent.VK_PERIOD, 52}, {KeyEvent.VK_SLASH, 53},
            {KeyEvent.VK_ALT, 56}, {KeyEvent.VK_SPACE, 57}, {KeyEvent.VK_CAPS_LOCK, 58},
            {KeyEvent.VK_NUM_LOCK, 69}, {KeyEvent.VK_SCROLL_LOCK, 70}, {KeyEvent.VK_LESS, 86},
            {KeyEvent.VK_PRINTSCREEN, 99}, {KeyEvent.VK_ALT_GRAPH, 100}, {KeyEvent.VK_HOME, 102},
            {KeyEvent.VK_UP, 103}, {KeyEvent.VK_PAGE_UP, 104}, {KeyEvent.VK_LEFT, 105},
            {KeyEvent.VK_RIGHT, 106}, {KeyEvent.VK_END, 107}, {KeyEvent.VK_DOWN, 108},
            {KeyEvent.VK_PAGE_DOWN, 109}, {KeyEvent.VK_INSERT, 110}, {KeyEvent.VK_DELETE, 111},
            {KeyEvent.VK_PAUSE, 119}, {KeyEvent.VK_WINDOWS, 125}, {KeyEvent.VK_META, 125},
            {KeyEvent.VK_CONTEXT_MENU, 127},
            // Keys only the keypad has, wherever AWT says they are.
            {KeyEvent.VK_MULTIPLY, 55}, {KeyEvent.VK_SUBTRACT, 74}, {KeyEvent.VK_ADD, 78},
            {KeyEvent.VK_DECIMAL, 83}, {KeyEvent.VK_DIVIDE, 98}, {KeyEvent.VK_SEPARATOR, 121},
            {KeyEvent.VK_NUMPAD7, 71}, {KeyEvent.VK_NUMPAD8, 72}, {KeyEvent.VK_NUMPAD9, 73},
            {KeyEvent.VK_NUMPAD4, 75}, {KeyEvent.VK_NUMPAD5, 76}, {KeyEvent.VK_NUMPAD6, 77},
            {KeyEvent.VK_NUMPAD1, 79}, {KeyEvent.VK_NUMPAD2, 80}, {KeyEvent.VK_NUMPAD3, 81},
            {KeyEvent.VK_NUMPAD0, 82}, {KeyEvent.VK_KP_UP, 72}, {KeyEvent.VK_KP_DOWN, 80},
            {KeyEvent.VK_KP_LEFT, 75}, {KeyEvent.VK_KP_RIGHT, 77},
        };
        for (int[] p : pairs) {
            MAIN.put(p[0], p[1]);
        }
        // The keypad with Num Lock off: AWT gives the navigation keys with the keypad's location.
        int[][] keypad = {
            {KeyEvent.VK_HOME, 71}, {KeyEvent.VK_UP, 72}, {KeyEvent.VK_PAGE_UP, 73}, {KeyEvent.VK_LEFT, 75},
            {KeyEvent.VK_BEGIN, 76}, {KeyEvent.VK_CLEAR, 76}, {KeyEvent.VK_RIGHT, 77}, {KeyEvent.VK_END, 79},
            {KeyEvent.VK_DOWN, 80}, {KeyEvent.VK_PAGE_DOWN, 81}, {KeyEvent.VK_INSERT, 82},
            {KeyEvent.VK_DELETE, 83}, {KeyEvent.VK_ENTER, 96},
        };
        for (int[] p : keypad) {
            KEYPAD.put(p[0], p[1]);
        }
    }

    private AwtKeys() {
    }

    /** The Linux key code for an AWT key, or -1 for a key the PC keyboard has not. */
    static int linuxCode(int vk, int location) {
        if (location == KeyEvent.KEY_LOCATION_NUMPAD && KEYPAD.containsKey(vk)) {
            return KEYPAD.get(vk);
        }
        if (location == KeyEvent.KEY_LOCATION_RIGHT) {
            switch (vk) {
                case KeyEvent.VK_SHIFT:
                    return 54;
                case KeyEvent.VK_CONTROL:
                    return 97;
                case KeyEvent.VK_ALT:
                    return 100;
                case KeyEvent.VK_WINDOWS, KeyEvent.VK_META:
                    return 126;
                default:
                    break;
            }
        }
        return MAIN.getOrDefault(vk, -1);
    }
}
