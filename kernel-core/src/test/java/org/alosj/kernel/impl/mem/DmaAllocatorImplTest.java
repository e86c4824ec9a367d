package org.alosj.kernel.impl.mem;

import static org.alosj.kernel.mem.PhysicalPageAllocator.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.kernel.mem.DmaBuffer;
import org.alosj.kernel.mem.DmaExhaustedException;
import org.alosj.kernel.testkit.TestPc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DMA memory: whole zeroed pages below 4 GiB, physically contiguous, the buffer being a view of
 * exactly that guest memory; bytes accounted to their owner and given back on close, and a
 * device scope whose leftovers are freed when its driver goes.
 */
class DmaAllocatorImplTest {
    private TestPc board;
    private MemoryBus memory;
    private PageAllocator pages;
    private DmaAllocatorImpl dma;

    @BeforeEach
    void powerOn() {
        board = TestPc.withRamMiB(16);
        memory = board.memory();
        pages = new PageAllocator(board.platform.memoryMap(), memory);
        dma = new DmaAllocatorImpl(pages, memory);
    }

    @AfterEach
    void powerOff() {
        board.close();
    }

    @ParameterizedTest(name = "alignment {0}")
    @ValueSource(ints = {1, 2, 4, 16, 128, 2048, 4096})
    void bufferIsAlignedAndBelowFourGiB(int alignment) {
        DmaBuffer b = dma.allocate(1518, alignment, "eth");
        assertEquals(0, b.physicalAddress() % alignment);
        assertEquals(0, b.physicalAddress() % PAGE_SIZE, "buffers are whole pages");
        assertTrue(b.physicalAddress() + b.size() <= 1L << 32);
        assertEquals(1518, b.size());
    }

    @ParameterizedTest(name = "alignment {0}")
    @ValueSource(ints = {0, -16, 3, 24, 1000})
    void alignmentThatIsNotAPowerOfTwoIsRejected(int alignment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dma.allocate(64, alignment, "eth"));
        assertTrue(e.getMessage().contains(String.valueOf(alignment)), e::getMessage);
        assertEquals(0, dma.bytesInUse());
    }

    @Test
    void sizeMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> dma.allocate(0, 16, "eth"));
        assertThrows(IllegalArgumentException.class, () -> dma.allocate(-1, 16, "eth"));
    }

    @Test
    void bufferIsTheGuestMemoryAtItsPhysicalAddress() {
        DmaBuffer b = dma.allocate(3 * PAGE_SIZE, PAGE_SIZE, "ring");
        long p = b.physicalAddress();
        for (int page = 0; page < 3; page++) {
            assertEquals(memory.ramOffset(p) + (long) page * PAGE_SIZE, memory.ramOffset(p + (long) page * PAGE_SIZE),
                    "physically contiguous");
        }
        // What the driver writes, a bus master reads at the physical address, and back.
        b.write32(PAGE_SIZE - 2, 0xA1B2_C3D4); // straddles a page boundary
        assertEquals(0xA1B2_C3D4L, memory.read(p + PAGE_SIZE - 2, 4));
        b.write64(8, 0x0102_0304_0506_0708L);
        assertEquals(0x0102_0304_0506_0708L, memory.read(p + 8, 8));
        b.write16(20, 0xBEEF);
        b.write8(22, 0x7F);
        assertEquals(0x7F_BEEFL, memory.read(p + 20, 4));
        memory.write(p + 2 * PAGE_SIZE + 100, 4, 0xCAFE_F00DL);
        assertEquals(0xCAFE_F00D, b.read32(2 * PAGE_SIZE + 100));
        assertEquals(0xF00D, b.read16(2 * PAGE_SIZE + 100));
        assertEquals(0x0D, b.read8(2 * PAGE_SIZE + 100));
        assertEquals(0xCAFE_F00DL, b.read64(2 * PAGE_SIZE + 100) & 0xFFFF_FFFFL);

        byte[] frame = new byte[1500];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = (byte) (i * 7);
        }
        b.write(PAGE_SIZE - 700, frame, 0, frame.length);
        byte[] seen = new byte[1500];
        memory.read(p + PAGE_SIZE - 700, seen, 0, seen.length);
        assertArrayEquals(frame, seen);
        byte[] back = new byte[1502];
        b.read(PAGE_SIZE - 700, back, 2, 1500);
        assertEquals(frame[1499], back[1501]);
    }

    @Test
    void newBufferIsZeroedEvenWhereAnOldOneWasDirty() {
        DmaBuffer old = dma.allocate(2 * PAGE_SIZE, 16, "rx");
        long p = old.physicalAddress();
        for (int off = 0; off < 2 * PAGE_SIZE; off += 8) {
            old.write64(off, -1L);
        }
        old.close();
        DmaBuffer fresh = dma.allocate(2 * PAGE_SIZE, 16, "rx");
        assertEquals(p, fresh.physicalAddress());
        for (int off = 0; off < 2 * PAGE_SIZE; off += 8) {
            assertEquals(0, fresh.read64(off), "offset " + off);
        }
        fresh.write32(0, 5);
        fresh.clear();
        assertEquals(0, fresh.read32(0), "clear zeroes the buffer");
    }

    @Test
    void accessOutsideTheBufferIsRefused() {
        DmaBuffer b = dma.allocate(100, 16, "desc");
        assertAll(
                () -> assertThrows(IndexOutOfBoundsException.class, () -> b.read32(97)),
                () -> assertThrows(IndexOutOfBoundsException.class, () -> b.write8(100, 0)),
                () -> assertThrows(IndexOutOfBoundsException.class, () -> b.read8(-1)),
                () -> assertThrows(IndexOutOfBoundsException.class, () -> b.write(90, new byte[20], 0, 20)),
                () -> assertThrows(IndexOutOfBoundsException.class, () -> b.read64(93)));
        b.read32(96); // the last whole dword is fine, although the page goes on
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> b.read16(99));
        assertTrue(e.getMessage().contains("99") && e.getMessage().contains("100"), e::getMessage);
    }

    @Test
    void copyOutIsWhatABusMasterWroteAndStaysInsideTheBuffer() {
        DmaBuffer b = dma.allocate(2 * PAGE_SIZE, 16, "rx");
        long p = b.physicalAddress();
        byte[] frame = new byte[1514];
        new java.util.Random(7).nextBytes(frame);
        memory.write(p + PAGE_SIZE - 700, frame, 0, frame.length); // the device's DMA, across a page
        byte[] copy = b.copyOut(PAGE_SIZE - 700, frame.length);
        assertArrayEquals(frame, copy);
        copy[0]++;
        assertEquals(frame[0] & 0xFF, b.read8(PAGE_SIZE - 700), "a copy, not the buffer itself");
        assertEquals(0, b.copyOut(2 * PAGE_SIZE, 0).length);
        assertAll(
                () -> assertThrows(IndexOutOfBoundsException.class, () -> b.copyOut(2 * PAGE_SIZE - 10, 11)),
                () -> assertThrows(IndexOutOfBoundsException.class, () -> b.copyOut(-1, 4)));
        b.close();
        assertThrows(IllegalStateException.class, () -> b.copyOut(0, 4));
    }

    @Test
    void closeGivesThePagesBackAndTheBufferIsDeadAfterwards() {
        long free = pages.freePages();
        DmaBuffer b = dma.allocate(PAGE_SIZE + 1, 16, "tx");
        assertEquals(free - 2, pages.freePages());
        assertEquals(2L * PAGE_SIZE, dma.bytesInUse());
        b.close();
        b.close(); // idempotent, not a double free
        assertEquals(free, pages.freePages());
        assertEquals(0, dma.bytesInUse());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.read8(0));
        assertTrue(e.getMessage().contains(Long.toHexString(b.physicalAddress())), e::getMessage);
        assertThrows(IllegalStateException.class, () -> b.write32(0, 1));
    }

    @Test
    void bytesAreAccountedToTheirOwner() {
        DmaBuffer rx = dma.allocate(3 * PAGE_SIZE, PAGE_SIZE, "pcnet rx ring");
        dma.allocate(10, 16, "pcnet init block");
        assertEquals(Map.of("dma:pcnet rx ring", 3L * PAGE_SIZE, "dma:pcnet init block", (long) PAGE_SIZE),
                pages.bytesByOwner());
        rx.close();
        assertEquals(Map.of("dma:pcnet init block", (long) PAGE_SIZE), pages.bytesByOwner());
    }

    @Test
    void aScopeFreesWhatItsDriverLeftBehind() {
        DmaAllocatorImpl device = dma.scoped("00:03.0 pcnet");
        DmaBuffer kept = dma.allocate(64, 16, "kernel");
        DmaBuffer closed = device.allocate(64, 16, "tx");
        device.allocate(64, 16, "rx");
        device.allocate(5000, 16, "rings");
        closed.close();
        assertEquals(3L * PAGE_SIZE, pages.bytesByOwner().get("dma:00:03.0 pcnet rings")
                + pages.bytesByOwner().get("dma:00:03.0 pcnet rx"));
        assertEquals(4L * PAGE_SIZE, dma.bytesInUse(), "DMA use is counted across scopes");

        assertEquals(2, device.freeAll(), "two buffers were leaked");
        assertEquals(Map.of("dma:kernel", (long) PAGE_SIZE), pages.bytesByOwner());
        assertEquals(PAGE_SIZE, dma.bytesInUse());
        assertEquals(0, kept.read32(0), "buffers outside the scope survive");
        assertEquals(0, device.freeAll());
    }

    @Test
    void exhaustionIsADmaExhaustedExceptionWithTheNumbers() {
        long free = pages.freePages();
        DmaExhaustedException e = assertThrows(DmaExhaustedException.class,
                () -> dma.allocate(32 << 20, 16, "huge"));
        assertAll(
                () -> assertTrue(e.getMessage().contains(String.valueOf((32 << 20) / PAGE_SIZE)), e::getMessage),
                () -> assertTrue(e.getMessage().contains("huge"), e::getMessage),
                () -> assertTrue(e.getMessage().contains(free + " pages free"), e::getMessage));
        assertEquals(0, dma.bytesInUse());
        assertEquals(free, pages.freePages());
    }
}
