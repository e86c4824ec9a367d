package org.alosj.shell.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.CommandSessionImpl;

/**
 * A Gogo session of the machine's shell: confined to the machine, and with streams that
 * survive Ctrl-C.
 *
 * <p>Confined: Gogo would let any line call Java (the {@code new} builtin, methods on any object
 * a command returns, {@code $.context}), open URLs ({@code gogo:cat file:///etc/shadow},
 * {@code source}, {@code sh}) and list the host ({@code felix:ls}). Here method calls reach only
 * plain values (strings, numbers, lists, maps), those commands are refused, and redirections
 * and Gogo's working directory are VFS paths only: the guest's commands see the machine.
 *
 * <p>Steady streams: Gogo wraps a session's streams with
 * {@code Channels.newChannel}, whose channel closes itself for good when a thread writing
 * through it is interrupted: the first Ctrl-C on a printing command ({@code cat /dev/zero})
 * closed the console's output, and every later command ran unseen. The channels here refuse an
 * interrupted thread's I/O (an {@link InterruptedIOException}; the thread keeps its interrupt
 * status and its command ends) and stay open for the next command. Closing the session does
 * not close the terminal either.
 */
final class ConsoleSession extends CommandSessionImpl {
    /**
     * Gogo's and Felix's verbs that reach Java, URLs or the host's files whatever the working
     * directory: not the guest's. (Gogo's other builtins resolve files against the working
     * directory, which is the VFS's.)
     */
    static final Set<String> HOST_VERBS = Set.of("gogo:new", "gogo:cat", "gogo:less", "gogo:nano", "gogo:source",
            "gogo:sh", "gogo:gosh", "gogo:tmux", "felix:ls", "felix:cd");

    /** Gogo's verbs on the console's line editor, which a script's session has not. */
    static final Set<String> LINE_EDITOR_VERBS = Set.of("gogo:history", "gogo:complete", "gogo:keymap", "gogo:setopt",
            "gogo:unsetopt", "gogo:widget");

    ConsoleSession(CommandProcessorImpl processor, InputStream in, OutputStream out, OutputStream err) {
        super(processor, in, out, err);
        channels = new Channel[] {new SteadyInput(in), new SteadyOutput(out, false), new SteadyOutput(err, true)};
    }

    /** A command name as Gogo resolves it (the session's SCOPE path), refused if it is a host verb. */
    @Override
    public Object get(String name) {
        Object value = super.get(name);
        if (value instanceof org.apache.felix.service.command.Function && !name.startsWith(".")) {
            String resolved = resolve(name);
            if (resolved != null && LINE_EDITOR_VERBS.contains(resolved) && super.get(".reader") == null) {
                // A script has no line editor: no history, as sh -c prints none; the rest say why.
                String bare = resolved.substring(resolved.indexOf(':') + 1);
                return (org.apache.felix.service.command.Function) (session, args) -> {
                    if (bare.equals("history")) {
                        return null;
                    }
                    throw new IllegalArgumentException(bare + ": only at the interactive console (it sets up its line editor)");
                };
            }
            if (resolved != null && HOST_VERBS.contains(resolved)) {
                String bare = resolved.substring(resolved.indexOf(':') + 1);
                return (org.apache.felix.service.command.Function) (session, args) -> {
                    throw new IllegalArgumentException(bare + ": not available in the machine's shell"
                            + " (it would reach the host)");
                };
            }
        }
        return value;
    }

    /** Which scope:name a command word is, by the session's SCOPE, as Gogo looks it up. */
    @SuppressWarnings("unchecked")
    private String resolve(String name) {
        if (name.startsWith("*:")) {
            name = name.substring(2); // how Gogo asks for an unscoped command word
        } else if (name.indexOf(':') >= 0) {
            return name;
        }
        Object commands = super.get(".commands");
        if (!(commands instanceof Set<?> set)) {
            return null;
        }
        Object scope = super.get("SCOPE");
        for (String s : String.valueOf(scope == null ? "*" : scope).split(":")) {
            if (s.equals("*")) {
                for (Object c : (Set<Object>) set) {
                    if (String.valueOf(c).endsWith(":" + name)) {
                        return String.valueOf(c);
                    }
                }
            } else if (((Set<Object>) set).contains(s + ":" + name)) {
                return s + ":" + name;
            }
        }
        return null;
    }

    /** Method calls on values (Gogo's {@code $list size}), never on Java objects at large. */
    @Override
    public Object invoke(Object target, String name, List<Object> args) throws Exception {
        boolean plain = target instanceof CharSequence || target instanceof Number || target instanceof Boolean
                || target instanceof Character || target instanceof Collection<?> || target instanceof Map<?, ?>;
        if (!plain || name.equalsIgnoreCase("getClass") || name.equalsIgnoreCase("class")) {
            throw new IllegalArgumentException(name + ": calling Java methods is off in the machine's shell");
        }
        return super.invoke(target, name, args);
    }

    /** {@code >} and {@code >>} write VFS files, never the host's. */
    @Override
    public Path redirect(Path path, int mode) {
        Path resolved = super.redirect(path, mode); // against Gogo's working directory: the VFS's
        if (resolved == null || resolved.getFileSystem() == FileSystems.getDefault()) {
            throw new IllegalArgumentException(path + ": redirection outside the machine's files is refused");
        }
        return resolved;
    }

    /** Gogo's working directory, for its builtins: the VFS's, or none while there is no VFS. */
    @Override
    public Path currentDir() {
        Path p = super.currentDir();
        return p != null && p.getFileSystem() == FileSystems.getDefault() ? null : p;
    }

    private static void refuseIfInterrupted() throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted");
        }
    }

    /** A Java type naming an exception in a message ("java.nio.file.NoSuchFileException: "). */
    private static final Pattern JAVA_TYPE = Pattern.compile(
            "\\b(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error): ");

    /**
     * How Gogo reports a failed element of a pipeline, in one write: {@code gogo: Type: message}
     * (its simple type name); it becomes the line the shell prints for any failure.
     */
    private static final Pattern GOGO_FAILURE = Pattern.compile("gogo: ([A-Z][A-Za-z0-9_$]*): (.*?)\\n?", Pattern.DOTALL);

    private static final class SteadyOutput implements WritableByteChannel {
        private final OutputStream target;
        /** Errors: Gogo's own builtins print exceptions as they are; a person reads the reason. */
        private final boolean errors;

        SteadyOutput(OutputStream target, boolean errors) {
            this.target = target;
            this.errors = errors;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            refuseIfInterrupted();
            int n = src.remaining();
            if (errors) {
                byte[] text = new byte[n];
                src.get(text);
                String line = new String(text, StandardCharsets.UTF_8);
                Matcher gogo = GOGO_FAILURE.matcher(line);
                if (gogo.matches()) {
                    line = gogo.group(1).equals("ProgramExit") ? "" // the program's status says it
                            : ScriptRunner.describe(gogo.group(1), gogo.group(2).equals("null") ? null : gogo.group(2)) + "\n";
                }
                target.write(JAVA_TYPE.matcher(line).replaceAll("").getBytes(StandardCharsets.UTF_8));
                target.flush();
                return n;
            }
            if (src.hasArray()) {
                target.write(src.array(), src.arrayOffset() + src.position(), n);
                src.position(src.limit());
            } else {
                byte[] copy = new byte[n];
                src.get(copy);
                target.write(copy, 0, n);
            }
            target.flush();
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() throws IOException {
            target.flush();
        }
    }

    private static final class SteadyInput implements ReadableByteChannel {
        private final InputStream source;

        SteadyInput(InputStream source) {
            this.source = source;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            refuseIfInterrupted();
            byte[] b = new byte[Math.min(dst.remaining(), 8192)];
            int n = source.read(b, 0, b.length);
            if (n > 0) {
                dst.put(b, 0, n);
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
            // the terminal's input outlives a session
        }
    }
}
