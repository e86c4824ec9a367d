package org.alosj.hw.i8042.impl;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PS/2 mouse with a wheel and five buttons: the standard 3-byte packets, the IntelliMouse
 * (ID 3: sample rates 200, 100, 80 in a row) and IntelliMouse Explorer (ID 4: then 200, 200,
 * 80) 4-byte packets, stream and remote modes, resolution, scaling, status request. Motion is
 * accumulated between packets: a packet goes out when the queue has room, and what exceeds a
 * packet's 9-bit range stays for the next one (with the overflow bit set on the full one).
 */
final class Ps2Mouse extends Ps2Device {
    private static final Logger LOG = LoggerFactory.getLogger("hw.i8042");

    static final int CMD_SCALING_1_1 = 0xE6;
    static final int CMD_SCALING_2_1 = 0xE7;
    static final int CMD_RESOLUTION = 0xE8;
    static final int CMD_STATUS = 0xE9;
    static final int CMD_STREAM = 0xEA;
    static final int CMD_READ_DATA = 0xEB;
    static final int CMD_RESET_WRAP = 0xEC;
    static final int CMD_WRAP = 0xEE;
    static final int CMD_REMOTE = 0xF0;
    static final int CMD_GET_ID = 0xF2;
    static final int CMD_SAMPLE_RATE = 0xF3;
    static final int CMD_ENABLE = 0xF4;
    static final int CMD_DISABLE = 0xF5;
    static final int CMD_DEFAULTS = 0xF6;
    static final int CMD_RESEND = 0xFE;
    static final int CMD_RESET = 0xFF;

    static final int ID_STANDARD = 0;
    static final int ID_INTELLIMOUSE = 3;
    static final int ID_EXPLORER = 4;

    /** Byte 0 of a packet: buttons, a bit always set, signs and overflows. */
    static final int PKT_LEFT = 0x01;
    static final int PKT_RIGHT = 0x02;
    static final int PKT_MIDDLE = 0x04;
    static final int PKT_ALWAYS_ONE = 0x08;
    static final int PKT_X_SIGN = 0x10;
    static final int PKT_Y_SIGN = 0x20;
    static final int PKT_X_OVERFLOW = 0x40;
    static final int PKT_Y_OVERFLOW = 0x80;
    /** Status byte 1 of E9. */
    static final int STATUS_RIGHT = 0x01;
    static final int STATUS_MIDDLE = 0x02;
    static final int STATUS_LEFT = 0x04;
    static final int STATUS_SCALING_2_1 = 0x10;
    static final int STATUS_ENABLED = 0x20;
    static final int STATUS_REMOTE = 0x40;

    static final int BUTTON_4 = 8;
    /** The most motion (counts, each axis) kept for later packets. */
    static final int MAX_PENDING = 4096;
    static final int BUTTON_5 = 16;

    private final Object lock;
    private final ScheduledExecutorService timer;
    private final LongSupplier nanoTime;
    /** When the last stream packet went out, and whether a later one is already scheduled. */
    private long lastPacketNanos;
    private boolean packetScheduled;
    private boolean reporting;
    private boolean remote;
    private boolean wrap;
    private boolean scaling21;
    private int resolution = 2;
    private int sampleRate = 100;
    private int id = ID_STANDARD;
    private final int[] lastRates = new int[3];
    private int buttons;
    private int dx;
    private int dy;
    private int dz;
    /** Whether something happened since the last packet (stream mode sends only changes). */
    private boolean dirty;
    private int lastSent = ACK;

    /**
     * @param lock the controller's lock, taken by the sample-period timer
     * @param nanoTime the clock sample periods are measured on
     */
    Ps2Mouse(Object lock, ScheduledExecutorService timer, LongSupplier nanoTime) {
        this.lock = lock;
        this.timer = timer;
        this.nanoTime = nanoTime;
        this.lastPacketNanos = nanoTime.getAsLong() - TimeUnit.SECONDS.toNanos(1);
    }

    @Override
    void command(int command) {
        if (wrap && command != CMD_RESET && command != CMD_RESET_WRAP) {
            // Wrap (echo) mode: every byte comes back.
            replyOnce(command);
            return;
        }
        switch (command) {
            case CMD_SCALING_1_1 -> {
                scaling21 = false;
                ack();
            }
            case CMD_SCALING_2_1 -> {
                scaling21 = true;
                ack();
            }
            case CMD_RESOLUTION, CMD_SAMPLE_RATE -> {
                ack();
                expectArgument(command);
            }
            case CMD_STATUS -> {
                ack();
                int status = (remote ? STATUS_REMOTE : 0) | (reporting ? STATUS_ENABLED : 0)
                        | (scaling21 ? STATUS_SCALING_2_1 : 0) | ((buttons & 1) != 0 ? STATUS_LEFT : 0)
                        | ((buttons & 2) != 0 ? STATUS_RIGHT : 0) | ((buttons & 4) != 0 ? STATUS_MIDDLE : 0);
                reply(status, resolution, sampleRate);
                lastSent = sampleRate;
            }
            case CMD_STREAM -> {
                remote = false;
                ack();
            }
            case CMD_READ_DATA -> {
                ack();
                packet();
            }
            case CMD_RESET_WRAP -> {
                wrap = false;
                ack();
            }
            case CMD_WRAP -> {
                wrap = true;
                ack();
            }
            case CMD_REMOTE -> {
                remote = true;
                ack();
            }
            case CMD_GET_ID -> {
                ack();
                replyOnce(id);
            }
            case CMD_ENABLE -> {
                reporting = true;
                ack();
            }
            case CMD_DISABLE -> {
                reporting = false;
                ack();
            }
            case CMD_DEFAULTS -> {
                defaults();
                ack();
            }
            case CMD_RESEND -> replyOnce(lastSent);
            case CMD_RESET -> {
                clearQueue();
                defaults();
                wrap = false;
                id = ID_STANDARD;
                ack();
                reply(SELF_TEST_PASSED, ID_STANDARD);
                lastSent = ID_STANDARD;
            }
            default -> {
                LOG.debug("i8042: mouse: unknown command {}", Ps2Keyboard.hex(command));
                replyOnce(RESEND);
            }
        }
    }

    @Override
    void argument(int command, int value) {
        if (command == CMD_RESOLUTION) {
            if (value > 3) {
                replyOnce(RESEND);
                return;
            }
            resolution = value;
        } else {
            sampleRate = value;
            lastRates[0] = lastRates[1];
            lastRates[1] = lastRates[2];
            lastRates[2] = value;
            if (lastRates[0] == 200 && lastRates[1] == 100 && lastRates[2] == 80) {
                id = Math.max(id, ID_INTELLIMOUSE);
            } else if (id == ID_INTELLIMOUSE && lastRates[0] == 200 && lastRates[1] == 200 && lastRates[2] == 80) {
                id = ID_EXPLORER;
            }
        }
        ack();
    }

    private void ack() {
        replyOnce(ACK);
    }

    private void replyOnce(int b) {
        reply(b);
        lastSent = b;
    }

    private void defaults() {
        reporting = false;
        remote = false;
        scaling21 = false;
        resolution = 2;
        sampleRate = 100;
        dx = dy = dz = 0;
        dirty = false;
    }

    /** The host pointer: motion in pixels (down positive), wheel notches (away positive), buttons held. */
    void pointer(int moveX, int moveY, int wheel, int heldButtons) {
        dx = saturatedAdd(dx, moveX);
        dy = saturatedAdd(dy, -moveY); // PS/2's Y grows upwards
        dz = saturatedAdd(dz, -wheel); // PS/2's wheel counts towards the user
        if (heldButtons != buttons || moveX != 0 || moveY != 0 || wheel != 0) {
            dirty = true;
        }
        buttons = heldButtons;
        streamPending();
    }

    /** Motion beyond a few packets' worth is lost, as a real mouse's counters overflow. */
    private static int saturatedAdd(int a, int b) {
        long sum = (long) a + b;
        return (int) Math.max(-MAX_PENDING, Math.min(MAX_PENDING, sum));
    }

    @Override
    void drained() {
        streamPending();
    }

    /** The time between two stream packets at the programmed sample rate. */
    long samplePeriodNanos() {
        return TimeUnit.SECONDS.toNanos(1) / Math.max(1, sampleRate);
    }

    /**
     * Sends what has accumulated if reporting in stream mode, the packet fits and a sample
     * period has passed since the last one; otherwise the timer comes back at the period's end.
     */
    private void streamPending() {
        int size = id == ID_STANDARD ? 3 : 4;
        if (!reporting || remote || wrap || !dirty || queued() + size > QUEUE_SIZE) {
            return; // a full queue calls again when it drains
        }
        long wait = lastPacketNanos + samplePeriodNanos() - nanoTime.getAsLong();
        if (wait <= 0) {
            lastPacketNanos = nanoTime.getAsLong();
            packet();
            notifyOutput();
        } else if (!packetScheduled) {
            packetScheduled = true;
            timer.schedule(() -> {
                synchronized (lock) {
                    packetScheduled = false;
                    lastPacketNanos = Long.MIN_VALUE / 2; // the period is over: this one goes now
                    streamPending();
                }
            }, wait, TimeUnit.NANOSECONDS);
        }
    }

    /** Emits one packet of the motion accumulated and keeps the rest. */
    private void packet() {
        int x = clamp(dx, -256, 255);
        int y = clamp(dy, -256, 255);
        int b0 = PKT_ALWAYS_ONE | buttons & (PKT_LEFT | PKT_RIGHT | PKT_MIDDLE);
        // The sign bits are bit 8 of the 9-bit values.
        b0 |= x < 0 ? PKT_X_SIGN : 0;
        b0 |= y < 0 ? PKT_Y_SIGN : 0;
        b0 |= x != dx ? PKT_X_OVERFLOW : 0;
        b0 |= y != dy ? PKT_Y_OVERFLOW : 0;
        dx -= x;
        dy -= y;
        int z = 0;
        if (id == ID_INTELLIMOUSE) {
            z = clamp(dz, -128, 127);
            dz -= z;
        } else if (id == ID_EXPLORER) {
            z = clamp(dz, -8, 7);
            dz -= z;
        } else {
            dz = 0;
        }
        dirty = dx != 0 || dy != 0 || dz != 0;
        if (id == ID_STANDARD) {
            reply(b0, x & 0xFF, y & 0xFF);
        } else if (id == ID_INTELLIMOUSE) {
            reply(b0, x & 0xFF, y & 0xFF, z & 0xFF);
        } else {
            int b3 = z & 0x0F | ((buttons & BUTTON_4) != 0 ? 0x10 : 0) | ((buttons & BUTTON_5) != 0 ? 0x20 : 0);
            reply(b0, x & 0xFF, y & 0xFF, b3);
        }
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    int id() {
        return id;
    }

    boolean reporting() {
        return reporting;
    }
}
