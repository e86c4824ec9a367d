package org.alosj.drivers.virtio;

import java.util.concurrent.locks.LockSupport;
import org.alosj.kernel.pci.MmioRegion;
import org.alosj.kernel.pci.PciDevice;

/**
 * The modern interface (virtio 1.x section 4.1.4): the vendor-specific capabilities name a BAR
 * and an offset for the common configuration, the notification area, the ISR and the device
 * configuration; the driver reads them from configuration space and touches nothing else.
 */
final class ModernTransport extends Transport {
    static final int PCI_CAPABILITY_LIST = 0x34;
    static final int PCI_STATUS = 0x06;
    static final int PCI_STATUS_CAP_LIST = 0x10;
    static final int PCI_CAP_ID_VNDR = 0x09;
    static final int VIRTIO_PCI_CAP_COMMON_CFG = 1;
    static final int VIRTIO_PCI_CAP_NOTIFY_CFG = 2;
    static final int VIRTIO_PCI_CAP_ISR_CFG = 3;
    static final int VIRTIO_PCI_CAP_DEVICE_CFG = 4;
    static final int CAP_BAR = 4;
    static final int CAP_OFFSET = 8;
    static final int CAP_LENGTH = 12;
    static final int CAP_NOTIFY_MULTIPLIER = 16;

    // ---- struct virtio_pci_common_cfg ----
    static final int COMMON_DFSELECT = 0x00;
    static final int COMMON_DF = 0x04;
    static final int COMMON_GFSELECT = 0x08;
    static final int COMMON_GF = 0x0C;
    static final int COMMON_MSIX = 0x10;
    static final int COMMON_NUMQ = 0x12;
    static final int COMMON_STATUS = 0x14;
    static final int COMMON_CFGGENERATION = 0x15;
    static final int COMMON_Q_SELECT = 0x16;
    static final int COMMON_Q_SIZE = 0x18;
    static final int COMMON_Q_MSIX = 0x1A;
    static final int COMMON_Q_ENABLE = 0x1C;
    static final int COMMON_Q_NOFF = 0x1E;
    static final int COMMON_Q_DESCLO = 0x20;
    static final int COMMON_Q_AVAILLO = 0x28;
    static final int COMMON_Q_USEDLO = 0x30;
    static final long RESET_TIMEOUT_NANOS = 1_000_000_000L;

    /** One capability's window into a BAR. */
    private record Window(MmioRegion region, long offset, long length) {
        int read8(long at) {
            return region.read8(offset + at);
        }

        int read16(long at) {
            return region.read16(offset + at);
        }

        int read32(long at) {
            return region.read32(offset + at);
        }

        void write8(long at, int v) {
            region.write8(offset + at, v);
        }

        void write16(long at, int v) {
            region.write16(offset + at, v);
        }

        void write32(long at, int v) {
            region.write32(offset + at, v);
        }
    }

    private final Window common;
    private final Window notify;
    private final Window isr;
    private final Window deviceConfig;
    private final int notifyMultiplier;
    /** Where each queue's notifications go in the notify window (read once, at set-up). */
    private final java.util.Map<Integer, Long> notifyOffsets = new java.util.concurrent.ConcurrentHashMap<>();
    /** The MSI-X entry each queue signals, written at set-up (none unless assigned). */
    private final java.util.Map<Integer, Integer> queueVectors = new java.util.concurrent.ConcurrentHashMap<>();

    private ModernTransport(PciDevice device, Window common, Window notify, int notifyMultiplier, Window isr,
                            Window deviceConfig) {
        super(device);
        this.common = common;
        this.notify = notify;
        this.notifyMultiplier = notifyMultiplier;
        this.isr = isr;
        this.deviceConfig = deviceConfig;
    }

    /** The modern interface, or null when the function lacks one of its capabilities. */
    static ModernTransport find(PciDevice device) {
        if ((device.configRead16(PCI_STATUS) & PCI_STATUS_CAP_LIST) == 0) {
            return null;
        }
        Window common = null;
        Window notify = null;
        Window isr = null;
        Window cfg = null;
        int multiplier = 0;
        int at = device.configRead8(PCI_CAPABILITY_LIST) & 0xFC;
        for (int hops = 0; at >= 0x40 && hops < 48; hops++) {
            if (device.configRead8(at) == PCI_CAP_ID_VNDR) {
                int type = device.configRead8(at + 3);
                int bar = device.configRead8(at + CAP_BAR);
                long offset = device.configRead32(at + CAP_OFFSET) & 0xFFFF_FFFFL;
                long length = device.configRead32(at + CAP_LENGTH) & 0xFFFF_FFFFL;
                // The first capability of each type the driver can use wins (section 4.1.4).
                Window w = bar <= 5 && device.bar(bar).filter(b -> !b.isIo()).isPresent()
                        && offset + length <= device.bar(bar).get().size()
                        ? new Window(device.mmioRegion(bar), offset, length) : null;
                if (w != null) {
                    switch (type) {
                        case VIRTIO_PCI_CAP_COMMON_CFG -> common = common == null ? w : common;
                        case VIRTIO_PCI_CAP_NOTIFY_CFG -> {
                            if (notify == null) {
                                notify = w;
                                multiplier = device.configRead32(at + CAP_NOTIFY_MULTIPLIER);
                            }
                        }
                        case VIRTIO_PCI_CAP_ISR_CFG -> isr = isr == null ? w : isr;
                        case VIRTIO_PCI_CAP_DEVICE_CFG -> cfg = cfg == null ? w : cfg;
                        default -> {
                            // PCI configuration access and shared memory: not used
                        }
                    }
                }
            }
            at = device.configRead8(at + 1) & 0xFC;
        }
        if (common == null || notify == null || isr == null) {
            return null;
        }
        return new ModernTransport(device, common, notify, multiplier, isr, cfg);
    }

    @Override
    boolean modern() {
        return true;
    }

    @Override
    void reset() {
        common.write8(COMMON_STATUS, 0);
        // The device may take its time to finish a reset; it says so by reading 0 (section 4.1.4.3.2).
        long deadline = System.nanoTime() + RESET_TIMEOUT_NANOS;
        while (common.read8(COMMON_STATUS) != 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(device.address() + ": the device status did not read 0 after a reset");
            }
            LockSupport.parkNanos(10_000);
        }
    }

    @Override
    int status() {
        return common.read8(COMMON_STATUS);
    }

    @Override
    void setStatus(int status) {
        common.write8(COMMON_STATUS, status);
    }

    @Override
    long deviceFeatures() {
        common.write32(COMMON_DFSELECT, 0);
        long low = common.read32(COMMON_DF) & 0xFFFF_FFFFL;
        common.write32(COMMON_DFSELECT, 1);
        return low | (long) common.read32(COMMON_DF) << 32;
    }

    @Override
    void setDriverFeatures(long features) {
        common.write32(COMMON_GFSELECT, 0);
        common.write32(COMMON_GF, (int) features);
        common.write32(COMMON_GFSELECT, 1);
        common.write32(COMMON_GF, (int) (features >>> 32));
    }

    @Override
    int queueMaxSize(int index) {
        if (index >= common.read16(COMMON_NUMQ)) {
            return 0;
        }
        common.write16(COMMON_Q_SELECT, index);
        return common.read16(COMMON_Q_SIZE);
    }

    @Override
    void setupQueue(int index, int size, long desc, long avail, long used) {
        common.write16(COMMON_Q_SELECT, index);
        common.write16(COMMON_Q_SIZE, size);
        int vector = queueVectors.getOrDefault(index, VIRTIO_MSI_NO_VECTOR);
        common.write16(COMMON_Q_MSIX, vector);
        if (common.read16(COMMON_Q_MSIX) != vector) {
            throw new IllegalStateException(device.address() + ": queue " + index + " refused MSI-X entry " + vector);
        }
        common.write32(COMMON_Q_DESCLO, (int) desc);
        common.write32(COMMON_Q_DESCLO + 4, (int) (desc >>> 32));
        common.write32(COMMON_Q_AVAILLO, (int) avail);
        common.write32(COMMON_Q_AVAILLO + 4, (int) (avail >>> 32));
        common.write32(COMMON_Q_USEDLO, (int) used);
        common.write32(COMMON_Q_USEDLO + 4, (int) (used >>> 32));
        notifyOffsets.put(index, (long) common.read16(COMMON_Q_NOFF) * notifyMultiplier);
        common.write16(COMMON_Q_ENABLE, 1);
    }

    @Override
    boolean setConfigVector(int entry) {
        common.write16(COMMON_MSIX, entry);
        return common.read16(COMMON_MSIX) == entry;
    }

    @Override
    void assignQueueVector(int index, int entry) {
        queueVectors.put(index, entry);
    }

    @Override
    void notify(int index) {
        Long off = notifyOffsets.get(index);
        if (off == null) {
            throw new IllegalStateException(device.address() + ": queue " + index + " was never set up");
        }
        notify.write16(off, index);
    }

    @Override
    int readIsr() {
        return isr.read8(0);
    }

    private Window config() {
        if (deviceConfig == null) {
            throw new IllegalStateException(device.address() + ": the device has no device configuration capability");
        }
        return deviceConfig;
    }

    @Override
    int config8(int offset) {
        return config().read8(offset);
    }

    @Override
    int config16(int offset) {
        return config().read16(offset);
    }

    @Override
    int config32(int offset) {
        return config().read32(offset);
    }

    /** A 64-bit field in two reads, again if the configuration generation moved between them. */
    @Override
    long config64(int offset) {
        for (int tries = 0; ; tries++) {
            int before = common.read8(COMMON_CFGGENERATION);
            long v = super.config64(offset);
            if (common.read8(COMMON_CFGGENERATION) == before || tries > 100) {
                return v;
            }
        }
    }

    @Override
    String describe() {
        return String.format("modern, common configuration at %#x", common.region().base() + common.offset());
    }
}
