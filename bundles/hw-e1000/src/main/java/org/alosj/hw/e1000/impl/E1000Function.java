package org.alosj.hw.e1000.impl;

import java.util.concurrent.ScheduledExecutorService;
import org.alosj.hal.bus.IoPortHandler;
import org.alosj.hal.bus.MmioHandler;
import org.alosj.hal.bus.PhysicalMemory;
import org.alosj.hal.net.FrameReceiver;
import org.alosj.hal.net.NetPort;
import org.alosj.hal.pci.BarType;
import org.alosj.hal.pci.PciFunction;

/**
 * The PCI side of an 82540EM or 82574L as QEMU 7.2 presents it, around one {@link E1000Core}.
 *
 * <p>82540EM ({@code e1000}): 8086:100e rev 03, subsystem 1af4:1100, BAR0 128 KiB of memory
 * (the registers), BAR1 64 bytes of I/O (the IOADDR/IODATA window), a 256 KiB ROM BAR, INTA,
 * no capabilities.
 *
 * <p>82574L ({@code e1000e}): 8086:10d3 rev 00, subsystem 8086:0000, BAR0 128 KiB (registers),
 * BAR1 128 KiB (flash, reads as zeros here), BAR2 32 bytes of I/O (IOADDR/IODATA), BAR3 16 KiB
 * (the MSI-X table at 0 and its pending bits at 0x2000), a 256 KiB ROM BAR, INTA, and the
 * capability list PM (0xC8) → MSI (0xD0, 64-bit, one vector) → PCI Express v1 endpoint (0xE0)
 * → MSI-X (0xA0, 5 vectors in BAR3).
 *
 * <p>Every register access, frame and timer runs under this object's monitor, which is also
 * the one {@link PciFunction} guards configuration space with.
 */
public final class E1000Function extends PciFunction implements FrameReceiver {
    static final int PCI_CLASS_NETWORK_ETHERNET = 0x020000;
    static final int MMIO_SIZE = 0x20000;
    static final int FLASH_SIZE = 0x20000;
    static final int IO_SIZE_82540 = 0x40;
    static final int IO_SIZE_82574 = 0x20;
    static final int MSIX_SIZE = 0x4000;
    static final int ROM_SIZE = 0x40000;
    static final int MSIX_VECTORS = 5;
    static final int MSIX_TABLE = 0x0000;
    static final int MSIX_PBA = 0x2000;

    // capability IDs and offsets (QEMU's e1000e)
    static final int PCI_CAP_ID_PM = 0x01;
    static final int PCI_CAP_ID_MSI = 0x05;
    static final int PCI_CAP_ID_EXP = 0x10;
    static final int PCI_CAP_ID_MSIX = 0x11;
    static final int PM_OFFSET = 0xC8;
    static final int MSI_OFFSET = 0xD0;
    static final int PCIE_OFFSET = 0xE0;
    static final int MSIX_OFFSET = 0xA0;
    /** PMC: version 1.1 (PM spec 1.1 says "version 2"), device-specific initialization. */
    static final int PCI_PM_PMC = 0x0022;
    static final int PCI_PM_CTRL_WRITABLE = 0x1F03;
    static final int PCI_MSI_FLAGS_64BIT = 0x0080;
    static final int PCI_MSI_FLAGS_ENABLE = 0x0001;
    static final int PCI_MSI_FLAGS_WRITABLE = 0x0071;
    static final int PCI_EXP_FLAGS_V1_ENDPOINT = 0x0001;
    static final int PCI_EXP_DEVCAP_RBE = 0x0000_8000;
    /** Link capabilities: port 0, 2.5 GT/s, x1, ASPM L0s, L0s exit latency under 64 ns. */
    static final int PCI_EXP_LNKCAP = 0x0000_0411;
    /** Link status: 2.5 GT/s, x1. */
    static final int PCI_EXP_LNKSTA = 0x0011;
    static final int PCI_MSIX_FLAGS_WRITABLE = 0xC000;
    static final int PCI_MSIX_FLAGS_ENABLE = 0x8000;
    static final int PCI_MSIX_FLAGS_MASKALL = 0x4000;

    private final Part part;
    private final E1000Core core;
    private final byte[] msixTable = new byte[MSIX_VECTORS * 16];
    private int ioAddress;
    /** The MSI-X pending bits (PBA), one per table entry. */
    private int msixPending;
    private boolean msixWasEnabled;
    private long messages;

    /**
     * @param clock the board clock for interrupt throttling, or null (then ITR is not applied)
     */
    E1000Function(Part part, String name, byte[] mac, ScheduledExecutorService clock) {
        super(name, Part.PCI_VENDOR_ID_INTEL, part.deviceId, part.revision, PCI_CLASS_NETWORK_ETHERNET, 0x00);
        if (mac.length != 6) {
            throw new IllegalArgumentException("MAC address of " + mac.length + " bytes, expected 6");
        }
        this.part = part;
        setSubsystem(part.subsystemVendor, part.subsystem);
        setInterruptPin(1);
        Registers registers = new Registers();
        defineMemoryBar(0, BarType.MEMORY32, MMIO_SIZE, registers);
        if (part.isPcie()) {
            defineMemoryBar(1, BarType.MEMORY32, FLASH_SIZE, new Flash());
            defineIoBar(2, IO_SIZE_82574, registers);
            defineMemoryBar(3, BarType.MEMORY32, MSIX_SIZE, new MsixTable());
            defineCapabilities();
        } else {
            defineIoBar(1, IO_SIZE_82540, registers);
        }
        defineRom(ROM_SIZE, new byte[0]);
        resetMsixTable();
        core = new E1000Core(this, part, mac, new CoreBus(), clock, name);
    }

    /** An 82540EM ({@code -device e1000}), for rigs that build a board by hand. */
    public static E1000Function i82540em(String name, byte[] mac, ScheduledExecutorService clock) {
        return new E1000Function(Part.I82540EM, name, mac, clock);
    }

    /** An 82574L ({@code -device e1000e}), for rigs that build a board by hand. */
    public static E1000Function i82574l(String name, byte[] mac, ScheduledExecutorService clock) {
        return new E1000Function(Part.I82574L, name, mac, clock);
    }

    private void defineCapabilities() {
        int pm = addCapability(PCI_CAP_ID_PM, PM_OFFSET, 8);
        setConfigWord(pm + 2, PCI_PM_PMC);
        setWriteMask(pm + 4, 2, PCI_PM_CTRL_WRITABLE);

        int msi = addCapability(PCI_CAP_ID_MSI, MSI_OFFSET, 14);
        setConfigWord(msi + 2, PCI_MSI_FLAGS_64BIT);
        setWriteMask(msi + 2, 2, PCI_MSI_FLAGS_WRITABLE);
        setWriteMask(msi + 4, 4, 0xFFFF_FFFC);
        setWriteMask(msi + 8, 4, 0xFFFF_FFFF);
        setWriteMask(msi + 12, 2, 0xFFFF);

        int exp = addCapability(PCI_CAP_ID_EXP, PCIE_OFFSET, 0x14);
        setConfigWord(exp + 2, PCI_EXP_FLAGS_V1_ENDPOINT);
        setConfigLong(exp + 4, PCI_EXP_DEVCAP_RBE);
        setWriteMask(exp + 8, 2, 0x7CFF);
        setConfigLong(exp + 12, PCI_EXP_LNKCAP);
        setWriteMask(exp + 16, 2, 0x01C3);
        setConfigWord(exp + 18, PCI_EXP_LNKSTA);

        int msix = addCapability(PCI_CAP_ID_MSIX, MSIX_OFFSET, 12);
        setConfigWord(msix + 2, MSIX_VECTORS - 1);
        setWriteMask(msix + 2, 2, PCI_MSIX_FLAGS_WRITABLE);
        setConfigLong(msix + 4, MSIX_TABLE | 3);
        setConfigLong(msix + 8, MSIX_PBA | 3);
    }

    /** Which part this is. */
    public String model() {
        return part.model;
    }

    /** Connects the card to a backend port (null: no cable, link down). */
    public synchronized void setPort(NetPort port) {
        core.setPort(port);
    }

    @Override
    public boolean receive(byte[] frame, int offset, int length) {
        if (frame == null || offset < 0 || length <= 0 || offset > frame.length - length) {
            return false;
        }
        synchronized (this) {
            return attached() && core.receive(frame, offset, length);
        }
    }

    @Override
    protected synchronized void resetDevice() {
        ioAddress = 0;
        msixPending = 0;
        msixWasEnabled = false;
        resetMsixTable();
        core.reset();
    }

    @Override
    protected synchronized void deviceDetached() {
        core.detached();
    }

    /** Guest errors the MAC logged (for tests and diagnostics). */
    public synchronized long guestErrors() {
        return core.guestErrors();
    }

    /** A MAC register as a driver reads it, side effects included (tests). */
    synchronized int register(int offset) {
        return core.read(offset);
    }

    E1000Core core() {
        return core;
    }

    private void resetMsixTable() {
        java.util.Arrays.fill(msixTable, (byte) 0);
        for (int v = 0; v < MSIX_VECTORS; v++) {
            msixTable[16 * v + 12] = 1; // vector control: masked
        }
    }

    // ---- BAR decoders ----

    /** BAR0 (registers) and the I/O BAR (IOADDR/IODATA). */
    private final class Registers implements MmioHandler, IoPortHandler {
        @Override
        public long mmioRead(long offset, int size) {
            synchronized (E1000Function.this) {
                int aligned = (int) offset & ~3;
                if (size == 8) {
                    return (core.read(aligned) & 0xFFFF_FFFFL) | (core.read(aligned + 4) & 0xFFFF_FFFFL) << 32;
                }
                long v = core.read(aligned) & 0xFFFF_FFFFL;
                int shift = 8 * ((int) offset & 3);
                return size == 4 ? v : v >>> shift & ((1L << (8 * size)) - 1);
            }
        }

        @Override
        public void mmioWrite(long offset, int size, long value) {
            synchronized (E1000Function.this) {
                if (size == 8 && (offset & 7) == 0) {
                    core.write((int) offset, (int) value);
                    core.write((int) offset + 4, (int) (value >>> 32));
                } else if (size == 4 && (offset & 3) == 0) {
                    core.write((int) offset, (int) value);
                } else {
                    core.guestErrorAccess(offset, size);
                }
            }
        }

        @Override
        public int ioRead(int port, int size) {
            synchronized (E1000Function.this) {
                if (size != 4) {
                    core.guestErrorAccess(port, size);
                    return -1;
                }
                return switch (port) {
                    case E1000Regs.IOADDR -> ioAddress;
                    case E1000Regs.IODATA -> ioAddress >= 0 && ioAddress < MMIO_SIZE && (ioAddress & 3) == 0
                            ? core.read(ioAddress) : ioWindowError();
                    default -> 0;
                };
            }
        }

        @Override
        public void ioWrite(int port, int size, int value) {
            synchronized (E1000Function.this) {
                if (size != 4) {
                    core.guestErrorAccess(port, size);
                    return;
                }
                switch (port) {
                    case E1000Regs.IOADDR -> ioAddress = value;
                    case E1000Regs.IODATA -> {
                        if (ioAddress >= 0 && ioAddress < MMIO_SIZE && (ioAddress & 3) == 0) {
                            core.write(ioAddress, value);
                        } else {
                            ioWindowError();
                        }
                    }
                    default -> { }
                }
            }
        }

        private int ioWindowError() {
            core.guestErrorIoAddress(ioAddress);
            return 0;
        }
    }

    /** BAR1 of the 82574L: QEMU maps no flash behind it; reads are zeros, writes go nowhere. */
    private static final class Flash implements MmioHandler {
        @Override
        public long mmioRead(long offset, int size) {
            return 0;
        }

        @Override
        public void mmioWrite(long offset, int size, long value) {
        }
    }

    /** BAR3 of the 82574L: the MSI-X table (address, data, vector control per vector) and PBA. */
    private final class MsixTable implements MmioHandler {
        @Override
        public long mmioRead(long offset, int size) {
            synchronized (E1000Function.this) {
                if (offset >= MSIX_TABLE && offset + size <= msixTable.length) {
                    long v = 0;
                    for (int i = 0; i < size; i++) {
                        v |= (msixTable[(int) offset + i] & 0xFFL) << (8 * i);
                    }
                    return v;
                }
                if (offset >= MSIX_PBA && offset < MSIX_PBA + 8) {
                    return (msixPending & 0xFFFF_FFFFL) >>> (8 * (offset - MSIX_PBA)) & (size == 8 ? -1L : (1L << (8 * size)) - 1);
                }
                return 0;
            }
        }

        @Override
        public void mmioWrite(long offset, int size, long value) {
            synchronized (E1000Function.this) {
                if (offset >= MSIX_TABLE && offset + size <= msixTable.length) {
                    for (int i = 0; i < size; i++) {
                        int at = (int) offset + i;
                        int mask = at % 16 == 12 ? 0x01 : at % 16 > 12 ? 0x00 : 0xFF;
                        msixTable[at] = (byte) ((msixTable[at] & ~mask) | (value >>> (8 * i) & mask));
                    }
                    sendUnmaskedPending();
                }
                // the PBA is read-only
            }
        }
    }

    private final class CoreBus implements E1000Core.Bus {
        @Override
        public PhysicalMemory dma() {
            return E1000Function.this.dma();
        }

        @Override
        public boolean busMasterEnabled() {
            return E1000Function.this.busMasterEnabled();
        }

        @Override
        public void interrupt(boolean asserted) {
            deliverInterrupt(asserted);
        }

        @Override
        public boolean msixEnabled() {
            return E1000Function.this.msixEnabled();
        }

        @Override
        public void msixMessage(int vector) {
            sendMsix(vector);
        }

        @Override
        public void msixClearPending(int vector) {
            if (vector < MSIX_VECTORS) {
                msixPending &= ~(1 << vector);
            }
        }
    }

    // ---- interrupt delivery: INTA, or a message ----

    private boolean msiEnabled() {
        return part.isPcie() && (configRead(MSI_OFFSET + 2, 2) & PCI_MSI_FLAGS_ENABLE) != 0;
    }

    private boolean msixEnabled() {
        return part.isPcie() && (configRead(MSIX_OFFSET + 2, 2) & PCI_MSIX_FLAGS_ENABLE) != 0;
    }

    /**
     * The MAC's interrupt goes out as INTA (a level) or, once software enables MSI, as a message
     * on each new assertion (the data word of the capability written to its address). With MSI-X
     * on the MAC sends per-cause messages itself ({@link #sendMsix}) and INTA stays deasserted, as
     * the PCI spec requires of a function using messages.
     */
    private void deliverInterrupt(boolean asserted) {
        if (msixEnabled()) {
            setIrq(false);
            return;
        }
        if (msiEnabled()) {
            setIrq(false);
            if (asserted) {
                long address = (configRead(MSI_OFFSET + 4, 4) & 0xFFFF_FFFFL)
                        | (configRead(MSI_OFFSET + 8, 4) & 0xFFFF_FFFFL) << 32;
                sendMessage(address, configRead(MSI_OFFSET + 12, 2));
            }
            return;
        }
        setIrq(asserted);
    }

    /**
     * MSI-X entry {@code vector}'s message: its address and data from the table, or, while the
     * entry or the whole function is masked, its pending bit instead (sent when unmasked).
     */
    private void sendMsix(int vector) {
        if (vector >= MSIX_VECTORS) {
            core.guestErrorVector(vector, MSIX_VECTORS);
            return;
        }
        if (msixMasked(vector)) {
            msixPending |= 1 << vector;
            return;
        }
        msixPending &= ~(1 << vector);
        long address = (readTable(16 * vector, 4) & 0xFFFF_FFFFL) | (readTable(16 * vector + 4, 4) & 0xFFFF_FFFFL) << 32;
        sendMessage(address, (int) readTable(16 * vector + 8, 4));
    }

    private boolean msixMasked(int vector) {
        return (msixTable[16 * vector + 12] & 1) != 0
                || (configRead(MSIX_OFFSET + 2, 2) & PCI_MSIX_FLAGS_MASKALL) != 0;
    }

    /** Sends the messages held back by a mask that is now lifted. */
    private void sendUnmaskedPending() {
        if (!msixEnabled()) {
            return;
        }
        for (int v = 0; v < MSIX_VECTORS; v++) {
            if ((msixPending & (1 << v)) != 0 && !msixMasked(v)) {
                sendMsix(v);
            }
        }
    }

    private void sendMessage(long address, int data) {
        if (!busMasterEnabled()) {
            core.guestErrorMessage(address);
            return;
        }
        dma().writeInt(address, data);
        messages++;
    }

    private long readTable(int offset, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            v |= (msixTable[offset + i] & 0xFFL) << (8 * i);
        }
        return v;
    }

    /** Messages sent (MSI or MSI-X), for tests and diagnostics. */
    public synchronized long messages() {
        return messages;
    }

    @Override
    protected void configWritten(int offset, int size, int value) {
        if (!part.isPcie() || core == null) {
            return;
        }
        boolean touchesMsi = offset <= MSI_OFFSET + 3 && offset + size > MSI_OFFSET + 2;
        boolean touchesMsix = offset <= MSIX_OFFSET + 3 && offset + size > MSIX_OFFSET + 2;
        if (touchesMsi || touchesMsix) {
            // The mode changed: INTA follows the MAC's level only while no message is enabled,
            // and causes still pending are signalled again in the new mode.
            setIrq(!msiEnabled() && !msixEnabled() && core.interruptAsserted());
            boolean msix = msixEnabled();
            if (msix != msixWasEnabled) {
                msixWasEnabled = msix;
                core.interruptModeChanged();
            }
            sendUnmaskedPending();
        }
    }
}
