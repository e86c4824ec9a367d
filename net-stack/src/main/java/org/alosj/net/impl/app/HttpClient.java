package org.alosj.net.impl.app;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.alosj.net.Ipv4Address;
import org.alosj.net.NetworkStack;
import org.alosj.net.SocketAddress;
import org.alosj.net.StreamSocket;

/**
 * An HTTP/1.1 client for GET (RFC 9110, RFC 9112): bodies by Content-Length, chunked, or up to
 * the close; redirects (301, 302, 303, 307, 308) followed up to {@link #MAX_REDIRECTS} times.
 */
public final class HttpClient {
    public static final int MAX_REDIRECTS = 5;
    public static final long MAX_BODY = 1L << 31;

    /** The final response: its status line, head and the body length written. */
    public record Response(int status, String statusLine, HttpMessage.Head head, long bodyLength, URI uri) {
    }

    private final NetworkStack stack;
    private final Duration timeout;

    public HttpClient(NetworkStack stack, Duration timeout) {
        this.stack = stack;
        this.timeout = timeout;
    }

    /** GETs {@code url}, following redirects; the last response's body goes to {@code body}. */
    public Response get(String url, OutputStream body) throws IOException {
        URI uri = parse(url);
        for (int hop = 0; ; hop++) {
            Response r = once(uri, body, hop < MAX_REDIRECTS);
            if (r.bodyLength() < 0 || hop >= MAX_REDIRECTS && isRedirect(r.status()) && r.head().field("location") != null) {
                if (hop >= MAX_REDIRECTS) {
                    // A loop of redirects: an error, not the last 3xx as if it were the document.
                    throw new IOException("http get: more than " + MAX_REDIRECTS + " redirects, the last to " + uri);
                }
            } else {
                return r;
            }
            String location = r.head().field("location");
            try {
                uri = uri.resolve(new URI(location.trim()));
            } catch (URISyntaxException e) {
                throw new IOException("bad redirect Location: " + location);
            }
            if (!"http".equalsIgnoreCase(uri.getScheme())) {
                throw new IOException("redirect to a scheme this client does not speak: " + uri);
            }
        }
    }

    /**
     * Sends {@code count} GETs for {@code url} over one persistent connection, one after the
     * other, reading each whole response; returns the nanoseconds it took (a load generator in
     * the way wrk is one, for bench/net.sh).
     */
    public long bench(String url, int count) throws IOException {
        URI uri = parse(url);
        List<Ipv4Address> addresses = stack.resolve(uri.getHost(), timeout);
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        byte[] req = ("GET " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        try (StreamSocket s = stack.connect(new SocketAddress(addresses.get(0), port), timeout)) {
            s.setTimeout(timeout);
            s.setNoDelay(true);
            InputStream in = new BufferedInputStream(s.inputStream(), 16384);
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                s.write(req, 0, req.length);
                HttpMessage.Head head = HttpMessage.readHead(in);
                if (head == null) {
                    throw new IOException("the server closed the connection after " + i + " requests");
                }
                int status = statusOf(head.startLine());
                readBody(head, status, in, OutputStream.nullOutputStream());
                if (status != 200) {
                    throw new IOException("request " + i + ": " + head.startLine());
                }
            }
            return System.nanoTime() - start;
        }
    }

    static URI parse(String url) throws IOException {
        try {
            URI uri = new URI(url);
            if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                throw new IOException("not an http:// URL: " + url);
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IOException("bad URL " + url + ": " + e.getMessage());
        }
    }

    /** One request; bodyLength -1 means "a redirect to follow" (its body was skipped). */
    private Response once(URI uri, OutputStream body, boolean mayRedirect) throws IOException {
        List<Ipv4Address> addresses = stack.resolve(uri.getHost(), timeout);
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        try (StreamSocket s = stack.connect(new SocketAddress(addresses.get(0), port), timeout)) {
            s.setTimeout(timeout);
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            if (uri.getRawQuery() != null) {
                path += "?" + uri.getRawQuery();
            }
            String host = uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
            String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: alosj-http\r\n"
                    + "Accept: */*\r\nConnection: close\r\n\r\n";
            byte[] req = request.getBytes(StandardCharsets.ISO_8859_1);
            s.write(req, 0, req.length);
            InputStream in = new BufferedInputStream(s.inputStream(), 16384);
            HttpMessage.Head head;
            int status;
            do {
                head = HttpMessage.readHead(in);
                if (head == null) {
                    throw new IOException("the server closed without answering");
                }
                status = statusOf(head.startLine());
            } while (status >= 100 && status < 200);
            boolean redirect = mayRedirect && isRedirect(status) && head.field("location") != null;
            OutputStream sink = redirect ? OutputStream.nullOutputStream() : body;
            long n = readBody(head, status, in, sink);
            return new Response(status, head.startLine(), head, redirect ? -1 : n, uri);
        }
    }

    static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    static int statusOf(String line) throws IOException {
        String[] p = line.split(" ", 3);
        if (p.length < 2 || !p[0].startsWith("HTTP/1.") || p[1].length() != 3 || !p[1].chars().allMatch(Character::isDigit)) {
            throw new HttpMessage.HttpException(502, "malformed status line: " + HttpMessage.abbreviate(line));
        }
        return Integer.parseInt(p[1]);
    }

    static long readBody(HttpMessage.Head head, int status, InputStream in, OutputStream out) throws IOException {
        if (status == 204 || status == 304) {
            return 0;
        }
        String te = head.field("transfer-encoding");
        if (te != null) {
            if (!te.trim().toLowerCase(java.util.Locale.ROOT).endsWith("chunked")) {
                throw new HttpMessage.HttpException(502, "unsupported Transfer-Encoding: " + te);
            }
            return HttpMessage.copyChunked(in, out, MAX_BODY);
        }
        long length = HttpMessage.contentLength(head.field("content-length"));
        if (length >= 0) {
            HttpMessage.copyExactly(in, out, length, new byte[HttpMessage.BODY_CHUNK]);
            return length;
        }
        long total = 0;
        byte[] buf = new byte[HttpMessage.BODY_CHUNK];
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
            total += n;
        }
        return total;
    }
}
