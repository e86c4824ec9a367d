package org.alosj.cpu.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real compiled code: C programs built at test time with {@code musl-gcc -static} and with
 * {@code gcc -static} (glibc, which picks its string and maths routines by CPUID) run natively
 * and on the model as ring-3 processes; stdout and the exit status must be identical.
 */
class CompiledProgramsTest {
    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({
        "musl-gcc, hello.c, -O2", "musl-gcc, sort.c, -O2", "musl-gcc, sort.c, -O0", "musl-gcc, crc32.c, -O2",
        "musl-gcc, crc32.c, -O3", "musl-gcc, sha256.c, -O2", "musl-gcc, sha256.c, -O3", "musl-gcc, format.c, -O2",
        "musl-gcc, format.c, -Os", "musl-gcc, fpmath.c, -O2", "musl-gcc, fpmath.c, -O0", "musl-gcc, x87libm.c, -O2",
        "gcc, hello.c, -O2", "gcc, sort.c, -O2", "gcc, format.c, -O2", "gcc, fpmath.c, -O2"})
    void staticProgramPrintsWhatItPrintsNatively(String compiler, String source, String optimisation) throws Exception {
        Toolchain.assumeAvailable(compiler);
        String name = source.replace(".c", "") + "-" + compiler + optimisation;
        Path exe = Toolchain.compile(compiler, source, name, "-static", optimisation, "-lm");
        String expected = new String(Toolchain.run(List.of(exe.toString(), "a1", "a2"), null, 60), StandardCharsets.UTF_8);

        GuestProcess p = new GuestProcess(exe, List.of(exe.toString(), "a1", "a2"), 64L << 20);
        p.run(2_000_000_000L);
        assertNull(p.fault, () -> "guest fault " + p.fault + " after output:\n" + p.output() + p.errors());
        assertEquals(expected, p.output());
        assertEquals(0, p.exitCode);
        System.err.printf("%s %s %s: %d instructions, %d system calls%n", compiler, source, optimisation,
                p.cpu.instructionsRetired(), p.syscalls);
    }
}
