package org.alosj.cpu.x86_64.impl;

/**
 * One decoded instruction: the handler to run ({@link #op}) and its operands, resolved once
 * when the block is decoded. Register numbers index {@link CpuState#r}; {@link CpuState#ZERO}
 * stands for "no base/index", byte registers AH..BH are {@link CpuState#AH}+0..3.
 */
final class Insn {
    // Every field is part of the key of TraceCache (TraceCache.describe): a new one goes there too.
    int op;
    /** Operand size in bytes: 1, 2, 4 or 8. */
    int size;
    /** 64 minus the operand width in bits: {@code (v << shift) >> shift} sign-extends. */
    int shift;
    /** ModRM.reg (with REX.R), or the register in the opcode. */
    int reg;
    /** ModRM.rm register when mod = 3; -1 for a memory operand. */
    int rm = -1;
    int base = CpuState.ZERO;
    int index = CpuState.ZERO;
    int scale;
    long disp;
    /** 0 none, else {@link CpuState#SEG_FS} or {@link CpuState#SEG_GS}. */
    int seg;
    boolean addr32;
    /** Sub-operation (ALU kind, shift kind, SSE/x87 operation ...). */
    int aux;
    /** Condition code for Jcc/SETcc/CMOVcc, or a second sub-operation. */
    int cond;
    /** 0, or 0xF3 (REP/REPE), or 0xF2 (REPNE). */
    int rep;
    boolean lock;
    /** Stores to memory: the block checks for self-modifying code after it. */
    boolean writesMem;
    /** Bytes a memory operand spans (SSE and x87 operands; 16 for a full XMM). */
    int memWidth;
    /** The memory operand must be aligned to {@link #memWidth} (MOVAPS, MOVDQA ...), else #GP. */
    boolean aligned;
    long imm;
    long imm2;
    long rip;
    long next;

    boolean memOperand() {
        return rm < 0;
    }
}
