package org.alosj.hal.board.impl;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import org.alosj.hal.bus.IoPortHandler;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.irq.IrqLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A 16550A UART (COM1 at 0x3F8, IRQ 4). Transmitted bytes go straight to the host sink (the
 * line is infinitely fast, so THR is always empty again at once); received bytes fill a 16-byte
 * FIFO. Interrupts: received data available, THR empty, line status and modem status, with the
 * IIR priorities of the datasheet.
 */
final class Uart16550 {
    private static final Logger LOG = LoggerFactory.getLogger("hw.uart");

    static final int UART_RX = 0;
    static final int UART_TX = 0;
    static final int UART_IER = 1;
    static final int UART_IIR = 2;
    static final int UART_FCR = 2;
    static final int UART_LCR = 3;
    static final int UART_MCR = 4;
    static final int UART_LSR = 5;
    static final int UART_MSR = 6;
    static final int UART_SCR = 7;

    static final int UART_IER_RDI = 0x01;
    static final int UART_IER_THRI = 0x02;
    static final int UART_IER_RLSI = 0x04;
    static final int UART_IER_MSI = 0x08;
    static final int UART_IIR_NO_INT = 0x01;
    static final int UART_IIR_MSI = 0x00;
    static final int UART_IIR_THRI = 0x02;
    static final int UART_IIR_RDI = 0x04;
    static final int UART_IIR_RLSI = 0x06;
    static final int UART_IIR_FIFO_ENABLED = 0xC0;
    static final int UART_FCR_ENABLE_FIFO = 0x01;
    static final int UART_FCR_CLEAR_RCVR = 0x02;
    static final int UART_LCR_DLAB = 0x80;
    static final int UART_MCR_OUT2 = 0x08;
    static final int UART_MCR_LOOP = 0x10;
    static final int UART_LSR_DR = 0x01;
    static final int UART_LSR_OE = 0x02;
    static final int UART_LSR_THRE = 0x20;
    static final int UART_LSR_TEMT = 0x40;
    static final int FIFO_SIZE = 16;

    private final OutputStream sink;
    private final IrqLine irq;
    private final ArrayDeque<Byte> rxFifo = new ArrayDeque<>();
    private int ier;
    private int lcr;
    private int mcr;
    private int lsr = UART_LSR_THRE | UART_LSR_TEMT;
    private int msr = 0xB0; // CTS, DSR, DCD
    private int scr;
    private int fcr;
    private int divisor = 12; // 9600 baud
    private boolean thrEmptyPending;
    private boolean sinkFailed;

    Uart16550(IoPortSpace ports, int base, IrqLine irq, OutputStream sink, String name) {
        this.irq = irq;
        this.sink = sink;
        ports.map(base, 8, new IoPortHandler() {
            @Override
            public int ioRead(int port, int size) {
                return read(port - base);
            }

            @Override
            public void ioWrite(int port, int size, int value) {
                write(port - base, value & 0xFF);
            }
        }, name);
    }

    /** Bytes from the host side (a terminal) into the receive FIFO; extras overrun. */
    synchronized void receive(byte[] data, int offset, int length) {
        for (int i = 0; i < length; i++) {
            if (rxFifo.size() >= ((fcr & UART_FCR_ENABLE_FIFO) != 0 ? FIFO_SIZE : 1)) {
                lsr |= UART_LSR_OE;
            } else {
                rxFifo.add(data[offset + i]);
            }
        }
        if (!rxFifo.isEmpty()) {
            lsr |= UART_LSR_DR;
        }
        updateIrq();
    }

    private synchronized int read(int reg) {
        if ((lcr & UART_LCR_DLAB) != 0 && reg <= 1) {
            return reg == 0 ? divisor & 0xFF : divisor >> 8;
        }
        switch (reg) {
            case UART_RX: {
                int v = rxFifo.isEmpty() ? 0 : rxFifo.poll() & 0xFF;
                if (rxFifo.isEmpty()) {
                    lsr &= ~UART_LSR_DR;
                }
                updateIrq();
                return v;
            }
            case UART_IER: return ier;
            case UART_IIR: {
                int id = interruptId();
                if (id == UART_IIR_THRI) {
                    thrEmptyPending = false; // reading IIR with THRI as the cause clears it
                    updateIrq();
                }
                return id | ((fcr & UART_FCR_ENABLE_FIFO) != 0 ? UART_IIR_FIFO_ENABLED : 0);
            }
            case UART_LCR: return lcr;
            case UART_MCR: return mcr;
            case UART_LSR: {
                int v = lsr;
                lsr &= ~UART_LSR_OE;
                updateIrq();
                return v;
            }
            case UART_MSR: {
                if ((mcr & UART_MCR_LOOP) != 0) {
                    // Loopback: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD.
                    return (mcr & 0x02) << 3 | (mcr & 0x01) << 5 | (mcr & 0x04) << 4 | (mcr & 0x08) << 4;
                }
                return msr;
            }
            default: return scr;
        }
    }

    private synchronized void write(int reg, int value) {
        if ((lcr & UART_LCR_DLAB) != 0 && reg <= 1) {
            divisor = reg == 0 ? (divisor & 0xFF00) | value : (divisor & 0xFF) | value << 8;
            return;
        }
        switch (reg) {
            case UART_TX -> {
                if ((mcr & UART_MCR_LOOP) != 0) {
                    receive(new byte[] {(byte) value}, 0, 1);
                } else {
                    emit(value);
                }
                thrEmptyPending = true;
                updateIrq();
            }
            case UART_IER -> {
                boolean thriOn = (value & UART_IER_THRI) != 0 && (ier & UART_IER_THRI) == 0;
                ier = value & 0x0F;
                if (thriOn) {
                    thrEmptyPending = true; // enabling THRI with an empty THR interrupts at once
                }
                updateIrq();
            }
            case UART_FCR -> {
                fcr = value & 0xC9;
                if ((value & UART_FCR_CLEAR_RCVR) != 0) {
                    rxFifo.clear();
                    lsr &= ~UART_LSR_DR;
                }
                updateIrq();
            }
            case UART_LCR -> lcr = value;
            case UART_MCR -> {
                mcr = value & 0x1F;
                updateIrq();
            }
            case UART_SCR -> scr = value;
            default -> { }
        }
    }

    private void emit(int value) {
        if (sink == null || sinkFailed) {
            return;
        }
        try {
            sink.write(value);
            if (value == '\n') {
                sink.flush();
            }
        } catch (IOException e) {
            sinkFailed = true;
            LOG.warn("serial output stopped: {}", e.getMessage());
        }
    }

    private int interruptId() {
        if ((ier & UART_IER_RLSI) != 0 && (lsr & UART_LSR_OE) != 0) {
            return UART_IIR_RLSI;
        }
        if ((ier & UART_IER_RDI) != 0 && (lsr & UART_LSR_DR) != 0) {
            return UART_IIR_RDI;
        }
        if ((ier & UART_IER_THRI) != 0 && thrEmptyPending) {
            return UART_IIR_THRI;
        }
        return UART_IIR_NO_INT;
    }

    private void updateIrq() {
        // On a PC, OUT2 gates the UART's interrupt onto the ISA bus.
        irq.set(interruptId() != UART_IIR_NO_INT && (mcr & UART_MCR_OUT2) != 0);
    }

    synchronized void flush() {
        if (sink != null && !sinkFailed) {
            try {
                sink.flush();
            } catch (IOException e) {
                sinkFailed = true;
            }
        }
    }
}
