package org.alosj.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -smp 4}: threads of one program run on several virtual CPUs at once. userland's
 * smp-test (musl, pthreads) meets its threads at a spinning barrier and asks getcpu(2) where
 * each runs, counts with LOCK XADD, LOCK CMPXCHG loops and a futex mutex, and checks the TLB
 * shootdown: its threads read a page that mremap then replaces under them, and must see the new
 * one. Three threads on four CPUs, so the main thread has a CPU of its own and no tick preempts
 * the readers (a preemption flushes a TLB too, and would hide a missing shootdown; without the
 * shootdown this run reports 3 stale reads). /proc/cpuinfo and nproc (sched_getaffinity) see
 * four CPUs; with the default single CPU the same program runs with one CPU number.
 */
class SmpDistributionTest {
    private static final boolean CI = "true".equals(System.getenv("CI"));

    @TempDir
    Path run;

    private AlosProcess.Result boot(String... args) throws Exception {
        Path userland = Path.of("../userland/target/bin").toAbsolutePath().normalize();
        boolean present = Files.isRegularFile(userland.resolve("smp-test"));
        if (!present && CI) {
            fail("no userland (musl-gcc), and CI=true requires it");
        }
        Assumptions.assumeTrue(present, "no userland (musl-gcc)");
        Path dist = Path.of(System.getProperty("alosj.dist", "../distribution/target/alosj")).toAbsolutePath()
                .normalize();
        List<String> cmd = AlosProcess.launcher(dist, run);
        cmd.addAll(List.of(args));
        return AlosProcess.run(new ProcessBuilder(cmd), 300, "smp");
    }

    @Test
    void threads_run_on_four_cpus_with_exact_atomics_and_no_stale_tlb() throws Exception {
        AlosProcess.Result r = boot("-smp", "4", "-c",
                "exec /bin/smp-test 3 50000; exec /bin/busybox nproc; exec /bin/busybox grep -c processor /proc/cpuinfo");
        String out = r.out();
        assertTrue(out.contains("distinct cpus: 3\n"), "the three threads did not run at once:\n" + out + r.err());
        assertTrue(out.contains("lock xadd total: 150000 of 150000\n"), out);
        assertTrue(out.contains("lock cmpxchg total: 150000 of 150000\n"), out);
        assertTrue(out.contains("mutex total: 2346 of 2346\n"), out);
        assertTrue(out.contains("stale reads: 0\nok\n"), out);
        assertTrue(out.contains("ok\n4\n4\n"), "nproc and /proc/cpuinfo:\n" + out);
        assertEquals(0, r.status(), out + r.err());
    }

    @Test
    void one_cpu_by_default() throws Exception {
        AlosProcess.Result r = boot("-c", "exec /bin/smp-test 3 2000; exec /bin/busybox nproc");
        String out = r.out();
        assertTrue(out.contains("distinct cpus: 1\n"), out + r.err());
        assertTrue(out.contains("stale reads: 0\nok\n1\n"), out + r.err());
        assertEquals(0, r.status(), out + r.err());
    }
}
