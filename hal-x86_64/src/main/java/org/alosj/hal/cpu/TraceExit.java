package org.alosj.hal.cpu;

/** Why the CPU model's compiled code left a trace (a hot path compiled as one unit); see {@link CpuStatistics}. */
public enum TraceExit {
    /** A conditional branch went the other way than the trace's path. */
    BRANCH,
    /** The end of a path that does not loop. */
    END,
    /** A return or indirect jump went elsewhere than where the trace was recorded going. */
    INDIRECT,
    /** A store hit a page holding decoded code. */
    CODE_WRITE,
    /** The loop stopped for an interrupt, a stop request, the instruction budget or a TLB change. */
    CHECK,
    /** An instruction run through the interpreter ended the trace (a system instruction, a far or indirect branch). */
    HANDLER
}
