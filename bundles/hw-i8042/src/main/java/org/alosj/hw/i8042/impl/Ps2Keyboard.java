package org.alosj.hw.i8042.impl;

import java.util.ArrayDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MF2 PS/2 keyboard: scan code sets 1 and 2 (the controller may translate set 2 to set 1),
 * the lock LEDs, typematic repeat of the last key held, and the command set of the IBM PS/2
 * technical reference (reset, identify, echo, enable/disable scanning, defaults, resend).
 */
final class Ps2Keyboard extends Ps2Device {
    private static final Logger LOG = LoggerFactory.getLogger("hw.i8042");

    static final int CMD_SET_LEDS = 0xED;
    static final int CMD_ECHO = 0xEE;
    static final int CMD_SCAN_CODE_SET = 0xF0;
    static final int CMD_IDENTIFY = 0xF2;
    static final int CMD_TYPEMATIC = 0xF3;
    static final int CMD_ENABLE = 0xF4;
    static final int CMD_DISABLE = 0xF5;
    static final int CMD_DEFAULTS = 0xF6;
    static final int CMD_RESEND = 0xFE;
    static final int CMD_RESET = 0xFF;
    static final int ECHO = 0xEE;
    /** An MF2 keyboard identifies as AB 83. */
    static final int[] ID = {0xAB, 0x83};
    /** Set 2's overrun code: the buffer was full and keys were lost. */
    static final int OVERRUN = 0x00;
    /** 500 ms delay, 10.9 characters a second. */
    static final int DEFAULT_TYPEMATIC = 0x2B;

    /** Host key events waiting for room in the buffer (key code, negative: released). */
    static final int HOST_BACKLOG = 256;

    private final ArrayDeque<Integer> backlog = new ArrayDeque<>();
    private final Object lock;
    private final ScheduledExecutorService timer;
    private boolean scanning = true;
    private int scanCodeSet = 2;
    private int leds;
    private int typematic = DEFAULT_TYPEMATIC;
    private int lastSent = ACK;
    private int repeatingKey = -1;
    private ScheduledFuture<?> repeat;
    private boolean overrun;
    private boolean pumping;

    Ps2Keyboard(Object lock, ScheduledExecutorService timer) {
        this.lock = lock;
        this.timer = timer;
    }

    /** The delay before a held key repeats, from bits 5-6 of the typematic byte: 250 ms to 1 s. */
    static long typematicDelayMillis(int typematic) {
        return 250L * (1 + (typematic >> 5 & 3));
    }

    /**
     * The repeat period from bits 0-4: (8 + A) × 2^B × 4.17 ms, A bits 0-2 and B bits 3-4
     * (33.3 ms, 30 a second, at 0; 500 ms, 2 a second, at 0x1F).
     */
    static long typematicPeriodMicros(int typematic) {
        int a = typematic & 7;
        int b = typematic >> 3 & 3;
        return (8 + a) * (1L << b) * 4170;
    }

    @Override
    void command(int command) {
        switch (command) {
            case CMD_SET_LEDS, CMD_TYPEMATIC, CMD_SCAN_CODE_SET -> {
                ack();
                expectArgument(command);
            }
            case CMD_ECHO -> replyOnce(ECHO);
            case CMD_IDENTIFY -> {
                ack();
                reply(ID);
                lastSent = ID[1];
            }
            case CMD_ENABLE -> {
                clearQueue();
                ack();
                scanning = true;
            }
            case CMD_DISABLE -> {
                defaults();
                scanning = false;
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
                leds = 0;
                scanCodeSet = 2;
                scanning = true;
                ack();
                replyOnce(SELF_TEST_PASSED);
            }
            default -> {
                LOG.debug("i8042: keyboard: unknown command {}", hex(command));
                replyOnce(RESEND);
            }
        }
    }

    @Override
    void argument(int command, int value) {
        switch (command) {
            case CMD_SET_LEDS -> {
                leds = value & 7;
                ack();
            }
            case CMD_TYPEMATIC -> {
                typematic = value & 0x7F;
                ack();
            }
            case CMD_SCAN_CODE_SET -> {
                if (value == 0) {
                    ack();
                    replyOnce(scanCodeSet);
                } else if (value == 1 || value == 2) {
                    scanCodeSet = value;
                    ack();
                } else {
                    // Set 3 is not implemented: refused as a keyboard refuses a bad argument.
                    LOG.debug("i8042: keyboard: scan code set {} refused", value);
                    replyOnce(RESEND);
                }
            }
            default -> throw new IllegalStateException("no argument expected for " + hex(command));
        }
    }

    private void ack() {
        replyOnce(ACK);
    }

    private void replyOnce(int b) {
        reply(b);
        lastSent = b;
    }

    private void defaults() {
        typematic = DEFAULT_TYPEMATIC;
        backlog.clear();
        stopRepeat();
    }

    /**
     * A host key went down or up. Keys wait in the host's input queue (as in QEMU's input layer,
     * not in the keyboard) until the keyboard's 16-byte buffer has room, so a pasted string is not
     * lost to a guest that reads slowly; beyond {@value #HOST_BACKLOG} waiting keys, keys are lost
     * and the keyboard reports an overrun.
     */
    void key(int linuxCode, boolean down) {
        if (!ScanCodes.known(linuxCode)) {
            LOG.debug("i8042: keyboard: no key for Linux key code {}", linuxCode);
            return;
        }
        if (!scanning) {
            return;
        }
        if (backlog.size() >= HOST_BACKLOG) {
            overrun = true;
            return;
        }
        backlog.addLast(down ? linuxCode : -linuxCode);
        pump();
    }

    @Override
    void drained() {
        pump();
    }

    /** Moves waiting host keys into the buffer while they fit; not re-entered from the controller's refill. */
    private void pump() {
        if (pumping) {
            return;
        }
        pumping = true;
        try {
            while (!backlog.isEmpty()) {
                int event = backlog.peekFirst();
                int linuxCode = Math.abs(event);
                boolean down = event > 0;
                if (overrun && send(scanCodeSet == 1 ? 0xFF : OVERRUN)) {
                    overrun = false;
                }
                int[] bytes = ScanCodes.encode(linuxCode, down, scanCodeSet);
                if (queued() + bytes.length > QUEUE_SIZE) {
                    return; // no room yet: the rest waits for the host to read
                }
                backlog.removeFirst();
                if (down && linuxCode != ScanCodes.KEY_PAUSE) {
                    startRepeat(linuxCode);
                } else if (!down && linuxCode == repeatingKey) {
                    stopRepeat();
                }
                send(bytes);
            }
        } finally {
            pumping = false;
        }
    }

    private void startRepeat(int linuxCode) {
        stopRepeat();
        repeatingKey = linuxCode;
        long period = typematicPeriodMicros(typematic);
        repeat = timer.scheduleAtFixedRate(() -> {
            synchronized (lock) {
                // A repeat that finds the buffer full is skipped, as a keyboard skips it.
                if (repeatingKey == linuxCode && scanning && backlog.isEmpty()) {
                    send(ScanCodes.encode(linuxCode, true, scanCodeSet));
                }
            }
        }, typematicDelayMillis(typematic) * 1000, period, TimeUnit.MICROSECONDS);
    }

    private void stopRepeat() {
        repeatingKey = -1;
        if (repeat != null) {
            repeat.cancel(false);
            repeat = null;
        }
    }

    void powerOff() {
        stopRepeat();
    }

    int leds() {
        return leds;
    }

    int scanCodeSet() {
        return scanCodeSet;
    }

    int typematic() {
        return typematic;
    }

    static String hex(int b) {
        return String.format("%#04x", b);
    }
}
