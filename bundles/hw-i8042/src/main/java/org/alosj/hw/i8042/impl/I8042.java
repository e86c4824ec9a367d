package org.alosj.hw.i8042.impl;

import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import org.alosj.hal.bus.IoPortHandler;
import org.alosj.hal.irq.IrqLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The 8042 keyboard controller of the PC: a data port (0x60) and a status/command port (0x64),
 * one output buffer that the keyboard (IRQ 1), the auxiliary port's mouse (IRQ 12) and the
 * controller itself fill, the command byte (interrupt enables, port disables, the SYS flag and
 * set-2 → set-1 translation), the output port (A20 and the reset line) and the controller
 * commands of the IBM PS/2 and AT references. One lock guards it all: the controller object.
 */
final class I8042 implements IoPortHandler {
    private static final Logger LOG = LoggerFactory.getLogger("hw.i8042");

    static final int DATA_PORT = 0x60;
    static final int STATUS_PORT = 0x64;
    static final int KBD_IRQ = 1;
    static final int AUX_IRQ = 12;

    // Status register.
    static final int STR_OBF = 0x01;
    static final int STR_IBF = 0x02;
    static final int STR_SYS = 0x04;
    static final int STR_A2 = 0x08;
    static final int STR_INH = 0x10; // keyboard not inhibited (the key lock is open)
    static final int STR_AUX_OBF = 0x20;
    static final int STR_TIMEOUT = 0x40;
    static final int STR_PARITY = 0x80;

    // Command byte.
    static final int CCB_KBD_INT = 0x01;
    static final int CCB_AUX_INT = 0x02;
    static final int CCB_SYS = 0x04;
    static final int CCB_KBD_DISABLE = 0x10;
    static final int CCB_AUX_DISABLE = 0x20;
    static final int CCB_XLATE = 0x40;

    // Controller commands.
    static final int CMD_READ_CCB = 0x20;
    static final int CMD_WRITE_CCB = 0x60;
    static final int CMD_AUX_DISABLE = 0xA7;
    static final int CMD_AUX_ENABLE = 0xA8;
    static final int CMD_AUX_TEST = 0xA9;
    static final int CMD_SELF_TEST = 0xAA;
    static final int CMD_KBD_TEST = 0xAB;
    static final int CMD_KBD_DISABLE = 0xAD;
    static final int CMD_KBD_ENABLE = 0xAE;
    static final int CMD_READ_INPUT = 0xC0;
    static final int CMD_READ_OUTPUT = 0xD0;
    static final int CMD_WRITE_OUTPUT = 0xD1;
    static final int CMD_WRITE_KBD_OUT = 0xD2;
    static final int CMD_WRITE_AUX_OUT = 0xD3;
    static final int CMD_WRITE_AUX = 0xD4;
    static final int CMD_READ_TEST = 0xE0;
    static final int CMD_PULSE_BASE = 0xF0;

    static final int SELF_TEST_OK = 0x55;
    static final int PORT_TEST_OK = 0x00;

    // Output port.
    static final int OUT_RESET = 0x01; // low: the CPU is held in reset
    static final int OUT_A20 = 0x02;
    static final int OUT_KBD_OBF = 0x10;
    static final int OUT_AUX_OBF = 0x20;

    /** The command byte as firmware leaves it: translation, SYS, keyboard interrupt. */
    static final int POWER_ON_CCB = CCB_XLATE | CCB_SYS | CCB_KBD_INT;

    private enum Source { NONE, CONTROLLER, KEYBOARD, AUX }

    private final IrqLine kbdIrq;
    private final IrqLine auxIrq;
    private final Runnable resetLine;
    final Ps2Keyboard keyboard;
    final Ps2Mouse mouse;

    /** The controller's RAM: byte 0 is the command byte. */
    private final int[] ram = new int[32];
    private int status = STR_INH;
    private int outputPort = OUT_RESET | OUT_A20;
    private int outputBuffer;
    private Source outputSource = Source.NONE;
    /** A byte the controller itself answers with, waiting for the output buffer. */
    private int controllerReply = -1;
    /** The controller command waiting for its data-port byte, or 0. */
    private int pendingCommand;
    /** Translation: a set-2 F0 seen, the next byte is a break code. */
    private boolean translateBreak;
    private boolean kbdLevel;
    private boolean auxLevel;

    I8042(IrqLine kbdIrq, IrqLine auxIrq, Runnable resetLine, ScheduledExecutorService timer) {
        this(kbdIrq, auxIrq, resetLine, timer, System::nanoTime);
    }

    /** @param nanoTime the clock the mouse's sample periods are measured on */
    I8042(IrqLine kbdIrq, IrqLine auxIrq, Runnable resetLine, ScheduledExecutorService timer, LongSupplier nanoTime) {
        this.kbdIrq = kbdIrq;
        this.auxIrq = auxIrq;
        this.resetLine = resetLine;
        this.keyboard = new Ps2Keyboard(this, timer);
        this.mouse = new Ps2Mouse(this, timer, nanoTime);
        keyboard.connect(this::refill);
        mouse.connect(this::refill);
        ram[0] = POWER_ON_CCB;
        status |= STR_SYS;
    }

    private int ccb() {
        return ram[0];
    }

    @Override
    public synchronized int ioRead(int port, int size) {
        if (port == STATUS_PORT) {
            return status;
        }
        if (port != DATA_PORT) {
            return 0xFF;
        }
        // Reading the data port empties the buffer and drops the interrupt; the next byte
        // (if any) comes in at once and raises it again: an edge per byte.
        int value = outputBuffer;
        status &= ~(STR_OBF | STR_AUX_OBF | STR_TIMEOUT | STR_PARITY);
        outputSource = Source.NONE;
        updateIrqs();
        refill();
        return value;
    }

    @Override
    public synchronized void ioWrite(int port, int size, int value) {
        value &= 0xFF;
        if (port == STATUS_PORT) {
            status |= STR_A2;
            command(value);
        } else if (port == DATA_PORT) {
            status &= ~STR_A2;
            data(value);
        }
        refill();
    }

    private void command(int cmd) {
        pendingCommand = 0;
        if (cmd >= CMD_READ_CCB && cmd < CMD_READ_CCB + 0x20) {
            reply(ram[cmd - CMD_READ_CCB]);
            return;
        }
        if (cmd >= CMD_WRITE_CCB && cmd < CMD_WRITE_CCB + 0x20) {
            pendingCommand = cmd;
            return;
        }
        if (cmd >= CMD_PULSE_BASE) {
            // Pulse the output port lines whose mask bit is 0: bit 0 is the CPU reset line.
            if ((cmd & OUT_RESET) == 0) {
                LOG.info("i8042: reset line pulsed");
                resetLine.run();
            }
            return;
        }
        switch (cmd) {
            case CMD_AUX_DISABLE -> ram[0] |= CCB_AUX_DISABLE;
            case CMD_AUX_ENABLE -> ram[0] &= ~CCB_AUX_DISABLE;
            case CMD_AUX_TEST, CMD_KBD_TEST -> reply(PORT_TEST_OK);
            case CMD_SELF_TEST -> {
                status |= STR_SYS;
                ram[0] |= CCB_SYS;
                reply(SELF_TEST_OK);
            }
            case CMD_KBD_DISABLE -> ram[0] |= CCB_KBD_DISABLE;
            case CMD_KBD_ENABLE -> ram[0] &= ~CCB_KBD_DISABLE;
            case CMD_READ_INPUT -> reply(0x80); // bit 7: the key lock is open
            case CMD_READ_OUTPUT -> reply(outputPort & ~(OUT_KBD_OBF | OUT_AUX_OBF)
                    | (outputSource == Source.AUX ? OUT_AUX_OBF : 0)
                    | (outputSource == Source.KEYBOARD ? OUT_KBD_OBF : 0));
            case CMD_READ_TEST -> reply(0x00);
            case CMD_WRITE_OUTPUT, CMD_WRITE_KBD_OUT, CMD_WRITE_AUX_OUT, CMD_WRITE_AUX -> pendingCommand = cmd;
            default -> LOG.debug("i8042: unknown controller command {}", Ps2Keyboard.hex(cmd));
        }
        updateIrqs();
    }

    private void data(int value) {
        int cmd = pendingCommand;
        pendingCommand = 0;
        if (cmd >= CMD_WRITE_CCB && cmd < CMD_WRITE_CCB + 0x20) {
            ram[cmd - CMD_WRITE_CCB] = value;
            if (cmd == CMD_WRITE_CCB) {
                status = (value & CCB_SYS) != 0 ? status | STR_SYS : status & ~STR_SYS;
                updateIrqs();
            }
            return;
        }
        switch (cmd) {
            case CMD_WRITE_OUTPUT -> {
                outputPort = value;
                if ((value & OUT_RESET) == 0) {
                    LOG.info("i8042: reset line driven low through the output port");
                    resetLine.run();
                }
            }
            case CMD_WRITE_KBD_OUT -> controllerOutput(value, Source.KEYBOARD);
            case CMD_WRITE_AUX_OUT -> controllerOutput(value, Source.AUX);
            case CMD_WRITE_AUX -> mouse.write(value);
            default -> keyboard.write(value);
        }
    }

    /** D2/D3: the byte appears as if the keyboard or the mouse had sent it. */
    private void controllerOutput(int value, Source as) {
        if (outputSource == Source.NONE) {
            load(value, as);
        } else {
            LOG.debug("i8042: D2/D3 byte {} lost: the output buffer is full", Ps2Keyboard.hex(value));
        }
    }

    private void reply(int value) {
        controllerReply = value & 0xFF;
    }

    /** Moves the next byte into an empty output buffer: the controller's own first, then keyboard, then mouse. */
    private void refill() {
        while (outputSource == Source.NONE) {
            if (controllerReply >= 0) {
                int b = controllerReply;
                controllerReply = -1;
                load(b, Source.CONTROLLER);
            } else if ((ccb() & CCB_KBD_DISABLE) == 0 && keyboard.hasOutput()) {
                int b = keyboard.take();
                if ((ccb() & CCB_XLATE) != 0) {
                    if (b == ScanCodes.BREAK) {
                        translateBreak = true;
                        continue; // F0 never reaches the host: it becomes bit 7 of the next byte
                    }
                    b = ScanCodes.toSet1(b) | (translateBreak ? 0x80 : 0);
                    translateBreak = false;
                }
                load(b, Source.KEYBOARD);
            } else if ((ccb() & CCB_AUX_DISABLE) == 0 && mouse.hasOutput()) {
                load(mouse.take(), Source.AUX);
            } else {
                return;
            }
        }
    }

    private void load(int value, Source source) {
        outputBuffer = value & 0xFF;
        outputSource = source;
        status |= STR_OBF;
        status = source == Source.AUX ? status | STR_AUX_OBF : status & ~STR_AUX_OBF;
        updateIrqs();
    }

    private void updateIrqs() {
        boolean kbd = outputSource == Source.KEYBOARD && (ccb() & CCB_KBD_INT) != 0;
        boolean aux = outputSource == Source.AUX && (ccb() & CCB_AUX_INT) != 0;
        if (kbd != kbdLevel) {
            kbdLevel = kbd;
            kbdIrq.set(kbd);
        }
        if (aux != auxLevel) {
            auxLevel = aux;
            auxIrq.set(aux);
        }
    }

    /** A host key went down or up (Linux key code). */
    synchronized void key(int linuxCode, boolean down) {
        keyboard.key(linuxCode, down);
        refill();
    }

    /** The host pointer moved or its buttons changed. */
    synchronized void pointer(int dx, int dy, int wheel, int buttons) {
        mouse.pointer(dx, dy, wheel, buttons);
        refill();
    }

    /** The keyboard's lock LEDs: bit 0 Scroll Lock, 1 Num Lock, 2 Caps Lock (HostInput's bits). */
    synchronized int keyboardLeds() {
        return keyboard.leds();
    }

    synchronized int commandByte() {
        return ccb();
    }

    synchronized int outputPort() {
        return outputPort;
    }

    synchronized void powerOff() {
        keyboard.powerOff();
    }
}
