package org.alosj.cpu.x86_64;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.alosj.cpu.x86_64.impl.X86CpuFactory;
import org.alosj.hal.cpu.Cpu;
import org.alosj.hal.cpu.Cr;
import org.alosj.hal.cpu.Msr;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.Rflags;
import org.alosj.hal.cpu.RunExit;
import org.alosj.hal.cpu.TrapHandler;
import org.alosj.hal.cpu.TrapKind;
import org.alosj.hal.cpu.Vector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input: random bytes run as user code (seeded, reproducible) must end in a guest
 * exception or software interrupt delivered to ring 0, or in the instruction budget; never in a
 * Java exception out of the interpreter, a hang, or a state the next run cannot start from.
 */
class FuzzTest {
    static final long SEED = Long.getLong("cpu.fuzz.seed", 0xF022L);
    static final int RUNS = Integer.getInteger("cpu.fuzz.runs", 30_000);
    static final long CODE = 0x40_0000L;
    static final long DATA = 0x60_0000L;
    /** What random code may legitimately raise at CPL 3. */
    static final Set<Integer> EXPECTED = Set.of(Vector.DE, Vector.DB, Vector.BP, Vector.OF, Vector.UD, Vector.NM,
            Vector.GP, Vector.PF, Vector.MF, Vector.AC, Vector.XM, Vector.SS);

    @ParameterizedTest(name = "at CPL {0}")
    @ValueSource(ints = {3, 0})
    void randomBytesEndInAGuestExceptionOrTheBudgetNeverInAJavaException(int cpl) {
        FlatRamBus bus = new FlatRamBus(16L << 20);
        PageTables pt = new PageTables(bus, 0x10_0000);
        Cpu cpu = new X86CpuFactory().create(bus);
        byte[] freshFpu = cpu.saveFpuState();
        long codePhys = pt.map(CODE, PageTables.US | PageTables.RW);
        pt.map(CODE + 0x1000, PageTables.US);
        for (int i = 0; i < 4; i++) {
            pt.map(DATA + 0x1000L * i, PageTables.US | PageTables.RW | PageTables.NX);
        }
        long cr0 = cpu.cr(0) | Cr.CR0_PG | Cr.CR0_WP | Cr.CR0_AM;
        long cr4 = cpu.cr(4);
        long efer = cpu.msr(Msr.IA32_EFER);
        int[] lastVector = new int[1];
        for (int v = 0; v < 256; v++) {
            cpu.setTrapHandler(v, 3, (c, f) -> {
                lastVector[0] = f.kind() == TrapKind.SOFTWARE_INTERRUPT ? 1000 : f.vector();
                return TrapHandler.Resume.EXIT_RUN;
            });
        }
        cpu.setTrapHandler(Vector.SYSCALL, (c, f) -> {
            lastVector[0] = Vector.SYSCALL;
            return TrapHandler.Resume.EXIT_RUN;
        });
        Random rng = new Random(SEED + cpl);
        byte[] page = new byte[0x1000];
        byte[] data = new byte[0x4000];
        Map<String, Integer> outcomes = new TreeMap<>();
        Map<Integer, Integer> unexpected = new HashMap<>();
        for (int run = 0; run < RUNS; run++) {
            rng.nextBytes(page);
            if (rng.nextBoolean()) {
                Arrays.fill(page, 64, page.length, (byte) 0x90); // short random prefix, then NOPs to the page end
            }
            bus.write(codePhys, page, 0, page.length);
            cpu.invalidateCode(codePhys, page.length);
            if (run % 64 == 0) {
                rng.nextBytes(data);
                pt.write(DATA, data);
            }
            cpu.setCr(4, cr4);
            cpu.setCr(3, pt.pml4);
            cpu.setCr(0, cr0);
            cpu.setMsr(Msr.IA32_EFER, efer);
            cpu.setDescriptorTables(0, 0, 0, 0, 0);
            for (int r = 0; r < 16; r++) {
                cpu.setReg(r, rng.nextInt(3) == 0 ? DATA + rng.nextInt(0x4000) : rng.nextLong());
            }
            cpu.setReg(Reg.RSP, DATA + 0x2000 + 8 * rng.nextInt(64));
            cpu.setCs(cpl == 3 ? 0x33 : 0x08);
            cpu.setSs(cpl == 3 ? 0x2B : 0x10);
            cpu.setRflags(Rflags.IF | (rng.nextLong() & (Rflags.STATUS | Rflags.DF | Rflags.AC)));
            cpu.restoreFpuState(freshFpu);
            cpu.setRip(CODE + rng.nextInt(32));
            lastVector[0] = -1;
            long before = cpu.instructionsRetired();
            RunExit exit;
            try {
                exit = cpu.run(20_000);
            } catch (Throwable t) {
                fail("run " + run + " (seed " + Long.toHexString(SEED) + ") threw from the interpreter at rip "
                        + Long.toHexString(cpu.rip()) + ", code " + hex(page, 0, 48), t);
                return;
            }
            long retired = cpu.instructionsRetired() - before;
            assertTrue(retired <= 20_000 + 64, "run " + run + " overran its budget: " + retired);
            String key = exit == RunExit.TRAP ? vectorName(lastVector[0]) : exit.name();
            outcomes.merge(key, 1, Integer::sum);
            if (exit == RunExit.TRAP && lastVector[0] < 32
                    && !EXPECTED.contains(lastVector[0]) || exit == RunExit.SHUTDOWN || exit == RunExit.HALTED && cpl == 3) {
                unexpected.merge(lastVector[0], 1, Integer::sum);
            }
        }
        assertTrue(unexpected.isEmpty(), () -> "unexpected outcomes " + unexpected + "; all: " + outcomes);
        if (cpl == 0) {
            // Ring 0 may reprogram the machine (CR0, CR3, EFER, MSRs); each run starts from a known state.
            return;
        }
        assertTrue(outcomes.getOrDefault("#UD", 0) > 0 && outcomes.getOrDefault("#GP", 0) > 0
                && outcomes.getOrDefault("#PF", 0) > 0, () -> "the fuzzer reached too little: " + outcomes);
    }

    static String vectorName(int v) {
        switch (v) {
            case Vector.SYSCALL: return "SYSCALL";
            case 1000: return "INT n";
            case Vector.DE: return "#DE";
            case Vector.UD: return "#UD";
            case Vector.GP: return "#GP";
            case Vector.PF: return "#PF";
            default: return v < 32 ? "exception " + v : "INT n";
        }
    }

    static String hex(byte[] b, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.append(String.format("%02x ", b[i] & 0xFF));
        }
        return sb.toString().trim();
    }
}
