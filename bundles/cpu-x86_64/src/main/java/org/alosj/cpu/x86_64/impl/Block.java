package org.alosj.cpu.x86_64.impl;

/**
 * A run of decoded instructions starting at {@link #vaddr} and ending at a branch, a system
 * instruction or a page boundary. Keyed by linear and physical start address; invalidated when
 * a store hits one of its pages. Two successor links skip the lookup while the TLB generation
 * they were made under still holds.
 */
final class Block {
    final long vaddr;
    final long paddr;
    final Insn[] code;
    /** Where execution continues when the last instruction does not branch. */
    final long endRip;
    boolean valid = true;
    Block link0;
    int link0Generation;
    Block link1;
    int link1Generation;
    /** Runs so far while interpreted; at {@link X86Core#COMPILE_THRESHOLD} runs close together the block is compiled. */
    int runs;
    /** The block as a hidden class, once hot (see {@link BlockCompiler}). */
    BlockCompiler.Compiled compiled;
    /** Runs so far as a compiled block; at {@link X86Core#traceThreshold} a trace is recorded from it. */
    int hotRuns;
    /** Instructions the CPU had retired when the current window of {@link #runs} or {@link #hotRuns} began (X86Core#denseEnough). */
    long hotSince;
    /** The trace this block heads, once one was compiled (see {@link TraceCompiler}). */
    Trace trace;
    /** Traces this block is part of: invalidated with it. */
    java.util.List<Trace> inTraces;

    Block(long vaddr, long paddr, Insn[] code) {
        this.vaddr = vaddr;
        this.paddr = paddr;
        this.code = code;
        this.endRip = code[code.length - 1].next;
    }
}
