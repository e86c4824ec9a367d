package org.alosj.cpu.x86_64.impl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.alosj.cpu.x86_64.Toolchain;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The x87 transcendental and remaining arithmetic instructions against the host CPU, with many
 * more cases than {@link DifferentialTest} gives each form: random operands across each
 * instruction's domain and beyond it, and the edges (zeros, infinities, NaNs, denormals,
 * unnormals, the ends of the domains), in all four rounding modes and with the stack empty,
 * full and in between; FBLD and FBSTP with valid and invalid packed decimals.
 *
 * <p>Results must be bit for bit the host's, status word and flags included, except where the
 * host itself is not correctly rounded ({@link DifferentialTest#HOST_ROUNDING_SLACK}).
 */
class X87HostTest {
    private static final int CASES = Integer.getInteger("cpu.x87.cases", 1500);
    private static final String[] FORMS = {
        "X87 D9/6r F0", "X87 D9/6r F1", "X87 D9/6r F2", "X87 D9/6r F3", "X87 D9/7r F9", "X87 D9/7r FB",
        "X87 D9/7r FE", "X87 D9/7r FF", "X87 D9/6r F4", "X87 D9/6r F5", "X87 D9/7r F8", "X87 D9/7r FC", "X87 D9/7r FD",
        "X87 DF/4m", "X87 DF/6m"};

    static Map<String, InstructionForms.Probe> implemented;
    static InstructionForms forms;

    @BeforeAll
    static void enumerate() {
        forms = new InstructionForms();
        implemented = forms.enumerate();
    }

    @Test
    void transcendentalAndRemainingArithmeticInstructionsGiveTheHostsResultsBitForBit() throws Exception {
        Toolchain.assumeAvailable("gcc");
        HostCpu host = new HostCpu();
        ModelCpu model = new ModelCpu();
        CaseGenerator gen = new CaseGenerator(forms, DifferentialTest.SEED ^ 0x87L);
        Map<String, List<String>> failures = new LinkedHashMap<>();
        int total = 0;
        int before = DifferentialTest.roundedOtherWay.get();
        for (String form : FORMS) {
            InstructionForms.Probe p = implemented.get(form);
            assertTrue(p != null, () -> form + " is not decoded");
            List<DiffCase> batch = new ArrayList<>();
            for (int i = 0; i < CASES; i++) {
                DiffCase c = gen.generate(form, p);
                if (c != null) {
                    batch.add(c);
                }
            }
            total += batch.size();
            List<DiffCase.Outcome> onHost = host.run(batch);
            for (int i = 0; i < batch.size(); i++) {
                DiffCase c = batch.get(i);
                String diff = DifferentialTest.compare(c, onHost.get(i), model.run(c));
                if (diff != null) {
                    failures.computeIfAbsent(form, k -> new ArrayList<>()).add(c.description + "\n      " + diff
                            + "\n      in: " + stack(c.in));
                }
            }
        }
        int otherWay = DifferentialTest.roundedOtherWay.get() - before;
        int cases = total;
        assertTrue(failures.isEmpty(), () -> {
            StringBuilder sb = new StringBuilder(failures.size() + " forms differ from the host CPU in " + cases + " cases:\n");
            failures.forEach((form, list) -> {
                sb.append("  ").append(form).append(": ").append(list.size()).append(" cases, e.g.\n");
                list.stream().limit(4).forEach(x -> sb.append("    ").append(x).append('\n'));
            });
            return sb.toString();
        });
        System.err.printf("x87 against the host: %d cases, %d results a unit in the last place from the host's"
                + " (exact value within %.2f ulp of a rounding boundary)%n", cases, otherWay, DifferentialTest.HOST_ROUNDING_SLACK);
        // The host rounds the other way only near a boundary: a few percent of the results at most.
        assertTrue(otherWay < cases / 20, () -> otherWay + " of " + cases + " results one unit in the last place from the host's");
    }

    static String stack(DiffCase.State s) {
        java.nio.ByteBuffer fx = s.fxBuffer();
        StringBuilder sb = new StringBuilder(String.format("FCW %x FSW %x tags %x", fx.getShort(0) & 0xFFFF,
                fx.getShort(2) & 0xFFFF, fx.get(4) & 0xFF));
        for (int i = 0; i < 2; i++) {
            sb.append(String.format(" ST(%d) %04x:%016x", i, fx.getShort(40 + 16 * i) & 0xFFFF, fx.getLong(32 + 16 * i)));
        }
        return sb.toString();
    }
}
