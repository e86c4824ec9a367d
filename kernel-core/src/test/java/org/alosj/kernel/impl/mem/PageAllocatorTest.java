package org.alosj.kernel.impl.mem;

import static org.alosj.kernel.mem.PhysicalPageAllocator.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.firmware.MemoryMap;
import org.alosj.hal.firmware.MemoryRegion;
import org.alosj.hal.firmware.MemoryRegion.Type;
import org.alosj.kernel.mem.DmaExhaustedException;
import org.alosj.kernel.testkit.TestPc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The physical page allocator over the machine's firmware memory map: only frames the map calls
 * usable RAM, never the first MiB, runs physically contiguous and zeroed, and every misuse
 * reported with the numbers that were wrong.
 */
class PageAllocatorTest {
    private static final long MIB = 1 << 20;

    private TestPc board;
    private MemoryBus memory;

    @BeforeEach
    void powerOn() {
        board = TestPc.withRamMiB(16);
        memory = board.memory();
    }

    @AfterEach
    void powerOff() {
        board.close();
    }

    private static boolean usable(MemoryMap map, long address, long length) {
        for (MemoryRegion r : map.regions()) {
            if (r.type() == Type.USABLE && address >= r.base() && address + length <= r.end()) {
                return true;
            }
        }
        return false;
    }

    @Test
    void managesExactlyTheUsableRamAboveOneMiB() {
        PageAllocator pages = new PageAllocator(board.platform.memoryMap(), memory);
        // 16 MiB machine: low RAM [0, 0x9FC00) is kept back as real-mode memory, so what is left
        // is the map's extended-memory entry [1 MiB, 16 MiB).
        assertEquals((16 * MIB - MIB) / PAGE_SIZE, pages.totalPages());
        assertEquals(pages.totalPages(), pages.freePages());
    }

    @Test
    void handsOutEveryUsableFrameOnceAndNothingElse() {
        MemoryMap map = board.platform.memoryMap();
        PageAllocator pages = new PageAllocator(map, memory);
        long total = pages.totalPages();
        Set<Long> seen = new HashSet<>();
        for (long i = 0; i < total; i++) {
            long a = pages.allocate(1, Long.MAX_VALUE, "test");
            assertTrue(a >= MIB, () -> String.format("frame %#x is in the first MiB", a));
            assertEquals(0, a % PAGE_SIZE, () -> String.format("frame %#x is not page-aligned", a));
            assertTrue(usable(map, a, PAGE_SIZE), () -> String.format("frame %#x is not usable RAM", a));
            assertTrue(seen.add(a), () -> String.format("frame %#x handed out twice", a));
        }
        assertEquals(0, pages.freePages());
        assertThrows(DmaExhaustedException.class, () -> pages.allocate(1, Long.MAX_VALUE, "one too many"));
    }

    @Test
    void neverHandsOutReservedHolesInsideRam() {
        // A firmware map with ACPI tables and a bad range in the middle of RAM, and usable
        // entries that do not start or end on a page boundary.
        MemoryMap map = () -> List.of(
                new MemoryRegion(0, 0x9FC00, Type.USABLE),
                new MemoryRegion(0x9FC00, 0x400, Type.RESERVED),
                new MemoryRegion(0xF0000, 0x10000, Type.RESERVED),
                new MemoryRegion(0x100000, 0x200800 - 0x100000, Type.USABLE),      // ends mid-page
                new MemoryRegion(0x200800, 0x10000, Type.ACPI_RECLAIMABLE),
                new MemoryRegion(0x210800, 0x400000 - 0x210800, Type.USABLE),      // starts mid-page
                new MemoryRegion(0x400000, 0x100000, Type.ACPI_NVS),
                new MemoryRegion(0x500000, 0x80000, Type.BAD),
                new MemoryRegion(0x580000, 16 * MIB - 0x580000, Type.USABLE));
        PageAllocator pages = new PageAllocator(map, memory);
        long expected = (0x200000 - 0x100000) / PAGE_SIZE + (0x400000 - 0x211000) / PAGE_SIZE
                + (16 * MIB - 0x580000) / PAGE_SIZE;
        assertEquals(expected, pages.totalPages(), "only whole usable frames count");
        for (long i = 0; i < expected; i++) {
            long a = pages.allocate(1, Long.MAX_VALUE, "test");
            assertTrue(usable(map, a, PAGE_SIZE), () -> String.format("frame %#x overlaps a reserved range", a));
        }
        assertEquals(0, pages.freePages());
    }

    @Test
    void aRunIsPhysicallyContiguousAndNeverSpansAHole() {
        MemoryMap map = () -> List.of(
                new MemoryRegion(0x100000, 0x100000, Type.USABLE),
                new MemoryRegion(0x200000, 0x1000, Type.RESERVED),
                new MemoryRegion(0x201000, 16 * MIB - 0x201000, Type.USABLE));
        PageAllocator pages = new PageAllocator(map, memory);
        pages.allocate(0xF0, Long.MAX_VALUE, "filler"); // leaves 16 frames below the hole
        long run = pages.allocate(32, Long.MAX_VALUE, "run");
        assertTrue(run >= 0x201000, () -> String.format("32-page run at %#x crosses the reserved frame", run));
        for (int i = 0; i < 32; i++) {
            assertEquals(memory.ramOffset(run) + (long) i * PAGE_SIZE, memory.ramOffset(run + (long) i * PAGE_SIZE));
        }
        long small = pages.allocate(16, Long.MAX_VALUE, "fits below");
        assertEquals(0x1F0000, small, "first fit still uses the 16 frames below the hole");
    }

    @Test
    void firstFitSkipsGapsTooSmallForTheRun() {
        PageAllocator pages = new PageAllocator(board.platform.memoryMap(), memory);
        long a = pages.allocate(1, Long.MAX_VALUE, "a");
        long b = pages.allocate(1, Long.MAX_VALUE, "b");
        long c = pages.allocate(1, Long.MAX_VALUE, "c");
        assertEquals(List.of(a + PAGE_SIZE, a + 2 * PAGE_SIZE), List.of(b, c));
        pages.free(b, 1);
        long pair = pages.allocate(2, Long.MAX_VALUE, "pair");
        assertTrue(pair > c, "a two-page run does not fit in the one-page gap");
        assertEquals(b, pages.allocate(1, Long.MAX_VALUE, "refill"), "the gap is reused by a single page");
    }

    @Test
    void aRunEndsBelowTheLimit() {
        PageAllocator pages = new PageAllocator(board.platform.memoryMap(), memory);
        long limit = 2 * MIB;
        List<Long> runs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            try {
                runs.add(pages.allocate(3, limit, "low"));
            } catch (DmaExhaustedException e) {
                break;
            }
        }
        assertEquals((limit - MIB) / PAGE_SIZE / 3, runs.size());
        for (long r : runs) {
            assertTrue(r + 3 * PAGE_SIZE <= limit, () -> String.format("run at %#x ends above the limit", r));
        }
        DmaExhaustedException e = assertThrows(DmaExhaustedException.class, () -> pages.allocate(1, MIB, "x"));
        assertTrue(e.getMessage().contains("0x100000"), e::getMessage);
    }

    @Test
    void pagesAreZeroedWhenHandedOutAgain() {
        PageAllocator pages = new PageAllocator(board.platform.memoryMap(), memory);
        long a = pages.allocate(2, Long.MAX_VALUE, "dirty");
        for (long off = 0; off < 2 * PAGE_SIZE; off += 8) {
            memory.write(a + off, 8, 0xDEAD_BEEF_CAFE_F00DL);
        }
        pages.free(a, 2);
        long again = pages.allocate(2, Long.MAX_VALUE, "clean");
        assertEquals(a, again);
        for (long off = 0; off < 2 * PAGE_SIZE; off += 8) {
            assertEquals(0, memory.read(again + off, 8), "offset " + off);
        }
    }

    @Test
    void exhaustionSaysWhatWasAskedForWhoAskedAndWhatIsLeft() {
        PageAllocator pages = new PageAllocator(board.platform.memoryMap(), memory);
        long free = pages.freePages();
        DmaExhaustedException e = assertThrows(DmaExhaustedException.class,
                () -> pages.allocate((int) free + 1, Long.MAX_VALUE, "greedy-driver"));
        assertAll(
                () -> assertTrue(e.getMessage().contains(String.valueOf(free + 1)), e::getMessage),
                () -> assertTrue(e.getMessage().contains("greedy-driver"), e::getMessage),
                () -> assertTrue(e.getMessage().contains(free + " pages free"), e::getMessage));
        assertEquals(free, pages.freePages(), "a failed allocation takes nothing");
    }

    @Test
    void freeingWhatWasNotAllocatedIsAnError() {
        PageAllocator pages = new PageAllocator(board.platform.memoryMap(), memory);
        long a = pages.allocate(4, Long.MAX_VALUE, "nic");
        IllegalArgumentException partial = assertThrows(IllegalArgumentException.class, () -> pages.free(a, 2));
        assertTrue(partial.getMessage().contains("allocated 4 pages by nic"), partial::getMessage);
        IllegalArgumentException interior = assertThrows(IllegalArgumentException.class,
                () -> pages.free(a + PAGE_SIZE, 1));
        assertTrue(interior.getMessage().contains(Long.toHexString(a + PAGE_SIZE)), interior::getMessage);
        assertEquals(pages.totalPages() - 4, pages.freePages(), "rejected frees change nothing");

        pages.free(a, 4);
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> pages.free(a, 4));
        assertTrue(twice.getMessage().contains(Long.toHexString(a)), twice::getMessage);
        assertEquals(pages.totalPages(), pages.freePages(), "a double free does not free twice");
    }

    @Test
    void rejectsNonPositiveCounts() {
        PageAllocator pages = new PageAllocator(board.platform.memoryMap(), memory);
        assertThrows(IllegalArgumentException.class, () -> pages.allocate(0, Long.MAX_VALUE, "x"));
        assertThrows(IllegalArgumentException.class, () -> pages.allocate(-1, Long.MAX_VALUE, "x"));
    }

    @Test
    void accountsBytesByOwner() {
        PageAllocator pages = new PageAllocator(board.platform.memoryMap(), memory);
        long a = pages.allocate(2, Long.MAX_VALUE, "pcnet");
        long b = pages.allocate(3, Long.MAX_VALUE, "pcnet");
        pages.allocate(1, Long.MAX_VALUE, "ata");
        assertEquals(Map.of("pcnet", 5L * PAGE_SIZE, "ata", (long) PAGE_SIZE), pages.bytesByOwner());
        pages.free(a, 2);
        pages.free(b, 3);
        assertFalse(pages.bytesByOwner().containsKey("pcnet"), "an owner holding nothing is not listed");
        assertEquals(pages.totalPages() - 1, pages.freePages());
    }
}
