package org.alosj.drivers.ps2;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.alosj.kernel.irq.InterruptRegistration;
import org.alosj.kernel.legacy.LegacyClaim;
import org.alosj.kernel.legacy.LegacyDevices;
import org.alosj.kernel.pci.IoRegion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The i8042 and its two ports, probed as Linux's i8042, atkbd and psmouse probe them: controller
 * self-test, command byte with translation, port tests, keyboard reset and identify, mouse reset
 * and the IntelliMouse handshakes; then IRQ 1 and 12 deliver bytes to the keyboard and mouse
 * decoders. Commands to a device (the keyboard's LEDs) run on the driver's own thread and wait
 * for the device's ACK, which the interrupt handler hands over.
 */
final class I8042Controller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("drivers.ps2");

    static final int DATA = 0x60;
    static final int STATUS = 0x64;
    static final int STR_OBF = 0x01;
    static final int STR_IBF = 0x02;
    static final int STR_AUX_OBF = 0x20;
    static final int CCB_KBD_INT = 0x01;
    static final int CCB_AUX_INT = 0x02;
    static final int CCB_SYS = 0x04;
    static final int CCB_KBD_DISABLE = 0x10;
    static final int CCB_AUX_DISABLE = 0x20;
    static final int CCB_XLATE = 0x40;
    static final int ACK = 0xFA;
    static final int NAK = 0xFE;
    /** How long a byte from the controller or a device may take. */
    static final long BYTE_TIMEOUT_MILLIS = 500;
    /** The keyboard's and mouse's self-test after a reset may take much longer. */
    static final long RESET_TIMEOUT_MILLIS = 2000;
    /** Bytes read (and dropped) at most while flushing a controller that keeps talking. */
    static final int FLUSH_LIMIT = 64;

    enum Port { KEYBOARD, AUX }

    /**
     * The bytes a device command waits for, handed over by the interrupt handler: only ACK and
     * NAK while a byte awaits its acknowledgement (keys typed meanwhile go to the decoder), then
     * every byte of the answer.
     */
    private static final class Waiter {
        final Port port;
        final BlockingQueue<Integer> bytes = new ArrayBlockingQueue<>(16);
        volatile boolean answering;

        Waiter(Port port) {
            this.port = port;
        }

        boolean takes(Port from, int b) {
            return from == port && (answering || b == ACK || b == NAK) && bytes.offer(b);
        }
    }

    private final LegacyClaim claim;
    private final IoRegion data;
    private final IoRegion status;
    private final ExecutorService worker;
    private volatile boolean interruptsOn;
    private boolean closed;
    private volatile Waiter waiter;
    private int commandByte;
    private AtKeyboard keyboard;
    private PsMouse mouse;
    private InterruptRegistration kbdIrq;
    private InterruptRegistration auxIrq;

    /**
     * Claims the ports and probes.
     *
     * @throws IllegalStateException (with a one-line reason) if there is no working controller
     */
    I8042Controller(LegacyDevices legacy) {
        claim = legacy.claim("i8042");
        try {
            data = claim.ioPorts(DATA, 1);
            status = claim.ioPorts(STATUS, 1);
            worker = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "i8042");
                t.setDaemon(true);
                return t;
            });
            probe();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    AtKeyboard keyboard() {
        return keyboard;
    }

    /** The mouse, or null when none answered. */
    PsMouse mouse() {
        return mouse;
    }

    // ---- probing (polled, interrupts off) ----

    private void probe() {
        if (status.in8(0) == 0xFF) {
            // Nothing decodes the port: the bus floats high.
            throw new IllegalStateException("i8042: no controller (port 0x64 reads 0xff)");
        }
        flush();
        controllerCommand(0xAD);
        controllerCommand(0xA7);
        flush();
        if (controllerQuery(0xAA) != 0x55) {
            throw new IllegalStateException("i8042: controller self-test failed");
        }
        commandByte = controllerQuery(0x20);
        commandByte &= ~(CCB_KBD_INT | CCB_AUX_INT);
        commandByte |= CCB_XLATE | CCB_KBD_DISABLE | CCB_AUX_DISABLE;
        writeCommandByte();

        boolean hasAux = probeAux();
        int kbdTest = controllerQuery(0xAB);
        if (kbdTest != 0x00) {
            throw new IllegalStateException("i8042: keyboard port test failed (" + AtKeyboard.hex(kbdTest) + ")");
        }
        commandByte &= ~CCB_KBD_DISABLE;
        writeCommandByte();
        probeKeyboard();
        if (hasAux) {
            commandByte &= ~CCB_AUX_DISABLE;
            writeCommandByte();
            mouse = probeMouse();
            if (mouse == null) {
                commandByte |= CCB_AUX_DISABLE;
                writeCommandByte();
            }
        }
    }

    /** Whether an auxiliary port exists: A8/A7 move its disable bit, and A9 passes. */
    private boolean probeAux() {
        controllerCommand(0xA8);
        boolean enabled = (controllerQuery(0x20) & CCB_AUX_DISABLE) == 0;
        controllerCommand(0xA7);
        boolean disabled = (controllerQuery(0x20) & CCB_AUX_DISABLE) != 0;
        if (!enabled || !disabled) {
            LOG.info("i8042: no auxiliary port");
            return false;
        }
        int test = controllerQuery(0xA9);
        if (test != 0x00) {
            LOG.warn("i8042: auxiliary port test failed ({}): no mouse", AtKeyboard.hex(test));
            return false;
        }
        return true;
    }

    private void probeKeyboard() {
        int[] reset = deviceCommand(Port.KEYBOARD, new int[] {0xFF}, 1, RESET_TIMEOUT_MILLIS);
        if (reset[0] != 0xAA) {
            throw new IllegalStateException("i8042: keyboard self-test failed (" + AtKeyboard.hex(reset[0]) + ")");
        }
        int[] id = deviceCommand(Port.KEYBOARD, new int[] {0xF2}, 2, BYTE_TIMEOUT_MILLIS);
        // AB 83 is an MF2 keyboard; translation makes the 83 a 41.
        if (id[0] != 0xAB || id[1] != 0x41 && id[1] != 0x83) {
            LOG.warn("i8042: keyboard identifies as {} {}", AtKeyboard.hex(id[0]), AtKeyboard.hex(id[1]));
        }
        deviceCommand(Port.KEYBOARD, new int[] {0xED, 0x00}, 0, BYTE_TIMEOUT_MILLIS);
        deviceCommand(Port.KEYBOARD, new int[] {0xF4}, 0, BYTE_TIMEOUT_MILLIS);
        keyboard = new AtKeyboard(leds -> worker.execute(() -> writeLeds(leds)));
        LOG.info("i8042: {} on isa0060/serio0 (IRQ 1)", AtKeyboard.NAME);
    }

    private PsMouse probeMouse() {
        try {
            int[] reset = deviceCommand(Port.AUX, new int[] {0xFF}, 2, RESET_TIMEOUT_MILLIS);
            if (reset[0] != 0xAA) {
                LOG.warn("i8042: mouse self-test failed ({}): no mouse", AtKeyboard.hex(reset[0]));
                return null;
            }
            int id = intelliMouseId(200, 100, 80);
            if (id == 3) {
                int explorer = intelliMouseId(200, 200, 80);
                id = explorer == 4 ? 4 : 3;
            } else {
                id = 0;
            }
            deviceCommand(Port.AUX, new int[] {0xF3, 100}, 0, BYTE_TIMEOUT_MILLIS);
            deviceCommand(Port.AUX, new int[] {0xF4}, 0, BYTE_TIMEOUT_MILLIS);
            PsMouse m = new PsMouse(id, System::nanoTime);
            LOG.info("i8042: {} on isa0060/serio1 (IRQ 12)", m.name());
            return m;
        } catch (IllegalStateException e) {
            LOG.info("i8042: no mouse ({})", e.getMessage());
            return null;
        }
    }

    /** The sample-rate knock of the IntelliMouse protocols, then the ID the mouse gives. */
    private int intelliMouseId(int... rates) {
        for (int rate : rates) {
            deviceCommand(Port.AUX, new int[] {0xF3, rate}, 0, BYTE_TIMEOUT_MILLIS);
        }
        return deviceCommand(Port.AUX, new int[] {0xF2}, 1, BYTE_TIMEOUT_MILLIS)[0];
    }

    // ---- running (interrupts on) ----

    /** Attaches the IRQ handlers and lets the controller raise them. */
    void start() {
        kbdIrq = claim.requestIrq(1, "i8042 keyboard", irq -> service());
        if (mouse != null) {
            auxIrq = claim.requestIrq(12, "i8042 aux", irq -> service());
        }
        synchronized (this) {
            interruptsOn = true;
            commandByte |= CCB_KBD_INT | (mouse != null ? CCB_AUX_INT : 0);
            writeCommandByte();
        }
        // A byte that came while the interrupts were being switched on raised nothing.
        service();
    }

    /**
     * Interrupt context: reads every byte waiting (both ports share the output buffer) and
     * routes each to a waiting command or to its decoder.
     */
    private boolean service() {
        boolean any = false;
        for (int i = 0; i < FLUSH_LIMIT; i++) {
            int s = status.in8(0);
            if ((s & STR_OBF) == 0) {
                break;
            }
            int b = data.in8(0);
            any = true;
            Port port = (s & STR_AUX_OBF) != 0 ? Port.AUX : Port.KEYBOARD;
            Waiter w = waiter;
            if (w != null && w.takes(port, b)) {
                continue;
            }
            if (port == Port.AUX) {
                if (mouse != null) {
                    mouse.receive(b);
                }
            } else if (keyboard != null) {
                keyboard.receive(b);
            }
        }
        return any;
    }

    private void writeLeds(int leds) {
        try {
            deviceCommand(Port.KEYBOARD, new int[] {0xED, leds}, 0, BYTE_TIMEOUT_MILLIS);
        } catch (IllegalStateException e) {
            LOG.warn("i8042: keyboard LEDs not set: {}", e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (status != null) {
            try {
                synchronized (this) {
                    interruptsOn = false;
                    commandByte &= ~(CCB_KBD_INT | CCB_AUX_INT);
                    writeCommandByte();
                }
            } catch (IllegalStateException e) {
                LOG.debug("i8042: {}", e.getMessage());
            }
        }
        if (worker != null) {
            worker.shutdownNow();
        }
        claim.close();
    }

    // ---- the controller's protocol ----

    private void waitInputEmpty() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BYTE_TIMEOUT_MILLIS);
        while ((status.in8(0) & STR_IBF) != 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("i8042: controller input buffer stays full");
            }
            LockSupport.parkNanos(50_000);
        }
    }

    private void controllerCommand(int command) {
        waitInputEmpty();
        status.out8(0, command);
    }

    private synchronized void writeCommandByte() {
        controllerCommand(0x60);
        waitInputEmpty();
        data.out8(0, commandByte);
    }

    /** A controller command answering one byte (polled: used before the interrupts are on). */
    private int controllerQuery(int command) {
        controllerCommand(command);
        return readPolled(null, BYTE_TIMEOUT_MILLIS);
    }

    /** Drops whatever the controller still holds. */
    private void flush() {
        for (int i = 0; i < FLUSH_LIMIT && (status.in8(0) & STR_OBF) != 0; i++) {
            data.in8(0);
        }
    }

    /** The next byte (from {@code port}, or from anywhere if null); bytes from the other port are dropped. */
    private int readPolled(Port port, long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            int s = status.in8(0);
            if ((s & STR_OBF) != 0) {
                int b = data.in8(0);
                Port from = (s & STR_AUX_OBF) != 0 ? Port.AUX : Port.KEYBOARD;
                if (port == null || port == from) {
                    return b;
                }
                continue;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("i8042: no answer from the " + (port == null ? "controller"
                        : port == Port.AUX ? "mouse" : "keyboard") + " within " + timeoutMillis + " ms");
            }
            LockSupport.parkNanos(50_000);
        }
    }

    private int readByte(Port port, Waiter w, long timeoutMillis) {
        if (!interruptsOn) {
            return readPolled(port, timeoutMillis);
        }
        try {
            Integer b = w.bytes.poll(timeoutMillis, TimeUnit.MILLISECONDS);
            if (b == null) {
                throw new IllegalStateException("i8042: no answer from the "
                        + (port == Port.AUX ? "mouse" : "keyboard") + " within " + timeoutMillis + " ms");
            }
            return b;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("i8042: interrupted waiting for the device");
        }
    }

    /**
     * Sends a command and its arguments to a device, each byte acknowledged (FA; a NAK is
     * retried once), then reads {@code answers} bytes. One device command at a time.
     */
    private synchronized int[] deviceCommand(Port port, int[] bytes, int answers, long answerTimeoutMillis) {
        Waiter w = new Waiter(port);
        waiter = w;
        try {
            for (int b : bytes) {
                int reply = -1;
                for (int attempt = 0; attempt < 2 && reply != ACK; attempt++) {
                    sendToDevice(port, b);
                    reply = readByte(port, w, BYTE_TIMEOUT_MILLIS);
                }
                if (reply != ACK) {
                    throw new IllegalStateException("i8042: " + (port == Port.AUX ? "mouse" : "keyboard")
                            + " refused command byte " + AtKeyboard.hex(b) + " (" + AtKeyboard.hex(reply) + ")");
                }
            }
            w.answering = true;
            int[] out = new int[answers];
            for (int i = 0; i < answers; i++) {
                out[i] = readByte(port, w, answerTimeoutMillis);
            }
            return out;
        } finally {
            waiter = null;
        }
    }

    private void sendToDevice(Port port, int b) {
        if (port == Port.AUX) {
            controllerCommand(0xD4);
        }
        waitInputEmpty();
        data.out8(0, b);
    }
}
