package org.alosj.hal.net;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A network backend a NIC model connects to, registered as a service with the
 * {@link #NETDEV_ID} property that {@code -netdev …,id=ID} gave it.
 */
@ConsumerType
public interface NetBackend {
    /** Service property naming the backend ({@code n0}). */
    String NETDEV_ID = "netdev.id";

    String id();

    /**
     * Connects a NIC. Frames from the wire go to {@code receiver}, on a backend thread, one at
     * a time.
     */
    NetPort attach(String nicName, FrameReceiver receiver);

    /** Why the link has no peer, or null when it has one (shown by ifconfig and the like). */
    default String problem() {
        return null;
    }
}
