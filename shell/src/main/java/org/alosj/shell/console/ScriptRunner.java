package org.alosj.shell.console;

import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.nio.channels.ClosedByInterruptException;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the console, {@code alos -c}, {@code source} and {@code /config/startup.sh} run shell text:
 * statement by statement as sh does ({@code a; b} runs b after a failed; the status is the last
 * statement's), each failure one line on stderr (the command's name and the reason, never a
 * Java type), {@code CMD --help} as {@code help CMD}, {@code exit}/{@code quit} ending the run
 * with their status, Ctrl-C ending it with 130.
 */
public final class ScriptRunner {
    /** Session variable: set (to the status) by exit, quit and the power commands to end the run. */
    public static final String EXIT = ".alos.exit";
    /** The status of a run Ctrl-C ended, as sh's 128 + SIGINT. */
    static final int INTERRUPTED = 130;
    private static final Logger LOG = LoggerFactory.getLogger("shell.console");

    private ScriptRunner() {
    }

    /**
     * Runs {@code script} in {@code session}. Results that are not null are printed on
     * {@code out} as Gogo's console prints them. {@code interrupted} says whether Ctrl-C came
     * during the last statement.
     */
    public static int run(CommandSession session, String script, PrintStream out, PrintStream err,
            BooleanSupplier interrupted) {
        int status = 0;
        for (String statement : Statements.split(script)) {
            statement = Statements.withHelp(statement, name -> isAlosCommand(session, name));
            try {
                Object result = session.execute(statement);
                if (result != null) {
                    out.println(session.format(result, Converter.INSPECT));
                }
                out.flush();
                status = 0;
            } catch (Exception e) {
                out.flush();
                Throwable cause = unwrap(e);
                session.put("exception", cause);
                if (cause instanceof org.alosj.shell.impl.ProgramCommands.ProgramExit program) {
                    // A program's own status is the statement's: it said what it had to already.
                    status = program.status();
                } else if (interrupted.getAsBoolean() || isInterruption(cause)) {
                    status = INTERRUPTED;
                } else {
                    err.println(describe(cause));
                    err.flush();
                    LOG.debug("'{}' failed", statement, cause);
                    status = 1;
                }
            }
            Object exit = session.get(EXIT);
            if (exit != null) {
                return exit instanceof Integer code ? code : status;
            }
            if (interrupted.getAsBoolean()) {
                return INTERRUPTED;
            }
        }
        return status;
    }

    /** Whether exit, quit or a power command asked to end the run; the request is taken. */
    public static boolean exitRequested(CommandSession session) {
        if (session.get(EXIT) == null) {
            return false;
        }
        session.put(EXIT, null);
        return true;
    }

    @SuppressWarnings("unchecked")
    private static boolean isAlosCommand(CommandSession session, String name) {
        Object commands = session.get(".commands");
        return commands instanceof Set<?> set && ((Set<Object>) set).contains("alos:" + name);
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof InvocationTargetException || t instanceof UndeclaredThrowableException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static boolean isInterruption(Throwable t) {
        return t instanceof InterruptedException || t instanceof InterruptedIOException
                || t instanceof ClosedByInterruptException;
    }

    /**
     * One line for a failure: a command's own message names it ({@code ls: cannot access …});
     * anything else is labelled {@code alos:}; a failure with no message says what kind it was
     * in words and leaves the details to the log.
     */
    public static String describe(Throwable t) {
        t = unwrap(t);
        String type = t.getClass().getSimpleName();
        if ((t.getMessage() == null || t.getMessage().isBlank()) && !isKnownKind(type)) {
            LOG.warn("a command failed with no message", t);
        }
        return describe(type, t.getMessage());
    }

    /**
     * The same line from a failure's simple type name and message, as Gogo reports a pipeline
     * element's failure ({@code gogo: Type: message}).
     */
    static String describe(String type, String m) {
        if (type.equals("CommandNotFoundException")) {
            return "alos: " + (m == null ? "command not found" : m.replace("Command not found", "command not found"));
        }
        if (type.equals("SyntaxError") || type.equals("EOFError")) {
            return "alos: syntax error: " + (m == null ? "incomplete command" : m);
        }
        if (m == null || m.isBlank()) {
            return "alos: internal error (" + words(type) + "); see alosj.log";
        }
        m = m.lines().findFirst().orElse(m).strip();
        // A wrapped cause's toString() ("java.io.IOException: x") says the type; the reason is after it.
        m = m.replaceFirst("^(?:[a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*: ", "");
        // Commands name themselves ("lspci: ..."); anything else is labelled.
        return m.matches("^[a-z][a-z0-9_.-]*: .*") ? m : "alos: " + m;
    }

    private static boolean isKnownKind(String type) {
        return type.equals("CommandNotFoundException") || type.equals("SyntaxError") || type.equals("EOFError");
    }

    /** {@code NullPointerException} as "null pointer exception". */
    static String words(String type) {
        return type.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT);
    }
}
