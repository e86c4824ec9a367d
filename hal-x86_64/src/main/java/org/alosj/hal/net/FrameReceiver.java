package org.alosj.hal.net;

import org.osgi.annotation.versioning.ConsumerType;

/** The NIC's receive side. */
@ConsumerType
public interface FrameReceiver {
    /**
     * A frame from the wire; the array is the backend's and only valid during the call.
     *
     * @return false if the NIC could not take it (receiver off, no buffer): the frame is dropped
     */
    boolean receive(byte[] frame, int offset, int length);
}
