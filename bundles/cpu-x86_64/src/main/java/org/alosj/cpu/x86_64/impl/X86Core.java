package org.alosj.cpu.x86_64.impl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.CpuStatistics;
import org.alosj.hal.cpu.Cr;
import org.alosj.hal.cpu.Msr;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.Rflags;
import org.alosj.hal.cpu.RunExit;
import org.alosj.hal.cpu.TrapFrame;
import org.alosj.hal.cpu.TrapHandler;
import org.alosj.hal.cpu.TrapKind;
import org.alosj.hal.cpu.Vector;
import org.alosj.hal.irq.InterruptPin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CPU: the run loop over decoded blocks, the code cache, interrupts sampled between blocks,
 * the system instructions, and the {@link Cpu} API; the ring transitions are
 * {@link RingTransitions}'.
 */
public final class X86Core extends RingTransitions {
    private static final Logger LOG = LoggerFactory.getLogger("hw.cpu");
    private static final int MAX_BLOCK = 64;
    private static final int CACHE_BITS = 14;
    /** Interpreted runs before a block is compiled: enough to skip code that runs a few times. */
    static final int COMPILE_THRESHOLD = 64;
    /** Runs of a compiled block before a trace is recorded from it. */
    static final int TRACE_THRESHOLD = 256;

    private final Decoder decoder;
    private final SseUnit sse;
    final X87Unit x87;
    private final Block[] cache = new Block[1 << CACHE_BITS];
    private final BlockCompiler compiler = new BlockCompiler();
    /** Interpreted runs after which a block is compiled (package-private for the tests). */
    int compileThreshold = COMPILE_THRESHOLD;
    /** Compiled runs after which a trace is recorded from a block; 0 turns traces off (package-private for the tests). */
    int traceThreshold = TRACE_THRESHOLD;
    /** Exits straight into one other trace before it is joined to the exit (package-private for the tests). */
    int extendAfter = TraceTier.EXTEND_AFTER;
    /** Tests: every block becomes the head of a statically formed trace when it first runs. */
    boolean traceOnFirstRun;
    private final TraceTier traces;
    private final TraceRecorder recorder;
    /** The trace that ran last and the exit it left by: the dispatcher's chaining slot. */
    private Trace chainFrom;
    private int chainExit;
    /** Set by a compiled trace when it returns or faults: the instructions it retired. */
    long traceRetired;
    private final Map<Long, List<Block>> blocksByPage = new HashMap<>();
    private final long tscOrigin = System.nanoTime();

    // Read by compiled traces at their back edge.
    volatile boolean preemptRequested;
    volatile boolean interruptSignal;
    private InterruptPin pin;
    private AutoCloseable pinListener;
    private long retired;
    private boolean halted;

    // Statistics: plain fields written only by the CPU's own thread, read racily by statistics().
    private long retiredCompiled;
    private long blocksDecoded;
    private long blocksCompiled;
    private long codeWrites;
    private long codeInvalidations;
    private long blocksInvalidated;
    private final long[] runExits = new long[RunExit.values().length];

    public X86Core(MemoryBus bus) {
        this(bus, new TraceCache(X86CpuFactory.TRACE_CACHE_ENTRIES));
    }

    /** A CPU that shares compiled traces with the others made with {@code traceCache}. */
    X86Core(MemoryBus bus, TraceCache traceCache) {
        super(bus);
        this.decoder = new Decoder(mem);
        this.sse = new SseUnit(this);
        this.x87 = new X87Unit(this);
        this.traces = new TraceTier(mem, compiler, traceCache);
        this.recorder = traces.recorder;
    }

    // --- the run loop --------------------------------------------------------------------------------

    @Override
    public RunExit run(long instructionBudget) {
        RunExit why = runLoop(instructionBudget);
        runExits[why.ordinal()]++;
        return why;
    }

    private RunExit runLoop(long instructionBudget) {
        long limit = instructionBudget >= Long.MAX_VALUE - retired ? Long.MAX_VALUE : retired + instructionBudget;
        exit = null;
        Block prev = null;
        for (;;) {
            if (preemptRequested || interruptSignal) {
                if (preemptRequested) {
                    preemptRequested = false;
                    return RunExit.PREEMPTED;
                }
                takeInterrupt();
                if (exit != null) {
                    return exit;
                }
                prev = null;
                chainFrom = null;
                recorder.abort();
            }
            if (halted) {
                return RunExit.HALTED;
            }
            if (retired >= limit) {
                return RunExit.BUDGET;
            }
            Block b = null;
            long pc = rip;
            if (prev != null) {
                int gen = mem.generation;
                if (prev.link0 != null && prev.link0.vaddr == pc && prev.link0Generation == gen && prev.link0.valid) {
                    b = prev.link0;
                } else if (prev.link1 != null && prev.link1.vaddr == pc && prev.link1Generation == gen
                        && prev.link1.valid) {
                    b = prev.link1;
                }
            } else if (chainFrom != null) {
                Block l = chainFrom.exitLink[chainExit];
                if (l != null && l.vaddr == pc && chainFrom.exitLinkGeneration[chainExit] == mem.generation && l.valid) {
                    b = l;
                }
            }
            if (b == null) {
                try {
                    b = findBlock(pc);
                } catch (GuestFault f) {
                    recorder.abort();
                    chainFrom = null;
                    exception(f.vector, f.errorCode, pc);
                    if (exit != null) {
                        return exit;
                    }
                    prev = null;
                    continue;
                }
                if (chainFrom != null && b.paddr >= 0) {
                    chainFrom.exitLink[chainExit] = b;
                    chainFrom.exitLinkGeneration[chainExit] = mem.generation;
                }
                if (prev != null && b.paddr >= 0) {
                    if (prev.link0 == null || prev.link0Generation != mem.generation || !prev.link0.valid) {
                        prev.link0 = b;
                        prev.link0Generation = mem.generation;
                    } else {
                        prev.link1 = b;
                        prev.link1Generation = mem.generation;
                    }
                }
            }
            chainFrom = null;
            if ((rf & Rflags.TF) != 0) {
                recorder.abort();
                singleStep(b.code[0]);
                prev = null;
                if (exit != null) {
                    return exit;
                }
                continue;
            }
            if (recorder.recording()) {
                TraceRecorder.Path done = recorder.next(b);
                if (done != null) {
                    traces.install(TraceRecorder.preferLoop(done, this::cachedBlock));
                }
            }
            prev = execute(b, limit) ? b : null;
            if (prev == null && recorder.recording()) {
                recorder.abort();
            }
            if (exit != null) {
                return exit;
            }
        }
    }

    /** Runs one block; false when it ended abnormally (fault, self-modifying store). */
    private boolean execute(Block b, long limit) {
        Insn[] code = b.code;
        if (b.trace != null) {
            if (traces.usable(b.trace)) {
                return executeTrace(b.trace, limit);
            }
            b.trace = null;
            b.hotRuns = 0;
        } else if (traceOnFirstRun && b.paddr >= 0 && b.hotRuns == 0) {
            b.hotRuns = 1;
            traces.install(TraceRecorder.formStatically(b, this::findBlockOrNull));
            if (b.trace != null) {
                return executeTrace(b.trace, limit);
            }
        }
        rip = b.endRip;
        if (b.compiled != null) {
            // Record at the threshold, and again every so often while no trace came of it (a
            // recording was already under way, or the path was cut short).
            if (++b.hotRuns % Math.max(traceThreshold, 1) == 0 && traceThreshold > 0 && b.trace == null
                    && !recorder.recording()) {
                TraceRecorder.Path done = recorder.start(b);
                if (done != null) {
                    traces.install(TraceRecorder.preferLoop(done, this::cachedBlock));
                }
            }
            return executeCompiled(b.compiled, code);
        }
        if (++b.runs == compileThreshold && b.paddr >= 0) {
            b.compiled = compiler.compile(code);
            blocksCompiled++;
            return executeCompiled(b.compiled, code);
        }
        int i = 0;
        try {
            for (; i < code.length; i++) {
                Insn in = code[i];
                exec(in);
                if (in.writesMem && codeModified) {
                    codeModified = false;
                    if (i + 1 < code.length) {
                        rip = in.next;
                    }
                    retired += i + 1;
                    return false;
                }
            }
            retired += code.length;
            return true;
        } catch (GuestFault f) {
            retired += i;
            codeModified = false;
            exception(f.vector, f.errorCode, code[i].rip);
            return false;
        }
    }

    /**
     * Runs a trace from its head, and from there the traces its exits lead to while nothing
     * the run loop checks between blocks says stop; false when it ended abnormally (fault,
     * store into code) or left for the run loop.
     */
    private boolean executeTrace(Trace t, long limit) {
        for (;;) {
            int exitId;
            try {
                long budget = limit - retired;
                Trace.Code code = t.compiled;
                if (t.anyLoop && code.warmUpCalls > 0) {
                    code.warmUpCalls--;
                    budget = Math.min(budget, Trace.WARM_UP_SLICE);
                }
                exitId = code.run(this, t, budget);
            } catch (GuestFault f) {
                int pos = blockPos & 0xFFFF;
                retired += traceRetired + pos;
                retiredCompiled += traceRetired + pos;
                traces.retired += traceRetired + pos;
                codeModified = false;
                exception(f.vector, f.errorCode, t.code[pos].rip);
                return false;
            }
            retired += traceRetired;
            retiredCompiled += traceRetired;
            traces.retired += traceRetired;
            int cause = t.exitCause[exitId];
            traces.exits[cause]++;
            if (cause == Trace.EXIT_CODE_WRITE) {
                codeModified = false;
                return false;
            }
            Trace next = linkedTrace(t, exitId, cause, limit);
            if (next == null) {
                chainFrom = t;
                chainExit = exitId;
                return false;
            }
            traces.linked++;
            if (++t.exitHits[exitId] == extendAfter) {
                traces.extend(t, exitId, next);
            }
            t = next;
        }
    }

    /**
     * The trace to run straight after exit {@code exitId} of {@code t}: the one headed by the
     * block the run loop found after that exit last time, when it is where RIP is now and the
     * run loop would run it next anyway (no budget end, stop request, interrupt, single step,
     * recording or exit a handler set); else null.
     */
    private Trace linkedTrace(Trace t, int exitId, int cause, long limit) {
        if (cause == Trace.EXIT_CHECK || cause == Trace.EXIT_HANDLER) {
            return null;
        }
        Block b = t.exitLink[exitId];
        if (b == null || b.trace == null || b.vaddr != rip || t.exitLinkGeneration[exitId] != mem.generation
                || !b.valid || retired >= limit || exit != null || preemptRequested || interruptSignal
                || (rf & Rflags.TF) != 0 || recorder.recording()) {
            return null;
        }
        return traces.usable(b.trace) ? b.trace : null;
    }

    /** The decoded block at {@code pc} in the code cache, or null: never decodes. */
    private Block cachedBlock(long pc) {
        try {
            long pa = mem.fetchPhys(pc);
            Block b = cache[(int) (pc ^ (pc >>> CACHE_BITS)) & ((1 << CACHE_BITS) - 1)];
            return b != null && b.vaddr == pc && b.paddr == pa && b.valid ? b : null;
        } catch (GuestFault f) {
            return null;
        }
    }

    private Block findBlockOrNull(long pc) {
        try {
            return findBlock(pc);
        } catch (GuestFault f) {
            return null;
        }
    }

    /** Runs a compiled block: as {@link #execute}, with the position the block keeps in {@link #blockPos}. */
    private boolean executeCompiled(BlockCompiler.Compiled c, Insn[] code) {
        try {
            c.run(this, code);
            retired += code.length;
            retiredCompiled += code.length;
            return true;
        } catch (StaleBlock s) {
            int i = blockPos;
            codeModified = false;
            if (i + 1 < code.length) {
                rip = code[i].next;
            }
            retired += i + 1;
            retiredCompiled += i + 1;
            return false;
        } catch (GuestFault f) {
            int i = blockPos;
            retired += i;
            retiredCompiled += i;
            codeModified = false;
            exception(f.vector, f.errorCode, code[i].rip);
            return false;
        }
    }

    /**
     * RFLAGS.TF: runs one instruction, then the single-step trap (#DB, saved RIP = the next
     * instruction) unless the instruction itself entered ring 0 (a fault, INT n, SYSCALL).
     * A REP string instruction is stepped by chunks, not by iteration.
     */
    private void singleStep(Insn in) {
        rip = in.next;
        int before = trapsDelivered;
        try {
            exec(in);
            retired++;
        } catch (GuestFault f) {
            codeModified = false;
            exception(f.vector, f.errorCode, in.rip);
            return;
        }
        codeModified = false;
        if (exit == null && trapsDelivered == before) {
            raise(Vector.DB, TrapKind.EXCEPTION, 0, false, rip);
        }
    }

    private Block findBlock(long pc) {
        long pa = mem.fetchPhys(pc);
        int h = (int) (pc ^ (pc >>> CACHE_BITS)) & ((1 << CACHE_BITS) - 1);
        Block b = cache[h];
        if (b != null && b.vaddr == pc && b.paddr == pa && b.valid) {
            return b;
        }
        b = decodeBlock(pc, pa);
        if (b.paddr >= 0) {
            cache[h] = b;
        }
        return b;
    }

    private Block decodeBlock(long pc, long pa) {
        List<Insn> list = new ArrayList<>();
        long at = pc;
        for (;;) {
            Insn in = new Insn();
            try {
                decoder.decode(at, in);
            } catch (GuestFault f) {
                if (list.isEmpty()) {
                    throw f;
                }
                break; // the fault belongs to that instruction: raise it when it is reached
            }
            list.add(in);
            if (Op.endsBlock(in.op) || StringOps.isString(in.op) && in.rep != 0 || list.size() >= MAX_BLOCK
                    || ((in.next ^ pc) & ~0xFFFL) != 0) {
                break;
            }
            at = in.next;
        }
        Insn[] code = list.toArray(new Insn[0]);
        blocksDecoded++;
        long firstPage = mem.bus.ramOffset(pa);
        Block b = new Block(pc, firstPage >= 0 ? pa : -1, code);
        if (firstPage >= 0) {
            track(firstPage >>> 12, b);
            long lastByte = code[code.length - 1].next - 1;
            if (((lastByte ^ pc) & ~0xFFFL) != 0) {
                long off = mem.bus.ramOffset(mem.fetchPhys(lastByte));
                if (off >= 0) {
                    track(off >>> 12, b);
                }
            }
        }
        return b;
    }

    private void track(long ramPage, Block b) {
        blocksByPage.computeIfAbsent(ramPage, k -> new ArrayList<>()).add(b);
        mem.markCodePage(ramPage);
    }

    @Override
    public void codeWritten(long ramPage) {
        codeWrites++;
        dropCode(ramPage);
        codeModified = true;
    }

    /** Forgets the blocks decoded from a RAM page; whether there were any. */
    private boolean dropCode(long ramPage) {
        List<Block> blocks = blocksByPage.remove(ramPage);
        if (blocks != null) {
            for (Block b : blocks) {
                b.valid = false;
                traces.dropped(b);
            }
            blocksInvalidated += blocks.size();
        }
        mem.clearCodePage(ramPage);
        return blocks != null;
    }

    // --- exceptions and interrupts -----------------------------------------------------------------------

    private void takeInterrupt() {
        InterruptPin p = pin;
        if (p == null || !interruptsEnabled()) {
            if (p == null) {
                interruptSignal = false;
            }
            return;
        }
        interruptSignal = false;
        if (!p.pending()) {
            return;
        }
        int vector = p.acknowledge() & 0xFF;
        halted = false;
        raise(vector, TrapKind.INTERRUPT, 0, false, rip);
    }

    // --- system instructions -----------------------------------------------------------------------------

    private boolean ioplAllows() {
        return cpl <= ((rf & Rflags.IOPL) >>> 12);
    }

    /** SSE3, SSSE3, SSE4 and CRC32 instructions executed so far. */
    long extensionInstructionsExecuted() {
        return sse.extensionsExecuted;
    }

    /** #NM/#UD checks before touching x87 or SSE state. */
    @Override
    void execSse(Insn in) {
        checkFpuAvailable(false);
        sse.execute(in);
    }

    @Override
    void execSse(Insn in, int k, int kind) {
        checkFpuAvailable(false);
        sse.executeDirect(in, k, kind);
    }

    @Override
    void execX87(Insn in) {
        checkFpuAvailable(true);
        x87.execute(in);
    }

    /** Raises what an SSE instruction raises when CR0 or CR4 forbid it (called by compiled traces). */
    SseUnit sseUnit() {
        return sse;
    }

    void checkSseAvailable() {
        checkFpuAvailable(false);
    }

    private void checkFpuAvailable(boolean x87Instruction) {
        if ((cr0 & Cr.CR0_EM) != 0) {
            throw new GuestFault(x87Instruction ? Vector.NM : Vector.UD, 0);
        }
        if ((cr0 & Cr.CR0_TS) != 0) {
            throw new GuestFault(Vector.NM, 0);
        }
        if (!x87Instruction && (cr4 & Cr.CR4_OSFXSR) == 0) {
            throw new GuestFault(Vector.UD, 0);
        }
    }

    @Override
    void execOther(Insn in) {
        switch (in.op) {
            case Op.SSE: execSse(in); return;
            case Op.X87: execX87(in); return;
            case Op.CRC32: sse.extensionsExecuted++; Crc32c.execute(this, in); return;
            case Op.FWAIT:
                if ((cr0 & (Cr.CR0_TS | Cr.CR0_MP)) == (Cr.CR0_TS | Cr.CR0_MP)) {
                    throw new GuestFault(Vector.NM, 0);
                }
                x87.checkPendingException();
                return;
            case Op.FXSAVE:
            case Op.FXRSTOR: {
                checkFpuAvailable(true);
                long a = ea(in);
                if ((a & 15) != 0) {
                    throw new GuestFault(Vector.GP, 0);
                }
                if (in.op == Op.FXSAVE) {
                    mem.probeWrite(a, 512);
                    byte[] image = fpuImage(in.size == 8, x87.exceptionPending());
                    // Bytes 416-511 are reserved or software's: hardware leaves them as they are.
                    for (int i = 0; i < 416; i += 8) {
                        mem.write64(a + i, java.nio.ByteBuffer.wrap(image, i, 8)
                                .order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
                    }
                } else {
                    byte[] image = new byte[512];
                    java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(image).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < 512; i += 8) {
                        bb.putLong(i, mem.read64(a + i));
                    }
                    if ((bb.getInt(24) & ~0xFFFF) != 0) {
                        throw new GuestFault(Vector.GP, 0);
                    }
                    restoreFpuState(image);
                    x87.loadPointersFrom(bb, in.size == 8);
                }
                return;
            }
            case Op.LDMXCSR: {
                checkFpuAvailable(false);
                long v = mem.read32(ea(in));
                if ((v & ~0xFFFFL) != 0) {
                    throw new GuestFault(Vector.GP, 0);
                }
                mxcsr = (int) v;
                return;
            }
            case Op.STMXCSR:
                checkFpuAvailable(false);
                mem.write32(ea(in), mxcsr);
                return;
            case Op.CPUID:
                CpuId.execute(r);
                return;
            case Op.RDTSC:
                checkTsc();
                setTsc();
                return;
            case Op.RDTSCP:
                checkTsc();
                setTsc();
                r[Reg.RCX] = tscAux & 0xFFFF_FFFFL;
                return;
            case Op.HLT:
                requireCpl0();
                halted = true;
                return;
            case Op.CLI:
            case Op.STI:
                if (!ioplAllows()) {
                    throw new GuestFault(Vector.GP, 0);
                }
                rf = in.op == Op.CLI ? rf & ~Rflags.IF : rf | Rflags.IF;
                return;
            case Op.SYSCALL:
                syscall(in);
                return;
            case Op.SYSRET:
                sysret(in);
                return;
            case Op.INT:
                raise((int) in.imm, TrapKind.SOFTWARE_INTERRUPT, 0, false, in.next);
                return;
            case Op.INT3:
                raise(Vector.BP, TrapKind.SOFTWARE_INTERRUPT, 0, false, in.next);
                return;
            case Op.INT1:
                raise(Vector.DB, TrapKind.EXCEPTION, 0, false, in.next);
                return;
            case Op.IRET:
                iret(in);
                return;
            case Op.SWAPGS: {
                requireCpl0();
                long t = gsBase;
                gsBase = kernelGsBase;
                kernelGsBase = t;
                return;
            }
            case Op.MOV_FROM_CR:
                requireCpl0();
                r[in.rm] = cr(in.reg);
                return;
            case Op.MOV_TO_CR:
                requireCpl0();
                writeCr(in.reg, r[in.rm]);
                return;
            case Op.RDMSR: {
                requireCpl0();
                long v = readMsr((int) r[Reg.RCX]);
                r[Reg.RAX] = v & 0xFFFF_FFFFL;
                r[Reg.RDX] = v >>> 32;
                return;
            }
            case Op.WRMSR:
                requireCpl0();
                writeMsr((int) r[Reg.RCX], (r[Reg.RDX] << 32) | (r[Reg.RAX] & 0xFFFF_FFFFL));
                return;
            case Op.INVLPG:
                requireCpl0();
                mem.invalidatePage(ea(in));
                return;
            case Op.LGDT:
            case Op.LIDT: {
                requireCpl0();
                long a = ea(in);
                int limit = mem.read16(a);
                long base = mem.read64(a + 2);
                if (in.op == Op.LGDT) {
                    gdtLimit = limit;
                    gdtBase = base;
                } else {
                    idtLimit = limit;
                    idtBase = base;
                }
                return;
            }
            case Op.SGDT:
            case Op.SIDT: {
                long a = ea(in);
                mem.probeWrite(a, 10);
                mem.write16(a, in.op == Op.SGDT ? gdtLimit : idtLimit);
                mem.write64(a + 2, in.op == Op.SGDT ? gdtBase : idtBase);
                return;
            }
            case Op.MOV_FROM_SEG: {
                int[] sels = {esSel, csSel, ssSel, dsSel, fsSel, gsSel};
                writeE(in, in.size, sels[in.aux]);
                return;
            }
            case Op.MOV_TO_SEG:
                loadSegment(in.aux, (int) readE(in, 2));
                return;
            case Op.PRIVILEGED_IO:
                // No I/O-port bus is wired to this CPU: device access is the Java kernel's.
                throw new GuestFault(ioplAllows() ? Vector.UD : Vector.GP, 0);
            default:
                throw new GuestFault(Vector.UD, 0);
        }
    }

    private void checkTsc() {
        if ((cr4 & Cr.CR4_TSD) != 0 && cpl != 0) {
            throw new GuestFault(Vector.GP, 0);
        }
    }

    private void setTsc() {
        long tsc = System.nanoTime() - tscOrigin;
        r[Reg.RAX] = tsc & 0xFFFF_FFFFL;
        r[Reg.RDX] = tsc >>> 32;
    }

    private void loadSegment(int seg, int selector) {
        long base = 0;
        if ((selector & ~3) != 0 && gdtLimit != 0 && (selector & ~7) + 7 <= gdtLimit) {
            long d = mem.readSupervisor(gdtBase + (selector & ~7), 8);
            base = ((d >>> 16) & 0xFF_FFFFL) | ((d >>> 32) & 0xFF00_0000L);
        }
        switch (seg) {
            case 0: esSel = selector; break;
            case 2: ssSel = selector; break;
            case 3: dsSel = selector; break;
            case 4: fsSel = selector; if ((selector & ~3) != 0) { fsBase = base; } break;
            default: gsSel = selector; if ((selector & ~3) != 0) { gsBase = base; } break;
        }
    }

    private void writeCr(int n, long v) {
        switch (n) {
            case 0:
                if ((v & Cr.CR0_PG) != 0 && (v & Cr.CR0_PE) == 0 || (v >>> 32) != 0) {
                    throw new GuestFault(Vector.GP, 0);
                }
                cr0 = v | Cr.CR0_ET;
                mem.flush();
                return;
            case 2: cr2 = v; return;
            case 3: cr3 = v; mem.flush(); return;
            case 4:
                if ((v & Cr.CR4_PAE) == 0) {
                    throw new GuestFault(Vector.GP, 0);
                }
                cr4 = v;
                mem.flush();
                return;
            case 8: cr8 = v & 0xF; return;
            default: throw new GuestFault(Vector.UD, 0);
        }
    }

    private long readMsr(int index) {
        switch (index) {
            case Msr.IA32_TIME_STAMP_COUNTER: return System.nanoTime() - tscOrigin;
            case Msr.IA32_EFER: return efer;
            case Msr.IA32_STAR: return star;
            case Msr.IA32_LSTAR: return lstar;
            case Msr.IA32_CSTAR: return cstar;
            case Msr.IA32_FMASK: return sfmask;
            case Msr.IA32_FS_BASE: return fsBase;
            case Msr.IA32_GS_BASE: return gsBase;
            case Msr.IA32_KERNEL_GS_BASE: return kernelGsBase;
            case Msr.IA32_TSC_AUX: return tscAux;
            default: throw new GuestFault(Vector.GP, 0);
        }
    }

    private void writeMsr(int index, long v) {
        switch (index) {
            case Msr.IA32_EFER:
                // LMA follows LME while paging is on; this CPU never leaves long mode.
                efer = (v & (Cr.EFER_SCE | Cr.EFER_NXE)) | Cr.EFER_LME | Cr.EFER_LMA;
                mem.flush();
                return;
            case Msr.IA32_STAR: star = v; return;
            case Msr.IA32_LSTAR: requireCanonical(v); lstar = v; return;
            case Msr.IA32_CSTAR: requireCanonical(v); cstar = v; return;
            case Msr.IA32_FMASK: sfmask = v & 0xFFFF_FFFFL; return;
            case Msr.IA32_FS_BASE: requireCanonical(v); fsBase = v; return;
            case Msr.IA32_GS_BASE: requireCanonical(v); gsBase = v; return;
            case Msr.IA32_KERNEL_GS_BASE: requireCanonical(v); kernelGsBase = v; return;
            case Msr.IA32_TSC_AUX: tscAux = v & 0xFFFF_FFFFL; return;
            default: throw new GuestFault(Vector.GP, 0);
        }
    }

    private static void requireCanonical(long v) {
        if (!Mmu.canonical(v)) {
            throw new GuestFault(Vector.GP, 0);
        }
    }

    // --- the Cpu API -------------------------------------------------------------------------------------

    @Override
    public void requestPreemption() {
        preemptRequested = true;
    }

    @Override
    public TrapFrame lastTrap() {
        return frame;
    }

    @Override
    public long instructionsRetired() {
        return retired;
    }

    /** Traces compiled so far (tests). */
    long tracesCompiled() {
        return traces.compiled;
    }

    /** The compiled traces this CPU shares with the others of its factory (tests). */
    TraceCache traceCache() {
        return traces.cache;
    }

    /** Trace exits that went straight into another trace so far (tests). */
    long tracesLinked() {
        return traces.linked;
    }

    /** Traces joined to an exit of another so far (tests). */
    long tracesExtended() {
        return traces.extended;
    }

    /** Instructions retired by traces so far (tests). */
    long traceInstructionsRetired() {
        return traces.retired;
    }

    @Override
    public CpuStatistics statistics() {
        return new CpuStatistics(retired, retiredCompiled, blocksDecoded, blocksCompiled, codeWrites,
                codeInvalidations, blocksInvalidated, mem.walks, mem.flushes, mem.pageInvalidations,
                trapsByVector, runExits, traces.compiled, traces.retired, traces.invalidated,
                traces.instructionsCompiled, traces.compileNanos, traces.exits);
    }

    @Override
    public void setTrapHandler(int vector, int dpl, TrapHandler handler) {
        if (vector < 0 || vector > Vector.SYSCALL) {
            throw new IllegalArgumentException("vector " + vector + " outside 0..255 and SYSCALL (256)");
        }
        if (dpl < 0 || dpl > 3) {
            throw new IllegalArgumentException("DPL " + dpl + " outside 0..3");
        }
        handlers[vector] = handler;
        handlerDpl[vector] = dpl;
    }

    @Override
    public void setInterruptPin(InterruptPin newPin) {
        if (pinListener != null) {
            try {
                pinListener.close();
            } catch (Exception e) {
                LOG.debug("closing the old INTR listener failed", e);
            }
            pinListener = null;
        }
        pin = newPin;
        if (newPin != null) {
            pinListener = newPin.onAssert(() -> interruptSignal = true);
            interruptSignal = true;
        }
    }

    @Override
    public long reg(int reg) {
        return r[reg];
    }

    @Override
    public void setReg(int reg, long value) {
        if (reg < 0 || reg >= Reg.COUNT) {
            throw new IllegalArgumentException("register " + reg + " outside 0..15");
        }
        r[reg] = value;
    }

    @Override
    public long rip() {
        return rip;
    }

    @Override
    public void setRip(long newRip) {
        rip = newRip;
        halted = false;
    }

    @Override
    public long rflags() {
        return flagsValue();
    }

    @Override
    public void setRflags(long value) {
        loadRflags(value);
        alignmentCheckChanged();
    }

    @Override
    public int cs() {
        return csSel;
    }

    @Override
    public void setCs(int selector) {
        csSel = selector & 0xFFFF;
        setCpl(selector & 3);
    }

    @Override
    public int ss() {
        return ssSel;
    }

    @Override
    public void setSs(int selector) {
        ssSel = selector & 0xFFFF;
    }

    @Override
    public int cpl() {
        return cpl;
    }

    @Override
    public long fsBase() {
        return fsBase;
    }

    @Override
    public void setFsBase(long base) {
        fsBase = base;
    }

    @Override
    public long gsBase() {
        return gsBase;
    }

    @Override
    public void setGsBase(long base) {
        gsBase = base;
    }

    @Override
    public long cr(int n) {
        switch (n) {
            case 0: return cr0;
            case 2: return cr2;
            case 3: return cr3;
            case 4: return cr4;
            case 8: return cr8;
            default: throw new GuestFault(Vector.UD, 0);
        }
    }

    @Override
    public void setCr(int n, long value) {
        try {
            writeCr(n, value);
        } catch (GuestFault f) {
            throw new IllegalArgumentException("CR" + n + " cannot hold " + Long.toHexString(value), f);
        }
    }

    @Override
    public long msr(int index) {
        try {
            return readMsr(index);
        } catch (GuestFault f) {
            throw new IllegalArgumentException("no MSR " + Integer.toHexString(index), f);
        }
    }

    @Override
    public void setMsr(int index, long value) {
        try {
            writeMsr(index, value);
        } catch (GuestFault f) {
            throw new IllegalArgumentException("MSR " + Integer.toHexString(index) + " cannot hold "
                    + Long.toHexString(value), f);
        }
    }

    @Override
    public void setDescriptorTables(long gdtBase, int gdtLimit, long idtBase, int idtLimit, long tssBase) {
        this.gdtBase = gdtBase;
        this.gdtLimit = gdtLimit;
        this.idtBase = idtBase;
        this.idtLimit = idtLimit;
        this.tssBase = tssBase;
    }

    @Override
    public long xmmLow(int n) {
        return xmm[2 * n];
    }

    @Override
    public long xmmHigh(int n) {
        return xmm[2 * n + 1];
    }

    @Override
    public void setXmm(int n, long low, long high) {
        xmm[2 * n] = low;
        xmm[2 * n + 1] = high;
    }

    @Override
    public int mxcsr() {
        return mxcsr;
    }

    @Override
    public void setMxcsr(int value) {
        mxcsr = value & 0xFFFF;
    }

    /** The FXSAVE64 layout, the x87 pointers always included (as XSAVE stores them). */
    @Override
    public byte[] saveFpuState() {
        return fpuImage(true, true);
    }

    private byte[] fpuImage(boolean wide, boolean pointers) {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(512).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        x87.saveTo(bb, wide, pointers);
        bb.putInt(24, mxcsr);
        bb.putInt(28, 0xFFFF);
        for (int i = 0; i < 16; i++) {
            bb.putLong(160 + 16 * i, xmm[2 * i]);
            bb.putLong(168 + 16 * i, xmm[2 * i + 1]);
        }
        return bb.array();
    }

    @Override
    public void restoreFpuState(byte[] image) {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(image).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        x87.loadFrom(bb);
        x87.loadPointersFrom(bb, true);
        mxcsr = bb.getInt(24) & 0xFFFF;
        for (int i = 0; i < 16; i++) {
            xmm[2 * i] = bb.getLong(160 + 16 * i);
            xmm[2 * i + 1] = bb.getLong(168 + 16 * i);
        }
    }

    @Override
    public void flushTlb() {
        mem.flush();
    }

    @Override
    public void invalidateCode(long physicalAddress, long length) {
        boolean dropped = false;
        for (long a = physicalAddress & ~0xFFFL; a < physicalAddress + length; a += 0x1000) {
            long off = mem.bus.ramOffset(a);
            if (off >= 0 && mem.isCodePage(off >>> 12)) {
                dropped |= dropCode(off >>> 12);
            }
        }
        if (dropped) {
            codeInvalidations++;
        }
        codeModified = false;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("X86Core[rip=").append(Long.toHexString(rip));
        for (int i = 0; i < 16; i++) {
            sb.append(' ').append(Reg.name(i)).append('=').append(Long.toHexString(r[i]));
        }
        return sb.append(" rflags=").append(Long.toHexString(flagsValue())).append(']').toString();
    }
}
