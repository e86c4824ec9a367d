package org.alosj.gdbstub.impl;

import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.Reg;

/**
 * GDB's amd64 register file without a target description, in its order: the 16 general
 * registers, rip, eflags, the six segment selectors, st0–st7 (10 bytes), the eight x87
 * control registers, xmm0–xmm15 and mxcsr; little-endian hex, as the 'g' packet carries it.
 */
final class Registers {
    static final int[] GENERAL = {Reg.RAX, Reg.RBX, Reg.RCX, Reg.RDX, Reg.RSI, Reg.RDI, Reg.RBP, Reg.RSP, Reg.R8,
        Reg.R9, Reg.R10, Reg.R11, Reg.R12, Reg.R13, Reg.R14, Reg.R15};
    static final int RIP = 16;
    static final int EFLAGS = 17;
    static final int SEGMENTS = 18;
    static final int ST0 = 24;
    static final int FCTRL = 32;
    static final int XMM0 = 40;
    static final int MXCSR = 56;
    static final int COUNT = 57;

    private Registers() {
    }

    /** Bytes of register {@code n} in the packet. */
    static int size(int n) {
        if (n < RIP + 1) {
            return 8;
        }
        if (n < ST0) {
            return 4;
        }
        if (n < FCTRL) {
            return 10;
        }
        if (n < XMM0) {
            return 4;
        }
        if (n < MXCSR) {
            return 16;
        }
        return 4;
    }

    /** Register {@code n}'s value, little-endian. */
    static byte[] read(Cpu cpu, int n, byte[] fx) {
        byte[] out = new byte[size(n)];
        if (n < GENERAL.length) {
            put(out, cpu.reg(GENERAL[n]));
        } else if (n == RIP) {
            put(out, cpu.rip());
        } else if (n == EFLAGS) {
            put(out, cpu.rflags());
        } else if (n < ST0) {
            int[] selectors = {cpu.cs(), cpu.ss(), 0, 0, 0, 0};
            put(out, selectors[n - SEGMENTS]);
        } else if (n < FCTRL) {
            System.arraycopy(fx, 32 + 16 * (n - ST0), out, 0, 10);
        } else if (n < XMM0) {
            long v;
            switch (n - FCTRL) {
                case 0: v = u16(fx, 0); break;             // fctrl
                case 1: v = u16(fx, 2); break;             // fstat
                case 2: v = fullTag(fx[4] & 0xFF); break;  // ftag
                case 4: v = u32(fx, 8); break;             // fioff
                case 6: v = u32(fx, 16); break;            // fooff
                case 7: v = u16(fx, 6); break;             // fop
                default: v = 0; break;                     // fiseg, foseg: flat
            }
            put(out, v);
        } else if (n < MXCSR) {
            System.arraycopy(fx, 160 + 16 * (n - XMM0), out, 0, 16);
        } else {
            put(out, u32(fx, 24));
        }
        return out;
    }

    /** Sets register {@code n} from packet bytes; segments and x87 control words are kept. */
    static void write(Cpu cpu, int n, byte[] value, byte[] fx) {
        long v = get(value);
        if (n < GENERAL.length) {
            cpu.setReg(GENERAL[n], v);
        } else if (n == RIP) {
            cpu.setRip(v);
        } else if (n == EFLAGS) {
            // Only what user code could change: the arithmetic flags, DF, TF.
            long mask = 0xCD5L | 0x100 | 0x400;
            cpu.setRflags((cpu.rflags() & ~mask) | (v & mask));
        } else if (n >= ST0 && n < FCTRL) {
            System.arraycopy(value, 0, fx, 32 + 16 * (n - ST0), 10);
        } else if (n >= XMM0 && n < MXCSR) {
            System.arraycopy(value, 0, fx, 160 + 16 * (n - XMM0), 16);
        }
    }

    /** FXSAVE's abridged tag (a bit a register: in use) as the full tag word (00 valid, 11 empty). */
    private static long fullTag(int abridged) {
        long tag = 0;
        for (int i = 0; i < 8; i++) {
            if ((abridged & (1 << i)) == 0) {
                tag |= 3L << (2 * i);
            }
        }
        return tag;
    }

    private static long u16(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }

    private static long u32(byte[] b, int at) {
        return u16(b, at) | u16(b, at + 2) << 16;
    }

    private static void put(byte[] out, long v) {
        for (int i = 0; i < out.length && i < 8; i++) {
            out[i] = (byte) (v >>> (8 * i));
        }
    }

    private static long get(byte[] b) {
        long v = 0;
        for (int i = Math.min(8, b.length) - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }
}
