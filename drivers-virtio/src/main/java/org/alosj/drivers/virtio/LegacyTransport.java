package org.alosj.drivers.virtio;

import org.alosj.kernel.pci.IoRegion;
import org.alosj.kernel.pci.PciBar;
import org.alosj.kernel.pci.PciDevice;

/**
 * The legacy interface of a transitional device (virtio 1.x section 4.1.4.8): 20 bytes of
 * registers at the start of I/O BAR0, the device configuration after them (after 24 bytes while
 * MSI-X is enabled, which this driver never does). Queues are given by page frame number and
 * have the device's size; features are 32 bits.
 */
final class LegacyTransport extends Transport {
    static final int VIRTIO_PCI_HOST_FEATURES = 0x00;
    static final int VIRTIO_PCI_GUEST_FEATURES = 0x04;
    static final int VIRTIO_PCI_QUEUE_PFN = 0x08;
    static final int VIRTIO_PCI_QUEUE_NUM = 0x0C;
    static final int VIRTIO_PCI_QUEUE_SEL = 0x0E;
    static final int VIRTIO_PCI_QUEUE_NOTIFY = 0x10;
    static final int VIRTIO_PCI_STATUS = 0x12;
    static final int VIRTIO_PCI_ISR = 0x13;
    static final int VIRTIO_PCI_CONFIG_OFF = 0x14;
    static final int VIRTIO_PCI_QUEUE_ADDR_SHIFT = 12;

    private final IoRegion io;

    private LegacyTransport(PciDevice device, IoRegion io) {
        super(device);
        this.io = io;
    }

    static LegacyTransport open(PciDevice device) {
        PciBar bar = device.bar(0).filter(PciBar::isIo).orElseThrow(() -> new IllegalStateException(
                device.address() + ": neither the modern virtio capabilities nor a legacy I/O BAR0"));
        if (bar.size() < VIRTIO_PCI_CONFIG_OFF) {
            throw new IllegalStateException(String.format("%s: legacy BAR0 is %d bytes, the header alone needs %d",
                    device.address(), bar.size(), VIRTIO_PCI_CONFIG_OFF));
        }
        return new LegacyTransport(device, device.ioRegion(0));
    }

    @Override
    boolean modern() {
        return false;
    }

    @Override
    void reset() {
        io.out8(VIRTIO_PCI_STATUS, 0);
        io.in8(VIRTIO_PCI_STATUS); // flush, as Linux's vp_legacy_reset does
    }

    @Override
    int status() {
        return io.in8(VIRTIO_PCI_STATUS);
    }

    @Override
    void setStatus(int status) {
        io.out8(VIRTIO_PCI_STATUS, status);
    }

    @Override
    long deviceFeatures() {
        return io.in32(VIRTIO_PCI_HOST_FEATURES) & 0xFFFF_FFFFL;
    }

    @Override
    void setDriverFeatures(long features) {
        io.out32(VIRTIO_PCI_GUEST_FEATURES, (int) features);
    }

    @Override
    int queueMaxSize(int index) {
        io.out16(VIRTIO_PCI_QUEUE_SEL, index);
        return io.in16(VIRTIO_PCI_QUEUE_NUM);
    }

    @Override
    void setupQueue(int index, int size, long desc, long avail, long used) {
        if ((desc & ((1 << VIRTIO_PCI_QUEUE_ADDR_SHIFT) - 1)) != 0 || desc >>> 32 + VIRTIO_PCI_QUEUE_ADDR_SHIFT != 0) {
            throw new IllegalArgumentException(String.format("queue %d at %#x: not a page below 16 TiB", index, desc));
        }
        io.out16(VIRTIO_PCI_QUEUE_SEL, index);
        io.out32(VIRTIO_PCI_QUEUE_PFN, (int) (desc >>> VIRTIO_PCI_QUEUE_ADDR_SHIFT));
    }

    @Override
    void notify(int index) {
        io.out16(VIRTIO_PCI_QUEUE_NOTIFY, index);
    }

    @Override
    int readIsr() {
        return io.in8(VIRTIO_PCI_ISR);
    }

    @Override
    int config8(int offset) {
        return io.in8(VIRTIO_PCI_CONFIG_OFF + offset);
    }

    @Override
    int config16(int offset) {
        return io.in16(VIRTIO_PCI_CONFIG_OFF + offset);
    }

    @Override
    int config32(int offset) {
        return io.in32(VIRTIO_PCI_CONFIG_OFF + offset);
    }

    @Override
    String describe() {
        return String.format("legacy, I/O at %#x", io.base());
    }
}
