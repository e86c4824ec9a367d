package org.alosj.kernel.impl.proc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.kernel.impl.proc.UserFrames.OutOfMemory;
import org.alosj.kernel.proc.SigInfo;
import org.alosj.kernel.proc.SysError;

/**
 * Virtual memory of one process: its 4-level page tables in guest RAM and the list of mappings
 * (VMAs) they are filled from. Pages are mapped on first touch (demand paging): zeroed for
 * anonymous memory, read from the source for a file or an ELF segment. After fork both sides
 * share every private page read-only and marked COW; the first write copies it, or just makes
 * it writable again when the other side is gone. The upper half of every PML4 points at the
 * kernel's own tables (supervisor-only), shared by all.
 *
 * <p>Locking: the address space's monitor guards the VMA list and the page tables. A change that
 * takes a permission or a frame away bumps {@link #tlbGeneration}: the changing thread flushes
 * its own TLB, the other threads of the process flush before they next run user code, and those
 * running guest code on other virtual CPUs are made to flush before the changing thread returns
 * to user mode (the kernel's shootdown). Frames such a change takes out are retired, not freed:
 * they go back to the allocator only after the shootdown, so no CPU can still reach a frame that
 * has been given to someone else.
 */
final class AddressSpace {
    static final long PTE_P = 1;
    static final long PTE_RW = 1 << 1;
    static final long PTE_US = 1 << 2;
    static final long PTE_COW = 1 << 9;
    /** Software bit: the frame is held but PROT_NONE made the entry not present. */
    static final long PTE_PROTNONE = 1 << 10;
    static final long PTE_NX = 1L << 63;
    static final long ADDRESS = 0x000F_FFFF_FFFF_F000L;

    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int PROT_EXEC = 4;

    static final long PAGE = UserFrames.PAGE;
    /** The lowest address mmap hands out or accepts (Linux's mmap_min_addr). */
    static final long MMAP_MIN = 0x10000;
    /** One past the highest user address. */
    static final long USER_END = 0x0000_7FFF_FFFF_F000L;
    static final long STACK_TOP = USER_END;
    static final long STACK_LIMIT = 8L << 20;
    /** Where mmap starts looking, downwards: below the stack's largest extent and a gap. */
    static final long MMAP_TOP = STACK_TOP - STACK_LIMIT - (1L << 30);

    /** Where file content for a mapping comes from (an ELF image, a snapshot of a file). */
    interface PageSource {
        /** Copies {@code length} bytes at {@code offset} into {@code dst}; past the end reads as zeros. */
        void read(long offset, byte[] dst, int dstOffset, int length);
    }

    /** One mapping: [start, end), page aligned. File bytes cover [start, fileEnd); zeros above. */
    static final class Vma {
        long start;
        long end;
        int prot;
        final boolean shared;
        final boolean growsDown;
        final PageSource source;
        /** File offset of {@code start}. */
        long offset;
        long fileEnd;
        final String name;

        Vma(long start, long end, int prot, boolean shared, boolean growsDown, PageSource source, long offset,
                long fileEnd, String name) {
            this.start = start;
            this.end = end;
            this.prot = prot;
            this.shared = shared;
            this.growsDown = growsDown;
            this.source = source;
            this.offset = offset;
            this.fileEnd = fileEnd;
            this.name = name;
        }

        Vma slice(long from, long to) {
            return new Vma(from, to, prot, shared, growsDown, source, offset + (from - start), fileEnd, name);
        }
    }

    private final UserFrames frames;
    private final MemoryBus bus;
    final long pml4;
    private final List<Long> tables = new ArrayList<>();
    private final TreeMap<Long, Vma> vmas = new TreeMap<>();
    private long brkStart;
    private long brk;
    private long resident;
    volatile int tlbGeneration;
    /** Frames taken out of the page tables, freed after the next shootdown (guarded by this). */
    private final List<Long> retired = new ArrayList<>();
    /** Whether {@link #retired} holds frames: read without the lock on every trap. */
    volatile boolean retiredPending;
    /** Bumped when frames leave the address space: decoded code of the process may be stale. */
    volatile int codeGeneration;
    /** The frames each recent generation took out (oldest first), for the CPUs to forget precisely. */
    private final java.util.ArrayDeque<long[]> codeLog = new java.util.ArrayDeque<>();
    private static final int CODE_LOG_GENERATIONS = 64;
    private static final int CODE_LOG_FRAMES = 4096;

    /** Ends a generation in which {@code gone} frames left the address space. Caller holds the lock. */
    private void framesLeft(List<Long> gone) {
        codeGeneration++;
        long[] entry = new long[gone.size() + 1];
        entry[0] = codeGeneration;
        for (int i = 0; i < gone.size(); i++) {
            entry[i + 1] = gone.get(i);
        }
        codeLog.addLast(entry);
        while (codeLog.size() > CODE_LOG_GENERATIONS) {
            codeLog.removeFirst();
        }
    }

    /**
     * The frames that left since generation {@code seen}, or null when the log no longer
     * reaches back that far (or holds too many): then every decoded page must go.
     */
    synchronized long[] framesLeftSince(int seen) {
        if (seen == codeGeneration) {
            return new long[0];
        }
        long[] first = codeLog.peekFirst();
        if (first == null || first[0] > seen + 1) {
            return null;
        }
        int count = 0;
        for (long[] e : codeLog) {
            if (e[0] > seen) {
                count += e.length - 1;
            }
        }
        if (count > CODE_LOG_FRAMES) {
            return null;
        }
        long[] out = new long[count];
        int at = 0;
        for (long[] e : codeLog) {
            if (e[0] > seen) {
                System.arraycopy(e, 1, out, at, e.length - 1);
                at += e.length - 1;
            }
        }
        return out;
    }

    /** Every frame mapped now (exec: the CPU forgets what it decoded from them). */
    synchronized long[] residentFrames() {
        List<Long> out = new ArrayList<>();
        forEachPage(0, USER_END, (va, ea, e) -> out.add(e & ADDRESS));
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    AddressSpace(UserFrames frames, long kernelPdpt) throws OutOfMemory {
        this.frames = frames;
        this.bus = frames.bus();
        this.pml4 = frames.allocate();
        tables.add(pml4);
        // The kernel half: one PML4 entry, supervisor-only, the same tables in every process.
        bus.writeLong(pml4 + 256 * 8, kernelPdpt | PTE_P | PTE_RW);
    }

    // --- page tables ---------------------------------------------------------------------------

    private long entry(long va, boolean create) throws OutOfMemory {
        long table = pml4;
        for (int shift = 39; shift > 12; shift -= 9) {
            long ea = table + ((va >>> shift) & 511) * 8;
            long e = bus.readLong(ea);
            if ((e & PTE_P) == 0) {
                if (!create) {
                    return -1;
                }
                long t = frames.allocate();
                tables.add(t);
                bus.writeLong(ea, t | PTE_P | PTE_RW | PTE_US);
                table = t;
            } else {
                table = e & ADDRESS;
            }
        }
        return table + ((va >>> 12) & 511) * 8;
    }

    private interface PteVisitor {
        void visit(long va, long entryAddress, long entry);
    }

    /** Visits every leaf entry holding a frame in [from, to). */
    private void forEachPage(long from, long to, PteVisitor visitor) {
        walk(pml4, 39, 0, from, to, visitor);
    }

    private void walk(long table, int shift, long base, long from, long to, PteVisitor visitor) {
        long span = 1L << shift;
        int first = (int) Math.max(0, (from - base) >> shift);
        int last = (int) Math.min(511, (to - 1 - base) >> shift);
        if (shift == 39) {
            last = Math.min(last, 255);
        }
        for (int i = first; i <= last; i++) {
            long ea = table + i * 8L;
            long e = bus.readLong(ea);
            long va = base + i * span;
            if (shift == 12) {
                if ((e & (PTE_P | PTE_PROTNONE)) != 0) {
                    visitor.visit(va, ea, e);
                }
            } else if ((e & PTE_P) != 0) {
                walk(e & ADDRESS, shift - 9, va, from, to, visitor);
            }
        }
    }

    /**
     * Whether pages both writable and executable are never both in their page table entry: a
     * write fault makes such a page writable and not executable, and every CPU forgets the code
     * decoded from it; an instruction fetch makes it executable and read-only again. Each thread
     * runs its own CPU model, which sees its own stores into decoded code but not other threads'
     * stores, so once threads share the address space this is how cross-modifying code (a JIT's
     * RWX page) is seen, as QEMU's user mode write-protects pages it has translated. A single
     * thread keeps plain RWX entries (no fault ping-pong on an executable stack).
     */
    private volatile boolean splitWriteExecute;

    /** Another thread shares the address space from now on (clone with CLONE_VM). */
    synchronized void sharedByThreads() {
        if (splitWriteExecute) {
            return;
        }
        splitWriteExecute = true;
        boolean changed = false;
        for (Vma v : vmas.values()) {
            if ((v.prot & (PROT_WRITE | PROT_EXEC)) == (PROT_WRITE | PROT_EXEC)) {
                forEachPage(v.start, v.end, (va, ea, e) -> bus.writeLong(ea, e & ~PTE_RW));
                changed = true;
            }
        }
        if (changed) {
            tlbGeneration++;
        }
    }

    /** The entry's permission bits for {@code prot} after an access of this kind (see {@link #splitWriteExecute}). */
    private long leafBits(int prot, boolean write) {
        if (splitWriteExecute && (prot & (PROT_WRITE | PROT_EXEC)) == (PROT_WRITE | PROT_EXEC)) {
            return write ? PTE_P | PTE_US | PTE_RW | PTE_NX : PTE_P | PTE_US;
        }
        return leafBits(prot);
    }

    private static long leafBits(int prot) {
        long bits = PTE_P | PTE_US;
        if ((prot & PROT_WRITE) != 0) {
            bits |= PTE_RW;
        }
        if ((prot & PROT_EXEC) == 0) {
            bits |= PTE_NX;
        }
        return bits;
    }

    // --- mappings --------------------------------------------------------------------------------

    synchronized Vma find(long va) {
        Map.Entry<Long, Vma> e = vmas.floorEntry(va);
        return e != null && va < e.getValue().end ? e.getValue() : null;
    }

    /** Adds a mapping over a range known to be free (the caller unmapped it first). */
    synchronized void map(Vma v) {
        vmas.put(v.start, v);
    }

    synchronized boolean isFree(long start, long end) {
        if (start < MMAP_MIN || end > USER_END || start >= end) {
            return false;
        }
        Map.Entry<Long, Vma> below = vmas.lowerEntry(end);
        return below == null || below.getValue().end <= start;
    }

    /** A free range of {@code length} bytes, searched downwards from the mmap area's top; -1 if none. */
    synchronized long findFree(long length) {
        long hi = MMAP_TOP;
        for (Vma v : vmas.descendingMap().values()) {
            if (v.start >= hi) {
                continue;
            }
            if (v.end <= hi - length) {
                break;
            }
            hi = v.start;
        }
        return hi - length >= MMAP_MIN ? hi - length : -1;
    }

    /** Removes [start, end): splits mappings at the edges and frees the frames. */
    synchronized void unmap(long start, long end) {
        splitAt(start);
        splitAt(end);
        List<Long> gone = new ArrayList<>(vmas.subMap(start, end).keySet());
        for (Long k : gone) {
            vmas.remove(k);
        }
        List<Long> left = new ArrayList<>();
        forEachPage(start, end, (va, ea, e) -> {
            bus.writeLong(ea, 0);
            retire(e & ADDRESS);
            left.add(e & ADDRESS);
            resident--;
        });
        tlbGeneration++;
        framesLeft(left);
    }

    private void splitAt(long at) {
        Map.Entry<Long, Vma> e = vmas.floorEntry(at);
        if (e == null) {
            return;
        }
        Vma v = e.getValue();
        if (v.start < at && at < v.end) {
            vmas.put(v.start, v.slice(v.start, at));
            vmas.put(at, v.slice(at, v.end));
        }
    }

    synchronized void protect(long start, long end, int prot) throws SysError {
        // Every page of the range must be mapped (ENOMEM otherwise, as Linux).
        long at = start;
        for (Vma v : vmas.subMap(vmas.floorKey(start) == null ? start : vmas.floorKey(start), end).values()) {
            if (v.end <= at) {
                continue;
            }
            if (v.start > at) {
                throw new SysError(SysError.ENOMEM, "mprotect: hole at " + Long.toHexString(at));
            }
            at = v.end;
        }
        if (at < end) {
            throw new SysError(SysError.ENOMEM, "mprotect: hole at " + Long.toHexString(at));
        }
        splitAt(start);
        splitAt(end);
        for (Vma v : vmas.subMap(start, end).values()) {
            v.prot = prot;
        }
        List<Long> madeExecutable = new ArrayList<>();
        forEachPage(start, end, (va, ea, e) -> {
            long pa = e & ADDRESS;
            if ((prot & PROT_EXEC) != 0) {
                madeExecutable.add(pa);
            }
            long ne;
            if (prot == 0) {
                ne = pa | PTE_PROTNONE | (e & PTE_COW);
            } else {
                ne = pa | leafBits(prot, false) | (e & PTE_COW);
                if ((e & PTE_COW) != 0) {
                    ne &= ~PTE_RW;
                }
            }
            bus.writeLong(ea, ne);
        });
        tlbGeneration++;
        if (!madeExecutable.isEmpty()) {
            // Code written while the pages were writable (a JIT's W^X dance) may have been
            // decoded before by another thread's CPU, which did not see those stores: all forget it.
            framesLeft(madeExecutable);
        }
    }

    /** Extends the mapping ending at {@code oldEnd} (and holding {@code address}) to {@code newEnd} if free. */
    synchronized boolean growInPlace(long address, long oldEnd, long newEnd) {
        Vma v = find(address);
        if (v == null || v.end != oldEnd || !isFree(oldEnd, newEnd)) {
            return false;
        }
        v.end = newEnd;
        if (v.source != null && v.fileEnd > oldEnd) {
            v.fileEnd = oldEnd;
        }
        return true;
    }

    // --- the heap -----------------------------------------------------------------------------

    synchronized void setBreakStart(long start) {
        brkStart = start;
        brk = start;
    }

    /** brk(2): moves the break when the new heap fits; returns the break in effect. */
    synchronized long setBreak(long want) {
        if (want < brkStart) {
            return brk;
        }
        long oldTop = pageUp(brk);
        long newTop = pageUp(want);
        if (newTop > oldTop) {
            // Leave a guard page below whatever comes next.
            if (!isFree(oldTop, newTop + PAGE)) {
                return brk;
            }
            Vma heap = find(brkStart);
            if (heap != null && heap.end == oldTop) {
                heap.end = newTop;
            } else {
                vmas.put(oldTop, new Vma(oldTop, newTop, PROT_READ | PROT_WRITE, false, false, null, 0, 0,
                        "[heap]"));
            }
        } else if (newTop < oldTop) {
            unmap(newTop, oldTop);
        }
        brk = want;
        return brk;
    }

    synchronized long breakStart() {
        return brkStart;
    }

    // --- faults ----------------------------------------------------------------------------------

    /**
     * Resolves a page fault at {@code va}. {@code rsp} lets the stack grow down to a touch just
     * below it.
     *
     * @return 0 when the access may be retried, else SEGV_MAPERR or SEGV_ACCERR
     */
    synchronized int fault(long va, boolean write, boolean exec, long rsp) throws OutOfMemory {
        if (va < 0 || va >= USER_END) {
            return SigInfo.SEGV_MAPERR;
        }
        Vma v = find(va);
        if (v == null) {
            v = growStack(va, rsp);
            if (v == null) {
                return SigInfo.SEGV_MAPERR;
            }
        }
        if (v.prot == 0 || (write && (v.prot & PROT_WRITE) == 0) || (exec && (v.prot & PROT_EXEC) == 0)) {
            return SigInfo.SEGV_ACCERR;
        }
        long page = va & ~(PAGE - 1);
        long ea = entry(page, true);
        long e = bus.readLong(ea);
        if ((e & (PTE_P | PTE_PROTNONE)) != 0) {
            long pa = e & ADDRESS;
            if (write && (e & PTE_COW) != 0) {
                if (frames.references(pa) == 1) {
                    bus.writeLong(ea, pa | leafBits(v.prot, true));
                    writeExecuteSwitched(v, pa);
                } else {
                    long copy = frames.allocate();
                    byte[] buf = new byte[(int) PAGE];
                    bus.read(pa, buf, 0, buf.length);
                    bus.write(copy, buf, 0, buf.length);
                    bus.writeLong(ea, copy | leafBits(v.prot, true));
                    retire(pa);
                    framesLeft(List.of(pa));
                }
            } else {
                // A stale TLB entry, a PROT_NONE page made accessible again, or a page switching
                // between writable and executable.
                long ne = pa | leafBits(v.prot, write);
                if ((e & PTE_COW) != 0) {
                    ne = (ne & ~PTE_RW) | PTE_COW;
                }
                bus.writeLong(ea, ne);
                if (write) {
                    writeExecuteSwitched(v, pa);
                }
            }
            tlbGeneration++;
            return 0;
        }
        long pa = frames.allocate();
        if (v.source != null && page < v.fileEnd) {
            byte[] buf = new byte[(int) PAGE];
            int n = (int) Math.min(PAGE, v.fileEnd - page);
            v.source.read(v.offset + (page - v.start), buf, 0, n);
            bus.write(pa, buf, 0, n);
        }
        bus.writeLong(ea, pa | leafBits(v.prot, write));
        resident++;
        return 0;
    }

    /** The page table entry that maps {@code va} (0 when none), for tests and diagnostics. */
    synchronized long leafEntry(long va) throws OutOfMemory {
        long ea = entry(va & ~(PAGE - 1), false);
        return ea < 0 ? 0 : bus.readLong(ea);
    }

    /** A split RWX page became writable: code any CPU decoded from it is stale from now on. */
    private void writeExecuteSwitched(Vma v, long pa) {
        if (splitWriteExecute && (v.prot & (PROT_WRITE | PROT_EXEC)) == (PROT_WRITE | PROT_EXEC)) {
            framesLeft(List.of(pa));
        }
    }

    private Vma growStack(long va, long rsp) {
        Map.Entry<Long, Vma> above = vmas.higherEntry(va);
        if (above == null || !above.getValue().growsDown) {
            return null;
        }
        Vma stack = above.getValue();
        long page = va & ~(PAGE - 1);
        if (stack.end - page > STACK_LIMIT || va < rsp - 65536 - 256) {
            return null;
        }
        Map.Entry<Long, Vma> below = vmas.lowerEntry(va);
        // The guard page: the stack never grows to touch the mapping below it.
        if (below != null && below.getValue().end > page - PAGE) {
            return null;
        }
        vmas.remove(stack.start);
        stack.start = page;
        vmas.put(page, stack);
        return stack;
    }

    /**
     * How many bytes from {@code va}, up to {@code length}, a write could reach: writable
     * mappings back to back, and stack grown into as the program's own write would grow it. No
     * page is touched. The caller keeps [va, va + length) inside the user half.
     */
    synchronized long writableSpan(long va, long length) {
        long end = va + length;
        long at = va;
        while (at < end) {
            Vma v = find(at);
            if (v == null) {
                v = growStack(at, at);
            }
            if (v == null || (v.prot & PROT_WRITE) == 0) {
                break;
            }
            at = v.end;
        }
        return Math.min(at, end) - va;
    }

    /** The physical address user code would reach at {@code va} for this access, faulting it in. */
    synchronized long translate(long va, boolean write) throws SysError {
        if (va < 0 || va >= USER_END) {
            throw new SysError(SysError.EFAULT);
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            long ea;
            try {
                ea = entry(va, false);
                if (ea >= 0) {
                    long e = bus.readLong(ea);
                    if ((e & PTE_P) != 0 && (e & PTE_US) != 0 && (!write || (e & PTE_RW) != 0)) {
                        return (e & ADDRESS) | (va & (PAGE - 1));
                    }
                }
                if (fault(va, write, false, va) != 0) {
                    throw new SysError(SysError.EFAULT);
                }
            } catch (OutOfMemory oom) {
                throw new SysError(SysError.ENOMEM);
            }
        }
        throw new SysError(SysError.EFAULT);
    }

    /**
     * The frame behind {@code va}, made private to this address space first when it is shared
     * (after fork): a debugger's write changes this process only. Its protection stays.
     */
    synchronized long privateFrame(long va) throws SysError {
        long pa = translate(va, false) & ADDRESS;
        Vma v = find(va);
        long ea;
        try {
            ea = entry(va, false);
        } catch (OutOfMemory impossible) {
            throw new SysError(SysError.ENOMEM);
        }
        if (v == null || ea < 0) {
            throw new SysError(SysError.EFAULT);
        }
        if (frames.references(pa) > 1) {
            long copy;
            try {
                copy = frames.allocate();
            } catch (OutOfMemory oom) {
                throw new SysError(SysError.ENOMEM);
            }
            byte[] buf = new byte[(int) PAGE];
            bus.read(pa, buf, 0, buf.length);
            bus.write(copy, buf, 0, buf.length);
            bus.writeLong(ea, copy | leafBits(v.prot, false));
            retire(pa);
            framesLeft(List.of(pa));
            tlbGeneration++;
            pa = copy;
        }
        return pa | (va & (PAGE - 1));
    }

    // --- fork and teardown -------------------------------------------------------------------------

    /** fork's copy: the same mappings, private pages shared copy-on-write. */
    synchronized AddressSpace copyOnWrite(long kernelPdpt) throws OutOfMemory {
        AddressSpace child = new AddressSpace(frames, kernelPdpt);
        try {
            for (Vma v : vmas.values()) {
                child.vmas.put(v.start, v.slice(v.start, v.end));
                forEachPage(v.start, v.end, (va, ea, e) -> {
                    long ne = e;
                    if (!v.shared && (e & PTE_RW) != 0) {
                        ne = (e & ~PTE_RW) | PTE_COW;
                        bus.writeLong(ea, ne);
                    }
                    frames.share(e & ADDRESS);
                    child.pendingCopy(va, ne);
                });
                if (child.copyFailure != null) {
                    throw child.copyFailure;
                }
            }
        } catch (OutOfMemory oom) {
            child.destroy();
            throw oom;
        }
        child.brkStart = brkStart;
        child.brk = brk;
        tlbGeneration++;
        return child;
    }

    private OutOfMemory copyFailure;

    private void pendingCopy(long va, long e) {
        if (copyFailure != null) {
            frames.release(e & ADDRESS);
            return;
        }
        try {
            bus.writeLong(entry(va, true), e);
            resident++;
        } catch (OutOfMemory oom) {
            frames.release(e & ADDRESS);
            copyFailure = oom;
        }
    }

    /** mremap's move: the pages of [from, from+length) now live at [to, to+length). */
    synchronized void move(long from, long length, long to) throws OutOfMemory {
        Vma first = find(from);
        List<long[]> moved = new ArrayList<>();
        forEachPage(from, from + length, (va, ea, e) -> {
            moved.add(new long[] {va - from + to, e});
            bus.writeLong(ea, 0);
        });
        splitAt(from);
        splitAt(from + length);
        List<Vma> old = new ArrayList<>(vmas.subMap(from, from + length).values());
        for (Vma v : old) {
            vmas.remove(v.start);
            Vma n = new Vma(v.start - from + to, v.end - from + to, v.prot, v.shared, v.growsDown, v.source,
                    v.offset, v.fileEnd == 0 ? 0 : v.fileEnd - from + to, v.name);
            vmas.put(n.start, n);
        }
        for (long[] m : moved) {
            bus.writeLong(entry(m[0], true), m[1]);
        }
        // The frames stay (at new addresses): code decoded at the old ones is unreachable.
        tlbGeneration++;
        if (first == null) {
            throw new IllegalStateException("mremap of an unmapped range");
        }
    }

    private void retire(long frame) {
        retired.add(frame);
        retiredPending = true;
    }

    /** Frees the retired frames: every CPU that could reach them has flushed its TLB. */
    synchronized void releaseRetired() {
        for (long f : retired) {
            frames.release(f);
        }
        retired.clear();
        retiredPending = false;
    }

    /** Frees every frame and table. The address space must not be used again. */
    synchronized void destroy() {
        releaseRetired();
        forEachPage(0, USER_END, (va, ea, e) -> frames.release(e & ADDRESS));
        for (long t : tables) {
            frames.release(t);
        }
        tables.clear();
        vmas.clear();
        resident = 0;
    }

    synchronized long residentBytes() {
        return resident * PAGE;
    }

    synchronized long virtualBytes() {
        long total = 0;
        for (Vma v : vmas.values()) {
            total += v.end - v.start;
        }
        return total;
    }

    UserFrames frames() {
        return frames;
    }

    static long pageUp(long a) {
        return (a + PAGE - 1) & ~(PAGE - 1);
    }
}
