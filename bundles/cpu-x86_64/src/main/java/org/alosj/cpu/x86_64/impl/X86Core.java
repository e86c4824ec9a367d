package org.alosj.cpu.x86_64.impl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.CpuStatistics;
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
 * and the {@link Cpu} API; the system instructions are {@link SystemInstructions}', the ring
 * transitions {@link RingTransitions}'.
 */
public final class X86Core extends SystemInstructions {
    private static final Logger LOG = LoggerFactory.getLogger("hw.cpu");
    private static final int MAX_BLOCK = 64;
    private static final int CACHE_BITS = 14;
    /** Interpreted runs before a block is compiled: enough to skip code that runs a few times. */
    static final int COMPILE_THRESHOLD = 64;
    /** Runs of a compiled block before a trace is recorded from it. */
    static final int TRACE_THRESHOLD = 256;
    /** The most instructions retired on average between a block's runs for it to be compiled, or traced ({@link #denseEnough}). */
    static final int HOT_SPACING = 1_024;
    /** Windows of {@link #compileThreshold} or {@link #traceThreshold} runs after which a block is compiled, or traced, however sparse its runs. */
    static final int LUKEWARM_WINDOWS = 64;

    private final Decoder decoder;
    private final SseUnit sse;
    final X87Unit x87;
    private final Block[] cache = new Block[1 << CACHE_BITS];
    /** The machine's block compiler (its classes serve every CPU of the factory). */
    private final BlockCompiler compiler;
    /** Interpreted runs after which a block is compiled (package-private for the tests). */
    int compileThreshold = COMPILE_THRESHOLD;
    /** Compiled runs after which a trace is recorded from a block; 0 turns traces off (package-private for the tests). */
    int traceThreshold = TRACE_THRESHOLD;
    /** Exits straight into one other trace before it is joined to the exit (package-private for the tests). */
    int extendAfter = TraceTier.EXTEND_AFTER;
    /** Tests: every block becomes the head of a statically formed trace when it first runs. */
    boolean traceOnFirstRun;
    /**
     * Set by a trace that left at a memory access its TLB did not map, with the instruction's
     * position in {@link #blockPos}: the rest of that block is interpreted ({@link #finishBlock}).
     */
    boolean interpretNext;
    private final TraceTier traces;
    private final TraceRecorder recorder;
    /** The trace that ran last and the exit it left by: the dispatcher's chaining slot. */
    private Trace chainFrom;
    private int chainExit;
    /** Exit causes ({@link Trace#EXIT_BRANCH} ...) after which the run loop decides what runs next. */
    private static final int UNLINKED_EXITS = 1 << Trace.EXIT_CHECK | 1 << Trace.EXIT_HANDLER;
    /** The block the run loop ran last, when it ended normally: its successor links are tried first. */
    private Block prevBlock;
    /**
     * {@link #cachedBlock} for the recorder: a class of its own, not a method reference, which
     * the JVM would spin at its first use, the first trace, while it is cold.
     */
    private final LongFunction<Block> cachedBlocks = new LongFunction<>() {
        @Override
        public Block apply(long pc) {
            return cachedBlock(pc);
        }
    };
    /** Set by a compiled trace when it returns or faults: the instructions it retired. */
    long traceRetired;
    private final Map<Long, List<Block>> blocksByPage = new HashMap<>();

    // Read by compiled traces at their back edge.
    volatile boolean preemptRequested;
    volatile boolean interruptSignal;
    private InterruptPin pin;
    private AutoCloseable pinListener;
    private long retired;

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
        this(bus, traceCache, new BlockCompiler());
    }

    X86Core(MemoryBus bus, TraceCache traceCache, BlockCompiler blocks) {
        super(bus);
        this.compiler = blocks;
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
        prevBlock = null;
        // The loop's body is a method of its own: the JVM compiles a method by its calls, after a
        // few hundred, but a loop in a method called rarely (once per system call here) only by
        // on-stack replacement, after tens of thousands of rounds in its interpreter.
        RunExit why;
        do {
            why = dispatch(limit);
        } while (why == null);
        return why;
    }

    /** One round of the run loop: a block or trace run, or an event taken; the reason to stop, or null to go on. */
    private RunExit dispatch(long limit) {
        Block prev = prevBlock;
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
            prevBlock = null;
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
                prevBlock = null;
                return exit;
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
            prevBlock = null;
            return exit;
        }
        if (recorder.recording()) {
            TraceRecorder.Path done = recorder.next(b);
            if (done != null) {
                traces.install(TraceRecorder.preferLoop(done, cachedBlocks));
            }
        }
        prevBlock = execute(b, limit) ? b : null;
        if (prevBlock == null && recorder.recording()) {
            recorder.abort();
        }
        return exit;
    }

    /** Runs one block; false when it ended abnormally (fault, self-modifying store). */
    private boolean execute(Block b, long limit) {
        Insn[] code = b.code;
        // A trace runs only while the budget covers all of it (Trace.Code#run); the blocks run the rest.
        if (b.trace != null) {
            if (!traces.usable(b.trace)) {
                b.trace = null;
                b.hotRuns = 0;
            } else if (limit - retired >= b.trace.code.length) {
                return executeTrace(b.trace, limit);
            }
        } else if (traceOnFirstRun && b.paddr >= 0 && b.hotRuns == 0) {
            b.hotRuns = 1;
            traces.install(TraceRecorder.formStatically(b, this::findBlockOrNull));
            if (b.trace != null && limit - retired >= b.trace.code.length) {
                return executeTrace(b.trace, limit);
            }
        }
        rip = b.endRip;
        if (b.compiled != null) {
            // Record at the threshold, and again every so often while no trace came of it (a
            // recording was already under way, or the path was cut short, or it ran too sparsely).
            if (++b.hotRuns % Math.max(traceThreshold, 1) == 0 && traceThreshold > 0 && b.trace == null
                    && denseEnough(b, traceThreshold, b.hotRuns) && !recorder.recording()) {
                TraceRecorder.Path done = recorder.start(b);
                if (done != null) {
                    traces.install(TraceRecorder.preferLoop(done, cachedBlocks));
                }
            }
            return executeCompiled(b.compiled, code);
        }
        if (++b.runs % compileThreshold == 0 && b.paddr >= 0 && denseEnough(b, compileThreshold, b.runs)) {
            b.compiled = compiler.compile(code);
            b.hotSince = retired;
            blocksCompiled++;
            return executeCompiled(b.compiled, code);
        }
        return interpret(code, 0);
    }

    /**
     * Whether {@code b}'s last {@code window} runs (interpreted, or compiled) came on average at
     * most {@link #HOT_SPACING} instructions apart, or it has run {@code runs}, {@link
     * #LUKEWARM_WINDOWS} windows or more: starts the next window. A loop body runs every few
     * dozen instructions; a shell's interpreter (busybox sh's 1,000-round while loop, 12.9 M
     * instructions) runs each of its blocks every 2-32 k. Compiled, such a block is one more
     * class the JVM runs in its interpreter and compiles with profiling, slower than this
     * model's interpreter already compiled; traced, a method that exits every 22 instructions.
     */
    private boolean denseEnough(Block b, int window, int runs) {
        long since = b.hotSince;
        b.hotSince = retired;
        return retired - since <= (long) window * HOT_SPACING || runs >= (long) window * LUKEWARM_WINDOWS;
    }

    /** Interprets a block's instructions from {@code from} to its end (RIP already its fall-through); as {@link #execute}. */
    private boolean interpret(Insn[] code, int from) {
        int i = from;
        try {
            for (; i < code.length; i++) {
                Insn in = code[i];
                exec(in);
                if (in.writesMem && codeModified) {
                    codeModified = false;
                    if (i + 1 < code.length) {
                        rip = in.next;
                    }
                    retired += i + 1 - from;
                    return false;
                }
            }
            retired += code.length - from;
            return true;
        } catch (GuestFault f) {
            retired += i - from;
            codeModified = false;
            exception(f.vector, f.errorCode, code[i].rip);
            return false;
        }
    }

    /**
     * After a trace left at a memory access its TLB did not map ({@link #interpretNext}): the
     * rest of that block, from the instruction, in the interpreter, as a block runs, before
     * anything is checked (the interpreter's access fills the TLB, or reaches MMIO or code).
     */
    private boolean finishBlock(Trace t, int pos) {
        int at = 0;
        for (Block blk : t.blocks) {
            if (pos < at + blk.code.length) {
                rip = blk.endRip;
                return interpret(blk.code, pos - at);
            }
            at += blk.code.length;
        }
        throw new IllegalStateException("trace exit at " + pos + " past its " + at + " instructions");
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
                    // Plus the trace's length, which the budget must cover for a loop to go round.
                    budget = Math.min(budget, Trace.WARM_UP_SLICE + t.code.length);
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
            if (interpretNext) {
                interpretNext = false;
                return finishBlock(t, blockPos);
            }
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
            long hits = ++t.exitHits[exitId];
            // "First hit, or enough for a join" as one test, without a branch of its own for
            // either: C2 compiles a branch never taken so far as a trap, and the first join (in
            // a first run, long after C2 compiled this method) threw its machine code away.
            // First hits come from the start, so this one test is seen both ways early.
            long notFirst = (hits - 1 | 1 - hits) >>> 63;
            long enough = (extendAfter - 1 - hits) >>> 63;
            if ((notFirst ^ 1 | enough) != 0) {
                countLinkedExit(t, exitId, next, (int) hits);
            }
            t = next;
        }
    }

    /**
     * Exit {@code exitId} of {@code t} led straight into {@code next} for the {@code hits}th
     * time: its first, or enough for a join.
     */
    private void countLinkedExit(Trace t, int exitId, Trace next, int hits) {
        if (hits == 1) {
            t.exitCountedFrom[exitId] = retired;
        }
        if (hits >= extendAfter) {
            // Joined only when such exits are frequent: an exit every few hundred
            // instructions costs a tenth of the time; rarer ones are not worth a new
            // method, which the JVM compiles again from its interpreter up.
            if (retired - t.exitCountedFrom[exitId] <= (long) extendAfter * TraceTier.EXTEND_SPACING) {
                traces.extend(t, exitId, next);
                t.exitHits[exitId] = Integer.MIN_VALUE; // once: it is installed, or cannot be
            } else {
                t.exitHits[exitId] = 0;
            }
        }
    }

    /**
     * The trace to run straight after exit {@code exitId} of {@code t}: the one headed by the
     * block the run loop found after that exit last time, when it is where RIP is now and the
     * run loop would run it next anyway (budget for all of it, no stop request, interrupt, single step,
     * recording or exit a handler set); else null.
     */
    private Trace linkedTrace(Trace t, int exitId, int cause, long limit) {
        // One test for both causes: two branches, one of them (handler exits) rare, would have
        // C2 compile it as a trap and throw its code away at the first such exit.
        if ((1 << cause & UNLINKED_EXITS) != 0) {
            return null;
        }
        Block b = t.exitLink[exitId];
        if (b == null || b.trace == null || b.vaddr != rip || t.exitLinkGeneration[exitId] != mem.generation
                || !b.valid || limit - retired < b.trace.code.length || exit != null || preemptRequested || interruptSignal
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
        b.hotSince = retired;
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
        List<Block> onPage = blocksByPage.get(ramPage); // no lambda: the first block is decoded with the JVM cold
        if (onPage == null) {
            onPage = new ArrayList<>();
            blocksByPage.put(ramPage, onPage);
        }
        onPage.add(b);
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

    // --- the x87 and SSE units ---------------------------------------------------------------------------

    /** SSE3, SSSE3, SSE4 and CRC32 instructions executed so far. */
    long extensionInstructionsExecuted() {
        return sse.extensionsExecuted;
    }

    /** The SSE unit (its statistics, and the state compiled traces reach through it). */
    @Override
    SseUnit sseUnit() {
        return sse;
    }

    @Override
    X87Unit x87Unit() {
        return x87;
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

    /** Traces joined at a return to the trace it went to so far (tests). */
    long returnsJoined() {
        return traces.returnsJoined;
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
