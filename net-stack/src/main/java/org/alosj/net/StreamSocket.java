package org.alosj.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A TCP connection. In blocking mode (the default) {@link #read} waits for data and
 * {@link #write} for room, each at most the timeout (then {@link java.net.SocketTimeoutException});
 * in non-blocking mode both return 0 when they would wait.
 */
@ProviderType
public interface StreamSocket extends AutoCloseable {
    /** Reads up to {@code length} bytes; -1 at the end of the stream (the peer's FIN). */
    int read(byte[] buffer, int offset, int length) throws IOException;

    /** Blocking: writes all bytes (or throws). Non-blocking: returns how many were taken. */
    int write(byte[] buffer, int offset, int length) throws IOException;

    /** Sends FIN after the queued data; reading goes on. */
    void shutdownOutput() throws IOException;

    /** Closes gracefully (FIN); data still queued is sent. */
    @Override
    void close();

    /** Resets the connection (RST) and drops queued data. */
    void abort();

    void setTimeout(Duration timeout);

    void setBlocking(boolean blocking);

    /** Turns Nagle's algorithm off (true) or on. */
    void setNoDelay(boolean noDelay);

    void setKeepAlive(boolean keepAlive);

    /** Bytes that can be read now without blocking. */
    int available();

    SocketAddress localAddress();

    SocketAddress remoteAddress();

    /** The RFC 9293 state name, e.g. ESTABLISHED. */
    String state();

    InputStream inputStream();

    OutputStream outputStream();
}
