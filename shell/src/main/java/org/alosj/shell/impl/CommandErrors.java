package org.alosj.shell.impl;

import java.util.ArrayList;
import java.util.List;
import org.alosj.kernel.fs.FsException;

/**
 * Errors of a command that goes on after one, as coreutils does: each is one line in
 * coreutils' words ({@code rm: cannot remove '/x': No such file or directory}); at the end
 * the command fails with the last of them (the shell prints it, and {@code alos -c} exits 1),
 * the others having gone to stderr as they came.
 */
final class CommandErrors {
    private final List<String> lines = new ArrayList<>();

    void add(String line) {
        if (!lines.isEmpty()) {
            System.err.println(lines.get(lines.size() - 1));
            System.err.flush();
        }
        lines.add(line);
    }

    /** {@code cmd: cannot VERB 'PATH': strerror}. */
    void add(String cmd, String verb, String path, FsException e) {
        add(cmd + ": " + (verb == null ? "" : verb + " ") + "'" + path + "': " + e.errno().text());
    }

    boolean any() {
        return !lines.isEmpty();
    }

    /** Fails the command with the last error, if there was one. */
    void finish() {
        System.out.flush();
        if (!lines.isEmpty()) {
            throw new CommandFailure(lines.get(lines.size() - 1));
        }
    }

    /** A command's failure whose message is all the user needs (no stack, no type name). */
    static final class CommandFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CommandFailure(String message) {
            super(message, null, false, false);
        }
    }
}
