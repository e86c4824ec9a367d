package org.alosj.shell.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FsException;
import org.alosj.testkit.RealPeers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell's grep against GNU grep itself: the same arguments over the same files and
 * standard input must print the same lines and end with the same status.
 */
class GrepVsGnuGrepTest {
    static final String TEXT = String.join("\n",
            "alpha beta", "Alpha gamma", "delta (x) {y} a+b a?b", "alphabet", "the word alpha.", "", "tab\there",
            "end$here ^caret", "1234 numbers 56", "under_score foo_bar", "a*b star", "back\\slash", "last line no newline");
    static final Map<String, String> FILES = Map.of("one.txt", TEXT, "two.txt", "beta\nalpha two\nzeta\n",
            "empty.txt", "");

    @TempDir
    static Path dir;

    @BeforeAll
    static void files() throws Exception {
        RealPeers.requireTool("grep", "GNU grep is the reference for the shell's grep");
        for (var f : FILES.entrySet()) {
            Files.writeString(dir.resolve(f.getKey()), f.getValue());
        }
    }

    record Outcome(int status, String out, String err) {
    }

    /** Ours, over the same files (read as the VFS would give them) and standard input. */
    static Outcome ours(String stdin, String... args) throws Exception {
        GrepOptions o;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            o = GrepOptions.parse(args);
        } catch (IllegalArgumentException e) {
            return new Outcome(2, "", "grep: " + e.getMessage() + "\n");
        }
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        int status = new TextCommands.Grep(o, ps, false).run((file, sink) -> {
            String text = file.equals("-") ? stdin : FILES.get(file);
            if (text == null) {
                throw new FsException(Errno.ENOENT, file);
            }
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            // in two pieces: a line may straddle two reads
            sink.accept(java.util.Arrays.copyOfRange(b, 0, b.length / 2), b.length / 2);
            sink.accept(java.util.Arrays.copyOfRange(b, b.length / 2, b.length), b.length - b.length / 2);
        }, new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Outcome gnu(String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("grep"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("LC_ALL", "C.UTF-8");
        pb.environment().remove("GREP_COLORS");
        Process p = pb.start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Outcome(p.exitValue(), out, err);
    }

    static void same(String stdin, String... args) throws Exception {
        Outcome theirs = gnu(stdin, args);
        Outcome mine = ours(stdin, args);
        String what = "grep " + String.join(" ", args);
        assertEquals(theirs.out(), mine.out(), what);
        assertEquals(theirs.status(), mine.status(), what + "\nGNU's stderr: " + theirs.err() + "\nours: " + mine.err());
    }

    @Test
    void basic_options_print_what_gnu_grep_prints() throws Exception {
        String[][] cases = {
            {"alpha", "one.txt"}, {"-i", "alpha", "one.txt"}, {"-v", "alpha", "one.txt"}, {"-c", "alpha", "one.txt"},
            {"-n", "a", "one.txt"}, {"-w", "alpha", "one.txt"}, {"-x", "alphabet", "one.txt"}, {"-o", "al[a-z]*", "one.txt"},
            {"-l", "alpha", "one.txt", "two.txt", "empty.txt"}, {"-L", "alpha", "one.txt", "two.txt", "empty.txt"},
            {"alpha", "one.txt", "two.txt"}, {"-h", "alpha", "one.txt", "two.txt"}, {"-H", "zeta", "two.txt"},
            {"-c", "alpha", "one.txt", "two.txt", "empty.txt"}, {"-m", "2", "a", "one.txt"}, {"-m1", "-n", "a", "one.txt"},
            {"-q", "alpha", "one.txt"}, {"-q", "nothing", "one.txt"}, {"nothing", "one.txt"}, {"", "two.txt"},
            {"-e", "beta", "-e", "zeta", "two.txt"}, {"-vc", "a", "one.txt"}, {"-in", "ALPHA", "one.txt", "two.txt"},
            {"alpha", "missing.txt", "two.txt"}, {"-s", "alpha", "missing.txt", "two.txt"}, {"-q", "alpha", "missing.txt", "two.txt"},
            {"-c", "-v", "x", "empty.txt"}, {"--count", "--ignore-case", "ALPHA", "one.txt"}, {"alpha", "--", "one.txt"},
            {"-ow", "[a-z]*", "two.txt"}, {"-F", "a+b", "one.txt"}, {"-F", "a*b", "one.txt"}, {"-F", "-x", "beta", "two.txt"},
            {"line", "one.txt", "-n"},
        };
        for (String[] c : cases) {
            same("", c);
        }
    }

    @Test
    void basic_and_extended_regular_expressions_mean_what_posix_says() throws Exception {
        String[][] cases = {
            {"a+b", "one.txt"}, {"-E", "a+b", "one.txt"}, {"a\\+b", "one.txt"}, {"(x)", "one.txt"}, {"-E", "\\(x\\)", "one.txt"},
            {"\\(al\\)pha", "one.txt"}, {"-E", "(al|ga)mma|beta", "one.txt"}, {"alpha\\|zeta", "two.txt"},
            {"{y}", "one.txt"}, {"-E", "{y}", "one.txt"}, {"l\\{2\\}", "one.txt"}, {"-E", "[0-9]{4}", "one.txt"},
            {"*b", "one.txt"}, {"a*b", "one.txt"}, {"^alpha", "one.txt"}, {"a^c", "one.txt"}, {"end\\$", "one.txt"},
            {"end$here", "one.txt"}, {"line$", "one.txt"}, {"[[:digit:]][[:digit:]]*", "one.txt"}, {"-o", "[[:upper:]][a-z]*", "one.txt"},
            {"[[:space:]]here", "one.txt"}, {"back\\\\slash", "one.txt"}, {"[\\]", "one.txt"}, {"[]x]", "one.txt"},
            {"[^a-z ]", "one.txt"}, {"\\<alpha\\>", "one.txt"}, {"-E", "\\balpha\\b", "one.txt"}, {"\\(a\\)\\1", "one.txt"},
            {"-o", "-E", "[a-z]+_[a-z]+", "one.txt"}, {"-E", "a?b", "one.txt"}, {"a?b", "one.txt"}, {"-w", "foo", "one.txt"},
            {"-x", "-E", "beta|zeta", "two.txt"},
        };
        for (String[] c : cases) {
            same("", c);
        }
    }

    @Test
    void standard_input_is_read_without_files_and_for_dash() throws Exception {
        same("x1\ny2\nx3", "x");
        same("x1\ny2\nx3\n", "-c", "x", "-");
        same("x1\ny2\n", "-H", "y");
        same("x1\ny2\n", "y", "-", "two.txt");
    }

    @Test
    void bad_arguments_end_with_status_2_and_one_line() throws Exception {
        Outcome o = ours("", "-r", "x");
        assertEquals(2, o.status());
        assertEquals("grep: invalid option -- 'r' (usage: grep [OPTION...] PATTERN [FILE...])\n", o.err());
        assertEquals(2, ours("", "--color=sometimes", "x").status());
        assertEquals(2, ours("").status());
        assertEquals(2, ours("", "-m").status());
        assertEquals(2, ours("", "-E", "a(").status(), "an unbalanced parenthesis is an error, as GNU's");
        assertEquals(2, gnu("", "-E", "a(").status());
        assertEquals(2, ours("", "[[:nope:]]").status());
        assertThrows(IllegalArgumentException.class, () -> GrepOptions.parse("--count=3", "x"));
    }

    @Test
    void colour_marks_matches_names_and_numbers_as_gnu_grep_does() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        GrepOptions o = GrepOptions.parse("-n", "al", "-", "two.txt");
        new TextCommands.Grep(o, new PrintStream(out, true, StandardCharsets.UTF_8), true)
                .run((f, sink) -> {
                    byte[] b = (f.equals("-") ? "xal\n" : FILES.get(f)).getBytes(StandardCharsets.UTF_8);
                    sink.accept(b, b.length);
                }, System.err);
        Outcome gnu = gnu("xal\n", "--color=always", "-n", "al", "-", "two.txt");
        assertEquals(gnu.out(), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void echo_expands_escapes_as_bash_does() {
        StringBuilder b = new StringBuilder();
        TextCommands.Echo.expand("a\\tb\\n\\x41\\0101\\\\z\\q", b);
        assertEquals("a\tb\nAA\\z\\q", b.toString());
        StringBuilder c = new StringBuilder();
        assertTrue(TextCommands.Echo.expand("ab\\cd", c));
        assertEquals("ab", c.toString());
    }
}
