package org.alosj.cpu.x86_64.impl;

import static org.alosj.cpu.x86_64.impl.Bytecode.*;

import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.Vector;

/**
 * Compiles a {@link Trace} into one method of a hidden class:
 *
 * <pre>
 *   load the registers the trace names and the lazy flags into locals
 *   loop:                                 (a trace that returns to its head)
 *     block 0 .. block n-1, inline or through handlers, side exits where the path leaves
 *     count the iteration; leave on a stop request, interrupt, budget or TLB change; goto loop
 *   exits: set the exit number and position, then the shared epilogue writes the registers
 *          and flags back, sets RIP and the instructions retired, and returns the exit number
 *   fault handler: writes back what an inline instruction had not, records where, rethrows
 * </pre>
 *
 * Instruction counts stay exact: the position within the iteration is static, so an exit only
 * records it; completed iterations are counted in a local.
 *
 * <p>A trace extended at its hot exits ({@link TraceTier#extend}) has more segments, each
 * compiled as above after the ones before, entered from the exit of an earlier one it follows
 * instead of that exit's stub (the iteration count moved by the difference of positions, so
 * count plus position still gives the instructions retired); an exit back to the trace's head
 * goes round again as a back edge does ({@link Trace#selfEntry}).
 */
final class TraceCompiler extends TraceOps {
    /** HotSpot does not compile methods over 8,000 bytes of bytecode; stay well below. */
    static final int MAX_BYTECODE = 7_000;
    /** Instructions a looping trace runs between its checks for a stop request, an interrupt or a TLB change. */
    static final long CHECK_INTERVAL = 4_096;

    /**
     * Calls that return at once, made when a trace's class is defined, so that the JVM queues
     * it for C1 at once: a new trace otherwise ran in the JVM's interpreter until its calls
     * reached C1's threshold (200, tested every 128), each call a loop of up to a thousand
     * guest instructions there.
     */
    static final int PRIMING_CALLS = 256;

    /** Thrown when a trace would not fit {@link #MAX_BYTECODE}: the caller retries a shorter one. */
    static final class TooLarge extends Exception {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super(null, null, false, false);
        }
    }

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static final String RUN_EXIT = "Lorg/alosj/hal/cpu/RunExit;";

    private final Trace trace;
    private final List<Integer> exitCauses = new ArrayList<>();
    private final List<Integer> exitPositions = new ArrayList<>();
    private final List<Long> exitTargets = new ArrayList<>();
    /** Per segment after the first: the label its entry code is bound to, and what the code knew there. */
    private Bytecode.Label[] entries;
    private int[][] entryState;
    /** The first segment's head, and whether the exit {@link Trace#selfEntry} goes there was seen. */
    private Bytecode.Label head0;
    private int limit = MAX_BYTECODE;
    /** Whether {@link #inlinedBytes} counts against {@link #limit}. */
    private boolean countInlined;
    private boolean selfEntered;
    /**
     * Code placed after the body, emitted once the body is (a stub may add more). Anonymous
     * classes, not lambdas: the first trace is compiled while the JVM is cold, and a lambda's
     * first use spins its class and method handles (3-7 ms each then).
     */
    private final List<Runnable> stubs = new ArrayList<>();
    private final Bytecode.Label epilogue;
    private final Bytecode.Label exitWithTarget;
    private final Bytecode.Label exitWithPosition;
    private boolean handlerInBlock;
    /**
     * Each back edge's {@link #L_CHECK}: its own, so that every one goes through its check at
     * its first round of a call. The JVM compiles a branch it never saw taken as a trap: a back
     * edge that only ever reached its check at the end of the budget (short calls while a trace
     * warms up) threw its machine code away at its first interval check after them.
     */
    private int[] checkSlots;
    private int backEdgesEmitted;
    /** The registers the trace's instructions name: kept in locals. */
    private int named;

    private final BlockCompiler handlers;
    /** The inline instruction being emitted and its position, for {@link #tlbMiss}. */
    private Insn current;
    private int currentPos;
    /** The one exit all of the trace's TLB misses take ({@link #tlbMiss}), once one is emitted. */
    private Bytecode.Label missExit;

    /**
     * One exit for every memory access of the trace: the instruction's position is in
     * {@link #L_POS} already (each memory instruction records it before its first access, for
     * faults), so the exit passes it on in {@code cpu.blockPos} instead of a stub a position.
     */
    @Override
    Bytecode.Label tlbMiss() {
        if (current == null) {
            throw new IllegalStateException("a memory access outside an inline instruction");
        }
        if (positionSet != currentPos) {
            throw new IllegalStateException("a memory access before its instruction's position is recorded");
        }
        if (missExit == null) {
            Bytecode.Label exit = exitStub(-1, -1, Trace.EXIT_CHECK);
            missExit = b.label();
            stubs.add(new Runnable() {
                @Override
                public void run() {
                    b.bind(missExit);
                    b.op(ALOAD, L_CPU);
                    b.op(ICONST_1);
                    b.putField(CPU, "interpretNext", "Z");
                    b.op(ALOAD, L_CPU);
                    b.op(ILOAD, L_POS);
                    b.putField(CPU, "blockPos", "I");
                    b.jump(GOTO, exit);
                }
            });
        }
        return missExit;
    }

    private TraceCompiler(Trace trace, BlockCompiler handlers) {
        this.trace = trace;
        this.handlers = handlers;
        this.epilogue = b.label();
        this.exitWithTarget = b.label();
        this.exitWithPosition = b.label();
    }

    /**
     * The trace as a runnable method; its exits are set on the trace. Instructions not run
     * inline call the handlers the block compiler calls ({@link BlockCompiler#handlerOf}).
     * The same method compiled before from the same instructions comes from {@code cache}.
     */
    static Trace.Code compile(Trace trace, BlockCompiler handlers, TraceCache cache) throws TooLarge {
        return compile(trace, handlers, cache, MAX_BYTECODE, false);
    }

    /**
     * As {@link #compile(Trace, BlockCompiler, TraceCache)}, for a trace joined at exits
     * ({@link TraceTier#extend}): the method and what C2 inlines into it at its calls
     * ({@link #inlinedBytes}) at most {@code limit} bytes of bytecode. C2 stops inlining
     * once a method and its inlined callees reach 8,000 bytes, and the accesses past that point
     * became calls on the loop's path (a join of strcspn's token loop at 6,610 bytes ran a
     * third of its accesses through calls).
     */
    static Trace.Code compileJoined(Trace trace, BlockCompiler handlers, TraceCache cache, int limit) throws TooLarge {
        return compile(trace, handlers, cache, limit, true);
    }

    private static Trace.Code compile(Trace trace, BlockCompiler handlers, TraceCache cache, int limit,
            boolean countInlined) throws TooLarge {
        long[] key = TraceCache.key(trace, countInlined ? -limit : limit);
        TraceCache.Entry known = cache.find(key);
        if (known != null) {
            assert Arrays.equals(build(trace, handlers, limit, countInlined).build(), known.bytecode())
                    : "a trace cache hit would compile to other bytecode";
            trace.setExits(known.exitCauses(), known.exitPositions().clone(), known.exitTargets().clone());
            return known.code();
        }
        TraceCompiler c = build(trace, handlers, limit, countInlined);
        byte[] bytes = c.build();
        int[] positions = ints(c.exitPositions);
        long[] targets = longs(c.exitTargets);
        try {
            MethodHandles.Lookup hidden = LOOKUP.defineHiddenClass(bytes, true);
            // Through reflection, not a method handle: one call, where a handle to a new class
            // builds its own adapters first.
            Trace.Code code = (Trace.Code) hidden.lookupClass().getDeclaredConstructor().newInstance();
            for (int i = 0; i < PRIMING_CALLS; i++) {
                code.run(null, null, -1);
            }
            int[] causes = ints(c.exitCauses);
            trace.setExits(causes, positions, targets);
            cache.add(key, new TraceCache.Entry(code, causes, positions.clone(), targets.clone(), bytes));
            return code;
        } catch (Throwable e) {
            throw new IllegalStateException("trace compiler produced an invalid class", e);
        }
    }

    private static TraceCompiler build(Trace trace, BlockCompiler handlers, int limit, boolean countInlined) {
        TraceCompiler c = new TraceCompiler(trace, handlers);
        c.limit = limit;
        c.countInlined = countInlined;
        return c;
    }

    /** A RET's target, or #GP when it is not canonical (called by compiled traces). */
    static long canonicalTarget(long target) {
        if (!Mmu.canonical(target)) {
            throw new GuestFault(Vector.GP, 0);
        }
        return target;
    }

    /** The #GP(0) of a misaligned 16-byte SSE operand (called by compiled traces, which throw it). */
    static GuestFault generalProtection() {
        return new GuestFault(Vector.GP, 0);
    }

    // Loops, not streams: the first trace is compiled with the JVM cold, where a stream
    // pipeline loads some thirty classes and spins lambdas.
    private static int[] ints(List<Integer> list) {
        int[] a = new int[list.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = list.get(i);
        }
        return a;
    }

    private static long[] longs(List<Long> list) {
        long[] a = new long[list.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = list.get(i);
        }
        return a;
    }

    private byte[] build() throws TooLarge {
        named = 1 << Reg.RSP;
        for (Insn in : trace.code) {
            named |= registersNamed(in);
        }
        named &= 0xFFFF;
        for (Insn in : trace.code) {
            if (in.op == Op.SSE && TraceOps.isNative(in)) {
                xmmNamed |= xmmHalves(in);
            }
        }
        // A call with a negative budget only counts as a call (PRIMING_CALLS).
        Bytecode.Label body = b.label();
        b.op(LLOAD, L_REMAINING);
        b.op(LCONST_0);
        b.op(LCMP);
        b.jump(IFGE, body);
        b.pushInt(-1);
        b.op(IRETURN);
        b.bind(body);
        // Prologue: every local gets a value before the protected range, for the verifier.
        b.op(ALOAD, L_CPU);
        b.getField(CPU, "mem", "L" + MMU + ";");
        b.op(ASTORE, L_MEM);
        b.op(ALOAD, L_CPU);
        b.getField(CPU, "r", "[J");
        b.op(ASTORE, L_REGS);
        b.op(ALOAD, L_TRACE);
        b.getField(TRACE, "code", "[L" + INSN + ";");
        b.op(ASTORE, L_CODE);
        b.op(ALOAD, L_MEM);
        b.getField(MMU, "generation", "I");
        b.op(ISTORE, L_GEN);
        for (int r = 0; r < 16; r++) {
            if ((named & (1 << r)) != 0) {
                b.op(ALOAD, L_REGS);
                b.pushInt(r);
                b.op(0x2F); // laload
            } else {
                b.op(LCONST_0);
            }
            b.op(LSTORE, regSlot(r));
        }
        loadFlags();
        loadTlb();
        for (int slot : new int[] {L_N, L_T0, L_T1, L_T2, L_CHECK}) {
            b.op(LCONST_0);
            b.op(LSTORE, slot);
        }
        int backEdges = trace.selfEntry >= 0 ? 1 : 0;
        for (boolean loops : trace.segmentLoops) {
            backEdges += loops ? 1 : 0;
        }
        checkSlots = new int[Math.max(backEdges, 1)];
        checkSlots[0] = L_CHECK;
        for (int i = 1; i < checkSlots.length; i++) {
            checkSlots[i] = maxLocals() + 2 * (i - 1);
            b.op(LCONST_0);
            b.op(LSTORE, checkSlots[i]);
        }
        b.op(ICONST_0);
        b.op(ISTORE, L_POS);
        b.op(ICONST_0);
        b.op(ISTORE, L_EXIT);

        Bytecode.Label tryStart = b.label();
        b.bind(tryStart);
        int segments = trace.segmentStart.length;
        entries = new Bytecode.Label[segments];
        entryState = new int[segments][];
        for (int s = 0; s < segments; s++) {
            segment(s);
        }
        if (trace.selfEntry >= 0 && !selfEntered) {
            throw new TooLarge(); // the exit it was to turn round is not there
        }
        Bytecode.Label tryEnd = b.label();
        b.bind(tryEnd);
        for (int i = 0; i < stubs.size(); i++) {
            stubs.get(i).run(); // a stub may add more
        }
        exitsFromTables();
        // The epilogue: all exits write back the same way.
        b.bind(epilogue);
        storeRegisters(written);
        if (flagsWritten) {
            storeFlags();
        }
        b.op(ALOAD, L_CPU);
        b.op(LLOAD, L_T2);
        b.putField(CPU, "rip", "J");
        b.op(ALOAD, L_CPU);
        b.op(LLOAD, L_N);
        b.op(ILOAD, L_POS);
        b.op(I2L);
        b.op(LADD);
        b.putField(CPU, "traceRetired", "J");
        b.op(ILOAD, L_EXIT);
        b.op(IRETURN);
        // The fault handler: an inline instruction faulted with the locals as before it.
        Bytecode.Label handler = b.label();
        b.bind(handler);
        b.op(ASTORE, L_EXC);
        Bytecode.Label fromHandler = b.label();
        b.op(ILOAD, L_POS);
        b.pushInt(IN_HANDLER);
        b.op(0x7E); // iand
        b.jump(IFNE, fromHandler);
        storeRegisters(written);
        if (flagsWritten) {
            storeFlags();
        }
        b.bind(fromHandler);
        b.op(ALOAD, L_CPU);
        b.op(ILOAD, L_POS);
        b.putField(CPU, "blockPos", "I");
        b.op(ALOAD, L_CPU);
        b.op(LLOAD, L_N);
        b.putField(CPU, "traceRetired", "J");
        b.op(ALOAD, L_EXC);
        b.op(ATHROW);
        // The handler covers only what may throw a guest fault (Bytecode#faultSites): over the
        // whole body, C2 took 480-590 ms to compile strcspn's joined trace, against 400-440 ms
        // (no handler at all: 360-400 ms), and a first run waits for that code.
        int from = -1;
        int to = -1;
        for (int[] site : b.faultSites) {
            if (site[0] < tryStart.at || site[1] > tryEnd.at) {
                continue;
            }
            if (site[0] != to) {
                faultRange(from, to, handler);
                from = site[0];
            }
            to = site[1];
        }
        faultRange(from, to, handler);
        if (b.size() > limit + 1_000 || countInlined && b.size() + inlinedBytes() > limit) {
            throw new TooLarge();
        }
        return b.build(PKG + "CompiledTrace", PKG + "Trace$Code", "run",
                "(L" + CPU + ";L" + TRACE + ";J)I", 12, maxLocals() + 2 * (checkSlots.length - 1));
    }

    /** The fault handler over the code from {@code from} to {@code to}, when not empty. */
    private void faultRange(int from, int to, Bytecode.Label handler) {
        if (from < to) {
            Bytecode.Label start = b.label();
            Bytecode.Label end = b.label();
            start.at = from;
            end.at = to;
            b.handler(start, end, handler, PKG + "GuestFault");
        }
    }

    /** The general registers written by the instructions run inline from {@code from} to {@code to} of the code. */
    private int writtenInline(int from, int to) {
        int m = 0;
        for (int k = from; k < to; k++) {
            Insn in = trace.code[k];
            if (TraceOps.isNative(in) && (in.op != Op.SSE || in.aux >>> 2 == 0xD7)) {
                m |= registersNamed(in);
            }
        }
        return m & named;
    }

    /**
     * Segment {@code s}: the first runs from the method's entry; a later one from the exit of
     * an earlier one it was attached at ({@link #exitLabel}), with what the code there knew
     * (which locals differ from cpu), and with the iteration count moved so that count plus
     * position still gives the instructions retired.
     */
    private void segment(int s) throws TooLarge {
        Block[] blocks = trace.blocks;
        int from = trace.segmentStart[s];
        int to = trace.segmentEnd(s);
        int base = trace.segmentBase(s);
        Block head = blocks[from];
        boolean loops = trace.segmentLoops[s];
        int end = base;
        for (int j = from; j < to; j++) {
            end += blocks[j].code.length;
        }
        // At a loop head the previous iteration's writes are not in cpu.r yet.
        int loopDirty = loops ? writtenInline(base, end) : 0;
        if (s == 0) {
            if (trace.selfEntry >= 0) {
                // Also entered from the exit that comes round through the other segments.
                loopDirty = writtenInline(0, trace.code.length);
            }
            dirty = loopDirty;
            flagsDirty = loops || trace.selfEntry >= 0;
            sseChecked = false;
        } else {
            if (entries[s] == null) {
                throw new TooLarge(); // the exit it was to follow is not there
            }
            b.bind(entries[s]);
            int[] st = entryState[s];
            b.op(LLOAD, L_N);
            b.pushLong((long) trace.segmentEntry[s] - base);
            b.op(LADD);
            b.op(LSTORE, L_N);
            dirty = st[0] | loopDirty;
            flagsDirty = st[1] != 0 || loops;
            sseChecked = st[2] != 0;
            handlerInBlock = true; // a handler may have set an exit before the one it follows
            blockBoundary(base, head.vaddr);
        }
        flagKind = -1;
        Bytecode.Label loop = b.label();
        b.bind(loop);
        if (s == 0) {
            head0 = loop;
        }
        int k = base;
        for (int j = from; j < to; j++) {
            Block blk = blocks[j];
            if (j > from) {
                blockBoundary(k, blk.vaddr);
            }
            handlerInBlock = false;
            boolean last = j == to - 1;
            long successor = !last ? blocks[j + 1].vaddr : loops ? head.vaddr : -1;
            for (int i = 0; i < blk.code.length; i++, k++) {
                Insn in = blk.code[i];
                boolean ends = i == blk.code.length - 1;
                if (TraceOps.isNative(in)) {
                    current = in;
                    currentPos = k;
                    positionSet = -1;
                    emitNative(k, in);
                    current = null;
                    // No check for a store into code: the write TLB the inline stores test never maps such a page.
                    if (ends) {
                        control(k, in, blk, successor);
                    }
                } else {
                    viaHandler(k, in, ends ? blk.endRip : -1);
                    if (ends && (successor < 0 || !TraceRecorder.continues(in))) {
                        // Its handler decided where to go.
                        b.op(ALOAD, L_CPU);
                        b.getField(CPU, "rip", "J");
                        b.op(LSTORE, L_T2);
                        exitNow(k + 1, -1, Trace.EXIT_HANDLER);
                    }
                }
                if (b.size() + (countInlined ? inlinedBytes() : 0) > limit) {
                    throw new TooLarge();
                }
            }
        }
        if (loops) {
            backEdge(base, k - base, head.vaddr, loop);
        }
    }

    /** The branch, call or return ending a block inline; {@code successor} is where the trace goes on, or -1. */
    private void control(int k, Insn in, Block blk, long successor) {
        switch (in.op) {
            case Op.JCC -> {
                if (successor == in.imm && successor == in.next) {
                    return;
                }
                if (successor == in.imm) {
                    sideExit(in.cond ^ 1, k + 1, in.next, Trace.EXIT_BRANCH);
                } else if (successor == in.next) {
                    sideExit(in.cond, k + 1, in.imm, Trace.EXIT_BRANCH);
                } else {
                    sideExit(in.cond, k + 1, in.imm, Trace.EXIT_END);
                    exitNow(k + 1, in.next, Trace.EXIT_END);
                }
            }
            case Op.JMP_REL, Op.CALL_REL -> {
                if (successor != in.imm) {
                    exitNow(k + 1, in.imm, Trace.EXIT_END);
                }
            }
            case Op.RET -> {
                // The target is in T2: go on only where the trace was recorded going.
                if (successor < 0) {
                    exitNow(k + 1, -1, Trace.EXIT_INDIRECT);
                    return;
                }
                Bytecode.Label miss = exitLabel(k + 1, -1, Trace.EXIT_INDIRECT);
                b.op(LLOAD, L_T2);
                b.pushLong(successor);
                b.op(LCMP);
                b.jump(IFNE, miss);
            }
            default -> {
                if (successor != blk.endRip) {
                    exitNow(k + 1, blk.endRip, Trace.EXIT_END);
                }
            }
        }
    }

    /** Runs {@code in} through its interpreter handler, with the locals spilled before and reloaded after. */
    private void viaHandler(int k, Insn in, long ripBefore) {
        handlerInBlock = true;
        int reads = handlerReads(in);
        if (reads >= 0 && ripBefore < 0) {
            viaNarrowHandler(k, in, reads);
            return;
        }
        spillRegisters();
        spillFlags();
        position(k | IN_HANDLER);
        if (ripBefore >= 0) {
            // As the interpreter: RIP is the block's fall-through address while its last instruction runs.
            b.op(ALOAD, L_CPU);
            b.pushLong(ripBefore);
            b.putField(CPU, "rip", "J");
        }
        callHandler(k, in);
        loadRegisters(named);
        loadFlags();
        loadXmm(-1);
        if (in.writesMem) {
            // The last instruction of a block may have branched: the handler set RIP.
            codeWriteCheck(k, in.next, ripBefore >= 0);
        }
    }

    /**
     * Runs {@code in} through its handler spilling only the registers it reads ({@code reads})
     * and, when it uses them, the flags; reloading only what it writes. The position is an
     * ordinary one: these handlers fault before they change any register or flag, so the fault
     * handler writes the locals back as for an inline instruction.
     */
    private void viaNarrowHandler(int k, Insn in, int reads) {
        // Written ones too: a write of 8 or 16 bits merges into what cpu.r holds.
        int spill = reads | handlerWrites(in);
        for (int r = 0; r < 16; r++) {
            if ((spill & dirty & (1 << r)) != 0) {
                b.op(ALOAD, L_REGS);
                b.pushInt(r);
                b.op(LLOAD, regSlot(r));
                b.op(0x50); // lastore
                dirty &= ~(1 << r);
            }
        }
        boolean flags = handlerUsesFlags(in);
        if (flags) {
            spillFlags();
        }
        position(k);
        callHandler(k, in);
        loadRegisters(handlerWrites(in) & named);
        if (in.op == Op.SSE) {
            loadXmm(xmmHalves(in));
        }
        if (flags) {
            loadFlags();
        }
        if (in.writesMem) {
            codeWriteCheck(k, in.next, false);
        }
    }

    private void callHandler(int k, Insn in) {
        String h = handlers.handlerOf(in);
        int slash = h.indexOf('/');
        String args = slash < 0 ? "" : h.substring(slash + 1);
        b.op(ALOAD, L_CPU);
        b.op(ALOAD, L_CODE);
        b.pushInt(k);
        b.op(AALOAD);
        for (char c : args.toCharArray()) {
            b.pushInt(c == 'K' ? in.aux : c == 'C' ? in.cond : c == 'D' ? SseUnit.directKind(in.aux) : in.size);
        }
        b.invokeVirtual(CPU, slash < 0 ? h : h.substring(0, slash), "(L" + INSN + ";" + "I".repeat(args.length()) + ")V");
        inlinedBeyondCalls += INLINED_PER_HANDLER - INLINED_PER_CALL;
    }

    /**
     * The general registers (bits 0..15) the handler of {@code in} reads, when that, the
     * registers of {@link #handlerWrites}, memory, the XMM state, MXCSR and (see
     * {@link #handlerUsesFlags}) the flags are all it touches; -1 when it may touch more.
     */
    static int handlerReads(Insn in) {
        switch (in.op) {
            case Op.SSE: {
                int k = in.aux;
                if (k >= SseExtensions.BASE) {
                    return -1;
                }
                int m = in.rm < 0 ? gprBits(in.base) | gprBits(in.index) : 0;
                switch (k >>> 2) {
                    case 0x2A, 0x6E, 0xC4 -> m |= gprBits(in.rm);
                    default -> { }
                }
                return m;
            }
            case Op.ALU_RR, Op.ALU_RI, Op.ALU_RM, Op.ALU_MR, Op.ALU_MI, Op.UNARY, Op.XCHG_RR, Op.XCHG_MR:
                return registersNamed(in);
            case Op.SHIFT:
                return registersNamed(in) | (in.cond == 1 ? 1 << Reg.RCX : 0);
            default:
                return -1;
        }
    }

    /** The general registers the handler of an instruction {@link #handlerReads} accepts may write. */
    static int handlerWrites(Insn in) {
        if (in.op != Op.SSE) {
            return registersNamed(in) & 0xFFFF;
        }
        int k = in.aux;
        switch (k >>> 2) {
            case 0x2C, 0x2D, 0x50, 0xC5, 0xD7:
                return gprBits(in.reg);
            case 0x7E:
                return (k & 3) == Decoder.PFX_66 ? gprBits(in.rm) : 0;
            default:
                return 0;
        }
    }

    /** Whether the handler of an instruction {@link #handlerReads} accepts reads or writes the flags. */
    static boolean handlerUsesFlags(Insn in) {
        if (in.op != Op.SSE) {
            return in.op != Op.XCHG_RR && in.op != Op.XCHG_MR;
        }
        int op = in.aux >>> 2;
        return op == 0x2E || op == 0x2F;
    }

    private static int gprBits(int r) {
        if (r >= CpuState.AH && r < CpuState.AH + 4) {
            r -= CpuState.AH;
        }
        return r >= 0 && r < 16 ? 1 << r : 0;
    }

    /**
     * After a store: leave if it hit a page holding decoded code (this trace's blocks may be
     * gone), for {@code next}, or where the handler set RIP when {@code ripFromCpu}.
     */
    private void codeWriteCheck(int k, long next, boolean ripFromCpu) {
        Bytecode.Label exit = exitLabel(k + 1, ripFromCpu ? -1 : next, Trace.EXIT_CODE_WRITE);
        Bytecode.Label on = b.label();
        b.op(ALOAD, L_CPU);
        b.getField(CPU, "codeModified", "Z");
        b.jump(IFEQ, on);
        if (ripFromCpu) {
            b.op(ALOAD, L_CPU);
            b.getField(CPU, "rip", "J");
            b.op(LSTORE, L_T2);
        }
        b.jump(GOTO, exit);
        b.bind(on);
    }

    /**
     * Between blocks: the run loop would stop here when a handler set an exit. No budget test:
     * the method is entered, and goes round a loop, only while the budget covers the whole
     * trace ({@link #backEdge}), so it cannot run out before the next back edge.
     */
    private void blockBoundary(int k, long vaddr) {
        if (handlerInBlock) {
            Bytecode.Label stop = exitLabel(k, vaddr, Trace.EXIT_CHECK);
            b.op(ALOAD, L_CPU);
            b.getField(CPU, "exit", RUN_EXIT);
            b.jump(IFNONNULL, stop);
        }
    }

    /**
     * A loop's back edge (the loop of the segment from position {@code base}): count the
     * iteration; go round again while the instructions retired at its head are below
     * its {@link #L_CHECK} (and no handler of the last block set an exit). Only there, every
     * {@link #CHECK_INTERVAL} instructions or so, does it check what the run loop checks between
     * blocks: the budget (go round only while it covers the whole trace, every instruction of
     * every segment, the most that can run before the next back edge: {@code L_CHECK} never
     * passes the budget less that, so counts stay exact with no test between blocks), a stop request
     * or interrupt (volatile: another thread sets them), and the trace's validity and the TLB
     * generation, which only this CPU's thread changes, and only in instructions that end a
     * trace or through a store into code, which leaves it at once.
     */
    private void backEdge(int base, int length, long head, Bytecode.Label loop) {
        int checkSlot = checkSlots[backEdgesEmitted++];
        b.op(LLOAD, L_N);
        b.pushLong(length);
        b.op(LADD);
        b.op(LSTORE, L_N);
        Bytecode.Label stop = exitLabel(base, head, Trace.EXIT_CHECK);
        if (handlerInBlock) {
            b.op(ALOAD, L_CPU);
            b.getField(CPU, "exit", RUN_EXIT);
            b.jump(IFNONNULL, stop);
        }
        Bytecode.Label check = b.label();
        retiredAt(base);
        b.op(LLOAD, checkSlot);
        b.op(LCMP);
        b.jump(IFGE, check);
        b.jump(GOTO, loop);
        stubs.add(new Runnable() {
            @Override
            public void run() {
                b.bind(check);
                retiredAt(base);
                b.pushLong(trace.code.length);
                b.op(LADD);
                b.op(LLOAD, L_REMAINING);
                b.op(LCMP);
                b.jump(IFGT, stop);
                b.op(ALOAD, L_CPU);
                b.getField(CPU, "preemptRequested", "Z");
                b.jump(IFNE, stop);
                b.op(ALOAD, L_CPU);
                b.getField(CPU, "interruptSignal", "Z");
                b.jump(IFNE, stop);
                b.op(ALOAD, L_TRACE);
                b.getField(TRACE, "valid", "Z");
                b.jump(IFEQ, stop);
                b.op(ALOAD, L_MEM);
                b.getField(MMU, "generation", "I");
                b.op(ILOAD, L_GEN);
                b.jump(0xA0, stop); // if_icmpne
                // L_CHECK = min(retired + CHECK_INTERVAL, remaining - trace length + 1)
                retiredAt(base);
                b.pushLong(CHECK_INTERVAL);
                b.op(LADD);
                b.op(LLOAD, L_REMAINING);
                b.pushLong(trace.code.length - 1L);
                b.op(LSUB);
                b.invokeStatic("java/lang/Math", "min", "(JJ)J");
                b.op(LSTORE, checkSlot);
                b.jump(GOTO, loop);
            }
        });
    }

    /** Pushes the instructions retired at position {@code pos} of this iteration: N + pos. */
    private void retiredAt(int pos) {
        b.op(LLOAD, L_N);
        if (pos != 0) {
            b.pushLong(pos);
            b.op(LADD);
        }
    }

    private void sideExit(int cc, int pos, long target, int cause) {
        branchIf(cc, exitLabel(pos, target, cause));
    }

    private void exitNow(int pos, long target, int cause) {
        b.jump(GOTO, exitLabel(pos, target, cause));
    }

    /**
     * A new exit: a stub, placed after the trace body, that records the exit number, the
     * position ({@code pos} instructions of this iteration done) and the target ({@code -1}:
     * already in T2), then joins the epilogue.
     */
    private Bytecode.Label exitLabel(int pos, long target, int cause) {
        if ((cause == Trace.EXIT_BRANCH || cause == Trace.EXIT_END) && pos == trace.selfEntry && !selfEntered
                && target == trace.blocks[0].vaddr) {
            // Round again from the head, checking as a loop's back edge does.
            selfEntered = true;
            Bytecode.Label l = b.label();
            stubs.add(new Runnable() {
                @Override
                public void run() {
                    b.bind(l);
                    handlerInBlock = true;
                    backEdge(0, pos, target, head0);
                }
            });
            return l;
        }
        if ((cause == Trace.EXIT_BRANCH || cause == Trace.EXIT_END) && target != -1) {
            // The exit a later segment follows: into that segment instead.
            for (int s = 1; s < entries.length; s++) {
                if (entries[s] == null && trace.segmentEntry[s] == pos
                        && trace.blocks[trace.segmentStart[s]].vaddr == target) {
                    entries[s] = b.label();
                    entryState[s] = new int[] {dirty, flagsDirty ? 1 : 0, sseChecked ? 1 : 0};
                    return entries[s];
                }
            }
        }
        if (cause == Trace.EXIT_INDIRECT && target == -1) {
            // A return joined to the segment it went to: there when the target in T2 is its head.
            for (int s = 1; s < entries.length; s++) {
                if (entries[s] == null && trace.segmentEntry[s] == pos) {
                    entries[s] = b.label();
                    entryState[s] = new int[] {dirty, flagsDirty ? 1 : 0, sseChecked ? 1 : 0};
                    Bytecode.Label guard = b.label();
                    Bytecode.Label miss = exitStub(pos, target, cause);
                    Bytecode.Label entry = entries[s];
                    long expected = trace.blocks[trace.segmentStart[s]].vaddr;
                    stubs.add(new Runnable() {
                        @Override
                        public void run() {
                            b.bind(guard);
                            b.op(LLOAD, L_T2);
                            b.pushLong(expected);
                            b.op(LCMP);
                            b.jump(IFNE, miss);
                            b.jump(GOTO, entry);
                        }
                    });
                    return guard;
                }
            }
        }
        return exitStub(pos, target, cause);
    }

    /** An exit of its own: the stub that records it and joins the epilogue. */
    private Bytecode.Label exitStub(int pos, long target, int cause) {
        Bytecode.Label l = b.label();
        int id = exitCauses.size();
        exitCauses.add(cause);
        exitPositions.add(pos);
        exitTargets.add(target);
        stubs.add(new Runnable() {
            @Override
            public void run() {
                b.bind(l);
                b.pushInt(id);
                if (pos < 0) {
                    // The position is in L_POS already.
                    b.op(ISTORE, L_EXIT);
                    b.jump(GOTO, epilogue);
                } else {
                    b.jump(GOTO, target != -1 ? exitWithTarget : exitWithPosition);
                }
            }
        });
        return l;
    }

    /**
     * Where the exit stubs join the epilogue, their number on the stack: the position and the
     * target come from the trace's tables ({@link Trace#exitPos}, {@link Trace#exitTarget}), so
     * a stub is a push and a jump (5 or 6 bytes instead of 18: a joined trace of strcspn's token
     * loop has 47 exits, and C2 compiles a method only whole, under its bytecode limits).
     */
    private void exitsFromTables() {
        b.bind(exitWithTarget);
        b.op(DUP);
        b.op(ISTORE, L_EXIT);
        b.op(ALOAD, L_TRACE);
        b.getField(TRACE, "exitTarget", "[J");
        b.op(ILOAD, L_EXIT);
        b.op(0x2F); // laload
        b.op(LSTORE, L_T2);
        b.bind(exitWithPosition);
        b.op(ISTORE, L_EXIT);
        b.op(ALOAD, L_TRACE);
        b.getField(TRACE, "exitPos", "[I");
        b.op(ILOAD, L_EXIT);
        b.op(0x2E); // iaload
        b.op(ISTORE, L_POS);
    }
}
