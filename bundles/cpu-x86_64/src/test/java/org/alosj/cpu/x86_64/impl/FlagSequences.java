package org.alosj.cpu.x86_64.impl;

import java.io.ByteArrayOutputStream;
import org.alosj.hal.cpu.Rflags;

/**
 * Flag-chaining sequences for the differential test: register-only instructions in a row, each
 * from a random form of {@link CaseGenerator}'s, so one instruction's lazily kept flags feed the
 * next, and such a sequence closed by a compare and a conditional jump.
 */
final class FlagSequences {
    private static final long STATUS = Rflags.STATUS;
    private final CaseGenerator gen;

    FlagSequences(CaseGenerator gen) {
        this.gen = gen;
    }

    /** Register-only forms that may appear inside a sequence: no memory, no control transfer. */
    static boolean sequenceable(String key, InstructionForms.Probe p) {
        if (p.hasModrm() && (p.modrm() >> 6) != 3) {
            return false;
        }
        String op = key.split(" ")[0];
        switch (op) {
            case "ALU_RR": case "ALU_RI": case "UNARY": case "TEST_RR": case "TEST_RI": case "CMOV": case "SETCC":
            case "MOV_RR": case "MOV_RI": case "MOVZX": case "MOVSX": case "XCHG_RR": case "BSWAP": case "CBW": case "CWD":
            case "CMPXCHG": case "XADD": case "IMUL_RE": case "IMUL_REI": case "BT_R": case "BT_I": case "POPCNT":
            case "TZCNT": case "LZCNT": case "CLC": case "STC": case "CMC": case "LAHF": case "SAHF": case "CRC32":
                return true;
            case "SSE":
                // PTEST and the string compares set the status flags from XMM registers.
                return key.startsWith("SSE 38 17/") || key.startsWith("SSE 3A 6");
            case "SHIFT":
                return !key.contains(" CL");
            case "SHLD": case "SHRD":
                return !key.contains(" CL") && !key.contains(" o16");
            case "MULDIV":
                return key.contains("aux4") || key.contains("aux5");
            default:
                return false;
        }
    }

    /** The status flags an instruction reads. */
    static long flagsRead(Insn in) {
        final long cf = Rflags.CF;
        switch (in.op) {
            case Op.ALU_RR: case Op.ALU_RI:
                return in.aux == 2 || in.aux == 3 ? cf : 0;
            case Op.SHIFT:
                return in.aux == 2 || in.aux == 3 ? cf : 0;
            case Op.CMC:
                return cf;
            case Op.LAHF:
                return STATUS & ~Rflags.OF;
            case Op.CMOV: case Op.SETCC:
                switch (in.cond >> 1) {
                    case 0: return Rflags.OF;
                    case 1: return cf;
                    case 2: return Rflags.ZF;
                    case 3: return cf | Rflags.ZF;
                    case 4: return Rflags.SF;
                    case 5: return Rflags.PF;
                    case 6: return Rflags.SF | Rflags.OF;
                    default: return Rflags.ZF | Rflags.SF | Rflags.OF;
                }
            default:
                return 0;
        }
    }

    /** The status flags an instruction writes (defined or not). */
    static long flagsWritten(Insn in, long undefinedByIt) {
        switch (in.op) {
            case Op.MOV_RR: case Op.MOV_RI: case Op.MOVZX: case Op.MOVSX: case Op.XCHG_RR: case Op.BSWAP: case Op.CBW:
            case Op.CWD: case Op.CMOV: case Op.SETCC: case Op.LAHF: case Op.NOP: case Op.CRC32:
                return 0;
            case Op.CLC: case Op.STC: case Op.CMC:
                return Rflags.CF;
            case Op.SAHF:
                return STATUS & ~Rflags.OF;
            case Op.UNARY:
                return in.aux == 2 ? 0 : in.aux == 3 ? STATUS : STATUS & ~Rflags.CF;
            case Op.BT_R: case Op.BT_I:
                return Rflags.CF | undefinedByIt;
            case Op.SHIFT:
                if ((in.imm & (in.size == 8 ? 63 : 31)) == 0) {
                    return 0; // a masked count of zero changes no flags
                }
                return in.aux < 4 ? Rflags.CF | Rflags.OF : STATUS;
            case Op.SHLD: case Op.SHRD:
                return (in.imm & (in.size == 8 ? 63 : 31)) == 0 ? 0 : STATUS;
            default:
                return STATUS;
        }
    }

    /**
     * 2 to 6 register-only instructions in a row, each from a random sequenceable form, so one
     * instruction's lazily kept flags feed the next (ADD then INC then ADC then SETcc ...). An
     * instruction that would read a flag an earlier one left undefined is not placed.
     */
    DiffCase sequence(java.util.List<java.util.Map.Entry<String, InstructionForms.Probe>> pool) {
        DiffCase.State s = gen.randomState();
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        StringBuilder desc = new StringBuilder("sequence");
        long undefined = 0;
        int n = 2 + gen.rng.nextInt(5);
        for (int k = 0, tries = 0; k < n && tries < 100; tries++) {
            java.util.Map.Entry<String, InstructionForms.Probe> f = pool.get(gen.rng.nextInt(pool.size()));
            CaseGenerator.Encoded e = gen.instance(f.getKey(), f.getValue());
            if (e == null) {
                continue;
            }
            Insn in = e.insn;
            if ((flagsRead(in) & undefined) != 0) {
                continue;
            }
            // Count-dependent undefined flags need the count: only immediate counts are in the pool.
            long undef = CaseGenerator.undefinedFlags(in, s);
            long written = flagsWritten(in, undef);
            undefined = (undefined & ~written) | undef;
            code.writeBytes(e.bytes);
            desc.append(" | ").append(f.getKey()).append(" [").append(DiffCase.hex(e.bytes)).append(']');
            k++;
        }
        return new DiffCase("sequence", code.toByteArray(), s, undefined, 0, desc.toString());
    }

    /**
     * A flag-chaining {@link #sequence}, then a register CMP or TEST and a Jcc into the padding
     * (then, half the time, a SETcc reading the flags back): compiled blocks and traces fold such a
     * pair closing a block into one test of the operands, which must branch and leave the flags
     * as the two do.
     */
    DiffCase compareAndBranch(java.util.List<java.util.Map.Entry<String, InstructionForms.Probe>> pool,
            java.util.Map.Entry<String, InstructionForms.Probe> compare, java.util.Map.Entry<String, InstructionForms.Probe> jcc) {
        DiffCase flow = sequence(pool);
        CaseGenerator.Encoded cmp = gen.instance(compare.getKey(), compare.getValue());
        DiffCase branch = gen.generate(jcc.getKey(), jcc.getValue());
        if (cmp == null || branch == null) {
            return null;
        }
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        code.writeBytes(flow.code);
        code.writeBytes(cmp.bytes);
        code.writeBytes(branch.code);
        String desc = flow.description + " | " + compare.getKey() + " [" + DiffCase.hex(cmp.bytes) + "] | " + branch.description;
        // The compare writes every status flag (TEST leaves AF undefined, which no Jcc or SETcc reads).
        return new DiffCase("compare and branch", code.toByteArray(), flow.in, CaseGenerator.undefinedFlags(cmp.insn, flow.in), 0, desc);
    }
}
