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

        /**
         * One frame of a receive batch: the frames a driver takes off its ring in one interrupt
         * (one poll). {@code more} says that another frame of the batch follows at once; the last
         * frame of a batch comes with false. A stack may hold work the frames of a batch share
         * until the last one, as Linux's GRO under NAPI does (one TCP acknowledgement for several
         * segments). A driver that calls this ends every batch with {@code more == false}. By
         * default the frame goes to {@link #frameReceived(NetDevice, byte[], int, int)}.
         *
         * @since 1.1
         */
        default void frameReceived(NetDevice device, byte[] frame, int offset, int length, boolean more) {
            frameReceived(device, frame, offset, length);
        }
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
