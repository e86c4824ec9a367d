package org.alosj.shell.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * grep's command line as GNU grep reads it: options anywhere before {@code --} (bundled short
 * ones, {@code -e PATTERN} or {@code -ePATTERN}, long ones with {@code =VALUE}), the first
 * operand the pattern unless {@code -e} gave one, and the pattern in POSIX's basic (-G, the
 * default) or extended (-E) syntax, or fixed strings (-F), translated to a Java pattern.
 *
 * @param withFileNames -H (true), -h (false), or null: names when there is more than one file
 * @param maxCount -m's number, or -1
 */
record GrepOptions(Pattern pattern, List<String> files, boolean invert, boolean count, boolean listWith,
                   boolean listWithout, boolean quiet, boolean noMessages, boolean lineNumbers, boolean onlyMatching,
                   boolean wholeLine, Boolean withFileNames, long maxCount, String color, boolean help) {

    private static final Map<String, String> CLASSES = Map.ofEntries(Map.entry("alpha", "\\p{Alpha}"),
            Map.entry("digit", "\\p{Digit}"), Map.entry("alnum", "\\p{Alnum}"), Map.entry("upper", "\\p{Upper}"),
            Map.entry("lower", "\\p{Lower}"), Map.entry("space", "\\s"), Map.entry("blank", "\\p{Blank}"),
            Map.entry("punct", "\\p{Punct}"), Map.entry("print", "\\p{Print}"), Map.entry("graph", "\\p{Graph}"),
            Map.entry("cntrl", "\\p{Cntrl}"), Map.entry("xdigit", "\\p{XDigit}"));

    /** Parses grep's arguments; an IllegalArgumentException's message is grep's one line. */
    static GrepOptions parse(String... args) {
        List<String> patterns = new ArrayList<>();
        List<String> operands = new ArrayList<>();
        char syntax = 'G';
        boolean ignoreCase = false, words = false, wholeLine = false, invert = false, count = false;
        boolean listWith = false, listWithout = false, quiet = false, noMessages = false, numbers = false;
        boolean only = false, help = false;
        Boolean names = null;
        long max = -1;
        String color = "auto"; // as the interactive alias distributions give grep; see TextCommands.colour
        boolean done = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (done || a.equals("-") || !a.startsWith("-")) {
                operands.add(a);
            } else if (a.equals("--")) {
                done = true;
            } else if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                String name = a.substring(2, eq < 0 ? a.length() : eq);
                String value = eq < 0 ? null : a.substring(eq + 1);
                switch (name) {
                    case "regexp", "max-count" -> {
                        if (value == null) {
                            if (i + 1 == args.length) {
                                throw new IllegalArgumentException("option '--" + name + "' requires an argument");
                            }
                            value = args[++i];
                        }
                        if (name.equals("regexp")) {
                            patterns.add(value);
                        } else {
                            max = number(value);
                        }
                    }
                    case "color", "colour" -> color = when(value == null ? "auto" : value);
                    case "extended-regexp" -> syntax = 'E';
                    case "fixed-strings" -> syntax = 'F';
                    case "basic-regexp" -> syntax = 'G';
                    case "ignore-case" -> ignoreCase = true;
                    case "no-ignore-case" -> ignoreCase = false;
                    case "word-regexp" -> words = true;
                    case "line-regexp" -> wholeLine = true;
                    case "invert-match" -> invert = true;
                    case "count" -> count = true;
                    case "files-with-matches" -> listWith = true;
                    case "files-without-match" -> listWithout = true;
                    case "quiet", "silent" -> quiet = true;
                    case "no-messages" -> noMessages = true;
                    case "line-number" -> numbers = true;
                    case "only-matching" -> only = true;
                    case "with-filename" -> names = true;
                    case "no-filename" -> names = false;
                    case "help" -> help = true;
                    default -> throw new IllegalArgumentException("unrecognized option '" + a + "' (" + TextCommands.GREP_USAGE + ")");
                }
                if (value != null && !List.of("regexp", "max-count", "color", "colour").contains(name)) {
                    throw new IllegalArgumentException("option '--" + name + "' doesn't allow an argument");
                }
            } else {
                for (int j = 1; j < a.length(); j++) {
                    char c = a.charAt(j);
                    if (c == 'e' || c == 'm') {
                        String value;
                        if (j + 1 < a.length()) {
                            value = a.substring(j + 1);
                        } else if (i + 1 < args.length) {
                            value = args[++i];
                        } else {
                            throw new IllegalArgumentException("option requires an argument -- '" + c + "'");
                        }
                        if (c == 'e') {
                            patterns.add(value);
                        } else {
                            max = number(value);
                        }
                        break;
                    }
                    switch (c) {
                        case 'E', 'F', 'G' -> syntax = c;
                        case 'i', 'y' -> ignoreCase = true;
                        case 'w' -> words = true;
                        case 'x' -> wholeLine = true;
                        case 'v' -> invert = true;
                        case 'c' -> count = true;
                        case 'l' -> listWith = true;
                        case 'L' -> listWithout = true;
                        case 'q' -> quiet = true;
                        case 's' -> noMessages = true;
                        case 'n' -> numbers = true;
                        case 'o' -> only = true;
                        case 'H' -> names = true;
                        case 'h' -> names = false;
                        default -> throw new IllegalArgumentException("invalid option -- '" + c + "' (" + TextCommands.GREP_USAGE + ")");
                    }
                }
            }
        }
        if (help) {
            return new GrepOptions(null, List.of(), false, false, false, false, false, false, false, false, false,
                    null, -1, color, true);
        }
        if (patterns.isEmpty()) {
            if (operands.isEmpty()) {
                throw new IllegalArgumentException("no PATTERN (" + TextCommands.GREP_USAGE + ")");
            }
            patterns.add(operands.remove(0));
        }
        Pattern pattern = compile(patterns, syntax, ignoreCase, words);
        return new GrepOptions(pattern, List.copyOf(operands), invert, count, listWith, listWithout, quiet, noMessages,
                numbers, only, wholeLine, names, max, color, false);
    }

    private static long number(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid max count '" + value + "'");
        }
    }

    private static String when(String value) {
        return switch (value) {
            case "always", "yes", "force" -> "always";
            case "never", "no", "none" -> "never";
            case "auto", "tty", "if-tty" -> "auto";
            default -> throw new IllegalArgumentException("invalid argument '" + value + "' for '--color'"
                    + " (valid arguments: always, never, auto)");
        };
    }

    /** The patterns as one Java pattern: any of them (each line of each is a pattern, as GNU grep's). */
    static Pattern compile(List<String> patterns, char syntax, boolean ignoreCase, boolean words) {
        List<String> all = new ArrayList<>();
        for (String p : patterns) {
            all.addAll(List.of(p.split("\n", -1)));
        }
        StringBuilder regex = new StringBuilder();
        for (String p : all) {
            if (regex.length() > 0) {
                regex.append('|');
            }
            String one = switch (syntax) {
                case 'F' -> Pattern.quote(p);
                case 'E' -> translate(p, true);
                default -> translate(p, false);
            };
            // -w: the match neither starts nor ends inside a word (letters, digits, underscore).
            regex.append(words ? "(?<![\\p{Alnum}_])(?:" + one + ")(?![\\p{Alnum}_])" : all.size() > 1 ? "(?:" + one + ")" : one);
        }
        try {
            return Pattern.compile(regex.toString(), ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regular expression '" + String.join("\n", patterns) + "': "
                    + e.getDescription());
        }
    }

    /**
     * A POSIX regular expression as a Java one. Basic syntax: {@code \( \) \{ \} \| \+ \?} are
     * the operators and their bare characters literal, {@code *} at the start literal; both:
     * bracket expressions with {@code [:class:]}, where a backslash is an ordinary character,
     * {@code \< \>} word boundaries, {@code ^} and {@code $} anchors only where POSIX has them.
     */
    static String translate(String re, boolean extended) {
        StringBuilder out = new StringBuilder();
        int n = re.length();
        boolean atStart = true; // where * is literal in BRE and ^ is an anchor
        for (int i = 0; i < n; i++) {
            char c = re.charAt(i);
            if (c == '[') {
                i = bracket(re, i, out);
                atStart = false;
                continue;
            }
            if (c == '\\' && i + 1 < n) {
                char e = re.charAt(++i);
                if (!extended && "(){}|+?".indexOf(e) >= 0) {
                    out.append(e);
                    atStart = e == '(' || e == '|';
                    continue;
                }
                switch (e) {
                    case '<', '>' -> out.append("\\b");
                    case 'w', 'W', 's', 'S', 'b', 'B' -> out.append('\\').append(e);
                    default -> {
                        if (Character.isLetterOrDigit(e) && !(e >= '1' && e <= '9')) {
                            out.append(e); // GNU treats other escaped letters as the letter
                        } else {
                            out.append('\\').append(e);
                        }
                    }
                }
                atStart = false;
                continue;
            }
            if (c == '\\') {
                out.append("\\\\");
                continue;
            }
            if (!extended && "(){}|+?".indexOf(c) >= 0) {
                out.append('\\').append(c);
                atStart = false;
                continue;
            }
            if (extended && c == '{' && !re.substring(i).matches("(?s)\\{\\d+(,\\d*)?}.*")) {
                out.append("\\{");
                atStart = false;
                continue;
            }
            if (c == '*' && atStart) {
                out.append("\\*");
                atStart = false;
                continue;
            }
            if (c == '^') {
                out.append(atStart || extended ? "^" : "\\^");
                continue; // a * right after an anchoring ^ is literal too
            }
            if (c == '$') {
                boolean end = extended || i + 1 == n || re.startsWith("\\)", i + 1) || re.startsWith("\\|", i + 1);
                out.append(end ? "$" : "\\$");
                atStart = false;
                continue;
            }
            out.append(c);
            atStart = extended && (c == '(' || c == '|');
        }
        return out.toString();
    }

    /** A bracket expression from {@code re[at]}, written to {@code out}; returns the index of its ']'. */
    private static int bracket(String re, int at, StringBuilder out) {
        int i = at + 1;
        StringBuilder cls = new StringBuilder("[");
        if (i < re.length() && re.charAt(i) == '^') {
            cls.append('^');
            i++;
        }
        if (i < re.length() && re.charAt(i) == ']') {
            cls.append("\\]");
            i++;
        }
        for (; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == ']') {
                out.append(cls).append(']');
                return i;
            }
            if (c == '[' && i + 1 < re.length() && re.charAt(i + 1) == ':') {
                int end = re.indexOf(":]", i + 2);
                String name = end < 0 ? null : re.substring(i + 2, end);
                if (name == null || !CLASSES.containsKey(name)) {
                    throw new IllegalArgumentException("invalid character class" + (name == null ? "" : " '" + name + "'"));
                }
                cls.append(CLASSES.get(name));
                i = end + 1;
                continue;
            }
            if (c == '\\' || c == '[' || c == '&' || c == '^') {
                cls.append('\\');
            }
            cls.append(c);
        }
        throw new IllegalArgumentException("unmatched [, [^, [:, [., or [=");
    }
}
