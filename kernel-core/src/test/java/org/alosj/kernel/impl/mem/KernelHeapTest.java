package org.alosj.kernel.impl.mem;

import static org.alosj.kernel.mem.PhysicalPageAllocator.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.kernel.testkit.TestPc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * kmalloc/kfree: power-of-two classes from 16 bytes to 2 KiB carved from pages, whole pages
 * above; every block aligned to its class (what descriptor and page tables need) and zeroed.
 */
class KernelHeapTest {
    private TestPc board;
    private MemoryBus memory;
    private PageAllocator pages;
    private KernelHeap heap;

    @BeforeEach
    void powerOn() {
        board = TestPc.withRamMiB(16);
        memory = board.memory();
        pages = new PageAllocator(board.platform.memoryMap(), memory);
        heap = new KernelHeap(pages, memory);
    }

    @AfterEach
    void powerOff() {
        board.close();
    }

    @ParameterizedTest(name = "kmalloc({0}) takes a {1}-byte block aligned to {1}")
    @CsvSource({"1, 16", "16, 16", "17, 32", "24, 32", "100, 128", "256, 256", "1000, 1024", "2048, 2048",
        "2049, 4096", "4096, 4096", "10000, 12288"})
    void blocksAreAlignedToTheirSizeClass(int size, int block) {
        long a = heap.kmalloc(size);
        assertEquals(0, a % Math.min(block, PAGE_SIZE), () -> String.format("%#x", a));
        assertEquals(block, heap.bytesInUse());
        long b = heap.kmalloc(size);
        assertTrue(Math.abs(b - a) >= block, () -> String.format("blocks at %#x and %#x overlap", a, b));
    }

    @Test
    void blocksNeverOverlap() {
        Random random = new Random(42);
        TreeMap<Long, Integer> live = new TreeMap<>();
        List<Long> order = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            if (!order.isEmpty() && random.nextInt(3) == 0) {
                long victim = order.remove(random.nextInt(order.size()));
                heap.kfree(victim);
                live.remove(victim);
                continue;
            }
            int size = 1 + random.nextInt(random.nextBoolean() ? 200 : 6000);
            long a = heap.kmalloc(size);
            var below = live.floorEntry(a);
            assertTrue(below == null || below.getKey() + below.getValue() <= a,
                    () -> String.format("%#x (%d bytes) overlaps %s", a, size, below));
            var above = live.ceilingEntry(a);
            assertTrue(above == null || a + size <= above.getKey(),
                    () -> String.format("%#x (%d bytes) overlaps %s", a, size, above));
            live.put(a, size);
            order.add(a);
        }
    }

    @Test
    void aBlockIsZeroedEvenWhenItWasUsedBefore() {
        long a = heap.kmalloc(64);
        for (int i = 1; i < PAGE_SIZE / 64; i++) {
            heap.kmalloc(64); // the rest of the page, so the freed block is the only one left
        }
        for (int i = 0; i < 64; i += 8) {
            memory.write(a + i, 8, -1L);
        }
        heap.kfree(a);
        long again = heap.kmalloc(50);
        assertEquals(a, again, "the freed block is the only free one of its class");
        for (int i = 0; i < 64; i += 8) {
            assertEquals(0, memory.read(again + i, 8), "offset " + i);
        }
    }

    @Test
    void largeBlocksAreWholePagesGivenBackOnFree() {
        long before = pages.freePages();
        long a = heap.kmalloc(3 * PAGE_SIZE + 1);
        assertEquals(before - 4, pages.freePages());
        assertEquals(4L * PAGE_SIZE, heap.bytesHeld());
        assertEquals(4L * PAGE_SIZE, pages.bytesByOwner().get("kernel heap"));
        heap.kfree(a);
        assertEquals(before, pages.freePages());
        assertEquals(0, heap.bytesInUse());
        assertEquals(0, heap.bytesHeld());
    }

    @Test
    void smallBlocksShareAPage() {
        long before = pages.freePages();
        for (int i = 0; i < PAGE_SIZE / 32; i++) {
            heap.kmalloc(32);
        }
        assertEquals(before - 1, pages.freePages(), "128 blocks of 32 bytes fill exactly one page");
        assertEquals(PAGE_SIZE, heap.bytesInUse());
        heap.kmalloc(32);
        assertEquals(before - 2, pages.freePages());
        assertEquals(2L * PAGE_SIZE, heap.bytesHeld());
    }

    @Test
    void kfreeOfAnAddressKmallocDidNotReturnIsAnError() {
        long a = heap.kmalloc(128);
        IllegalArgumentException interior = assertThrows(IllegalArgumentException.class, () -> heap.kfree(a + 16));
        assertTrue(interior.getMessage().contains(Long.toHexString(a + 16)), interior::getMessage);
        heap.kfree(a);
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> heap.kfree(a));
        assertTrue(twice.getMessage().contains(Long.toHexString(a)), twice::getMessage);
        assertEquals(0, heap.bytesInUse());
    }

    @Test
    void kmallocOfNothingIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> heap.kmalloc(0));
        assertThrows(IllegalArgumentException.class, () -> heap.kmalloc(-8));
    }
}
