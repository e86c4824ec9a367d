package org.alosj.net;

import java.io.IOException;
import java.time.Duration;
import org.osgi.annotation.versioning.ProviderType;

/** A UDP port. Received datagrams wait in a bounded queue; overflow is dropped and counted. */
@ProviderType
public interface DatagramSocket extends AutoCloseable {
    /** A received datagram: who sent it, and how many bytes were copied into the caller's buffer. */
    record Received(SocketAddress source, int length, boolean truncated) {
    }

    /** Sends one datagram (not fragmented beyond what IPv4 fragmentation allows). */
    void send(SocketAddress destination, byte[] buffer, int offset, int length) throws IOException;

    /** Blocking: waits up to the timeout. Non-blocking: null when none is queued. */
    Received receive(byte[] buffer, int offset, int length) throws IOException;

    void setTimeout(Duration timeout);

    void setBlocking(boolean blocking);

    SocketAddress localAddress();

    @Override
    void close();
}
