package org.alosj.drivers.ps2;

import java.util.BitSet;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keyboard behind the controller's translation: set-1 scan codes (with E0 prefixes and
 * Pause's E1 sequence) decoded into Linux key codes, as Linux's atkbd does for a translated
 * keyboard; a make of a key already down is an autorepeat (value 2). Bytes that are no key are
 * logged and dropped, and the decoder starts afresh at the next byte.
 */
final class AtKeyboard extends EventSink {
    private static final Logger LOG = LoggerFactory.getLogger("drivers.ps2");

    static final String NAME = "AT Translated Set 2 keyboard";
    static final int KEY_PAUSE = 119;
    private static final int PREFIX_E0 = 0xE0;
    private static final int PREFIX_E1 = 0xE1;
    /** E0 codes a translated keyboard sends for its fake shifts around PrintScreen and the grey keys. */
    private static final int FAKE_LSHIFT = 0x2A;
    private static final int FAKE_RSHIFT = 0x36;

    /** Linux key code by E0-prefixed set-1 code (low 7 bits); 0: none. */
    private static final int[] EXTENDED = new int[128];

    static {
        EXTENDED[0x1C] = 96;  // KP Enter
        EXTENDED[0x1D] = 97;  // Right Ctrl
        EXTENDED[0x20] = 113; // Mute
        EXTENDED[0x2E] = 114; // Volume Down
        EXTENDED[0x30] = 115; // Volume Up
        EXTENDED[0x35] = 98;  // KP /
        EXTENDED[0x37] = 99;  // PrintScreen (SysRq)
        EXTENDED[0x38] = 100; // Right Alt
        EXTENDED[0x47] = 102; // Home
        EXTENDED[0x48] = 103; // Up
        EXTENDED[0x49] = 104; // Page Up
        EXTENDED[0x4B] = 105; // Left
        EXTENDED[0x4D] = 106; // Right
        EXTENDED[0x4F] = 107; // End
        EXTENDED[0x50] = 108; // Down
        EXTENDED[0x51] = 109; // Page Down
        EXTENDED[0x52] = 110; // Insert
        EXTENDED[0x53] = 111; // Delete
        EXTENDED[0x5B] = 125; // Left Meta
        EXTENDED[0x5C] = 126; // Right Meta
        EXTENDED[0x5D] = 127; // Compose (Menu)
        EXTENDED[0x5E] = 116; // Power
        EXTENDED[0x5F] = 142; // Sleep
        EXTENDED[0x63] = 143; // Wake Up
    }

    private final IntConsumer ledWriter;
    private final BitSet down = new BitSet(256);
    private boolean extended;
    /** Bytes of Pause's E1 1D 45 E1 9D C5 still to come, or 0. */
    private int pauseRemaining;
    private long dropped;

    /** @param ledWriter sends an LED byte to the keyboard (from a thread that may wait) */
    AtKeyboard(IntConsumer ledWriter) {
        this.ledWriter = ledWriter;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void setLeds(int leds) {
        // The keyboard's LED bits are the KeyDecoder's: scroll 1, num 2, caps 4.
        ledWriter.accept(leds & 7);
    }

    long dropped() {
        return dropped;
    }

    /** One byte from the keyboard, in interrupt context. */
    void receive(int b) {
        if (pauseRemaining > 0) {
            pauseRemaining--;
            if (pauseRemaining == 0) {
                report(KEY_PAUSE, 1);
                report(KEY_PAUSE, 0);
            }
            return;
        }
        switch (b) {
            case PREFIX_E0 -> {
                extended = true;
                return;
            }
            case PREFIX_E1 -> {
                extended = false;
                pauseRemaining = 5;
                return;
            }
            case 0x00, 0xFF -> {
                LOG.warn("i8042: keyboard: buffer overrun, keys lost");
                extended = false;
                return;
            }
            case 0xFA, 0xFE, 0xEE -> {
                // A stray ACK, NAK or echo: no key. (AA is not here: translated, it is Left
                // Shift's release, so a keyboard's self-test result cannot be told from it.)
                LOG.debug("i8042: keyboard: unexpected {}", hex(b));
                extended = false;
                return;
            }
            default -> {
            }
        }
        boolean release = (b & 0x80) != 0;
        int code = b & 0x7F;
        int key;
        boolean wasExtended = extended;
        if (extended) {
            extended = false;
            if (code == FAKE_LSHIFT || code == FAKE_RSHIFT) {
                return;
            }
            key = EXTENDED[code];
        } else {
            key = code >= 1 && code <= 0x58 && code != 0x54 && code != 0x55 ? code : 0;
        }
        if (key == 0) {
            dropped++;
            LOG.info("i8042: keyboard: unknown scan code {}{} dropped", wasExtended ? "e0 " : "", hex(b));
            return;
        }
        if (release) {
            if (down.get(key)) {
                down.clear(key);
                report(key, 0);
            }
        } else {
            report(key, down.get(key) ? 2 : 1);
            down.set(key);
        }
    }

    private void report(int key, int value) {
        emit(EV_KEY, key, value);
        sync();
    }

    static String hex(int b) {
        return String.format("%02x", b & 0xFF);
    }
}
