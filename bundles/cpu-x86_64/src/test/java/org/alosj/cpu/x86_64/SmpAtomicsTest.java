package org.alosj.cpu.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.alosj.cpu.x86_64.impl.X86CpuFactory;
import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.RunExit;
import org.alosj.hal.cpu.TrapHandler;
import org.alosj.hal.cpu.Vector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Guest CPUs on host threads of their own over one guest RAM (Intel SDM Vol. 3, 9.1 and 9.2):
 * LOCKed read-modify-writes, XCHG and CMPXCHG8B lose no update however the threads interleave,
 * and memory ordering is x86-TSO: in the store-buffer shape (x = 1; r1 = y || y = 1; r2 = x)
 * r1 = r2 = 0 may appear with plain moves, never with MFENCE, a LOCKed instruction or an XCHG
 * between the store and the load.
 */
class SmpAtomicsTest {
    static final int CPUS = 4;
    static final long CODE = 0x1000;
    static final long COUNTERS = 0x8000;
    /** Per-CPU ceiling on instructions: a lost update that leaves a spinlock held fails, never hangs. */
    static final long BUDGET = 4_000_000_000L;

    final FlatRamBus bus = new FlatRamBus(8L << 20);
    final X86CpuFactory factory = new X86CpuFactory();

    /** A CPU over the shared bus that runs {@code code} at {@code at} and stops at its UD2. */
    Cpu cpu(long at, byte[] code) {
        bus.write(at, code, 0, code.length);
        Cpu c = factory.create(bus);
        for (int v = 0; v < 32; v++) {
            int vector = v;
            c.setTrapHandler(v, (cpu, f) -> {
                if (vector != Vector.UD) {
                    throw new AssertionError("guest exception " + vector + " at " + Long.toHexString(f.rip()));
                }
                return TrapHandler.Resume.EXIT_RUN;
            });
        }
        c.setRip(at);
        return c;
    }

    /** Runs every CPU on a thread of its own, all released together, to their UD2. */
    static void runTogether(List<Cpu> cpus) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(cpus.size());
        CyclicBarrier start = new CyclicBarrier(cpus.size());
        try {
            List<Future<?>> done = new ArrayList<>();
            for (Cpu c : cpus) {
                done.add(pool.submit(() -> {
                    start.await();
                    while (c.run(1_000_000) != RunExit.TRAP) {
                        if (c.instructionsRetired() > BUDGET) {
                            throw new AssertionError("no end after " + BUDGET + " instructions: an update was lost");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw new AssertionError(e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    long read(long address, int size) {
        return bus.read(address, size);
    }

    static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    /*
     * loop:   mov eax, 1;  lock xadd [0x8000], rax
     * retry:  mov rax, [0x8008];  lea rdx, [rax + 1];  lock cmpxchg [0x8008], rdx;  jnz retry
     *         lock add byte [0x8010], 1;  lock inc word [0x8012];  lock add dword [0x8014], 3
     *         lock dec qword [0x8018]
     * spin:   mov eax, 1;  xchg [0x8020], eax;  test eax, eax;  jnz spin
     *         mov rax, [0x8028];  inc rax;  mov [0x8028], rax;  mov dword [0x8020], 0
     * retry8: mov eax, [0x8030];  mov edx, [0x8034];  mov ebx, eax;  mov ecx, edx;  add ebx, 1;  adc ecx, 0
     *         lock cmpxchg8b [0x8030];  jnz retry8
     *         lock add dword [0x8046], 1          (crosses an 8-byte boundary: a split lock)
     *         dec r9;  jnz loop;  ud2
     */
    static final byte[] COUNTING = bytes(
            0xb8, 0x01, 0x00, 0x00, 0x00, 0xf0, 0x48, 0x0f, 0xc1, 0x04, 0x25, 0x00, 0x80, 0x00, 0x00,
            0x48, 0x8b, 0x04, 0x25, 0x08, 0x80, 0x00, 0x00, 0x48, 0x8d, 0x50, 0x01,
            0xf0, 0x48, 0x0f, 0xb1, 0x14, 0x25, 0x08, 0x80, 0x00, 0x00, 0x75, 0xe8,
            0xf0, 0x80, 0x04, 0x25, 0x10, 0x80, 0x00, 0x00, 0x01,
            0x66, 0xf0, 0xff, 0x04, 0x25, 0x12, 0x80, 0x00, 0x00,
            0xf0, 0x83, 0x04, 0x25, 0x14, 0x80, 0x00, 0x00, 0x03,
            0xf0, 0x48, 0xff, 0x0c, 0x25, 0x18, 0x80, 0x00, 0x00,
            0xb8, 0x01, 0x00, 0x00, 0x00, 0x87, 0x04, 0x25, 0x20, 0x80, 0x00, 0x00, 0x85, 0xc0, 0x75, 0xf0,
            0x48, 0x8b, 0x04, 0x25, 0x28, 0x80, 0x00, 0x00, 0x48, 0xff, 0xc0,
            0x48, 0x89, 0x04, 0x25, 0x28, 0x80, 0x00, 0x00,
            0xc7, 0x04, 0x25, 0x20, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x8b, 0x04, 0x25, 0x30, 0x80, 0x00, 0x00, 0x8b, 0x14, 0x25, 0x34, 0x80, 0x00, 0x00,
            0x89, 0xc3, 0x89, 0xd1, 0x83, 0xc3, 0x01, 0x83, 0xd1, 0x00,
            0xf0, 0x0f, 0xc7, 0x0c, 0x25, 0x30, 0x80, 0x00, 0x00, 0x75, 0xdd,
            0xf0, 0x83, 0x04, 0x25, 0x46, 0x80, 0x00, 0x00, 0x01,
            0x49, 0xff, 0xc9, 0x0f, 0x85, 0x52, 0xff, 0xff, 0xff, 0x0f, 0x0b);

    @Test
    void fourCpusCountingWithLockedInstructionsLoseNoUpdate() throws Exception {
        int iterations = 20_000;
        List<Cpu> cpus = new ArrayList<>();
        for (int i = 0; i < CPUS; i++) {
            // One copy of the code per CPU, each on a page of its own.
            Cpu c = cpu(CODE + 0x1000L * i, COUNTING);
            c.setReg(Reg.R9, iterations);
            cpus.add(c);
        }
        runTogether(cpus);
        long n = (long) CPUS * iterations;
        assertEquals(n, read(COUNTERS, 8), "lock xadd");
        assertEquals(n, read(COUNTERS + 8, 8), "lock cmpxchg loop");
        assertEquals(n & 0xFF, read(COUNTERS + 0x10, 1), "lock add byte (its neighbours in the word change too)");
        assertEquals(n & 0xFFFF, read(COUNTERS + 0x12, 2), "lock inc word");
        assertEquals(3 * n & 0xFFFF_FFFFL, read(COUNTERS + 0x14, 4), "lock add dword");
        assertEquals(-n, read(COUNTERS + 0x18, 8), "lock dec qword");
        assertEquals(0, read(COUNTERS + 0x20, 4), "the xchg spinlock is free at the end");
        assertEquals(n, read(COUNTERS + 0x28, 8), "plain increments under the xchg spinlock");
        assertEquals(n, read(COUNTERS + 0x30, 8), "lock cmpxchg8b loop");
        assertEquals(n, read(COUNTERS + 0x46, 4), "split lock add");
    }

    // --- store buffering -------------------------------------------------------------------------

    static final long X = 0x10_0000;
    static final long Y = 0x20_0000;
    static final long R1 = 0x30_0000;
    static final long R2 = 0x40_0000;
    static final int ROUNDS = 20_000;

    /**
     * Round after round (rsi = 8 * round, r9 rounds): both CPUs meet at a barrier (lock inc
     * [0x9000], then wait for it to reach 2 * round), store 1 to their own flag, maybe fence,
     * then read the other's flag and keep what they saw.
     */
    static byte[] storeBuffering(long mine, long theirs, long result, String between) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.writeBytes(bytes(0x31, 0xf6, 0x45, 0x31, 0xc0)); // xor esi, esi; xor r8d, r8d
        int round = b.size();
        b.writeBytes(bytes(0xf0, 0x48, 0xff, 0x04, 0x25, 0x00, 0x90, 0x00, 0x00)); // lock inc qword [0x9000]
        b.writeBytes(bytes(0x49, 0x83, 0xc0, 0x02)); // add r8, 2
        b.writeBytes(bytes(0x4c, 0x39, 0x04, 0x25, 0x00, 0x90, 0x00, 0x00, 0x72, 0xf6)); // wait: cmp [0x9000], r8; jb wait
        if (between.equals("xchg")) {
            b.writeBytes(bytes(0xb8, 0x01, 0x00, 0x00, 0x00)); // mov eax, 1
            b.writeBytes(bytes(0x48, 0x87, 0x86)); // xchg [rsi + mine], rax
            b.writeBytes(disp32(mine));
        } else {
            b.writeBytes(bytes(0x48, 0xc7, 0x86)); // mov qword [rsi + mine], 1
            b.writeBytes(disp32(mine));
            b.writeBytes(bytes(0x01, 0x00, 0x00, 0x00));
        }
        if (between.equals("mfence")) {
            b.writeBytes(bytes(0x0f, 0xae, 0xf0));
        } else if (between.equals("lock")) {
            b.writeBytes(bytes(0xf0, 0x48, 0x83, 0x0c, 0x25, 0x08, 0x90, 0x00, 0x00, 0x00)); // lock or qword [0x9008], 0
        }
        b.writeBytes(bytes(0x48, 0x8b, 0x86)); // mov rax, [rsi + theirs]
        b.writeBytes(disp32(theirs));
        b.writeBytes(bytes(0x48, 0x89, 0x86)); // mov [rsi + result], rax
        b.writeBytes(disp32(result));
        b.writeBytes(bytes(0x48, 0x83, 0xc6, 0x08, 0x49, 0xff, 0xc9)); // add rsi, 8; dec r9
        int back = round - (b.size() + 2);
        b.writeBytes(bytes(0x75, back & 0xFF, 0x0f, 0x0b)); // jnz round; ud2
        return b.toByteArray();
    }

    static byte[] disp32(long v) {
        return bytes((int) v, (int) (v >> 8), (int) (v >> 16), (int) (v >> 24));
    }

    /** How many rounds ended with each outcome, indexed r1 * 2 + r2. */
    int[] storeBufferingOutcomes(String between) throws Exception {
        Cpu a = cpu(CODE, storeBuffering(X, Y, R1, between));
        Cpu b = cpu(CODE + 0x1000, storeBuffering(Y, X, R2, between));
        a.setReg(Reg.R9, ROUNDS);
        b.setReg(Reg.R9, ROUNDS);
        runTogether(List.of(a, b));
        int[] outcomes = new int[4];
        for (int i = 0; i < ROUNDS; i++) {
            long r1 = read(R1 + 8L * i, 8);
            long r2 = read(R2 + 8L * i, 8);
            assertTrue((r1 == 0 || r1 == 1) && (r2 == 0 || r2 == 1), "round " + i + ": r1=" + r1 + " r2=" + r2);
            outcomes[(int) (r1 * 2 + r2)]++;
        }
        org.slf4j.LoggerFactory.getLogger(SmpAtomicsTest.class).info("store buffering with {}: r1r2=00 {}, 01 {}, 10 {}, 11 {}",
                between, outcomes[0], outcomes[1], outcomes[2], outcomes[3]);
        assertEquals(2L * ROUNDS, read(0x9000, 8), "every round met at the barrier");
        return outcomes;
    }

    @Test
    void storeBufferingWithPlainMovesEndsOnlyInOutcomesX86Allows() throws Exception {
        int[] o = storeBufferingOutcomes("plain moves");
        // All four are allowed without a fence (r1 = r2 = 0 is the store buffer at work).
        assertEquals(ROUNDS, o[0] + o[1] + o[2] + o[3]);
    }

    @ParameterizedTest(name = "{0} between the store and the load")
    @ValueSource(strings = {"mfence", "lock", "xchg"})
    void storeBufferingNeverEndsWithBothZeroWhenAFullFenceSeparatesStoreAndLoad(String between) throws Exception {
        int[] o = storeBufferingOutcomes(between);
        assertEquals(0, o[0], "r1 = r2 = 0 with " + between + " between the store and the load");
    }
}
