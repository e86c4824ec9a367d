package org.alosj.net.impl.app;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.alosj.net.Ipv4Address;
import org.alosj.net.ListeningSocket;
import org.alosj.net.NetworkStack;
import org.alosj.net.SocketAddress;
import org.alosj.net.StreamSocket;
import org.alosj.net.impl.app.HttpMessage.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A static-file HTTP/1.1 server (RFC 9110, RFC 9112): GET and HEAD, persistent connections,
 * 404 for what is not there, 400 for "..", NUL or malformed heads, 414/431 for over-long ones,
 * 501 for other methods. One thread per connection, at most {@link #MAX_CONNECTIONS}; an idle
 * connection is closed after {@link #IDLE_TIMEOUT}.
 *
 * <p>Slow clients cannot lock others out: a request's whole head must arrive within
 * {@link #HEAD_TIMEOUT} of the server starting to wait for it (not a timeout per read, which a
 * header line every few seconds would renew for ever), and when every connection is taken a new
 * one takes the place of the connection that has waited longest for a head, as a server under a
 * slowloris attack should.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("net.httpd");
    public static final int MAX_CONNECTIONS = 64;
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(15);
    /** The whole head of a request, from the server starting to wait for it. */
    public static final Duration HEAD_TIMEOUT = Duration.ofSeconds(10);
    public static final int BACKLOG = 64;

    private final ListeningSocket listener;
    private final DocumentRoot root;
    private final Duration headTimeout;
    private final ExecutorService workers;
    private final Thread acceptor;
    private volatile boolean running = true;
    final AtomicLong requests = new AtomicLong();
    final AtomicLong connections = new AtomicLong();
    /** Connections waiting for a request head, and since when (System.nanoTime). */
    private final java.util.concurrent.ConcurrentHashMap<StreamSocket, Long> waitingForHead =
            new java.util.concurrent.ConcurrentHashMap<>();
    final AtomicLong evicted = new AtomicLong();

    public HttpServer(NetworkStack stack, int port, DocumentRoot root) throws IOException {
        this(stack, port, root, HEAD_TIMEOUT);
    }

    /** As above, with the time a request's whole head may take (tests shorten it). */
    public HttpServer(NetworkStack stack, int port, DocumentRoot root, Duration headTimeout) throws IOException {
        this.root = root;
        this.headTimeout = headTimeout;
        this.listener = stack.listen(new SocketAddress(Ipv4Address.ANY, port), BACKLOG);
        this.workers = new ThreadPoolExecutor(0, MAX_CONNECTIONS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "httpd-worker");
                    t.setDaemon(true);
                    return t;
                });
        this.acceptor = new Thread(this::acceptLoop, "httpd-accept-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return listener.localAddress().port();
    }

    /** Connections closed to make room for new ones (the slowest, waiting for a head). */
    public long evictions() {
        return evicted.get();
    }

    public long requestsServed() {
        return requests.get();
    }

    public String status() {
        return "httpd listening on port " + port() + ", serving " + root.describe() + "; " + connections.get()
                + " connections, " + requests.get() + " requests";
    }

    private void acceptLoop() {
        while (running) {
            StreamSocket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                if (running) {
                    LOG.warn("httpd: accept failed: {}", e.getMessage());
                }
                return;
            }
            connections.incrementAndGet();
            if (!dispatch(s)) {
                s.abort();
            }
        }
    }

    /**
     * Hands {@code s} to a worker; with all of them busy, the connection that has waited longest
     * for its request head (the slowest client) gives its place up. False: no place for it.
     */
    private boolean dispatch(StreamSocket s) {
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                workers.execute(() -> serve(s));
                return true;
            } catch (RejectedExecutionException full) {
                if (attempt == 0 && !evictSlowest()) {
                    return false;
                }
                try {
                    Thread.sleep(2); // the evicted connection's worker is finishing
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    private boolean evictSlowest() {
        StreamSocket slowest = null;
        long since = Long.MAX_VALUE;
        for (var e : waitingForHead.entrySet()) {
            if (e.getValue() < since) {
                since = e.getValue();
                slowest = e.getKey();
            }
        }
        if (slowest == null || waitingForHead.remove(slowest) == null) {
            return false;
        }
        evicted.incrementAndGet();
        LOG.debug("httpd: all {} connections taken; closing the one waiting longest for a request", MAX_CONNECTIONS);
        slowest.abort();
        return true;
    }

    /** A stream whose reads end at {@code deadline}: each read may wait only for what is left of it. */
    private InputStream until(StreamSocket s, InputStream in, long deadline) {
        return new java.io.FilterInputStream(in) {
            private void limit() throws java.net.SocketTimeoutException {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new java.net.SocketTimeoutException("request head not complete within " + headTimeout);
                }
                s.setTimeout(Duration.ofNanos(Math.min(left, IDLE_TIMEOUT.toNanos())));
            }

            @Override
            public int read() throws IOException {
                limit();
                return super.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                limit();
                return super.read(b, off, len);
            }
        };
    }

    private void serve(StreamSocket s) {
        s.setTimeout(IDLE_TIMEOUT);
        try (s) {
            InputStream in = new BufferedInputStream(s.inputStream(), 16384);
            OutputStream out = new BufferedOutputStream(s.outputStream(), 16384);
            while (running) {
                HttpMessage.Head head;
                long started = System.nanoTime();
                waitingForHead.put(s, started);
                try {
                    head = HttpMessage.readHead(until(s, in, started + headTimeout.toNanos()));
                } catch (HttpException e) {
                    error(out, e.status, e.getMessage(), false, true);
                    return;
                } finally {
                    waitingForHead.remove(s);
                    s.setTimeout(IDLE_TIMEOUT);
                }
                if (head == null) {
                    return;
                }
                requests.incrementAndGet();
                if (!handle(head, in, out)) {
                    return;
                }
            }
        } catch (SocketException | java.io.EOFException | java.net.SocketTimeoutException e) {
            LOG.debug("httpd: connection ended: {}", e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.debug("httpd: connection failed: {}", e.toString());
        }
    }

    /** Answers one request; returns whether the connection stays open. */
    private boolean handle(HttpMessage.Head head, InputStream in, OutputStream out) throws IOException {
        String[] parts = head.startLine().split(" ", -1);
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            error(out, 400, "malformed request line", false, true);
            return false;
        }
        String method = parts[0];
        String target = parts[1];
        boolean http11 = parts[2].equals("HTTP/1.1");
        boolean keepAlive = http11 ? !head.fieldHas("connection", "close") : head.fieldHas("connection", "keep-alive");
        if (http11 && head.field("host") == null) {
            error(out, 400, "HTTP/1.1 request without Host", false, true);
            return false;
        }
        if (head.field("transfer-encoding") != null) {
            error(out, 501, "request bodies are not accepted", false, true);
            return false;
        }
        long bodyLength;
        try {
            bodyLength = HttpMessage.contentLength(head.field("content-length"));
        } catch (HttpException e) {
            error(out, 400, e.getMessage(), false, false); // RFC 9112 6.3: an invalid length is unrecoverable
            return false;
        }
        if (bodyLength > 0) {
            in.skipNBytes(Math.min(bodyLength, 1 << 20));
            if (bodyLength > 1 << 20) {
                error(out, 413, "request body too large", false, true);
                return false;
            }
        }
        boolean headOnly = method.equals("HEAD");
        if (!method.equals("GET") && !headOnly) {
            error(out, 501, "method " + HttpMessage.abbreviate(method) + " not implemented", false, keepAlive);
            return keepAlive;
        }
        String path;
        try {
            path = checkedPath(target);
        } catch (HttpException e) {
            error(out, e.status, e.getMessage(), headOnly, keepAlive);
            return keepAlive;
        }
        DocumentRoot.Document doc = root.open(path);
        if (doc == null) {
            error(out, 404, "no document " + HttpMessage.abbreviate(path), headOnly, keepAlive);
            return keepAlive;
        }
        try (InputStream content = doc.content()) {
            String headers = "HTTP/1.1 200 OK\r\nContent-Type: " + contentType(path) + "\r\nContent-Length: "
                    + doc.length() + "\r\n" + (keepAlive ? "" : "Connection: close\r\n") + "\r\n";
            out.write(headers.getBytes(StandardCharsets.ISO_8859_1));
            if (!headOnly) {
                HttpMessage.copyExactly(content, out, doc.length(), new byte[HttpMessage.BODY_CHUNK]);
            }
        }
        out.flush();
        return keepAlive;
    }

    /**
     * The absolute-form of a target ({@code http://host/path?q}, which RFC 9112 3.2.2 says a
     * server must accept) as its origin-form ({@code /path?q}); other forms as they are.
     */
    public static String originForm(String target) {
        int colon = target.indexOf("://");
        if (colon <= 0 || !target.substring(0, colon).matches("(?i)https?")) {
            return target;
        }
        int slash = target.indexOf('/', colon + 3);
        int query = target.indexOf('?', colon + 3);
        if (slash < 0 || query >= 0 && query < slash) {
            return "/" + (query >= 0 ? target.substring(query) : "");
        }
        return target.substring(slash);
    }

    /** The request target as a path under the root: origin-form, decoded, no "..", no NUL. */
    static String checkedPath(String target) throws HttpException {
        target = originForm(target);
        if (!target.startsWith("/")) {
            throw new HttpException(400, "request target must be a path");
        }
        int q = target.indexOf('?');
        String raw = q >= 0 ? target.substring(0, q) : target;
        String path = percentDecode(raw);
        if (path.indexOf('\0') >= 0 || path.indexOf('\\') >= 0) {
            throw new HttpException(400, "NUL or backslash in the path");
        }
        for (String segment : path.split("/")) {
            if (segment.equals("..")) {
                throw new HttpException(400, "'..' in the path");
            }
        }
        return path;
    }

    private static String percentDecode(String s) throws HttpException {
        if (s.indexOf('%') < 0) {
            return s;
        }
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0 || Character.digit(s.charAt(i + 2), 16) < 0) {
                    throw new HttpException(400, "bad percent-encoding in the path");
                }
                b.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    private static String contentType(String path) {
        String p = path.toLowerCase(Locale.ROOT);
        if (p.endsWith("/") || p.endsWith(".html") || p.endsWith(".htm")) {
            return "text/html; charset=utf-8";
        }
        if (p.endsWith(".txt")) {
            return "text/plain; charset=utf-8";
        }
        if (p.endsWith(".css")) {
            return "text/css";
        }
        if (p.endsWith(".js")) {
            return "text/javascript";
        }
        if (p.endsWith(".png")) {
            return "image/png";
        }
        return "application/octet-stream";
    }

    private static void error(OutputStream out, int status, String message, boolean headOnly, boolean keepAlive)
            throws IOException {
        String body = status + " " + reason(status) + ": " + message + "\n";
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason(status) + "\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + b.length + "\r\n" + (keepAlive ? "" : "Connection: close\r\n") + "\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        if (!headOnly) {
            out.write(b);
        }
        out.flush();
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 431 -> "Request Header Fields Too Large";
            case 501 -> "Not Implemented";
            default -> "Error";
        };
    }

    @Override
    public void close() {
        running = false;
        listener.close();
        workers.shutdownNow();
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
