package org.alosj.hal.board.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.irq.InterruptPin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cascaded 8259A pair of the PC (Intel 8259A datasheet, PIIX3 ELCR), driven through its
 * ports as a kernel drives it and acknowledged through the CPU's INTA cycle.
 */
class Pic8259PairTest {
    static final int PIC1 = 0x20;
    static final int PIC1_DATA = 0x21;
    static final int PIC2 = 0xA0;
    static final int PIC2_DATA = 0xA1;
    static final int ELCR1 = 0x4D0;
    static final int ELCR2 = 0x4D1;
    static final int OCW3_READ_IRR = 0x0A;
    static final int OCW3_READ_ISR = 0x0B;
    static final int OCW3_POLL = 0x0C;
    static final int EOI = 0x20;

    private PcMachine machine;
    private IoPortSpace ports;
    private InterruptPin cpu;

    @BeforeEach
    void powerOn() {
        machine = new PcMachine(MachineSettings.withRamMiB(16));
        ports = machine.ioPorts();
        cpu = machine.interruptPin();
        initialise(ports, 0x01);
    }

    @AfterEach
    void powerOff() {
        machine.powerOff();
    }

    /** ICW1–ICW4 as Linux and every PC kernel write them: vectors 0x20/0x28, cascade on IR2. */
    static void initialise(IoPortSpace ports, int icw4) {
        ports.outb(PIC1, 0x11);      // ICW1: edge, cascade, ICW4 needed
        ports.outb(PIC1_DATA, 0x20); // ICW2: vector base
        ports.outb(PIC1_DATA, 0x04); // ICW3: slave on IR2
        ports.outb(PIC1_DATA, icw4); // ICW4: 8086 mode
        ports.outb(PIC2, 0x11);
        ports.outb(PIC2_DATA, 0x28);
        ports.outb(PIC2_DATA, 0x02); // ICW3: slave ID 2
        ports.outb(PIC2_DATA, icw4);
    }

    static int irr(IoPortSpace ports, int commandPort) {
        ports.outb(commandPort, OCW3_READ_IRR);
        return ports.inb(commandPort);
    }

    static int isr(IoPortSpace ports, int commandPort) {
        ports.outb(commandPort, OCW3_READ_ISR);
        int v = ports.inb(commandPort);
        ports.outb(commandPort, OCW3_READ_IRR);
        return v;
    }

    private void eoiMaster() {
        ports.outb(PIC1, EOI);
    }

    private void eoiSlave() {
        ports.outb(PIC2, EOI);
    }

    @Test
    void initialisationLeavesAllLinesUnmaskedAndNothingPending() {
        assertEquals(0x00, ports.inb(PIC1_DATA), "IMR after ICW1-4");
        assertEquals(0x00, ports.inb(PIC2_DATA));
        assertEquals(0, irr(ports, PIC1));
        assertEquals(0, isr(ports, PIC1));
        assertFalse(cpu.pending());
    }

    @Test
    void masterRequestIsDeliveredAtVectorBasePlusLine() {
        machine.isaIrq(3).pulse();
        assertTrue(cpu.pending());
        assertEquals(0x23, cpu.acknowledge());
        assertFalse(cpu.pending(), "the request is in service now");
        assertEquals(0x08, isr(ports, PIC1));
        assertEquals(0x00, irr(ports, PIC1), "INTA moves an edge request from IRR to ISR");
        eoiMaster();
        assertEquals(0x00, isr(ports, PIC1));
    }

    @Test
    void icw2VectorBaseIsTakenWithTheLowThreeBitsIgnored() {
        ports.outb(PIC1, 0x11);
        ports.outb(PIC1_DATA, 0x47); // low bits are the IR number, not part of the base
        ports.outb(PIC1_DATA, 0x04);
        ports.outb(PIC1_DATA, 0x01);
        machine.isaIrq(1).pulse();
        assertEquals(0x41, cpu.acknowledge());
    }

    @Test
    void slaveRequestCascadesThroughIr2ToVector0x2A() {
        machine.isaIrq(10).pulse();
        assertEquals(0x04, irr(ports, PIC2));
        assertEquals(0x04, irr(ports, PIC1), "the slave's INT output drives master IR2");
        assertTrue(cpu.pending());
        assertEquals(0x2A, cpu.acknowledge());
        assertEquals(0x04, isr(ports, PIC1), "master has IR2 in service");
        assertEquals(0x04, isr(ports, PIC2), "slave has IR2 (IRQ 10) in service");
        eoiSlave();
        eoiMaster();
        assertEquals(0, isr(ports, PIC1));
        assertEquals(0, isr(ports, PIC2));
        assertFalse(cpu.pending());
    }

    @Test
    void lowerIrqNumberHasHigherPriority() {
        machine.isaIrq(6).pulse();
        machine.isaIrq(3).pulse();
        assertEquals(0x48, irr(ports, PIC1));
        assertEquals(0x23, cpu.acknowledge());
        assertFalse(cpu.pending(), "IRQ 6 waits while the higher-priority IRQ 3 is in service");
        eoiMaster();
        assertTrue(cpu.pending());
        assertEquals(0x26, cpu.acknowledge());
        eoiMaster();
        assertFalse(cpu.pending());
    }

    @Test
    void slaveLinesRankBetweenIrq1AndIrq3() {
        machine.isaIrq(3).pulse();
        machine.isaIrq(14).pulse();
        assertEquals(0x2E, cpu.acknowledge(), "IRQ 8-15 enter at IR2, ahead of IRQ 3");
        machine.isaIrq(1).pulse();
        assertEquals(0x21, cpu.acknowledge(), "IRQ 1 nests over the in-service cascade");
        eoiMaster();
        eoiSlave();
        eoiMaster();
        assertEquals(0x23, cpu.acknowledge());
    }

    @Test
    void higherPriorityRequestNestsOverOneInService() {
        machine.isaIrq(6).pulse();
        assertEquals(0x26, cpu.acknowledge());
        machine.isaIrq(1).pulse();
        assertTrue(cpu.pending());
        assertEquals(0x21, cpu.acknowledge());
        assertEquals(0x42, isr(ports, PIC1));
        eoiMaster(); // non-specific EOI clears the highest-priority bit in service: IRQ 1
        assertEquals(0x40, isr(ports, PIC1));
        eoiMaster();
        assertEquals(0x00, isr(ports, PIC1));
    }

    @Test
    void specificEoiClearsTheNamedLevel() {
        machine.isaIrq(6).pulse();
        cpu.acknowledge();
        machine.isaIrq(1).pulse();
        cpu.acknowledge();
        ports.outb(PIC1, 0x60 | 6); // specific EOI for IR6
        assertEquals(0x02, isr(ports, PIC1));
    }

    @Test
    void ocw1MaskHoldsARequestInIrrUntilUnmasked() {
        ports.outb(PIC1_DATA, 0x20);
        assertEquals(0x20, ports.inb(PIC1_DATA), "IMR reads back");
        machine.isaIrq(5).pulse();
        assertEquals(0x20, irr(ports, PIC1), "a masked edge is still latched in IRR");
        assertFalse(cpu.pending(), "but does not raise INTR");
        ports.outb(PIC1_DATA, 0x00);
        assertTrue(cpu.pending());
        assertEquals(0x25, cpu.acknowledge());
    }

    @Test
    void maskingIr2OnTheMasterHidesTheWholeSlave() {
        ports.outb(PIC1_DATA, 0x04);
        machine.isaIrq(12).pulse();
        assertEquals(0x10, irr(ports, PIC2));
        assertFalse(cpu.pending());
        ports.outb(PIC1_DATA, 0x00);
        assertEquals(0x2C, cpu.acknowledge());
    }

    @Test
    void slaveMaskIsIndependentOfTheMaster() {
        ports.outb(PIC2_DATA, 0xFF);
        assertEquals(0xFF, ports.inb(PIC2_DATA));
        assertEquals(0x00, ports.inb(PIC1_DATA));
        machine.isaIrq(8).pulse();
        assertFalse(cpu.pending());
        ports.outb(PIC2_DATA, 0xFE);
        assertEquals(0x28, cpu.acknowledge());
    }

    @Test
    void edgeTriggeredLineHeldHighRequestsOnlyOnce() {
        machine.isaIrq(5).raise();
        assertEquals(0x25, cpu.acknowledge());
        eoiMaster();
        assertFalse(cpu.pending(), "an edge input needs a new rising edge");
        machine.isaIrq(5).lower();
        machine.isaIrq(5).raise();
        assertEquals(0x25, cpu.acknowledge());
    }

    @Test
    void levelTriggeredLineHeldHighRequestsAgainAfterEoi() {
        ports.outb(ELCR2, 0x08); // IRQ 11 level-triggered
        machine.isaIrq(11).raise();
        assertEquals(0x2B, cpu.acknowledge());
        assertFalse(cpu.pending(), "in service: no second request yet");
        eoiSlave();
        eoiMaster();
        assertTrue(cpu.pending(), "the line is still high, so IRQ 11 is requested again");
        assertEquals(0x2B, cpu.acknowledge());
        machine.isaIrq(11).lower();
        eoiSlave();
        eoiMaster();
        assertFalse(cpu.pending());
        assertEquals(0, irr(ports, PIC2), "a level request follows the line");
    }

    @Test
    void elcrBitsExistOnlyForLinesThatMayBeLevelTriggered() {
        ports.outb(ELCR1, 0xFF);
        ports.outb(ELCR2, 0xFF);
        assertEquals(0xF8, ports.inb(ELCR1), "IRQ 0, 1 and 2 are always edge");
        assertEquals(0xDE, ports.inb(ELCR2), "IRQ 8 and 13 are always edge");
    }

    @Test
    void levelLineStillHighAfterReinitialisationRequestsAgain() {
        ports.outb(ELCR2, 0x08);
        machine.isaIrq(11).raise();
        initialise(ports, 0x01); // e.g. the kernel bundle restarted and set the PIC up again
        assertTrue(cpu.pending(), "IRR of a level input follows the line, not an edge");
        assertEquals(0x2B, cpu.acknowledge());
    }

    @Test
    void requestThatVanishesBeforeIntaGivesSpuriousIrq7() {
        ports.outb(ELCR1, 0x20); // IRQ 5 level-triggered
        machine.isaIrq(5).raise();
        assertTrue(cpu.pending());
        machine.isaIrq(5).lower(); // gone before the CPU's INTA cycle
        assertEquals(0x27, cpu.acknowledge());
        assertEquals(0x00, isr(ports, PIC1), "a spurious IRQ 7 is not put in service: no EOI is due");
    }

    @Test
    void vanishedSlaveRequestGivesSpuriousIrq15AndTheMasterNeedsItsEoi() {
        ports.outb(ELCR2, 0x04); // IRQ 10 level-triggered
        machine.isaIrq(10).raise();
        assertTrue(cpu.pending());
        machine.isaIrq(10).lower();
        assertEquals(0x2F, cpu.acknowledge());
        assertEquals(0x00, isr(ports, PIC2));
        assertEquals(0x04, isr(ports, PIC1), "the master did see a real IR2 request");
        eoiMaster();
        assertFalse(cpu.pending());
    }

    @Test
    void autoEoiModeLeavesNothingInService() {
        initialise(ports, 0x03); // ICW4: 8086 mode, AEOI
        machine.isaIrq(4).pulse();
        assertEquals(0x24, cpu.acknowledge());
        assertEquals(0x00, isr(ports, PIC1));
        machine.isaIrq(7).pulse();
        assertTrue(cpu.pending(), "no EOI was needed for IRQ 7 to follow");
    }

    @Test
    void pollCommandReturnsTheHighestRequestAndAcknowledgesIt() {
        // Polled with the CPU's interrupts off: the poll read is the acknowledge.
        machine.isaIrq(6).pulse();
        machine.isaIrq(4).pulse();
        ports.outb(PIC1, OCW3_POLL);
        assertEquals(0x80 | 4, ports.inb(PIC1));
        ports.outb(PIC1, OCW3_POLL);
        assertEquals(0x00, ports.inb(PIC1), "IRQ 6 is below the in-service IRQ 4");
    }

    @Test
    void onAssertListenerIsCalledWhenIntrRisesAndStopsWhenClosed() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        AutoCloseable handle = cpu.onAssert(calls::incrementAndGet);
        ports.outb(PIC1_DATA, 0x08);
        machine.isaIrq(3).pulse();
        assertEquals(0, calls.get(), "a masked request does not assert INTR");
        machine.isaIrq(5).pulse();
        assertTrue(calls.get() >= 1);
        cpu.acknowledge();
        eoiMaster();
        handle.close();
        int before = calls.get();
        machine.isaIrq(6).pulse();
        assertTrue(cpu.pending());
        assertEquals(before, calls.get(), "a closed listener is not called");
    }

    @Test
    void irq2IsTheCascadeAndNoDeviceLine() {
        assertThrows(IllegalArgumentException.class, () -> machine.isaIrq(2));
        assertThrows(IllegalArgumentException.class, () -> machine.isaIrq(16));
    }
}
