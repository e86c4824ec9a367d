package org.alosj.net.impl.app;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HTTP/1.1 message heads (RFC 9112): the start line and header fields, read with limits so a
 * peer cannot make us buffer without end: a line at most {@link #MAX_LINE} bytes, at most
 * {@link #MAX_HEADERS} fields, no NUL, no bare CR.
 */
public final class HttpMessage {
    /**
     * How much of a body one read and one write move: 64 KiB, so a file and a socket see a
     * quarter of the calls (each a lock, a wake-up, a system call) that 16 KiB cost.
     */
    static final int BODY_CHUNK = 65536;

    public static final int MAX_LINE = 8192;
    public static final int MAX_HEADERS = 100;

    /** A message that breaks the rules; {@code status} is the 4xx a server answers with. */
    public static final class HttpException extends IOException {
        public final int status;

        public HttpException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    public record Head(String startLine, List<String[]> fields) {
        public String field(String name) {
            for (String[] f : fields) {
                if (f[0].equalsIgnoreCase(name)) {
                    return f[1];
                }
            }
            return null;
        }

        public boolean fieldHas(String name, String token) {
            String v = field(name);
            if (v == null) {
                return false;
            }
            for (String t : v.split(",")) {
                if (t.trim().equalsIgnoreCase(token)) {
                    return true;
                }
            }
            return false;
        }
    }

    private HttpMessage() {
    }

    /**
     * Reads one line ending in CRLF (a bare LF is tolerated, RFC 9112 2.2). Returns null at a
     * clean end of stream before any byte.
     */
    public static String readLine(InputStream in, int status414) throws IOException {
        byte[] buf = new byte[256];
        int n = 0;
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (n == 0) {
                    return null;
                }
                throw new EOFException("the stream ended inside a line");
            }
            if (c == '\n') {
                if (n > 0 && buf[n - 1] == '\r') {
                    n--;
                }
                return new String(buf, 0, n, StandardCharsets.ISO_8859_1);
            }
            if (c == 0) {
                throw new HttpException(400, "NUL byte in the message head");
            }
            if (n > 0 && buf[n - 1] == '\r') {
                throw new HttpException(400, "bare CR in the message head");
            }
            if (n == MAX_LINE) {
                throw new HttpException(status414, "line longer than " + MAX_LINE + " bytes");
            }
            if (n == buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.min(MAX_LINE + 1, buf.length * 2));
            }
            buf[n++] = (byte) c;
        }
    }

    /** Reads a start line and the fields up to the empty line; null at a clean end of stream. */
    public static Head readHead(InputStream in) throws IOException {
        String start = readLine(in, 414);
        while (start != null && start.isEmpty()) {
            start = readLine(in, 414); // RFC 9112 2.2: ignore empty lines before a request
        }
        if (start == null) {
            return null;
        }
        List<String[]> fields = new ArrayList<>();
        while (true) {
            String line = readLine(in, 431);
            if (line == null) {
                throw new EOFException("the stream ended inside the header");
            }
            if (line.isEmpty()) {
                return new Head(start, fields);
            }
            if (fields.size() == MAX_HEADERS) {
                throw new HttpException(431, "more than " + MAX_HEADERS + " header fields");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t'
                    || line.substring(0, colon).chars().anyMatch(ch -> ch <= ' ')) {
                throw new HttpException(400, "malformed header field: " + abbreviate(line));
            }
            fields.add(new String[] {line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).trim()});
        }
    }

    static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }

    /** Parses a Content-Length value strictly (digits only, no overflow). */
    public static long contentLength(String value) throws HttpException {
        if (value == null) {
            return -1;
        }
        String v = value.trim();
        if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(Character::isDigit)) {
            throw new HttpException(400, "bad Content-Length: " + abbreviate(value));
        }
        return Long.parseLong(v);
    }

    /** Copies a chunked body (RFC 9112 7.1) to {@code out}, at most {@code limit} bytes. */
    public static long copyChunked(InputStream in, java.io.OutputStream out, long limit) throws IOException {
        long total = 0;
        byte[] buf = new byte[16384];
        while (true) {
            String line = readLine(in, 400);
            if (line == null) {
                throw new EOFException("the stream ended before the last chunk");
            }
            int semi = line.indexOf(';');
            String hex = (semi >= 0 ? line.substring(0, semi) : line).trim();
            if (hex.isEmpty() || hex.length() > 15 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new HttpException(400, "bad chunk size: " + abbreviate(line));
            }
            long size = Long.parseLong(hex, 16);
            if (size == 0) {
                while (true) { // trailer fields, up to the empty line
                    String t = readLine(in, 400);
                    if (t == null || t.isEmpty()) {
                        return total;
                    }
                }
            }
            if (total + size > limit) {
                throw new HttpException(413, "body larger than " + limit + " bytes");
            }
            copyExactly(in, out, size, buf);
            total += size;
            String end = readLine(in, 400);
            if (end == null || !end.isEmpty()) {
                throw new HttpException(400, "chunk not followed by CRLF");
            }
        }
    }

    public static void copyExactly(InputStream in, java.io.OutputStream out, long size, byte[] buf) throws IOException {
        long left = size;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new EOFException("the stream ended " + left + " bytes before the end of the body");
            }
            if (n > 0) {
                out.write(buf, 0, n);
                left -= n;
            }
        }
    }
}
