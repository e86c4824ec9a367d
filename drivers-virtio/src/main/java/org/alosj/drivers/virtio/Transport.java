package org.alosj.drivers.virtio;

import org.alosj.kernel.pci.PciDevice;

/**
 * How the driver reaches a virtio device over PCI (virtio 1.x section 4.1): the modern
 * interface through the vendor capabilities' windows, or the legacy one through I/O BAR0. The
 * rest of the driver sees only this: status, features, queues, notifications, the ISR and the
 * device-specific configuration.
 */
abstract class Transport {
    // ---- device status (section 2.1) ----
    static final int VIRTIO_CONFIG_S_ACKNOWLEDGE = 1;
    static final int VIRTIO_CONFIG_S_DRIVER = 2;
    static final int VIRTIO_CONFIG_S_DRIVER_OK = 4;
    static final int VIRTIO_CONFIG_S_FEATURES_OK = 8;
    static final int VIRTIO_CONFIG_S_NEEDS_RESET = 0x40;
    static final int VIRTIO_CONFIG_S_FAILED = 0x80;

    // ---- transport features ----
    static final int VIRTIO_F_ANY_LAYOUT = 27;
    static final int VIRTIO_RING_F_INDIRECT_DESC = 28;
    static final int VIRTIO_RING_F_EVENT_IDX = 29;
    static final int VIRTIO_F_VERSION_1 = 32;

    static final int VIRTIO_PCI_ISR_QUEUE = 1;
    static final int VIRTIO_PCI_ISR_CONFIG = 2;
    static final int VIRTIO_MSI_NO_VECTOR = 0xFFFF;

    protected final PciDevice device;

    Transport(PciDevice device) {
        this.device = device;
    }

    /** The modern interface when the device has one, else the legacy interface. */
    static Transport open(PciDevice device) {
        device.enable();
        Transport modern = ModernTransport.find(device);
        if (modern != null) {
            return modern;
        }
        return LegacyTransport.open(device);
    }

    abstract boolean modern();

    /** Writes 0 to the status and waits (bounded) until the device reads back 0. */
    abstract void reset();

    abstract int status();

    abstract void setStatus(int status);

    /** Adds {@code bits} to the status. */
    final void addStatus(int bits) {
        setStatus(status() | bits);
    }

    abstract long deviceFeatures();

    abstract void setDriverFeatures(long features);

    /** The largest size queue {@code index} may have, 0 when it does not exist. */
    abstract int queueMaxSize(int index);

    /**
     * Tells the device where queue {@code index} lives and enables it. The legacy interface
     * needs the layout {@link SplitQueue} makes: one run from a page boundary, size the maximum.
     */
    abstract void setupQueue(int index, int size, long desc, long avail, long used);

    abstract void notify(int index);

    /**
     * Routes configuration-change interrupts to MSI-X table entry {@code entry}
     * ({@code msix_config}, virtio 1.x 4.1.4.3; {@code 0xFFFF} for none). The device reads back
     * {@code VIRTIO_MSI_NO_VECTOR} when it cannot use that entry: returns whether it took it.
     * Only the modern interface routes vectors here.
     */
    boolean setConfigVector(int entry) {
        return entry == VIRTIO_MSI_NO_VECTOR;
    }

    /**
     * The MSI-X entry queue {@code index} is to signal ({@code queue_msix_vector}), written when
     * {@link #setupQueue} sets the queue up; the set-up fails if the device refuses it.
     */
    void assignQueueVector(int index, int entry) {
        if (entry != VIRTIO_MSI_NO_VECTOR) {
            throw new IllegalStateException(device.address() + ": MSI-X routing needs the modern interface");
        }
    }

    /** Reads (and so clears) the ISR status; deasserts INTx. */
    abstract int readIsr();

    abstract int config8(int offset);

    abstract int config16(int offset);

    abstract int config32(int offset);

    long config64(int offset) {
        return (config32(offset) & 0xFFFF_FFFFL) | (long) config32(offset + 4) << 32;
    }

    /** Where the registers are, for the log. */
    abstract String describe();
}
