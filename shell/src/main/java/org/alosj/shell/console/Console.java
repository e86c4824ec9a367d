package org.alosj.shell.console;

import java.io.IOError;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.alosj.shell.impl.HistoryCommands;
import org.alosj.shell.impl.ShellContexts;
import org.apache.felix.gogo.jline.Parser;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Job;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machine's console: the terminal the launcher was started on, a line editor (JLine) with
 * history and completion of commands and VFS paths, and the shell behind it. Ctrl-C interrupts
 * the command in the foreground and brings the prompt back (the terminal stays usable); Ctrl-C
 * at the prompt clears the line; Ctrl-D, {@code exit} and {@code quit} leave, which stops the
 * machine as leaving its only console does.
 *
 * <p>The launcher drives it when there is no {@code -c} script: {@link #open} takes the terminal
 * (JLine allows one system terminal in a JVM, so this comes before Gogo's own console bundle
 * starts and settles for a dumb one), and {@link #start} shows the prompt once the boot and
 * {@code /config/startup.sh} are done.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Console.class, immediate = true)
public final class Console {
    private static final Logger LOG = LoggerFactory.getLogger("shell.console");
    private static final String SCOPE = "alos:felix:gogo:*";

    private final BundleContext context;
    private final CommandProcessorImpl processor;
    private final ShellContexts contexts;
    private final HistoryCommands history;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Thread thread = new Thread(this::run, "alos-console");
    private volatile String historyFile = "";
    private volatile Terminal terminal;

    @Activate
    public Console(BundleContext context, @Reference CommandProcessor processor, @Reference ShellContexts contexts,
            @Reference HistoryCommands history) {
        this.context = context;
        this.processor = (CommandProcessorImpl) processor;
        this.contexts = contexts;
        this.history = history;
    }

    /** Takes the terminal; {@code historyFile} is the host file JLine keeps the history in. */
    public synchronized void open(String historyFile) throws IOException {
        if (terminal == null) {
            this.historyFile = historyFile == null ? "" : historyFile;
            terminal = openTerminal();
            LOG.debug("console on a {} terminal ({})", terminal.getType(), terminal.getClass().getSimpleName());
        }
    }

    /** Shows the prompt and runs what is typed, until the console is left or the machine stops. */
    public synchronized void start() throws IOException {
        open(historyFile);
        if (!thread.isAlive()) {
            thread.start();
        }
    }

    @Deactivate
    void deactivate() {
        stopping.set(true);
        Terminal t = terminal;
        if (t != null) {
            try {
                t.close();
            } catch (IOException e) {
                LOG.debug("closing the terminal: {}", e.getMessage());
            }
        }
        if (Thread.currentThread() != thread && thread.isAlive()) {
            thread.interrupt();
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        Terminal term = terminal;
        PrintStream out = new PrintStream(term.output(), true);
        AtomicLong ctrlC = new AtomicLong(); // Ctrl-C so far: a command's read of keys ends at one
        CommandKeys keys = new CommandKeys(term, ctrlC::get);
        ConsoleSession session = new ConsoleSession(processor, keys, term.output(), term.output());
        try {
            session.put("SCOPE", SCOPE);
            session.put(".terminal", term);
            try {
                contexts.of(session); // the VFS working directory, also Gogo's: > and builtins stay on the machine
            } catch (IllegalStateException noKernel) {
                out.println("alos: the kernel is not running: file commands will fail");
            }
            LineReader reader = LineReaderBuilder.builder().terminal(term).appName("alos")
                    .parser(new Parser())
                    .completer(new PathCompleter(session, () -> contexts.of(session)))
                    .variable(LineReader.HISTORY_FILE, historyPath(session))
                    .variable(LineReader.SECONDARY_PROMPT_PATTERN, "%M> ")
                    .option(LineReader.Option.AUTO_FRESH_LINE, true)
                    .build();
            AtomicBoolean interrupted = new AtomicBoolean();
            term.handle(Terminal.Signal.INT, signal -> {
                Job job = session.foregroundJob();
                LOG.debug("console: Ctrl-C, foreground job {}", job == null ? "none" : job.command());
                if (job != null) {
                    interrupted.set(true);
                    ctrlC.incrementAndGet();
                    term.writer().print("^C"); // a command runs without the tty's echo (CommandKeys)
                    term.writer().flush();
                    job.interrupt();
                }
            });
            loop(session, reader, out, interrupted, keys);
            try {
                reader.getHistory().save();
            } catch (IOException e) {
                LOG.debug("saving the history: {}", e.getMessage());
            }
        } finally {
            session.close();
        }
        if (!stopping.get()) {
            leave();
        }
    }

    private void loop(CommandSession session, LineReader reader, PrintStream out, AtomicBoolean interrupted,
            CommandKeys keys) {
        while (!stopping.get()) {
            String line;
            try {
                line = reader.readLine(prompt(session));
            } catch (UserInterruptException e) {
                continue; // Ctrl-C at the prompt: a fresh line
            } catch (EndOfFileException e) {
                return; // Ctrl-D
            } catch (IOError | IllegalStateException e) {
                if (!stopping.get()) {
                    LOG.warn("console: the terminal went away: {}", e.getMessage());
                }
                return;
            }
            interrupted.set(false);
            Terminal term = terminal;
            Attributes cooked;
            try {
                cooked = term.getAttributes();
                term.setAttributes(CommandKeys.commandMode(cooked));
            } catch (IOError | IllegalStateException e) {
                return; // the terminal went away: the console is stopping
            }
            int status;
            try {
                status = ScriptRunner.run(session, line, out, out, interrupted::get);
            } finally {
                Thread.interrupted(); // an interrupt meant for the command does not outlive it
                keys.awaitNoReader(500); // a read Ctrl-C ended gives up the keys before the prompt reads them
                try {
                    term.setAttributes(cooked);
                } catch (IOError | IllegalStateException e) {
                    LOG.debug("console: restoring the terminal: {}", e.getMessage());
                }
            }
            if (status == ScriptRunner.INTERRUPTED) {
                out.println();
            }
            if (ScriptRunner.exitRequested(session)) {
                return;
            }
        }
    }

    /** The shell's working directory in the prompt, as a person at a Linux console sees it. */
    private String prompt(CommandSession session) {
        return "alos:" + contexts.cwd(session) + "> ";
    }

    private Path historyPath(CommandSession session) {
        if (historyFile.isEmpty()) {
            return null;
        }
        try {
            return Path.of(history.historyfile(session, historyFile));
        } catch (IOException | RuntimeException e) {
            LOG.info("console: no history ({})", e.getMessage());
            return Path.of(historyFile);
        }
    }

    /**
     * JLine finds its terminal providers through the thread's context class loader, which in
     * a framework is not JLine's: without them every terminal is a dumb one.
     */
    private static Terminal openTerminal() throws IOException {
        Thread self = Thread.currentThread();
        ClassLoader before = self.getContextClassLoader();
        self.setContextClassLoader(Terminal.class.getClassLoader());
        try {
            // Signals come to the handlers set with handle() (SIG_IGN here only means "not the
            // JVM's default", which would end the process on Ctrl-C).
            return TerminalBuilder.builder().name("alos").system(true).nativeSignals(true)
                    .signalHandler(Terminal.SignalHandler.SIG_IGN).build();
        } finally {
            self.setContextClassLoader(before);
        }
    }

    /** Leaving the machine's only console stops the machine (the launcher then exits). */
    private void leave() {
        try {
            context.getBundle(0).stop();
        } catch (BundleException | IllegalStateException e) {
            LOG.warn("console: stopping the framework: {}", e.getMessage());
        }
    }
}
