package org.alosj.hal.net;

import org.osgi.annotation.versioning.ProviderType;

/** A NIC's connection to a backend. */
@ProviderType
public interface NetPort extends AutoCloseable {
    /** Sends one frame (copied before the call returns). Frames over 65535 bytes are refused. */
    void transmit(byte[] frame, int offset, int length);

    /** Whether the backend has carrier. */
    boolean linkUp();

    @Override
    void close();
}
