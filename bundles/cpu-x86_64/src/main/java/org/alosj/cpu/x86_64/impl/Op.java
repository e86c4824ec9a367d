package org.alosj.cpu.x86_64.impl;

/** Handler numbers of decoded instructions ({@link Insn#op}); the interpreter switches on them. */
final class Op {
    static final int UD = 0;
    static final int NOP = 1;
    static final int ALU_RR = 2;
    static final int ALU_MR = 3;
    static final int ALU_RM = 4;
    static final int ALU_RI = 5;
    static final int ALU_MI = 6;
    static final int TEST_RR = 7;
    static final int TEST_MR = 8;
    static final int TEST_RI = 9;
    static final int TEST_MI = 10;
    static final int MOV_RR = 11;
    static final int MOV_MR = 12;
    static final int MOV_RM = 13;
    static final int MOV_RI = 14;
    static final int MOV_MI = 15;
    static final int MOVZX = 16;
    static final int MOVSX = 17;
    static final int LEA = 18;
    static final int XCHG_RR = 19;
    static final int XCHG_MR = 20;
    static final int CMOV = 21;
    static final int SETCC = 22;
    static final int UNARY = 23;
    static final int SHIFT = 24;
    static final int SHLD = 25;
    static final int SHRD = 26;
    static final int MULDIV = 27;
    static final int IMUL_RE = 28;
    static final int IMUL_REI = 29;
    static final int BT_R = 30;
    static final int BT_I = 31;
    static final int BSF = 32;
    static final int BSR = 33;
    static final int TZCNT = 34;
    static final int LZCNT = 35;
    static final int POPCNT = 36;
    static final int BSWAP = 37;
    static final int CMPXCHG = 38;
    static final int CMPXCHG_DOUBLE = 39;
    static final int XADD = 40;
    static final int CBW = 41;
    static final int CWD = 42;
    static final int PUSH_R = 43;
    static final int POP_R = 44;
    static final int PUSH_I = 45;
    static final int PUSH_E = 46;
    static final int POP_E = 47;
    static final int PUSHF = 48;
    static final int POPF = 49;
    static final int LAHF = 50;
    static final int SAHF = 51;
    static final int CALL_REL = 52;
    static final int CALL_E = 53;
    static final int RET = 54;
    static final int JMP_REL = 55;
    static final int JMP_E = 56;
    static final int JCC = 57;
    static final int LOOP = 58;
    static final int JRCXZ = 59;
    static final int ENTER = 60;
    static final int LEAVE = 61;
    static final int MOVS = 62;
    static final int STOS = 63;
    static final int LODS = 64;
    static final int SCAS = 65;
    static final int CMPS = 66;
    static final int CPUID = 67;
    static final int RDTSC = 68;
    static final int RDTSCP = 69;
    static final int HLT = 70;
    static final int SYSCALL = 71;
    static final int SYSRET = 72;
    static final int INT = 73;
    static final int INT3 = 74;
    static final int INT1 = 75;
    static final int IRET = 76;
    static final int CLC = 77;
    static final int STC = 78;
    static final int CMC = 79;
    static final int CLD = 80;
    static final int STD = 81;
    static final int CLI = 82;
    static final int STI = 83;
    static final int XLAT = 84;
    static final int SWAPGS = 85;
    static final int MOV_FROM_CR = 86;
    static final int MOV_TO_CR = 87;
    static final int RDMSR = 88;
    static final int WRMSR = 89;
    static final int INVLPG = 90;
    static final int MOV_FROM_SEG = 91;
    static final int MOV_TO_SEG = 92;
    static final int PRIVILEGED_IO = 93;
    static final int LGDT = 94;
    static final int LIDT = 95;
    static final int SGDT = 96;
    static final int SIDT = 97;
    static final int SSE = 98;
    static final int X87 = 99;
    static final int FXSAVE = 100;
    static final int FXRSTOR = 101;
    static final int LDMXCSR = 102;
    static final int STMXCSR = 103;
    static final int FWAIT = 104;
    static final int CRC32 = 105;
    static final int COUNT = 106;

    /** Instructions that end a decoded block: they change RIP, privilege, or what the next fetch sees. */
    static boolean endsBlock(int op) {
        switch (op) {
            case UD:
            case CALL_REL:
            case CALL_E:
            case RET:
            case JMP_REL:
            case JMP_E:
            case JCC:
            case LOOP:
            case JRCXZ:
            case HLT:
            case SYSCALL:
            case SYSRET:
            case INT:
            case INT3:
            case INT1:
            case IRET:
            case POPF:
            case STI:
            case CLI:
            case MOV_TO_CR:
            case WRMSR:
            case INVLPG:
            case SWAPGS:
            case LGDT:
            case LIDT:
            case MOV_TO_SEG:
            case PRIVILEGED_IO:
            case FXRSTOR:
            case LDMXCSR:
                return true;
            default:
                return false;
        }
    }

    private Op() {
    }
}
