package org.alosj.kernel.impl.input;

import static org.alosj.kernel.impl.input.KeyCodes.*;

import java.util.Map;

/**
 * One layout: for each key of the typing area the character it types plain, with Shift and with
 * AltGr, or a dead key (an accent that combines with the next letter). The keys whose meaning
 * does not depend on the layout (Enter, arrows, keypad, function keys) are the decoder's.
 */
final class Keymap {
    /** A table entry that is a dead key: the accent's code point ORed with this bit. */
    static final int DEAD = 0x4000_0000;
    static final int NONE = 0;

    final String name;
    final int[] plain = new int[128];
    final int[] shift = new int[128];
    final int[] altGr = new int[128];
    /** Accent → (base letter → accented letter). */
    final Map<Integer, Map<Integer, Integer>> compose;

    private Keymap(String name, Map<Integer, Map<Integer, Integer>> compose) {
        this.name = name;
        this.compose = compose;
    }

    private Keymap row(int firstCode, String plainChars, String shiftChars) {
        for (int i = 0; i < plainChars.length(); i++) {
            plain[firstCode + i] = plainChars.charAt(i);
            shift[firstCode + i] = shiftChars.charAt(i);
        }
        return this;
    }

    private Keymap key(int code, int plainChar, int shiftChar) {
        plain[code] = plainChar;
        shift[code] = shiftChar;
        return this;
    }

    private Keymap altGr(int code, int c) {
        altGr[code] = c;
        return this;
    }

    /** Whether Caps Lock shifts this key: letters whose Shift form is their capital. */
    boolean capsShifts(int code) {
        int p = plain[code];
        return (p & DEAD) == 0 && Character.isLetter(p) && shift[code] == Character.toUpperCase(p);
    }

    /** The US layout (Linux's {@code us}). */
    static Keymap us() {
        Keymap m = new Keymap("us", Map.of());
        m.row(KEY_1, "1234567890-=", "!@#$%^&*()_+");
        m.row(KEY_Q, "qwertyuiop[]", "QWERTYUIOP{}");
        m.row(KEY_A, "asdfghjkl;'`", "ASDFGHJKL:\"~");
        m.key(KEY_BACKSLASH, '\\', '|');
        m.row(KEY_Z, "zxcvbnm,./", "ZXCVBNM<>?");
        m.key(KEY_SPACE, ' ', ' ');
        m.key(KEY_102ND, '<', '>');
        return m;
    }

    /** French AZERTY (Linux's {@code fr}, as ALOS had it): AltGr on the digit row, dead ^ and ¨. */
    static Keymap fr() {
        Map<Integer, Integer> circumflex = Map.ofEntries(Map.entry((int) 'a', (int) 'â'), Map.entry((int) 'e', (int) 'ê'),
                Map.entry((int) 'i', (int) 'î'), Map.entry((int) 'o', (int) 'ô'), Map.entry((int) 'u', (int) 'û'),
                Map.entry((int) 'A', (int) 'Â'), Map.entry((int) 'E', (int) 'Ê'), Map.entry((int) 'I', (int) 'Î'),
                Map.entry((int) 'O', (int) 'Ô'), Map.entry((int) 'U', (int) 'Û'));
        Map<Integer, Integer> diaeresis = Map.ofEntries(Map.entry((int) 'a', (int) 'ä'), Map.entry((int) 'e', (int) 'ë'),
                Map.entry((int) 'i', (int) 'ï'), Map.entry((int) 'o', (int) 'ö'), Map.entry((int) 'u', (int) 'ü'),
                Map.entry((int) 'y', (int) 'ÿ'), Map.entry((int) 'A', (int) 'Ä'), Map.entry((int) 'E', (int) 'Ë'),
                Map.entry((int) 'I', (int) 'Ï'), Map.entry((int) 'O', (int) 'Ö'), Map.entry((int) 'U', (int) 'Ü'));
        Keymap m = new Keymap("fr", Map.of((int) '^', circumflex, (int) '¨', diaeresis));
        m.row(KEY_1, "&é\"'(-è_çà)=", "1234567890°+");
        m.row(KEY_Q, "azertyuiop", "AZERTYUIOP");
        m.key(KEY_LEFTBRACE, DEAD | '^', DEAD | '¨');
        m.key(KEY_RIGHTBRACE, '$', '£');
        m.row(KEY_A, "qsdfghjklmù", "QSDFGHJKLM%");
        m.key(KEY_GRAVE, '²', NONE);
        m.key(KEY_BACKSLASH, '*', 'µ');
        m.row(KEY_Z, "wxcvbn,;:!", "WXCVBN?./§");
        m.key(KEY_SPACE, ' ', ' ');
        m.key(KEY_102ND, '<', '>');
        String altGrDigits = "\0~#{[|`\\^@]}";
        for (int i = 0; i < altGrDigits.length(); i++) {
            if (altGrDigits.charAt(i) != 0) {
                m.altGr(KEY_1 + i, altGrDigits.charAt(i));
            }
        }
        m.altGr(KEY_Q + 2, '€');
        m.altGr(KEY_RIGHTBRACE, '¤');
        return m;
    }
}
