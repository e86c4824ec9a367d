package org.alosj.cpu.x86_64.impl;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.alosj.hal.bus.GuestRam;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.cpu.Cr;
import org.alosj.hal.cpu.Rflags;
import org.alosj.hal.cpu.Vector;

/**
 * Linear-to-physical translation (4-level paging, Intel SDM Vol. 3, 4.5) with a direct-mapped
 * TLB per access kind, and the data accesses the interpreter makes through it.
 *
 * <p>Ordering is x86-TSO under the Java memory model: an acquire fence after every load and a
 * release fence before every store keep loads in order with later loads and stores, and stores
 * in order with earlier loads and stores; a store may still pass a later load to another
 * address (the store buffer), as on x86. MFENCE is a full fence and LOCKed instructions go
 * through {@link Atomics}, whose volatile accesses are full fences too. Aligned accesses of up to
 * 8 bytes are single VarHandle accesses on 64-bit JVMs, so they never tear. On an x86 host the
 * acquire and release fences cost no instruction, only the JIT's freedom to reorder.
 *
 * <p>The read and write TLBs point straight into guest RAM's backing array, so a hit costs a tag
 * compare. A tag holds the page's linear address and, in its low 12 bits, the page's place in
 * its RAM chunk ({@link #entry}): one array load less per access than an array of offsets. An entry exists only for an access the current CPL may make: the write TLB only for
 * pages already marked dirty and not holding decoded code, so the first store to a clean or code
 * page takes the slow path, which sets D and tells the code cache. Everything is flushed on CR3
 * or paging-mode writes, on INVLPG of the page, and on a change of CPL.
 */
final class Mmu {
    static final int READ = 0;
    static final int WRITE = 1;
    static final int FETCH = 2;

    private static final int TLB_BITS = 10;
    static final int TLB_MASK = (1 << TLB_BITS) - 1;
    private static final long ADDR_MASK = 0x000F_FFFF_FFFF_F000L;
    private static final long PTE_P = 1;
    private static final long PTE_RW = 2;
    private static final long PTE_US = 4;
    private static final long PTE_A = 0x20;
    private static final long PTE_D = 0x40;
    private static final long PTE_PS = 0x80;

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Told when a store lands on a RAM page that holds decoded code. */
    interface CodeWriteListener {
        void codeWritten(long ramPage);
    }

    private final CpuState s;
    final MemoryBus bus;
    final GuestRam ram;
    private final CodeWriteListener codeListener;

    /**
     * The tag of an empty entry {@code i}: a non-canonical page whose index is neither {@code i}
     * nor {@code i + 1}, so no access looked up at {@code i} (its last byte is on one of those)
     * ever hits it, a non-canonical one included.
     */
    private static final long[] EMPTY = new long[1 << TLB_BITS];

    static {
        if (GuestRam.CHUNK_SHIFT > 24) {
            throw new ExceptionInInitializerError("a RAM chunk's page index does not fit a TLB tag's low 12 bits");
        }
        for (int i = 0; i < EMPTY.length; i++) {
            EMPTY[i] = Long.MIN_VALUE | (long) ((i + EMPTY.length / 2) & TLB_MASK) << 12;
        }
    }

    // The TLBs; compiled traces read these arrays directly for their hit path (see TraceCode).
    final long[] rTag = new long[1 << TLB_BITS];
    final byte[][] rArr = new byte[1 << TLB_BITS][];
    final long[] wTag = new long[1 << TLB_BITS];
    final byte[][] wArr = new byte[1 << TLB_BITS][];
    private final long[] wRamPage = new long[1 << TLB_BITS];
    private final long[] xTag = new long[1 << TLB_BITS];
    private final long[] xPhys = new long[1 << TLB_BITS];
    /** One bit per RAM page: decoded code lives there. */
    private final long[] codePages;
    /** Bumped whenever translations may have changed; block links compare it. */
    int generation;
    /** Page walks, whole flushes and INVLPGs: statistics, written only by the CPU's thread. */
    long walks;
    long flushes;
    long pageInvalidations;
    /** CR0.AM && RFLAGS.AC at CPL 3: every access goes the slow way to be checked. */
    private boolean alignmentCheck;

    private boolean walkWritable;
    private boolean walkDirty;

    Mmu(CpuState s, MemoryBus bus, CodeWriteListener codeListener) {
        this.s = s;
        this.bus = bus;
        this.ram = bus.ram();
        this.codeListener = codeListener;
        this.codePages = new long[(int) ((ram.size() >>> 12) + 63) >>> 6];
        flush();
    }

    void flush() {
        System.arraycopy(EMPTY, 0, rTag, 0, EMPTY.length);
        System.arraycopy(EMPTY, 0, wTag, 0, EMPTY.length);
        Arrays.fill(xTag, -1L);
        generation++;
        flushes++;
        alignmentCheck = (s.cr0 & Cr.CR0_AM) != 0 && (s.rf & Rflags.AC) != 0 && s.cpl == 3;
    }

    boolean alignmentChecking() {
        return alignmentCheck;
    }

    void invalidatePage(long va) {
        int i = (int) (va >>> 12) & TLB_MASK;
        rTag[i] = EMPTY[i];
        wTag[i] = EMPTY[i];
        xTag[i] = -1;
        generation++;
        pageInvalidations++;
    }

    // --- code pages -------------------------------------------------------------------------------

    boolean isCodePage(long ramPage) {
        return (codePages[(int) (ramPage >>> 6)] & (1L << ramPage)) != 0;
    }

    void markCodePage(long ramPage) {
        if (isCodePage(ramPage)) {
            return;
        }
        codePages[(int) (ramPage >>> 6)] |= 1L << ramPage;
        for (int i = 0; i < wTag.length; i++) {
            if (wTag[i] != EMPTY[i] && wRamPage[i] == ramPage) {
                wTag[i] = EMPTY[i];
            }
        }
    }

    void clearCodePage(long ramPage) {
        codePages[(int) (ramPage >>> 6)] &= ~(1L << ramPage);
    }

    // --- TLB entries ----------------------------------------------------------------------------------

    /** The tag of the page holding {@code va}, backed by the RAM page at offset {@code pageOff}. */
    static long entry(long va, long pageOff) {
        return va & ~0xFFFL | GuestRam.chunkOffset(pageOff) >>> 12;
    }

    /** Whether the tag {@code entry} maps the page of {@code va}. */
    static boolean maps(long entry, long va) {
        return (entry ^ va) >>> 12 == 0;
    }

    /** The offset of {@code va} in the RAM chunk behind the tag {@code entry} that maps it. */
    static int chunkOffset(long entry, long va) {
        return ((int) entry & 0xFFF) << 12 | (int) va & 0xFFF;
    }

    // --- data access --------------------------------------------------------------------------------

    int read8(long va) {
        int i = (int) (va >>> 12) & TLB_MASK;
        long e = rTag[i];
        int v = maps(e, va) ? rArr[i][chunkOffset(e, va)] & 0xFF : (int) readSlow(va, 1);
        VarHandle.acquireFence();
        return v;
    }

    int read16(long va) {
        int i = (int) (va >>> 12) & TLB_MASK;
        int po = (int) va & 0xFFF;
        long e = rTag[i];
        int v = maps(e, va) && po <= 0xFFE ? (short) SHORT.get(rArr[i], chunkOffset(e, va)) & 0xFFFF
                : (int) readSlow(va, 2);
        VarHandle.acquireFence();
        return v;
    }

    long read32(long va) {
        int i = (int) (va >>> 12) & TLB_MASK;
        int po = (int) va & 0xFFF;
        long e = rTag[i];
        long v = maps(e, va) && po <= 0xFFC ? (int) INT.get(rArr[i], chunkOffset(e, va)) & 0xFFFF_FFFFL
                : readSlow(va, 4);
        VarHandle.acquireFence();
        return v;
    }

    long read64(long va) {
        int i = (int) (va >>> 12) & TLB_MASK;
        int po = (int) va & 0xFFF;
        long e = rTag[i];
        long v = maps(e, va) && po <= 0xFF8 ? (long) LONG.get(rArr[i], chunkOffset(e, va)) : readSlow(va, 8);
        VarHandle.acquireFence();
        return v;
    }

    // --- RAM behind a TLB hit, for compiled traces: the accesses and fences of the hit paths above -----

    static long ramGet8(byte[] a, int o) {
        long v = a[o] & 0xFF;
        VarHandle.acquireFence();
        return v;
    }

    static long ramGet16(byte[] a, int o) {
        long v = (short) SHORT.get(a, o) & 0xFFFF;
        VarHandle.acquireFence();
        return v;
    }

    static long ramGet32(byte[] a, int o) {
        long v = (int) INT.get(a, o) & 0xFFFF_FFFFL;
        VarHandle.acquireFence();
        return v;
    }

    static long ramGet64(byte[] a, int o) {
        long v = (long) LONG.get(a, o);
        VarHandle.acquireFence();
        return v;
    }

    static void ramSet8(byte[] a, int o, long v) {
        VarHandle.releaseFence();
        a[o] = (byte) v;
    }

    static void ramSet16(byte[] a, int o, long v) {
        VarHandle.releaseFence();
        SHORT.set(a, o, (short) v);
    }

    static void ramSet32(byte[] a, int o, long v) {
        VarHandle.releaseFence();
        INT.set(a, o, (int) v);
    }

    static void ramSet64(byte[] a, int o, long v) {
        VarHandle.releaseFence();
        LONG.set(a, o, v);
    }

    long read(long va, int size) {
        switch (size) {
            case 1: return read8(va);
            case 2: return read16(va);
            case 4: return read32(va);
            default: return read64(va);
        }
    }

    void write8(long va, int v) {
        VarHandle.releaseFence();
        int i = (int) (va >>> 12) & TLB_MASK;
        long e = wTag[i];
        if (maps(e, va)) {
            wArr[i][chunkOffset(e, va)] = (byte) v;
            return;
        }
        writeSlow(va, 1, v);
    }

    void write16(long va, int v) {
        VarHandle.releaseFence();
        int i = (int) (va >>> 12) & TLB_MASK;
        int po = (int) va & 0xFFF;
        long e = wTag[i];
        if (maps(e, va) && po <= 0xFFE) {
            SHORT.set(wArr[i], chunkOffset(e, va), (short) v);
            return;
        }
        writeSlow(va, 2, v);
    }

    void write32(long va, long v) {
        VarHandle.releaseFence();
        int i = (int) (va >>> 12) & TLB_MASK;
        int po = (int) va & 0xFFF;
        long e = wTag[i];
        if (maps(e, va) && po <= 0xFFC) {
            INT.set(wArr[i], chunkOffset(e, va), (int) v);
            return;
        }
        writeSlow(va, 4, v);
    }

    void write64(long va, long v) {
        VarHandle.releaseFence();
        int i = (int) (va >>> 12) & TLB_MASK;
        int po = (int) va & 0xFFF;
        long e = wTag[i];
        if (maps(e, va) && po <= 0xFF8) {
            LONG.set(wArr[i], chunkOffset(e, va), v);
            return;
        }
        writeSlow(va, 8, v);
    }

    void write(long va, int size, long v) {
        switch (size) {
            case 1: write8(va, (int) v); break;
            case 2: write16(va, (int) v); break;
            case 4: write32(va, v); break;
            default: write64(va, v); break;
        }
    }

    /** Checks that a store of {@code size} bytes at {@code va} would succeed, without storing. */
    void probeWrite(long va, int size) {
        translate(va, WRITE, s.cpl == 3);
        if (((va ^ (va + size - 1)) & ~0xFFFL) != 0) {
            // A fault on the second page reports the first byte on it (CR2), as hardware does.
            translate((va + size - 1) & ~0xFFFL, WRITE, s.cpl == 3);
        }
    }

    /**
     * The read of a read-modify-write instruction: it needs write access, so a fault is reported
     * as a write (error code W=1) before anything is read, as on hardware.
     */
    long readForWrite(long va, int size) {
        int i = (int) (va >>> 12) & TLB_MASK;
        int po = (int) va & 0xFFF;
        long e = wTag[i];
        if (maps(e, va) && po <= 0x1000 - size) {
            byte[] a = wArr[i];
            int o = chunkOffset(e, va);
            long v;
            switch (size) {
                case 1: v = a[o] & 0xFF; break;
                case 2: v = (short) SHORT.get(a, o) & 0xFFFF; break;
                case 4: v = (int) INT.get(a, o) & 0xFFFF_FFFFL; break;
                default: v = (long) LONG.get(a, o); break;
            }
            VarHandle.acquireFence();
            return v;
        }
        checkAlignment(va, size);
        probeWrite(va, size);
        return read(va, size);
    }

    /**
     * Where a LOCKed read-modify-write of {@code size} bytes at {@code va} lands: checked as a
     * write (a fault is a write fault, #AC when checking alignment), A and D set, the code cache
     * told; the RAM offset, or -1 when the operand is not in RAM within one page (MMIO, or it
     * crosses a page), for the caller to do under the RAM's lock.
     */
    long lockedRamOffset(long va, int size) {
        checkAlignment(va, size);
        boolean user = s.cpl == 3;
        if (((va ^ (va + size - 1)) & ~0xFFFL) != 0) {
            probeWrite(va, size);
            return -1;
        }
        long off = bus.ramOffset(translate(va, WRITE, user));
        if (off >= 0 && isCodePage(off >>> 12)) {
            codeListener.codeWritten(off >>> 12);
        }
        return off;
    }

    private void checkAlignment(long va, int size) {
        if (alignmentCheck && (va & (size - 1)) != 0) {
            throw new GuestFault(Vector.AC, 0);
        }
    }

    private long readSlow(long va, int size) {
        checkAlignment(va, size);
        boolean user = s.cpl == 3;
        if (((va ^ (va + size - 1)) & ~0xFFFL) != 0) {
            long v = 0;
            for (int b = 0; b < size; b++) {
                long pa = translate(va + b, READ, user);
                v |= physRead(pa, 1) << (8 * b);
            }
            return v;
        }
        long pa = translate(va, READ, user);
        long off = bus.ramOffset(pa);
        if (off < 0) {
            return bus.read(pa, size);
        }
        if (!alignmentCheck) {
            int i = (int) (va >>> 12) & TLB_MASK;
            long pageOff = off & ~0xFFFL;
            rArr[i] = ram.chunk(pageOff);
            rTag[i] = entry(va, pageOff);
        }
        return ram.read(off, size);
    }

    private void writeSlow(long va, int size, long v) {
        checkAlignment(va, size);
        boolean user = s.cpl == 3;
        if (((va ^ (va + size - 1)) & ~0xFFFL) != 0) {
            // Check both pages before storing anything, so a fault leaves memory untouched.
            translate(va, WRITE, user);
            translate((va + size - 1) & ~0xFFFL, WRITE, user);
            for (int b = 0; b < size; b++) {
                physWrite(translate(va + b, WRITE, user), 1, v >>> (8 * b));
            }
            return;
        }
        long pa = translate(va, WRITE, user);
        long off = bus.ramOffset(pa);
        if (off < 0) {
            bus.write(pa, size, v);
            return;
        }
        long page = off >>> 12;
        if (isCodePage(page)) {
            codeListener.codeWritten(page);
        } else if (walkDirty && !alignmentCheck) {
            int i = (int) (va >>> 12) & TLB_MASK;
            long pageOff = off & ~0xFFFL;
            wArr[i] = ram.chunk(pageOff);
            wTag[i] = entry(va, pageOff);
            wRamPage[i] = page;
        }
        ram.write(off, size, v);
    }

    long physRead(long pa, int size) {
        long off = bus.ramOffset(pa);
        return off >= 0 ? ram.read(off, size) : bus.read(pa, size);
    }

    void physWrite(long pa, int size, long v) {
        long off = bus.ramOffset(pa);
        if (off < 0) {
            bus.write(pa, size, v);
            return;
        }
        if (isCodePage(off >>> 12)) {
            codeListener.codeWritten(off >>> 12);
        }
        ram.write(off, size, v);
    }

    /** Supervisor-mode (implicit) accesses: descriptor tables, the TSS, the ring-0 stack. */
    long readSupervisor(long va, int size) {
        if (((va ^ (va + size - 1)) & ~0xFFFL) != 0) {
            long v = 0;
            for (int b = 0; b < size; b++) {
                v |= physRead(translate(va + b, READ, false), 1) << (8 * b);
            }
            return v;
        }
        return physRead(translate(va, READ, false), size);
    }

    // --- instruction fetch ----------------------------------------------------------------------------

    /** The physical address instruction bytes at {@code va} come from. */
    long fetchPhys(long va) {
        int i = (int) (va >>> 12) & TLB_MASK;
        if (xTag[i] == (va >>> 12)) {
            return xPhys[i] | (va & 0xFFF);
        }
        long pa = translate(va, FETCH, s.cpl == 3);
        xTag[i] = va >>> 12;
        xPhys[i] = pa & ~0xFFFL;
        return pa;
    }

    int fetchByte(long va) {
        return (int) physRead(fetchPhys(va), 1);
    }

    // --- the page walk ---------------------------------------------------------------------------------

    static boolean canonical(long va) {
        return (va << 16 >> 16) == va;
    }

    /**
     * Translates {@code va} for {@code access}, setting accessed/dirty bits, or throws #PF (with
     * CR2 set) or #GP for a non-canonical address.
     */
    long translate(long va, int access, boolean user) {
        if (!canonical(va)) {
            throw new GuestFault(Vector.GP, 0);
        }
        if ((s.cr0 & Cr.CR0_PG) == 0) {
            walkWritable = true;
            walkDirty = true;
            return va & 0x000F_FFFF_FFFF_FFFFL;
        }
        walks++;
        boolean nxe = (s.efer & Cr.EFER_NXE) != 0;
        long table = s.cr3 & ADDR_MASK;
        boolean writable = true;
        boolean userOk = true;
        boolean noExec = false;
        for (int shift = 39;; shift -= 9) {
            long entryAddr = table + (((va >>> shift) & 0x1FF) << 3);
            long e = physRead(entryAddr, 8);
            if ((e & PTE_P) == 0) {
                throw pageFault(va, access, user, false);
            }
            if (!nxe && e < 0) {
                throw pageFault(va, access, user, true);
            }
            writable &= (e & PTE_RW) != 0;
            userOk &= (e & PTE_US) != 0;
            noExec |= nxe && e < 0;
            boolean leaf = shift == 12 || (shift != 39 && (e & PTE_PS) != 0);
            if (!leaf) {
                if ((e & PTE_A) == 0) {
                    physWrite(entryAddr, 8, e | PTE_A);
                }
                table = e & ADDR_MASK;
                continue;
            }
            if (user && !userOk
                    || access == WRITE && !writable && (user || (s.cr0 & Cr.CR0_WP) != 0)
                    || access == FETCH && noExec) {
                throw pageFault(va, access, user, true);
            }
            long set = PTE_A | (access == WRITE ? PTE_D : 0);
            if ((e & set) != set) {
                e |= set;
                physWrite(entryAddr, 8, e);
            }
            walkWritable = writable;
            walkDirty = (e & PTE_D) != 0;
            long offsetMask = (1L << shift) - 1;
            return ((e & ADDR_MASK) & ~offsetMask) | (va & offsetMask);
        }
    }

    private GuestFault pageFault(long va, int access, boolean user, boolean present) {
        s.cr2 = va;
        int code = (present ? Vector.PF_P : 0)
                | (access == WRITE ? Vector.PF_WR : 0)
                | (user ? Vector.PF_US : 0)
                | (access == FETCH && (s.efer & Cr.EFER_NXE) != 0 ? Vector.PF_ID : 0);
        return new GuestFault(Vector.PF, code);
    }
}
