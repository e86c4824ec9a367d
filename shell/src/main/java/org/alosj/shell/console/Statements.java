package org.alosj.shell.console;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Splits a script into its top-level statements, as sh reads {@code a; b} and one command a
 * line: at {@code ;} and line ends outside quotes, braces, brackets and parentheses (Gogo's
 * closures and lists keep theirs), after a backslash-newline joins two lines. Blank statements
 * and comments ({@code #} where a statement starts, to the line's end) go.
 */
final class Statements {
    private Statements() {
    }

    static List<String> split(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < script.length(); i++) {
            char c = script.charAt(i);
            if (quote == 0 && depth == 0 && c == '#' && cur.toString().isBlank()) {
                while (i < script.length() && script.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (c == '\\' && i + 1 < script.length()) {
                if (script.charAt(i + 1) == '\n') {
                    i++;
                    continue;
                }
                cur.append(c).append(script.charAt(++i));
                continue;
            }
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
                cur.append(c);
                continue;
            }
            switch (c) {
                case '\'', '"' -> quote = c;
                case '{', '[', '(' -> depth++;
                case '}', ']', ')' -> depth = Math.max(0, depth - 1);
                default -> {
                }
            }
            if (depth == 0 && (c == ';' || c == '\n')) {
                add(out, cur);
                continue;
            }
            cur.append(c);
        }
        add(out, cur);
        return out;
    }

    private static void add(List<String> out, StringBuilder cur) {
        String s = cur.toString().strip();
        if (!s.isEmpty()) {
            out.add(s);
        }
        cur.setLength(0);
    }

    /**
     * {@code statement} with each element of its pipeline that asks one of the shell's own
     * commands for {@code --help} ({@code ls --help | head}) run as {@code alos:help NAME}; a
     * statement with closures, quotes, variables, redirections or {@code ||} is left to Gogo.
     */
    static String withHelp(String statement, Predicate<String> isShellCommand) {
        if (statement.contains("||") || SPECIAL.matcher(statement).find()) {
            return statement;
        }
        String[] elements = statement.split("\\|", -1);
        boolean asked = false;
        for (int i = 0; i < elements.length; i++) {
            String name = helpRequest(elements[i]);
            if (name != null && isShellCommand.test(name)) {
                elements[i] = "alos:help " + name;
                asked = true;
            }
        }
        return asked ? String.join(" | ", java.util.Arrays.stream(elements).map(String::strip).toList()) : statement;
    }

    private static final Pattern SPECIAL = Pattern.compile("[{}()\\[\\]'\"$<>=]");

    /**
     * The command name of a simple statement ({@code ls -l --help}) asking for help with
     * {@code --help}, or null: a statement with a pipe, a closure or quotes is left to Gogo.
     */
    static String helpRequest(String statement) {
        if (statement.indexOf('|') >= 0 || SPECIAL.matcher(statement).find()) {
            return null;
        }
        String[] words = statement.strip().split("\\s+");
        for (int i = 1; i < words.length; i++) {
            if (words[i].equals("--")) {
                return null;
            }
            if (words[i].equals("--help")) {
                return words[0];
            }
        }
        return null;
    }
}
