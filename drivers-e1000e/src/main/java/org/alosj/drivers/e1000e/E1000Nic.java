package org.alosj.drivers.e1000e;

import static org.alosj.drivers.e1000e.E1000Hw.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.alosj.kernel.device.MacAddress;
import org.alosj.kernel.device.NetDevice;
import org.alosj.kernel.irq.InterruptRegistration;
import org.alosj.kernel.pci.MessageInterrupts;
import org.alosj.kernel.mem.DmaAllocator;
import org.alosj.kernel.mem.DmaBuffer;
import org.alosj.kernel.pci.MmioRegion;
import org.alosj.kernel.pci.PciBar;
import org.alosj.kernel.pci.PciDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One 8254x or 82574 MAC brought up and offered as a NetDevice. Bring-up ({@link #open}): global
 * reset (CTRL.RST) with interrupts masked, the station address from the EEPROM through EERD (its
 * 64 words must add up to 0xBABA), link up (SLU), receive address 0 and a clear multicast table,
 * both rings in DMA memory, RCTL and TCTL on, the causes unmasked.
 *
 * <p>Memory: one allocation holds both descriptor rings; each ring has a contiguous run of
 * 2048-byte buffers, slot i's at i * 2048, the receive buffer size RCTL selects. Every frame
 * fits one buffer. On the 82574 the receive ring uses the extended descriptor format
 * (RFCTL.EXSTEN): the write-back overwrites the buffer address, which is written again when the
 * slot goes back to the MAC.
 *
 * <p>Transmit descriptors ask for status (RS) only every {@link #TX_REPORT_EVERY} frames; the
 * driver learns what the MAC has sent from TDH instead, one register read per reclaim.
 *
 * <p>Locking: {@code lock} covers the transmit ring and TDT, since transmit runs on callers'
 * threads and the handler on the interrupt thread; {@code rxLock} the receive ring, which only
 * the handler walks. The receiver is called under rxLock and may transmit, so the order is
 * always rxLock, then lock. {@link #close} takes both before freeing memory.
 */
final class E1000Nic implements NetDevice {
    private static final Logger LOG = LoggerFactory.getLogger("drivers.e1000");

    static final int RX_RING_SIZE = 256;
    static final int TX_RING_SIZE = 128;
    static final int TX_REPORT_EVERY = TX_RING_SIZE / 8;
    static final int BUFFER_SIZE = 2048;
    static final int MTU = 1500;
    static final int ETH_HLEN = 14;
    /**
     * At most about 20,000 interrupts a second (ITR counts 256 ns): a burst of frames shares an
     * interrupt, and a lone frame waits at most 50 µs.
     */
    static final int ITR_INTERVAL = 195;
    static final int INTERRUPT_CAUSES = ICR_RXT0 | ICR_RXDMT0 | ICR_RXO | ICR_TXDW | ICR_LSC;
    static final int RESET_POLLS = 1000;

    static final int RX_RING_OFFSET = 0;
    static final int TX_RING_OFFSET = RX_RING_SIZE * DESCRIPTOR_SIZE;
    static final int RINGS_SIZE = TX_RING_OFFSET + TX_RING_SIZE * DESCRIPTOR_SIZE;

    /**
     * How the MAC may interrupt, Linux e1000e's {@code IntMode}: 0 legacy INTx, 1 MSI, 2 MSI-X.
     * The driver takes the best the function and the kernel allow, up to this.
     */
    enum IntMode {
        LEGACY, MSI, MSIX;

        static IntMode of(int value) {
            return switch (value) {
                case 0 -> LEGACY;
                case 1 -> MSI;
                case 2 -> MSIX;
                default -> throw new IllegalArgumentException("IntMode " + value + ": expected 0 (legacy), 1 (MSI) or 2 (MSI-X)");
            };
        }
    }

    /** MSI-X table entries as Linux's e1000e uses them: receive, transmit, other causes. */
    static final int MSIX_RX = 0;
    static final int MSIX_TX = 1;
    static final int MSIX_OTHER = 2;
    static final int MSIX_CAUSES = ICR_RXQ0 | ICR_TXQ0 | ICR_OTHER | ICR_LSC;

    /** The two families: where EERD keeps address and DONE, and which receive descriptors to use. */
    enum Family {
        E8254X("e1000", EERD_8254X_ADDR_SHIFT, EERD_8254X_DONE, false),
        E82574("e1000e", EERD_82574_ADDR_SHIFT, EERD_82574_DONE, true);

        final String driver;
        final int eerdAddressShift;
        final int eerdDone;
        final boolean extendedRx;

        Family(String driver, int eerdAddressShift, int eerdDone, boolean extendedRx) {
            this.driver = driver;
            this.eerdAddressShift = eerdAddressShift;
            this.eerdDone = eerdDone;
            this.extendedRx = extendedRx;
        }
    }

    private final PciDevice device;
    private final Family family;
    private final MmioRegion regs;
    private final String slot;
    private final String model;
    private final byte[] mac;
    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock rxLock = new ReentrantLock();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final List<DmaBuffer> dmaBuffers = new ArrayList<>();
    private final int[] txLength = new int[TX_RING_SIZE];
    private DmaBuffer rings;
    private DmaBuffer rxBuffers;
    private DmaBuffer txBuffers;
    private InterruptRegistration irq;
    private MessageInterrupts msi;
    private int rxNext; // guarded by rxLock
    private int txHead; // next slot to fill; guarded by lock
    private int txTail; // oldest slot in flight; guarded by lock
    private int txInFlight;
    private volatile boolean stopped;
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

    private final IntMode intMode;

    private E1000Nic(PciDevice device, Family family, MmioRegion regs, String model, byte[] mac, IntMode intMode) {
        this.device = device;
        this.intMode = intMode;
        this.family = family;
        this.regs = regs;
        this.slot = device.address().toString();
        this.model = model;
        this.mac = mac;
    }

    /**
     * Brings the MAC up and running. On failure everything taken is given back before the
     * exception leaves.
     *
     * @throws IllegalStateException when the hardware does not answer as an 8254x/82574 (the
     *     message says what was read and what was expected)
     */
    static E1000Nic open(PciDevice device, Family family, String model) {
        return open(device, family, model, IntMode.MSIX);
    }

    static E1000Nic open(PciDevice device, Family family, String model, IntMode intMode) {
        String where = device.address().toString();
        PciBar bar = device.bar(0).filter(b -> !b.isIo())
                .orElseThrow(() -> new IllegalStateException(where + ": no memory BAR0; the MAC decodes its registers there"));
        if (bar.size() < 0x20000) {
            throw new IllegalStateException(String.format("%s: BAR0 is %d bytes, the MAC's registers need 128 KiB",
                    where, bar.size()));
        }
        device.enable();
        MmioRegion regs = device.mmioRegion(0);
        globalReset(regs, where);
        byte[] mac = readStationAddress(regs, family, where);
        E1000Nic nic = new E1000Nic(device, family, regs, model, mac, intMode);
        try {
            nic.start();
        } catch (RuntimeException | Error e) {
            nic.close();
            throw e;
        }
        LOG.info("{}: Intel {} ({}) at {}, IRQ {}, MAC {}", where, model, family.driver,
                String.format("%#x", regs.base()), device.irq(), MacAddress.format(mac));
        return nic;
    }

    /** Masks interrupts, stops both units and resets the MAC; RST clears itself when done. */
    private static void globalReset(MmioRegion regs, String where) {
        regs.write32(IMC, -1);
        regs.write32(RCTL, 0);
        regs.write32(TCTL, TCTL_PSP);
        regs.write32(CTRL, regs.read32(CTRL) | CTRL_RST);
        int polls = 0;
        int ctrl;
        while (((ctrl = regs.read32(CTRL)) & CTRL_RST) != 0 && polls++ < RESET_POLLS) {
            Thread.onSpinWait();
        }
        if (ctrl == -1 || (ctrl & CTRL_RST) != 0) {
            throw new IllegalStateException(String.format("%s: CTRL reads %08x after a reset, expected RST (bit 26) clear",
                    where, ctrl));
        }
        regs.write32(IMC, -1);
        regs.read32(ICR);
    }

    /** The EEPROM through EERD: the address in words 0–2 and 64 words adding up to 0xBABA. */
    static byte[] readStationAddress(MmioRegion regs, Family family, String where) {
        int[] words = new int[EEPROM_WORDS];
        int sum = 0;
        for (int w = 0; w < EEPROM_WORDS; w++) {
            regs.write32(EERD, w << family.eerdAddressShift | EERD_START);
            int v = regs.read32(EERD);
            int polls = 0;
            while ((v & family.eerdDone) == 0 && polls++ < RESET_POLLS) {
                v = regs.read32(EERD);
            }
            if ((v & family.eerdDone) == 0) {
                throw new IllegalStateException(String.format("%s: EERD never reported DONE reading word %d (reads %08x)",
                        where, w, v));
            }
            words[w] = v >>> EERD_DATA_SHIFT;
            sum += words[w];
        }
        if ((sum & 0xFFFF) != EEPROM_CHECKSUM_SUM) {
            throw new IllegalStateException(String.format("%s: EEPROM checksum is %04x, expected %04x", where,
                    sum & 0xFFFF, EEPROM_CHECKSUM_SUM));
        }
        byte[] mac = new byte[6];
        for (int i = 0; i < 3; i++) {
            mac[2 * i] = (byte) words[i];
            mac[2 * i + 1] = (byte) (words[i] >>> 8);
        }
        if (!MacAddress.fromBytes(mac).isValidUnicast()) {
            throw new IllegalStateException(where + ": the EEPROM holds no valid station address: " + MacAddress.format(mac));
        }
        return mac;
    }

    private void start() {
        regs.write32(CTRL, (regs.read32(CTRL) | CTRL_SLU | CTRL_ASDE) & ~(CTRL_LRST | CTRL_ILOS | CTRL_PHY_RST));
        regs.write32(RAL0, (mac[0] & 0xFF) | (mac[1] & 0xFF) << 8 | (mac[2] & 0xFF) << 16 | (mac[3] & 0xFF) << 24);
        regs.write32(RAH0, (mac[4] & 0xFF) | (mac[5] & 0xFF) << 8 | RAH_AV);
        for (int n = 1; n < RA_COUNT; n++) {
            regs.write32(RAL0 + 8 * n, 0);
            regs.write32(RAH0 + 8 * n, 0);
        }
        for (int i = 0; i < MTA_COUNT; i++) {
            regs.write32(MTA + 4 * i, 0);
        }

        DmaAllocator dma = device.dma();
        rings = allocate(dma, RINGS_SIZE, "e1000 descriptor rings");
        rxBuffers = allocate(dma, RX_RING_SIZE * BUFFER_SIZE, "e1000 rx buffers");
        txBuffers = allocate(dma, TX_RING_SIZE * BUFFER_SIZE, "e1000 tx buffers");
        rings.clear();
        for (int i = 0; i < RX_RING_SIZE; i++) {
            armRx(i);
        }
        long rx = rings.physicalAddress() + RX_RING_OFFSET;
        long tx = rings.physicalAddress() + TX_RING_OFFSET;
        if (family.extendedRx) {
            regs.write32(RFCTL, regs.read32(RFCTL) | RFCTL_EXSTEN);
        }
        regs.write32(RDBAL, (int) rx);
        regs.write32(RDBAH, (int) (rx >>> 32));
        regs.write32(RDLEN, RX_RING_SIZE * DESCRIPTOR_SIZE);
        regs.write32(RDH, 0);
        regs.write32(RDT, RX_RING_SIZE - 1);
        regs.write32(TDBAL, (int) tx);
        regs.write32(TDBAH, (int) (tx >>> 32));
        regs.write32(TDLEN, TX_RING_SIZE * DESCRIPTOR_SIZE);
        regs.write32(TDH, 0);
        regs.write32(TDT, 0);
        regs.write32(ITR, ITR_INTERVAL);

        device.setBusMaster(true);
        String name = family.driver + " " + slot;
        boolean msix = intMode == IntMode.MSIX && family == Family.E82574 && enableMsix(name);
        if (!msix && intMode != IntMode.LEGACY) {
            try {
                msi = device.enableMsi(name, this::handleInterrupt);
                LOG.info("{}: interrupts by MSI, vector {}", slot, msi.vectors().get(0));
            } catch (IllegalStateException e) {
                LOG.debug("{}: no MSI ({}), using INTx", slot, e.getMessage());
            }
        }
        if (!msix && msi == null) {
            irq = device.requestIrq(name, this::handleInterrupt);
        }
        regs.write32(TIPG, TIPG_DEFAULT);
        regs.write32(TCTL, TCTL_EN | TCTL_PSP | 0x0F << TCTL_CT_SHIFT | 0x40 << TCTL_COLD_SHIFT);
        // Multicast promiscuous: the stack filters groups itself, as pcnet32's all-ones LADRF does.
        regs.write32(RCTL, RCTL_EN | RCTL_BAM | RCTL_MPE | RCTL_SECRC | RCTL_BSIZE_2048 | RCTL_RDMTS_HALF);
        regs.write32(IMS, msix ? MSIX_CAUSES : INTERRUPT_CAUSES);
    }

    /**
     * MSI-X with three entries, as Linux's e1000e sets the 82574 up: IVAR sends RxQ0 to entry 0,
     * TxQ0 to entry 1 and Other to entry 2; EIAC clears RxQ0 and TxQ0 from ICR when their message
     * goes out, so each handler needs no ICR read; EIAME with IAM masks Other and LSC until the
     * other-cause handler has read ICR and sets them again; PBA_support lets that IMS write clear
     * a pending bit. False (nothing left enabled) when the function or the kernel cannot.
     */
    private boolean enableMsix(String name) {
        try {
            msi = device.enableMsix(name, List.of(this::rxInterrupt, this::txInterrupt, this::otherInterrupt));
        } catch (IllegalStateException | IllegalArgumentException e) {
            LOG.debug("{}: no MSI-X ({}), trying MSI", slot, e.getMessage());
            return false;
        }
        regs.write32(IVAR, (IVAR_VALID | MSIX_RX) << IVAR_RXQ0_SHIFT | (IVAR_VALID | MSIX_TX) << IVAR_TXQ0_SHIFT
                | (IVAR_VALID | MSIX_OTHER) << IVAR_OTHER_SHIFT | IVAR_TX_INT_EVERY_WB);
        regs.write32(CTRL_EXT, (regs.read32(CTRL_EXT) & ~CTRL_EXT_IAME) | CTRL_EXT_PBA_CLR | CTRL_EXT_EIAME);
        regs.write32(IAM, ~EIAC_MASK_82574 | ICR_OTHER | ICR_LSC);
        regs.write32(EIAC, ICR_RXQ0 | ICR_TXQ0);
        LOG.info("{}: interrupts by MSI-X, vectors {} (rx, tx, other)", slot, msi.vectors());
        return true;
    }

    private DmaBuffer allocate(DmaAllocator dma, int size, String owner) {
        DmaBuffer b = dma.allocate(size, 4096, owner);
        dmaBuffers.add(b);
        return b;
    }

    /** Gives receive slot {@code i} back to the MAC: its buffer address, a clear status. */
    private void armRx(int i) {
        int d = RX_RING_OFFSET + i * DESCRIPTOR_SIZE;
        rings.write64(d, rxBuffers.physicalAddress() + (long) i * BUFFER_SIZE);
        rings.write64(d + 8, 0);
    }

    // ---- interrupt context ----

    /** The CPU vectors of the MSI or MSI-X entries in use (none with INTx). */
    List<Integer> messageVectors() {
        MessageInterrupts m = msi;
        return m != null ? m.vectors() : List.of();
    }

    /** {@code PCI-MSI} or {@code PCI-MSI-X} when the MAC signals by message, {@code INTx} otherwise. */
    String interruptMode() {
        MessageInterrupts m = msi;
        return m != null ? m.kind() : "INTx";
    }

    /** MSI-X entry 0: RxQ0, cleared from ICR by EIAC as the message went out. */
    private boolean rxInterrupt(int vector) {
        if (stopped) {
            return false;
        }
        interrupts.increment();
        receive();
        return true;
    }

    /** MSI-X entry 1: TxQ0. */
    private boolean txInterrupt(int vector) {
        if (stopped) {
            return false;
        }
        interrupts.increment();
        lock.lock();
        try {
            reclaimTransmitted();
        } finally {
            lock.unlock();
        }
        return true;
    }

    /**
     * MSI-X entry 2: link change, receive overrun and the rest. Reading ICR acknowledges them;
     * it also clears a queue cause still waiting out ITR, so that work is done here. Other and LSC
     * were masked by EIAME when the message went out and are unmasked again last.
     */
    private boolean otherInterrupt(int vector) {
        if (stopped) {
            return false;
        }
        int icr = regs.read32(ICR);
        if (icr == -1) {
            return false; // the device is gone
        }
        interrupts.increment();
        if ((icr & ICR_LSC) != 0) {
            LOG.info("{}: link {}", slot, linkUp() ? "up" : "down");
        }
        if ((icr & ICR_RXO) != 0) {
            collectMissed();
        }
        if ((icr & ICR_RXQ0) != 0) {
            receive();
        }
        if ((icr & ICR_TXQ0) != 0) {
            lock.lock();
            try {
                reclaimTransmitted();
            } finally {
                lock.unlock();
            }
        }
        if (!stopped) {
            regs.write32(IMS, ICR_OTHER | ICR_LSC);
        }
        return true;
    }

    /** INTx or MSI: claims the interrupt if the MAC raised it; reading ICR acknowledges every cause. */
    boolean handleInterrupt(int line) {
        if (stopped) {
            return false;
        }
        int icr = regs.read32(ICR);
        if (icr == 0 || icr == -1) {
            return false; // another device on the shared line, or this one is gone
        }
        interrupts.increment();
        if ((icr & ICR_LSC) != 0) {
            LOG.info("{}: link {}", slot, linkUp() ? "up" : "down");
        }
        if ((icr & ICR_RXO) != 0) {
            collectMissed(); // the MAC had no descriptor for some frames
        }
        receive();
        lock.lock();
        try {
            reclaimTransmitted();
        } finally {
            lock.unlock();
        }
        return true;
    }

    /**
     * Takes every frame the MAC has written back, at most one ring's worth a call (one receive
     * batch), and hands the slots back with one RDT write.
     */
    private void receive() {
        rxLock.lock();
        try {
            int last = -1;
            for (int n = 0; n < RX_RING_SIZE && !stopped; n++) {
                int d = RX_RING_OFFSET + rxNext * DESCRIPTOR_SIZE;
                int status;
                int errors;
                int length;
                if (family.extendedRx) {
                    int statusError = rings.read32(d + RXD_EXT_STATUS_ERROR);
                    status = statusError & 0xFF;
                    errors = statusError >>> 24;
                    length = rings.read16(d + RXD_EXT_LENGTH);
                } else {
                    status = rings.read8(d + RXD_STATUS);
                    errors = rings.read8(d + RXD_ERRORS);
                    length = rings.read16(d + RXD_LENGTH);
                }
                if ((status & RXD_STAT_DD) == 0) {
                    break;
                }
                byte[] frame = null;
                if ((status & RXD_STAT_EOP) == 0 || (errors & RXD_ERR_FRAME) != 0) {
                    rxErrors.increment();
                    LOG.debug("{}: receive slot {}: status {} errors {}", slot, rxNext, Integer.toHexString(status),
                            Integer.toHexString(errors));
                } else if (length < ETH_HLEN || length > BUFFER_SIZE) {
                    rxErrors.increment();
                    LOG.debug("{}: receive slot {} has an impossible length {}", slot, rxNext, length);
                } else {
                    frame = new byte[length];
                    rxBuffers.read(rxNext * BUFFER_SIZE, frame, 0, length);
                }
                armRx(rxNext);
                last = rxNext;
                rxNext = (rxNext + 1) % RX_RING_SIZE;
                if (frame != null) {
                    int next = RX_RING_OFFSET + rxNext * DESCRIPTOR_SIZE;
                    boolean more = n + 1 < RX_RING_SIZE && (family.extendedRx
                            ? rings.read32(next + RXD_EXT_STATUS_ERROR) & RXD_STAT_DD
                            : rings.read8(next + RXD_STATUS) & RXD_STAT_DD) != 0;
                    deliver(frame, more);
                }
            }
            if (last >= 0 && !stopped) {
                regs.write32(RDT, last);
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

    /** Retires the slots the MAC has moved past (TDH); lock held. */
    private void reclaimTransmitted() {
        if (stopped || txInFlight == 0) {
            return;
        }
        int head = regs.read32(TDH);
        if (head < 0 || head >= TX_RING_SIZE) {
            return;
        }
        while (txInFlight > 0 && txTail != head) {
            txPackets.increment();
            txBytes.add(txLength[txTail]);
            txTail = (txTail + 1) % TX_RING_SIZE;
            txInFlight--;
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
        int status = regs.read32(STATUS);
        return status != -1 && (status & STATUS_LU) != 0;
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
            if (txInFlight >= TX_RING_SIZE / 2) {
                reclaimTransmitted();
            }
            // One slot stays empty: TDT == TDH means "nothing to send".
            if (txInFlight >= TX_RING_SIZE - 1) {
                txDropped.increment();
                return false;
            }
            int s = txHead;
            txBuffers.write(s * BUFFER_SIZE, frame, offset, length);
            txLength[s] = length;
            int d = TX_RING_OFFSET + s * DESCRIPTOR_SIZE;
            // The MAC pads short frames itself (TCTL.PSP) and appends the FCS (IFCS).
            int command = TXD_CMD_EOP | TXD_CMD_IFCS | ((s + 1) % TX_REPORT_EVERY == 0 ? TXD_CMD_RS : 0);
            rings.write64(d, txBuffers.physicalAddress() + (long) s * BUFFER_SIZE);
            rings.write32(d + 8, command | length);
            rings.write32(d + 12, 0);
            txHead = (s + 1) % TX_RING_SIZE;
            txInFlight++;
            regs.write32(TDT, txHead);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void setReceiver(Receiver receiver) {
        this.receiver = receiver;
    }

    /** Adds the MAC's missed-packet counter (MPC, clear on read) to the dropped frames. */
    private void collectMissed() {
        if (stopped) {
            return;
        }
        int missed = regs.read32(MPC);
        if (missed > 0) {
            rxDropped.add(missed);
        }
    }

    @Override
    public Statistics statistics() {
        lock.lock();
        try {
            reclaimTransmitted();
            collectMissed();
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

    Family family() {
        return family;
    }

    // ---- teardown ----

    /**
     * Quiesces the MAC and gives back everything: interrupts masked, both units stopped and the
     * MAC reset (no DMA after this), the handler, the DMA memory, bus mastering. Idempotent;
     * touches no register when the device is gone.
     */
    void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        boolean present = device.present();
        rxLock.lock();
        lock.lock();
        try {
            stopped = true;
            if (present) {
                regs.write32(IMC, -1);
                regs.write32(RCTL, 0);
                regs.write32(TCTL, TCTL_PSP);
                regs.write32(CTRL, regs.read32(CTRL) | CTRL_RST);
                regs.read32(ICR);
            }
        } finally {
            lock.unlock();
            rxLock.unlock();
        }
        if (msi != null) {
            msi.close();
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
