package org.alosj.cpu.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.alosj.cpu.x86_64.impl.ModelCounters;
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
        "gcc, hello.c, -O2", "gcc, sort.c, -O2", "gcc, format.c, -O2", "gcc, fpmath.c, -O2",
        // x86-64-v2: SSE3, SSSE3, SSE4.1, SSE4.2 and POPCNT wherever the compiler finds a use
        "musl-gcc, hello.c, -O2 -march=x86-64-v2", "musl-gcc, sort.c, -O2 -march=x86-64-v2",
        "musl-gcc, crc32.c, -O2 -march=x86-64-v2", "musl-gcc, sha256.c, -O2 -march=x86-64-v2",
        "musl-gcc, format.c, -O2 -march=x86-64-v2", "musl-gcc, fpmath.c, -O2 -march=x86-64-v2",
        "musl-gcc, x87libm.c, -O2 -march=x86-64-v2", "gcc, hello.c, -O2 -march=x86-64-v2", "gcc, sort.c, -O2 -march=x86-64-v2",
        "gcc, format.c, -O2 -march=x86-64-v2", "gcc, fpmath.c, -O2 -march=x86-64-v2",
        "musl-gcc, sse42.c, -O2 -march=x86-64-v2", "musl-gcc, sse42.c, -O3 -march=x86-64-v2", "gcc, sse42.c, -O2 -march=x86-64-v2"})
    void staticProgramPrintsWhatItPrintsNatively(String compiler, String source, String optimisation) throws Exception {
        Toolchain.assumeAvailable(compiler);
        String name = (source.replace(".c", "") + "-" + compiler + optimisation).replace(' ', '_').replace('=', '_');
        List<String> flags = new java.util.ArrayList<>(List.of("-static"));
        flags.addAll(List.of(optimisation.split(" ")));
        flags.add("-lm");
        Path exe = Toolchain.compile(compiler, source, name, flags.toArray(String[]::new));
        String expected = new String(Toolchain.run(List.of(exe.toString(), "a1", "a2"), null, 60), StandardCharsets.UTF_8);

        GuestProcess p = new GuestProcess(exe, List.of(exe.toString(), "a1", "a2"), 64L << 20);
        p.run(2_000_000_000L);
        assertNull(p.fault, () -> "guest fault " + p.fault + " after output:\n" + p.output() + p.errors());
        assertEquals(expected, p.output());
        assertEquals(0, p.exitCode);
        long extensions = ModelCounters.extensionInstructions(p.cpu);
        System.err.printf("%s %s %s: %d instructions (%d SSE3/SSSE3/SSE4/CRC32), %d system calls%n", compiler, source,
                optimisation, p.cpu.instructionsRetired(), extensions, p.syscalls);
        if (source.equals("sse42.c")) {
            // CRC32C over 4 KiB, the PCMPxSTRx loops and the intrinsics: about 5,600 of them
            assertTrue(extensions > 5_000, () -> "the x86-64-v2 program ran only " + extensions + " SSE4-era instructions");
        }
    }
}
