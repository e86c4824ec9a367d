package org.alosj.itests;

import org.alosj.itests.AlosProcess.Result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CPU model is a bundle of its own (cpu-x86_64, a CpuFactory service): stopped, no program
 * starts and exec says why; running programs die with it instead of hanging; started again,
 * programs run.
 */
class CpuBundleDistributionTest {
    private static final boolean CI = "true".equals(System.getenv("CI"));

    @TempDir
    Path tmp;
    final DistributionTest launcher = new DistributionTest();

    @BeforeAll
    static void findDistribution() {
        DistributionTest.findDistribution();
        boolean built = Files.isRegularFile(Path.of("../userland/target/bin/hello"));
        if (!built && CI) {
            fail("no userland programs were built (musl-gcc missing: Debian package musl-tools), and CI=true requires them");
        }
        Assumptions.assumeTrue(built, "no userland programs were built (musl-gcc missing: Debian package musl-tools)");
    }

    Result alos(String... args) throws Exception {
        launcher.tmp = tmp;
        return launcher.alos(args);
    }

    @Test
    void without_the_cpu_bundle_exec_fails_saying_why_and_runs_again_once_it_is_back() throws Exception {
        int cpu = VirtioDistributionTest.bundleId("cpu-x86_64.jar");
        Result r = alos("-c", "exec /bin/hello; stop " + cpu + "; exec /bin/hello; start " + cpu + "; exec /bin/hello");
        assertEquals(0, r.status(), r.out() + r.err());
        String all = r.out() + r.err();
        assertTrue(all.contains("exec: /bin/hello: Resource temporarily unavailable (no CPU model: the cpu-x86_64 "
                + "bundle is not active)"), all);
        int first = r.out().indexOf("Hello from the ALOS/J userland!");
        assertTrue(first >= 0, r.out());
        assertTrue(r.out().indexOf("Hello from the ALOS/J userland!", first + 1) > first,
                "hello runs again once the CPU bundle is started: " + r.out());
    }

    @Test
    void a_running_program_is_killed_when_the_cpu_bundle_stops() throws Exception {
        int cpu = VirtioDistributionTest.bundleId("cpu-x86_64.jar");
        // spin never ends on its own: only the CPU model's going away ends it.
        Result r = alos("-c", "(sleep 0.5; stop " + cpu + ") &; exec /bin/spin");
        String all = r.out() + r.err();
        assertTrue(all.contains("spinning until killed"), all);
        assertTrue(all.contains("Killed"), all);
        assertTrue(all.contains("the CPU model went away; killing 1 process(es)"), all);
        assertFalse(all.contains("Exception"), all);
    }
}
