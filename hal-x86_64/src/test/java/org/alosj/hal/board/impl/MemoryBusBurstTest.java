package org.alosj.hal.board.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.alosj.hal.bus.MmioHandler;
import org.junit.jupiter.api.Test;

/**
 * Block transfers through the memory bus: RAM runs are copied, the part inside an MMIO window
 * goes to the device in one burst (its override, or byte by byte by default), open bus past it.
 */
class MemoryBusBurstTest {
    static final long WINDOW = 0xFD00_0000L;

    /** Plain memory that logs how it was reached. */
    static final class Memory implements MmioHandler {
        final byte[] bytes = new byte[64];
        final List<String> log = new ArrayList<>();
        final boolean bursts;

        Memory(boolean bursts) {
            this.bursts = bursts;
        }

        @Override
        public long mmioRead(long offset, int size) {
            log.add("read " + offset + "/" + size);
            return bytes[(int) offset] & 0xFF;
        }

        @Override
        public void mmioWrite(long offset, int size, long value) {
            log.add("write " + offset + "/" + size);
            bytes[(int) offset] = (byte) value;
        }

        @Override
        public void mmioWrite(long offset, byte[] src, int srcOffset, int length) {
            if (!bursts) {
                MmioHandler.super.mmioWrite(offset, src, srcOffset, length);
                return;
            }
            log.add("burst write " + offset + "+" + length);
            System.arraycopy(src, srcOffset, bytes, (int) offset, length);
        }
    }

    @Test
    void aBurstReachesTheDeviceOnceAndStopsAtTheWindowsEnd() {
        PcMachine pc = new PcMachine(MachineSettings.withRamMiB(16));
        try {
            Memory m = new Memory(true);
            pc.memory().mapMmio(WINDOW, 64, m, "test");
            byte[] data = new byte[80];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i + 1);
            }
            pc.memory().write(WINDOW + 8, data, 0, 80); // 56 bytes inside, 24 past the end
            assertEquals(List.of("burst write 8+56"), m.log);
            assertEquals(1, m.bytes[8]);
            assertEquals(56, m.bytes[63]);
            byte[] back = new byte[8];
            pc.memory().read(WINDOW + 60, back, 0, 8);
            assertArrayEquals(new byte[] {53, 54, 55, 56, -1, -1, -1, -1}, back, "open bus reads all ones past the window");
        } finally {
            pc.powerOff();
        }
    }

    @Test
    void aDeviceWithoutBurstsSeesByteAccesses() {
        PcMachine pc = new PcMachine(MachineSettings.withRamMiB(16));
        try {
            Memory m = new Memory(false);
            pc.memory().mapMmio(WINDOW, 64, m, "test");
            pc.memory().write(WINDOW, new byte[] {1, 2, 3}, 0, 3);
            assertEquals(List.of("write 0/1", "write 1/1", "write 2/1"), m.log);
        } finally {
            pc.powerOff();
        }
    }
}
