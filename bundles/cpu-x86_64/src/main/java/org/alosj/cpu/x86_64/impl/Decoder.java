package org.alosj.cpu.x86_64.impl;

/**
 * The 64-bit-mode instruction decoder (Intel SDM Vol. 2, chapter 2 and appendix A): legacy
 * prefixes, REX, ModRM/SIB with RIP-relative addressing, displacements and immediates, into an
 * {@link Insn}. Anything this model does not implement decodes to {@link Op#UD}, so it raises
 * #UD when (and only when) it is reached. Fetch faults propagate as {@link GuestFault}.
 */
final class Decoder {
    private static final int MAX_LENGTH = 15;
    static final int PFX_NONE = 0;
    static final int PFX_66 = 1;
    static final int PFX_F3 = 2;
    static final int PFX_F2 = 3;

    private final Mmu mmu;
    private long start;
    private long pc;
    private int rex;
    private boolean opsize16;
    private int lastMandatory;
    private boolean ripRelative;
    private int modrm;
    /** Offset of the ModRM byte in the last decoded instruction, -1 if it had none (for tests and tools). */
    int lastModrmOffset;

    Decoder(Mmu mmu) {
        this.mmu = mmu;
    }

    private int fetch8() {
        if (pc - start >= MAX_LENGTH) {
            throw new GuestFault(org.alosj.hal.cpu.Vector.GP, 0);
        }
        return mmu.fetchByte(pc++);
    }

    private long fetch16() {
        int lo = fetch8();
        return lo | (fetch8() << 8);
    }

    private long fetch32s() {
        long v = fetch16();
        v |= fetch16() << 16;
        return (int) v;
    }

    private long fetch64() {
        long lo = fetch32s() & 0xFFFF_FFFFL;
        return lo | (fetch32s() << 32);
    }

    /** Decodes the instruction at {@code rip} into {@code in} (which it resets). */
    void decode(long rip, Insn in) {
        reset(in);
        in.rip = rip;
        start = rip;
        pc = rip;
        rex = 0;
        opsize16 = false;
        lastMandatory = PFX_NONE;
        ripRelative = false;
        lastModrmOffset = -1;
        int b;
        for (;;) {
            b = fetch8();
            switch (b) {
                case 0x66: opsize16 = true; lastMandatory = PFX_66; rex = 0; continue;
                case 0x67: in.addr32 = true; rex = 0; continue;
                case 0xF2: in.rep = 0xF2; lastMandatory = PFX_F2; rex = 0; continue;
                case 0xF3: in.rep = 0xF3; lastMandatory = PFX_F3; rex = 0; continue;
                case 0xF0: in.lock = true; rex = 0; continue;
                case 0x26: case 0x2E: case 0x36: case 0x3E: in.seg = 0; rex = 0; continue;
                case 0x64: in.seg = CpuState.SEG_FS; rex = 0; continue;
                case 0x65: in.seg = CpuState.SEG_GS; rex = 0; continue;
                default: break;
            }
            if ((b & 0xF0) == 0x40) {
                rex = b;
                continue;
            }
            break;
        }
        if (b == 0x0F) {
            decode0F(in, fetch8());
        } else {
            decodePrimary(in, b);
        }
        if (in.lock && !lockable(in)) {
            in.op = Op.UD;
        }
        in.next = pc;
        if (ripRelative) {
            in.disp += pc;
        }
        in.shift = 64 - 8 * in.size;
    }

    private static void reset(Insn in) {
        in.op = Op.UD;
        in.size = 4;
        in.reg = 0;
        in.rm = -1;
        in.base = CpuState.ZERO;
        in.index = CpuState.ZERO;
        in.scale = 0;
        in.disp = 0;
        in.seg = 0;
        in.addr32 = false;
        in.aux = 0;
        in.cond = 0;
        in.rep = 0;
        in.lock = false;
        in.writesMem = false;
        in.memWidth = 0;
        in.aligned = false;
        in.imm = 0;
        in.imm2 = 0;
    }

    /** LOCK is legal only on read-modify-write instructions with a memory destination. */
    private static boolean lockable(Insn in) {
        if (!in.memOperand()) {
            return false;
        }
        switch (in.op) {
            case Op.ALU_MR:
            case Op.ALU_MI:
                return in.aux != 7;
            case Op.UNARY:
            case Op.XCHG_MR:
            case Op.CMPXCHG:
            case Op.CMPXCHG_DOUBLE:
            case Op.XADD:
                return true;
            case Op.BT_R:
            case Op.BT_I:
                return in.aux != 0;
            default:
                return false;
        }
    }

    // --- operand helpers -------------------------------------------------------------------------

    private boolean rexW() {
        return (rex & 8) != 0;
    }

    private int rexR() {
        return (rex & 4) << 1;
    }

    private int rexX() {
        return (rex & 2) << 2;
    }

    private int rexB() {
        return (rex & 1) << 3;
    }

    /** Operand size of an instruction whose default is 32 bits. */
    private int vSize() {
        return rexW() ? 8 : opsize16 ? 2 : 4;
    }

    /** Operand size of an instruction whose default is 64 bits (stack and near branches). */
    private int stackSize() {
        return opsize16 ? 2 : 8;
    }

    /** A byte register: without REX, numbers 4..7 are AH, CH, DH, BH. */
    private int byteReg(int n) {
        return rex == 0 && n >= 4 && n < 8 ? CpuState.AH + n - 4 : n;
    }

    /** Reads ModRM (and SIB, displacement); fills reg, rm or the memory operand. */
    private void modrm(Insn in) {
        lastModrmOffset = (int) (pc - start);
        int m = fetch8();
        modrm = m;
        int mod = m >> 6;
        int rm = m & 7;
        in.reg = ((m >> 3) & 7) | rexR();
        if (mod == 3) {
            in.rm = rm | rexB();
            return;
        }
        in.rm = -1;
        if (rm == 4) {
            int sib = fetch8();
            int index = ((sib >> 3) & 7) | rexX();
            int base = sib & 7;
            in.scale = sib >> 6;
            in.index = index == 4 ? CpuState.ZERO : index;
            if (base == 5 && mod == 0) {
                in.base = CpuState.ZERO;
                in.disp = fetch32s();
            } else {
                in.base = base | rexB();
            }
        } else if (rm == 5 && mod == 0) {
            in.base = CpuState.ZERO;
            in.disp = fetch32s();
            ripRelative = true;
        } else {
            in.base = rm | rexB();
        }
        if (mod == 1) {
            in.disp += (byte) fetch8();
        } else if (mod == 2) {
            in.disp += fetch32s();
        }
    }

    private int modrmReg() {
        return (modrm >> 3) & 7;
    }

    /** ModRM for a byte operand pair: both reg and a register rm are byte registers. */
    private void modrmBytes(Insn in) {
        modrm(in);
        in.reg = byteReg(in.reg);
        if (in.rm >= 0) {
            in.rm = byteReg(in.rm);
        }
    }

    private long immediate(int size) {
        switch (size) {
            case 1: return (byte) fetch8();
            case 2: return (short) fetch16();
            default: return fetch32s();
        }
    }

    // --- the one-byte opcode map -------------------------------------------------------------------

    private void decodePrimary(Insn in, int b) {
        if (b < 0x40 && (b & 7) < 6) {
            decodeAlu(in, b >> 3, b & 7);
            return;
        }
        if (b >= 0x50 && b <= 0x57) {
            in.op = Op.PUSH_R;
            in.reg = (b & 7) | rexB();
            in.size = stackSize();
            return;
        }
        if (b >= 0x58 && b <= 0x5F) {
            in.op = Op.POP_R;
            in.reg = (b & 7) | rexB();
            in.size = stackSize();
            return;
        }
        if (b >= 0x70 && b <= 0x7F) {
            in.op = Op.JCC;
            in.cond = b & 0xF;
            long d = (byte) fetch8();
            in.imm = pc + d;
            return;
        }
        if (b >= 0x91 && b <= 0x97) {
            in.op = Op.XCHG_RR;
            in.size = vSize();
            in.reg = 0;
            in.rm = (b & 7) | rexB();
            return;
        }
        if (b >= 0xB0 && b <= 0xB7) {
            in.op = Op.MOV_RI;
            in.size = 1;
            in.reg = byteReg((b & 7) | rexB());
            in.imm = fetch8();
            return;
        }
        if (b >= 0xB8 && b <= 0xBF) {
            in.op = Op.MOV_RI;
            in.size = vSize();
            in.reg = (b & 7) | rexB();
            in.imm = in.size == 8 ? fetch64() : in.size == 2 ? fetch16() : fetch32s() & 0xFFFF_FFFFL;
            return;
        }
        if (b >= 0xD8 && b <= 0xDF) {
            decodeX87(in, b);
            return;
        }
        switch (b) {
            case 0x63:
                in.op = Op.MOVSX;
                in.size = vSize();
                in.aux = 4;
                modrm(in);
                return;
            case 0x68:
                in.op = Op.PUSH_I;
                in.size = stackSize();
                in.imm = immediate(opsize16 ? 2 : 4);
                return;
            case 0x6A:
                in.op = Op.PUSH_I;
                in.size = stackSize();
                in.imm = (byte) fetch8();
                return;
            case 0x69:
            case 0x6B:
                in.op = Op.IMUL_REI;
                in.size = vSize();
                modrm(in);
                in.imm = b == 0x6B ? (byte) fetch8() : immediate(in.size == 2 ? 2 : 4);
                return;
            case 0x6C: case 0x6D: case 0x6E: case 0x6F:
            case 0xE4: case 0xE5: case 0xE6: case 0xE7:
                if (b >= 0xE4) {
                    fetch8();
                }
                in.op = Op.PRIVILEGED_IO;
                return;
            case 0xEC: case 0xED: case 0xEE: case 0xEF:
                in.op = Op.PRIVILEGED_IO;
                return;
            case 0x80:
            case 0x81:
            case 0x83: {
                in.size = b == 0x80 ? 1 : vSize();
                if (in.size == 1) {
                    modrmBytes(in);
                } else {
                    modrm(in);
                }
                in.aux = modrmReg();
                in.imm = b == 0x81 ? immediate(in.size == 2 ? 2 : 4) : (byte) fetch8();
                in.op = in.rm >= 0 ? Op.ALU_RI : Op.ALU_MI;
                if (in.rm >= 0) {
                    in.reg = in.rm;
                } else {
                    in.writesMem = in.aux != 7;
                }
                return;
            }
            case 0x84:
            case 0x85:
                in.size = b == 0x84 ? 1 : vSize();
                if (in.size == 1) {
                    modrmBytes(in);
                } else {
                    modrm(in);
                }
                in.op = in.rm >= 0 ? Op.TEST_RR : Op.TEST_MR;
                return;
            case 0x86:
            case 0x87:
                in.size = b == 0x86 ? 1 : vSize();
                if (in.size == 1) {
                    modrmBytes(in);
                } else {
                    modrm(in);
                }
                in.op = in.rm >= 0 ? Op.XCHG_RR : Op.XCHG_MR;
                in.writesMem = in.rm < 0;
                return;
            case 0x88: case 0x89: case 0x8A: case 0x8B: {
                in.size = (b & 1) == 0 ? 1 : vSize();
                if (in.size == 1) {
                    modrmBytes(in);
                } else {
                    modrm(in);
                }
                boolean toReg = (b & 2) != 0;
                if (in.rm >= 0) {
                    in.op = Op.MOV_RR;
                    if (!toReg) {
                        int t = in.reg;
                        in.reg = in.rm;
                        in.rm = t;
                    }
                } else {
                    in.op = toReg ? Op.MOV_RM : Op.MOV_MR;
                    in.writesMem = !toReg;
                }
                return;
            }
            case 0x8C:
                modrm(in);
                in.op = Op.MOV_FROM_SEG;
                in.size = in.rm >= 0 ? vSize() : 2;
                in.writesMem = in.rm < 0;
                in.aux = modrmReg();
                if (in.aux > 5) {
                    in.op = Op.UD;
                }
                return;
            case 0x8D:
                in.size = vSize();
                modrm(in);
                in.op = in.rm >= 0 ? Op.UD : Op.LEA;
                return;
            case 0x8E:
                modrm(in);
                in.size = 2;
                in.aux = modrmReg();
                in.op = in.aux == 1 || in.aux > 5 ? Op.UD : Op.MOV_TO_SEG;
                return;
            case 0x8F:
                in.size = stackSize();
                modrm(in);
                if (modrmReg() != 0) {
                    return;
                }
                if (in.rm >= 0) {
                    in.op = Op.POP_R;
                    in.reg = in.rm;
                } else {
                    in.op = Op.POP_E;
                    in.writesMem = true;
                }
                return;
            case 0x90:
                if ((rex & 1) != 0) {
                    in.op = Op.XCHG_RR;
                    in.size = vSize();
                    in.reg = 0;
                    in.rm = 8;
                } else {
                    in.op = Op.NOP;
                }
                return;
            case 0x98: in.op = Op.CBW; in.size = vSize(); return;
            case 0x99: in.op = Op.CWD; in.size = vSize(); return;
            case 0x9B: in.op = Op.FWAIT; return;
            case 0x9C: in.op = Op.PUSHF; in.size = stackSize(); return;
            case 0x9D: in.op = Op.POPF; in.size = stackSize(); return;
            case 0x9E: in.op = Op.SAHF; return;
            case 0x9F: in.op = Op.LAHF; return;
            case 0xA0: case 0xA1: case 0xA2: case 0xA3:
                in.size = (b & 1) == 0 ? 1 : vSize();
                in.disp = in.addr32 ? fetch32s() & 0xFFFF_FFFFL : fetch64();
                in.rm = -1;
                in.reg = 0;
                in.op = (b & 2) == 0 ? Op.MOV_RM : Op.MOV_MR;
                in.writesMem = (b & 2) != 0;
                return;
            case 0xA4: case 0xA5: string(in, b, Op.MOVS, true); return;
            case 0xA6: case 0xA7: string(in, b, Op.CMPS, false); return;
            case 0xA8:
            case 0xA9:
                in.size = b == 0xA8 ? 1 : vSize();
                in.op = Op.TEST_RI;
                in.reg = 0;
                in.imm = immediate(in.size == 8 ? 4 : in.size);
                return;
            case 0xAA: case 0xAB: string(in, b, Op.STOS, true); return;
            case 0xAC: case 0xAD: string(in, b, Op.LODS, false); return;
            case 0xAE: case 0xAF: string(in, b, Op.SCAS, false); return;
            case 0xC0: case 0xC1: case 0xD0: case 0xD1: case 0xD2: case 0xD3:
                in.size = (b & 1) == 0 ? 1 : vSize();
                if (in.size == 1) {
                    modrmBytes(in);
                } else {
                    modrm(in);
                }
                in.op = Op.SHIFT;
                in.aux = modrmReg();
                in.writesMem = in.rm < 0;
                if (b <= 0xC1) {
                    in.imm = fetch8();
                } else if (b <= 0xD1) {
                    in.imm = 1;
                } else {
                    in.cond = 1;
                }
                return;
            case 0xC2:
                in.op = Op.RET;
                in.size = stackSize();
                in.imm = fetch16();
                return;
            case 0xC3:
                in.op = Op.RET;
                in.size = stackSize();
                return;
            case 0xC6:
            case 0xC7:
                in.size = b == 0xC6 ? 1 : vSize();
                if (in.size == 1) {
                    modrmBytes(in);
                } else {
                    modrm(in);
                }
                if (modrmReg() != 0) {
                    in.op = Op.UD;
                    return;
                }
                in.imm = immediate(in.size == 8 ? 4 : in.size);
                if (in.rm >= 0) {
                    in.op = Op.MOV_RI;
                    in.reg = in.rm;
                    in.imm &= CpuState.mask(in.size);
                } else {
                    in.op = Op.MOV_MI;
                    in.writesMem = true;
                }
                return;
            case 0xC8:
                in.op = Op.ENTER;
                in.size = stackSize();
                in.imm = fetch16();
                in.imm2 = fetch8();
                in.writesMem = true;
                return;
            case 0xC9: in.op = Op.LEAVE; in.size = stackSize(); return;
            case 0xCC: in.op = Op.INT3; return;
            case 0xCD: in.op = Op.INT; in.imm = fetch8(); return;
            case 0xCF: in.op = rexW() ? Op.IRET : Op.UD; in.size = 8; return; // only IRETQ is implemented
            case 0xD7: in.op = Op.XLAT; in.size = 1; return;
            case 0xE0: case 0xE1: case 0xE2: case 0xE3: {
                long d = (byte) fetch8();
                in.imm = pc + d;
                in.op = b == 0xE3 ? Op.JRCXZ : Op.LOOP;
                in.aux = b - 0xE0;
                return;
            }
            case 0xE8:
                in.op = Op.CALL_REL;
                in.size = 8;
                in.imm = fetch32s();
                in.imm += pc;
                in.writesMem = true;
                return;
            case 0xE9:
                in.op = Op.JMP_REL;
                in.imm = fetch32s();
                in.imm += pc;
                return;
            case 0xEB: {
                long d = (byte) fetch8();
                in.op = Op.JMP_REL;
                in.imm = pc + d;
                return;
            }
            case 0xF1: in.op = Op.INT1; return;
            case 0xF4: in.op = Op.HLT; return;
            case 0xF5: in.op = Op.CMC; return;
            case 0xF6:
            case 0xF7:
                in.size = b == 0xF6 ? 1 : vSize();
                if (in.size == 1) {
                    modrmBytes(in);
                } else {
                    modrm(in);
                }
                decodeGroup3(in);
                return;
            case 0xF8: in.op = Op.CLC; return;
            case 0xF9: in.op = Op.STC; return;
            case 0xFA: in.op = Op.CLI; return;
            case 0xFB: in.op = Op.STI; return;
            case 0xFC: in.op = Op.CLD; return;
            case 0xFD: in.op = Op.STD; return;
            case 0xFE:
                in.size = 1;
                modrmBytes(in);
                if (modrmReg() < 2) {
                    in.op = Op.UNARY;
                    in.aux = modrmReg();
                    in.writesMem = in.rm < 0;
                }
                return;
            case 0xFF:
                modrm(in);
                decodeGroup5(in);
                return;
            default:
                in.op = Op.UD;
        }
    }

    private void decodeAlu(Insn in, int kind, int form) {
        in.aux = kind;
        switch (form) {
            case 0: case 1: case 2: case 3: {
                in.size = (form & 1) == 0 ? 1 : vSize();
                if (in.size == 1) {
                    modrmBytes(in);
                } else {
                    modrm(in);
                }
                boolean toReg = (form & 2) != 0;
                if (in.rm >= 0) {
                    in.op = Op.ALU_RR;
                    if (!toReg) {
                        int t = in.reg;
                        in.reg = in.rm;
                        in.rm = t;
                    }
                } else {
                    in.op = toReg ? Op.ALU_RM : Op.ALU_MR;
                    in.writesMem = !toReg && kind != 7;
                }
                return;
            }
            default:
                in.size = form == 4 ? 1 : vSize();
                in.op = Op.ALU_RI;
                in.reg = 0;
                in.imm = immediate(in.size == 8 ? 4 : in.size);
        }
    }

    private void string(Insn in, int b, int op, boolean stores) {
        in.op = op;
        in.size = (b & 1) == 0 ? 1 : vSize();
        in.writesMem = stores;
    }

    private void decodeGroup3(Insn in) {
        int r = modrmReg();
        switch (r) {
            case 0:
            case 1:
                in.imm = immediate(in.size == 8 ? 4 : in.size);
                if (in.rm >= 0) {
                    in.op = Op.TEST_RI;
                    in.reg = in.rm;
                } else {
                    in.op = Op.TEST_MI;
                }
                return;
            case 2:
            case 3:
                in.op = Op.UNARY;
                in.aux = r;
                in.writesMem = in.rm < 0;
                return;
            default:
                in.op = Op.MULDIV;
                in.aux = r;
        }
    }

    private void decodeGroup5(Insn in) {
        int r = modrmReg();
        switch (r) {
            case 0:
            case 1:
                in.op = Op.UNARY;
                in.size = vSize();
                in.aux = r;
                in.writesMem = in.rm < 0;
                return;
            case 2:
                in.op = Op.CALL_E;
                in.size = 8;
                in.writesMem = true;
                return;
            case 4:
                in.op = Op.JMP_E;
                in.size = 8;
                return;
            case 6:
                in.size = stackSize();
                if (in.rm >= 0) {
                    in.op = Op.PUSH_R;
                    in.reg = in.rm;
                } else {
                    in.op = Op.PUSH_E;
                }
                return;
            default:
                in.op = Op.UD;
        }
    }

    // --- the two-byte opcode map ---------------------------------------------------------------------

    private void decode0F(Insn in, int b) {
        if (b >= 0x80 && b <= 0x8F) {
            in.op = Op.JCC;
            in.cond = b & 0xF;
            in.imm = fetch32s();
            in.imm += pc;
            return;
        }
        if (b >= 0x40 && b <= 0x4F) {
            in.op = Op.CMOV;
            in.cond = b & 0xF;
            in.size = vSize();
            modrm(in);
            return;
        }
        if (b >= 0x90 && b <= 0x9F) {
            in.op = Op.SETCC;
            in.cond = b & 0xF;
            in.size = 1;
            modrmBytes(in);
            in.writesMem = in.rm < 0;
            return;
        }
        if (b >= 0xC8 && b <= 0xCF) {
            in.op = Op.BSWAP;
            in.size = vSize();
            in.reg = (b & 7) | rexB();
            return;
        }
        switch (b) {
            case 0x01:
                decodeGroup7(in);
                return;
            case 0x05: in.op = Op.SYSCALL; return;
            case 0x06: in.op = Op.UD; return;
            case 0x07: in.op = Op.SYSRET; in.size = rexW() ? 8 : 4; return;
            case 0x0B: in.op = Op.UD; return;
            case 0x0D:
            case 0x18: case 0x19: case 0x1A: case 0x1B: case 0x1C: case 0x1D: case 0x1E: case 0x1F:
                modrm(in);
                // PREFETCHW (0F 0D) needs a memory operand; the hint NOPs take either.
                in.op = b == 0x0D && in.rm >= 0 ? Op.UD : Op.NOP;
                return;
            case 0x20:
            case 0x22:
                // The mod field is ignored: the operand is always a register, with no SIB or displacement.
                lastModrmOffset = (int) (pc - start);
                modrm = fetch8();
                in.reg = ((modrm >> 3) & 7) | rexR();
                in.rm = (modrm & 7) | rexB();
                in.size = 8;
                // CR1, CR5-CR7 and CR9-CR15 do not exist: #UD before any privilege check.
                boolean exists = in.reg == 0 || in.reg == 2 || in.reg == 3 || in.reg == 4 || in.reg == 8;
                in.op = !exists ? Op.UD : b == 0x20 ? Op.MOV_FROM_CR : Op.MOV_TO_CR;
                return;
            case 0x30: in.op = Op.WRMSR; return;
            case 0x31: in.op = Op.RDTSC; return;
            case 0x32: in.op = Op.RDMSR; return;
            case 0xA2: in.op = Op.CPUID; return;
            case 0xA3: case 0xAB: case 0xB3: case 0xBB:
                in.size = vSize();
                modrm(in);
                in.op = Op.BT_R;
                in.aux = b == 0xA3 ? 0 : b == 0xAB ? 1 : b == 0xB3 ? 2 : 3;
                in.writesMem = in.rm < 0 && in.aux != 0;
                return;
            case 0xBA:
                in.size = vSize();
                modrm(in);
                if (modrmReg() < 4) {
                    in.op = Op.UD;
                    return;
                }
                in.op = Op.BT_I;
                in.aux = modrmReg() - 4;
                in.imm = fetch8();
                in.writesMem = in.rm < 0 && in.aux != 0;
                return;
            case 0xA4: case 0xA5: case 0xAC: case 0xAD:
                in.size = vSize();
                modrm(in);
                in.op = b < 0xA8 ? Op.SHLD : Op.SHRD;
                in.writesMem = in.rm < 0;
                if ((b & 1) == 0) {
                    in.imm = fetch8();
                } else {
                    in.cond = 1;
                }
                return;
            case 0xAE:
                decodeGroup15(in);
                return;
            case 0xAF:
                in.size = vSize();
                modrm(in);
                in.op = Op.IMUL_RE;
                return;
            case 0xB0:
            case 0xB1:
                in.size = b == 0xB0 ? 1 : vSize();
                if (in.size == 1) {
                    modrmBytes(in);
                } else {
                    modrm(in);
                }
                in.op = Op.CMPXCHG;
                in.writesMem = in.rm < 0;
                return;
            case 0xB6: case 0xB7: case 0xBE: case 0xBF:
                in.size = vSize();
                modrm(in);
                in.aux = (b & 1) == 0 ? 1 : 2;
                if (in.aux == 1 && in.rm >= 0) {
                    in.rm = byteReg(in.rm);
                }
                in.op = b < 0xB8 ? Op.MOVZX : Op.MOVSX;
                return;
            case 0xB8:
                in.size = vSize();
                modrm(in);
                in.op = in.rep == 0xF3 ? Op.POPCNT : Op.UD;
                in.rep = 0;
                return;
            case 0xBC:
            case 0xBD:
                in.size = vSize();
                modrm(in);
                if (in.rep == 0xF3) {
                    in.op = b == 0xBC ? Op.TZCNT : Op.LZCNT;
                } else {
                    in.op = b == 0xBC ? Op.BSF : Op.BSR;
                }
                in.rep = 0;
                return;
            case 0xC0:
            case 0xC1:
                in.size = b == 0xC0 ? 1 : vSize();
                if (in.size == 1) {
                    modrmBytes(in);
                } else {
                    modrm(in);
                }
                in.op = Op.XADD;
                in.writesMem = in.rm < 0;
                return;
            case 0xC3:
                in.size = rexW() ? 8 : 4;
                modrm(in);
                if (in.rm < 0) {
                    in.op = Op.MOV_MR;
                    in.writesMem = true;
                }
                return;
            case 0xC7:
                modrm(in);
                if (modrmReg() == 1 && in.rm < 0) {
                    in.op = Op.CMPXCHG_DOUBLE;
                    in.size = rexW() ? 16 : 8;
                    in.writesMem = true;
                } else {
                    in.op = Op.UD;
                }
                return;
            default:
                decodeSse(in, b);
        }
    }

    private void decodeGroup7(Insn in) {
        modrm(in);
        int r = modrmReg();
        if (in.rm >= 0) {
            int m = modrm & 0xFF;
            if (m == 0xF8) {
                in.op = Op.SWAPGS;
            } else if (m == 0xF9) {
                in.op = Op.RDTSCP;
            } else {
                in.op = Op.UD;
            }
            return;
        }
        switch (r) {
            case 0: in.op = Op.SGDT; in.writesMem = true; return;
            case 1: in.op = Op.SIDT; in.writesMem = true; return;
            case 2: in.op = Op.LGDT; return;
            case 3: in.op = Op.LIDT; return;
            case 7: in.op = Op.INVLPG; return;
            default: in.op = Op.UD;
        }
    }

    private void decodeGroup15(Insn in) {
        modrm(in);
        int r = modrmReg();
        if (in.rm >= 0) {
            // LFENCE, MFENCE, SFENCE: loads and stores are already ordered as x86-TSO orders them
            // (see Mmu); only MFENCE has more to do, keep stores from passing later loads.
            in.op = r >= 5 && lastMandatory == PFX_NONE ? Op.NOP : Op.UD;
            in.aux = r == 6 ? 1 : 0;
            return;
        }
        if (lastMandatory != PFX_NONE) {
            in.op = Op.UD;
            return;
        }
        switch (r) {
            case 0: in.op = Op.FXSAVE; in.size = rexW() ? 8 : 4; in.writesMem = true; in.memWidth = 512; return;
            case 1: in.op = Op.FXRSTOR; in.size = rexW() ? 8 : 4; in.memWidth = 512; return;
            case 2: in.op = Op.LDMXCSR; in.memWidth = 4; return;
            case 3: in.op = Op.STMXCSR; in.memWidth = 4; in.writesMem = true; return;
            case 7: in.op = Op.NOP; return; // CLFLUSH: no caches to flush
            default: in.op = Op.UD;
        }
    }

    // --- SSE / SSE2 ------------------------------------------------------------------------------------

    /**
     * SSE instructions keep their opcode and mandatory prefix as the operation number
     * ({@code opcode * 4 + prefix}); the decoder checks the combination is implemented and
     * records the memory operand's width, alignment and whether it is a store.
     */
    private void decodeSse(Insn in, int b) {
        int pfx = lastMandatory;
        if (b == 0x38 || b == 0x3A) {
            decodeThreeByte(in, b == 0x38 ? 1 : 2, fetch8());
            return;
        }
        in.rep = 0;
        int width = SseUnit.memoryWidth(b, pfx);
        if (width == 0) {
            decodeSseExtension(in, SseExtensions.operation(0, b, pfx));
            return;
        }
        in.op = Op.SSE;
        in.aux = b * 4 + pfx;
        in.size = rexW() ? 8 : 4;
        modrm(in);
        in.cond = modrmReg();
        in.memWidth = width;
        in.aligned = SseUnit.requiresAlignment(b, pfx);
        in.writesMem = in.rm < 0 && SseUnit.isStore(b, pfx);
        if (SseUnit.hasImmediate(b)) {
            in.imm = fetch8();
        }
        if (!SseUnit.validForm(b, pfx, in.rm >= 0, in.cond)) {
            in.op = Op.UD;
        }
    }

    /** The 0F 38 and 0F 3A maps: CRC32 (F2 0F 38 F0/F1, 66 for its 16-bit form), the rest SSE. */
    private void decodeThreeByte(Insn in, int map, int b) {
        if (map == 1 && (b == 0xF0 || b == 0xF1) && in.rep == 0xF2) {
            in.rep = 0;
            in.op = Op.CRC32;
            in.size = b == 0xF0 ? 1 : vSize();
            modrm(in);
            if (in.size == 1 && in.rm >= 0) {
                in.rm = byteReg(in.rm);
            }
            return;
        }
        in.rep = 0;
        decodeSseExtension(in, SseExtensions.operation(map, b, lastMandatory));
    }

    /** SSE3, SSSE3 and SSE4 forms ({@link SseExtensions}); {@code k} is -1 for one not implemented. */
    private void decodeSseExtension(Insn in, int k) {
        if (k < 0) {
            in.op = Op.UD;
            return;
        }
        in.op = Op.SSE;
        in.aux = k;
        in.size = rexW() ? 8 : 4;
        modrm(in);
        in.cond = modrmReg();
        in.memWidth = SseExtensions.memoryWidth(k);
        in.aligned = SseExtensions.requiresAlignment(k);
        in.writesMem = in.rm < 0 && SseExtensions.isStore(k);
        if (SseExtensions.hasImmediate(k)) {
            in.imm = fetch8();
        }
        if (!SseExtensions.validForm(k, in.rm >= 0)) {
            in.op = Op.UD;
        }
    }

    // --- x87 ----------------------------------------------------------------------------------------------

    private void decodeX87(Insn in, int b) {
        modrm(in);
        in.op = Op.X87;
        // Operation number: escape byte (0..7) * 16 + (register form ? 8 : 0) + ModRM.reg.
        int reg = modrmReg();
        boolean regForm = in.rm >= 0;
        in.aux = (b - 0xD8) * 16 + (regForm ? 8 : 0) + reg;
        in.imm = modrm & 7;
        in.cond = modrm & 0xFF;
        // Only the environment images have a 16-bit form (14 and 94 bytes instead of 28 and 108).
        in.size = vSize() == 2 && X87Unit.isEnvironment(in.aux) ? 2 : 4;
        if (!regForm) {
            in.memWidth = X87Unit.memoryWidth(in.aux, in.size);
            in.writesMem = X87Unit.isStore(in.aux);
        }
        if (!X87Unit.implemented(in.aux, in.cond)) {
            in.op = Op.UD;
        }
    }
}
