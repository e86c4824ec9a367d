package org.alosj.net;

import java.io.IOException;
import java.time.Duration;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A TCP port in LISTEN with a bounded backlog: connections being set up and connections not yet
 * accepted together never exceed it; further SYNs are dropped (and counted).
 */
@ProviderType
public interface ListeningSocket extends AutoCloseable {
    /** Blocking: waits up to the timeout. Non-blocking: null when none is ready. */
    StreamSocket accept() throws IOException;

    void setTimeout(Duration timeout);

    void setBlocking(boolean blocking);

    SocketAddress localAddress();

    @Override
    void close();
}
