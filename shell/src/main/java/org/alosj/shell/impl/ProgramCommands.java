package org.alosj.shell.impl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.proc.ExitStatus;
import org.alosj.kernel.proc.ProcessInfo;
import org.alosj.kernel.proc.ProcessManager;
import org.alosj.kernel.proc.Signals;
import org.alosj.kernel.proc.SysError;
import org.alosj.kernel.proc.Terminal;
import org.alosj.kernel.vfs.Vfs;
import org.alosj.kernel.vfs.VfsContext;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Process;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Programs: {@code exec} (ALOS's name) runs one with the console as its terminal and waits;
 * {@code ps}, {@code top} and {@code kill} as on Unix; {@code renice} sets a process's scheduler level.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = ProgramCommands.class, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=exec",
    "osgi.command.function=ps",
    "osgi.command.function=kill",
    "osgi.command.function=renice",
    "osgi.command.function=top",
})
public final class ProgramCommands {
    static final List<String> PATH = List.of("/bin", "/usr/bin", "/sbin", "/usr/sbin");

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ProcessManager processes;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Vfs vfs;

    private ProcessManager processes() {
        ProcessManager p = processes;
        if (p == null) {
            throw new CommandErrors.CommandFailure("exec: the kernel runs no programs (kernel-core is stopped)");
        }
        return p;
    }

    @Descriptor("runs a program with the console as its terminal and waits for it; a name without / is looked up in /bin and /usr/bin")
    public void exec(CommandSession session, @Descriptor("program and arguments") String... argv) throws Exception {
        if (argv.length == 0 || argv[0].equals("--help")) {
            throw new CommandErrors.CommandFailure("usage: exec PROGRAM [ARG...]");
        }
        String path = resolve(argv[0]);
        List<String> args = new ArrayList<>(Arrays.asList(argv));
        String cwd = "/";
        Vfs v = vfs;
        if (v != null && session.currentDir() != null) {
            try (VfsContext shellDir = v.createContext(0, 0)) {
                String dir = session.currentDir().toString();
                if (shellDir.stat(dir).isDirectory()) {
                    cwd = dir;
                }
            } catch (FsException | RuntimeException e) {
                cwd = "/";
            }
        }
        Object terminal = session.get(".terminal");
        ConsoleTerminal console = ConsoleTerminal.of(session, terminal, Process.Utils.current());
        List<String> env = List.of("PATH=/bin:/usr/bin:/sbin:/usr/sbin", "HOME=/", "USER=root", "LOGNAME=root",
                "SHELL=/bin/sh", "TERM=" + (console.interactive() ? "xterm" : "dumb"), "PWD=" + cwd);
        ProcessManager.Launched launched;
        try {
            launched = processes().spawn(path, args, env, console, cwd);
        } catch (SysError e) {
            console.close();
            throw new CommandErrors.CommandFailure("exec: " + argv[0] + ": " + reason(e));
        }
        ExitStatus st = null;
        boolean interrupted = false;
        try {
            while (st == null) {
                try {
                    st = launched.waitFor();
                } catch (InterruptedException e) {
                    // Gogo's own ^C (a console without a tty of ours): the program's to handle.
                    interrupted = true;
                    launched.signalForeground(Signals.SIGINT);
                }
            }
        } finally {
            console.close();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        session.put("?", st.shellStatus());
        if (st.signal() != 0 && st.signal() != Signals.SIGINT && st.signal() != Signals.SIGPIPE) {
            System.err.println(signalText(st.signal()) + (st.coreDumped() ? " (core dumped)" : ""));
        }
        if (st.shellStatus() != 0) {
            throw new ProgramExit(argv[0], st.shellStatus());
        }
    }

    static String signalText(int sig) {
        switch (sig) {
            case Signals.SIGSEGV: return "Segmentation fault";
            case Signals.SIGKILL: return "Killed";
            case Signals.SIGTERM: return "Terminated";
            case Signals.SIGABRT: return "Aborted";
            case Signals.SIGILL: return "Illegal instruction";
            case Signals.SIGFPE: return "Floating point exception";
            case Signals.SIGBUS: return "Bus error";
            case Signals.SIGSYS: return "Bad system call";
            case Signals.SIGQUIT: return "Quit";
            case Signals.SIGTRAP: return "Trace/breakpoint trap";
            default: return "Killed by signal " + sig + " (SIG" + Signals.name(sig) + ")";
        }
    }

    private static String reason(SysError e) {
        String m = e.getMessage();
        switch (e.errno()) {
            case SysError.ENOENT: return "No such file or directory";
            case SysError.EACCES: return "Permission denied";
            case SysError.ENOEXEC: return "Exec format error" + (m == null ? "" : " (" + m + ")");
            case SysError.ENOMEM: return "Cannot allocate memory";
            case SysError.EAGAIN: return "Resource temporarily unavailable" + (m == null ? "" : " (" + m + ")");
            case SysError.E2BIG: return "Argument list too long";
            default: return m != null ? m : "error " + e.errno();
        }
    }

    /** A program name without a slash is looked for in the PATH directories, as a shell would. */
    String resolve(String name) {
        if (name.contains("/")) {
            return name;
        }
        Vfs v = vfs;
        if (v != null) {
            try (VfsContext c = v.createContext(0, 0)) {
                for (String dir : PATH) {
                    try {
                        c.stat(dir + "/" + name);
                        return dir + "/" + name;
                    } catch (FsException notHere) {
                        // next directory
                    }
                }
            }
        }
        throw new CommandErrors.CommandFailure("exec: " + name + ": command not found");
    }

    @Descriptor("lists processes: PID, parent, group, state, priority level, CPU time, memory, command")
    public void ps(@Descriptor("[-o] (unused: one format)") String... args) {
        PrintStream out = System.out;
        out.println("  PID  PPID  PGID S PRI     TIME    RSS  THR COMMAND");
        for (ProcessInfo p : processes().processes()) {
            out.printf("%5d %5d %5d %c %3d %8s %6d %4d %s%n", p.pid(), p.ppid(), p.pgid(), p.state(), p.priority(),
                    cpuTime(p.cpuNanos()), p.residentBytes() / 1024, p.threads(),
                    p.cmdline().isEmpty() ? "[" + p.name() + "]" : String.join(" ", p.cmdline()));
        }
        out.flush();
    }

    @Descriptor("processes by CPU use over an interval: top [-n ROUNDS] [-d SECONDS] (batch output, as top -b)")
    public void top(@Descriptor("[-n ROUNDS] [-d SECONDS]") String... args) throws InterruptedException {
        int rounds = 1;
        double delay = 1.0;
        for (int i = 0; i < args.length; i++) {
            try {
                if (args[i].equals("-n") && i + 1 < args.length) {
                    rounds = Integer.parseInt(args[++i]);
                } else if (args[i].equals("-d") && i + 1 < args.length) {
                    delay = Double.parseDouble(args[++i]);
                } else {
                    throw new CommandErrors.CommandFailure("top: invalid option '" + args[i] + "' (usage: top [-n ROUNDS] [-d SECONDS])");
                }
            } catch (NumberFormatException e) {
                throw new CommandErrors.CommandFailure("top: bad number '" + args[i] + "'");
            }
        }
        if (rounds < 1 || delay <= 0 || delay > 3600) {
            throw new CommandErrors.CommandFailure("top: ROUNDS must be at least 1 and SECONDS in (0, 3600]");
        }
        PrintStream out = System.out;
        java.util.Map<Integer, Long> before = cpuByPid();
        for (int r = 0; r < rounds; r++) {
            long start = System.nanoTime();
            Thread.sleep((long) (delay * 1000));
            long elapsed = System.nanoTime() - start;
            java.util.Map<Integer, Long> now = cpuByPid();
            List<ProcessInfo> all = new ArrayList<>(processes().processes());
            java.util.Map<Integer, Long> used = new java.util.HashMap<>();
            for (ProcessInfo p : all) {
                used.put(p.pid(), p.cpuNanos() - before.getOrDefault(p.pid(), 0L));
            }
            all.sort((a, b) -> Long.compare(used.get(b.pid()), used.get(a.pid())));
            out.printf("%d processes, interval %.1f s%n", all.size(), elapsed / 1e9);
            out.println("  PID  PPID S PRI  %CPU     TIME    RSS COMMAND");
            for (ProcessInfo p : all) {
                out.printf("%5d %5d %c %3d %5.1f %8s %6d %s%n", p.pid(), p.ppid(), p.state(), p.priority(),
                        100.0 * used.get(p.pid()) / elapsed, cpuTime(p.cpuNanos()), p.residentBytes() / 1024,
                        p.cmdline().isEmpty() ? "[" + p.name() + "]" : String.join(" ", p.cmdline()));
            }
            out.flush();
            before = now;
        }
    }

    private java.util.Map<Integer, Long> cpuByPid() {
        java.util.Map<Integer, Long> m = new java.util.HashMap<>();
        for (ProcessInfo p : processes().processes()) {
            m.put(p.pid(), p.cpuNanos());
        }
        return m;
    }

    static String cpuTime(long nanos) {
        long cs = nanos / 10_000_000L;
        return String.format("%d:%02d.%02d", cs / 6000, cs / 100 % 60, cs % 100);
    }

    @Descriptor("sends a signal (default TERM) to processes: kill [-SIG|-s SIG] PID...; a negative PID names a group; kill -l lists")
    public void kill(@Descriptor("[-SIG] PID...") String... args) {
        int sig = Signals.SIGTERM;
        int i = 0;
        if (args.length > 0 && args[0].equals("-l")) {
            StringBuilder sb = new StringBuilder();
            for (int s = 1; s < 32; s++) {
                sb.append(s).append(") SIG").append(Signals.name(s)).append(s % 5 == 0 ? "\n" : "\t");
            }
            System.out.println(sb.toString().trim());
            return;
        }
        if (args.length > 1 && args[0].equals("-s")) {
            sig = signal(args[1]);
            i = 2;
        } else if (args.length > 0 && args[0].startsWith("-") && args[0].length() > 1
                && !Character.isDigit(args[0].charAt(1)) || (args.length > 1 && args[0].matches("-[0-9]+"))) {
            sig = signal(args[0].substring(1));
            i = 1;
        }
        if (i >= args.length) {
            throw new CommandErrors.CommandFailure("usage: kill [-SIG | -s SIG] PID...");
        }
        CommandErrors errors = new CommandErrors();
        for (; i < args.length; i++) {
            int pid;
            try {
                pid = Integer.parseInt(args[i]);
            } catch (NumberFormatException e) {
                errors.add("kill: " + args[i] + ": arguments must be process or job IDs");
                continue;
            }
            try {
                processes().kill(pid, sig);
            } catch (SysError e) {
                errors.add("kill: (" + pid + ") - No such process");
            }
        }
        errors.finish();
    }

    private static int signal(String name) {
        int s = Signals.parse(name);
        if (s < 0) {
            throw new CommandErrors.CommandFailure("kill: " + name + ": invalid signal specification");
        }
        return s;
    }

    @Descriptor("sets a process's scheduler level: renice LEVEL PID (0 highest … 3 lowest)")
    public void renice(@Descriptor("level 0-3") int level, @Descriptor("process id") int pid) {
        try {
            processes().setPriority(pid, level);
        } catch (SysError e) {
            throw new CommandErrors.CommandFailure("renice: " + e.getMessage());
        }
    }

    /** A program that ended with a non-zero status: the status is the command's. */
    public static final class ProgramExit extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        ProgramExit(String program, int status) {
            super(program + ": exit status " + status, null, false, false);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /**
     * The session's console as a program's terminal. With a JLine terminal (a person at the
     * keyboard) the terminal goes to raw mode while the program runs, and keys are read until
     * the program ends; otherwise the session's streams are used as they are.
     */
    abstract static class ConsoleTerminal implements Terminal {
        abstract void close();

        /** The program's streams Gogo redirected or piped for this command, where {@code pipe} says so. */
        InputStream redirectedIn;
        OutputStream redirectedOut;
        OutputStream redirectedErr;

        @Override
        public InputStream redirectedInput() {
            return redirectedIn;
        }

        @Override
        public OutputStream redirectedOutput() {
            return redirectedOut;
        }

        @Override
        public OutputStream redirectedErrors() {
            return redirectedErr;
        }

        /**
         * The console as the program's terminal, its standard streams where the command line put
         * them: {@code exec prog > f}, {@code cat f | exec prog | grep x} give the program the
         * pipe's streams (Gogo's for this element of the pipeline), not the console's.
         */
        static ConsoleTerminal of(CommandSession session, Object terminal, Process pipe) {
            ConsoleTerminal t = terminal != null && Jline.isInteractive(terminal) ? Jline.wrap(terminal)
                    : plain(session, pipe);
            if (pipe != null) {
                t.redirectedIn = pipe.isTty(0) ? null : pipe.in();
                t.redirectedOut = pipe.isTty(1) ? null : pipe.out();
                t.redirectedErr = pipe.isTty(2) ? null : pipe.err();
            }
            return t;
        }

        private static ConsoleTerminal plain(CommandSession session, Process pipe) {
            InputStream in = pipe != null ? pipe.in() : session.getKeyboard();
            OutputStream out = pipe != null ? pipe.out() : session.getConsole();
            OutputStream err = pipe != null ? pipe.err() : session.getConsole();
            return new ConsoleTerminal() {
                @Override
                public InputStream input() {
                    return in;
                }

                @Override
                public OutputStream output() {
                    return out;
                }

                @Override
                public OutputStream redirectedErrors() {
                    // no terminal: standard error is the session's own error stream, apart from output
                    return redirectedErr != null ? redirectedErr : err;
                }

                @Override
                public boolean interactive() {
                    return false;
                }

                @Override
                void close() {
                    flushQuietly(out);
                    flushQuietly(err);
                }
            };
        }
    }

    private static void flushQuietly(OutputStream out) {
        try {
            out.flush();
        } catch (IOException e) {
            // the reader went away; the program was told by EPIPE already
        }
    }

    /** The JLine side, kept apart so the shell loads without JLine when there is no terminal. */
    static final class Jline {
        static boolean isInteractive(Object terminal) {
            return terminal instanceof org.jline.terminal.Terminal t && !"dumb".equals(t.getType())
                    && !t.getType().startsWith("dumb");
        }

        static ConsoleTerminal wrap(Object terminal) {
            org.jline.terminal.Terminal t = (org.jline.terminal.Terminal) terminal;
            org.jline.terminal.Attributes saved = t.getAttributes();
            // Fully raw: keys (^C included) and output bytes pass untouched; the kernel's line
            // discipline does echo, signals and NL to CR-NL for the program.
            org.jline.terminal.Attributes raw = new org.jline.terminal.Attributes(saved);
            raw.setLocalFlags(java.util.EnumSet.of(org.jline.terminal.Attributes.LocalFlag.ICANON,
                    org.jline.terminal.Attributes.LocalFlag.ECHO, org.jline.terminal.Attributes.LocalFlag.ISIG,
                    org.jline.terminal.Attributes.LocalFlag.IEXTEN), false);
            raw.setInputFlags(java.util.EnumSet.of(org.jline.terminal.Attributes.InputFlag.IXON,
                    org.jline.terminal.Attributes.InputFlag.ICRNL, org.jline.terminal.Attributes.InputFlag.INLCR,
                    org.jline.terminal.Attributes.InputFlag.IGNCR), false);
            raw.setOutputFlags(java.util.EnumSet.of(org.jline.terminal.Attributes.OutputFlag.OPOST), false);
            raw.setControlChar(org.jline.terminal.Attributes.ControlChar.VMIN, 1);
            raw.setControlChar(org.jline.terminal.Attributes.ControlChar.VTIME, 0);
            t.setAttributes(raw);
            org.jline.utils.NonBlockingReader reader = t.reader();
            OutputStream out = t.output();
            return new ConsoleTerminal() {
                private volatile boolean closed;

                @Override
                public InputStream input() {
                    return new InputStream() {
                        private byte[] pending = new byte[0];
                        private int at;

                        @Override
                        public int read() throws IOException {
                            byte[] b = new byte[1];
                            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xFF;
                        }

                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            while (at >= pending.length) {
                                if (closed) {
                                    return -1;
                                }
                                // Peek, then take: a key that comes once the program has ended
                                // stays for the console's own prompt.
                                int c = reader.peek(100);
                                if (c == org.jline.utils.NonBlockingReader.EOF) {
                                    return -1;
                                }
                                if (c >= 0) {
                                    if (closed) {
                                        return -1;
                                    }
                                    c = reader.read();
                                    pending = String.valueOf((char) c).getBytes(StandardCharsets.UTF_8);
                                    at = 0;
                                }
                            }
                            int n = Math.min(len, pending.length - at);
                            System.arraycopy(pending, at, b, off, n);
                            at += n;
                            return n;
                        }
                    };
                }

                @Override
                public OutputStream output() {
                    return out;
                }

                @Override
                public boolean interactive() {
                    return true;
                }

                @Override
                public int columns() {
                    return Math.max(1, t.getWidth());
                }

                @Override
                public int rows() {
                    return Math.max(1, t.getHeight());
                }

                @Override
                void close() {
                    closed = true;
                    try {
                        out.flush();
                    } catch (IOException e) {
                        // the terminal went away
                    }
                    // Back to a cooked terminal (JLine's prompt keeps what it finds): output
                    // post-processing and the usual keys, whatever mode the program left.
                    org.jline.terminal.Attributes cooked = new org.jline.terminal.Attributes(saved);
                    cooked.setOutputFlags(java.util.EnumSet.of(org.jline.terminal.Attributes.OutputFlag.OPOST,
                            org.jline.terminal.Attributes.OutputFlag.ONLCR), true);
                    cooked.setLocalFlags(java.util.EnumSet.of(org.jline.terminal.Attributes.LocalFlag.ISIG), true);
                    t.setAttributes(cooked);
                }
            };
        }

        private Jline() {
        }
    }
}
