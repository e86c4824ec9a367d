package org.alosj.kernel.impl.input;

import static org.alosj.kernel.impl.input.KeyCodes.*;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;
import org.alosj.kernel.input.KeyDecoder;

/**
 * One keyboard's modifier and lock state, turning key events into what a terminal reads, as
 * Linux's console keyboard does: the layout's characters in UTF-8, Ctrl-letter as a control
 * character, Alt as an ESC prefix, Enter as CR, Backspace as DEL, and xterm's sequences for the
 * cursor, editing and function keys. The layout is read at each key, so {@code loadkeys} applies
 * at once to every decoder.
 */
final class Decoder implements KeyDecoder {
    private static final byte[] NOTHING = new byte[0];
    private static final String CSI = "\033[";

    private final Supplier<Keymap> keymap;
    private boolean leftShift;
    private boolean rightShift;
    private boolean leftCtrl;
    private boolean rightCtrl;
    private boolean alt;
    private boolean altGr;
    private boolean capsLock;
    private boolean numLock;
    private boolean scrollLock;
    /** The accent of a dead key waiting for its letter, or 0. */
    private int pendingAccent;

    Decoder(Supplier<Keymap> keymap) {
        this.keymap = keymap;
    }

    @Override
    public int leds() {
        return (scrollLock ? LED_SCROLL_LOCK : 0) | (numLock ? LED_NUM_LOCK : 0) | (capsLock ? LED_CAPS_LOCK : 0);
    }

    @Override
    public byte[] key(int code, int value) {
        boolean down = value != 0;
        switch (code) {
            case KEY_LEFTSHIFT -> leftShift = down;
            case KEY_RIGHTSHIFT -> rightShift = down;
            case KEY_LEFTCTRL -> leftCtrl = down;
            case KEY_RIGHTCTRL -> rightCtrl = down;
            case KEY_LEFTALT -> alt = down;
            case KEY_RIGHTALT -> altGr = down;
            case KEY_CAPSLOCK -> capsLock ^= value == 1;
            case KEY_NUMLOCK -> numLock ^= value == 1;
            case KEY_SCROLLLOCK -> scrollLock ^= value == 1;
            default -> {
                if (down && code >= 0 && code <= KEY_MAX) {
                    String typed = type(code);
                    return typed.isEmpty() ? NOTHING : (alt ? "\033" + typed : typed).getBytes(StandardCharsets.UTF_8);
                }
            }
        }
        return NOTHING;
    }

    private boolean shift() {
        return leftShift || rightShift;
    }

    private boolean ctrl() {
        return leftCtrl || rightCtrl;
    }

    private String type(int code) {
        String special = special(code);
        if (special != null) {
            return special;
        }
        Keymap map = keymap.get();
        if (code >= map.plain.length) {
            return "";
        }
        boolean shifted = shift() ^ (capsLock && map.capsShifts(code));
        int c = altGr ? map.altGr[code] : shifted ? map.shift[code] : map.plain[code];
        if (c == Keymap.NONE) {
            return "";
        }
        if ((c & Keymap.DEAD) != 0) {
            int accent = c & ~Keymap.DEAD;
            if (pendingAccent != 0) {
                // A dead key twice types the accent itself.
                pendingAccent = 0;
                return new String(Character.toChars(accent));
            }
            pendingAccent = accent;
            return "";
        }
        if (ctrl()) {
            int control = control(map.plain[code] & ~Keymap.DEAD, c);
            if (control >= 0) {
                pendingAccent = 0;
                return String.valueOf((char) control);
            }
        }
        if (pendingAccent != 0) {
            int accent = pendingAccent;
            pendingAccent = 0;
            Integer composed = map.compose.getOrDefault(accent, Map.of()).get(c);
            if (composed != null) {
                return new String(Character.toChars(composed));
            }
            String accentText = new String(Character.toChars(accent));
            return c == ' ' ? accentText : accentText + new String(Character.toChars(c));
        }
        return new String(Character.toChars(c));
    }

    /** Ctrl with a letter or one of @[\]^_ and space: the C0 control character, as a terminal sends. */
    private static int control(int base, int typed) {
        int c = Character.isLetter(base) && base < 0x80 ? base : typed;
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 1;
        }
        if (c >= '@' && c <= '_') {
            return c - '@';
        }
        if (c == ' ') {
            return 0;
        }
        if (c == '?') {
            return 0x7f;
        }
        return -1;
    }

    /** The keys every layout shares; null for a key of the typing area. */
    private String special(int code) {
        boolean navigation = !numLock || shift();
        return switch (code) {
            case KEY_ESC -> "\033";
            case KEY_BACKSPACE -> "\177";
            case KEY_TAB -> shift() ? CSI + "Z" : "\t";
            case KEY_ENTER, KEY_KPENTER -> "\r";
            case KEY_UP -> CSI + "A";
            case KEY_DOWN -> CSI + "B";
            case KEY_RIGHT -> CSI + "C";
            case KEY_LEFT -> CSI + "D";
            case KEY_HOME -> CSI + "H";
            case KEY_END -> CSI + "F";
            case KEY_INSERT -> CSI + "2~";
            case KEY_DELETE -> CSI + "3~";
            case KEY_PAGEUP -> CSI + "5~";
            case KEY_PAGEDOWN -> CSI + "6~";
            case KEY_F1 -> "\033OP";
            case KEY_F1 + 1 -> "\033OQ";
            case KEY_F1 + 2 -> "\033OR";
            case KEY_F1 + 3 -> "\033OS";
            case KEY_F1 + 4 -> CSI + "15~";
            case KEY_F1 + 5 -> CSI + "17~";
            case KEY_F1 + 6 -> CSI + "18~";
            case KEY_F1 + 7 -> CSI + "19~";
            case KEY_F1 + 8 -> CSI + "20~";
            case KEY_F10 -> CSI + "21~";
            case KEY_F11 -> CSI + "23~";
            case KEY_F12 -> CSI + "24~";
            case KEY_KPSLASH -> "/";
            case KEY_KPASTERISK -> "*";
            case KEY_KPMINUS -> "-";
            case KEY_KPPLUS -> "+";
            case KEY_KP7 -> navigation ? CSI + "H" : "7";
            case KEY_KP8 -> navigation ? CSI + "A" : "8";
            case KEY_KP9 -> navigation ? CSI + "5~" : "9";
            case KEY_KP4 -> navigation ? CSI + "D" : "4";
            case KEY_KP5 -> navigation ? CSI + "E" : "5";
            case KEY_KP6 -> navigation ? CSI + "C" : "6";
            case KEY_KP1 -> navigation ? CSI + "F" : "1";
            case KEY_KP2 -> navigation ? CSI + "B" : "2";
            case KEY_KP3 -> navigation ? CSI + "6~" : "3";
            case KEY_KP0 -> navigation ? CSI + "2~" : "0";
            case KEY_KPDOT -> navigation ? CSI + "3~" : ".";
            default -> code >= 128 ? "" : null;
        };
    }
}
