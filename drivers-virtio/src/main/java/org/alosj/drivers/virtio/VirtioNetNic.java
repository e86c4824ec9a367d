package org.alosj.drivers.virtio;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.alosj.kernel.device.MacAddress;
import org.alosj.kernel.device.NetDevice;
import org.alosj.kernel.irq.InterruptHandler;
import org.alosj.kernel.irq.InterruptRegistration;
import org.alosj.kernel.pci.MessageInterrupts;
import org.alosj.kernel.mem.DmaBuffer;
import org.alosj.kernel.pci.PciDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A virtio-net device (virtio 1.x section 5.1) as a NetDevice, on receive queue 0 and transmit
 * queue 1. Each receive buffer and transmit slot is a piece of one DMA run: the virtio_net_hdr,
 * then the frame. With VERSION_1 or ANY_LAYOUT both go in one descriptor; a legacy device
 * without ANY_LAYOUT gets the header in a descriptor of its own.
 *
 * <p>The MTU is 1500 unless the device offers another with VIRTIO_NET_F_MTU (QEMU's
 * {@code host_mtu}). A larger one is taken only with mergeable receive buffers and one
 * descriptor a buffer: a frame may then span several receive buffers (num_buffers in the first
 * one's header), which the driver joins, so no buffer has to hold the largest frame. Receive
 * buffers are then a few pages each, transmit slots hold a whole frame.
 *
 * <p>Locking: {@code txLock} covers the transmit queue (callers' threads and the interrupt
 * handler reclaiming); {@code rxLock} the receive queue, which the interrupt handler walks and
 * refills. The receiver is called under rxLock and may transmit, so the order is rxLock, then
 * txLock. {@link #close} resets the device before it frees anything.
 */
final class VirtioNetNic implements NetDevice {
    private static final Logger LOG = LoggerFactory.getLogger("drivers.virtio_net");

    // ---- features ----
    static final int VIRTIO_NET_F_CSUM = 0;
    static final int VIRTIO_NET_F_GUEST_CSUM = 1;
    static final int VIRTIO_NET_F_MTU = 3;
    static final int VIRTIO_NET_F_MAC = 5;
    static final int VIRTIO_NET_F_MRG_RXBUF = 15;
    static final int VIRTIO_NET_F_STATUS = 16;
    // ---- configuration ----
    static final int VIRTIO_NET_CFG_MAC = 0x00;
    static final int VIRTIO_NET_CFG_STATUS = 0x06;
    static final int VIRTIO_NET_CFG_MTU = 0x0A;
    static final int VIRTIO_NET_S_LINK_UP = 1;
    // ---- header ----
    static final int HDR_LEN = 12;
    static final int HDR_LEN_LEGACY = 10;
    static final int HDR_NUM_BUFFERS = 10;

    static final int RX_QUEUE = 0;
    static final int TX_QUEUE = 1;
    static final int QUEUE_SIZE = 256;
    /** Receive buffer and transmit slot size at the standard MTU. */
    static final int BUFFER_SIZE = 2048;
    static final int MTU = 1500;
    static final int MIN_MTU = 68;
    static final int MAX_MTU = 65535;
    /** The largest receive buffer for a larger MTU: a frame beyond it spans buffers. */
    static final int MAX_RX_BUFFER = 16384;
    /** What the transmit slots of a large MTU may take at most (fewer slots, not less MTU). */
    static final int TX_MEMORY_LIMIT = 4 << 20;
    static final int MIN_TX_SLOTS = 16;
    static final int ETH_HLEN = 14;
    /** The frame starts here in a buffer whose header has a descriptor of its own. */
    static final int SPLIT_FRAME_OFFSET = 16;
    private static final byte[] ZERO_HEADER = new byte[HDR_LEN];

    private final PciDevice device;
    private final Transport transport;
    private final String slot;
    private final byte[] mac;
    private final boolean statusFeature;
    private final boolean mergeable;
    private final int hdrLen;
    private final boolean oneDescriptor;
    private final int mtu;
    private final int rxBufferSize;
    private final int txSlotSize;
    private final SplitQueue rx;
    private final SplitQueue tx;
    private final DmaBuffer rxBuffers;
    private final DmaBuffer txBuffers;
    private final int rxCount;
    private final int txSlots;
    private final int[] txFree;
    private int txFreeCount;
    private final int[] txLength;
    /** A frame spanning receive buffers, joined here: buffers still to come, bytes so far, whether to drop it. */
    private final byte[] assembly;
    private int mergeRemaining;
    private int mergeLength;
    private boolean mergeBad;
    private final ReentrantLock txLock = new ReentrantLock();
    private final ReentrantLock rxLock = new ReentrantLock();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final InterruptRegistration irq;
    /** MSI-X entries 0 (configuration), 1 (receive queue), 2 (transmit queue), or null on INTx. */
    private final MessageInterrupts msix;
    /** Set once bring-up is done: a message before then finds nothing to do. */
    private volatile boolean started;
    /** What to do when the device asks for a reset: the driver binds it again (from another thread). */
    private final Runnable onNeedsReset;
    private volatile boolean stopped;
    private volatile Receiver receiver;

    private final LongAdder rxPackets = new LongAdder();
    private final LongAdder rxBytes = new LongAdder();
    private final LongAdder rxErrors = new LongAdder();
    private final LongAdder rxDropped = new LongAdder();
    private final LongAdder txPackets = new LongAdder();
    private final LongAdder txBytes = new LongAdder();
    private final LongAdder txDropped = new LongAdder();
    private final LongAdder interrupts = new LongAdder();

    private VirtioNetNic(PciDevice device, Transport transport, long features, byte[] mac, int mtu,
                         Runnable onNeedsReset) {
        this.device = device;
        this.onNeedsReset = onNeedsReset;
        this.transport = transport;
        this.slot = device.address().toString();
        this.mac = mac;
        this.statusFeature = (features & 1L << VIRTIO_NET_F_STATUS) != 0;
        this.mergeable = (features & 1L << VIRTIO_NET_F_MRG_RXBUF) != 0;
        boolean version1 = (features & 1L << Transport.VIRTIO_F_VERSION_1) != 0;
        this.hdrLen = version1 || mergeable ? HDR_LEN : HDR_LEN_LEGACY;
        this.oneDescriptor = version1 || (features & 1L << Transport.VIRTIO_F_ANY_LAYOUT) != 0;
        this.mtu = mtu;
        this.rxBufferSize = mtu <= MTU ? BUFFER_SIZE : Math.min(MAX_RX_BUFFER, roundUp(hdrLen + ETH_HLEN + mtu, 4096));
        this.txSlotSize = mtu <= MTU ? BUFFER_SIZE : roundUp(SPLIT_FRAME_OFFSET + ETH_HLEN + mtu, BUFFER_SIZE);
        this.assembly = new byte[ETH_HLEN + mtu];
        boolean eventIdx = (features & 1L << Transport.VIRTIO_RING_F_EVENT_IDX) != 0;
        var dma = device.dma();
        MessageInterrupts m = enableMsix(device, transport, slot, List.of(this::configInterrupt,
                this::rxInterrupt, this::txInterrupt));
        SplitQueue rxq = null;
        SplitQueue txq = null;
        DmaBuffer rxb = null;
        DmaBuffer txb = null;
        try {
            rxq = SplitQueue.create(transport, dma, RX_QUEUE, QUEUE_SIZE, eventIdx, "virtio_net " + slot + " rx queue");
            txq = SplitQueue.create(transport, dma, TX_QUEUE, QUEUE_SIZE, eventIdx, "virtio_net " + slot + " tx queue");
            int perChain = oneDescriptor ? 1 : 2;
            rxCount = rxq.size / perChain;
            txSlots = Math.min(txq.size / perChain, Math.max(MIN_TX_SLOTS, TX_MEMORY_LIMIT / txSlotSize));
            rxb = dma.allocate(rxCount * rxBufferSize, 4096, "virtio_net " + slot + " rx buffers");
            txb = dma.allocate(txSlots * txSlotSize, 4096, "virtio_net " + slot + " tx buffers");
        } catch (RuntimeException e) {
            if (m != null) {
                m.close();
            }
            for (Object o : new Object[] {rxq, txq}) {
                if (o != null) {
                    ((SplitQueue) o).close();
                }
            }
            if (rxb != null) {
                rxb.close();
            }
            if (txb != null) {
                txb.close();
            }
            throw e;
        }
        this.rx = rxq;
        this.tx = txq;
        this.rxBuffers = rxb;
        this.txBuffers = txb;
        this.txFree = new int[txSlots];
        for (int i = 0; i < txSlots; i++) {
            txFree[i] = txSlots - 1 - i;
        }
        this.txFreeCount = txSlots;
        this.txLength = new int[txSlots];
        for (int i = 0; i < rxCount; i++) {
            postReceive(i);
        }
        InterruptRegistration registration = null;
        if (m == null) {
            try {
                registration = device.requestIrq("virtio_net " + slot, this::handleInterrupt);
            } catch (RuntimeException e) {
                freeMemory();
                throw e;
            }
        }
        this.irq = registration;
        this.msix = m;
        this.started = true;
    }

    /**
     * MSI-X when the function offers it on the modern interface: entry 0 for configuration
     * changes, 1 for the receive queue, 2 for the transmit queue, each routed in the common
     * configuration (read back, as the device answers VIRTIO_MSI_NO_VECTOR for an entry it cannot
     * use). Null, with the routing cleared, when the driver is to use INTx instead.
     */
    static MessageInterrupts enableMsix(PciDevice device, Transport transport, String name,
                                        List<InterruptHandler> handlers) {
        if (!transport.modern()) {
            return null;
        }
        MessageInterrupts m;
        try {
            m = device.enableMsix("virtio " + name, handlers);
        } catch (IllegalStateException | IllegalArgumentException e) {
            LOG.debug("{}: no MSI-X ({}), using INTx", name, e.getMessage());
            return null;
        }
        if (!transport.setConfigVector(0)) {
            LOG.info("{}: the device refused MSI-X entry 0 for configuration changes; using INTx", name);
            m.close();
            return null;
        }
        for (int q = 0; q < handlers.size() - 1; q++) {
            transport.assignQueueVector(q, q + 1);
        }
        return m;
    }

    private static int roundUp(int n, int to) {
        return (n + to - 1) / to * to;
    }

    /**
     * The MTU to use: the device's (VIRTIO_NET_F_MTU offered, read before FEATURES_OK as Linux
     * does) when it is valid and the driver can receive such frames, else none (0): 1500 then.
     */
    private static int deviceMtu(Transport transport, long features, PciDevice device) {
        if ((features & 1L << VIRTIO_NET_F_MTU) == 0) {
            return 0;
        }
        int mtu = transport.config16(VIRTIO_NET_CFG_MTU);
        boolean joins = (features & 1L << VIRTIO_NET_F_MRG_RXBUF) != 0
                && (features & (1L << Transport.VIRTIO_F_VERSION_1 | 1L << Transport.VIRTIO_F_ANY_LAYOUT)) != 0;
        if (mtu < MIN_MTU || mtu > MTU && !joins) {
            LOG.info("{}: ignoring the device's MTU {} ({})", device.address(), mtu,
                    mtu < MIN_MTU ? "below " + MIN_MTU : "larger frames need mergeable buffers");
            return 0;
        }
        return mtu;
    }

    /** How the device interrupts: {@code PCI-MSI-X} or {@code INTx}. */
    String interruptMode() {
        return msix != null ? msix.kind() : "INTx";
    }

    // ---- interrupt context, MSI-X: one vector a source, no ISR to read ----

    private boolean configInterrupt(int vector) {
        if (!started || stopped) {
            return false;
        }
        interrupts.increment();
        if ((transport.status() & Transport.VIRTIO_CONFIG_S_NEEDS_RESET) != 0) {
            rxLock.lock();
            try {
                if (stopped) {
                    return true;
                }
                stopped = true;
            } finally {
                rxLock.unlock();
            }
            LOG.error("{}: the device set DEVICE_NEEDS_RESET; binding it again", slot);
            onNeedsReset.run();
        }
        return true;
    }

    private boolean rxInterrupt(int vector) {
        if (!started || stopped) {
            return false;
        }
        interrupts.increment();
        receive();
        return true;
    }

    private boolean txInterrupt(int vector) {
        if (!started || stopped) {
            return false;
        }
        interrupts.increment();
        txLock.lock();
        try {
            reclaim();
        } finally {
            txLock.unlock();
        }
        return true;
    }

    /**
     * Brings the device up: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK (modern), both
     * queues with every receive buffer posted, DRIVER_OK. On failure the device is left reset
     * and everything taken is given back.
     */
    static VirtioNetNic open(PciDevice device, Transport transport, Runnable onNeedsReset) {
        transport.reset();
        transport.addStatus(Transport.VIRTIO_CONFIG_S_ACKNOWLEDGE);
        transport.addStatus(Transport.VIRTIO_CONFIG_S_DRIVER);
        long offered = transport.deviceFeatures();
        long wanted = 1L << VIRTIO_NET_F_MAC | 1L << VIRTIO_NET_F_STATUS | 1L << VIRTIO_NET_F_MRG_RXBUF
                | 1L << Transport.VIRTIO_RING_F_EVENT_IDX | 1L << Transport.VIRTIO_F_ANY_LAYOUT
                | 1L << VIRTIO_NET_F_MTU
                | (transport.modern() ? 1L << Transport.VIRTIO_F_VERSION_1 : 0);
        long features = offered & wanted;
        int mtu = deviceMtu(transport, features, device);
        if (mtu == 0) {
            features &= ~(1L << VIRTIO_NET_F_MTU);
            mtu = MTU;
        }
        VirtioDevices.negotiate(transport, features);
        byte[] mac = new byte[6];
        if ((features & 1L << VIRTIO_NET_F_MAC) != 0) {
            for (int i = 0; i < 6; i++) {
                mac[i] = (byte) transport.config8(VIRTIO_NET_CFG_MAC + i);
            }
        } else {
            // No address from the device: a random locally administered one, as Linux does.
            new java.util.Random().nextBytes(mac);
            mac[0] = (byte) (mac[0] & 0xFE | 0x02);
        }
        if (!MacAddress.fromBytes(mac).isValidUnicast()) {
            transport.addStatus(Transport.VIRTIO_CONFIG_S_FAILED);
            throw new IllegalStateException(device.address() + ": the device's MAC " + MacAddress.format(mac) + " is not a unicast address");
        }
        device.setBusMaster(true);
        VirtioNetNic nic;
        try {
            nic = new VirtioNetNic(device, transport, features, mac, mtu, onNeedsReset);
        } catch (RuntimeException e) {
            transport.reset();
            transport.addStatus(Transport.VIRTIO_CONFIG_S_FAILED);
            device.setBusMaster(false);
            throw e;
        }
        transport.addStatus(Transport.VIRTIO_CONFIG_S_DRIVER_OK);
        nic.rx.kick();
        LOG.info("{}: virtio-net ({}), {}, MAC {}, MTU {}, {} receive buffers of {} bytes{}", device.address(),
                transport.describe(), nic.msix != null ? "MSI-X vectors " + nic.msix.vectors() : "IRQ " + device.irq(),
                MacAddress.format(mac), mtu, nic.rxCount, nic.rxBufferSize, nic.mergeable ? ", mergeable" : "");
        return nic;
    }

    /** Gives receive buffer {@code i} to the device (not yet kicked); rxLock held or bring-up. */
    private void postReceive(int i) {
        long base = rxBuffers.physicalAddress() + (long) i * rxBufferSize;
        boolean added = oneDescriptor
                ? rx.add(new long[] {base}, new int[] {rxBufferSize}, 0, i)
                : rx.add(new long[] {base, base + SPLIT_FRAME_OFFSET}, new int[] {hdrLen, rxBufferSize - SPLIT_FRAME_OFFSET}, 0, i);
        if (!added) {
            throw new IllegalStateException(slot + ": receive queue full while posting buffer " + i);
        }
    }

    // ---- interrupt context ----

    private boolean handleInterrupt(int line) {
        // Stopped first: a handler still running as the next driver takes the device over must
        // not read (and so clear) the ISR that is now that driver's.
        int isr;
        rxLock.lock(); // close() sets stopped under it
        try {
            if (stopped) {
                return false;
            }
            isr = transport.readIsr();
        } finally {
            rxLock.unlock();
        }
        if (isr == 0xFF && !device.present()) {
            return false;
        }
        if ((isr & (Transport.VIRTIO_PCI_ISR_QUEUE | Transport.VIRTIO_PCI_ISR_CONFIG)) == 0) {
            return false;
        }
        interrupts.increment();
        if ((isr & Transport.VIRTIO_PCI_ISR_CONFIG) != 0
                && (transport.status() & Transport.VIRTIO_CONFIG_S_NEEDS_RESET) != 0) {
            if (!stopped) {
                LOG.error("{}: the device set DEVICE_NEEDS_RESET; binding it again", slot);
                stopped = true;
                onNeedsReset.run();
            }
            return true;
        }
        receive();
        txLock.lock();
        try {
            reclaim();
        } finally {
            txLock.unlock();
        }
        return true;
    }

    /** Takes every frame the device has written, as one receive batch, and reposts the buffers. */
    private void receive() {
        rxLock.lock();
        try {
            do {
                SplitQueue.Used u;
                while (!stopped && (u = rx.next()) != null) {
                    int i = (Integer) u.token();
                    byte[] frame = take(i, u.length());
                    postReceive(i);
                    if (frame != null) {
                        deliver(frame, rx.hasUsed());
                    }
                }
                rx.kick();
            } while (!stopped && rx.enableInterrupts());
        } catch (IllegalStateException e) {
            LOG.error("{}: {}", slot, e.getMessage());
            stopped = true;
        } finally {
            rxLock.unlock();
        }
    }

    /**
     * Takes what the device wrote into receive buffer {@code i}: a whole frame, or a piece of
     * one spanning buffers (then null until its last piece). rxLock held.
     */
    private byte[] take(int i, int written) {
        int base = i * rxBufferSize;
        if (mergeRemaining == 0) { // the first buffer of a frame, after the header
            int buffers = mergeable ? rxBuffers.read16(base + HDR_NUM_BUFFERS) : 1;
            int dataAt = oneDescriptor ? hdrLen : SPLIT_FRAME_OFFSET;
            int length = written - hdrLen;
            if (buffers == 1) {
                if (length < ETH_HLEN || length > rxBufferSize - dataAt || length > assembly.length) {
                    rxErrors.increment();
                    return null;
                }
                return rxBuffers.copyOut(base + dataAt, length);
            }
            // Several buffers only where the driver joins them (one descriptor a buffer).
            mergeBad = buffers < 1 || buffers > rxCount || !oneDescriptor || length < 0 || length > rxBufferSize - dataAt;
            mergeRemaining = buffers < 1 || buffers > rxCount ? 1 : buffers; // nonsense: this buffer alone
            mergeLength = 0;
            append(base + dataAt, length);
        } else {
            append(base, written);
        }
        if (--mergeRemaining > 0) {
            return null;
        }
        if (mergeBad || mergeLength < ETH_HLEN) {
            rxErrors.increment();
            return null;
        }
        return java.util.Arrays.copyOf(assembly, mergeLength);
    }

    /** Adds a piece of a spanning frame; one that does not fit marks the frame bad. */
    private void append(int at, int length) {
        if (mergeBad || length < 0 || length > rxBufferSize || mergeLength + length > assembly.length) {
            mergeBad = true;
            return;
        }
        rxBuffers.read(at, assembly, mergeLength, length);
        mergeLength += length;
    }

    private void deliver(byte[] frame, boolean more) {
        Receiver r = receiver;
        if (r == null) {
            rxDropped.increment();
            return;
        }
        rxPackets.increment();
        rxBytes.add(frame.length);
        try {
            r.frameReceived(this, frame, 0, frame.length, more);
        } catch (RuntimeException e) {
            LOG.warn("{}: receiver failed on a {}-byte frame: {}", slot, frame.length, e.toString(), e);
        }
    }

    /** Retires the transmit slots the device is done with; txLock held. */
    private void reclaim() {
        SplitQueue.Used u;
        while (!stopped && (u = tx.next()) != null) {
            int s = (Integer) u.token();
            txPackets.increment();
            txBytes.add(txLength[s]);
            txFree[txFreeCount++] = s;
        }
    }

    // ---- NetDevice ----

    @Override
    public byte[] macAddress() {
        return mac.clone();
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public boolean linkUp() {
        if (stopped || !device.present()) {
            return false;
        }
        return !statusFeature || (transport.config16(VIRTIO_NET_CFG_STATUS) & VIRTIO_NET_S_LINK_UP) != 0;
    }

    @Override
    public boolean transmit(byte[] frame, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, frame.length);
        if (length < ETH_HLEN || length > ETH_HLEN + mtu) {
            throw new IllegalArgumentException(String.format(
                    "%s: cannot send a %d-byte frame (%d..%d bytes)", slot, length, ETH_HLEN, ETH_HLEN + mtu));
        }
        txLock.lock();
        try {
            if (stopped) {
                txDropped.increment();
                return false;
            }
            if (txFreeCount == 0) {
                reclaim();
            }
            if (txFreeCount == 0) {
                txDropped.increment();
                return false;
            }
            int s = txFree[--txFreeCount];
            int at = s * txSlotSize;
            // A zeroed header: no checksum to complete, no segmentation, num_buffers unused.
            txBuffers.write(at, ZERO_HEADER, 0, hdrLen);
            long base = txBuffers.physicalAddress() + at;
            boolean added;
            if (oneDescriptor) {
                txBuffers.write(at + hdrLen, frame, offset, length);
                added = tx.add(new long[] {base}, new int[] {hdrLen + length}, 1, s);
            } else {
                txBuffers.write(at + SPLIT_FRAME_OFFSET, frame, offset, length);
                added = tx.add(new long[] {base, base + SPLIT_FRAME_OFFSET}, new int[] {hdrLen, length}, 2, s);
            }
            if (!added) {
                txFree[txFreeCount++] = s;
                txDropped.increment();
                return false;
            }
            txLength[s] = length;
            tx.kick();
            if (txFreeCount < txSlots / 2) {
                reclaim(); // the device finishes a frame before the notification returns
            }
            return true;
        } finally {
            txLock.unlock();
        }
    }

    @Override
    public void setReceiver(Receiver receiver) {
        this.receiver = receiver;
    }

    @Override
    public Statistics statistics() {
        txLock.lock();
        try {
            if (!stopped) {
                reclaim();
            }
        } finally {
            txLock.unlock();
        }
        return new Statistics(rxPackets.sum(), rxBytes.sum(), rxErrors.sum(), rxDropped.sum(),
                txPackets.sum(), txBytes.sum(), 0, txDropped.sum(), interrupts.sum());
    }

    String slot() {
        return slot;
    }

    // ---- teardown ----

    /** Resets the device (DMA stops), then gives back the handler, queues and buffers. Idempotent. */
    void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        boolean present = device.present();
        rxLock.lock();
        txLock.lock();
        try {
            stopped = true;
            if (present) {
                transport.reset();
            }
        } finally {
            txLock.unlock();
            rxLock.unlock();
        }
        if (msix != null) {
            msix.close();
        }
        if (irq != null) {
            irq.close();
        }
        rxLock.lock();
        txLock.lock();
        try {
            freeMemory();
        } finally {
            txLock.unlock();
            rxLock.unlock();
        }
        if (present) {
            device.setBusMaster(false);
        }
        LOG.info("{}: virtio-net stopped{}", slot, present ? "" : " (device gone)");
    }

    private void freeMemory() {
        rx.close();
        tx.close();
        rxBuffers.close();
        txBuffers.close();
    }
}
