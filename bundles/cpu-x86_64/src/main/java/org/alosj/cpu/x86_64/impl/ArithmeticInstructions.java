package org.alosj.cpu.x86_64.impl;

import java.lang.invoke.VarHandle;
import java.util.function.LongUnaryOperator;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.Rflags;
import org.alosj.hal.cpu.Vector;

/**
 * The integer instructions that compute the most: shifts and rotates, multiply and divide, bit
 * tests and scans; with them the guest memory ({@link #mem}), the operand accessors and the
 * LOCKed read-modify-write they share with {@link Interpreter}. As there, every handler checks
 * every fault before it writes architectural state.
 */
abstract class ArithmeticInstructions extends CpuState implements Mmu.CodeWriteListener {
    final Mmu mem;

    ArithmeticInstructions(org.alosj.hal.bus.MemoryBus bus) {
        this.mem = new Mmu(this, bus, this);
    }

    // --- operands ---------------------------------------------------------------------------------

    final long readE(Insn in, int size) {
        return in.rm >= 0 ? getReg(in.rm, size) : mem.read(ea(in), size);
    }

    final void writeE(Insn in, int size, long v) {
        if (in.rm >= 0) {
            setReg(in.rm, size, v);
        } else {
            mem.write(ea(in), size, v);
        }
    }

    /**
     * A LOCKed read-modify-write (and XCHG with memory) of the operand at {@code a}: {@code next}
     * computes the new value from the old one, again if another CPU changed the operand in
     * between (the flags are those of its last call); returns the old value. Atomic across CPUs
     * through {@link Atomics}; a split lock or an MMIO operand goes under the RAM's lock instead.
     */
    final long locked(long a, int size, LongUnaryOperator next) {
        long off = mem.lockedRamOffset(a, size);
        if (off >= 0 && Atomics.fits(off, size)) {
            long old = Atomics.get(mem.ram, off, size);
            for (;;) {
                long witness = Atomics.compareAndExchange(mem.ram, off, size, old, next.applyAsLong(old));
                if (witness == old) {
                    return old;
                }
                old = witness;
            }
        }
        synchronized (mem.ram) {
            long old = mem.readForWrite(a, size);
            mem.write(a, size, next.applyAsLong(old));
            VarHandle.fullFence();
            return old;
        }
    }

    // --- shifts and rotates ------------------------------------------------------------------------------

    final void shift(Insn in) {
        int bits = in.size * 8;
        int count = (int) ((in.cond == 1 ? r[Reg.RCX] : in.imm) & (bits == 64 ? 63 : 31));
        if (count == 0) {
            countZero(in);
            return;
        }
        if (in.rm >= 0 && in.size >= 4 && in.aux >= 4) {
            shiftRegister(in, count);
            return;
        }
        long addr = in.rm < 0 ? ea(in) : 0;
        long v = in.rm >= 0 ? getReg(in.rm, in.size) : mem.readForWrite(addr, in.size);
        long m = mask(in.size);
        long res;
        switch (in.aux) {
            case 0: { // ROL
                int n = count % bits;
                res = n == 0 ? v : ((v << n) | (v >>> (bits - n))) & m;
                boolean c = (res & 1) != 0;
                setStatusFlags((c ? Rflags.CF : 0) | (((res >>> (bits - 1)) & 1) != 0 ^ c ? Rflags.OF : 0),
                        Rflags.CF | Rflags.OF);
                break;
            }
            case 1: { // ROR
                int n = count % bits;
                res = n == 0 ? v : ((v >>> n) | (v << (bits - n))) & m;
                boolean msb = ((res >>> (bits - 1)) & 1) != 0;
                boolean msb2 = ((res >>> (bits - 2)) & 1) != 0;
                setStatusFlags((msb ? Rflags.CF : 0) | (msb ^ msb2 ? Rflags.OF : 0), Rflags.CF | Rflags.OF);
                break;
            }
            case 2:
            case 3:
                res = rotateThroughCarry(in.aux == 2, v, count, bits);
                break;
            case 4:
            case 6: { // SHL/SAL
                res = count >= 64 ? 0 : (v << count) & m;
                boolean c = count <= bits && ((v >>> (bits - count)) & 1) != 0;
                boolean o = (((res >>> (bits - 1)) & 1) != 0) ^ c;
                flagsCfOf(sx(res, in.size), c, o);
                break;
            }
            case 5: { // SHR
                res = v >>> count;
                boolean c = ((v >>> (count - 1)) & 1) != 0;
                flagsCfOf(sx(res, in.size), c, ((v >>> (bits - 1)) & 1) != 0);
                break;
            }
            default: { // SAR
                long s = sx(v, in.size);
                res = (s >> count) & m;
                boolean c = ((s >> (count - 1)) & 1) != 0;
                flagsCfOf(sx(res, in.size), c, false);
                break;
            }
        }
        if (in.rm >= 0) {
            setReg(in.rm, in.size, res);
        } else {
            mem.write(addr, in.size, res);
        }
    }

    /** The hot case of SHL/SHR/SAR: a 64- or 32-bit register, count 1..63 (or 1..31). */
    private void shiftRegister(Insn in, int count) {
        shiftRegister(in, count, in.aux, in.size);
    }

    /**
     * A compiled block's SHL/SHR/SAR of a 64- or 32-bit register by an immediate, kind and size
     * as constants.
     */
    final void shiftRegisterImm(Insn in, int kind, int size) {
        int count = (int) (in.imm & (size == 8 ? 63 : 31));
        if (count == 0) {
            shift(in);
            return;
        }
        shiftRegister(in, count, kind, size);
    }

    private void shiftRegister(Insn in, int count, int kind, int size) {
        int rm = in.rm;
        if (size == 8) {
            long v = r[rm];
            long res;
            switch (kind) {
                case 5:
                    res = v >>> count;
                    flagsCfOf(res, ((v >>> (count - 1)) & 1) != 0, v < 0);
                    break;
                case 7:
                    res = v >> count;
                    flagsCfOf(res, ((v >> (count - 1)) & 1) != 0, false);
                    break;
                default: {
                    res = v << count;
                    boolean c = ((v >>> (64 - count)) & 1) != 0;
                    flagsCfOf(res, c, res < 0 ^ c);
                }
            }
            r[rm] = res;
            return;
        }
        long v = r[rm] & 0xFFFF_FFFFL;
        long res;
        switch (kind) {
            case 5:
                res = v >>> count;
                flagsCfOf(res, ((v >>> (count - 1)) & 1) != 0, (v & 0x8000_0000L) != 0);
                break;
            case 7: {
                long sv = (int) v;
                res = (sv >> count) & 0xFFFF_FFFFL;
                flagsCfOf((int) res, ((sv >> (count - 1)) & 1) != 0, false);
                break;
            }
            default: {
                res = (v << count) & 0xFFFF_FFFFL;
                boolean c = ((v >>> (32 - count)) & 1) != 0;
                flagsCfOf((int) res, c, (res & 0x8000_0000L) != 0 ^ c);
            }
        }
        r[rm] = res;
    }

    /** A masked count of zero changes no flags, but the operand is still accessed and written. */
    private void countZero(Insn in) {
        if (in.rm >= 0) {
            if (in.size == 4) {
                r[in.rm] &= 0xFFFF_FFFFL;
            }
        } else {
            mem.readForWrite(ea(in), in.size);
        }
    }

    private long rotateThroughCarry(boolean left, long v, int count, int bits) {
        int n = bits < 32 ? count % (bits + 1) : count;
        boolean c = cf();
        long m = mask(bits / 8);
        long top = 1L << (bits - 1);
        boolean origMsb = (v & top) != 0;
        for (int i = 0; i < n; i++) {
            if (left) {
                boolean out = (v & top) != 0;
                v = ((v << 1) | (c ? 1 : 0)) & m;
                c = out;
            } else {
                boolean out = (v & 1) != 0;
                v = (v >>> 1) | (c ? top : 0);
                c = out;
            }
        }
        if (n != 0) {
            boolean msb = (v & top) != 0;
            boolean o = left ? msb ^ c : msb ^ ((v & (top >>> 1)) != 0);
            setStatusFlags((c ? Rflags.CF : 0) | (o ? Rflags.OF : 0), Rflags.CF | Rflags.OF);
        }
        return v;
    }

    final void doubleShift(Insn in) {
        int bits = in.size * 8;
        int count = (int) ((in.cond == 1 ? r[Reg.RCX] : in.imm) & (bits == 64 ? 63 : 31));
        if (count == 0) {
            countZero(in);
            return;
        }
        long addr = in.rm < 0 ? ea(in) : 0;
        long dst = in.rm >= 0 ? getReg(in.rm, in.size) : mem.readForWrite(addr, in.size);
        long src = getReg(in.reg, in.size);
        long m = mask(in.size);
        long res;
        boolean c;
        if (in.op == Op.SHLD) {
            if (bits == 64) {
                res = (dst << count) | (src >>> (64 - count));
                c = ((dst >>> (64 - count)) & 1) != 0;
            } else if (bits == 32) {
                long cat = (dst << 32) | src;
                res = (cat << count >>> 32) & m;
                c = ((cat >>> (64 - count)) & 1) != 0;
            } else {
                // 16-bit: a count above 16 is undefined; shift the 48-bit dst:src:dst pattern.
                long cat = (dst << 32) | (src << 16) | dst;
                res = (cat >>> (32 - count)) & m;
                c = ((cat >>> (48 - count)) & 1) != 0;
            }
        } else {
            if (bits == 64) {
                res = (dst >>> count) | (src << (64 - count));
            } else if (bits == 32) {
                long cat = (src << 32) | dst;
                res = (cat >>> count) & m;
            } else {
                long cat = (dst << 32) | (src << 16) | dst;
                res = (cat >>> count) & m;
            }
            c = count <= bits ? ((dst >>> (count - 1)) & 1) != 0 : ((src >>> (count - 1 - bits)) & 1) != 0;
        }
        boolean o = ((res ^ dst) >>> (bits - 1) & 1) != 0;
        flagsCfOf(sx(res, in.size), c, o);
        if (in.rm >= 0) {
            setReg(in.rm, in.size, res);
        } else {
            mem.write(addr, in.size, res);
        }
    }

    // --- multiply and divide --------------------------------------------------------------------------

    static long unsignedMultiplyHigh(long a, long b) {
        return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }

    final void mulDiv(Insn in) {
        long src = readE(in, in.size);
        int size = in.size;
        switch (in.aux) {
            case 4: mul(size, src); return;
            case 5: imul1(size, src); return;
            case 6: div(size, src); return;
            default: idiv(size, src);
        }
    }

    private void mul(int size, long src) {
        long a = getReg(Reg.RAX, size);
        switch (size) {
            case 1: {
                long p = a * src;
                setReg(Reg.RAX, 2, p);
                flagsCfOf((byte) p, (p >>> 8) != 0, (p >>> 8) != 0);
                return;
            }
            case 2: {
                long p = a * src;
                setReg(Reg.RAX, 2, p);
                setReg(Reg.RDX, 2, p >>> 16);
                flagsCfOf((short) p, (p >>> 16) != 0, (p >>> 16) != 0);
                return;
            }
            case 4: {
                long p = a * src;
                setReg(Reg.RAX, 4, p);
                setReg(Reg.RDX, 4, p >>> 32);
                flagsCfOf((int) p, (p >>> 32) != 0, (p >>> 32) != 0);
                return;
            }
            default: {
                long hi = unsignedMultiplyHigh(a, src);
                r[Reg.RAX] = a * src;
                r[Reg.RDX] = hi;
                flagsCfOf(a * src, hi != 0, hi != 0);
            }
        }
    }

    private void imul1(int size, long src) {
        long a = sx(getReg(Reg.RAX, size), size);
        long b = sx(src, size);
        switch (size) {
            case 1: {
                long p = a * b;
                setReg(Reg.RAX, 2, p);
                boolean o = p != (byte) p;
                flagsCfOf((byte) p, o, o);
                return;
            }
            case 2: {
                long p = a * b;
                setReg(Reg.RAX, 2, p);
                setReg(Reg.RDX, 2, p >>> 16);
                boolean o = p != (short) p;
                flagsCfOf((short) p, o, o);
                return;
            }
            case 4: {
                long p = a * b;
                setReg(Reg.RAX, 4, p);
                setReg(Reg.RDX, 4, p >>> 32);
                boolean o = p != (int) p;
                flagsCfOf((int) p, o, o);
                return;
            }
            default: {
                long lo = a * b;
                long hi = Math.multiplyHigh(a, b);
                r[Reg.RAX] = lo;
                r[Reg.RDX] = hi;
                boolean o = hi != (lo >> 63);
                flagsCfOf(lo, o, o);
            }
        }
    }

    final void imul2(Insn in, long x, long y) {
        int size = in.size;
        long a = sx(x, size);
        long b = sx(y, size);
        long lo = a * b;
        boolean o;
        if (size == 8) {
            o = Math.multiplyHigh(a, b) != (lo >> 63);
        } else {
            o = lo != sx(lo, size);
        }
        flagsCfOf(sx(lo, size), o, o);
        setReg(in.reg, size, lo);
    }

    private void div(int size, long src) {
        if (src == 0) {
            throw new GuestFault(Vector.DE, 0);
        }
        switch (size) {
            case 1: {
                long n = getReg(Reg.RAX, 2);
                long q = n / src;
                if (q > 0xFF) {
                    throw new GuestFault(Vector.DE, 0);
                }
                setReg(Reg.RAX, 2, ((n % src) << 8) | q);
                break;
            }
            case 2:
            case 4: {
                int bits = size * 8;
                long n = (getReg(Reg.RDX, size) << bits) | getReg(Reg.RAX, size);
                long q = Long.divideUnsigned(n, src);
                if ((q >>> bits) != 0) {
                    throw new GuestFault(Vector.DE, 0);
                }
                long rem = Long.remainderUnsigned(n, src);
                setReg(Reg.RAX, size, q);
                setReg(Reg.RDX, size, rem);
                break;
            }
            default: {
                long hi = r[Reg.RDX];
                long lo = r[Reg.RAX];
                if (hi == 0) {
                    r[Reg.RAX] = Long.divideUnsigned(lo, src);
                    r[Reg.RDX] = Long.remainderUnsigned(lo, src);
                    break;
                }
                if (Long.compareUnsigned(hi, src) >= 0) {
                    throw new GuestFault(Vector.DE, 0);
                }
                // Restoring division of the 128-bit hi:lo by src, one quotient bit a step.
                for (int i = 0; i < 64; i++) {
                    boolean carry = hi < 0;
                    hi = (hi << 1) | (lo >>> 63);
                    lo <<= 1;
                    if (carry || Long.compareUnsigned(hi, src) >= 0) {
                        hi -= src;
                        lo |= 1;
                    }
                }
                r[Reg.RAX] = lo;
                r[Reg.RDX] = hi;
            }
        }
        markDivFlags();
    }

    private void idiv(int size, long src) {
        long d = sx(src, size);
        if (d == 0) {
            throw new GuestFault(Vector.DE, 0);
        }
        switch (size) {
            case 1:
            case 2:
            case 4: {
                int bits = size * 8;
                long n = size == 1 ? (short) getReg(Reg.RAX, 2)
                        : (sx(getReg(Reg.RDX, size), size) << bits) | getReg(Reg.RAX, size);
                if (size == 4 && (n == Long.MIN_VALUE && d == -1)) {
                    throw new GuestFault(Vector.DE, 0);
                }
                long q = n / d;
                long rem = n % d;
                if (q != sx(q, size)) {
                    throw new GuestFault(Vector.DE, 0);
                }
                if (size == 1) {
                    setReg(Reg.RAX, 2, ((rem & 0xFF) << 8) | (q & 0xFF));
                } else {
                    setReg(Reg.RAX, size, q);
                    setReg(Reg.RDX, size, rem);
                }
                break;
            }
            default: {
                long hi = r[Reg.RDX];
                long lo = r[Reg.RAX];
                if (hi == (lo >> 63)) {
                    if (lo == Long.MIN_VALUE && d == -1) {
                        throw new GuestFault(Vector.DE, 0);
                    }
                    r[Reg.RAX] = lo / d;
                    r[Reg.RDX] = lo % d;
                    break;
                }
                java.math.BigInteger n = java.math.BigInteger.valueOf(hi).shiftLeft(64)
                        .add(new java.math.BigInteger(Long.toUnsignedString(lo)));
                java.math.BigInteger[] qr = n.divideAndRemainder(java.math.BigInteger.valueOf(d));
                if (qr[0].bitLength() > 63) {
                    throw new GuestFault(Vector.DE, 0);
                }
                r[Reg.RAX] = qr[0].longValue();
                r[Reg.RDX] = qr[1].longValue();
            }
        }
        markDivFlags();
    }

    /** DIV/IDIV leave all status flags undefined; this model leaves them as they were. */
    private void markDivFlags() {
    }

    // --- bits ---------------------------------------------------------------------------------------------

    final void bitTest(Insn in) {
        int bits = in.size * 8;
        long addr = 0;
        long bitOffset;
        if (in.op == Op.BT_I) {
            bitOffset = in.imm & (bits - 1);
            if (in.rm < 0) {
                addr = ea(in);
            }
        } else {
            long off = sx(getReg(in.reg, in.size), in.size);
            if (in.rm < 0) {
                // A register bit offset reaches any operand-sized word around the address.
                long a = r[in.base] + (r[in.index] << in.scale) + in.disp
                        + (off >> (bits == 64 ? 6 : bits == 32 ? 5 : 4)) * in.size;
                if (in.addr32) {
                    a &= 0xFFFF_FFFFL;
                }
                addr = in.seg != 0 ? a + segBase(in.seg) : a;
            }
            bitOffset = off & (bits - 1);
        }
        if (in.lock) {
            long bit = 1L << bitOffset;
            long v = locked(addr, in.size, old -> bitResult(in.aux, old, bit));
            setCf((v & bit) != 0);
            return;
        }
        bitTestApply(in, addr, bitOffset);
    }

    private static long bitResult(int kind, long v, long bit) {
        switch (kind) {
            case 0: return v;
            case 1: return v | bit;
            case 2: return v & ~bit;
            default: return v ^ bit;
        }
    }

    private void bitTestApply(Insn in, long addr, long bitOffset) {
        long v = in.rm >= 0 ? getReg(in.rm, in.size) : (in.aux != 0 ? mem.readForWrite(addr, in.size) : mem.read(addr, in.size));
        long bit = 1L << bitOffset;
        long res = bitResult(in.aux, v, bit);
        if (in.aux != 0) {
            if (in.rm >= 0) {
                setReg(in.rm, in.size, res);
            } else {
                mem.write(addr, in.size, res);
            }
        }
        setCf((v & bit) != 0);
    }

    final void bitScan(Insn in) {
        long v = readE(in, in.size);
        int bits = in.size * 8;
        switch (in.op) {
            case Op.BSF:
            case Op.BSR:
                if (v == 0) {
                    setStatusFlags(Rflags.ZF, Rflags.ZF);
                    return;
                }
                setStatusFlags(0, Rflags.ZF);
                setReg(in.reg, in.size, in.op == Op.BSF ? Long.numberOfTrailingZeros(v) : 63 - Long.numberOfLeadingZeros(v));
                return;
            case Op.TZCNT: {
                long n = v == 0 ? bits : Long.numberOfTrailingZeros(v);
                setReg(in.reg, in.size, n);
                setStatusFlags((v == 0 ? Rflags.CF : 0) | (n == 0 ? Rflags.ZF : 0), Rflags.CF | Rflags.ZF);
                return;
            }
            case Op.LZCNT: {
                long n = Long.numberOfLeadingZeros(v) - (64 - bits);
                setReg(in.reg, in.size, n);
                setStatusFlags((v == 0 ? Rflags.CF : 0) | (n == 0 ? Rflags.ZF : 0), Rflags.CF | Rflags.ZF);
                return;
            }
            default: {
                setReg(in.reg, in.size, Long.bitCount(v));
                materializeFlags();
                rf = (rf & ~Rflags.STATUS) | (v == 0 ? Rflags.ZF : 0);
            }
        }
    }

    final void bswap(Insn in) {
        if (in.size == 8) {
            r[in.reg] = Long.reverseBytes(r[in.reg]);
        } else if (in.size == 4) {
            r[in.reg] = Integer.reverseBytes((int) r[in.reg]) & 0xFFFF_FFFFL;
        } else {
            setReg(in.reg, 2, 0); // BSWAP of a 16-bit register is undefined; hardware zeroes it.
        }
    }
}
