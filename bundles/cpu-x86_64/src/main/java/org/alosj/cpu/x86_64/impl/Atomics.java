package org.alosj.cpu.x86_64.impl;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.alosj.hal.bus.GuestRam;

/**
 * Atomic access to guest RAM for LOCKed read-modify-writes, XCHG and CMPXCHG8B, so that guest
 * CPUs on different host threads see them as x86 does (Intel SDM Vol. 3, 9.1.2).
 *
 * <p>An operand of 1 to 8 bytes that lies within one naturally aligned 8-byte word of RAM is
 * updated with a compare-and-exchange on that word (a 4-byte operand aligned to 4 on its own
 * int): atomic against every other access to those bytes, locked or not, by any CPU. An operand
 * that crosses an 8-byte boundary (a split lock, which real processors serialise by locking the
 * bus) is not handled here: the caller takes the RAM's lock instead, which makes it atomic
 * against the other split locks but not against a concurrent aligned atomic on the same bytes,
 * the price of having no bus to lock (Linux treats split locks as a bug, #AC under
 * split_lock_detect).
 *
 * <p>Every operation here has volatile semantics, so a LOCKed instruction is also a full fence,
 * as on x86.
 */
final class Atomics {
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Atomics() {
    }

    /** Whether the {@code size}-byte operand at RAM offset {@code offset} can be updated atomically here. */
    static boolean fits(long offset, int size) {
        return (offset & 7) + size <= 8;
    }

    /** The operand, zero-extended, read with volatile semantics. Requires {@link #fits}. */
    static long get(GuestRam ram, long offset, int size) {
        byte[] c = ram.chunk(offset);
        int i = GuestRam.chunkOffset(offset);
        if (size == 8) {
            return (long) LONG.getVolatile(c, i);
        }
        if (size == 4 && (i & 3) == 0) {
            return (int) INT.getVolatile(c, i) & 0xFFFF_FFFFL;
        }
        int base = i & ~7;
        int shift = 8 * (i - base);
        return ((long) LONG.getVolatile(c, base) >>> shift) & mask(size);
    }

    /**
     * Stores {@code value} if the operand holds {@code expected} (both zero-extended to the
     * operand's size); returns what it held (the witness). Requires {@link #fits}.
     */
    static long compareAndExchange(GuestRam ram, long offset, int size, long expected, long value) {
        byte[] c = ram.chunk(offset);
        int i = GuestRam.chunkOffset(offset);
        long m = mask(size);
        expected &= m;
        value &= m;
        if (size == 8) {
            return (long) LONG.compareAndExchange(c, i, expected, value);
        }
        if (size == 4 && (i & 3) == 0) {
            return (int) INT.compareAndExchange(c, i, (int) expected, (int) value) & 0xFFFF_FFFFL;
        }
        // A narrower operand: exchange its whole 8-byte word, the neighbours' bytes as they are.
        int base = i & ~7;
        int shift = 8 * (i - base);
        for (;;) {
            long word = (long) LONG.getVolatile(c, base);
            long current = (word >>> shift) & m;
            if (current != expected) {
                return current;
            }
            long next = (word & ~(m << shift)) | (value << shift);
            if (LONG.compareAndSet(c, base, word, next)) {
                return expected;
            }
        }
    }

    private static long mask(int size) {
        return size == 8 ? -1L : (1L << (8 * size)) - 1;
    }
}
