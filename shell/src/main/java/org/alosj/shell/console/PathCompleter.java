package org.alosj.shell.console;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.alosj.kernel.fs.DirEntry;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.vfs.VfsContext;
import org.apache.felix.service.command.CommandSession;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Tab completion at the console: the first word from the commands Gogo knows (without their
 * scope), every other word from the machine's VFS, relative to the session's working directory
 * (a directory completes with its {@code /}, ready for the next name). Never the host's files.
 */
final class PathCompleter implements Completer {
    private final CommandSession session;
    private final java.util.function.Supplier<VfsContext> vfs;

    PathCompleter(CommandSession session, java.util.function.Supplier<VfsContext> vfs) {
        this.session = session;
        this.vfs = vfs;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        String word = line.word().substring(0, Math.min(line.wordCursor(), line.word().length()));
        if (line.wordIndex() == 0 || statementStart(line)) {
            for (String name : commandNames(session)) {
                candidates.add(new Candidate(name, name, null, null, null, null, true));
            }
            return;
        }
        candidates.addAll(paths(word));
    }

    /** After {@code ;} or {@code |} a new command starts. */
    private static boolean statementStart(ParsedLine line) {
        int i = line.wordIndex();
        if (i <= 0 || i > line.words().size()) {
            return false;
        }
        String before = line.words().get(i - 1);
        return before.equals(";") || before.equals("|") || before.endsWith(";") || before.endsWith("|");
    }

    @SuppressWarnings("unchecked")
    static Set<String> commandNames(CommandSession session) {
        Set<String> names = new TreeSet<>();
        if (session.get(".commands") instanceof Set<?> commands) {
            for (Object c : (Set<Object>) commands) {
                String s = String.valueOf(c);
                names.add(s.substring(s.indexOf(':') + 1));
            }
        }
        return names;
    }

    /** Entries of the directory {@code word} names up to its last '/', completing what follows it. */
    List<Candidate> paths(String word) {
        int slash = word.lastIndexOf('/');
        String dir = slash < 0 ? "." : slash == 0 ? "/" : word.substring(0, slash);
        String prefix = word.substring(0, slash + 1);
        String start = word.substring(slash + 1);
        List<Candidate> out = new java.util.ArrayList<>();
        VfsContext c;
        try {
            c = vfs.get();
        } catch (RuntimeException noKernel) {
            return out;
        }
        try {
            for (DirEntry e : c.readdir(dir)) {
                String name = e.name();
                if (name.equals(".") || name.equals("..") || !name.startsWith(start)
                        || name.startsWith(".") && !start.startsWith(".")) {
                    continue;
                }
                boolean directory = e.type() == FileType.DIRECTORY
                        || e.type() == FileType.SYMLINK && isDirectory(c, prefix + name);
                String value = prefix + name + (directory ? "/" : "");
                out.add(new Candidate(value, name + (directory ? "/" : ""), null, null, null, null, !directory));
            }
        } catch (FsException e) {
            // nothing to offer there
        }
        return out;
    }

    private static boolean isDirectory(VfsContext c, String path) {
        try {
            return c.stat(path).type() == FileType.DIRECTORY;
        } catch (FsException e) {
            return false;
        }
    }
}
