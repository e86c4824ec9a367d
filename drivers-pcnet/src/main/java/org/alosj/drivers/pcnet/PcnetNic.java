package org.alosj.drivers.pcnet;

import static org.alosj.drivers.pcnet.PcnetRegisters.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.alosj.kernel.device.MacAddress;
import org.alosj.kernel.device.NetDevice;
import org.alosj.kernel.irq.InterruptRegistration;
import org.alosj.kernel.mem.DmaAllocator;
import org.alosj.kernel.mem.DmaBuffer;
import org.alosj.kernel.pci.IoRegion;
import org.alosj.kernel.pci.PciBar;
import org.alosj.kernel.pci.PciDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Am79C970A brought up and offered as a NetDevice. Bring-up ({@link #open}): reset, chip ID,
 * station address from the APROM, SWSTYLE 2, then the initialization block and both rings in DMA
 * memory, INIT with interrupts on, IDON (from the interrupt handler), STRT.
 *
 * <p>Memory: one page holds the init block and both descriptor rings; each ring has one
 * physically contiguous run of 1536-byte buffers, slot i's buffer at i * 1536. Every frame fits
 * one buffer (STP and ENP in the same descriptor).
 *
 * <p>Locking: {@code lock} covers every RAP+RDP/BDP sequence and the transmit ring, since
 * transmit runs on callers' threads and the handler on the interrupt thread. {@code rxLock}
 * covers the receive ring, which only the handler walks; the receiver is called under it and
 * may transmit, so the order is always rxLock, then lock. {@link #close} takes both before it
 * frees the memory, so no walk is still reading a freed ring.
 */
final class PcnetNic implements NetDevice {
    private static final Logger LOG = LoggerFactory.getLogger("drivers.pcnet32");

    /**
     * 256 receive descriptors (RLEN allows 512): a peer such as passt sends a whole TCP window
     * in one burst, and 32 descriptors overflowed (missed frames, then TCP recovery).
     */
    static final int RX_RING_SIZE = 256;
    static final int TX_RING_SIZE = 64;
    /**
     * Transmit interrupts are asked for on every this many frames only (CSR5 TOKINTD with
     * LTINTEN, and LTINT in those descriptors), as drivers of later chips set "report status"
     * on some descriptors: a TINT per frame woke the interrupt thread once per frame sent. The
     * rest is reclaimed with them, or by {@link #transmit} when half the ring is in flight.
     */
    static final int TX_INTERRUPT_EVERY = TX_RING_SIZE / 4;
    /** Holds a maximal frame (1514) plus FCS (4), rounded up to a multiple of 16. */
    static final int BUFFER_SIZE = 1536;
    static final int MTU = 1500;
    static final int ETH_HLEN = 14;
    static final int ETH_ZLEN = 60;
    static final int ETH_FCS_LEN = 4;
    static final Duration INIT_TIMEOUT = Duration.ofSeconds(1);
    /** All multicast frames pass the logical address filter; the stack filters them itself. */
    static final long LADRF_ALL_MULTICAST = -1L;

    // Layout of the control page.
    static final int INIT_BLOCK_OFFSET = 0x000;
    static final int RX_RING_OFFSET = 0x100;
    static final int TX_RING_OFFSET = RX_RING_OFFSET + RX_RING_SIZE * DESCRIPTOR_SIZE;
    static final int CONTROL_SIZE = (TX_RING_OFFSET + TX_RING_SIZE * DESCRIPTOR_SIZE + 4095) & ~4095;

    private final PciDevice device;
    private final PcnetIo io;
    private final String slot;
    private final String model;
    private final byte[] mac;
    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock rxLock = new ReentrantLock();
    private final TxRing tx = new TxRing(TX_RING_SIZE);
    private final int[] txLength = new int[TX_RING_SIZE];
    private final byte[] padding = new byte[ETH_ZLEN];
    private final CountDownLatch initDone = new CountDownLatch(1);
    private final AtomicBoolean closing = new AtomicBoolean();
    private final List<DmaBuffer> dmaBuffers = new ArrayList<>();
    private DmaBuffer control;
    private DmaBuffer rxBuffers;
    private DmaBuffer txBuffers;
    private InterruptRegistration irq;
    private int rxNext; // guarded by rxLock
    private volatile boolean stopped;
    private volatile int causesSeen; // CSR0 causes OR-ed together, for bring-up diagnostics
    private volatile Receiver receiver;

    private final LongAdder rxPackets = new LongAdder();
    private final LongAdder rxBytes = new LongAdder();
    private final LongAdder rxErrors = new LongAdder();
    private final LongAdder rxDropped = new LongAdder();
    private final LongAdder txPackets = new LongAdder();
    private final LongAdder txBytes = new LongAdder();
    private final LongAdder txErrors = new LongAdder();
    private final LongAdder txDropped = new LongAdder();
    private final LongAdder interrupts = new LongAdder();

    private PcnetNic(PciDevice device, PcnetIo io, String model, byte[] mac) {
        this.device = device;
        this.io = io;
        this.slot = device.address().toString();
        this.model = model;
        this.mac = mac;
    }

    static PcnetNic open(PciDevice device) {
        return open(device, INIT_TIMEOUT);
    }

    /**
     * Brings the chip up and running. On failure everything taken is given back before the
     * exception leaves.
     *
     * @throws IllegalStateException when the hardware is not a working PCnet (the message says what
     *     was read and what was expected)
     */
    static PcnetNic open(PciDevice device, Duration initTimeout) {
        String where = device.address().toString();
        PciBar bar = device.bars().stream().filter(PciBar::isIo).findFirst()
                .orElseThrow(() -> new IllegalStateException(where + ": no I/O BAR; the PCnet decodes its registers in BAR0"));
        if (bar.size() < IO_SIZE) {
            throw new IllegalStateException(String.format("%s: I/O BAR%d is %d bytes, the PCnet needs %d",
                    where, bar.index(), bar.size(), IO_SIZE));
        }
        device.enable();
        IoRegion region = device.ioRegion(bar.index());
        PcnetIo io = PcnetIo.resetAndDetect(region);

        int chipId = io.readCsr(CSR88) | io.readCsr(CSR89) << 16;
        if ((chipId & 0xFFF) != CHIP_ID_AMD) {
            throw new IllegalStateException(String.format(
                    "%s: CSR88/89 chip ID %08x is not AMD's (low 12 bits %03x, expected %03x)",
                    where, chipId, chipId & 0xFFF, CHIP_ID_AMD));
        }
        String model = modelOf(chipId >>> 12 & 0xFFFF);
        if (model == null) {
            throw new IllegalStateException(String.format("%s: unknown PCnet part %04x (chip ID %08x)",
                    where, chipId >>> 12 & 0xFFFF, chipId));
        }

        byte[] mac = new byte[6];
        for (int i = 0; i < mac.length; i++) {
            mac[i] = (byte) io.readAprom(i);
        }
        if (!MacAddress.fromBytes(mac).isValidUnicast()) {
            throw new IllegalStateException(where + ": the APROM holds no valid station address: " + MacAddress.format(mac));
        }

        PcnetNic nic = new PcnetNic(device, io, model, mac);
        try {
            nic.start(initTimeout);
        } catch (RuntimeException | Error e) {
            nic.close();
            throw e;
        }
        LOG.info("{}: {} at I/O {} ({}), IRQ {}, MAC {}", where, model, String.format("%#x", region.base()),
                io.dwio() ? "DWIO" : "WIO", device.irq(), MacAddress.format(mac));
        return nic;
    }

    static String modelOf(int part) {
        return switch (part) {
            case PART_AM79C970 -> "Am79C970";
            case PART_AM79C970A -> "Am79C970A";
            case PART_AM79C971 -> "Am79C971";
            case PART_AM79C972 -> "Am79C972";
            case PART_AM79C973 -> "Am79C973";
            case PART_AM79C975 -> "Am79C975";
            case PART_AM79C978 -> "Am79C978";
            default -> null;
        };
    }

    private void start(Duration initTimeout) {
        // 32-bit structures. BCR20 is only writable while the chip is stopped, as it is after reset.
        io.writeBcr(BCR20, SWSTYLE_PCNET_PCI);
        int bcr20 = io.readBcr(BCR20);
        if ((bcr20 & BCR20_SWSTYLE) != SWSTYLE_PCNET_PCI || (bcr20 & BCR20_SSIZE32) == 0) {
            throw new IllegalStateException(String.format(
                    "%s: BCR20 reads %04x after writing SWSTYLE %d (expected SWSTYLE %d with SSIZE32)",
                    slot, bcr20, SWSTYLE_PCNET_PCI, SWSTYLE_PCNET_PCI));
        }
        // LED0 shows link status after H_RESET; linkUp() relies on it, so make sure.
        int bcr4 = io.readBcr(BCR4);
        if ((bcr4 & BCR4_LNKSTE) == 0) {
            io.writeBcr(BCR4, bcr4 | BCR4_LNKSTE);
        }

        DmaAllocator dma = device.dma();
        control = allocate(dma, CONTROL_SIZE, "pcnet32 init block and rings");
        rxBuffers = allocate(dma, RX_RING_SIZE * BUFFER_SIZE, "pcnet32 rx buffers");
        txBuffers = allocate(dma, TX_RING_SIZE * BUFFER_SIZE, "pcnet32 tx buffers");
        for (int i = 0; i < RX_RING_SIZE; i++) {
            int d = RX_RING_OFFSET + i * DESCRIPTOR_SIZE;
            control.write32(d + MD0, (int) (rxBuffers.physicalAddress() + (long) i * BUFFER_SIZE));
            control.write32(d + MD2, 0);
            control.write32(d + MD3, 0);
            control.write32(d + MD1, Descriptors.rmd1ForChip(BUFFER_SIZE));
        }
        for (int i = 0; i < TX_RING_SIZE; i++) {
            int d = TX_RING_OFFSET + i * DESCRIPTOR_SIZE;
            control.write32(d + MD0, (int) (txBuffers.physicalAddress() + (long) i * BUFFER_SIZE));
            control.write32(d + MD1, MD1_ONES); // the driver's (OWN clear) until a frame is queued
            control.write32(d + MD2, 0);
            control.write32(d + MD3, 0);
        }
        int[] block = Descriptors.initBlock(MODE_NORMAL, RX_RING_SIZE, TX_RING_SIZE, mac, LADRF_ALL_MULTICAST,
                control.physicalAddress() + RX_RING_OFFSET, control.physicalAddress() + TX_RING_OFFSET);
        for (int i = 0; i < block.length; i++) {
            control.write32(INIT_BLOCK_OFFSET + 4 * i, block[i]);
        }

        device.setBusMaster(true);
        irq = device.requestIrq("pcnet32 " + slot, this::handleInterrupt);
        long iadr = control.physicalAddress() + INIT_BLOCK_OFFSET;
        lock.lock();
        try {
            io.writeCsr(CSR5, CSR5_TOKINTD | CSR5_LTINTEN);
            io.writeCsr(CSR1, (int) iadr & 0xFFFF);
            io.writeCsr(CSR2, (int) (iadr >>> 16) & 0xFFFF);
            io.writeCsr(CSR0, CSR0_INIT | CSR0_IENA);
        } finally {
            lock.unlock();
        }
        awaitInitDone(initTimeout);
        lock.lock();
        try {
            io.writeCsr(CSR0, CSR0_STRT | CSR0_IENA);
        } finally {
            lock.unlock();
        }
    }

    private DmaBuffer allocate(DmaAllocator dma, int size, String owner) {
        DmaBuffer b = dma.allocate(size, DESCRIPTOR_SIZE, owner);
        dmaBuffers.add(b);
        return b;
    }

    private void awaitInitDone(Duration timeout) {
        boolean done;
        try {
            done = initDone.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(slot + ": interrupted while waiting for IDON", e);
        }
        if (done) {
            return;
        }
        int csr0;
        lock.lock();
        try {
            csr0 = io.readCsr(CSR0);
        } finally {
            lock.unlock();
        }
        if ((csr0 & CSR0_IDON) != 0) {
            throw new IllegalStateException(String.format(
                    "%s: the chip finished INIT (CSR0 %04x) but no interrupt came on IRQ %d within %d ms",
                    slot, csr0, device.irq(), timeout.toMillis()));
        }
        String merr = ((csr0 | causesSeen) & CSR0_MERR) != 0
                ? "; MERR: the chip could not read the init block by DMA" : "";
        throw new IllegalStateException(String.format(
                "%s: no IDON within %d ms of INIT (CSR0 %04x, expected IDON %04x)%s",
                slot, timeout.toMillis(), csr0, CSR0_IDON, merr));
    }

    // ---- interrupt context ----

    /** Claims the interrupt if the chip raised it; acknowledges first, then does the work. */
    boolean handleInterrupt(int line) {
        int csr0;
        lock.lock();
        try {
            if (stopped) {
                return false;
            }
            csr0 = io.readCsr(CSR0);
            if (csr0 == 0xFFFF || (csr0 & CSR0_INTR) == 0) {
                return false; // another device on the shared line, or this one is gone
            }
            // Write-one-to-clear the causes we saw; a cause arriving from here on raises INTR again.
            io.writeCsr(CSR0, (csr0 & CSR0_W1C) | CSR0_IENA);
        } finally {
            lock.unlock();
        }
        interrupts.increment();
        causesSeen |= csr0;
        if ((csr0 & CSR0_IDON) != 0) {
            initDone.countDown();
        }
        if ((csr0 & CSR0_MISS) != 0) {
            rxDropped.increment(); // a frame came with no receive descriptor free
        }
        if ((csr0 & CSR0_MERR) != 0) {
            LOG.error("{}: MERR: bus master transfer failed (CSR0 {})", slot, String.format("%04x", csr0));
        }
        if ((csr0 & CSR0_BABL) != 0) {
            txErrors.increment();
            LOG.warn("{}: BABL: transmitter on the wire too long", slot);
        }
        if ((csr0 & CSR0_RINT) != 0) {
            receive();
        }
        if ((csr0 & CSR0_TINT) != 0) {
            lock.lock();
            try {
                reclaimTransmitted();
            } finally {
                lock.unlock();
            }
        }
        return true;
    }

    /**
     * Takes every frame the chip has handed back, at most one ring's worth a call: one receive
     * batch. Each frame goes up with whether the next descriptor already holds another frame
     * (the batch goes on), so the stack can share work over the batch.
     */
    private void receive() {
        rxLock.lock();
        try {
            for (int n = 0; n < RX_RING_SIZE && !stopped; n++) {
                int d = RX_RING_OFFSET + rxNext * DESCRIPTOR_SIZE;
                int rmd1 = control.read32(d + MD1);
                if (Descriptors.ownedByChip(rmd1)) {
                    break;
                }
                byte[] frame = null;
                if (!Descriptors.isWholeGoodFrame(rmd1)) {
                    rxErrors.increment();
                    LOG.debug("{}: receive error in slot {}: {}", slot, rxNext, Descriptors.describeRmd1(rmd1));
                } else {
                    // MCNT counts the FCS; NetDevice frames come without it.
                    int length = Descriptors.mcnt(control.read32(d + MD2)) - ETH_FCS_LEN;
                    if (length < ETH_HLEN || length > BUFFER_SIZE - ETH_FCS_LEN) {
                        rxErrors.increment();
                        LOG.debug("{}: receive slot {} has an impossible length {}", slot, rxNext, length);
                    } else {
                        frame = new byte[length];
                        rxBuffers.read(rxNext * BUFFER_SIZE, frame, 0, length);
                    }
                }
                // The frame is copied out: give the buffer back before delivering it.
                control.write32(d + MD2, 0);
                control.write32(d + MD1, Descriptors.rmd1ForChip(BUFFER_SIZE));
                rxNext = Descriptors.next(rxNext, RX_RING_SIZE);
                if (frame != null) {
                    boolean more = n + 1 < RX_RING_SIZE
                            && !Descriptors.ownedByChip(control.read32(RX_RING_OFFSET + rxNext * DESCRIPTOR_SIZE + MD1));
                    deliver(frame, more);
                }
            }
        } finally {
            rxLock.unlock();
        }
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

    /** Retires the transmit descriptors the chip has given back; lock held. */
    private void reclaimTransmitted() {
        while (!stopped && !tx.isEmpty()) {
            int s = tx.oldest();
            int d = TX_RING_OFFSET + s * DESCRIPTOR_SIZE;
            int tmd1 = control.read32(d + MD1);
            if (Descriptors.ownedByChip(tmd1)) {
                break;
            }
            if ((tmd1 & TMD1_ERR) != 0) {
                txErrors.increment();
                LOG.debug("{}: transmit error in slot {}: {}", slot, s, Descriptors.describeTmd2(control.read32(d + MD2)));
            } else {
                txPackets.increment();
                txBytes.add(txLength[s]);
            }
            tx.retire();
        }
    }

    // ---- NetDevice ----

    @Override
    public byte[] macAddress() {
        return mac.clone();
    }

    @Override
    public int mtu() {
        return MTU;
    }

    @Override
    public boolean linkUp() {
        if (stopped || !device.present()) {
            return false;
        }
        lock.lock();
        try {
            return !stopped && (io.readBcr(BCR4) & BCR4_LEDOUT) != 0;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean transmit(byte[] frame, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, frame.length);
        if (length < ETH_HLEN || length > ETH_HLEN + MTU) {
            throw new IllegalArgumentException(String.format(
                    "%s: cannot send a %d-byte frame (%d..%d bytes without FCS)", slot, length, ETH_HLEN, ETH_HLEN + MTU));
        }
        lock.lock();
        try {
            if (stopped) {
                txDropped.increment();
                return false;
            }
            if (tx.inFlight() >= TX_RING_SIZE / 2) {
                reclaimTransmitted(); // most frames raise no TINT; TINT may also still be on its way
            }
            if (tx.isFull()) {
                txDropped.increment();
                return false;
            }
            int s = tx.claim();
            int buffer = s * BUFFER_SIZE;
            txBuffers.write(buffer, frame, offset, length);
            // The chip sends BCNT bytes as they are: runts are padded to the 60-byte minimum here.
            int wireLength = Math.max(length, ETH_ZLEN);
            if (length < ETH_ZLEN) {
                txBuffers.write(buffer + length, padding, 0, ETH_ZLEN - length);
            }
            txLength[s] = length;
            int d = TX_RING_OFFSET + s * DESCRIPTOR_SIZE;
            control.write32(d + MD2, 0);
            int tmd1 = (s + 1) % TX_INTERRUPT_EVERY == 0 ? Descriptors.tmd1ForChipWithInterrupt(wireLength)
                    : Descriptors.tmd1ForChip(wireLength);
            control.write32(d + MD1, tmd1); // OWN goes over in this one write
            io.writeCsr(CSR0, CSR0_TDMD | CSR0_IENA); // look at the ring now, not at the next poll
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void setReceiver(Receiver receiver) {
        this.receiver = receiver;
    }

    @Override
    public Statistics statistics() {
        lock.lock();
        try {
            if (!stopped) {
                reclaimTransmitted(); // frames without LTINT are counted when reclaimed
            }
        } finally {
            lock.unlock();
        }
        return new Statistics(rxPackets.sum(), rxBytes.sum(), rxErrors.sum(), rxDropped.sum(),
                txPackets.sum(), txBytes.sum(), txErrors.sum(), txDropped.sum(), interrupts.sum());
    }

    String slot() {
        return slot;
    }

    String model() {
        return model;
    }

    // ---- teardown ----

    /**
     * Stops the chip and gives back everything: interrupt handler, DMA memory, bus mastering.
     * Idempotent; touches no register when the device is gone.
     */
    void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        boolean present = device.present();
        lock.lock();
        try {
            stopped = true;
            if (present) {
                // STOP halts DMA at once and clears IENA and all status bits, so INTR drops.
                io.writeCsr(CSR0, CSR0_STOP);
            }
        } finally {
            lock.unlock();
        }
        if (irq != null) {
            irq.close();
        }
        rxLock.lock();
        lock.lock();
        try {
            for (DmaBuffer b : dmaBuffers) {
                b.close();
            }
            dmaBuffers.clear();
        } finally {
            lock.unlock();
            rxLock.unlock();
        }
        if (present) {
            device.setBusMaster(false);
        }
        LOG.info("{}: stopped{}", slot, present ? "" : " (device gone)");
    }
}
