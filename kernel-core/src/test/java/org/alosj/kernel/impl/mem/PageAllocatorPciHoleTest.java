package org.alosj.kernel.impl.mem;

import static org.alosj.kernel.mem.PhysicalPageAllocator.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.alosj.hal.bus.MemoryBus;
import org.alosj.kernel.mem.DmaBuffer;
import org.alosj.kernel.mem.DmaExhaustedException;
import org.alosj.kernel.testkit.TestPc;
import org.junit.jupiter.api.Test;

/**
 * A machine with more RAM than fits below the 32-bit PCI hole (0xE000_0000–4 GiB): the rest of
 * RAM is remapped above 4 GiB. No frame in the hole is ever handed out, a run never straddles
 * it, and DMA memory stays below 4 GiB even when the only free RAM is above.
 */
class PageAllocatorPciHoleTest {
    private static final long HOLE_START = 0xE000_0000L;
    private static final long FOUR_GIB = 1L << 32;
    private static final int RAM_MIB = 3584 + 16; // 16 MiB above the hole

    @Test
    void ramAboveThePciHoleIsUsedAndTheHoleNever() {
        // Guest RAM is a real 3.5 GiB array: skip where the test JVM cannot hold it.
        assumeTrue(Runtime.getRuntime().maxMemory() >= (RAM_MIB + 1024L) << 20,
                "needs a heap of " + (RAM_MIB + 1024) + " MiB");
        try (TestPc board = TestPc.withRamMiB(RAM_MIB)) {
            MemoryBus memory = board.memory();
            PageAllocator pages = new PageAllocator(board.platform.memoryMap(), memory);
            DmaAllocatorImpl dma = new DmaAllocatorImpl(pages, memory);
            int lowPages = (int) ((HOLE_START - (1 << 20)) / PAGE_SIZE);
            int highPages = (16 << 20) / PAGE_SIZE;
            assertEquals((long) lowPages + highPages, pages.totalPages());

            long low = pages.allocate(lowPages - 1, Long.MAX_VALUE, "low RAM but its top page");
            assertEquals(1 << 20, low);
            long top = pages.allocate(1, Long.MAX_VALUE, "top low page");
            assertEquals(HOLE_START - PAGE_SIZE, top);
            assertEquals(highPages, pages.freePages());

            long high = pages.allocate(1, Long.MAX_VALUE, "first page above");
            assertEquals(FOUR_GIB, high, "after low RAM comes the remapped RAM at 4 GiB, not the hole");
            memory.write(high, 8, 0x1122_3344_5566_7788L);
            assertEquals(0x1122_3344_5566_7788L, memory.read(high, 8), "the frame is RAM");

            DmaExhaustedException e = assertThrows(DmaExhaustedException.class,
                    () -> dma.allocate(PAGE_SIZE, PAGE_SIZE, "nic"), "DMA memory must stay below 4 GiB");
            assertTrue(e.getMessage().contains("0x100000000"), e::getMessage);

            // Free pages on both sides of the hole: a two-page run would straddle it there, so
            // it must come from above 4 GiB.
            pages.free(top, 1);
            pages.free(high, 1);
            long pair = pages.allocate(2, Long.MAX_VALUE, "pair");
            assertEquals(FOUR_GIB, pair, "a run never spans the PCI hole");
            try (DmaBuffer b = dma.allocate(100, 16, "nic")) {
                assertEquals(HOLE_START - PAGE_SIZE, b.physicalAddress(), "the top low page is DMA-able");
            }
        }
    }
}
