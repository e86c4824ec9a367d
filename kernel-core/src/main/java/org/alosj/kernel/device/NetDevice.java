package org.alosj.kernel.device;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An Ethernet interface as its driver offers it. Frames are whole Ethernet frames without FCS;
 * the driver pads short frames as its hardware requires.
 */
@ProviderType
public interface NetDevice {
    /** Service property: the MAC as {@code 52:54:00:12:34:56}. */
    String MAC = "net.mac";

    /** Receives frames, in interrupt or driver thread context: it must not block. */
    @FunctionalInterface
    interface Receiver {
        void frameReceived(NetDevice device, byte[] frame, int offset, int length);
    }

    /** Counters, as ifconfig shows them. */
    record Statistics(long rxPackets, long rxBytes, long rxErrors, long rxDropped,
                      long txPackets, long txBytes, long txErrors, long txDropped, long interrupts) {
    }

    byte[] macAddress();

    int mtu();

    boolean linkUp();

    /**
     * Queues one frame for transmission.
     *
     * @return false if the transmit ring is full (the frame was not taken)
     * @throws IllegalArgumentException if the frame is shorter than 14 or longer than the MTU allows
     */
    boolean transmit(byte[] frame, int offset, int length);

    /** Sets who gets received frames (null drops them, counted). */
    void setReceiver(Receiver receiver);

    Statistics statistics();
}
