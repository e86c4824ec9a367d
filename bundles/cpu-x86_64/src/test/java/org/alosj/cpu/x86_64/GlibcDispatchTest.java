package org.alosj.cpu.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.alosj.cpu.x86_64.impl.ModelCounters;
import org.junit.jupiter.api.Test;

/**
 * glibc chooses its string functions by CPUID when a program starts: a static glibc program built
 * for the x86-64 baseline runs SSE4.2 instructions on the model only if glibc took its SSE4.2
 * versions (strcspn, strspn, strpbrk with PCMPISTRI), which it does for a vendor it knows and
 * cache sizes it can read (leaves 0x80000005 and 0x80000006), as on QEMU's TCG CPUs.
 */
class GlibcDispatchTest {
    @Test
    void glibcTakesItsSse42StringFunctions() throws Exception {
        Toolchain.assumeAvailable("gcc");
        Path exe = Toolchain.compile("gcc", "strfuncs.c", "strfuncs-glibc", "-static", "-O2");
        String expected = new String(Toolchain.run(List.of(exe.toString()), null, 60), StandardCharsets.UTF_8);

        GuestProcess p = new GuestProcess(exe, List.of(exe.toString()), 64L << 20);
        p.run(500_000_000L);
        assertNull(p.fault, () -> "guest fault " + p.fault + " after output:\n" + p.output() + p.errors());
        assertEquals(expected, p.output(), "the same sums, and cache sizes glibc could read");
        assertEquals(0, p.exitCode);
        long sse4 = ModelCounters.extensionInstructions(p.cpu);
        // 50 rounds of strcspn, strspn and strpbrk over ~4 KiB, 16 bytes a PCMPISTRI: ~38,000 of them
        assertTrue(sse4 > 10_000, () -> "glibc ran only " + sse4 + " SSE4.2 instructions: it took its baseline functions");
    }
}
