package org.alosj.hw.virtio.impl;

import org.alosj.hal.bus.GuestRam;
import org.alosj.hal.bus.IoPortHandler;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.bus.MmioHandler;
import org.alosj.hal.pci.BarType;
import org.alosj.hal.pci.PciFunction;

/**
 * The virtio PCI transport (virtio 1.x section 4.1) as QEMU's virtio-pci presents it, with the
 * device behind it left to a subclass.
 *
 * <p>Configuration space: vendor 1af4; a modern device is 1040 + the virtio device ID
 * (revision 1, subsystem 1af4:1100), a transitional one has the legacy ID (1000 net, 1001 blk,
 * revision 0) and the virtio device ID as subsystem ID. Capabilities, the list head first:
 * MSI-X at 0x98 (table at BAR1 + 0, PBA at BAR1 + 0x800), VIRTIO_PCI_CAP_PCI_CFG at 0x84,
 * NOTIFY at 0x70 (BAR4 + 0x3000, multiplier 4), DEVICE at 0x60 (BAR4 + 0x2000), ISR at 0x50
 * (BAR4 + 0x1000) and COMMON at 0x40 (BAR4 + 0). BAR4 is 16 KiB of 64-bit prefetchable memory,
 * BAR1 4 KiB of memory; a transitional device also has the legacy interface in I/O BAR0.
 * The PCI configuration access capability's bar, offset, length and data fields hold what the
 * driver writes, as QEMU's do, but accesses through that window do not reach the BARs: a
 * driver that can map the BARs (every driver here) never uses it.
 *
 * <p>Interrupts: a used buffer sets ISR bit 0 (a configuration change bit 1) and asserts INTA
 * until the driver reads the ISR, unless MSI-X is on: then the vector's message is written to
 * its address by DMA (masked vectors set their PBA bit and fire when unmasked).
 *
 * <p>Guest errors (bad rings, queue sizes that are not powers of two, registers written with
 * nonsense) are logged; those that leave the device unable to go on set DEVICE_NEEDS_RESET,
 * after which the queues are left alone until the driver resets the device. Register accesses
 * from CPU threads and frames or completions from backend threads all run under this object's
 * monitor, the one {@link PciFunction} uses for configuration space.
 */
public abstract class VirtioPci extends PciFunction {
    public static final int PCI_VENDOR_ID_REDHAT_QUMRANET = 0x1af4;
    public static final int PCI_SUBVENDOR_ID_REDHAT_QUMRANET = 0x1af4;
    public static final int PCI_SUBDEVICE_ID_QEMU = 0x1100;
    public static final int PCI_DEVICE_ID_VIRTIO_NET = 0x1000;
    public static final int PCI_DEVICE_ID_VIRTIO_BLOCK = 0x1001;
    /** A modern device's PCI device ID is this plus its virtio device ID. */
    public static final int PCI_DEVICE_ID_VIRTIO_10_BASE = 0x1040;
    public static final int VIRTIO_ID_NET = 1;
    public static final int VIRTIO_ID_BLOCK = 2;

    // ---- device status (section 2.1) ----
    public static final int VIRTIO_CONFIG_S_ACKNOWLEDGE = 1;
    public static final int VIRTIO_CONFIG_S_DRIVER = 2;
    public static final int VIRTIO_CONFIG_S_DRIVER_OK = 4;
    public static final int VIRTIO_CONFIG_S_FEATURES_OK = 8;
    public static final int VIRTIO_CONFIG_S_NEEDS_RESET = 0x40;
    public static final int VIRTIO_CONFIG_S_FAILED = 0x80;

    // ---- transport feature bits (section 6) ----
    public static final int VIRTIO_F_NOTIFY_ON_EMPTY = 24;
    public static final int VIRTIO_F_ANY_LAYOUT = 27;
    public static final int VIRTIO_RING_F_INDIRECT_DESC = 28;
    public static final int VIRTIO_RING_F_EVENT_IDX = 29;
    public static final int VIRTIO_F_VERSION_1 = 32;

    // ---- capabilities ----
    static final int PCI_CAP_ID_VNDR = 0x09;
    static final int PCI_CAP_ID_MSIX = 0x11;
    public static final int VIRTIO_PCI_CAP_COMMON_CFG = 1;
    public static final int VIRTIO_PCI_CAP_NOTIFY_CFG = 2;
    public static final int VIRTIO_PCI_CAP_ISR_CFG = 3;
    public static final int VIRTIO_PCI_CAP_DEVICE_CFG = 4;
    public static final int VIRTIO_PCI_CAP_PCI_CFG = 5;
    static final int CAP_COMMON = 0x40;
    static final int CAP_ISR = 0x50;
    static final int CAP_DEVICE = 0x60;
    static final int CAP_NOTIFY = 0x70;
    static final int CAP_PCI_CFG = 0x84;
    static final int CAP_MSIX_MODERN = 0x98;
    static final int CAP_MSIX_LEGACY_ONLY = 0x40;
    static final int PCI_MSIX_FLAGS = 2;
    static final int PCI_MSIX_TABLE = 4;
    static final int PCI_MSIX_PBA = 8;
    static final int PCI_MSIX_FLAGS_ENABLE = 0x8000;
    static final int PCI_MSIX_FLAGS_MASKALL = 0x4000;
    static final int PCI_MSIX_ENTRY_SIZE = 16;
    static final int PCI_MSIX_ENTRY_VECTOR_CTRL = 12;
    static final int PCI_MSIX_ENTRY_CTRL_MASKBIT = 1;
    public static final int VIRTIO_MSI_NO_VECTOR = 0xFFFF;
    /** Where x86 MSI messages go: 0xFEE00000-0xFEEFFFFF. */
    static final long MSI_ADDRESS_BASE = 0xFEE0_0000L;

    // ---- BARs ----
    static final int LEGACY_BAR = 0;
    static final int MSIX_BAR = 1;
    static final int MODERN_BAR = 4;
    static final int MSIX_BAR_SIZE = 0x1000;
    static final int MSIX_PBA_OFFSET = 0x800;
    static final int MODERN_BAR_SIZE = 0x4000;
    static final int COMMON_OFFSET = 0x0000;
    static final int ISR_OFFSET = 0x1000;
    static final int DEVICE_OFFSET = 0x2000;
    static final int NOTIFY_OFFSET = 0x3000;
    static final int REGION_SIZE = 0x1000;
    static final int NOTIFY_OFF_MULTIPLIER = 4;

    // ---- struct virtio_pci_common_cfg ----
    public static final int VIRTIO_PCI_COMMON_DFSELECT = 0x00;
    public static final int VIRTIO_PCI_COMMON_DF = 0x04;
    public static final int VIRTIO_PCI_COMMON_GFSELECT = 0x08;
    public static final int VIRTIO_PCI_COMMON_GF = 0x0C;
    public static final int VIRTIO_PCI_COMMON_MSIX = 0x10;
    public static final int VIRTIO_PCI_COMMON_NUMQ = 0x12;
    public static final int VIRTIO_PCI_COMMON_STATUS = 0x14;
    public static final int VIRTIO_PCI_COMMON_CFGGENERATION = 0x15;
    public static final int VIRTIO_PCI_COMMON_Q_SELECT = 0x16;
    public static final int VIRTIO_PCI_COMMON_Q_SIZE = 0x18;
    public static final int VIRTIO_PCI_COMMON_Q_MSIX = 0x1A;
    public static final int VIRTIO_PCI_COMMON_Q_ENABLE = 0x1C;
    public static final int VIRTIO_PCI_COMMON_Q_NOFF = 0x1E;
    public static final int VIRTIO_PCI_COMMON_Q_DESCLO = 0x20;
    public static final int VIRTIO_PCI_COMMON_Q_DESCHI = 0x24;
    public static final int VIRTIO_PCI_COMMON_Q_AVAILLO = 0x28;
    public static final int VIRTIO_PCI_COMMON_Q_AVAILHI = 0x2C;
    public static final int VIRTIO_PCI_COMMON_Q_USEDLO = 0x30;
    public static final int VIRTIO_PCI_COMMON_Q_USEDHI = 0x34;
    static final int COMMON_CFG_SIZE = 0x38;

    // ---- the legacy interface (BAR0) ----
    public static final int VIRTIO_PCI_HOST_FEATURES = 0x00;
    public static final int VIRTIO_PCI_GUEST_FEATURES = 0x04;
    public static final int VIRTIO_PCI_QUEUE_PFN = 0x08;
    public static final int VIRTIO_PCI_QUEUE_NUM = 0x0C;
    public static final int VIRTIO_PCI_QUEUE_SEL = 0x0E;
    public static final int VIRTIO_PCI_QUEUE_NOTIFY = 0x10;
    public static final int VIRTIO_PCI_STATUS = 0x12;
    public static final int VIRTIO_PCI_ISR = 0x13;
    public static final int VIRTIO_MSI_CONFIG_VECTOR = 0x14;
    public static final int VIRTIO_MSI_QUEUE_VECTOR = 0x16;
    public static final int VIRTIO_PCI_CONFIG_OFF_MSIX = 0x18;
    public static final int VIRTIO_PCI_CONFIG_OFF = 0x14;

    public static final int VIRTIO_PCI_ISR_QUEUE = 1;
    public static final int VIRTIO_PCI_ISR_CONFIG = 2;

    /** Which interfaces the function offers (QEMU's disable-legacy / disable-modern). */
    public enum Mode {
        /** Legacy and modern: 1000 + type - 1, revision 0 (QEMU's default on a PCI bus). */
        TRANSITIONAL,
        /** Modern only (disable-legacy=on): 1040 + type, revision 1. */
        MODERN,
        /** Legacy only (disable-modern=on): the transitional ID without the virtio capabilities. */
        LEGACY;

        boolean hasLegacy() {
            return this != MODERN;
        }

        boolean hasModern() {
            return this != LEGACY;
        }
    }

    protected final Mode mode;
    private final MemoryBus bus;
    private final Virtqueue[] queues;
    private final int msixVectors;
    private final int msixCap;
    private final int[] msixTable;
    private final long[] msixPending;
    private int status;
    private int isr;
    private long driverFeatures;
    private int deviceFeatureSelect;
    private int driverFeatureSelect;
    private int queueSelect;
    private int configVector = VIRTIO_MSI_NO_VECTOR;
    private int configGeneration;
    /** Whether the driver came through the legacy interface (so VERSION_1 is not in effect). */
    private boolean legacyDriver;
    private long guestErrors;
    /** An MSI-X message is being written (a BAR placed in the MSI window could bring it back). */
    private boolean inMsiWrite;

    /**
     * @param legacyIoSize the size of the legacy I/O BAR (QEMU: header plus device
     *     configuration rounded up to a power of two)
     * @param queueSizes the maximum size of each virtqueue
     */
    protected VirtioPci(String name, MemoryBus bus, int virtioId, int legacyDeviceId, int classCode, Mode mode,
                        int legacyIoSize, int msixVectors, int[] queueSizes) {
        super(name, PCI_VENDOR_ID_REDHAT_QUMRANET,
                mode == Mode.MODERN ? PCI_DEVICE_ID_VIRTIO_10_BASE + virtioId : legacyDeviceId,
                mode == Mode.MODERN ? 1 : 0, classCode, 0x00);
        this.mode = mode;
        this.bus = bus;
        this.msixVectors = msixVectors;
        this.msixTable = new int[msixVectors * PCI_MSIX_ENTRY_SIZE / 4];
        this.msixPending = new long[(msixVectors + 63) / 64];
        this.queues = new Virtqueue[queueSizes.length];
        for (int i = 0; i < queueSizes.length; i++) {
            queues[i] = new Virtqueue(i, queueSizes[i]);
        }
        if (mode == Mode.MODERN) {
            setSubsystem(PCI_SUBVENDOR_ID_REDHAT_QUMRANET, PCI_SUBDEVICE_ID_QEMU);
        } else {
            setSubsystem(PCI_SUBVENDOR_ID_REDHAT_QUMRANET, virtioId);
        }
        setInterruptPin(1);
        if (mode.hasLegacy()) {
            defineIoBar(LEGACY_BAR, legacyIoSize, new LegacyRegisters());
        }
        defineMemoryBar(MSIX_BAR, BarType.MEMORY32, MSIX_BAR_SIZE, new MsixRegisters());
        if (mode.hasModern()) {
            defineMemoryBar(MODERN_BAR, BarType.MEMORY64_PREFETCHABLE, MODERN_BAR_SIZE, new ModernRegisters());
            msixCap = addCapability(PCI_CAP_ID_MSIX, CAP_MSIX_MODERN, 12);
            int pciCfg = addVirtioCapability(CAP_PCI_CFG, 0x14, VIRTIO_PCI_CAP_PCI_CFG, 0, 0, 0);
            // The PCI configuration access window: bar, offset, length and data are the driver's.
            setWriteMask(pciCfg + 4, 1, 0xFF);
            setWriteMask(pciCfg + 8, 4, -1);
            setWriteMask(pciCfg + 12, 4, -1);
            setWriteMask(pciCfg + 16, 4, -1);
            int notify = addVirtioCapability(CAP_NOTIFY, 0x14, VIRTIO_PCI_CAP_NOTIFY_CFG, MODERN_BAR, NOTIFY_OFFSET,
                    REGION_SIZE);
            setConfigLong(notify + 16, NOTIFY_OFF_MULTIPLIER);
            addVirtioCapability(CAP_DEVICE, 0x10, VIRTIO_PCI_CAP_DEVICE_CFG, MODERN_BAR, DEVICE_OFFSET, REGION_SIZE);
            addVirtioCapability(CAP_ISR, 0x10, VIRTIO_PCI_CAP_ISR_CFG, MODERN_BAR, ISR_OFFSET, REGION_SIZE);
            addVirtioCapability(CAP_COMMON, 0x10, VIRTIO_PCI_CAP_COMMON_CFG, MODERN_BAR, COMMON_OFFSET, REGION_SIZE);
        } else {
            msixCap = addCapability(PCI_CAP_ID_MSIX, CAP_MSIX_LEGACY_ONLY, 12);
        }
        setConfigWord(msixCap + PCI_MSIX_FLAGS, msixVectors - 1);
        setConfigLong(msixCap + PCI_MSIX_TABLE, MSIX_BAR);
        setConfigLong(msixCap + PCI_MSIX_PBA, MSIX_PBA_OFFSET | MSIX_BAR);
        setWriteMask(msixCap + PCI_MSIX_FLAGS + 1, 1, (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >>> 8);
        resetTransport();
        resetMsix();
    }

    private int addVirtioCapability(int offset, int length, int cfgType, int bar, int regionOffset, int regionLength) {
        int cap = addCapability(PCI_CAP_ID_VNDR, offset, length);
        setConfigByte(cap + 2, length);
        setConfigByte(cap + 3, cfgType);
        setConfigByte(cap + 4, bar);
        setConfigLong(cap + 8, regionOffset);
        setConfigLong(cap + 12, regionLength);
        return cap;
    }

    // ---- what a device implements ----

    /** The device's feature bits (the transport adds its own). */
    protected abstract long deviceFeatures();

    /** A read of the device-specific configuration ({@code size} 1, 2, 4 or 8). */
    protected abstract long readDeviceConfig(int offset, int size);

    /** A write of the device-specific configuration; most of it is read-only. */
    protected void writeDeviceConfig(int offset, int size, long value) {
        guestError("write of %d bytes to read-only device configuration at %#x", size, offset);
    }

    /** The size of the device-specific configuration (where the legacy BAR's window ends). */
    protected abstract int deviceConfigSize();

    /** The driver made buffers available on {@code queue}; monitor held. */
    protected abstract void queueNotified(Virtqueue queue) throws Virtqueue.GuestError;

    /** The device's own state back to power-on; monitor held. */
    protected abstract void resetVirtioDevice();

    /** DRIVER_OK was just set (the device may start taking buffers); monitor held. */
    protected void driverReady() {
    }

    // ---- what a device uses ----

    protected final Virtqueue queue(int index) {
        return queues[index];
    }

    protected final boolean negotiated(int feature) {
        return (driverFeatures & (1L << feature)) != 0;
    }

    /** Whether the driver is running (DRIVER_OK) and the device is not waiting for a reset. */
    protected final boolean live() {
        return (status & VIRTIO_CONFIG_S_DRIVER_OK) != 0 && (status & VIRTIO_CONFIG_S_NEEDS_RESET) == 0
                && busMasterEnabled();
    }

    /** Whether VERSION_1 is in effect (the modern interface and its rules). */
    protected final boolean version1() {
        return !legacyDriver && negotiated(VIRTIO_F_VERSION_1);
    }

    /**
     * The array of guest RAM that holds {@code length} bytes at {@code address}, for the device
     * to read them where they lie (as QEMU maps a DMA buffer instead of copying it); the index of
     * the first byte in it goes to {@code at[0]}. Null when they cannot be read so: bus mastering
     * off, not RAM, or not one run of the array; the caller then copies them through {@link #dma()}.
     */
    protected final byte[] mapForRead(long address, int length, int[] at) {
        return mapRam(address, length, at);
    }

    /** As {@link #mapForRead}, for the device to write the bytes where they lie (a read from a disk). */
    protected final byte[] mapForWrite(long address, int length, int[] at) {
        return mapRam(address, length, at);
    }

    private byte[] mapRam(long address, int length, int[] at) {
        if (length <= 0 || !busMasterEnabled()) {
            return null;
        }
        long first = bus.ramOffset(address);
        if (first < 0 || bus.ramOffset(address + length - 1) != first + length - 1) {
            return null;
        }
        byte[] chunk = bus.ram().chunk(first);
        int offset = GuestRam.chunkOffset(first);
        if (offset > chunk.length - length) {
            return null; // spans two chunks of the array
        }
        at[0] = offset;
        return chunk;
    }

    /** Takes the next chain of {@code q}, or null. */
    protected final Virtqueue.Chain pop(Virtqueue q) throws Virtqueue.GuestError {
        return q.pop(bus, dma(), negotiated(VIRTIO_RING_F_INDIRECT_DESC), negotiated(VIRTIO_RING_F_EVENT_IDX));
    }

    /** Puts a chain on the used ring (not yet published). */
    protected final void push(Virtqueue q, Virtqueue.Chain chain, int written) {
        q.push(dma(), chain.head(), written);
    }

    /** Publishes the used entries of {@code q} and interrupts the driver if it wants that. */
    protected final void publish(Virtqueue q) {
        if (q.flushUsed(dma()) && q.needsInterrupt(dma(), negotiated(VIRTIO_RING_F_EVENT_IDX))) {
            interrupt(VIRTIO_PCI_ISR_QUEUE, q.msixVector);
        }
    }

    /** The device configuration changed (a link came up): bump the generation, interrupt. */
    protected final void configChanged() {
        configGeneration = (configGeneration + 1) & 0xFF;
        if ((status & VIRTIO_CONFIG_S_DRIVER_OK) != 0) {
            interrupt(VIRTIO_PCI_ISR_CONFIG, configVector);
        }
    }

    /**
     * Something the driver did leaves the device unable to go on: log it, set
     * DEVICE_NEEDS_RESET and tell the driver by a configuration interrupt (section 2.1.2).
     */
    protected final void needsReset(String why) {
        guestError("%s; device needs reset", why);
        if ((status & VIRTIO_CONFIG_S_NEEDS_RESET) == 0) {
            status |= VIRTIO_CONFIG_S_NEEDS_RESET;
            if ((status & VIRTIO_CONFIG_S_DRIVER_OK) != 0) {
                interrupt(VIRTIO_PCI_ISR_CONFIG, configVector);
            }
        }
    }

    protected final void guestError(String format, Object... args) {
        if (guestErrors++ < 100 || guestErrors % 10_000 == 0) {
            log.warn("guest error: {}: {}", name(), String.format(format, args));
        }
    }

    /** How many guest errors were logged (tests, diagnostics). */
    public final synchronized long guestErrors() {
        return guestErrors;
    }

    public final synchronized int status() {
        return status;
    }

    // ---- interrupts ----

    private void interrupt(int isrBit, int vector) {
        if (msixEnabled()) {
            if (vector != VIRTIO_MSI_NO_VECTOR && vector < msixVectors) {
                msixNotify(vector);
            }
            return;
        }
        isr |= isrBit;
        setIrq(true);
    }

    private int readIsr() {
        int v = isr;
        isr = 0;
        setIrq(false);
        return v;
    }

    private boolean msixEnabled() {
        return (configRead(msixCap + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_ENABLE) != 0;
    }

    private boolean msixMasked(int vector) {
        return (configRead(msixCap + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_MASKALL) != 0
                || (msixTable[vector * 4 + 3] & PCI_MSIX_ENTRY_CTRL_MASKBIT) != 0;
    }

    /** An MSI-X message: the vector's data written to its address, or its PBA bit while masked. */
    private void msixNotify(int vector) {
        if (msixMasked(vector)) {
            msixPending[vector / 64] |= 1L << (vector % 64);
            return;
        }
        long address = (msixTable[vector * 4] & 0xFFFF_FFFFL) | (long) msixTable[vector * 4 + 1] << 32;
        // The x86 MSI window (the local APICs) or RAM: a message aimed at a device's registers
        // (this one's doorbells, say) is a driver bug, and dropped.
        if ((address & ~0xF_FFFFL) != MSI_ADDRESS_BASE && bus.ramOffset(address) < 0) {
            guestError("MSI-X vector %d's message address %#x is neither in the MSI window nor in RAM; dropped",
                    vector, address);
            return;
        }
        if (inMsiWrite) {
            guestError("MSI-X vector %d's message at %#x came back into the device; dropped", vector, address);
            return;
        }
        inMsiWrite = true;
        try {
            dma().writeInt(address, msixTable[vector * 4 + 2]);
        } finally {
            inMsiWrite = false;
        }
    }

    private void msixDeliverUnmasked() {
        if (!msixEnabled()) {
            return;
        }
        for (int v = 0; v < msixVectors; v++) {
            if ((msixPending[v / 64] & 1L << (v % 64)) != 0 && !msixMasked(v)) {
                msixPending[v / 64] &= ~(1L << (v % 64));
                msixNotify(v);
            }
        }
    }

    @Override
    protected void configWritten(int offset, int size, int value) {
        if (offset <= msixCap + PCI_MSIX_FLAGS + 1 && offset + size > msixCap + PCI_MSIX_FLAGS) {
            if (msixEnabled()) {
                setIrq(false); // INTx is not used while MSI-X is enabled
            }
            msixDeliverUnmasked();
        }
    }

    // ---- reset and status ----

    private void resetTransport() {
        status = 0;
        isr = 0;
        driverFeatures = 0;
        deviceFeatureSelect = 0;
        driverFeatureSelect = 0;
        queueSelect = 0;
        configVector = VIRTIO_MSI_NO_VECTOR;
        legacyDriver = false;
        for (Virtqueue q : queues) {
            q.reset();
        }
    }

    /** Every vector masked, nothing pending, as after power-on (MSI-X section 6.8.2.9). */
    private void resetMsix() {
        java.util.Arrays.fill(msixTable, 0);
        for (int v = 0; v < msixVectors; v++) {
            msixTable[v * 4 + 3] = PCI_MSIX_ENTRY_CTRL_MASKBIT;
        }
        java.util.Arrays.fill(msixPending, 0);
    }

    @Override
    protected final void resetDevice() {
        resetTransport();
        resetMsix();
        resetVirtioDevice();
    }

    /** A device reset by the driver (status 0): queues, features and interrupts back to power-on. */
    private void virtioReset() {
        resetTransport();
        setIrq(false);
        resetVirtioDevice();
    }

    private long hostFeatures() {
        long f = deviceFeatures() | 1L << VIRTIO_RING_F_INDIRECT_DESC | 1L << VIRTIO_RING_F_EVENT_IDX;
        if (mode.hasModern()) {
            f |= 1L << VIRTIO_F_VERSION_1;
        }
        if (mode.hasLegacy()) {
            f |= 1L << VIRTIO_F_ANY_LAYOUT;
        }
        return f;
    }

    private void writeStatus(int value, boolean legacy) {
        value &= 0xFF;
        if (value == 0) {
            virtioReset();
            return;
        }
        if (!legacy && (value & VIRTIO_CONFIG_S_FEATURES_OK) != 0 && (status & VIRTIO_CONFIG_S_FEATURES_OK) == 0) {
            long offered = hostFeatures();
            if ((driverFeatures & ~offered) != 0) {
                guestError("driver accepted features %#x that were not offered (%#x); FEATURES_OK refused",
                        driverFeatures & ~offered, offered);
                value &= ~VIRTIO_CONFIG_S_FEATURES_OK;
            } else if (!negotiated(VIRTIO_F_VERSION_1)) {
                guestError("driver on the modern interface did not accept VERSION_1; FEATURES_OK refused");
                value &= ~VIRTIO_CONFIG_S_FEATURES_OK;
            }
        }
        int old = status;
        status = (value & ~VIRTIO_CONFIG_S_NEEDS_RESET) | (old & VIRTIO_CONFIG_S_NEEDS_RESET);
        if ((status & VIRTIO_CONFIG_S_DRIVER_OK) != 0 && (old & VIRTIO_CONFIG_S_DRIVER_OK) == 0) {
            driverReady();
            // Buffers made available before DRIVER_OK are looked at now.
            for (Virtqueue q : queues) {
                if (q.ready()) {
                    notifyQueue(q.index);
                }
            }
        }
    }

    private void notifyQueue(int index) {
        if (index < 0 || index >= queues.length) {
            guestError("notification for queue %d, which does not exist (%d queues)", index, queues.length);
            return;
        }
        Virtqueue q = queues[index];
        if (!q.ready()) {
            guestError("notification for queue %d, which is not set up", index);
            return;
        }
        if (!live()) {
            return; // before DRIVER_OK, or waiting for a reset: buffers stay where they are
        }
        try {
            queueNotified(q);
        } catch (Virtqueue.GuestError e) {
            needsReset(e.getMessage());
        }
    }

    // ---- the modern interface: BAR4 ----

    private final class ModernRegisters implements MmioHandler {
        @Override
        public long mmioRead(long offset, int size) {
            synchronized (VirtioPci.this) {
                int region = (int) (offset / REGION_SIZE);
                int off = (int) (offset % REGION_SIZE);
                return switch (region) {
                    case 0 -> size == 8 ? (commonRead(off, 4) & 0xFFFF_FFFFL) | (commonRead(off + 4, 4) & 0xFFFF_FFFFL) << 32
                            : commonRead(off, size) & 0xFFFF_FFFFL;
                    case 1 -> off == 0 ? readIsr() : 0;
                    case 2 -> deviceConfigRead(off, size);
                    default -> 0; // the notify region reads as zeros
                };
            }
        }

        @Override
        public void mmioWrite(long offset, int size, long value) {
            synchronized (VirtioPci.this) {
                int region = (int) (offset / REGION_SIZE);
                int off = (int) (offset % REGION_SIZE);
                switch (region) {
                    case 0 -> {
                        if (size == 8) {
                            commonWrite(off, 4, (int) value);
                            commonWrite(off + 4, 4, (int) (value >>> 32));
                        } else {
                            commonWrite(off, size, (int) value);
                        }
                    }
                    case 1 -> guestError("write to the ISR status");
                    case 2 -> {
                        if (off + size <= deviceConfigSize()) {
                            writeDeviceConfig(off, size, value);
                        } else {
                            guestError("write past the device configuration at %#x", off);
                        }
                    }
                    default -> notifyQueue(off / NOTIFY_OFF_MULTIPLIER);
                }
            }
        }
    }

    private long deviceConfigRead(int off, int size) {
        if (off + size > deviceConfigSize()) {
            return 0;
        }
        return readDeviceConfig(off, size);
    }

    private Virtqueue selected() {
        return queueSelect < queues.length ? queues[queueSelect] : null;
    }

    /** The common configuration as 32-bit words; narrower reads take their part. */
    private int commonDword(int dword) {
        Virtqueue q = selected();
        return switch (dword) {
            case VIRTIO_PCI_COMMON_DFSELECT -> deviceFeatureSelect;
            case VIRTIO_PCI_COMMON_DF -> deviceFeatureSelect > 1 ? 0 : (int) (hostFeatures() >>> (32 * deviceFeatureSelect));
            case VIRTIO_PCI_COMMON_GFSELECT -> driverFeatureSelect;
            case VIRTIO_PCI_COMMON_GF -> driverFeatureSelect > 1 ? 0 : (int) (driverFeatures >>> (32 * driverFeatureSelect));
            case VIRTIO_PCI_COMMON_MSIX -> configVector | queues.length << 16;
            case VIRTIO_PCI_COMMON_STATUS -> status | configGeneration << 8 | queueSelect << 16;
            case VIRTIO_PCI_COMMON_Q_SIZE -> q == null ? VIRTIO_MSI_NO_VECTOR << 16 : q.size | q.msixVector << 16;
            case VIRTIO_PCI_COMMON_Q_ENABLE -> q == null ? 0 : (q.enabled ? 1 : 0) | q.index << 16;
            case VIRTIO_PCI_COMMON_Q_DESCLO -> q == null ? 0 : (int) q.desc;
            case VIRTIO_PCI_COMMON_Q_DESCHI -> q == null ? 0 : (int) (q.desc >>> 32);
            case VIRTIO_PCI_COMMON_Q_AVAILLO -> q == null ? 0 : (int) q.avail;
            case VIRTIO_PCI_COMMON_Q_AVAILHI -> q == null ? 0 : (int) (q.avail >>> 32);
            case VIRTIO_PCI_COMMON_Q_USEDLO -> q == null ? 0 : (int) q.used;
            case VIRTIO_PCI_COMMON_Q_USEDHI -> q == null ? 0 : (int) (q.used >>> 32);
            default -> 0;
        };
    }

    private int commonRead(int off, int size) {
        int v = commonDword(off & ~3) >>> (8 * (off & 3));
        if ((off & 3) + size > 4) {
            v |= commonDword((off & ~3) + 4) << (8 * (4 - (off & 3)));
        }
        return size == 4 ? v : v & ((1 << (8 * size)) - 1);
    }

    private void commonWrite(int off, int size, int value) {
        Virtqueue q = selected();
        switch (off) {
            case VIRTIO_PCI_COMMON_DFSELECT -> deviceFeatureSelect = value;
            case VIRTIO_PCI_COMMON_GFSELECT -> driverFeatureSelect = value;
            case VIRTIO_PCI_COMMON_GF -> {
                if ((status & VIRTIO_CONFIG_S_FEATURES_OK) != 0) {
                    guestError("driver features written after FEATURES_OK");
                } else if (driverFeatureSelect <= 1) {
                    int shift = 32 * driverFeatureSelect;
                    driverFeatures = driverFeatures & ~(0xFFFF_FFFFL << shift) | (value & 0xFFFF_FFFFL) << shift;
                }
            }
            case VIRTIO_PCI_COMMON_MSIX -> configVector = vectorOrNone(value & 0xFFFF);
            case VIRTIO_PCI_COMMON_STATUS -> writeStatus(value, false);
            case VIRTIO_PCI_COMMON_Q_SELECT -> queueSelect = value & 0xFFFF;
            case VIRTIO_PCI_COMMON_Q_SIZE -> {
                if (q != null && !q.enabled) {
                    q.size = value & 0xFFFF;
                }
            }
            case VIRTIO_PCI_COMMON_Q_MSIX -> {
                if (q != null) {
                    q.msixVector = vectorOrNone(value & 0xFFFF);
                }
            }
            case VIRTIO_PCI_COMMON_Q_ENABLE -> {
                if (q != null && (value & 0xFFFF) == 1) {
                    enableQueue(q);
                } else if (q != null) {
                    guestError("queue_enable written with %d for queue %d", value & 0xFFFF, q.index);
                }
            }
            case VIRTIO_PCI_COMMON_Q_DESCLO -> setAddress(q, 0, false, value);
            case VIRTIO_PCI_COMMON_Q_DESCHI -> setAddress(q, 0, true, value);
            case VIRTIO_PCI_COMMON_Q_AVAILLO -> setAddress(q, 1, false, value);
            case VIRTIO_PCI_COMMON_Q_AVAILHI -> setAddress(q, 1, true, value);
            case VIRTIO_PCI_COMMON_Q_USEDLO -> setAddress(q, 2, false, value);
            case VIRTIO_PCI_COMMON_Q_USEDHI -> setAddress(q, 2, true, value);
            default -> guestError("write of %d bytes to read-only or reserved common configuration %#x", size, off);
        }
    }

    private int vectorOrNone(int vector) {
        return vector < msixVectors ? vector : VIRTIO_MSI_NO_VECTOR;
    }

    private void setAddress(Virtqueue q, int which, boolean high, int value) {
        if (q == null) {
            guestError("queue address written with queue_select %d, which does not exist", queueSelect);
            return;
        }
        if (q.enabled) {
            guestError("queue %d address written while the queue is enabled", q.index);
            return;
        }
        long v = value & 0xFFFF_FFFFL;
        switch (which) {
            case 0 -> q.desc = high ? (q.desc & 0xFFFF_FFFFL) | v << 32 : (q.desc & ~0xFFFF_FFFFL) | v;
            case 1 -> q.avail = high ? (q.avail & 0xFFFF_FFFFL) | v << 32 : (q.avail & ~0xFFFF_FFFFL) | v;
            default -> q.used = high ? (q.used & 0xFFFF_FFFFL) | v << 32 : (q.used & ~0xFFFF_FFFFL) | v;
        }
    }

    private void enableQueue(Virtqueue q) {
        if (q.size == 0 || Integer.bitCount(q.size) != 1 || q.size > q.maxSize) {
            needsReset(String.format("queue %d enabled with size %d (a power of two up to %d is needed)",
                    q.index, q.size, q.maxSize));
            return;
        }
        if ((q.desc & 15) != 0 || (q.avail & 1) != 0 || (q.used & 3) != 0) {
            needsReset(String.format("queue %d enabled with misaligned rings (desc %#x, driver %#x, device %#x)",
                    q.index, q.desc, q.avail, q.used));
            return;
        }
        String outside = q.ringsOutsideRam(bus);
        if (outside != null) {
            needsReset(outside);
            return;
        }
        q.enabled = true;
    }

    // ---- the legacy interface: BAR0 ----

    private int legacyConfigStart() {
        return msixEnabled() ? VIRTIO_PCI_CONFIG_OFF_MSIX : VIRTIO_PCI_CONFIG_OFF;
    }

    private int legacyHeaderDword(int dword, boolean readIsr) {
        Virtqueue q = selected();
        return switch (dword) {
            case VIRTIO_PCI_HOST_FEATURES -> (int) hostFeatures();
            case VIRTIO_PCI_GUEST_FEATURES -> (int) driverFeatures;
            case VIRTIO_PCI_QUEUE_PFN -> q == null || !q.enabled ? 0 : (int) (q.desc / Virtqueue.VIRTIO_PCI_VRING_ALIGN);
            case VIRTIO_PCI_QUEUE_NUM -> (q == null ? 0 : q.maxSize) | queueSelect << 16;
            case VIRTIO_PCI_QUEUE_NOTIFY -> status << 16 | (readIsr ? readIsr() : isr) << 24;
            case VIRTIO_MSI_CONFIG_VECTOR -> configVector | (q == null ? VIRTIO_MSI_NO_VECTOR : q.msixVector) << 16;
            default -> 0;
        };
    }

    private final class LegacyRegisters implements IoPortHandler {
        @Override
        public int ioRead(int port, int size) {
            synchronized (VirtioPci.this) {
                int start = legacyConfigStart();
                if (port >= start) {
                    return (int) deviceConfigRead(port - start, size);
                }
                boolean isrTouched = port <= VIRTIO_PCI_ISR && port + size > VIRTIO_PCI_ISR;
                int v = legacyHeaderDword(port & ~3, isrTouched) >>> (8 * (port & 3));
                return size == 4 ? v : v & ((1 << (8 * size)) - 1);
            }
        }

        @Override
        public void ioWrite(int port, int size, int value) {
            synchronized (VirtioPci.this) {
                int start = legacyConfigStart();
                if (port >= start) {
                    if (port - start + size <= deviceConfigSize()) {
                        writeDeviceConfig(port - start, size, value & (size == 4 ? 0xFFFF_FFFFL : (1L << (8 * size)) - 1));
                    }
                    return;
                }
                legacyDriver = true;
                Virtqueue q = selected();
                switch (port) {
                    case VIRTIO_PCI_GUEST_FEATURES -> {
                        long offered = hostFeatures() & 0xFFFF_FFFFL;
                        if ((value & ~offered) != 0) {
                            guestError("legacy driver accepted features %#x that were not offered", value & ~offered);
                        }
                        driverFeatures = value & offered;
                    }
                    case VIRTIO_PCI_QUEUE_PFN -> {
                        if (q == null) {
                            guestError("queue PFN written with queue_select %d, which does not exist", queueSelect);
                        } else {
                            q.setLegacyAddress(value & 0xFFFF_FFFFL);
                            String outside = q.enabled ? q.ringsOutsideRam(bus) : null;
                            if (outside != null) {
                                q.reset();
                                needsReset(outside);
                            }
                        }
                    }
                    case VIRTIO_PCI_QUEUE_SEL -> queueSelect = value & 0xFFFF;
                    case VIRTIO_PCI_QUEUE_NOTIFY -> notifyQueue(value & 0xFFFF);
                    case VIRTIO_PCI_STATUS -> writeStatus(value, true);
                    case VIRTIO_MSI_CONFIG_VECTOR -> configVector = vectorOrNone(value & 0xFFFF);
                    case VIRTIO_MSI_QUEUE_VECTOR -> {
                        if (q != null) {
                            q.msixVector = vectorOrNone(value & 0xFFFF);
                        }
                    }
                    default -> guestError("legacy write of %d bytes to read-only register %#x", size, port);
                }
            }
        }
    }

    // ---- the MSI-X table and PBA: BAR1 ----

    private final class MsixRegisters implements MmioHandler {
        @Override
        public long mmioRead(long offset, int size) {
            synchronized (VirtioPci.this) {
                long v = 0;
                for (int i = 0; i < size; i++) {
                    v |= (long) msixByte(offset + i) << (8 * i);
                }
                return v;
            }
        }

        private int msixByte(long offset) {
            if (offset < (long) msixVectors * PCI_MSIX_ENTRY_SIZE) {
                return msixTable[(int) (offset / 4)] >>> (8 * (offset % 4)) & 0xFF;
            }
            long bit = (offset - MSIX_PBA_OFFSET) * 8;
            if (offset >= MSIX_PBA_OFFSET && bit < msixVectors) {
                return (int) (msixPending[(int) (bit / 64)] >>> (bit % 64)) & 0xFF;
            }
            return 0;
        }

        @Override
        public void mmioWrite(long offset, int size, long value) {
            synchronized (VirtioPci.this) {
                for (int i = 0; i < size; i++) {
                    long at = offset + i;
                    if (at >= (long) msixVectors * PCI_MSIX_ENTRY_SIZE) {
                        continue; // the PBA is read-only
                    }
                    int word = (int) (at / 4);
                    int shift = (int) (8 * (at % 4));
                    int b = (int) (value >>> (8 * i)) & 0xFF;
                    if (word % 4 == 3) {
                        b &= shift == 0 ? PCI_MSIX_ENTRY_CTRL_MASKBIT : 0; // vector control: only the mask bit
                    }
                    msixTable[word] = msixTable[word] & ~(0xFF << shift) | b << shift;
                }
                msixDeliverUnmasked();
            }
        }
    }
}
