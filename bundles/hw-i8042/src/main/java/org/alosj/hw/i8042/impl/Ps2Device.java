package org.alosj.hw.i8042.impl;

import java.util.ArrayDeque;

/**
 * What a keyboard and a mouse share: the byte queue that waits for the controller to clock it
 * in, and commands with one argument byte. Every method runs with the controller's lock held
 * (the controller, the host input and the timers all take it), which is the device's lock too.
 */
abstract class Ps2Device {
    static final int ACK = 0xFA;
    static final int RESEND = 0xFE;
    static final int SELF_TEST_PASSED = 0xAA;
    /** A PS/2 device buffers 16 bytes; what does not fit is lost (the keyboard says so). */
    static final int QUEUE_SIZE = 16;

    private final ArrayDeque<Integer> queue = new ArrayDeque<>();
    /** The command waiting for its argument byte, or 0. */
    private int pendingCommand;
    private Runnable outputReady = () -> { };
    private boolean taking;

    void connect(Runnable outputReady) {
        this.outputReady = outputReady;
    }

    /** A byte from the host (the controller forwarding a data-port write). */
    final void write(int value) {
        value &= 0xFF;
        if (pendingCommand != 0) {
            int command = pendingCommand;
            pendingCommand = 0;
            argument(command, value);
        } else {
            command(value);
        }
        outputReady.run();
    }

    /** Handles a command byte; a command that takes an argument calls {@link #expectArgument}. */
    abstract void command(int command);

    abstract void argument(int command, int value);

    final void expectArgument(int command) {
        pendingCommand = command;
    }

    /** Responses go ahead of nothing: they join the queue, which the host reads in order. */
    final void reply(int... bytes) {
        for (int b : bytes) {
            queue.addLast(b & 0xFF);
        }
    }

    /** Unsolicited data (keys, packets): dropped whole if it does not fit. */
    final boolean send(int... bytes) {
        if (queue.size() + bytes.length > QUEUE_SIZE) {
            return false;
        }
        reply(bytes);
        notifyOutput(); // while the controller takes a byte, it looks at the queue itself
        return true;
    }

    /** Tells the controller the queue has bytes for it (unless it is taking one right now). */
    final void notifyOutput() {
        if (!taking) {
            outputReady.run();
        }
    }

    final int queued() {
        return queue.size();
    }

    final void clearQueue() {
        queue.clear();
        pendingCommand = 0;
    }

    final boolean hasOutput() {
        return !queue.isEmpty();
    }

    /** The next byte for the controller; the device may refill its queue (a mouse's motion). */
    final int take() {
        int b = queue.removeFirst();
        if (queue.isEmpty()) {
            taking = true;
            try {
                drained();
            } finally {
                taking = false;
            }
        }
        return b;
    }

    /** Called when the queue has emptied. */
    void drained() {
    }
}
