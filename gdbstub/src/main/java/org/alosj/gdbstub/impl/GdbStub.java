package org.alosj.gdbstub.impl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.alosj.hal.cpu.Cpu;
import org.alosj.kernel.proc.ExitStatus;
import org.alosj.kernel.proc.ProcessManager;
import org.alosj.kernel.proc.SysError;
import org.alosj.kernel.proc.TracedThread;
import org.alosj.kernel.proc.Tracer;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * QEMU's {@code -gdb tcp::PORT}: the GDB remote serial protocol over TCP, for the programs the
 * machine runs. The next program started is traced: with {@code wait} (QEMU's {@code -S}) it
 * stops before its first instruction until gdb says continue; without, it runs until gdb
 * connects. One gdb at a time; when its program ends gdb hears the exit status, and the next
 * program started is traced in turn.
 */
@Component(configurationPid = GdbStub.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
public final class GdbStub implements Tracer {
    static final String PID = "org.alosj.gdb";
    private static final Logger LOG = LoggerFactory.getLogger("gdbstub");
    private static final int SIGTRAP = 5;

    /** The stub's settings. */
    public @interface Config {
        int port() default 1234;

        String host() default "127.0.0.1";

        boolean wait_at_start() default true;
    }

    private record Event(TracedThread thread, int signal, ExitStatus exit) {
    }

    private final ProcessManager processes;
    private final boolean waitAtStart;
    private final ServerSocket server;
    private final Thread acceptor;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Map<Long, Byte> breakpoints = new LinkedHashMap<>();
    private volatile AutoCloseable pendingTrace;
    private volatile boolean connected;
    private volatile boolean closing;
    private TracedThread current;

    @Activate
    public GdbStub(@Reference ProcessManager processes, Config config) throws IOException {
        this.processes = processes;
        this.waitAtStart = config.wait_at_start();
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(config.host()), config.port()));
        pendingTrace = processes.traceNext(this);
        acceptor = new Thread(this::serve, "gdbstub " + config.port());
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.info("gdb: waiting for a connection on {}:{}{}", config.host(), server.getLocalPort(),
                waitAtStart ? " (the next program waits for it at its first instruction)" : "");
    }

    @Deactivate
    void close() {
        closing = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        closeQuietly(pendingTrace);
        TracedThread t = current;
        if (t != null) {
            t.detach();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // nothing more to release
            }
        }
    }

    // --- the kernel's side ---------------------------------------------------------------------

    @Override
    public void stopped(TracedThread thread, int signal) {
        if (!connected && !waitAtStart) {
            // Nobody to look: the program runs on until gdb comes and interrupts it.
            current = thread;
            thread.resume(false);
            return;
        }
        events.add(new Event(thread, signal, null));
    }

    @Override
    public void exited(int pid, ExitStatus status) {
        events.add(new Event(null, 0, status));
        pendingTrace = processes.traceNext(this);
    }

    // --- the protocol --------------------------------------------------------------------------

    private void serve() {
        while (!closing) {
            try (Socket s = server.accept()) {
                s.setTcpNoDelay(true);
                connected = true;
                LOG.info("gdb: connected from {}", s.getRemoteSocketAddress());
                session(s);
            } catch (IOException e) {
                if (!closing) {
                    LOG.warn("gdb: connection ended: {}", e.getMessage());
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                connected = false;
            }
        }
    }

    private void session(Socket s) throws IOException, InterruptedException {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        for (;;) {
            String packet = readPacket(in, out);
            if (packet == null) {
                return;
            }
            if (packet.equals("\u0003")) {
                interrupt();
                continue;
            }
            String reply = handle(packet, s, in);
            if (reply == null) {
                return;
            }
            send(out, reply);
        }
    }

    /** A packet's payload ("$…#cs", acknowledged), "\u0003" for an interrupt, null at the end. */
    private static String readPacket(InputStream in, OutputStream out) throws IOException {
        for (;;) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            if (c == 3) {
                return "\u0003";
            }
            if (c != '$') {
                continue; // '+' and '-' acknowledgements
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            int sum = 0;
            while ((c = in.read()) >= 0 && c != '#') {
                body.write(c);
                sum += c;
            }
            int h = in.read();
            int l = in.read();
            if (c < 0 || h < 0 || l < 0) {
                return null;
            }
            int expected = Integer.parseInt("" + (char) h + (char) l, 16);
            if ((sum & 0xFF) != expected) {
                out.write('-');
                out.flush();
                continue;
            }
            out.write('+');
            out.flush();
            return body.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static void send(OutputStream out, String data) throws IOException {
        int sum = 0;
        for (int i = 0; i < data.length(); i++) {
            sum += data.charAt(i);
        }
        out.write(("$" + data + "#" + String.format("%02x", sum & 0xFF)).getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private String handle(String p, Socket s, InputStream in) throws IOException, InterruptedException {
        char cmd = p.charAt(0);
        switch (cmd) {
            case '?':
                return stopReply(awaitStop(s, in));
            case 'g':
                return readAll();
            case 'G':
                return writeAll(p.substring(1));
            case 'p':
                return readOne(Integer.parseInt(p.substring(1), 16));
            case 'P': {
                int eq = p.indexOf('=');
                return writeOne(Integer.parseInt(p.substring(1, eq), 16), hex(p.substring(eq + 1)));
            }
            case 'm':
                return readMemory(p.substring(1));
            case 'M':
                return writeMemory(p.substring(1));
            case 'Z':
            case 'z':
                return breakpoint(cmd == 'Z', p.substring(1));
            case 'c':
            case 'C':
                return resume(false, s, in);
            case 's':
            case 'S':
                return resume(true, s, in);
            case 'H':
            case 'T':
                return "OK";
            case 'k':
                kill();
                return null;
            case 'D':
                detach();
                send(s.getOutputStream(), "OK");
                return null;
            case 'q':
                return query(p);
            case 'v':
                return verbose(p, s, in);
            default:
                return "";
        }
    }

    private String query(String p) {
        if (p.startsWith("qSupported")) {
            return "PacketSize=4000;swbreak+;vContSupported+";
        }
        if (p.equals("qC")) {
            return current == null ? "" : "QC" + Integer.toHexString(current.tid());
        }
        if (p.equals("qfThreadInfo")) {
            return current == null ? "l" : "m" + Integer.toHexString(current.tid());
        }
        if (p.equals("qsThreadInfo")) {
            return "l";
        }
        if (p.startsWith("qAttached")) {
            return "1";
        }
        if (p.startsWith("qSymbol")) {
            return "OK";
        }
        return "";
    }

    private String verbose(String p, Socket s, InputStream in) throws IOException, InterruptedException {
        if (p.equals("vCont?")) {
            return "vCont;c;C;s;S";
        }
        if (p.startsWith("vCont;")) {
            char action = p.charAt(6);
            return resume(action == 's' || action == 'S', s, in);
        }
        if (p.startsWith("vKill")) {
            kill();
            return "OK";
        }
        return "";
    }

    /** Waits for the traced program's next stop (or end); gdb's ^C interrupts it meanwhile. */
    private Event awaitStop(Socket s, InputStream in) throws IOException, InterruptedException {
        int savedTimeout = s.getSoTimeout();
        try {
            s.setSoTimeout(50);
            for (;;) {
                Event e = events.poll(50, TimeUnit.MILLISECONDS);
                if (e != null) {
                    if (e.thread() != null) {
                        current = e.thread();
                        adjustForBreakpoint(e);
                    } else {
                        current = null;
                        breakpoints.clear();
                    }
                    return e;
                }
                try {
                    int c = in.read();
                    if (c < 0) {
                        throw new IOException("gdb went away");
                    }
                    if (c == 3) {
                        interrupt();
                    }
                } catch (SocketTimeoutException quiet) {
                    // nothing from gdb
                }
            }
        } finally {
            s.setSoTimeout(savedTimeout);
        }
    }

    /** After int3 the CPU is one byte past the breakpoint: back to it, as gdb expects with swbreak. */
    private void adjustForBreakpoint(Event e) {
        if (e.signal() != SIGTRAP) {
            return;
        }
        Cpu cpu = e.thread().cpu();
        if (breakpoints.containsKey(cpu.rip() - 1)) {
            cpu.setRip(cpu.rip() - 1);
        }
    }

    private String stopReply(Event e) {
        if (e.thread() == null) {
            ExitStatus st = e.exit();
            return st.signal() != 0 ? String.format("X%02x", st.signal()) : String.format("W%02x", st.code());
        }
        String swbreak = e.signal() == SIGTRAP && breakpoints.containsKey(e.thread().cpu().rip()) ? "swbreak:;" : "";
        return String.format("T%02xthread:%x;%s", e.signal(), e.thread().tid(), swbreak);
    }

    private String resume(boolean step, Socket s, InputStream in) throws IOException, InterruptedException {
        TracedThread t = current;
        if (t == null) {
            return "E01";
        }
        t.resume(step);
        return stopReply(awaitStop(s, in));
    }

    private void interrupt() {
        TracedThread t = current;
        if (t != null && !t.stopped()) {
            t.interrupt();
        }
    }

    private void kill() {
        TracedThread t = current;
        if (t != null) {
            t.kill();
        }
        current = null;
        breakpoints.clear();
    }

    private void detach() {
        TracedThread t = current;
        if (t != null) {
            for (Map.Entry<Long, Byte> b : breakpoints.entrySet()) {
                try {
                    t.poke(b.getKey(), new byte[] {b.getValue()});
                } catch (SysError e) {
                    LOG.warn("gdb: breakpoint at {} could not be removed", Long.toHexString(b.getKey()));
                }
            }
            t.detach();
        }
        breakpoints.clear();
        current = null;
    }

    // --- registers and memory ----------------------------------------------------------------------

    private String readAll() {
        TracedThread t = current;
        if (t == null) {
            return "E01";
        }
        byte[] fx = t.cpu().saveFpuState();
        StringBuilder sb = new StringBuilder();
        for (int n = 0; n < Registers.COUNT; n++) {
            sb.append(hex(Registers.read(t.cpu(), n, fx)));
        }
        return sb.toString();
    }

    private String writeAll(String data) {
        TracedThread t = current;
        if (t == null) {
            return "E01";
        }
        byte[] all = hex(data);
        byte[] fx = t.cpu().saveFpuState();
        int at = 0;
        for (int n = 0; n < Registers.COUNT && at + Registers.size(n) <= all.length; n++) {
            byte[] v = java.util.Arrays.copyOfRange(all, at, at + Registers.size(n));
            Registers.write(t.cpu(), n, v, fx);
            at += Registers.size(n);
        }
        t.cpu().restoreFpuState(fx);
        return "OK";
    }

    private String readOne(int n) {
        TracedThread t = current;
        if (t == null || n < 0 || n >= Registers.COUNT) {
            return n >= Registers.COUNT ? "" : "E01";
        }
        return hex(Registers.read(t.cpu(), n, t.cpu().saveFpuState()));
    }

    private String writeOne(int n, byte[] value) {
        TracedThread t = current;
        if (t == null || n < 0 || n >= Registers.COUNT || value.length != Registers.size(n)) {
            return "E01";
        }
        byte[] fx = t.cpu().saveFpuState();
        Registers.write(t.cpu(), n, value, fx);
        t.cpu().restoreFpuState(fx);
        return "OK";
    }

    private String readMemory(String args) {
        TracedThread t = current;
        String[] f = args.split(",");
        try {
            long address = Long.parseUnsignedLong(f[0], 16);
            int length = Integer.parseInt(f[1], 16);
            if (t == null || length < 0 || length > 0x10000) {
                return "E01";
            }
            byte[] b = t.peek(address, length);
            // gdb sees its own breakpoints' original bytes, not int3.
            for (Map.Entry<Long, Byte> bp : breakpoints.entrySet()) {
                long off = bp.getKey() - address;
                if (off >= 0 && off < length) {
                    b[(int) off] = bp.getValue();
                }
            }
            return hex(b);
        } catch (SysError | RuntimeException e) {
            return "E14";
        }
    }

    private String writeMemory(String args) {
        TracedThread t = current;
        int colon = args.indexOf(':');
        String[] f = args.substring(0, colon).split(",");
        try {
            long address = Long.parseUnsignedLong(f[0], 16);
            byte[] data = hex(args.substring(colon + 1));
            if (t == null || data.length != Integer.parseInt(f[1], 16)) {
                return "E01";
            }
            t.poke(address, data);
            return "OK";
        } catch (SysError | RuntimeException e) {
            return "E14";
        }
    }

    private String breakpoint(boolean insert, String args) {
        String[] f = args.split(",");
        if (!f[0].equals("0")) {
            return ""; // only software breakpoints
        }
        TracedThread t = current;
        try {
            long address = Long.parseUnsignedLong(f[1], 16);
            if (t == null) {
                return "E01";
            }
            if (insert) {
                if (!breakpoints.containsKey(address)) {
                    byte original = t.peek(address, 1)[0];
                    t.poke(address, new byte[] {(byte) 0xCC});
                    breakpoints.put(address, original);
                }
            } else {
                Byte original = breakpoints.remove(address);
                if (original != null) {
                    t.poke(address, new byte[] {original});
                }
            }
            return "OK";
        } catch (SysError | RuntimeException e) {
            return "E14";
        }
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) {
            sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
        }
        return sb.toString();
    }

    static byte[] hex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }
}
