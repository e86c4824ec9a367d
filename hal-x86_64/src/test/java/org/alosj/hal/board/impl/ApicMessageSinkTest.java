package org.alosj.hal.board.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.irq.InterruptPin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Message-signalled interrupts on the board: a DWORD write into 0xFEEx_xxxx, decoded as the
 * Intel SDM (vol. 3, 11.11) lays out MSI address and data, becomes a pending vector on the CPU's
 * interrupt input; every other message is dropped as a guest error and never thrown.
 */
class ApicMessageSinkTest {
    private PcMachine machine;
    private MemoryBus memory;
    private InterruptPin cpu;

    @BeforeEach
    void powerOn() {
        machine = new PcMachine(MachineSettings.withRamMiB(16));
        memory = machine.memory();
        cpu = machine.interruptPin();
    }

    @AfterEach
    void powerOff() {
        machine.powerOff();
    }

    @Test
    void aFixedMessageToApicZeroRaisesItsVectorOnTheCpuInput() {
        int[] woken = new int[1];
        cpu.onAssert(() -> woken[0]++);
        assertFalse(cpu.pending());
        memory.writeInt(0xFEE0_0000L, 0x0000_0041);
        assertTrue(cpu.pending());
        assertEquals(1, woken[0], "a halted CPU is woken by the message");
        assertEquals(0x41, cpu.acknowledge());
        assertFalse(cpu.pending());
    }

    @Test
    void pendingVectorsAreTakenHighestFirstAndARepeatedMessageCoalesces() {
        memory.writeInt(0xFEE0_0000L, 0x41);
        memory.writeInt(0xFEE0_0000L, 0xB0);
        memory.writeInt(0xFEE0_0000L, 0x41);
        memory.writeInt(0xFEE0_0000L, 0x7F);
        assertEquals(0xB0, cpu.acknowledge());
        assertEquals(0x7F, cpu.acknowledge());
        assertEquals(0x41, cpu.acknowledge());
        assertFalse(cpu.pending(), "the IRR holds one bit a vector");
    }

    @Test
    void lowestPriorityBroadcastAndLogicalBitZeroReachTheOnlyCpu() {
        ApicMessageSink sink = new ApicMessageSink();
        assertTrue(sink.deliver(0xFEE0_0000L, 1 << 8 | 0x50), "lowest priority");
        assertTrue(sink.deliver(0xFEEF_F000L, 0x51), "broadcast ID 0xFF");
        assertTrue(sink.deliver(0xFEE0_1000L | ApicMessageSink.MSI_ADDR_DEST_MODE_LOGICAL, 0x52),
                "logical destination with bit 0");
        assertTrue(sink.deliver(0xFEE0_0008L, 0x8000 | 0x4000 | 0x53), "redirection hint, level");
        assertEquals(4, sink.accepted());
    }

    @Test
    void messagesTheApicCannotTakeAreDroppedAndCounted() {
        ApicMessageSink sink = new ApicMessageSink();
        assertFalse(sink.deliver(0xFEE0_1000L, 0x41), "APIC ID 1 is not on the board");
        assertFalse(sink.deliver(0xFEE0_2000L | ApicMessageSink.MSI_ADDR_DEST_MODE_LOGICAL, 0x41),
                "logical destination without our bit");
        assertFalse(sink.deliver(0xFEE0_0000L, 0x0F), "vectors below 16 are illegal");
        assertFalse(sink.deliver(0xFEE0_0000L, 2 << 8 | 0x41), "SMI");
        assertFalse(sink.deliver(0xFEE0_0000L, 4 << 8 | 0x41), "NMI");
        assertFalse(sink.deliver(0xFEE0_0000L, 7 << 8 | 0x41), "ExtINT");
        assertFalse(sink.deliver(0x3_0000L, 0x41), "outside 0xFEEx_xxxx");
        assertFalse(sink.pending());
        assertEquals(7, sink.dropped());
    }

    @Test
    void partialAndMisalignedWritesAreNotMessages() {
        memory.writeByte(0xFEE0_0000L, 0x41);
        memory.writeShort(0xFEE0_0000L, 0x41);
        memory.writeInt(0xFEE0_0002L, 0x41);
        assertFalse(cpu.pending());
        assertEquals(0xFFFF_FFFFL, memory.readInt(0xFEE0_0000L) & 0xFFFF_FFFFL,
                "the window reads as nothing decoded");
    }

    @Test
    void aThousandRandomWritesIntoTheWindowNeverThrowAndOnlyLegalOnesPend() {
        Random random = new Random(10);
        ApicMessageSink sink = new ApicMessageSink();
        int expected = 0;
        boolean[] seen = new boolean[256];
        for (int i = 0; i < 1000; i++) {
            long address = random.nextBoolean() ? 0xFEE0_0000L | random.nextInt(0x10_0000) & ~3
                    : random.nextLong();
            int data = random.nextInt();
            boolean ok = sink.deliver(address, data);
            int mode = data >>> 8 & 7;
            int dest = (int) (address >>> 12) & 0xFF;
            boolean logical = (address & 4) != 0;
            boolean legal = (address & ~0xF_FFFFL) == 0xFEE0_0000L && mode <= 1
                    && (logical ? (dest & 1) != 0 : dest == 0 || dest == 0xFF) && (data & 0xFF) >= 16;
            assertEquals(legal, ok, () -> String.format("address %#x data %#x", address, data));
            if (legal && !seen[data & 0xFF]) {
                seen[data & 0xFF] = true;
                expected++;
            }
        }
        int taken = 0;
        int last = 256;
        while (sink.pending()) {
            int v = sink.acknowledge();
            assertTrue(seen[v] && v < last);
            last = v;
            taken++;
        }
        assertEquals(expected, taken);
    }
}
