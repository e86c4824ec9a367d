package org.alosj.userland;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The userland's expected behaviour, read from {@code expected/} on the class path; the same
 * files serve every place the programs run (natively here, on ALOS/J later).
 *
 * <p>{@code expected/cases.txt} has a case a line: {@code NAME STATUS PROGRAM [ARG...]}, words
 * split on blanks, {@code "..."} quoting a word with blanks, {@code #} starting a comment line.
 * The program runs in a fresh {@link Fixture} tree with only the userland's directory on PATH;
 * its standard input is {@code NAME.in} (empty when absent). Its standard output must match
 * {@code NAME.out} byte for byte, or {@code NAME.re} (one regular expression a line, for
 * timings), or {@code NAME.lines} (the same lines in any order, for threads); its standard error
 * must be {@code NAME.err} byte for byte (empty when absent); its exit status STATUS.
 */
record Cases(List<Case> all) {
    /** One run of one program and what it must give. */
    record Case(String name, int status, String program, List<String> args) {
        @Override
        public String toString() {
            return name;
        }

        /** Standard input for the case: NAME.in, or nothing. */
        byte[] stdin() {
            byte[] in = resource(name + ".in");
            return in == null ? new byte[0] : in;
        }

        /** Null when {@code stdout} is what the case expects, else what was wrong. */
        String checkStdout(byte[] stdout) {
            String actual = new String(stdout, StandardCharsets.ISO_8859_1);
            byte[] exact = resource(name + ".out");
            if (exact != null) {
                String expected = new String(exact, StandardCharsets.ISO_8859_1);
                return expected.equals(actual) ? null : difference(name + ".out", expected, actual);
            }
            byte[] patterns = resource(name + ".re");
            if (patterns != null) {
                return matchLines(new String(patterns, StandardCharsets.UTF_8), actual);
            }
            byte[] lines = resource(name + ".lines");
            if (lines != null) {
                List<String> expected = sortedLines(new String(lines, StandardCharsets.ISO_8859_1));
                List<String> got = sortedLines(actual);
                return expected.equals(got) ? null
                    : difference(name + ".lines (sorted)", String.join("\n", expected), String.join("\n", got));
            }
            throw new IllegalStateException("case " + name + ": no " + name + ".out, .re or .lines in expected/");
        }

        /** Null when {@code stderr} is NAME.err (or empty when there is none), else what was wrong. */
        String checkStderr(byte[] stderr) {
            byte[] err = resource(name + ".err");
            String expected = err == null ? "" : new String(err, StandardCharsets.ISO_8859_1);
            String actual = new String(stderr, StandardCharsets.ISO_8859_1);
            return expected.equals(actual) ? null : difference(name + ".err", expected, actual);
        }

        private String matchLines(String patterns, String actual) {
            String[] want = patterns.split("\n", -1);
            String[] got = actual.split("\n", -1);
            if (want.length != got.length) {
                return name + ".re: " + (want.length - 1) + " lines expected, " + (got.length - 1) + " printed:\n" + actual;
            }
            for (int i = 0; i < want.length; i++) {
                if (!Pattern.matches(want[i], got[i])) {
                    return name + ".re line " + (i + 1) + ": \"" + got[i] + "\" does not match \"" + want[i] + "\"";
                }
            }
            return null;
        }
    }

    static Cases load() {
        byte[] text = resource("cases.txt");
        if (text == null) {
            throw new IllegalStateException("expected/cases.txt is not on the class path");
        }
        List<Case> cases = new ArrayList<>();
        int lineNo = 0;
        for (String line : new String(text, StandardCharsets.UTF_8).split("\n")) {
            lineNo++;
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            List<String> words = words(trimmed, lineNo);
            if (words.size() < 3) {
                throw new IllegalStateException("cases.txt line " + lineNo + ": NAME STATUS PROGRAM [ARG...] expected, got \"" + line + "\"");
            }
            cases.add(new Case(words.get(0), Integer.parseInt(words.get(1)), words.get(2), List.copyOf(words.subList(3, words.size()))));
        }
        return new Cases(List.copyOf(cases));
    }

    private static List<String> words(String line, int lineNo) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                word = word == null ? new StringBuilder() : word;
            } else if (!quoted && (c == ' ' || c == '\t')) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (quoted) {
            throw new IllegalStateException("cases.txt line " + lineNo + ": unterminated quote");
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    static byte[] resource(String name) {
        try (InputStream in = Cases.class.getResourceAsStream("/expected/" + name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> sortedLines(String text) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        lines.sort(null);
        return lines;
    }

    private static String difference(String what, String expected, String actual) {
        return what + " differs:\n--- expected\n" + expected + "\n--- actual\n" + actual + "\n---";
    }
}
