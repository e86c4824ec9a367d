package org.alosj.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ALOS's threads-test on the scheduler: four threads with nice 0, 0, 10 and 19 (levels 2, 2, 3
 * and 3) doing the same work. A level-3 thread never runs while a level-2 one is runnable (the
 * spinning low-priority threads do not starve the high ones: they wait for them), and the PIT
 * tick's preemption interleaves the rounds of threads of the same level.
 */
class ThreadsPriorityTest {
    private static final boolean CI = "true".equals(System.getenv("CI"));
    private static final Pattern PROGRESS = Pattern.compile("(?m)^progress (\\d) (\\d+)/(\\d+)$");

    @TempDir
    Path run;

    @Test
    void higher_levels_run_first_and_equal_levels_interleave() throws Exception {
        Path program = Path.of("../userland/target/bin/threads-test").toAbsolutePath().normalize();
        if (!Files.isRegularFile(program) && CI) {
            fail("the userland was not built (musl-gcc missing), and CI=true requires it");
        }
        Assumptions.assumeTrue(Files.isRegularFile(program), "the userland was not built (musl-gcc missing)");
        Path dist = Path.of(System.getProperty("alosj.dist", "../distribution/target/alosj")).toAbsolutePath()
                .normalize();
        List<String> cmd = new ArrayList<>(AlosProcess.launcher(dist, run));
        // Rounds long enough to span several 10 ms ticks each: with the trace JIT a round of a
        // million steps took about a tick, and one thread could finish all six in its slices.
        cmd.addAll(List.of("-netdev", "hub,id=n0", "-device", "pcnet,netdev=n0", "-serial", "none",
                "-c", "exec /bin/threads-test 6 5000000"));
        AlosProcess.Result r = AlosProcess.run(new ProcessBuilder(cmd), 600, "threads-test");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("threads-test: all threads done"), r.out());
        List<Integer> order = new ArrayList<>();
        Matcher m = PROGRESS.matcher(r.out());
        while (m.find()) {
            order.add(Integer.parseInt(m.group(1)));
        }
        assertEquals(24, order.size(), "6 rounds of 4 threads:\n" + r.out());
        int lastHigh = Math.max(order.lastIndexOf(0), order.lastIndexOf(1));
        int firstLow = Math.min(order.indexOf(2), order.indexOf(3));
        assertTrue(lastHigh < firstLow, "a level-3 thread ran before the level-2 threads were done:\n" + r.out());
        assertInterleaved(order, 0, 1, r.out());
        assertInterleaved(order, 2, 3, r.out());
    }

    /** Each of {@code a} and {@code b} reports a round while the other still has rounds to go. */
    private static void assertInterleaved(List<Integer> order, int a, int b, String out) {
        assertTrue(order.indexOf(b) < order.lastIndexOf(a) && order.indexOf(a) < order.lastIndexOf(b),
                "threads " + a + " and " + b + " (one level) did not take turns:\n" + out);
    }
}
