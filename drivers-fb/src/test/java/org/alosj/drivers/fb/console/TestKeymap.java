package org.alosj.drivers.fb.console;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.alosj.kernel.input.KeyDecoder;
import org.alosj.kernel.input.Keymaps;

/**
 * A US layout for letters, digits, space, Enter and Shift, written to the Keymaps contract
 * (Linux key codes in, UTF-8 out). It stands in for the kernel's keymaps, which come from the
 * PS/2 work; the console must work with any Keymaps service.
 */
public final class TestKeymap implements Keymaps {
    private static final String ROW1 = "1234567890";
    private static final String QWERTY = "qwertyuiop";
    private static final String HOME = "asdfghjkl";
    private static final String BOTTOM = "zxcvbnm";
    public static final int KEY_ENTER = 28;
    public static final int KEY_LEFTSHIFT = 42;
    public static final int KEY_SPACE = 57;

    /** The Linux key code that types {@code c} (lower case or a digit). */
    public static int code(char c) {
        if (ROW1.indexOf(c) >= 0) {
            return 2 + ROW1.indexOf(c);
        }
        if (QWERTY.indexOf(c) >= 0) {
            return 16 + QWERTY.indexOf(c);
        }
        if (HOME.indexOf(c) >= 0) {
            return 30 + HOME.indexOf(c);
        }
        if (BOTTOM.indexOf(c) >= 0) {
            return 44 + BOTTOM.indexOf(c);
        }
        if (c == ' ') {
            return KEY_SPACE;
        }
        if (c == '\r') {
            return KEY_ENTER;
        }
        throw new IllegalArgumentException("no key for '" + c + "'");
    }

    @Override
    public List<String> available() {
        return List.of("us");
    }

    @Override
    public String current() {
        return "us";
    }

    @Override
    public void load(String name) {
        if (!"us".equals(name)) {
            throw new IllegalArgumentException("unknown keymap '" + name + "' (available: us)");
        }
    }

    @Override
    public KeyDecoder newDecoder() {
        return new KeyDecoder() {
            private boolean shift;

            @Override
            public byte[] key(int code, int value) {
                if (code == KEY_LEFTSHIFT) {
                    shift = value != 0;
                    return new byte[0];
                }
                if (value == 0) {
                    return new byte[0];
                }
                for (char c : (ROW1 + QWERTY + HOME + BOTTOM + " \r").toCharArray()) {
                    if (code(c) == code) {
                        char typed = shift ? Character.toUpperCase(c) : c;
                        return String.valueOf(typed).getBytes(StandardCharsets.UTF_8);
                    }
                }
                return new byte[0];
            }

            @Override
            public int leds() {
                return 0;
            }
        };
    }
}
