package org.alosj.userland;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every case of the userland's {@code expected/cases.txt} run on ALOS/J, checked against the same
 * expected files {@link NativeRunTest} checks the native runs with ({@link Cases}): standard output
 * byte for byte (or by its {@code .re} / {@code .lines} rule), standard error, exit status. Each case
 * runs in a fresh {@link Fixture} tree with only the userland's programs on PATH, as natively; all
 * cases run in one boot ({@link GuestBatch}), and each is reported on its own.
 *
 * <p>Without the userland programs (musl-gcc missing) or busybox (which runs the jobs) these tests
 * skip saying why; with CI=true they fail. {@link UserlandOnTwoCpusTest} runs them all again on
 * a machine with two CPUs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UserlandOnAlosTest {
    private static final boolean CI = "true".equals(System.getenv("CI"));
    private static final Path BUSYBOX = Path.of("/bin/busybox");
    /** The cases checked by a method of their own below (so that one can be disabled alone). */
    private static final Set<String> OWN_METHOD = Set.of("fpprint", "tcpclient-refused");

    private GuestBatch.Run run;

    /** The launcher's options for the machine the cases run on (beyond the default machine). */
    List<String> machine() {
        return List.of();
    }

    @BeforeAll
    void runEveryCaseOnAlos(@TempDir Path work) throws Exception {
        Path dist = Path.of(System.getProperty("alosj.dist", "../distribution/target/alosj")).toAbsolutePath().normalize();
        Path userland = Path.of(System.getProperty("userland.bin", "../userland/target/bin")).toAbsolutePath().normalize();
        boolean built = Files.isDirectory(userland) && hasFiles(userland);
        require(built, "the userland programs are not built in " + userland + " (musl-gcc missing: Debian package musl-tools)");
        require(Files.isExecutable(BUSYBOX), "the host has no " + BUSYBOX + " (Debian package busybox-static), which runs the cases");
        require(onPath("mkfs.ext2") && onPath("debugfs"), "mkfs.ext2 or debugfs missing (Debian package e2fsprogs)");
        assertTrue(Files.isDirectory(dist.resolve("lib")), "no distribution at " + dist + ": run mvn verify");

        GuestBatch batch = new GuestBatch(work, BUSYBOX, userland);
        for (Cases.Case c : Cases.load().all()) {
            // By its path, as natively: busybox env (and sh) prefer their own applets to a program
            // found on PATH, so "cat" would be busybox's.
            String ubin = GuestBatch.MOUNT + "/ubin";
            StringBuilder command = new StringBuilder(GuestBatch.MOUNT + "/bin/busybox env -i PATH=" + ubin + " ");
            command.append(GuestBatch.quote(ubin + "/" + c.program()));
            for (String arg : c.args()) {
                command.append(' ').append(GuestBatch.quote(arg));
            }
            batch.add(c.name(), command.toString(), c.stdin(), Map.of());
        }
        run = batch.run(dist, 1800, machine());
    }

    @AfterAll
    void forget() {
        run = null;
    }

    @TestFactory
    Stream<DynamicTest> everyCaseGivesTheNativeOutputAndStatusOnAlos() {
        return Cases.load().all().stream().filter(c -> !OWN_METHOD.contains(c.name()))
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    @Test
    void fpprint() {
        check(theCase("fpprint"));
    }

    @Test
    void tcpclientRefused() {
        check(theCase("tcpclient-refused"));
    }

    @Test
    void theMachineRanEveryCaseAndExited() {
        assertTrue(run.finished() && run.status() == 0 && run.console().contains("jobs done"), run::describe);
    }

    private static Cases.Case theCase(String name) {
        return Cases.load().all().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private void check(Cases.Case c) {
        GuestBatch.Outcome o = run.outcome(c.name());
        String where = c.name() + " on ALOS/J (" + c.program() + " " + String.join(" ", c.args()) + ")";
        assertNull(c.checkStdout(o.stdout()), () -> "stdout of " + where + "; stderr: " + o.stderrText());
        assertNull(c.checkStderr(o.stderr()), () -> "stderr of " + where);
        assertEquals(c.status(), o.status(), () -> "exit status of " + where + "; stderr: " + o.stderrText());
    }

    private static void require(boolean present, String what) {
        if (!present && CI) {
            fail(what + ", and CI=true requires it");
        }
        if (!present) {
            System.err.println("UserlandOnAlosTest skipped: " + what);
        }
        Assumptions.assumeTrue(present, what);
    }

    private static boolean hasFiles(Path dir) throws java.io.IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        }
    }

    static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"), new String[] {"/sbin", "/usr/sbin"})
                .flatMap(Stream::of).map(d -> Path.of(d.isEmpty() ? "." : d, tool)).anyMatch(Files::isExecutable);
    }
}
