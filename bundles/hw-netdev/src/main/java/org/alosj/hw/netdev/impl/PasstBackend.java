package org.alosj.hw.netdev.impl;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * passt over its UNIX stream socket, QEMU's {@code -netdev stream} framing: every Ethernet
 * frame is preceded by its length, 4 bytes big-endian. Either this backend starts passt itself
 * (in the foreground, on a socket in a private directory, with {@code --one-off} so that passt
 * also ends when this JVM dies) and stops it on {@link #close}, or it connects to a passt
 * already listening on a given socket. When the connection ends (passt exited, crashed, or was
 * restarted) the link goes down, {@link #problem} says why, and the backend starts passt again or
 * reconnects, backing off up to {@value #MAX_RETRY_MS} ms between attempts.
 *
 * <p>Frames to passt lose their Ethernet padding: this passt (2023-03) silently drops an IPv4
 * frame whose length is not exactly 14 plus the IP total length. passt's {@code -d} and
 * {@code --trace} are never used: with them it crashes on the first TCP SYN.
 */
public final class PasstBackend extends WireBackend {
    static final int RETRY_MS = 250;
    static final int MAX_RETRY_MS = 8000;
    /** How long a started passt has to bind its socket. */
    static final int START_TIMEOUT_MS = 5000;
    /** Frames waiting for the writer; a NIC sending faster than passt reads loses the excess. */
    static final int TX_QUEUE = 1024;
    private static final int HEADER = 4;

    /**
     * How to reach passt. With {@code socket} null the backend starts {@code passt} itself.
     *
     * @param socket     the socket of a running passt, or null to start one
     * @param passt      the passt program (when starting it)
     * @param forwards   host port forwards (when starting it)
     * @param mtu        MTU passt announces by DHCP/NDP; 0 for passt's default (65520)
     * @param netns      network namespace to start passt in ({@code ip netns exec}), or null
     * @param dnsForward address whose DNS queries passt forwards to the host's resolver, or null
     */
    public record Options(Path socket, Path passt, List<HostForward> forwards, int mtu, String netns,
                          String dnsForward) {
        public Options {
            forwards = List.copyOf(forwards);
        }

        static Options connectTo(Path socket) {
            return new Options(socket, null, List.of(), 0, null, null);
        }

        boolean starts() {
            return socket == null;
        }
    }

    private final Options options;
    private final Path socketPath;
    private final Path privateDir;
    private final BlockingQueue<byte[]> txQueue = new ArrayBlockingQueue<>(TX_QUEUE);
    private final Object processLock = new Object();
    private final Thread linkThread;
    private final Thread writerThread;
    private volatile SocketChannel channel;
    private volatile String problem;
    private Process process;
    private Thread outputThread;
    private volatile String lastOutput = "";
    private long connections;

    public PasstBackend(String id, Options options) throws IOException {
        super(id, LoggerFactory.getLogger("hw.netdev.passt." + id));
        this.options = options;
        if (options.starts()) {
            if (options.passt() == null) {
                throw new IllegalArgumentException("passt " + id + ": no passt program given");
            }
            privateDir = Files.createTempDirectory("alosj-passt-");   // 0700: only we reach the socket
            socketPath = privateDir.resolve("passt.sock");
            problem = "starting passt";
        } else {
            privateDir = null;
            socketPath = options.socket();
            problem = "connecting to passt at " + socketPath;
        }
        linkThread = new Thread(this::run, "netdev-passt-" + id);
        linkThread.setDaemon(true);
        writerThread = new Thread(this::writeFrames, "netdev-passt-" + id + "-tx");
        writerThread.setDaemon(true);
        linkThread.start();
        writerThread.start();
    }

    /** {@code passt} on the PATH, if installed. */
    public static Optional<Path> findOnPath() {
        return findOnPath("passt");
    }

    /** {@code program} on the PATH, if installed. */
    static Optional<Path> findOnPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, program);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public String type() {
        return "passt";
    }

    /** The pid of the passt this backend started and runs now, or -1. */
    long pid() {
        synchronized (processLock) {
            return process == null ? -1 : process.pid();
        }
    }

    /** The socket this backend talks to (a private one when it started passt). */
    public Path socket() {
        return socketPath;
    }

    @Override
    public String problem() {
        return problem;
    }

    @Override
    boolean connected() {
        SocketChannel c = channel;
        return c != null && c.isOpen();
    }

    @Override
    boolean send(byte[] frame, int offset, int length) {
        if (!connected()) {
            return false;
        }
        int unpadded = Frames.unpaddedLength(frame, offset, length);
        byte[] copy = new byte[unpadded];
        System.arraycopy(frame, offset, copy, 0, unpadded);
        return txQueue.offer(copy);
    }

    // ---- the link: start or find passt, connect, read ----

    private void run() {
        long retry = RETRY_MS;
        while (!closed) {
            try {
                SocketChannel c = options.starts() ? startAndConnect() : connect(socketPath);
                channel = c;
                problem = null;
                retry = RETRY_MS;
                connections++;
                log.info("connected to passt at {}{}", socketPath, connections > 1 ? " (again)" : "");
                String end = readFrames(c);
                if (!closed) {
                    setProblem(options.starts() ? exitReason(end) : end);
                }
            } catch (IOException e) {
                if (!closed) {
                    setProblem(options.starts() ? exitReason(e.getMessage()) : "cannot connect to passt at "
                            + socketPath + ": " + e.getMessage());
                }
            } catch (InterruptedException e) {
                break;
            } finally {
                closeChannel();
                if (options.starts()) {
                    stopProcess();
                }
            }
            try {
                Thread.sleep(retry);
            } catch (InterruptedException e) {
                break;
            }
            retry = Math.min(retry * 2, MAX_RETRY_MS);
        }
    }

    private void setProblem(String text) {
        if (!text.equals(problem)) {
            log.warn("link down: {}", text);
        }
        problem = text;
    }

    private SocketChannel connect(Path socket) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            c.connect(UnixDomainSocketAddress.of(socket));
            return c;
        } catch (IOException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Reads length-prefixed frames until the stream ends; returns why it ended. Frames are
     * parsed out of large reads, so a burst costs one system call, not two per frame.
     */
    private String readFrames(SocketChannel c) {
        ByteBuffer buf = ByteBuffer.allocate(4 * (Frames.MAX_FRAME + HEADER)).order(ByteOrder.BIG_ENDIAN);
        byte[] array = buf.array();
        try {
            while (!closed) {
                if (c.read(buf) < 0) {
                    return "passt closed the connection";
                }
                buf.flip();
                while (buf.remaining() >= HEADER) {
                    int length = buf.getInt(buf.position());
                    if (length < Frames.MIN_FRAME || length > Frames.MAX_FRAME) {
                        return "passt sent a frame length of " + length + " (expected " + Frames.MIN_FRAME + "-"
                                + Frames.MAX_FRAME + "): stream out of step, connection dropped";
                    }
                    if (buf.remaining() < HEADER + length) {
                        break;
                    }
                    deliver(array, buf.position() + HEADER, length);
                    buf.position(buf.position() + HEADER + length);
                }
                buf.compact();
            }
            return "closed";
        } catch (IOException e) {
            return "connection to passt lost: " + e.getMessage();
        }
    }

    private void writeFrames() {
        ByteBuffer batch = ByteBuffer.allocateDirect(256 * 1024).order(ByteOrder.BIG_ENDIAN);
        List<byte[]> frames = new ArrayList<>();
        while (!closed) {
            try {
                frames.add(txQueue.take());
            } catch (InterruptedException e) {
                return;
            }
            txQueue.drainTo(frames, 255);
            SocketChannel c = channel;
            try {
                for (byte[] f : frames) {
                    if (batch.remaining() < HEADER + f.length) {
                        flush(c, batch);
                    }
                    if (batch.remaining() < HEADER + f.length) {
                        flush(c, ByteBuffer.allocate(HEADER).putInt(f.length));
                        flush(c, ByteBuffer.wrap(f).position(f.length));
                    } else {
                        batch.putInt(f.length).put(f);
                    }
                }
                flush(c, batch);
            } catch (IOException e) {
                for (int i = 0; i < frames.size(); i++) {
                    countDropped();
                }
                batch.clear();
                if (!closed) {
                    log.debug("writing to passt failed: {}", e.toString());
                }
                closeChannel();     // the link thread sees the end and reconnects
            }
            frames.clear();
        }
    }

    private static void flush(SocketChannel c, ByteBuffer b) throws IOException {
        if (c == null) {
            throw new IOException("not connected");
        }
        b.flip();
        while (b.hasRemaining()) {
            c.write(b);
        }
        b.clear();
    }

    private void closeChannel() {
        SocketChannel c = channel;
        channel = null;
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    // ---- the passt process, when this backend starts it ----

    List<String> command() {
        List<String> cmd = new ArrayList<>();
        // A session of its own (setsid, util-linux): Ctrl-C at the console sends SIGINT to the
        // terminal's foreground process group, which would otherwise hold passt too and kill it
        // under the guest's connections. --one-off still ends it when the JVM goes.
        findOnPath("setsid").ifPresent(setsid -> cmd.add(setsid.toString()));
        if (options.netns() != null && !options.netns().isEmpty()) {
            cmd.addAll(List.of("ip", "netns", "exec", options.netns()));
        }
        cmd.add(options.passt().toString());
        cmd.add("--foreground");
        cmd.add("--one-off");
        if (runningAsRoot()) {
            // Else passt drops to nobody, and its socket and files are nobody's.
            cmd.addAll(List.of("--runas", "0"));
        }
        if (options.mtu() > 0) {
            cmd.addAll(List.of("--mtu", Integer.toString(options.mtu())));
        }
        if (options.dnsForward() != null && !options.dnsForward().isEmpty()) {
            cmd.addAll(List.of("--dns-forward", options.dnsForward()));
        }
        for (HostForward f : options.forwards()) {
            cmd.addAll(f.passtArguments());
        }
        cmd.addAll(List.of("--socket", socketPath.toString()));
        return cmd;
    }

    private SocketChannel startAndConnect() throws IOException, InterruptedException {
        Process p;
        synchronized (processLock) {
            if (closed) {
                throw new InterruptedException();
            }
            Files.deleteIfExists(socketPath);
            List<String> cmd = command();
            lastOutput = "";
            p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            process = p;
            outputThread = new Thread(() -> logOutput(p), "netdev-passt-" + id + "-log");
            outputThread.setDaemon(true);
            outputThread.start();
            log.info("started passt (pid {}): {}", p.pid(), String.join(" ", cmd));
        }
        // passt binds its socket some 15 ms after it starts; connecting before it listens is refused.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (true) {
            if (!p.isAlive()) {
                throw new IOException("passt exited at start");
            }
            if (Files.exists(socketPath)) {
                try {
                    return connect(socketPath);
                } catch (ConnectException notListeningYet) {
                    // bound but not yet listening
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("passt did not open " + socketPath + " within " + START_TIMEOUT_MS + " ms");
            }
            Thread.sleep(5);
        }
    }

    /** passt's output, into our log; its "Failed to send … to syslog" complaints are noise. */
    private void logOutput(Process p) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || line.startsWith("Failed to send ") && line.endsWith("to syslog")) {
                    continue;
                }
                lastOutput = line.strip();
                log.info("passt: {}", line);
            }
        } catch (IOException e) {
            // the process went away
        }
    }

    private String exitReason(String detail) {
        Process p;
        synchronized (processLock) {
            p = process;
        }
        if (p == null) {
            return detail;
        }
        try {
            if (p.waitFor(1, TimeUnit.SECONDS)) {
                Thread t = outputThread;
                if (t != null) {
                    t.join(500);    // its last words
                }
                String last = lastOutput;
                return "passt exited with status " + p.exitValue() + (last.isEmpty() ? "" : ": " + last)
                        + " (" + detail + ")";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return detail;
    }

    private void stopProcess() {
        Process p;
        Thread t;
        synchronized (processLock) {
            p = process;
            t = outputThread;
            process = null;
            outputThread = null;
        }
        if (p == null) {
            return;
        }
        // Waits even when this thread was interrupted (close() interrupts the link thread): passt
        // must be gone, not just signalled, when close() returns.
        boolean interrupted = false;
        p.destroy();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        boolean killed = false;
        while (p.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                if (killed) {
                    log.error("passt (pid {}) survived SIGKILL", p.pid());
                    break;
                }
                log.warn("passt (pid {}) ignored SIGTERM; killing it", p.pid());
                p.destroyForcibly();
                killed = true;
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                left = TimeUnit.SECONDS.toNanos(2);
            }
            try {
                p.waitFor(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (t != null) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        log.info("passt (pid {}) stopped", p.pid());
    }

    static boolean runningAsRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] f = line.substring(4).trim().split("\\s+");
                    return f.length > 1 && f[1].equals("0");   // the effective uid
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: assume not root
        }
        return false;
    }

    @Override
    public void close() {
        closed = true;
        problem = "closed";
        linkThread.interrupt();
        writerThread.interrupt();
        closeChannel();
        try {
            linkThread.join(5000);
            writerThread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopProcess();
        txQueue.clear();
        if (privateDir != null) {
            try {
                Files.deleteIfExists(socketPath);
                Files.deleteIfExists(privateDir);
            } catch (IOException e) {
                log.debug("cleaning {}: {}", privateDir, e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return "passt " + id;
    }
}
