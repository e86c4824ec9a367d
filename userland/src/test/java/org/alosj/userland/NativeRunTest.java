package org.alosj.userland;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every userland program run natively on the host (x86-64 Linux, the programs being static
 * musl executables, and glibc ones from src/main/c-glibc) against {@code expected/}: this checks the programs, and makes the expected
 * files the reference a run on ALOS/J is compared with. Without musl-gcc (or curl for the TCP
 * pair) the tests are skipped, saying why; with CI=true they fail instead.
 */
class NativeRunTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final boolean CI = "true".equals(System.getenv("CI"));

    private static Path bin;

    @TempDir
    Path temp;

    @BeforeAll
    static void programsWereBuilt() throws IOException {
        bin = Path.of(System.getProperty("userland.bin", "target/bin")).toAbsolutePath();
        boolean built = Files.isDirectory(bin) && !programs().isEmpty();
        String why = "the userland programs are not built in " + bin + " (musl-gcc missing: Debian package musl-tools)";
        if (CI && !built) {
            fail(why + ", and CI=true requires them");
        }
        if (!built) {
            System.err.println("NativeRunTest skipped: " + why);
        }
        Assumptions.assumeTrue(built, why);
    }

    static Stream<Cases.Case> cases() {
        return Cases.load().all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void programGivesTheExpectedOutputAndStatus(Cases.Case c) throws Exception {
        Result r = run(c.program(), c.args(), c.stdin());
        assertNull(c.checkStdout(r.stdout()), () -> "stdout of " + c.name());
        assertNull(c.checkStderr(r.stderr()), () -> "stderr of " + c.name());
        assertEquals(c.status(), r.status(), () -> "exit status of " + c.name() + "; stderr: " + r.stderrText());
    }

    @Test
    void everyBuiltProgramHasACaseAndEveryCaseAProgram() throws IOException {
        Set<String> built = programs();
        Set<String> tested = cases().map(Cases.Case::program).collect(Collectors.toCollection(TreeSet::new));
        tested.add("tcpserver"); // with curl and tcpclient, below
        Set<String> untested = new TreeSet<>(built);
        untested.removeAll(tested);
        Set<String> missing = new TreeSet<>(tested);
        missing.removeAll(built);
        assertTrue(untested.isEmpty(), "programs without a case in expected/cases.txt: " + untested);
        assertTrue(missing.isEmpty(), "cases of programs that were not built: " + missing);
    }

    @Test
    void programsAreStaticX8664ExecutablesWithSymbolsForGdb() throws IOException {
        for (String name : programs()) {
            Elf elf = Elf.read(bin.resolve(name));
            assertEquals(Elf.EM_X86_64, elf.machine(), name + ": e_machine");
            assertTrue(!elf.hasInterpreter(), name + ": has PT_INTERP, so it is not static");
            assertTrue(elf.sections().contains(".debug_info"), name + ": no .debug_info (built without -g?)");
            assertTrue(elf.functionSymbols().contains("main"), name + ": no symbol main in .symtab (stripped?)");
        }
    }

    /**
     * threads-test's progress lines may interleave in any way, but each thread's own rounds come
     * in order, every progress line comes after the header and before the summary, and the
     * summary is exact (the case in cases.txt checks the lines as a multiset).
     */
    @Test
    void threadsTestKeepsEachThreadsRoundsInOrder() throws Exception {
        Result r = run("threads-test", List.of("6", "200000"), new byte[0]);
        assertEquals(0, r.status(), r::stderrText);
        List<String> lines = List.of(r.stdoutText().split("\n"));
        assertEquals("threads-test: 4 threads, 6 rounds of 200000 steps", lines.get(0));
        Map<Integer, Integer> lastRound = new HashMap<>();
        Pattern progress = Pattern.compile("progress (\\d) (\\d+)/6");
        int i = 1;
        for (; i < lines.size() && lines.get(i).startsWith("progress "); i++) {
            Matcher m = progress.matcher(lines.get(i));
            assertTrue(m.matches(), "line " + (i + 1) + ": " + lines.get(i));
            int thread = Integer.parseInt(m.group(1));
            int round = Integer.parseInt(m.group(2));
            assertEquals(lastRound.getOrDefault(thread, 0) + 1, round, "thread " + thread + "'s rounds out of order at line " + (i + 1));
            lastRound.put(thread, round);
        }
        assertEquals(Map.of(0, 6, 1, 6, 2, 6, 3, 6), lastRound, "rounds each thread reported");
        List<String> summary = lines.subList(i, lines.size());
        assertEquals(5, summary.size(), "summary after the progress lines: " + summary);
        for (int t = 0; t < 4; t++) {
            assertTrue(summary.get(t).startsWith("thread " + t + ": nice " + List.of(0, 0, 10, 19).get(t) + " "), summary.get(t));
            assertTrue(summary.get(t).endsWith(" ok"), summary.get(t));
        }
        assertEquals("threads-test: all threads done", summary.get(4));
    }

    /** tcpserver on a free loopback port answers curl, then tcpclient, then exits after the two. */
    @Test
    void tcpserverAnswersCurlAndTcpclient() throws Exception {
        Path curl = onPath("curl");
        if (curl == null) {
            if (CI) {
                fail("curl is not installed (Debian package curl), and CI=true requires it");
            }
            Assumptions.abort("curl is not installed (Debian package curl)");
        }
        String response = new String(Cases.resource("http-response.out"), StandardCharsets.ISO_8859_1);
        Process server = new ProcessBuilder(bin.resolve("tcpserver").toString(), "0", "2", "127.0.0.1")
            .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.ISO_8859_1))) {
            String first = out.readLine();
            Matcher m = Pattern.compile("tcpserver: listening on port (\\d+)").matcher(String.valueOf(first));
            assertTrue(m.matches(), "tcpserver's first line: " + first);
            String port = m.group(1);

            Result fromCurl = runCommand(List.of(curl.toString(), "-s", "-S", "-i", "--max-time", "20",
                "http://127.0.0.1:" + port + "/from-curl"), new byte[0]);
            assertEquals(0, fromCurl.status(), () -> "curl: " + fromCurl.stderrText());
            assertEquals(response, new String(fromCurl.stdout(), StandardCharsets.ISO_8859_1), "what curl got");

            Result fromClient = run("tcpclient", List.of("127.0.0.1", port, "/from-tcpclient"), new byte[0]);
            assertEquals(0, fromClient.status(), fromClient::stderrText);
            assertEquals(response, new String(fromClient.stdout(), StandardCharsets.ISO_8859_1), "what tcpclient got");

            assertTrue(server.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "tcpserver did not exit after two connections");
            assertEquals(0, server.exitValue());
            assertEquals("tcpserver: 1: GET /from-curl HTTP/1.1", out.readLine());
            assertEquals("tcpserver: 2: GET /from-tcpclient HTTP/1.0", out.readLine());
            assertNull(out.readLine(), "tcpserver printed more");
        } finally {
            server.destroyForcibly();
        }
    }

    // ---- running programs ---------------------------------------------------------------------

    record Result(int status, byte[] stdout, byte[] stderr) {
        String stdoutText() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        String stderrText() {
            return new String(stderr, StandardCharsets.UTF_8);
        }
    }

    private static Set<String> programs() throws IOException {
        if (!Files.isDirectory(bin)) {
            return Set.of();
        }
        try (Stream<Path> s = Files.list(bin)) {
            return s.filter(Files::isExecutable).map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** Runs a userland program in a fresh fixture tree, with only the userland on PATH. */
    private Result run(String program, List<String> args, byte[] stdin) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(bin.resolve(program).toString());
        command.addAll(args);
        return runCommand(command, stdin);
    }

    private Result runCommand(List<String> command, byte[] stdin) throws Exception {
        Path work = Files.createTempDirectory(temp, "run");
        Path tree = work.resolve("tree");
        Fixture.create(tree);
        Path in = Files.write(work.resolve("stdin"), stdin);
        Path out = work.resolve("stdout");
        Path err = work.resolve("stderr");
        ProcessBuilder pb = new ProcessBuilder(command).directory(tree.toFile())
            .redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().clear();
        pb.environment().put("PATH", bin.toString());
        Process p = pb.start();
        if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail(command + " did not finish in " + TIMEOUT.toSeconds() + " s");
        }
        return new Result(p.exitValue(), Files.readAllBytes(out), Files.readAllBytes(err));
    }

    private static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
