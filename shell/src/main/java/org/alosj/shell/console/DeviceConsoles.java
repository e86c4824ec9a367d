package org.alosj.shell.console;

import java.io.IOError;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.alosj.kernel.device.ConsoleDevice;
import org.alosj.shell.impl.ShellContexts;
import org.apache.felix.gogo.jline.Parser;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.Job;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.ExternalTerminal;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A login-free shell on every {@link ConsoleDevice} (the frame-buffer console's {@code tty1} …),
 * as getty and a shell run on each of Linux's virtual terminals: the same line editor, confined
 * session and commands as the host terminal's console, over a JLine terminal of type
 * {@code linux} built on the device's bytes. Programs run with {@code exec} get that terminal
 * as their tty. {@code exit} starts a fresh session (a console of the machine is never left
 * for good); the session ends when the device goes away.
 *
 * <p>The size comes from the device's {@value #COLUMNS} and {@value #ROWS} service properties.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = {}, immediate = true)
public final class DeviceConsoles {
    static final String COLUMNS = "console.columns";
    static final String ROWS = "console.rows";
    private static final Logger LOG = LoggerFactory.getLogger("shell.console");
    private static final String SCOPE = "alos:felix:gogo:*";

    private final CommandProcessorImpl processor;
    private final ShellContexts contexts;
    private final Map<ConsoleDevice, Session> sessions = new ConcurrentHashMap<>();

    @Activate
    public DeviceConsoles(@Reference CommandProcessor processor, @Reference ShellContexts contexts) {
        this.processor = (CommandProcessorImpl) processor;
        this.contexts = contexts;
    }

    // At least one: the component (and JLine with it) loads only once a console exists, so a
    // headless framework without JLine never tries.
    @Reference(cardinality = ReferenceCardinality.AT_LEAST_ONE, policy = ReferencePolicy.DYNAMIC)
    void addConsole(ConsoleDevice device, Map<String, Object> props) {
        Session s = new Session(device, intProperty(props, COLUMNS, 80), intProperty(props, ROWS, 24));
        if (sessions.putIfAbsent(device, s) == null) {
            s.start();
        }
    }

    void removeConsole(ConsoleDevice device) {
        Session s = sessions.remove(device);
        if (s != null) {
            s.stop();
        }
    }

    @Deactivate
    void deactivate() {
        for (ConsoleDevice d : sessions.keySet()) {
            removeConsole(d);
        }
    }

    private static int intProperty(Map<String, Object> props, String key, int fallback) {
        Object v = props.get(key);
        if (v instanceof Number n && n.intValue() > 0) {
            return n.intValue();
        }
        return fallback;
    }

    /** The bytes typed on a console, as a stream JLine's terminal pumps. */
    private static final class Keystrokes extends InputStream {
        private static final byte[] END = new byte[0];
        private final BlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
        private byte[] current = new byte[0];
        private int at;
        private volatile boolean ended;

        void offer(byte[] data, int offset, int length) {
            if (!ended && length > 0) {
                byte[] copy = new byte[length];
                System.arraycopy(data, offset, copy, 0, length);
                queue.add(copy);
            }
        }

        void end() {
            ended = true;
            queue.add(END);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (at >= current.length) {
                try {
                    current = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted");
                }
                at = 0;
                if (current == END) {
                    queue.add(END);
                    return -1;
                }
            }
            int n = Math.min(len, current.length - at);
            System.arraycopy(current, at, b, off, n);
            at += n;
            return n;
        }

        @Override
        public int available() {
            return current.length - at;
        }
    }

    /** What the terminal writes goes to the device (which draws it). */
    private static final class DeviceOutput extends OutputStream {
        private final ConsoleDevice device;

        DeviceOutput(ConsoleDevice device) {
            this.device = device;
        }

        @Override
        public void write(int b) {
            device.write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            device.write(b, off, len);
        }
    }

    /** One device's shell: a thread running sessions one after another. */
    private final class Session {
        private final ConsoleDevice device;
        private final int columns;
        private final int rows;
        private final Keystrokes keys = new Keystrokes();
        private final AtomicBoolean stopping = new AtomicBoolean();
        private final Thread thread;
        private volatile Terminal terminal;

        Session(ConsoleDevice device, int columns, int rows) {
            this.device = device;
            this.columns = columns;
            this.rows = rows;
            this.thread = new Thread(this::run, "alos-console-" + device.name());
            this.thread.setDaemon(true);
        }

        void start() {
            device.setInputListener(keys::offer);
            thread.start();
        }

        void stop() {
            stopping.set(true);
            device.setInputListener(null);
            keys.end();
            Terminal t = terminal;
            if (t != null) {
                try {
                    t.close();
                } catch (IOException e) {
                    LOG.debug("{}: closing the terminal: {}", device.name(), e.getMessage());
                }
            }
            thread.interrupt();
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void run() {
            try {
                terminal = openTerminal();
            } catch (IOException e) {
                LOG.warn("{}: no terminal: {}", device.name(), e.getMessage());
                return;
            }
            LOG.info("{}: shell session on a {}x{} console", device.name(), columns, rows);
            while (!stopping.get()) {
                session(terminal);
            }
        }

        private Terminal openTerminal() throws IOException {
            Thread self = Thread.currentThread();
            ClassLoader before = self.getContextClassLoader();
            self.setContextClassLoader(Terminal.class.getClassLoader());
            try {
                ExternalTerminal t = new ExternalTerminal(device.name(), "linux", keys, new DeviceOutput(device),
                        StandardCharsets.UTF_8);
                t.setSize(new Size(columns, rows));
                return t;
            } finally {
                self.setContextClassLoader(before);
            }
        }

        private void session(Terminal term) {
            PrintStream out = new PrintStream(term.output(), true, StandardCharsets.UTF_8);
            ConsoleSession session = new ConsoleSession(processor, term.input(), term.output(), term.output());
            try {
                session.put("SCOPE", SCOPE);
                session.put(".terminal", term);
                try {
                    contexts.of(session);
                } catch (IllegalStateException noKernel) {
                    out.println("alos: the kernel is not running: file commands will fail");
                }
                LineReader reader = LineReaderBuilder.builder().terminal(term).appName("alos")
                        .parser(new Parser())
                        .completer(new PathCompleter(session, () -> contexts.of(session)))
                        .variable(LineReader.SECONDARY_PROMPT_PATTERN, "%M> ")
                        .option(LineReader.Option.AUTO_FRESH_LINE, true)
                        .build();
                AtomicBoolean interrupted = new AtomicBoolean();
                term.handle(Terminal.Signal.INT, signal -> {
                    Job job = session.foregroundJob();
                    if (job != null) {
                        interrupted.set(true);
                        job.interrupt();
                    }
                });
                while (!stopping.get()) {
                    String line;
                    try {
                        line = reader.readLine("alos:" + contexts.cwd(session) + "> ");
                    } catch (UserInterruptException e) {
                        continue;
                    } catch (EndOfFileException e) {
                        return; // Ctrl-D: a fresh session
                    } catch (IOError | IllegalStateException e) {
                        if (!stopping.get()) {
                            LOG.warn("{}: the terminal went away: {}", device.name(), e.getMessage());
                            stopping.set(true);
                        }
                        return;
                    }
                    interrupted.set(false);
                    int status = ScriptRunner.run(session, line, out, out, interrupted::get);
                    Thread.interrupted();
                    if (status == ScriptRunner.INTERRUPTED) {
                        out.println();
                    }
                    if (ScriptRunner.exitRequested(session)) {
                        return;
                    }
                }
            } finally {
                session.close();
            }
        }
    }
}
