package org.alosj.kernel.impl.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Bus address windows for BARs: natural alignment, no overlap, MMIO top-down, I/O bottom-up. */
class ResourceWindowTest {
    private final ResourceWindow mmio = new ResourceWindow("PCI MMIO", 0xE000_0000L, 0xFEC0_0000L, true);
    private final ResourceWindow io = new ResourceWindow("PCI I/O", 0xC000, 0x10000, false);

    @Test
    void mmioIsPlacedFromTheTopDown() {
        assertEquals(0xFEB0_0000L, mmio.allocate(1 << 20, 16));
        assertEquals(0xFEAF_F000L, mmio.allocate(4096, 16));
        assertEquals(0xE000_0000L, mmio.allocate(256 << 20, 16), "the only 256 MiB-aligned slot that fits");
        assertEquals(0xFE00_0000L, mmio.allocate(8 << 20, 16), "the highest 8 MiB-aligned slot below the 1 MiB");
    }

    @Test
    void ioIsPlacedFromTheBottomUp() {
        assertEquals(0xC000, io.allocate(32, 4));
        assertEquals(0xC020, io.allocate(16, 4));
        assertEquals(0xC100, io.allocate(256, 4), "aligned to 256");
        assertEquals(0xC030, io.allocate(4, 4), "a small range fills the gap");
    }

    @Test
    void rangesAreNaturallyAlignedAndNeverOverlap() {
        Random random = new Random(7);
        TreeMap<Long, Long> taken = new TreeMap<>();
        for (int i = 0; i < 300; i++) {
            long size = 16L << random.nextInt(14);
            long base = mmio.allocate(size, 16);
            if (base < 0) {
                continue;
            }
            assertEquals(0, base % size, () -> String.format("%#x for %d bytes", base, size));
            assertTrue(base >= 0xE000_0000L && base + size <= 0xFEC0_0000L);
            var below = taken.floorEntry(base);
            assertTrue(below == null || below.getKey() + below.getValue() <= base);
            var above = taken.ceilingEntry(base);
            assertTrue(above == null || base + size <= above.getKey());
            taken.put(base, size);
        }
    }

    @Test
    void aFullWindowAnswersMinusOne() {
        assertEquals(-1, mmio.allocate(1L << 30, 16), "1 GiB is more than the whole window");
        ResourceWindow small = new ResourceWindow("tiny", 0x1000, 0x1100, false);
        assertEquals(0x1000, small.allocate(0x80, 4));
        assertEquals(0x1080, small.allocate(0x80, 4));
        assertEquals(-1, small.allocate(4, 4));
        assertEquals("tiny [0x1000-0x1100)", small.toString(), "the name that goes into the error");
    }

    @Test
    void freedRangesAreReused() {
        long a = io.allocate(64, 4);
        long b = io.allocate(64, 4);
        io.free(a);
        assertEquals(a, io.allocate(32, 4));
        assertEquals(b + 64, io.allocate(64, 4));
    }

    @Test
    void alignmentLargerThanTheSizeIsHonoured() {
        assertEquals(0xC000, io.allocate(4, 4));
        assertEquals(0xC010, io.allocate(4, 16));
    }
}
