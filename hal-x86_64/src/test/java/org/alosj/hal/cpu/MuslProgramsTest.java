package org.alosj.hal.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real compiled code: C programs built with {@code musl-gcc -static -O2} run natively and on the
 * model; stdout and the exit status must be identical.
 */
class MuslProgramsTest {
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "hello.c, -O2", "sort.c, -O2", "sort.c, -O0", "crc32.c, -O2", "crc32.c, -O3", "sha256.c, -O2",
        "sha256.c, -O3", "format.c, -O2", "format.c, -Os", "fpmath.c, -O2", "fpmath.c, -O0"})
    void staticMuslProgramPrintsWhatItPrintsNatively(String source, String optimisation) throws Exception {
        Toolchain.assumeAvailable("musl-gcc");
        String name = source.replace(".c", "") + optimisation;
        Path exe = Toolchain.compile("musl-gcc", source, name, "-static", optimisation, "-lm");
        String expected = new String(Toolchain.run(List.of(exe.toString(), "a1", "a2"), null, 60), StandardCharsets.UTF_8);

        GuestProcess p = new GuestProcess(exe, List.of(exe.toString(), "a1", "a2"), 64L << 20);
        p.run(2_000_000_000L);
        assertNull(p.fault, () -> "guest fault " + p.fault + " after output:\n" + p.output());
        assertEquals(expected, p.output());
        assertEquals(0, p.exitCode);
        System.err.printf("%s %s: %d instructions, %d system calls%n", source, optimisation, p.cpu.instructionsRetired(), p.syscalls);
    }
}
