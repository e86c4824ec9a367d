package org.alosj.kernel.impl.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.alosj.kernel.impl.mem.PageAllocator;
import org.alosj.kernel.impl.proc.AddressSpace.Vma;
import org.alosj.kernel.testkit.TestPc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * writableSpan: how much of a buffer a system call may fill before it takes data (from a pipe,
 * say) that it could not deliver. It follows the mappings, not the page tables, so it touches
 * no page: a large buffer a short read barely uses stays unpopulated.
 */
class AddressSpaceWritableSpanTest {
    private static final long A = 0x40_0000;
    private static final int RW = AddressSpace.PROT_READ | AddressSpace.PROT_WRITE;

    private PageAllocator pages;
    private AddressSpace as;

    @BeforeEach
    void powerOn() throws Exception {
        TestPc board = TestPc.withRamMiB(16);
        pages = new PageAllocator(board.platform.memoryMap(), board.memory());
        long kernelPdpt = pages.allocate(1, Long.MAX_VALUE, "kernel page tables");
        as = new AddressSpace(new UserFrames(pages, board.memory(), 0), kernelPdpt);
    }

    @AfterEach
    void tearDown() {
        as.destroy();
    }

    private void map(long start, long end, int prot, boolean growsDown) {
        as.map(new Vma(start, end, prot, false, growsDown, null, 0, 0, "test"));
    }

    @Test
    void the_span_runs_across_adjacent_writable_mappings_to_the_end_of_the_buffer() {
        map(A, A + 0x1000, RW, false);
        map(A + 0x1000, A + 0x3000, RW, false);
        assertEquals(0x2800, as.writableSpan(A + 0x10, 0x2800));
        assertEquals(0x2FF0, as.writableSpan(A + 0x10, 0x8000), "stops where the mappings end");
    }

    @Test
    void the_span_stops_at_a_read_only_mapping_and_at_a_hole() {
        map(A, A + 0x1000, RW, false);
        map(A + 0x1000, A + 0x2000, AddressSpace.PROT_READ, false);
        map(A + 0x4000, A + 0x5000, RW, false);
        assertEquals(0x10, as.writableSpan(A + 0xFF0, 0x100));
        assertEquals(0, as.writableSpan(A + 0x1000, 0x100), "read-only text is no output buffer");
        assertEquals(0, as.writableSpan(A + 0x3000, 0x100), "unmapped");
        assertEquals(0, as.writableSpan(0x1, 0x100), "NULL + 1");
    }

    @Test
    void a_buffer_just_below_the_stack_grows_it_as_a_write_would() {
        long top = AddressSpace.STACK_TOP;
        map(top - 0x10000, top, RW, true);
        assertEquals(0x3000, as.writableSpan(top - 0x12000, 0x3000));
        assertEquals(top - 0x12000, as.find(top - 0x12000).start, "the stack now starts at the buffer");
    }

    @Test
    void no_page_is_touched() {
        map(A, A + 0x100_0000, RW, false);
        long free = pages.freePages();
        assertEquals(0x100_0000, as.writableSpan(A, 0x100_0000));
        assertEquals(free, pages.freePages(), "pages allocated by the check");
    }
}
