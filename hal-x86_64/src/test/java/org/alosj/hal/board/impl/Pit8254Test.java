package org.alosj.hal.board.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.irq.InterruptPin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The 8254 programmable interval timer (Intel 8254 datasheet) and the PIIX3's port 0x61 (NMI
 * status and control). The timer runs on host time, so these tests wait generously and only
 * assert what cannot depend on the host's speed.
 */
class Pit8254Test {
    static final int COUNTER0 = 0x40;
    static final int COUNTER2 = 0x42;
    static final int CONTROL = 0x43;
    static final int PORT_B = 0x61;

    // Control words: SC1 SC0 RW1 RW0 M2 M1 M0 BCD
    static final int CH0_LOHI_MODE2 = 0x34;
    static final int CH0_LOHI_MODE3 = 0x36;
    static final int CH2_LOHI_MODE0 = 0xB0;
    static final int CH0_LATCH = 0x00;
    static final int CH2_LATCH = 0x80;

    private PcMachine machine;
    private IoPortSpace ports;

    @BeforeEach
    void powerOn() {
        machine = new PcMachine(MachineSettings.withRamMiB(16));
        ports = machine.ioPorts();
    }

    @AfterEach
    void powerOff() {
        machine.powerOff();
    }

    private void load(int counterPort, int count) {
        ports.outb(counterPort, count & 0xFF);
        ports.outb(counterPort, count >> 8);
    }

    private int latchAndRead(int latchCommand, int counterPort) {
        ports.outb(CONTROL, latchCommand);
        int lsb = ports.inb(counterPort);
        int msb = ports.inb(counterPort);
        return msb << 8 | lsb;
    }

    @Test
    void readBackStatusReportsTheProgrammedModeAndAccess() {
        ports.outb(CONTROL, CH0_LOHI_MODE2);
        ports.outb(CONTROL, 0xE2); // read-back: status only, counter 0
        assertEquals(0x40 | 0x34, ports.inb(COUNTER0) & 0x7F, "null count until a count is written, lo/hi, mode 2");
        load(COUNTER0, 0x1000);
        ports.outb(CONTROL, 0xE2);
        assertEquals(0x34, ports.inb(COUNTER0) & 0x7F);
        ports.outb(CONTROL, CH0_LOHI_MODE3);
        ports.outb(CONTROL, 0xE2);
        assertEquals(0x36, ports.inb(COUNTER0) & 0x3F, "mode 3, square wave");
    }

    @Test
    void mode2CounterLatchReadsACountWithinTheReloadValue() {
        ports.outb(CONTROL, CH0_LOHI_MODE2);
        load(COUNTER0, 0x8000);
        for (int i = 0; i < 20; i++) {
            int count = latchAndRead(CH0_LATCH, COUNTER0);
            assertTrue(count >= 1 && count <= 0x8000, "mode 2 counts from N down to 1, read " + count);
        }
    }

    @Test
    void countDecreasesBetweenTwoLatchedReads() throws InterruptedException {
        // Mode 0 on channel 2 counts down from 0xFFFF once; 55 ms before it wraps. A host stall
        // longer than that would wrap it, so such a round is repeated, not judged.
        for (int attempt = 0; attempt < 10; attempt++) {
            ports.outb(PORT_B, 0x01); // gate 2 on, speaker off
            ports.outb(CONTROL, CH2_LOHI_MODE0);
            long t0 = System.nanoTime();
            load(COUNTER2, 0xFFFF);
            int first = latchAndRead(CH2_LATCH, COUNTER2);
            Thread.sleep(3);
            int second = latchAndRead(CH2_LATCH, COUNTER2);
            if (System.nanoTime() - t0 > 40_000_000L) {
                continue;
            }
            assertTrue(second < first, "count went from " + first + " to " + second);
            return;
        }
        fail("the host never ran 3 ms of test code in under 40 ms");
    }

    @Test
    void latchedCountIsHeldUntilBothBytesAreRead() throws InterruptedException {
        for (int attempt = 0; attempt < 10; attempt++) {
            ports.outb(PORT_B, 0x01);
            ports.outb(CONTROL, CH2_LOHI_MODE0);
            long t0 = System.nanoTime();
            load(COUNTER2, 0xFFFF);
            ports.outb(CONTROL, CH2_LATCH);
            int lsb = ports.inb(COUNTER2);
            Thread.sleep(5); // ~6000 input clocks
            int msb = ports.inb(COUNTER2);
            int latched = msb << 8 | lsb;
            int now = latchAndRead(CH2_LATCH, COUNTER2);
            if (System.nanoTime() - t0 > 40_000_000L) {
                continue;
            }
            assertTrue(latched - now > 1000, "latched " + latched + " should be well above the live count " + now);
            return;
        }
        fail("the host never ran 5 ms of test code in under 40 ms");
    }

    @Test
    void irq0PulsesReachThePicPeriodically() throws InterruptedException {
        Pic8259PairTest.initialise(ports, 0x01);
        InterruptPin cpu = machine.interruptPin();
        ports.outb(CONTROL, CH0_LOHI_MODE2);
        load(COUNTER0, 1193); // 1 kHz
        for (int tick = 0; tick < 5; tick++) {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!cpu.pending()) {
                if (System.nanoTime() > deadline) {
                    fail("no IRQ 0 within 5 s after " + tick + " ticks");
                }
                Thread.sleep(1);
            }
            assertEquals(0x20, cpu.acknowledge());
            ports.outb(0x20, 0x20);
        }
    }

    @Test
    void mode3SquareWaveAlsoTicks() throws InterruptedException {
        Pic8259PairTest.initialise(ports, 0x01);
        InterruptPin cpu = machine.interruptPin();
        ports.outb(CONTROL, CH0_LOHI_MODE3);
        load(COUNTER0, 11932); // 100 Hz, Linux's old HZ
        int ticks = 0;
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (ticks < 3 && System.nanoTime() < deadline) {
            if (cpu.pending()) {
                assertEquals(0x20, cpu.acknowledge());
                ports.outb(0x20, 0x20);
                ticks++;
            }
            Thread.sleep(1);
        }
        assertTrue(ticks >= 3, "IRQ 0 ticks in 5 s: " + ticks);
    }

    @Test
    void controlWordStopsChannel0UntilANewCountIsWritten() throws InterruptedException {
        Pic8259PairTest.initialise(ports, 0x01);
        InterruptPin cpu = machine.interruptPin();
        ports.outb(CONTROL, CH0_LOHI_MODE2);
        load(COUNTER0, 1193);
        ports.outb(CONTROL, CH0_LOHI_MODE2); // a new control word: no counting without a count
        Thread.sleep(20);
        while (cpu.pending()) { // what was latched before the control word
            cpu.acknowledge();
            ports.outb(0x20, 0x20);
        }
        Thread.sleep(50);
        assertEquals(0, Pic8259PairTest.irr(ports, 0x20) & 1, "no IRQ 0 without a count");
    }

    @Test
    void portBReflectsGateAndSpeakerBitsAndTogglesRefresh() {
        ports.outb(PORT_B, 0x03);
        int a = ports.inb(PORT_B);
        int b = ports.inb(PORT_B);
        assertEquals(0x03, a & 0x0F, "gate 2 and speaker data read back");
        assertEquals(0x10, (a ^ b) & 0x10, "bit 4 (refresh) toggles from read to read");
        assertEquals(0, a & 0xC0, "no IOCHK or SERR# reported");
        ports.outb(PORT_B, 0x00);
        assertEquals(0x00, ports.inb(PORT_B) & 0x0F);
    }

    @Test
    void portBBit5IsOut2GoingHighAtTerminalCountInMode0() throws InterruptedException {
        // Linux's PIT calibration: gate on, mode 0 on channel 2, wait for OUT2 in port 0x61.
        ports.outb(PORT_B, (ports.inb(PORT_B) & ~0x02) | 0x01);
        ports.outb(CONTROL, CH2_LOHI_MODE0);
        assertEquals(0, ports.inb(PORT_B) & 0x20, "OUT is low after a mode 0 control word");
        load(COUNTER2, 16);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while ((ports.inb(PORT_B) & 0x20) == 0) {
            if (System.nanoTime() > deadline) {
                fail("OUT2 never went high");
            }
            Thread.sleep(1);
        }
    }
}
