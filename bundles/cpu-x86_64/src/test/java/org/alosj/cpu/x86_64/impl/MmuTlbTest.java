package org.alosj.cpu.x86_64.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alosj.cpu.x86_64.FlatRamBus;
import org.alosj.hal.cpu.Vector;
import org.junit.jupiter.api.Test;

/**
 * The TLB's tags, which hold a page's linear address and its place in its RAM chunk: what
 * compiled traces test inline ({@link TraceCode#tlbHit}) and the interpreter's accesses use.
 */
class MmuTlbTest {
    private final FlatRamBus bus = new FlatRamBus(8L << 20);
    private final Mmu mmu = ((X86Core) new X86CpuFactory().create(bus)).mem;

    @Test
    void aTagMapsItsOwnPageOnlyAndLocatesItInItsChunk() {
        long va = 0x7FFF_1234_5000L;
        long pageOff = (3L << 20) + 0x7000; // 1 MiB + 28 KiB into the second 2 MiB chunk
        long tag = Mmu.entry(va + 0x123, pageOff);
        assertTrue(Mmu.maps(tag, va));
        assertTrue(Mmu.maps(tag, va + 0xFFF));
        assertFalse(Mmu.maps(tag, va + 0x1000));
        assertFalse(Mmu.maps(tag, va - 1));
        assertFalse(Mmu.maps(tag, va ^ 1L << 40));
        assertFalse(Mmu.maps(tag, va | 0xFFFF_0000_0000_0000L));
        assertEquals(0x10_7ABC, Mmu.chunkOffset(tag, va + 0xABC));
    }

    @Test
    void accessesThroughFilledEntriesReachTheirRamInEitherChunk() {
        for (long at : new long[] {0x1_2FF8L, 0x30_1FF8L}) {
            bus.ram().write(at, 8, 0x1122_3344_5566_7788L);
            assertEquals(0x1122_3344_5566_7788L, mmu.read64(at)); // fills the entry
            assertEquals(0x1122_3344_5566_7788L, mmu.read64(at)); // hits it
            assertEquals(0x5566_7788L, mmu.read32(at));
            mmu.write32(at + 4, 0xAABB_CCDDL); // fills the write entry (no paging: the page is dirty)
            mmu.write16(at + 2, 0xEEFF);
            assertEquals(0xAABB_CCDD_EEFF_7788L, bus.ram().read(at, 8));
            assertEquals(0xAABB_CCDD_EEFF_7788L, mmu.readForWrite(at, 8));
            // Across the page: both pages' bytes, not the next 4 of the first page's chunk.
            bus.ram().write(at + 8, 4, 0x9900_1122L);
            assertEquals(0x9900_1122_AABB_CCDDL, mmu.read64(at + 4));
            mmu.write64(at + 4, 0x0102_0304_0506_0708L);
            assertEquals(0x0102_0304L, bus.ram().read(at + 8, 4));
        }
    }

    @Test
    void anEmptyEntryMatchesNoAddress() {
        mmu.read8(0xF000);
        mmu.flush();
        // The canonical page whose number is all ones (an all-ones tag would match it).
        assertEquals(-1L, mmu.read64(0xFFFF_FFFF_FFFF_F000L));
        // Non-canonical pages with the sign bit set, of any index (an empty tag is such a page).
        for (long page : new long[] {0, 5, 0xF, 512, 517, 1023}) {
            long va = Long.MIN_VALUE | page << 12;
            GuestFault f = assertThrows(GuestFault.class, () -> mmu.read64(va));
            assertEquals(Vector.GP, f.vector);
            assertThrows(GuestFault.class, () -> mmu.write8(va + 0xFFF, 1));
            assertThrows(GuestFault.class, () -> mmu.read32(va - 2)); // its last bytes on the page
        }
    }
}
