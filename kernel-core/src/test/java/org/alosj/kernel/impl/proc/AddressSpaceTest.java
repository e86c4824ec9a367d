package org.alosj.kernel.impl.proc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alosj.hal.bus.MemoryBus;
import org.alosj.kernel.impl.mem.PageAllocator;
import org.alosj.kernel.impl.proc.AddressSpace.Vma;
import org.alosj.kernel.proc.SigInfo;
import org.alosj.kernel.proc.SysError;
import org.alosj.kernel.testkit.TestPc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A process's virtual memory on the real PC model's RAM: pages come on first touch (zeroed, or
 * from the mapping's source), fork shares them copy-on-write, protections are enforced, the
 * stack grows down to its guard page, and every frame goes back when the space is destroyed.
 */
class AddressSpaceTest {
    private static final long RW = AddressSpace.PROT_READ | AddressSpace.PROT_WRITE;
    private static final long BASE = 0x40_0000;

    private TestPc pc;
    private MemoryBus bus;
    private PageAllocator pages;
    private UserFrames frames;
    private long kernelPdpt;

    @BeforeEach
    void powerOn() {
        pc = TestPc.withRamMiB(32);
        bus = pc.memory();
        pages = new PageAllocator(pc.platform.memoryMap(), bus);
        frames = new UserFrames(pages, bus, 16);
        kernelPdpt = pages.allocate(1, Long.MAX_VALUE, "test");
    }

    @AfterEach
    void powerOff() {
        pc.close();
    }

    private AddressSpace space() throws Exception {
        return new AddressSpace(frames, kernelPdpt);
    }

    private static Vma anonymous(long start, long length, long prot) {
        return new Vma(start, start + length, (int) prot, false, false, null, 0, 0, null);
    }

    @Test
    void shared_rwx_pages_are_writable_or_executable_never_both() throws Exception {
        long rwx = RW | AddressSpace.PROT_EXEC;
        AddressSpace as = space();
        as.map(anonymous(BASE, 4096, rwx));
        long pa = as.translate(BASE, true) & AddressSpace.ADDRESS;
        long alone = as.leafEntry(BASE);
        assertTrue((alone & AddressSpace.PTE_RW) != 0 && (alone & AddressSpace.PTE_NX) == 0, "one thread: plain RWX");

        as.sharedByThreads();
        long shared = as.leafEntry(BASE);
        assertTrue((shared & AddressSpace.PTE_RW) == 0 && (shared & AddressSpace.PTE_NX) == 0, "shared: executable, read-only");
        int seen = as.codeGeneration;
        assertEquals(0, as.fault(BASE, true, false, 0), "a write to an RWX page is allowed");
        long writing = as.leafEntry(BASE);
        assertTrue((writing & AddressSpace.PTE_RW) != 0 && (writing & AddressSpace.PTE_NX) != 0, "writable, not executable");
        assertEquals(pa, writing & AddressSpace.ADDRESS, "the same frame");
        assertArrayEquals(new long[] {pa}, as.framesLeftSince(seen), "every CPU forgets the code decoded from it");
        assertEquals(0, as.fault(BASE, false, true, 0), "an instruction fetch is allowed");
        long running = as.leafEntry(BASE);
        assertTrue((running & AddressSpace.PTE_RW) == 0 && (running & AddressSpace.PTE_NX) == 0, "executable again");
        as.destroy();
    }

    @Test
    void anonymous_pages_come_zeroed_on_first_touch_and_only_then() throws Exception {
        AddressSpace as = space();
        as.map(anonymous(BASE, 16 * 4096, RW));
        assertEquals(0, as.residentBytes());
        long pa = as.translate(BASE + 5 * 4096 + 12, true);
        assertEquals(4096, as.residentBytes());
        assertEquals(0, bus.readLong(pa & ~0xFFFL));
        assertEquals(pa, as.translate(BASE + 5 * 4096 + 12, false), "the same page the second time");
    }

    @Test
    void a_file_mapping_reads_its_source_and_zeros_past_the_file_end() throws Exception {
        AddressSpace as = space();
        byte[] file = new byte[6000];
        for (int i = 0; i < file.length; i++) {
            file[i] = (byte) (i * 7 + 1);
        }
        AddressSpace.PageSource source = (offset, dst, at, n) -> {
            if (offset < file.length) {
                System.arraycopy(file, (int) offset, dst, at, (int) Math.min(n, file.length - offset));
            }
        };
        as.map(new Vma(BASE, BASE + 3 * 4096, AddressSpace.PROT_READ, false, false, source, 0, BASE + 5000, "f"));
        long p1 = as.translate(BASE + 4096, false);
        assertEquals(file[4096] & 0xFF, bus.readByte(p1));
        assertEquals(file[4999] & 0xFF, bus.readByte(as.translate(BASE + 4999, false)));
        assertEquals(0, bus.readByte(as.translate(BASE + 5000, false)), "past fileEnd (the bss of a segment)");
        SysError e = assertThrows(SysError.class, () -> as.translate(BASE, true));
        assertEquals(SysError.EFAULT, e.errno(), "read-only mapping");
    }

    @Test
    void fork_shares_pages_until_one_side_writes() throws Exception {
        AddressSpace parent = space();
        parent.map(anonymous(BASE, 2 * 4096, RW));
        long pa = parent.translate(BASE, true);
        bus.writeLong(pa, 0x1122334455667788L);
        AddressSpace child = parent.copyOnWrite(kernelPdpt);
        assertEquals(pa, child.translate(BASE, false), "shared after fork");
        assertEquals(2, frames.references(pa & ~0xFFFL));
        long childPa = child.translate(BASE, true);
        assertNotEquals(pa, childPa, "the child's write copies the page");
        bus.writeLong(childPa, 42);
        assertEquals(0x1122334455667788L, bus.readLong(parent.translate(BASE, false)), "the parent keeps its data");
        assertEquals(2, frames.references(pa & ~0xFFFL), "the child's reference is retired, not yet dropped");
        child.releaseRetired(); // the shootdown that ends the child's fault
        assertEquals(1, frames.references(pa & ~0xFFFL));
        assertEquals(pa, parent.translate(BASE, true), "alone again: writable in place, no copy");
        child.destroy();
        parent.destroy();
    }

    @Test
    void protections_hold_and_prot_none_keeps_the_data() throws Exception {
        AddressSpace as = space();
        as.map(anonymous(BASE, 4 * 4096, RW));
        bus.writeLong(as.translate(BASE + 4096, true), 99);
        as.protect(BASE + 4096, BASE + 2 * 4096, AddressSpace.PROT_READ);
        assertEquals(SysError.EFAULT, assertThrows(SysError.class, () -> as.translate(BASE + 4096, true)).errno());
        assertEquals(99, bus.readLong(as.translate(BASE + 4096, false)));
        as.protect(BASE + 4096, BASE + 2 * 4096, 0);
        assertEquals(SigInfo.SEGV_ACCERR, as.fault(BASE + 4096, false, false, 0));
        as.protect(BASE + 4096, BASE + 2 * 4096, (int) RW);
        assertEquals(99, bus.readLong(as.translate(BASE + 4096, true)), "the page survived PROT_NONE");
        assertEquals(SysError.ENOMEM, assertThrows(SysError.class,
                () -> as.protect(BASE, BASE + 8 * 4096, AddressSpace.PROT_READ)).errno(), "a hole in the range");
    }

    @Test
    void unmapped_and_kernel_addresses_fault() throws Exception {
        AddressSpace as = space();
        assertEquals(SigInfo.SEGV_MAPERR, as.fault(BASE, false, false, 0));
        assertEquals(SigInfo.SEGV_MAPERR, as.fault(0xFFFF_8000_0000_0000L, false, false, 0));
        assertEquals(SysError.EFAULT, assertThrows(SysError.class, () -> as.translate(8, false)).errno());
    }

    @Test
    void the_stack_grows_down_to_its_guard_page() throws Exception {
        AddressSpace as = space();
        long top = AddressSpace.STACK_TOP;
        as.map(new Vma(top - 8 * 4096, top, (int) RW, false, true, null, 0, 0, "[stack]"));
        long below = top - 9 * 4096 + 100;
        assertEquals(0, as.fault(below, true, false, below), "a push just below the stack grows it");
        assertEquals(SigInfo.SEGV_MAPERR, as.fault(top - 200 * 4096, true, false, top - 9 * 4096),
                "far below the stack pointer is a wild access");
        // Something mapped just under the stack: the page above it stays a guard.
        long floor = as.find(below).start;
        as.map(anonymous(floor - 3 * 4096, 2 * 4096, RW));
        assertEquals(SigInfo.SEGV_MAPERR, as.fault(floor - 4096 + 8, true, false, floor - 4096));
    }

    @Test
    void munmap_and_destroy_give_every_frame_back() throws Exception {
        long free = pages.freePages();
        AddressSpace as = space();
        as.map(anonymous(BASE, 64 * 4096, RW));
        for (int i = 0; i < 64; i++) {
            as.translate(BASE + i * 4096L, true);
        }
        as.unmap(BASE + 16 * 4096, BASE + 48 * 4096);
        assertEquals(32 * 4096, as.residentBytes());
        assertEquals(SigInfo.SEGV_MAPERR, as.fault(BASE + 20 * 4096, false, false, 0));
        AddressSpace child = as.copyOnWrite(kernelPdpt);
        child.destroy();
        as.destroy();
        assertEquals(free, pages.freePages(), "no frame leaked (pages, tables, copies)");
    }

    @Test
    void running_out_of_memory_is_reported_not_thrown_through() throws Exception {
        UserFrames tight = new UserFrames(pages, bus, pages.freePages() - 8);
        AddressSpace as = new AddressSpace(tight, kernelPdpt);
        as.map(anonymous(BASE, 64 * 4096, RW));
        SysError e = assertThrows(SysError.class, () -> {
            for (int i = 0; i < 64; i++) {
                as.translate(BASE + i * 4096L, true);
            }
        });
        assertEquals(SysError.ENOMEM, e.errno());
        as.destroy();
        assertTrue(pages.freePages() > 8);
    }

    @Test
    void mremap_moves_pages_with_their_data() throws Exception {
        AddressSpace as = space();
        as.map(anonymous(BASE, 2 * 4096, RW));
        bus.writeLong(as.translate(BASE + 4096, true), 777);
        long to = as.findFree(4 * 4096);
        as.move(BASE, 2 * 4096, to);
        assertEquals(777, bus.readLong(as.translate(to + 4096, false)));
        assertEquals(SigInfo.SEGV_MAPERR, as.fault(BASE, false, false, 0));
        assertTrue(as.growInPlace(to, to + 2 * 4096, to + 4 * 4096));
        assertArrayEquals(new byte[8], readBytes(as.translate(to + 3 * 4096, false)));
    }

    private byte[] readBytes(long pa) {
        byte[] b = new byte[8];
        bus.read(pa, b, 0, 8);
        return b;
    }
}
