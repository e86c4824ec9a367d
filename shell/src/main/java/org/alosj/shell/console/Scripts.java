package org.alosj.shell.console;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.vfs.VfsContext;
import org.alosj.shell.impl.ShellContexts;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.service.command.CommandProcessor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shell text run without a terminal, for the launcher (it finds this service by name): the
 * {@code -c} script, and {@code /config/startup.sh} at boot as ALOS ran it (each line a command,
 * its output on the console and in the kernel log, a failure logged and the boot going on).
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Scripts.class)
public final class Scripts {
    static final String STARTUP = "/config/startup.sh";
    private static final Logger KLOG = LoggerFactory.getLogger("startup");
    private static final String SCOPE = "alos:felix:gogo:*";

    private final CommandProcessorImpl processor;
    private final ShellContexts contexts;
    private final java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile ConsoleSession running;

    @Activate
    public Scripts(@Reference CommandProcessor processor, @Reference ShellContexts contexts) {
        this.processor = (CommandProcessorImpl) processor;
        this.contexts = contexts;
    }

    /** Runs {@code script} (alos -c): every statement, the status of the last (or exit's). */
    public int run(String script, InputStream in, OutputStream out, OutputStream err) {
        PrintStream o = new PrintStream(out, true);
        PrintStream e = new PrintStream(err, true);
        ConsoleSession session = session(in, out, err);
        running = session;
        interrupted.set(false);
        try {
            return ScriptRunner.run(session, script, o, e, interrupted::get);
        } finally {
            running = null;
            session.close();
        }
    }

    /**
     * Ctrl-C during {@code alos -c} (the launcher's SIGINT): the command in the foreground is
     * interrupted and the script ends with 130, as {@code sh -c} does.
     */
    public void interrupt() {
        ConsoleSession s = running;
        if (s != null) {
            interrupted.set(true);
            org.apache.felix.service.command.Job job = s.foregroundJob();
            if (job != null) {
                job.interrupt();
            }
        }
    }

    /**
     * Runs {@code /config/startup.sh} of the root file system if there is one; returns how many
     * of its commands failed (0 also when there is no script).
     */
    public int runStartup(InputStream in, OutputStream out, OutputStream err) {
        String script;
        try (VfsContext c = contexts.vfs().createContext(0, 0)) {
            c.stat(STARTUP);
            script = ConsoleCommands.read(c, STARTUP, "startup");
        } catch (FsException e) {
            if (e.errno() != Errno.ENOENT) {
                KLOG.warn("{}: {}", STARTUP, e.errno().text());
            }
            return 0;
        } catch (RuntimeException e) {
            KLOG.warn("{}: {}", STARTUP, e.getMessage());
            return 0;
        }
        KLOG.info("running {}", STARTUP);
        PrintStream console = new PrintStream(out, true);
        LoggedLines logged = new LoggedLines(console, KLOG);
        PrintStream o = new PrintStream(logged, true);
        int failed = 0;
        ConsoleSession session = session(in, o, o);
        try {
            for (String statement : Statements.split(script)) {
                ByteArrayOutputStream errors = new ByteArrayOutputStream();
                PrintStream e = new PrintStream(errors, true);
                int status = ScriptRunner.run(session, statement, o, e, () -> false);
                String message = errors.toString(StandardCharsets.UTF_8).strip();
                if (status != 0) {
                    failed++;
                    // In the kernel log (at INFO: the console has the line below, once).
                    KLOG.info("{}: '{}' failed{}", STARTUP, statement, message.isEmpty() ? "" : ": " + message);
                    new PrintStream(err, true).println("startup.sh: " + (message.isEmpty() ? statement + ": failed" : message));
                }
                if (ScriptRunner.exitRequested(session)) {
                    break;
                }
            }
            o.flush();
            logged.flushLine();
        } finally {
            session.close();
        }
        return failed;
    }

    private ConsoleSession session(InputStream in, OutputStream out, OutputStream err) {
        ConsoleSession session = new ConsoleSession(processor, in, out, err);
        session.put("SCOPE", SCOPE);
        try {
            contexts.of(session); // Gogo's working directory is the VFS's from the first command on
        } catch (IllegalStateException noKernel) {
            // file commands will say so
        }
        return session;
    }

    /** Output that goes to the console and, a line at a time, to the kernel log. */
    private static final class LoggedLines extends OutputStream {
        private final PrintStream console;
        private final Logger log;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LoggedLines(PrintStream console, Logger log) {
            this.console = console;
            this.log = log;
        }

        @Override
        public synchronized void write(int b) {
            console.write(b);
            if (b == '\n') {
                flushLine();
            } else {
                line.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        @Override
        public void flush() {
            console.flush();
        }

        synchronized void flushLine() {
            if (line.size() > 0) {
                log.info("{}", line.toString(StandardCharsets.UTF_8).stripTrailing());
                line.reset();
            }
        }
    }
}
