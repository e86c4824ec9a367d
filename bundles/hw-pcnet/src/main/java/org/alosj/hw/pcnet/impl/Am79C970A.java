package org.alosj.hw.pcnet.impl;

import static org.alosj.hw.pcnet.impl.PcnetRegisters.*;

import java.util.concurrent.ScheduledExecutorService;
import org.alosj.hal.bus.IoPortHandler;
import org.alosj.hal.bus.MmioHandler;
import org.alosj.hal.bus.PhysicalMemory;
import org.alosj.hal.net.FrameReceiver;
import org.alosj.hal.net.NetPort;
import org.alosj.hal.pci.BarType;
import org.alosj.hal.pci.PciFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AMD PCnet-PCI II, Am79C970A (datasheet 19436), as QEMU's {@code pcnet} presents it: the PCI
 * function (QEMU's pcnet-pci.c), the register window it decodes, and the chip behind it.
 *
 * <p>The model is split as QEMU splits it: this class is the PCI glue (IDs, BARs, configuration
 * space, the I/O and memory window, resets from the bus); {@link PcnetController} is the chip
 * (resets, CSR0 commands, init block, interrupts, the transmit poll); {@link RegisterFile} holds
 * the CSRs and BCRs, {@link DescriptorRing} reads and writes ring entries, {@link Transmitter} and
 * {@link Receiver} move frames (the receiver with the address filter); the registers' names and
 * bits are in {@link PcnetRegisters}.
 *
 * <p>Registers: BAR0 (32 bytes of I/O) and BAR1 (32 bytes of memory) decode the same window.
 * Offsets 0x00–0x0F are the address PROM (the MAC, then QEMU's bytes: 0x11 hardware ID, a
 * checksum, 'W' 'W'). In word I/O mode (WIO, after reset) RDP is at 0x10, RAP at 0x12, RESET at
 * 0x14 and BDP at 0x16, all 16-bit; a 32-bit write to RDP switches to double-word mode (DWIO,
 * BCR18.DWIO) where RDP, RAP, RESET and BDP are 32-bit at 0x10, 0x14, 0x18 and 0x1C, and
 * accesses of the other width are ignored. Reading RESET is a software reset (S_RESET).
 * RAP selects the CSR that RDP reaches and the BCR that BDP reaches.
 *
 * <p>Operation: INIT reads the init block (SWSTYLE 0: 24 bytes, 16-bit layout; SWSTYLE 2/3:
 * 28 bytes, 32-bit layout) at CSR1/CSR2 by DMA and sets IDON; STRT turns on TXON/RXON (unless
 * CSR15 DTX/DRX). The transmitter walks the TX ring on TDMD, and every {@link PcnetRegisters#POLL_MILLIS} ms
 * while TXON unless CSR4.DPOLL; the receiver fills the RX ring as frames come from the backend.
 * Descriptors belong to the chip while OWN is set; the chip writes MCNT/status and clears OWN
 * last. All guest memory is reached through the function's {@code dma()}, and nothing is reached while bus
 * mastering is off (that is logged as a guest error and the operation is skipped).
 *
 * <p>INTA is level: asserted while CSR0.IENA and CSR0.INTR, INTR being the OR of the unmasked
 * causes (IDON, TINT, RINT, MERR, MISS, BABL; CSR4 JAB, TXSTRT, RCVCCO, MFCO, UINT; CSR5 pairs).
 *
 * <p>Threads: register accesses come from CPU threads, frames from the backend's thread and
 * the TX poll from the board clock; all run under this object's monitor (the same one
 * {@link PciFunction} uses for configuration space).
 */
public final class Am79C970A extends PciFunction implements FrameReceiver {
    public static final int PCI_VENDOR_ID_AMD = 0x1022;
    public static final int PCI_DEVICE_ID_AMD_LANCE = 0x2000;
    public static final int PCNET_REVISION = 0x10;
    public static final int PCI_CLASS_NETWORK_ETHERNET = 0x020000;
    public static final int PCNET_IOPORT_SIZE = 32;
    public static final int PCNET_PNPMMIO_SIZE = 32;
    /** QEMU's option ROM BAR (efi-pcnet.rom is 256 KiB); we have no ROM code, so it reads 0xFF. */
    public static final int PCNET_ROM_SIZE = 0x40000;
    static final int PCI_MIN_GNT_VALUE = 0x06;
    static final int PCI_MAX_LAT_VALUE = 0xFF;

    private final Logger log;
    private final PcnetController chip;
    private final RegisterFile regs;
    private volatile NetPort port;
    private long guestErrors;

    /**
     * @param clock the board clock for the transmit poll, or null for no poll (TDMD only)
     */
    public Am79C970A(String name, byte[] mac, ScheduledExecutorService clock) {
        super(name, PCI_VENDOR_ID_AMD, PCI_DEVICE_ID_AMD_LANCE, PCNET_REVISION, PCI_CLASS_NETWORK_ETHERNET, 0x00);
        if (mac.length != 6) {
            throw new IllegalArgumentException("MAC address of " + mac.length + " bytes, expected 6");
        }
        this.log = LoggerFactory.getLogger("hw.pcnet." + name);
        this.chip = new PcnetController(new Bus(), this, clock);
        this.regs = chip.regs;
        setStatus(PCI_STATUS_FAST_BACK | PCI_STATUS_DEVSEL_MEDIUM);
        setSubsystem(0x0000, 0x0000);
        setInterruptPin(1);
        setConfigByte(PCI_MIN_GNT, PCI_MIN_GNT_VALUE);
        setConfigByte(PCI_MAX_LAT, PCI_MAX_LAT_VALUE);
        Registers window = new Registers();
        defineIoBar(0, PCNET_IOPORT_SIZE, window);
        defineMemoryBar(1, BarType.MEMORY32, PCNET_PNPMMIO_SIZE, window);
        defineRom(PCNET_ROM_SIZE, new byte[0]);
        regs.loadProm(mac);
        chip.hReset();
    }

    // ---- the wire ----

    /** Connects the card to a backend port (null: no cable, link down). */
    public synchronized void setPort(NetPort port) {
        this.port = port;
    }

    @Override
    public boolean receive(byte[] frame, int offset, int length) {
        if (frame == null || offset < 0 || length <= 0 || offset > frame.length - length) {
            return false;
        }
        synchronized (this) {
            if (!attached() || (regs.csr[CSR15_MODE] & CSR15_LOOP) != 0) {
                return false;
            }
            boolean accepted = chip.receiver.receiveFrame(frame, offset, length);
            chip.updateIrq();
            return accepted;
        }
    }

    // ---- resets and hot-plug from the bus ----

    @Override
    protected synchronized void resetDevice() {
        chip.hReset();
    }

    @Override
    protected synchronized void deviceDetached() {
        chip.stopPoll();
    }

    // ---- register window ----

    private final class Registers implements IoPortHandler, MmioHandler {
        @Override
        public int ioRead(int offset, int size) {
            return read(offset, size);
        }

        @Override
        public void ioWrite(int offset, int size, int value) {
            write(offset, size, value);
        }

        @Override
        public long mmioRead(long offset, int size) {
            return size == 8 ? -1L : read((int) offset, size) & 0xFFFF_FFFFL;
        }

        @Override
        public void mmioWrite(long offset, int size, long value) {
            if (size == 8) {
                guestError("64-bit MMIO write at offset %#x ignored", offset);
                return;
            }
            write((int) offset, size, (int) value);
        }
    }

    synchronized int read(int offset, int size) {
        int none = size == 4 ? -1 : (1 << (8 * size)) - 1;
        if (offset < APROM_SIZE) {
            if (!regs.dwio() && (size == 1 || (size == 2 && (offset & 1) == 0))
                    || regs.dwio() && size == 4 && (offset & 3) == 0) {
                int v = 0;
                for (int i = 0; i < size; i++) {
                    v |= (regs.prom[offset + i] & 0xFF) << (8 * i);
                }
                return v;
            }
            return none;
        }
        int v = none;
        if (!regs.dwio() && size == 2) {
            switch (offset) {
                case WIO_RDP -> v = regs.readCsr(regs.rap) & 0xFFFF;
                case WIO_RAP -> v = regs.rap;
                case WIO_RESET -> {
                    chip.sReset();
                    v = 0;
                }
                case WIO_BDP -> v = regs.readBcr(regs.rap);
                default -> { }
            }
        } else if (regs.dwio() && size == 4) {
            switch (offset) {
                case DWIO_RDP -> v = regs.readCsr(regs.rap);
                case DWIO_RAP -> v = regs.rap;
                case DWIO_RESET -> {
                    chip.sReset();
                    v = 0;
                }
                case DWIO_BDP -> v = regs.readBcr(regs.rap);
                default -> { }
            }
        }
        chip.updateIrq();
        return v;
    }

    synchronized void write(int offset, int size, int value) {
        if (offset < APROM_SIZE) {
            boolean aligned = !regs.dwio() && (size == 1 || (size == 2 && (offset & 1) == 0))
                    || regs.dwio() && size == 4 && (offset & 3) == 0;
            if ((regs.bcr[BCR_MC] & BCR2_APROMWE) != 0 && aligned) {
                for (int i = 0; i < size; i++) {
                    regs.prom[offset + i] = (byte) (value >>> (8 * i));
                }
            }
            return;
        }
        if (!regs.dwio() && size == 2) {
            switch (offset) {
                case WIO_RDP -> chip.writeCsr(regs.rap, value & 0xFFFF);
                case WIO_RAP -> regs.rap = value & 0x7F;
                case WIO_BDP -> regs.writeBcr(regs.rap, value & 0xFFFF);
                default -> { } // RESET: writes have no effect
            }
        } else if (regs.dwio() && size == 4) {
            switch (offset) {
                case DWIO_RDP -> chip.writeCsr(regs.rap, value & 0xFFFF);
                case DWIO_RAP -> regs.rap = value & 0x7F;
                case DWIO_BDP -> regs.writeBcr(regs.rap, value & 0xFFFF);
                default -> { }
            }
        } else if (!regs.dwio() && size == 4 && offset == WIO_RDP) {
            // A double-word write to RDP selects DWIO; its data is not written anywhere.
            regs.selectDwio();
        }
        chip.updateIrq();
    }

    // ---- diagnostics ----

    private void guestError(String format, Object... args) {
        long n = guestErrors++;
        if (n < 20 || n % 1000 == 0) {
            log.warn("guest error: {}: {}", name(), String.format(format, args));
        }
    }

    /** CSR {@code n} as a driver reads it (for tests and diagnostics). */
    public synchronized int csr(int n) {
        return regs.readCsr(n & 0x7F);
    }

    /** BCR {@code n} as a driver reads it. */
    public synchronized int bcr(int n) {
        return regs.readBcr(n);
    }

    /** The function as the chip sees it; called with this card's monitor held. */
    private final class Bus implements PcnetBus {
        @Override
        public String name() {
            return Am79C970A.this.name();
        }

        @Override
        public PhysicalMemory dma() {
            return Am79C970A.this.dma();
        }

        @Override
        public boolean busMasterEnabled() {
            return Am79C970A.this.busMasterEnabled();
        }

        @Override
        public boolean attached() {
            return Am79C970A.this.attached();
        }

        @Override
        public void setIrq(boolean asserted) {
            Am79C970A.this.setIrq(asserted);
        }

        @Override
        public NetPort port() {
            return port;
        }

        @Override
        public void guestError(String format, Object... args) {
            Am79C970A.this.guestError(format, args);
        }
    }
}
