package org.alosj.drivers.ps2;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mouse's packets decoded into relative motion, wheel and button events, as Linux's psmouse
 * does for the PS/2 (3 bytes), IntelliMouse (4, wheel) and IntelliMouse Explorer (4, wheel in
 * four bits and two side buttons) protocols. Out-of-sync data is resynchronised: a first byte
 * without bit 3 set is dropped, and a pause of more than half a second between bytes of a packet
 * starts a new one (what was gathered is dropped).
 */
final class PsMouse extends EventSink {
    private static final Logger LOG = LoggerFactory.getLogger("drivers.ps2");

    static final int BTN_SIDE = 0x113;
    static final int BTN_EXTRA = 0x114;
    static final long RESYNC_GAP_NANOS = 500_000_000L;
    private static final int ALWAYS_ONE = 0x08;

    private final int protocolId;
    private final int packetSize;
    private final LongSupplier nanoTime;
    private final int[] packet = new int[4];
    private int filled;
    private long lastByteNanos;
    private int buttons;
    private long resyncs;

    /** @param protocolId the mouse's ID: 0 PS/2, 3 IntelliMouse, 4 IntelliMouse Explorer */
    PsMouse(int protocolId, LongSupplier nanoTime) {
        this.protocolId = protocolId;
        this.packetSize = protocolId == 0 ? 3 : 4;
        this.nanoTime = nanoTime;
    }

    @Override
    public String name() {
        return switch (protocolId) {
            case 3 -> "ImPS/2 Generic Wheel Mouse";
            case 4 -> "ImExPS/2 Generic Explorer Mouse";
            default -> "PS/2 Generic Mouse";
        };
    }

    int packetSize() {
        return packetSize;
    }

    long resyncs() {
        return resyncs;
    }

    /** One byte from the mouse, in interrupt context. */
    void receive(int b) {
        long now = nanoTime.getAsLong();
        if (filled > 0 && now - lastByteNanos > RESYNC_GAP_NANOS) {
            resyncs++;
            LOG.debug("i8042: mouse: {} byte(s) of a packet dropped after a pause", filled);
            filled = 0;
        }
        lastByteNanos = now;
        if (filled == 0 && (b & ALWAYS_ONE) == 0) {
            resyncs++;
            LOG.debug("i8042: mouse: out of sync, byte {} dropped", AtKeyboard.hex(b));
            return;
        }
        packet[filled++] = b & 0xFF;
        if (filled == packetSize) {
            filled = 0;
            decode();
        }
    }

    private void decode() {
        int b0 = packet[0];
        // 9-bit two's complement: the sign bits of byte 0 are bit 8.
        int dx = packet[1] - ((b0 << 4) & 0x100);
        int dy = packet[2] - ((b0 << 3) & 0x100);
        int wheel = 0;
        int held = b0 & 7;
        if (protocolId == 3) {
            wheel = -(byte) packet[3];
        } else if (protocolId == 4) {
            wheel = (packet[3] & 8) - (packet[3] & 7);
            held |= (packet[3] & 0x10) != 0 ? 8 : 0;
            held |= (packet[3] & 0x20) != 0 ? 16 : 0;
        }
        button(held, 1, BTN_LEFT);
        button(held, 2, BTN_RIGHT);
        button(held, 4, BTN_MIDDLE);
        button(held, 8, BTN_SIDE);
        button(held, 16, BTN_EXTRA);
        buttons = held;
        if (dx != 0) {
            emit(EV_REL, REL_X, dx);
        }
        if (dy != 0) {
            emit(EV_REL, REL_Y, -dy); // evdev's Y grows downwards
        }
        if (wheel != 0) {
            emit(EV_REL, REL_WHEEL, wheel);
        }
        sync();
    }

    private void button(int held, int bit, int code) {
        if ((held & bit) != (buttons & bit)) {
            emit(EV_KEY, code, (held & bit) != 0 ? 1 : 0);
        }
    }
}
