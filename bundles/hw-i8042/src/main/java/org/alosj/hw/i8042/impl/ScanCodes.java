package org.alosj.hw.i8042.impl;

/**
 * What a PS/2 keyboard puts on its wire for each key, named by Linux key code: the make code of
 * scan code set 2 (with its E0 prefix for the extended keys; the break code is F0 before the
 * last byte), and the i8042's translation of set-2 bytes to set 1, which the controller applies
 * when bit 6 of its command byte is set (and which also gives the keyboard's own set 1).
 */
final class ScanCodes {
    static final int KEY_SYSRQ = 99;
    static final int KEY_PAUSE = 119;

    static final int EXTENDED = 0xE0;
    static final int BREAK = 0xF0;

    /** Set-2 make code by Linux key code, ORed with {@link #E0} for the extended keys; 0: no such key. */
    private static final int[] SET2 = new int[256];
    private static final int E0 = 0x100;
    /** The i8042 translation of a set-2 byte to set 1. */
    private static final int[] TO_SET1 = new int[256];

    private static void key(int linuxCode, int set2, int set1) {
        SET2[linuxCode] = set2;
        if ((set2 & E0) == 0 || TO_SET1[set2 & 0xFF] == 0) {
            TO_SET1[set2 & 0xFF] = set1;
        }
    }

    static {
        // Keys whose set-1 code is their Linux key code (the two were made to agree).
        int[] set2ByLinuxCode = {
            0, 0x76, 0x16, 0x1E, 0x26, 0x25, 0x2E, 0x36, 0x3D, 0x3E, 0x46, 0x45, 0x4E, 0x55, 0x66, 0x0D, // 0-15
            0x15, 0x1D, 0x24, 0x2D, 0x2C, 0x35, 0x3C, 0x43, 0x44, 0x4D, 0x54, 0x5B, 0x5A, 0x14, 0x1C, 0x1B, // 16-31
            0x23, 0x2B, 0x34, 0x33, 0x3B, 0x42, 0x4B, 0x4C, 0x52, 0x0E, 0x12, 0x5D, 0x1A, 0x22, 0x21, 0x2A, // 32-47
            0x32, 0x31, 0x3A, 0x41, 0x49, 0x4A, 0x59, 0x7C, 0x11, 0x29, 0x58, 0x05, 0x06, 0x04, 0x0C, 0x03, // 48-63
            0x0B, 0x83, 0x0A, 0x01, 0x09, 0x77, 0x7E, 0x6C, 0x75, 0x7D, 0x7B, 0x6B, 0x73, 0x74, 0x79, 0x69, // 64-79
            0x72, 0x7A, 0x70, 0x71, 0, 0, 0x61, 0x78, 0x07,                                                 // 80-88
        };
        for (int code = 1; code < set2ByLinuxCode.length; code++) {
            if (set2ByLinuxCode[code] != 0) {
                key(code, set2ByLinuxCode[code], code);
            }
        }
        // Extended keys: E0 then a set-2 code whose set-1 translation is the E0 key's set-1 code.
        key(96, E0 | 0x5A, 0x1C);  // KP Enter
        key(97, E0 | 0x14, 0x1D);  // Right Ctrl
        key(98, E0 | 0x4A, 0x35);  // KP /
        key(100, E0 | 0x11, 0x38); // Right Alt (AltGr)
        key(102, E0 | 0x6C, 0x47); // Home
        key(103, E0 | 0x75, 0x48); // Up
        key(104, E0 | 0x7D, 0x49); // Page Up
        key(105, E0 | 0x6B, 0x4B); // Left
        key(106, E0 | 0x74, 0x4D); // Right
        key(107, E0 | 0x69, 0x4F); // End
        key(108, E0 | 0x72, 0x50); // Down
        key(109, E0 | 0x7A, 0x51); // Page Down
        key(110, E0 | 0x70, 0x52); // Insert
        key(111, E0 | 0x71, 0x53); // Delete
        key(113, E0 | 0x23, 0x20); // Mute
        key(114, E0 | 0x21, 0x2E); // Volume Down
        key(115, E0 | 0x32, 0x30); // Volume Up
        key(116, E0 | 0x37, 0x5E); // Power
        key(125, E0 | 0x1F, 0x5B); // Left Windows
        key(126, E0 | 0x27, 0x5C); // Right Windows
        key(127, E0 | 0x2F, 0x5D); // Menu
        key(142, E0 | 0x3F, 0x5F); // Sleep
        key(143, E0 | 0x5E, 0x63); // Wake
        // Set-2 codes the translation table gives that no key above covers: 0x00 (key detection
        // error), 0x02, 0x84 (Alt+SysRq on old keyboards) and 0x12/0x7C also used by PrintScreen.
        TO_SET1[0x00] = 0xFF;
        TO_SET1[0x02] = 0x41;
        for (int b = 0x80; b < 0x100; b++) {
            TO_SET1[b] = b;
        }
        TO_SET1[0x83] = 0x41;
        TO_SET1[0x84] = 0x54;
    }

    private ScanCodes() {
    }

    /** The i8042's set-2 → set-1 translation of one byte (F0 is handled by the caller). */
    static int toSet1(int set2Byte) {
        return TO_SET1[set2Byte & 0xFF];
    }

    /** Whether the keyboard has this key. */
    static boolean known(int linuxCode) {
        return linuxCode == KEY_SYSRQ || linuxCode == KEY_PAUSE
                || linuxCode > 0 && linuxCode < SET2.length && SET2[linuxCode] != 0;
    }

    /**
     * The bytes for a key going down ({@code make}) or up, in set 2 ({@code set} 2) or set 1.
     * Empty for an unknown key and for Pause's release (Pause sends everything on press).
     */
    static int[] encode(int linuxCode, boolean make, int set) {
        int[] set2 = encodeSet2(linuxCode, make);
        return set == 1 ? set2ToSet1(set2) : set2;
    }

    private static int[] encodeSet2(int linuxCode, boolean make) {
        if (linuxCode == KEY_PAUSE) {
            return make ? new int[] {0xE1, 0x14, 0x77, 0xE1, BREAK, 0x14, BREAK, 0x77} : new int[0];
        }
        if (linuxCode == KEY_SYSRQ) {
            // PrintScreen: a fake Left Shift wrapped around the KP* code, both extended.
            return make ? new int[] {EXTENDED, 0x12, EXTENDED, 0x7C}
                    : new int[] {EXTENDED, BREAK, 0x7C, EXTENDED, BREAK, 0x12};
        }
        if (!known(linuxCode)) {
            return new int[0];
        }
        int code = SET2[linuxCode];
        boolean extended = (code & E0) != 0;
        int len = (extended ? 1 : 0) + (make ? 1 : 2);
        int[] out = new int[len];
        int i = 0;
        if (extended) {
            out[i++] = EXTENDED;
        }
        if (!make) {
            out[i++] = BREAK;
        }
        out[i] = code & 0xFF;
        return out;
    }

    /** What the controller's translation makes of a set-2 byte stream (F0 x becomes x|0x80). */
    static int[] set2ToSet1(int[] set2) {
        int[] out = new int[set2.length];
        int n = 0;
        boolean breakPending = false;
        for (int b : set2) {
            if (b == BREAK) {
                breakPending = true;
                continue;
            }
            out[n++] = toSet1(b) | (breakPending ? 0x80 : 0);
            breakPending = false;
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
