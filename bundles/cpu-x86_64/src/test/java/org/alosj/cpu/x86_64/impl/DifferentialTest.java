package org.alosj.cpu.x86_64.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.alosj.hal.cpu.Reg;
import org.alosj.hal.cpu.Rflags;
import org.alosj.cpu.x86_64.Toolchain;
import org.alosj.hal.cpu.Vector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The model against the host's own processor: every instruction form the decoder implements is
 * run, with random operands, flags, addressing modes and FPU state (seeded, so a failure
 * reproduces), natively through diffrun.c and on the model; registers, the flags the SDM
 * defines, the x87/SSE state, memory, and any fault (vector, error code, CR2, RIP) must match.
 *
 * <p>The forms are listed in src/test/resources/cpu/forms.txt: a form the decoder gains without
 * a line there (and so without differential cases) fails {@link #theDecoderImplementsExactlyTheFormTable}.
 */
class DifferentialTest {
    static final long SEED = Long.getLong("cpu.diff.seed", 0x5EED_0005L);
    static final int CASES_PER_FORM = Integer.getInteger("cpu.diff.cases", 12);
    private static final int BATCH = 2000;

    /**
     * Forms that cannot be compared with the host, and why; each is tested on its own elsewhere.
     */
    static final Map<String, String> NOT_DIFFERENTIAL = new TreeMap<>();

    static {
        NOT_DIFFERENTIAL.put("CPUID", "the host reports its own features; CpuIdTest checks the model's");
        NOT_DIFFERENTIAL.put("RDTSC", "time differs; SystemInstructionsTest checks it counts up");
        NOT_DIFFERENTIAL.put("RDTSCP", "time differs; SystemInstructionsTest checks it counts up");
        NOT_DIFFERENTIAL.put("SYSCALL", "would enter the host kernel; TrapsTest covers it");
        NOT_DIFFERENTIAL.put("SGDT", "the host kernel emulates it under UMIP with dummy values");
        NOT_DIFFERENTIAL.put("SIDT", "the host kernel emulates it under UMIP with dummy values");
        NOT_DIFFERENTIAL.put("INT1", "the host (a VM) reports ICEBP's #DB at the instruction; the SDM makes it a trap");
        NOT_DIFFERENTIAL.put("MOV_TO_SEG", "loading FS/GS would reset the host thread's TLS base");
    }

    static InstructionForms forms;
    static Map<String, InstructionForms.Probe> implemented;

    @BeforeAll
    static void enumerate() {
        forms = new InstructionForms();
        implemented = forms.enumerate();
    }

    /** The host's CPU features (from /proc/cpuinfo): forms the host lacks cannot be compared. */
    static final Set<String> HOST_FLAGS = hostFlags();

    /**
     * The model keeps the x87 last-instruction pointers as AMD processors do (FXSAVE stores them
     * only while an exception is pending; FNSTENV stores the code and data selectors): on another
     * vendor's host those bytes are the host's own and are not compared.
     */
    static final boolean HOST_KEEPS_POINTERS_AS_AMD = hostVendor().equals("AuthenticAMD");

    static String hostVendor() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("vendor_id")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return "";
    }

    static Set<String> hostFlags() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return Set.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
                }
            }
        } catch (IOException e) {
            // not Linux: every form is assumed present
        }
        return Set.of();
    }

    static boolean differential(String key) {
        String op = key.split(" ")[0];
        if (!HOST_FLAGS.isEmpty() && (op.equals("LZCNT") && !HOST_FLAGS.contains("abm")
                || op.equals("TZCNT") && !HOST_FLAGS.contains("bmi1") || op.equals("POPCNT") && !HOST_FLAGS.contains("popcnt"))) {
            return false; // an older host runs these encodings as BSR/BSF or #UD
        }
        if (!HOST_FLAGS.isEmpty() && newerThanSse2(key) && !HOST_FLAGS.containsAll(Set.of("pni", "ssse3", "sse4_1", "sse4_2"))) {
            return false; // x86-64-v2 forms on a host without them
        }
        return !NOT_DIFFERENTIAL.containsKey(op);
    }

    /**
     * The forms with an imm8 in the 0F 3A map get a case for every imm8 value (the generator
     * sweeps it): each byte of PCMPxSTRx's control twice over, BLEND, DPPS, MPSADBW, INSERTPS,
     * ROUND, PALIGNR and the extracts once.
     */
    static int casesFor(String key) {
        if (key.startsWith("SSE 3A 6")) {
            return 512;
        }
        if (key.startsWith("SSE 3A ")) {
            return 256;
        }
        // The other SSE3/SSSE3/SSE4 forms and CRC32: more random operands than the older forms get.
        return newerThanSse2(key) ? Math.max(64, CASES_PER_FORM) : CASES_PER_FORM;
    }

    /** SSE3, SSSE3, SSE4.1 and SSE4.2 forms (SseExtensions', CRC32 and SSE3's FISTTP). */
    static boolean newerThanSse2(String key) {
        return key.startsWith("CRC32") || key.startsWith("SSE 38 ") || key.startsWith("SSE 3A ")
                || key.equals("X87 DB/1m") || key.equals("X87 DD/1m") || key.equals("X87 DF/1m")
                || key.matches("SSE (D0|7C|7D)/(66|F2) .*|SSE (12|16)/F3 .*|SSE (12|F0)/F2 .*");
    }

    @Test
    void theDecoderImplementsExactlyTheFormTable() throws IOException {
        Set<String> table = new TreeSet<>();
        try (InputStream in = DifferentialTest.class.getResourceAsStream("/cpu/forms.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    table.add(line.trim());
                }
            }
        }
        Set<String> decoded = new TreeSet<>(implemented.keySet());
        Set<String> missing = new TreeSet<>(decoded);
        missing.removeAll(table);
        Set<String> stale = new TreeSet<>(table);
        stale.removeAll(decoded);
        assertTrue(missing.isEmpty() && stale.isEmpty(),
                () -> "forms.txt is out of date.\nDecoded but not in the table (add them, and make sure the generator covers them):\n  "
                        + String.join("\n  ", missing) + "\nIn the table but no longer decoded:\n  " + String.join("\n  ", stale));
    }

    @Test
    void everyFormBehavesAsOnTheHostCpu() throws Exception {
        Toolchain.assumeAvailable("gcc");
        HostCpu host = new HostCpu();
        ModelCpu model = new ModelCpu();
        CaseGenerator gen = new CaseGenerator(forms, SEED);
        List<String> ungenerated = new ArrayList<>();
        Map<String, List<String>> failures = new LinkedHashMap<>();
        List<DiffCase> batch = new ArrayList<>();
        for (Map.Entry<String, InstructionForms.Probe> f : implemented.entrySet()) {
            if (!differential(f.getKey())) {
                continue;
            }
            int made = 0;
            for (int i = 0; i < casesFor(f.getKey()); i++) {
                DiffCase c = gen.generate(f.getKey(), f.getValue());
                if (c != null) {
                    batch.add(c);
                    made++;
                }
            }
            if (made == 0) {
                ungenerated.add(f.getKey());
            }
            if (batch.size() >= BATCH) {
                runBatch(host, model, batch, failures);
            }
        }
        runBatch(host, model, batch, failures);
        assertTrue(ungenerated.isEmpty(), () -> "no differential case could be generated for " + ungenerated);
        int traced = model.tracedCases;
        assertTrue(traced > 1_000, () -> "too few cases ran as traces: " + traced);
        if (!failures.isEmpty()) {
            StringBuilder sb = new StringBuilder(failures.size() + " forms differ from the host CPU (seed "
                    + Long.toHexString(SEED) + "):\n");
            failures.forEach((form, list) -> {
                sb.append("  ").append(form).append(": ").append(list.size()).append(" cases, e.g.\n");
                list.stream().limit(2).forEach(x -> sb.append("    ").append(x).append('\n'));
            });
            fail(sb.toString());
        }
    }

    @Test
    void sequencesThatChainTheFlagsBehaveAsOnTheHostCpu() throws Exception {
        Toolchain.assumeAvailable("gcc");
        HostCpu host = new HostCpu();
        ModelCpu model = new ModelCpu();
        FlagSequences sequences = new FlagSequences(new CaseGenerator(forms, SEED ^ 0x5E0L));
        List<Map.Entry<String, InstructionForms.Probe>> pool = new ArrayList<>();
        for (Map.Entry<String, InstructionForms.Probe> f : implemented.entrySet()) {
            if (differential(f.getKey()) && FlagSequences.sequenceable(f.getKey(), f.getValue())) {
                pool.add(f);
            }
        }
        assertTrue(pool.size() > 100, () -> "too few forms for sequences: " + pool.size());
        List<DiffCase> cases = new ArrayList<>();
        for (int i = 0; i < Integer.getInteger("cpu.diff.sequences", 4000); i++) {
            cases.add(sequences.sequence(pool));
        }
        List<String> all = failuresOf(host, model, cases, "sequence");
        int traced = model.tracedCases;
        assertTrue(traced > 1_000, () -> "too few sequences ran as traces: " + traced);
        assertTrue(all.isEmpty(), () -> all.size() + " sequences differ from the host CPU, e.g.\n  "
                + String.join("\n  ", all.subList(0, Math.min(5, all.size()))));
    }

    @Test
    void compareAndBranchPairsBehaveAsOnTheHostCpu() throws Exception {
        Toolchain.assumeAvailable("gcc");
        HostCpu host = new HostCpu();
        ModelCpu model = new ModelCpu();
        FlagSequences sequences = new FlagSequences(new CaseGenerator(forms, SEED ^ 0xC3BL));
        List<Map.Entry<String, InstructionForms.Probe>> pool = new ArrayList<>();
        List<Map.Entry<String, InstructionForms.Probe>> compares = new ArrayList<>();
        List<Map.Entry<String, InstructionForms.Probe>> jccs = new ArrayList<>();
        for (Map.Entry<String, InstructionForms.Probe> f : implemented.entrySet()) {
            String key = f.getKey();
            if (!differential(key)) {
                continue;
            }
            if (key.startsWith("JCC ")) {
                jccs.add(f);
            } else if (FlagSequences.sequenceable(key, f.getValue())) {
                pool.add(f);
                if (key.startsWith("ALU_RR aux7 ") || key.startsWith("ALU_RI aux7 ") || key.startsWith("TEST_RR ")
                        || key.startsWith("TEST_RI ")) {
                    compares.add(f);
                }
            }
        }
        assertTrue(jccs.size() == 16 && compares.size() >= 8, () -> jccs.size() + " Jcc forms, " + compares.size() + " compares");
        List<DiffCase> cases = new ArrayList<>();
        // Forms drawn at random: in turn, they would fall into step with ModelCpu's tiers.
        java.util.Random pick = new java.util.Random(SEED);
        for (int i = 0; i < Integer.getInteger("cpu.diff.branches", 2000); i++) {
            DiffCase c = sequences.compareAndBranch(pool, compares.get(pick.nextInt(compares.size())), jccs.get(pick.nextInt(jccs.size())));
            if (c != null) {
                cases.add(c);
            }
        }
        assertTrue(cases.size() > 1_000, () -> "too few compare-and-branch cases: " + cases.size());
        List<String> all = failuresOf(host, model, cases, "compare and branch");
        assertTrue(all.isEmpty(), () -> all.size() + " compare-and-branch cases differ from the host CPU, e.g.\n  "
                + String.join("\n  ", all.subList(0, Math.min(5, all.size()))));
    }

    /** Runs {@code cases} on the host CPU and on the model, {@link #BATCH} at a time: those of {@code kind} that differ. */
    private static List<String> failuresOf(HostCpu host, ModelCpu model, List<DiffCase> cases, String kind)
            throws IOException, InterruptedException {
        Map<String, List<String>> failures = new LinkedHashMap<>();
        for (int from = 0; from < cases.size(); from += BATCH) {
            runBatch(host, model, new ArrayList<>(cases.subList(from, Math.min(cases.size(), from + BATCH))), failures);
        }
        return failures.getOrDefault(kind, List.of());
    }

    private static void runBatch(HostCpu host, ModelCpu model, List<DiffCase> batch, Map<String, List<String>> failures)
            throws IOException, InterruptedException {
        List<DiffCase.Outcome> onHost = host.run(batch);
        for (int i = 0; i < batch.size(); i++) {
            DiffCase c = batch.get(i);
            String diff = compare(c, onHost.get(i), model.run(c));
            if (diff != null) {
                failures.computeIfAbsent(c.form, k -> new ArrayList<>()).add(c.description + "\n      " + diff);
            }
        }
        batch.clear();
    }

    static String compare(DiffCase c, DiffCase.Outcome h, DiffCase.Outcome m) {
        if (h.trap != m.trap) {
            return String.format("host %s at %x (error %x, addr %x), model %s at %x (error %x, addr %x)",
                    trapName(h.trap), h.rip, h.errorCode, h.faultAddress, trapName(m.trap), m.rip, m.errorCode,
                    m.faultAddress);
        }
        if (h.rip != m.rip) {
            return String.format("%s: host rip %x, model rip %x", trapName(h.trap), h.rip, m.rip);
        }
        // FLDENV/FNSTENV/FRSTOR/FNSAVE/FXSAVE/FXRSTOR move their 28, 108 or 512 bytes in an order of the processor's
        // choosing: which byte of a page-crossing image faults first is its own.
        boolean anyFaultingByte = c.form.startsWith("X87 DD/6m") || c.form.startsWith("X87 DD/4m")
                || c.form.startsWith("X87 D9/6m") || c.form.startsWith("X87 D9/4m") || c.form.startsWith("FX");
        if (h.trap == Vector.PF && (h.errorCode != m.errorCode || h.faultAddress != m.faultAddress && !anyFaultingByte)) {
            return String.format("#PF host error %x cr2 %x, model error %x cr2 %x", h.errorCode, h.faultAddress,
                    m.errorCode, m.faultAddress);
        }
        if (h.trap == Vector.GP && h.errorCode != m.errorCode) {
            return String.format("#GP host error %x, model error %x", h.errorCode, m.errorCode);
        }
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < 16; r++) {
            if ((c.undefinedRegs & (1 << r)) == 0 && h.state.gpr[r] != m.state.gpr[r]) {
                sb.append(String.format("%s host %x model %x (was %x); ", Reg.name(r), h.state.gpr[r], m.state.gpr[r],
                        c.in.gpr[r]));
            }
        }
        long mask = ~c.undefinedFlags & (Rflags.STATUS | Rflags.DF);
        if ((h.state.rflags & mask) != (m.state.rflags & mask)) {
            sb.append(String.format("rflags host %x model %x (was %x, undefined %x); ", h.state.rflags & mask,
                    m.state.rflags & mask, c.in.rflags & mask, c.undefinedFlags));
        }
        if (h.completed()) {
            compareFpu(c, h.state, m.state, m, sb);
        }
        for (int i = 0; i < DiffCase.DATA_SIZE; i++) {
            if (h.state.data[i] != m.state.data[i] && !ignored(c, i)) {
                int from = i & ~7;
                sb.append(String.format("memory at %x (byte %x%s): host %016x model %016x; ", DiffCase.DATA + from, DiffCase.DATA + i,
                        c.ignored.isEmpty() ? "" : ", operand at " + Long.toHexString(DiffCase.DATA + c.ignored.get(0)[0] - (c.form.startsWith("FX") ? 28 : 12)),
                        ByteBuffer.wrap(h.state.data, from, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(),
                        ByteBuffer.wrap(m.state.data, from, 8).order(ByteOrder.LITTLE_ENDIAN).getLong()));
                break;
            }
        }
        if (sb.length() == 0) {
            return null;
        }
        return (h.completed() ? "" : trapName(h.trap) + " at " + Long.toHexString(h.rip) + ": ") + sb;
    }

    private static boolean ignored(DiffCase c, int offset) {
        for (int[] r : c.ignored) {
            if (offset >= r[0] && offset < r[1]) {
                return true;
            }
        }
        return false;
    }

    /**
     * The host's x87 transcendental results are not always correctly rounded: when the exact value
     * lies within this many units in the last place of a rounding boundary, the host may round
     * the other way (an AMD EPYC was seen to, up to 0.11 ulp away). There, and only there, a
     * result one unit in the last place away from the model's (and its C1) is the host's; and
     * when the exact value lies that close to a representable value, the host's C1 (rounded up
     * or not) is its own.
     */
    static final double HOST_ROUNDING_SLACK = 0.25;

    /** Cases whose results were accepted one unit in the last place apart (see {@link #HOST_ROUNDING_SLACK}). */
    static final java.util.concurrent.atomic.AtomicInteger roundedOtherWay = new java.util.concurrent.atomic.AtomicInteger();

    /** Adjacent 80-bit values of one sign (the next significand, or across a binade). */
    static boolean oneUlpApart(long am, int ae, long bm, int be) {
        if (((ae ^ be) & 0x8000) != 0) {
            return false;
        }
        java.math.BigInteger a = java.math.BigInteger.valueOf(ae & 0x7FFF).shiftLeft(64).add(Float80.mag(am));
        java.math.BigInteger b = java.math.BigInteger.valueOf(be & 0x7FFF).shiftLeft(64).add(Float80.mag(bm));
        java.math.BigInteger d = a.subtract(b).abs();
        if (d.equals(java.math.BigInteger.ONE)) {
            return true;
        }
        // 1.111...1 * 2^k and 1.000...0 * 2^(k+1)
        long lo = a.compareTo(b) < 0 ? am : bm;
        long hi = a.compareTo(b) < 0 ? bm : am;
        return lo == -1L && hi == Long.MIN_VALUE && Math.abs((ae & 0x7FFF) - (be & 0x7FFF)) == 1;
    }

    private static void compareFpu(DiffCase c, DiffCase.State h, DiffCase.State m, DiffCase.Outcome model, StringBuilder sb) {
        ByteBuffer hf = h.fxBuffer();
        ByteBuffer mf = m.fxBuffer();
        int hcw = hf.getShort(0) & 0xFFFF;
        int mcw = mf.getShort(0) & 0xFFFF;
        if ((hcw & 0x1F3F) != (mcw & 0x1F3F)) {
            sb.append(String.format("FCW host %x model %x; ", hcw, mcw));
        }
        int hsw = hf.getShort(2) & 0xFFFF;
        int msw = mf.getShort(2) & 0xFFFF;
        int swMask = 0x3800 | X87_STATUS_COMPARED;
        if (comparesCondition(c)) {
            swMask |= 0x4500;
        } else if (setsC2(c)) {
            swMask |= 0x0400;
        }
        boolean slack = model.roundingMargin < HOST_ROUNDING_SLACK;
        int htw = hf.get(4) & 0xFF;
        int top = (hsw >> 11) & 7;
        boolean otherWay = false;
        StringBuilder st = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if ((htw & (1 << ((top + i) & 7))) == 0) {
                continue;
            }
            long hm = hf.getLong(32 + 16 * i);
            long mm = mf.getLong(32 + 16 * i);
            int he = hf.getShort(40 + 16 * i) & 0xFFFF;
            int me = mf.getShort(40 + 16 * i) & 0xFFFF;
            if (hm != mm || he != me) {
                if (slack && oneUlpApart(hm, he, mm, me)) {
                    otherWay = true;
                    continue;
                }
                st.append(String.format("ST(%d) host %04x:%016x model %04x:%016x; ", i, he, hm, me, mm));
            }
        }
        if (otherWay || model.representableMargin < HOST_ROUNDING_SLACK) {
            swMask &= ~0x200; // C1 tells which way the host rounded, or on which side of the result it saw the value
        }
        if ((hsw & swMask) != (msw & swMask)) {
            sb.append(String.format("FSW host %x model %x; ", hsw, msw));
        }
        int mtw = mf.get(4) & 0xFF;
        if (htw != mtw) {
            sb.append(String.format("FTW host %x model %x; ", htw, mtw));
        }
        sb.append(st);
        if (otherWay && st.length() == 0 && sb.length() == 0) {
            roundedOtherWay.incrementAndGet();
        }
        if ((hsw & 0x80) != 0 && HOST_KEEPS_POINTERS_AS_AMD) {
            // An exception pending: the host's FXSAVE stored the last-instruction pointers (32-bit
            // layout), the model's image holds them in the 64-bit layout.
            int hop = hf.getShort(6) & 0x7FF;
            int mop = mf.getShort(6) & 0x7FF;
            if (hop != mop || hf.getInt(8) != mf.getInt(8) || hf.getInt(16) != mf.getInt(16)) {
                sb.append(String.format("FOP/FIP/FDP host %x/%x/%x model %x/%x/%x; ", hop, hf.getInt(8), hf.getInt(16), mop,
                        mf.getInt(8), mf.getInt(16)));
            }
        }
        int hmx = hf.getInt(24);
        int mmx = mf.getInt(24);
        if (hmx != mmx) {
            sb.append(String.format("MXCSR host %x model %x; ", hmx, mmx));
        }
        for (int i = 0; i < 16; i++) {
            long hl = hf.getLong(160 + 16 * i);
            long hh = hf.getLong(168 + 16 * i);
            long ml = mf.getLong(160 + 16 * i);
            long mh = mf.getLong(168 + 16 * i);
            if (hl != ml || hh != mh) {
                sb.append(String.format("xmm%d host %016x%016x model %016x%016x; ", i, hh, hl, mh, ml));
            }
        }
    }

    /**
     * x87 status bits compared besides TOP: every exception flag (IE, DE, ZE, OE, UE, PE, SF) and
     * C1; C0, C2 and C3 only after compares (above), since arithmetic leaves them undefined.
     */
    static final int X87_STATUS_COMPARED = 0x01 | 0x02 | 0x04 | 0x08 | 0x10 | 0x20 | 0x40 | 0x200;

    private static boolean comparesCondition(DiffCase c) {
        String f = c.form;
        return f.startsWith("X87 D8/2") || f.startsWith("X87 D8/3") || f.startsWith("X87 DC/2") || f.startsWith("X87 DC/3")
                || f.startsWith("X87 DD/4r") || f.startsWith("X87 DD/5r") || f.startsWith("X87 DE/3r") || f.startsWith("X87 DA/5r")
                || f.startsWith("X87 D9/4r") || f.equals("X87 D9/7r F8") || f.equals("X87 D9/6r F5")
                || f.startsWith("X87 DC/2r") || f.startsWith("X87 DC/3r") || f.startsWith("X87 DE/2r");
    }

    /** FSIN, FCOS, FSINCOS, FPTAN (C2: out of range) and FPREM, FPREM1 (C0, C1, C3: quotient bits, C2: partial). */
    private static boolean setsC2(DiffCase c) {
        String f = c.form;
        return f.equals("X87 D9/7r FE") || f.equals("X87 D9/7r FF") || f.equals("X87 D9/7r FB") || f.equals("X87 D9/6r F2");
    }

    static String trapName(int trap) {
        switch (trap) {
            case -1: return "completed";
            case -2: return "no stop";
            case 0: return "#DE";
            case 1: return "#DB";
            case 3: return "#BP";
            case 4: return "#OF";
            case 6: return "#UD";
            case 7: return "#NM";
            case 12: return "#SS";
            case 13: return "#GP";
            case 14: return "#PF";
            case 16: return "#MF";
            case 17: return "#AC";
            case 19: return "#XM";
            default: return "vector " + trap;
        }
    }
}
