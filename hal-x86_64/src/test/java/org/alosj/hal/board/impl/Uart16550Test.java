package org.alosj.hal.board.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.alosj.hal.bus.IoPortSpace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * COM1, a 16550A at 0x3F8 on IRQ 4 (National PC16550D datasheet). IRQ 4 is made
 * level-sensitive in the ELCR so the PIC's IRR shows the UART's interrupt line as it is.
 */
class Uart16550Test {
    static final int COM1 = 0x3F8;
    static final int RBR = COM1;
    static final int THR = COM1;
    static final int DLL = COM1;
    static final int DLM = COM1 + 1;
    static final int IER = COM1 + 1;
    static final int IIR = COM1 + 2;
    static final int FCR = COM1 + 2;
    static final int LCR = COM1 + 3;
    static final int MCR = COM1 + 4;
    static final int LSR = COM1 + 5;
    static final int MSR = COM1 + 6;
    static final int SCR = COM1 + 7;

    static final int LSR_DR = 0x01;
    static final int LSR_OE = 0x02;
    static final int LSR_THRE = 0x20;
    static final int LSR_TEMT = 0x40;
    static final int IIR_NO_INT = 0x01;
    static final int IIR_THRI = 0x02;
    static final int IIR_RDI = 0x04;
    static final int MCR_DTR = 0x01;
    static final int MCR_RTS = 0x02;
    static final int MCR_OUT2 = 0x08;
    static final int MCR_LOOP = 0x10;

    private final ByteArrayOutputStream wire = new ByteArrayOutputStream();
    private PcMachine machine;
    private IoPortSpace ports;

    @BeforeEach
    void powerOn() {
        machine = new PcMachine(new MachineSettings("uart", 16L << 20, 1, wire, Clock.systemUTC()));
        ports = machine.ioPorts();
        Pic8259PairTest.initialise(ports, 0x01);
        ports.outb(0x4D0, 0x10); // IRQ 4 level: IRR bit 4 is the line
    }

    @AfterEach
    void powerOff() {
        machine.powerOff();
    }

    private boolean irq4() {
        return (Pic8259PairTest.irr(ports, 0x20) & 0x10) != 0;
    }

    private void send(String s) {
        for (byte b : s.getBytes(StandardCharsets.US_ASCII)) {
            ports.outb(THR, b);
        }
    }

    private void type(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        machine.serialInput(b, 0, b.length);
    }

    @Test
    void bytesWrittenToThrReachTheSerialSink() {
        send("ALOS/J\n");
        assertEquals("ALOS/J\n", wire.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void transmitterIsAlwaysEmptyAgain() {
        assertEquals(LSR_THRE | LSR_TEMT, ports.inb(LSR));
        send("x");
        assertEquals(LSR_THRE | LSR_TEMT, ports.inb(LSR) & (LSR_THRE | LSR_TEMT));
    }

    @Test
    void dlabSwitchesPorts0And1ToTheDivisorLatch() {
        ports.outb(IER, 0x05);
        ports.outb(LCR, 0x80);
        ports.outb(DLL, 0x01);
        ports.outb(DLM, 0x00); // 115200 baud
        assertEquals(0x01, ports.inb(DLL));
        assertEquals(0x00, ports.inb(DLM));
        ports.outb(LCR, 0x03); // 8N1, DLAB off
        assertEquals(0x03, ports.inb(LCR));
        assertEquals(0x05, ports.inb(IER), "IER was not touched by the divisor writes");
        assertEquals("", wire.toString(StandardCharsets.US_ASCII), "divisor writes are not data");
        ports.outb(LCR, 0x83);
        assertEquals(0x01, ports.inb(DLL), "the divisor is kept");
        ports.outb(LCR, 0x03);
    }

    @Test
    void scratchRegisterHoldsAByte() {
        ports.outb(SCR, 0x5A);
        assertEquals(0x5A, ports.inb(SCR));
    }

    @Test
    void thrEmptyInterruptReachesIrq4OnlyWithOut2() {
        ports.outb(IER, 0x02);
        assertEquals(false, irq4(), "OUT2 low: the interrupt is not driven onto the ISA bus");
        ports.outb(MCR, MCR_OUT2 | MCR_RTS | MCR_DTR);
        assertEquals(true, irq4(), "enabling THRI with THR empty interrupts at once");
        assertEquals(IIR_THRI, ports.inb(IIR));
        assertEquals(false, irq4(), "reading IIR with THRI as the source clears it");
        assertEquals(IIR_NO_INT, ports.inb(IIR));
        send("a");
        assertEquals(true, irq4(), "THR emptied again");
        ports.outb(MCR, MCR_RTS | MCR_DTR);
        assertEquals(false, irq4(), "OUT2 low again");
        ports.outb(MCR, MCR_OUT2);
        assertEquals(IIR_THRI, ports.inb(IIR));
    }

    @Test
    void thrEmptyInterruptIsDeliveredAsVector0x24() {
        ports.outb(0x4D0, 0x00); // IRQ 4 back to edge, as ISA
        ports.outb(MCR, MCR_OUT2);
        ports.outb(IER, 0x02);
        assertEquals(0x24, machine.interruptPin().acknowledge());
    }

    @Test
    void loopbackEchoesThrIntoRbrAndNotOntoTheLine() {
        ports.outb(MCR, MCR_LOOP);
        ports.outb(THR, 'Q');
        assertEquals("", wire.toString(StandardCharsets.US_ASCII));
        assertEquals(LSR_DR, ports.inb(LSR) & LSR_DR);
        assertEquals('Q', ports.inb(RBR));
        assertEquals(0, ports.inb(LSR) & LSR_DR);
    }

    @Test
    void loopbackFeedsModemControlOutputsBackAsModemStatus() {
        ports.outb(MCR, MCR_LOOP | MCR_OUT2 | MCR_RTS | MCR_DTR);
        assertEquals(0x80 | 0x10 | 0x20, ports.inb(MSR) & 0xF0, "DCD from OUT2, CTS from RTS, DSR from DTR");
        ports.outb(MCR, MCR_LOOP | 0x04);
        assertEquals(0x40, ports.inb(MSR) & 0xF0, "RI from OUT1");
    }

    @Test
    void serialInputSetsDataReadyAndRaisesTheReceiveInterrupt() {
        ports.outb(MCR, MCR_OUT2);
        ports.outb(IER, 0x01);
        assertEquals(false, irq4());
        type("k");
        assertEquals(LSR_DR, ports.inb(LSR) & LSR_DR);
        assertEquals(true, irq4());
        assertEquals(IIR_RDI, ports.inb(IIR));
        assertEquals('k', ports.inb(RBR));
        assertEquals(false, irq4());
        assertEquals(IIR_NO_INT, ports.inb(IIR));
    }

    @Test
    void receivedDataHasPriorityOverThrEmpty() {
        ports.outb(MCR, MCR_OUT2);
        ports.outb(IER, 0x03);
        type("z");
        assertEquals(IIR_RDI, ports.inb(IIR));
        ports.inb(RBR);
        assertEquals(IIR_THRI, ports.inb(IIR));
    }

    @Test
    void fifoHolds16BytesAndFurtherInputOverruns() {
        ports.outb(FCR, 0x07);
        assertEquals(0xC0 | IIR_NO_INT, ports.inb(IIR), "FIFOs enabled");
        type("0123456789abcdefXY");
        int lsr = ports.inb(LSR);
        assertEquals(LSR_OE | LSR_DR, lsr & (LSR_OE | LSR_DR));
        assertEquals(0, ports.inb(LSR) & LSR_OE, "OE clears when LSR is read");
        StringBuilder got = new StringBuilder();
        while ((ports.inb(LSR) & LSR_DR) != 0) {
            got.append((char) ports.inb(RBR));
        }
        assertEquals("0123456789abcdef", got.toString());
    }

    @Test
    void withoutFifoASecondByteOverrunsTheFirstHeld() {
        type("ab");
        assertEquals(LSR_OE, ports.inb(LSR) & LSR_OE);
        assertEquals('a', ports.inb(RBR));
    }
}
