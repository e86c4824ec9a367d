package org.alosj.userland;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.alosj.testkit.RealPeers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * condvar, the glibc program, seen by the real strace natively: it really issues FUTEX_WAKE_OP,
 * as many as it counts itself ("wake-op calls: N"), with the three errors Linux gives. glibc
 * 2.36's own condition variables issue none (only FUTEX_WAIT_BITSET and FUTEX_WAKE), so the calls
 * strace sees are the program's, and the run of condvar on ALOS/J (its case in cases.txt)
 * exercises the kernel's FUTEX_WAKE_OP.
 */
class CondvarStraceTest {
    @TempDir
    Path temp;

    @Test
    void condvarIssuesFutexWakeOpAsOftenAsItCountsAndLinuxRefusesTheBadOnes() throws Exception {
        RealPeers.requireTool("strace", "Debian package strace");
        Path bin = Path.of(System.getProperty("userland.bin", "target/bin")).toAbsolutePath();
        Path condvar = bin.resolve("condvar");
        RealPeers.require(Files.isExecutable(condvar), "condvar is not built in " + bin + " (gcc or libc6-dev missing)");

        Path trace = temp.resolve("futex.trace");
        Process p = new ProcessBuilder("strace", "-f", "-qq", "-e", "trace=futex", "-o", trace.toString(),
                condvar.toString(), "2", "2", "500", "10").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "strace condvar did not finish");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.endsWith("\nok\n"), out);
        Matcher counted = Pattern.compile("wake-op calls: (\\d+)\n").matcher(out);
        assertTrue(counted.find(), out);
        // 500 items by 2 producers: a wake for each put and each take, a broadcast at the end, and
        // the 13 calls of the operations table.
        assertEquals(2 * 2 * 500 + 1 + 13, Integer.parseInt(counted.group(1)), out);

        List<String> wakeOps = Files.readAllLines(trace).stream().filter(l -> l.contains("FUTEX_WAKE_OP")).toList();
        assertEquals(Integer.parseInt(counted.group(1)), wakeOps.size(), "FUTEX_WAKE_OP calls strace saw");
        assertEquals(2, wakeOps.stream().filter(l -> l.endsWith("= -1 ENOSYS (Function not implemented)")).count(),
                "unknown operation and unknown comparison");
        assertEquals(1, wakeOps.stream().filter(l -> l.endsWith("= -1 EINVAL (Invalid argument)")).count(),
                "misaligned second word");
        assertTrue(wakeOps.stream().anyMatch(l -> l.contains("FUTEX_OP_SET<<28|0<<12|FUTEX_OP_CMP_GT<<24|0x1")),
                "the old condition variable's lock release:\n" + String.join("\n", wakeOps.subList(0, Math.min(20, wakeOps.size()))));
    }

    /**
     * cond-broadcast (musl) natively: its broadcasts really move waiters with FUTEX_REQUEUE (so its
     * case in cases.txt runs the kernel's requeue), and Linux counts each moved waiter in the
     * result, as the kernel's requeue does.
     */
    @Test
    void condBroadcastMovesWaitersWithFutexRequeue() throws Exception {
        RealPeers.requireTool("strace", "Debian package strace");
        Path bin = Path.of(System.getProperty("userland.bin", "target/bin")).toAbsolutePath();
        Path program = bin.resolve("cond-broadcast");
        RealPeers.require(Files.isExecutable(program), "cond-broadcast is not built in " + bin);

        Path trace = temp.resolve("requeue.trace");
        Process p = new ProcessBuilder("strace", "-f", "-qq", "-e", "trace=futex", "-o", trace.toString(),
                program.toString(), "4", "50").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "strace cond-broadcast did not finish");
        assertEquals(0, p.exitValue(), out);
        assertEquals("4 threads, 50 broadcasts, 200 wake-ups (expected 200)\n", out);
        List<String> requeues = Files.readAllLines(trace).stream().filter(l -> l.contains("FUTEX_REQUEUE")).toList();
        assertTrue(requeues.size() >= 50, "one requeue a broadcast at least: " + requeues.size());
        assertTrue(requeues.stream().anyMatch(l -> l.matches(".*FUTEX_REQUEUE_PRIVATE, 0, 1, 0x[0-9a-f]+\\) = 1")),
                "a waiter moved and counted:\n" + String.join("\n", requeues.subList(0, Math.min(10, requeues.size()))));
    }
}
