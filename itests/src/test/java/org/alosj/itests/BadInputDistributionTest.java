package org.alosj.itests;

import org.alosj.itests.AlosProcess.Result;
import org.alosj.kernel.impl.proc.ElfMutants;
import org.alosj.kernel.impl.proc.ElfMutants.Mutant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to the running machine, end to end through ./alos's launcher: broken executables,
 * wild pointers, a fork bomb and an endless loop. Each gets an error or a dead process, never a
 * kernel exception (the log must have none), and the machine carries on: a good program runs
 * after each. Without the userland (musl-gcc), busybox or e2fsprogs on the build host these
 * tests say so and skip; with CI=true they fail.
 */
class BadInputDistributionTest {
    private static final boolean CI = "true".equals(System.getenv("CI"));
    private static final Path HOST_BUSYBOX = Path.of("/bin/busybox");
    /** The corpus seed of kernel-core's ElfImageBadInputTest; every 12th of its 600 mutants is exec'd here. */
    private static final long SEED = 9;

    static Path dist;
    static Path userland;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findDistribution() {
        dist = Path.of(System.getProperty("alosj.dist", "../distribution/target/alosj")).toAbsolutePath().normalize();
        userland = Path.of("../userland/target/bin").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(dist.resolve("images/disk.img")), "no distribution at " + dist + ": run mvn verify");
    }

    private static void require(boolean present, String what) {
        if (!present && CI) {
            fail(what + ", and CI=true requires it");
        }
        Assumptions.assumeTrue(present, what);
    }

    private static void requireUserland() {
        require(Files.isRegularFile(userland.resolve("hello")),
            "no userland programs were built (musl-gcc missing: Debian package musl-tools)");
    }

    /** ./alos with {@code args}, its run directory in tmp; the kernel log must hold no exception. */
    private Result alos(byte[] stdin, String... args) throws Exception {
        Path run = tmp.resolve("run");
        List<String> cmd = AlosProcess.launcher(dist, run);
        cmd.addAll(List.of(args));
        String what = "alos " + String.join(" ", args);
        Result r = stdin == null ? AlosProcess.run(new ProcessBuilder(cmd), 300, what)
            : AlosProcess.run(new ProcessBuilder(cmd), stdin, 300, what);
        assertNoKernelException(run.resolve("alosj.log"));
        return r;
    }

    /**
     * The log's lines are "TIME LEVEL [THREAD] LOGGER - MESSAGE". An error or an exception from
     * anything but the host's network backend (hw.netdev: passt, outside the machine) fails.
     */
    private static void assertNoKernelException(Path log) throws Exception {
        assertTrue(Files.isRegularFile(log), "no log at " + log);
        Pattern entry = Pattern.compile("\\S+ (\\w+)\\s+\\[[^]]*\\] (\\S+) - .*");
        List<String> bad = new ArrayList<>();
        boolean host = false;
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            Matcher m = entry.matcher(line);
            if (m.matches()) {
                host = m.group(2).startsWith("hw.netdev");
            }
            // an entry's stack trace follows it, on lines of its own
            if (!host && (m.matches() && m.group(1).equals("ERROR") || line.contains("Exception"))) {
                bad.add(line);
            }
        }
        assertTrue(bad.isEmpty(), "the log has errors:\n" + String.join("\n", bad));
    }

    @Test
    void mutated_executables_on_a_disk_are_enoexec_or_end_and_a_good_program_runs_after_them() throws Exception {
        requireUserland();
        byte[] hello = Files.readAllBytes(userland.resolve("hello"));
        List<Mutant> mutants = new ArrayList<>(ElfMutants.named(hello));
        mutants.addAll(ElfMutants.loadable(hello));
        List<Mutant> corpus = ElfMutants.random(hello, SEED, 600);
        for (int i = 0; i < corpus.size(); i += 12) {
            mutants.add(corpus.get(i));
        }
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        StringBuilder script = new StringBuilder("mount /dev/hda /mnt\n");
        for (int i = 0; i < mutants.size(); i++) {
            String file = String.format("m%03d", i);
            Path p = tree.resolve(file);
            Files.write(p, mutants.get(i).file());
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            // The shell's exec starts a process on it; forkpipe's child execve()s it in place of itself.
            script.append("exec /mnt/").append(file).append(" mutant\necho after ").append(file).append('\n');
            script.append("exec /mnt/forkpipe /mnt/").append(file).append(" mutant\necho execve ").append(file).append('\n');
        }
        Files.copy(userland.resolve("hello"), tree.resolve("hello"));
        Files.copy(userland.resolve("forkpipe"), tree.resolve("forkpipe"));
        script.append("exec /mnt/hello good\numount /mnt\n");
        Path img = tmp.resolve("mutants.img");
        StorageTest.run("mkfs.ext2", "-q", "-F", "-d", tree.toString(), img.toString(), "16M");

        Result r = alos(script.toString().getBytes(StandardCharsets.UTF_8), "-drive", "file=" + img);
        // The console's transcript, cut at each "after mNNN": what each exec gave, in order.
        String out = r.out();
        Map<String, Integer> outcomes = new TreeMap<>();
        int from = 0;
        for (int i = 0; i < mutants.size(); i++) {
            Mutant m = mutants.get(i);
            String file = String.format("m%03d", i);
            int marker = out.indexOf("after " + file + "\n", from);
            assertTrue(marker >= 0, "the shell did not carry on after " + file + " (" + m + "):\n" + out.substring(from));
            String seen = out.substring(from, marker);
            from = marker;
            String outcome = outcome(seen, file);
            assertTrue(outcome != null, file + " (" + m + ") neither ENOEXEC, nor run, nor killed:\n" + seen);
            if (m.mustBeRefused()) {
                assertEquals("ENOEXEC", outcome, file + " (" + m + "):\n" + seen);
            }
            if (m.name().equals("zero-size-segment-at-text") || m.name().equals("bss-16-gib")) {
                assertEquals("ran", outcome, file + " (" + m + ") runs as hello does:\n" + seen);
            }
            if (m.name().equals("phdr-points-nowhere")) {
                assertEquals("killed", outcome, file + " (" + m + ") dies in the C library's start-up:\n" + seen);
            }
            outcomes.merge(outcome, 1, Integer::sum);
            int after = out.indexOf("execve " + file + "\n", from);
            assertTrue(after >= 0, "the shell did not carry on after forkpipe " + file + " (" + m + "):\n" + out.substring(from));
            String execve = out.substring(from, after);
            from = after;
            assertEquals(outcome, execveOutcome(execve, file), file + " (" + m + ") execve()d by forkpipe:\n" + execve);
        }
        assertEquals(Set.of("ENOEXEC", "ran", "killed"), outcomes.keySet(), "outcomes: " + outcomes);
        assertTrue(out.substring(from).contains("argv[1]=good\n"), "the good program after the mutants:\n" + out.substring(from));
    }

    /** The same for forkpipe's child execve()ing the mutant: its error, its end, or the program's lines through the pipe. */
    private static String execveOutcome(String seen, String file) {
        if (seen.contains("forkpipe: /mnt/" + file + ": Exec format error\n")) {
            return "ENOEXEC";
        }
        if (seen.contains("forkpipe: /mnt/" + file + " was killed by signal ")) {
            return "killed";
        }
        return seen.contains("| argv[1]=mutant\n") && seen.contains("forkpipe: /mnt/" + file + " exited with status 0\n")
            ? "ran" : null;
    }

    private static final Pattern KILLED = Pattern.compile("(Segmentation fault|Illegal instruction|Bus error"
            + "|Floating point exception|Aborted|Bad system call|Killed|Trace/breakpoint trap|Killed by signal \\d+)");

    /** What one exec of a mutant gave: ENOEXEC, ran (hello's output, status 0), killed (by a signal), or null. */
    private static String outcome(String seen, String file) {
        if (seen.contains("exec: /mnt/" + file + ": Exec format error")) {
            return "ENOEXEC";
        }
        // exec reports a program a signal killed as a shell does ("Segmentation fault (core dumped)").
        if (KILLED.matcher(seen).find()) {
            return "killed";
        }
        return seen.contains("argv[0]=" + file + "\nargv[1]=mutant\n") ? "ran" : null;
    }

    @Test
    void badptr_gets_efault_from_every_call_as_natively() throws Exception {
        requireUserland();
        String expected = Files.readString(Path.of("../userland/src/test/resources/expected/badptr.out"));
        Result r = alos(null, "-c", "cd /tmp; exec /bin/badptr; exec /bin/hello after");
        int start = r.out().indexOf("read: ");
        assertTrue(start >= 0, "badptr printed nothing:\n" + r.out() + r.err());
        String out = r.out().substring(start);
        assertEquals(expected, out.substring(0, Math.min(out.length(), expected.length())), r.out() + r.err());
        assertTrue(out.substring(expected.length()).startsWith("Hello from the ALOS/J userland!"), r.out() + r.err());
        assertEquals(0, r.status(), r.err());
    }

    @Test
    void a_fork_bomb_is_stopped_by_the_process_limit_and_the_machine_carries_on() throws Exception {
        requireUserland();
        Result r = alos(null, "-c", "exec /bin/forkbomb; exec /bin/hello after; ps");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("""
            forkbomb: forking until fork fails
            forkbomb: fork failed with EAGAIN after more than 10 children
            forkbomb: every child exited and was reaped
            Hello from the ALOS/J userland!
            """), r.out() + r.err());
        String ps = r.out().substring(r.out().indexOf("argv[1]=after"));
        assertFalse(ps.contains("forkbomb"), "children left behind: " + ps);
    }

    @Test
    void a_process_started_before_a_fork_bomb_and_the_shell_around_it_carry_on() throws Exception {
        requireUserland();
        require(Files.isExecutable(HOST_BUSYBOX), "the build host has no /bin/busybox (Debian package busybox-static)");
        // The survivor runs only shell builtins once started, so it needs no fork while the bomb holds them all.
        String script = "(until [ -e /tmp/go ]; do :; done; echo survivor done) & forkbomb; echo forkbomb status $?;"
            + " : > /tmp/go; wait; echo shell carries on; hello after | grep argv";
        Result r = alos(null, "-c", "exec /bin/busybox sh -c '" + script + "'");
        assertEquals(0, r.status(), r.out() + r.err());
        for (String line : List.of("forkbomb: fork failed with EAGAIN after more than 10 children\n",
                "forkbomb: every child exited and was reaped\nforkbomb status 0\n", "survivor done\n",
                "shell carries on\nargv[0]=hello\nargv[1]=after\n")) {
            assertTrue(r.out().contains(line), line + " in:\n" + r.out() + r.err());
        }
    }

    @Test
    void an_endless_loop_is_preempted_while_other_work_proceeds_then_killed() throws Exception {
        requireUserland();
        require(Files.isExecutable(HOST_BUSYBOX), "the build host has no /bin/busybox (Debian package busybox-static)");
        // The shell waits for spin's first line, so spin is in its loop from then on; every step after
        // that (sleep's wake-up, a pipeline, another program) needs the CPU back from it.
        String script = "spin > /tmp/spin.out & pid=$!; until [ -s /tmp/spin.out ]; do sleep 1; done; sleep 1;"
            + " echo words: $(echo one two three | wc -w); hello during | grep argv; cat /tmp/spin.out;"
            + " kill $pid; wait $pid; echo \"spin: status $?\"";
        Result r = alos(null, "-c", "exec /bin/busybox sh -c '" + script + "'; exec /bin/hello after");
        assertEquals(0, r.status(), r.out() + r.err());
        String out = r.out();
        assertTrue(out.contains("words: 3\nargv[0]=hello\nargv[1]=during\nspin: spinning until killed\n"),
            "work beside the spinning loop:\n" + out);
        assertTrue(out.contains("spin: status 143\n"), "spin ends by SIGTERM (128 + 15):\n" + out);
        assertTrue(out.contains("argv[1]=after\n"), "the shell after the loop:\n" + out);
    }
}
