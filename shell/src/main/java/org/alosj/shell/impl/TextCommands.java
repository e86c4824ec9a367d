package org.alosj.shell.impl;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.vfs.VfsContext;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Process;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;

/**
 * echo and grep as a Linux shell user knows them (bash's echo builtin, GNU grep's options,
 * messages and exit status) on the VFS. They stand in front of Gogo's own: its echo refused
 * any option it did not know ({@code echo ---}), and its grep coloured output that went to a
 * file and counted wrong with {@code -c}.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = TextCommands.class, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=echo",
    "osgi.command.function=grep",
})
public final class TextCommands {
    private final ShellContexts contexts;

    @Activate
    public TextCommands(@Reference ShellContexts contexts) {
        this.contexts = contexts;
    }

    @Descriptor("write the words, separated by spaces, and a newline, as sh's echo\n"
            + "  -n  no newline at the end\n"
            + "  -e  interpret backslash escapes: \\n \\t \\r \\a \\b \\e \\f \\v \\\\ \\0NNN \\xHH, \\c ends the output\n"
            + "  -E  leave backslashes as they are (the default)\n"
            + "Any other word starting with - is printed, as bash prints it.")
    public void echo(@Descriptor("[-neE] [WORD...]") String... args) {
        int first = 0;
        boolean newline = true;
        boolean escapes = false;
        while (first < args.length && args[first].matches("-[neE]+")) {
            for (char c : args[first].substring(1).toCharArray()) {
                switch (c) {
                    case 'n' -> newline = false;
                    case 'e' -> escapes = true;
                    default -> escapes = false;
                }
            }
            first++;
        }
        StringBuilder text = new StringBuilder();
        for (int i = first; i < args.length; i++) {
            if (i > first) {
                text.append(' ');
            }
            if (escapes && Echo.expand(args[i], text)) {
                newline = false; // \c: nothing more, not even the newline
                break;
            }
            if (!escapes) {
                text.append(args[i]);
            }
        }
        if (newline) {
            text.append('\n');
        }
        PrintStream out = System.out;
        out.print(text);
        out.flush();
    }

    /** bash's {@code echo -e} escapes. */
    static final class Echo {
        private Echo() {
        }

        /** Appends {@code word} with its escapes expanded; true if it held {@code \c}. */
        static boolean expand(String word, StringBuilder out) {
            for (int i = 0; i < word.length(); i++) {
                char c = word.charAt(i);
                if (c != '\\' || i + 1 == word.length()) {
                    out.append(c);
                    continue;
                }
                char e = word.charAt(++i);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'a' -> out.append('\007');
                    case 'b' -> out.append('\b');
                    case 'e', 'E' -> out.append('\033');
                    case 'f' -> out.append('\f');
                    case 'v' -> out.append('\013');
                    case '\\' -> out.append('\\');
                    case 'c' -> {
                        return true;
                    }
                    case '0' -> {
                        int end = digits(word, i + 1, 3, 8);
                        out.append((char) (end == i + 1 ? 0 : Integer.parseInt(word.substring(i + 1, end), 8) & 0xFF));
                        i = end - 1;
                    }
                    case 'x' -> {
                        int end = digits(word, i + 1, 2, 16);
                        if (end == i + 1) {
                            out.append("\\x"); // no digits: bash prints it as it is
                        } else {
                            out.append((char) Integer.parseInt(word.substring(i + 1, end), 16));
                            i = end - 1;
                        }
                    }
                    default -> out.append('\\').append(e);
                }
            }
            return false;
        }

        private static int digits(String s, int from, int max, int radix) {
            int end = from;
            while (end < s.length() && end - from < max && Character.digit(s.charAt(end), radix) >= 0) {
                end++;
            }
            return end;
        }
    }

    static final String GREP_USAGE = "usage: grep [OPTION...] PATTERN [FILE...]";

    @Descriptor("print the lines that match PATTERN, as GNU grep (standard input without FILE, or for -)\n"
            + "  -G  PATTERN is a basic regular expression (the default); -E extended; -F fixed strings\n"
            + "  -e PATTERN  a pattern (given several times: any of them); -i  ignore case\n"
            + "  -w  match whole words only; -x  whole lines only; -v  select the lines that do not match\n"
            + "  -c  print a count of the selected lines; -l / -L  print the names of the files with / without one\n"
            + "  -q  print nothing, stop at the first match; -s  no messages about unreadable files\n"
            + "  -m NUM  stop after NUM selected lines; -n  line numbers; -o  only the matching parts\n"
            + "  -H / -h  file names before the lines, or not (the default with more than one FILE)\n"
            + "  --color[=WHEN]  mark matches: always, never or auto (auto: at the interactive console only)\n"
            + "Exit status: 0 if a line was selected, 1 if none, 2 on an error.")
    public void grep(CommandSession session, @Descriptor("[OPTION...] PATTERN [FILE...]") String... args) throws Exception {
        GrepOptions o;
        try {
            o = GrepOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("grep: " + e.getMessage());
            System.err.flush();
            throw new ProgramCommands.ProgramExit("grep", 2);
        }
        if (o.help()) {
            System.out.print(HelpCommands.details(new HelpCommands.Command("grep",
                    List.of(TextCommands.class.getMethod("grep", CommandSession.class, String[].class)))));
            System.out.flush();
            return;
        }
        Grep grep = new Grep(o, System.out, colour(session, o.color()));
        VfsContext[] vfs = {null};
        int status = grep.run((file, sink) -> {
            if (file.equals("-")) {
                InputStream in = System.in;
                byte[] b = new byte[FileCommands.BUFFER];
                for (int n; (n = in.read(b)) > 0; ) {
                    sink.accept(b, n);
                }
            } else {
                if (vfs[0] == null) {
                    vfs[0] = contexts.of(session);
                }
                FileCommands.readAll(vfs[0], file, sink);
            }
        }, System.err);
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("grep: interrupted");
        }
        if (status != 0) {
            throw new ProgramCommands.ProgramExit("grep", status);
        }
    }

    /**
     * Whether grep marks matches: {@code auto} as a distribution's interactive alias does, only
     * at the interactive console (a session with a terminal) and only when the output is not
     * piped or redirected; never in a script or {@code alos -c}, whose output is often a file.
     */
    private static boolean colour(CommandSession session, String when) {
        if (!when.equals("auto")) {
            return when.equals("always");
        }
        Process p = Process.Utils.current();
        return session.get(".terminal") != null && p != null && p.isTty(1);
    }

    /** Reads a file grep was given ("-": standard input) into a sink. */
    interface Opener {
        void readInto(String file, FileCommands.Sink sink) throws Exception;
    }

    private interface Source {
        void readInto(FileCommands.Sink sink) throws Exception;
    }

    /** The matching and printing of one grep run, file by file. */
    static final class Grep {
        private static final String MATCH = "\033[01;31m\033[K";
        private static final String NAME = "\033[35m\033[K";
        private static final String NUMBER = "\033[32m\033[K";
        private static final String SEPARATOR = "\033[36m\033[K";
        private static final String END = "\033[m\033[K";

        private final GrepOptions o;
        private final PrintStream out;
        private final boolean colour;
        private boolean selectedAny;
        private boolean stopped;

        Grep(GrepOptions o, PrintStream out, boolean colour) {
            this.o = o;
            this.out = out;
            this.colour = colour;
        }

        /**
         * Runs over the options' files (standard input if none), each error one line on
         * {@code err}; returns GNU grep's status: 0 a line selected, 1 none, 2 an error (but 0
         * with -q once a line was selected).
         */
        int run(Opener opener, PrintStream err) throws Exception {
            List<String> files = o.files().isEmpty() ? List.of("-") : o.files();
            boolean names = o.withFileNames() != null ? o.withFileNames() : files.size() > 1;
            boolean errors = false;
            for (String f : files) {
                try {
                    file(f.equals("-") ? "(standard input)" : f, names, sink -> opener.readInto(f, sink));
                } catch (FsException e) {
                    errors = true;
                    if (!o.noMessages()) {
                        out.flush();
                        err.println("grep: " + f + ": " + e.errno().text());
                        err.flush();
                    }
                }
                if (stopped) {
                    break;
                }
            }
            out.flush();
            return errors && !(o.quiet() && selectedAny) ? 2 : selectedAny ? 0 : 1;
        }

        private void file(String name, boolean names, Source source) throws Exception {
            long[] selected = {0};
            long[] lineNumber = {0};
            ByteArrayOutputStream pending = new ByteArrayOutputStream();
            try {
                source.readInto((data, n) -> {
                    int start = 0;
                    for (int i = 0; i < n; i++) {
                        if (data[i] == '\n') {
                            pending.write(data, start, i - start);
                            line(name, names, pending.toString(StandardCharsets.UTF_8), ++lineNumber[0], selected);
                            pending.reset();
                            start = i + 1;
                        }
                    }
                    pending.write(data, start, n - start);
                });
                if (pending.size() > 0) {
                    line(name, names, pending.toString(StandardCharsets.UTF_8), ++lineNumber[0], selected);
                }
            } catch (Enough e) {
                // this file is done with (-q, -l, -m), or the output went away
            }
            if (o.quiet()) {
                return;
            }
            if (o.count()) {
                out.println(prefix(name, names, 0, false) + selected[0]);
            } else if (o.listWithout() && selected[0] == 0) {
                out.println(colour ? NAME + name + END : name);
            }
            out.flush();
        }

        private void line(String name, boolean names, String line, long number, long[] selected) {
            if (Thread.currentThread().isInterrupted() || out.checkError()) {
                stopped = true;
                throw new Enough();
            }
            java.util.regex.Matcher m = o.pattern().matcher(line);
            boolean matches = o.wholeLine() ? m.matches() : m.find();
            if (matches == o.invert()) {
                return;
            }
            selected[0]++;
            selectedAny = true;
            if (o.quiet()) {
                stopped = true;
                throw new Enough();
            }
            if (o.listWith()) {
                out.println(colour ? NAME + name + END : name);
                throw new Enough();
            }
            if (o.listWithout()) {
                throw new Enough();
            }
            if (!o.count()) {
                if (o.onlyMatching()) {
                    if (!o.invert()) {
                        m.reset();
                        while (m.find()) {
                            if (m.end() > m.start()) {
                                out.println(prefix(name, names, number, o.lineNumbers()) + mark(m.group()));
                            }
                        }
                    }
                } else {
                    out.println(prefix(name, names, number, o.lineNumbers()) + (o.invert() ? line : marked(line, m)));
                }
            }
            if (o.maxCount() >= 0 && selected[0] >= o.maxCount()) {
                throw new Enough();
            }
        }

        private String prefix(String name, boolean names, long number, boolean numbers) {
            StringBuilder p = new StringBuilder();
            if (names) {
                p.append(colour ? NAME + name + END + SEPARATOR + ":" + END : name + ":");
            }
            if (numbers) {
                p.append(colour ? NUMBER + number + END + SEPARATOR + ":" + END : number + ":");
            }
            return p.toString();
        }

        private String mark(String text) {
            return colour ? MATCH + text + END : text;
        }

        private String marked(String line, java.util.regex.Matcher m) {
            if (!colour) {
                return line;
            }
            StringBuilder b = new StringBuilder();
            int last = 0;
            m.reset();
            while (m.find()) {
                if (m.end() == m.start()) {
                    if (m.end() >= line.length()) {
                        break;
                    }
                    continue;
                }
                b.append(line, last, m.start()).append(MATCH).append(m.group()).append(END);
                last = m.end();
            }
            return b.append(line.substring(last)).toString();
        }
    }

    /** Stops reading a file: grep has what it wanted from it. */
    private static final class Enough extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Enough() {
            super(null, null, false, false);
        }
    }
}
