package org.alosj.hw.pcnet.impl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.alosj.hal.bus.IoPortHandler;
import org.alosj.hal.bus.MmioHandler;
import org.alosj.hal.net.FrameReceiver;
import org.alosj.hal.net.NetPort;
import org.alosj.hal.pci.BarType;
import org.alosj.hal.pci.PciFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AMD PCnet-PCI II, Am79C970A (datasheet 19436), as QEMU's {@code pcnet} presents it.
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
 * CSR15 DTX/DRX). The transmitter walks the TX ring on TDMD, and every {@link #POLL_MILLIS} ms
 * while TXON unless CSR4.DPOLL; the receiver fills the RX ring as frames come from the backend.
 * Descriptors belong to the chip while OWN is set; the chip writes MCNT/status and clears OWN
 * last. All guest memory is reached through {@link #dma()}, and nothing is reached while bus
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

    // ---- I/O window ----
    static final int APROM = 0x00;
    static final int APROM_SIZE = 16;
    static final int WIO_RDP = 0x10;
    static final int WIO_RAP = 0x12;
    static final int WIO_RESET = 0x14;
    static final int WIO_BDP = 0x16;
    static final int DWIO_RDP = 0x10;
    static final int DWIO_RAP = 0x14;
    static final int DWIO_RESET = 0x18;
    static final int DWIO_BDP = 0x1C;

    // ---- CSR numbers ----
    static final int CSR0 = 0;
    static final int CSR1_IADR_LO = 1;
    static final int CSR2_IADR_HI = 2;
    static final int CSR3 = 3;
    static final int CSR4 = 4;
    static final int CSR5 = 5;
    static final int CSR6_RXTX_RLEN = 6;
    static final int CSR8_LADRF0 = 8;
    static final int CSR12_PADR0 = 12;
    static final int CSR15_MODE = 15;
    static final int CSR16_IADR_LO_ALIAS = 16;
    static final int CSR17_IADR_HI_ALIAS = 17;
    static final int CSR24_BADRL = 24;
    static final int CSR25_BADRU = 25;
    static final int CSR30_BADXL = 30;
    static final int CSR31_BADXU = 31;
    static final int CSR58_SWS = 58;
    static final int CSR72_RCVRC = 72;
    static final int CSR74_XMTRC = 74;
    static final int CSR76_RCVRL = 76;
    static final int CSR78_XMTRL = 78;
    static final int CSR80 = 80;
    static final int CSR88_CHIPID_LO = 88;
    static final int CSR89_CHIPID_HI = 89;
    static final int CSR112_MISSC = 112;
    static final int CSR_COUNT = 128;

    // ---- CSR0: controller status ----
    public static final int CSR0_INIT = 0x0001;
    public static final int CSR0_STRT = 0x0002;
    public static final int CSR0_STOP = 0x0004;
    public static final int CSR0_TDMD = 0x0008;
    public static final int CSR0_TXON = 0x0010;
    public static final int CSR0_RXON = 0x0020;
    public static final int CSR0_IENA = 0x0040;
    public static final int CSR0_INTR = 0x0080;
    public static final int CSR0_IDON = 0x0100;
    public static final int CSR0_TINT = 0x0200;
    public static final int CSR0_RINT = 0x0400;
    public static final int CSR0_MERR = 0x0800;
    public static final int CSR0_MISS = 0x1000;
    public static final int CSR0_CERR = 0x2000;
    public static final int CSR0_BABL = 0x4000;
    public static final int CSR0_ERR = 0x8000;
    /** Status flags software clears by writing ones. */
    static final int CSR0_W1C = CSR0_BABL | CSR0_CERR | CSR0_MISS | CSR0_MERR | CSR0_RINT | CSR0_TINT
            | CSR0_IDON;
    /** Flags that raise INTR unless masked in CSR3 (CERR does not interrupt). */
    static final int CSR0_INT_CAUSES = CSR0_BABL | CSR0_MISS | CSR0_MERR | CSR0_RINT | CSR0_TINT | CSR0_IDON;

    // ---- CSR3: interrupt masks and deferral control ----
    public static final int CSR3_BABLM = 0x4000;
    public static final int CSR3_MISSM = 0x1000;
    public static final int CSR3_MERRM = 0x0800;
    public static final int CSR3_RINTM = 0x0400;
    public static final int CSR3_TINTM = 0x0200;
    public static final int CSR3_IDONM = 0x0100;
    public static final int CSR3_DXSUFLO = 0x0040;
    public static final int CSR3_LAPPEN = 0x0020;
    public static final int CSR3_DXMT2PD = 0x0010;
    public static final int CSR3_EMBA = 0x0008;
    public static final int CSR3_BSWP = 0x0004;
    static final int CSR3_WRITABLE = 0x5F7C;

    // ---- CSR4: test and features control ----
    public static final int CSR4_DMAPLUS = 0x4000;
    public static final int CSR4_DPOLL = 0x1000;
    public static final int CSR4_APAD_XMT = 0x0800;
    public static final int CSR4_ASTRP_RCV = 0x0400;
    public static final int CSR4_MFCO = 0x0200;
    public static final int CSR4_MFCOM = 0x0100;
    public static final int CSR4_UINTCMD = 0x0080;
    public static final int CSR4_UINT = 0x0040;
    public static final int CSR4_RCVCCO = 0x0020;
    public static final int CSR4_RCVCCOM = 0x0010;
    public static final int CSR4_TXSTRT = 0x0008;
    public static final int CSR4_TXSTRTM = 0x0004;
    public static final int CSR4_JAB = 0x0002;
    public static final int CSR4_JABM = 0x0001;
    static final int CSR4_W1C = CSR4_MFCO | CSR4_UINT | CSR4_RCVCCO | CSR4_TXSTRT | CSR4_JAB;
    static final int CSR4_RESET = CSR4_MFCOM | CSR4_RCVCCOM | CSR4_TXSTRTM | CSR4_JABM; // 0x0115

    // ---- CSR5: extended control and interrupt 1 ----
    public static final int CSR5_TOKINTD = 0x8000;
    public static final int CSR5_LTINTEN = 0x4000;
    public static final int CSR5_SINT = 0x0800;
    public static final int CSR5_SLPINT = 0x0200;
    public static final int CSR5_EXDINT = 0x0080;
    public static final int CSR5_MPINT = 0x0010;
    public static final int CSR5_SPND = 0x0001;
    static final int CSR5_W1C = CSR5_SINT | CSR5_SLPINT | CSR5_EXDINT | CSR5_MPINT;
    /** Each flag bit sits one above its enable bit: SINT/SINTE, SLPINT/SLPINTE, EXDINT/EXDINTE, MPINT/MPINTE. */
    static final int CSR5_INT_ENABLES = 0x0548;

    // ---- CSR15: mode ----
    public static final int CSR15_PROM = 0x8000;
    public static final int CSR15_DRCVBC = 0x4000;
    public static final int CSR15_DRCVPA = 0x2000;
    public static final int CSR15_INTL = 0x0040;
    public static final int CSR15_DXMTFCS = 0x0008;
    public static final int CSR15_LOOP = 0x0004;
    public static final int CSR15_DTX = 0x0002;
    public static final int CSR15_DRX = 0x0001;
    /** What S_RESET leaves of CSR15 (as QEMU). */
    static final int CSR15_KEPT_BY_S_RESET = 0x21C4;

    /** Chip ID 0x?2621003: part 0x2621 (79C970A), AMD manufacturer ID 0x003, version 0. */
    static final int CHIP_ID = 0x0262_1003;

    // ---- BCR numbers ----
    static final int BCR_MSRDA = 0;
    static final int BCR_MSWRA = 1;
    static final int BCR_MC = 2;
    static final int BCR_LNKST = 4;
    static final int BCR_LED1 = 5;
    static final int BCR_LED2 = 6;
    static final int BCR_LED3 = 7;
    static final int BCR_FDC = 9;
    static final int BCR_BSBC = 18;
    static final int BCR_EECAS = 19;
    static final int BCR_SWS = 20;
    static final int BCR_PLAT = 22;
    static final int BCR_COUNT = 32;

    public static final int BCR2_TMAULOOP = 0x4000;
    public static final int BCR2_APROMWE = 0x0100;
    public static final int BCR2_ASEL = 0x0002;
    public static final int BCR4_LEDOUT = 0x8000;
    public static final int BCR4_PSE = 0x0080;
    public static final int BCR4_LNKSTE = 0x0040;
    /** The LED status-enable bits that drive LEDOUT. */
    static final int BCR_LED_SOURCES = 0x017F;
    public static final int BCR9_FDEN = 0x0001;
    public static final int BCR18_DWIO = 0x0080;
    public static final int BCR20_SWSTYLE = 0x00FF;
    public static final int BCR20_SSIZE32 = 0x0100;
    public static final int BCR20_CSRPCNET = 0x0200;
    public static final int SWSTYLE_LANCE = 0;
    public static final int SWSTYLE_ILACC = 1;
    public static final int SWSTYLE_PCNET_PCI = 2;
    public static final int SWSTYLE_PCNET_PCI_II = 3;

    // ---- descriptors (status word: RMD1/TMD1 bits 31:16 in 32-bit layouts, 15:0 here) ----
    public static final int RMD1_OWN = 0x8000;
    public static final int RMD1_ERR = 0x4000;
    public static final int RMD1_FRAM = 0x2000;
    public static final int RMD1_OFLO = 0x1000;
    public static final int RMD1_CRC = 0x0800;
    public static final int RMD1_BUFF = 0x0400;
    public static final int RMD1_STP = 0x0200;
    public static final int RMD1_ENP = 0x0100;
    public static final int RMD1_BPE = 0x0080;
    public static final int RMD1_PAM = 0x0040;
    public static final int RMD1_LAFM = 0x0020;
    public static final int RMD1_BAM = 0x0010;
    public static final int TMD1_OWN = 0x8000;
    public static final int TMD1_ERR = 0x4000;
    public static final int TMD1_ADD_FCS = 0x2000;
    public static final int TMD1_LTINT = 0x1000;
    public static final int TMD1_ONE = 0x0800;
    public static final int TMD1_DEF = 0x0400;
    public static final int TMD1_STP = 0x0200;
    public static final int TMD1_ENP = 0x0100;
    public static final int TMD2_BUFF = 0x8000_0000;
    public static final int TMD2_UFLO = 0x4000_0000;
    public static final int TMD2_EXDEF = 0x2000_0000;
    public static final int TMD2_LCOL = 0x1000_0000;
    public static final int TMD2_LCAR = 0x0800_0000;
    public static final int TMD2_RTRY = 0x0400_0000;
    /** BCNT is a 12-bit two's complement; bits 15:12 of its word must be ones. */
    static final int BCNT_MASK = 0x0FFF;
    static final int BCNT_ONES = 0xF000;
    static final int RMD2_MCNT = 0x0FFF;

    static final int MIN_FRAME = 60;
    static final int FCS_LENGTH = 4;
    static final int MAX_FRAME = 65535;
    /** What MCNT (12 bits) can report, FCS included. */
    static final int MAX_RX_FRAME = RMD2_MCNT - FCS_LENGTH;
    static final long POLL_MILLIS = 2;

    private final Logger log;
    private final ScheduledExecutorService clock;
    private final byte[] prom = new byte[APROM_SIZE];
    private final int[] csr = new int[CSR_COUNT];
    private final int[] bcr = new int[BCR_COUNT];
    private int rap;
    private volatile NetPort port;
    private ScheduledFuture<?> poll;
    /** The frame being gathered from TX descriptors between STP and ENP. */
    private final ByteBuffer txFrame = ByteBuffer.allocate(MAX_FRAME);
    private boolean txInFrame;
    private long txLastAddress = -1;
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
        this.clock = clock;
        setStatus(PCI_STATUS_FAST_BACK | PCI_STATUS_DEVSEL_MEDIUM);
        setSubsystem(0x0000, 0x0000);
        setInterruptPin(1);
        setConfigByte(PCI_MIN_GNT, PCI_MIN_GNT_VALUE);
        setConfigByte(PCI_MAX_LAT, PCI_MAX_LAT_VALUE);
        Registers regs = new Registers();
        defineIoBar(0, PCNET_IOPORT_SIZE, regs);
        defineMemoryBar(1, BarType.MEMORY32, PCNET_PNPMMIO_SIZE, regs);
        defineRom(PCNET_ROM_SIZE, new byte[0]);
        loadProm(mac);
        hReset();
    }

    /** The address PROM as QEMU fills it: MAC, 00 00, 00 11, 00 00, checksum (LE), 'W' 'W'. */
    private void loadProm(byte[] mac) {
        Arrays.fill(prom, (byte) 0);
        System.arraycopy(mac, 0, prom, 0, 6);
        prom[9] = 0x11;
        prom[14] = 'W';
        prom[15] = 'W';
        int sum = 0;
        for (byte b : prom) {
            sum += b & 0xFF;
        }
        prom[12] = (byte) sum;
        prom[13] = (byte) (sum >>> 8);
    }

    // ---- the wire ----

    /** Connects the card to a backend port (null: no cable, link down). */
    public synchronized void setPort(NetPort port) {
        this.port = port;
    }

    private boolean linkUp() {
        NetPort p = port;
        return p != null && p.linkUp();
    }

    // ---- resets ----

    /** H_RESET (PCI RST#): BCRs to their defaults, then S_RESET. */
    private void hReset() {
        Arrays.fill(bcr, 0);
        Arrays.fill(csr, 0);
        bcr[BCR_MSRDA] = 0x0005;
        bcr[BCR_MSWRA] = 0x0005;
        bcr[BCR_MC] = BCR2_ASEL;
        bcr[BCR_LNKST] = BCR4_PSE | BCR4_LNKSTE;
        bcr[BCR_LED1] = 0x0084;
        bcr[BCR_LED2] = 0x0088;
        bcr[BCR_LED3] = 0x0090;
        bcr[BCR_FDC] = 0x0000;
        bcr[BCR_BSBC] = 0x9001;
        bcr[BCR_EECAS] = 0x0002;
        bcr[BCR_SWS] = BCR20_CSRPCNET | SWSTYLE_LANCE;
        bcr[BCR_PLAT] = 0xFF06;
        sReset();
    }

    /** S_RESET (a read of RESET): the chip stops, CSRs to their defaults, word I/O mode. */
    private void sReset() {
        stopPoll();
        rap = 0;
        bcr[BCR_BSBC] &= ~BCR18_DWIO;
        csr[CSR0] = CSR0_STOP;
        csr[CSR3] = 0;
        csr[CSR4] = CSR4_RESET;
        csr[CSR5] = 0;
        csr[CSR6_RXTX_RLEN] = 0;
        for (int i = 0; i < 4; i++) {
            csr[CSR8_LADRF0 + i] = 0;
        }
        for (int i = 0; i < 3; i++) {
            csr[CSR12_PADR0 + i] = (prom[2 * i] & 0xFF) | (prom[2 * i + 1] & 0xFF) << 8;
        }
        csr[CSR15_MODE] &= CSR15_KEPT_BY_S_RESET;
        csr[CSR24_BADRL] = csr[CSR25_BADRU] = 0;
        csr[CSR30_BADXL] = csr[CSR31_BADXU] = 0;
        csr[CSR72_RCVRC] = csr[CSR74_XMTRC] = csr[CSR76_RCVRL] = csr[CSR78_XMTRL] = 1;
        csr[CSR80] = 0x1410;
        csr[CSR88_CHIPID_LO] = CHIP_ID & 0xFFFF;
        csr[CSR89_CHIPID_HI] = CHIP_ID >>> 16;
        csr[94] = 0x0000;
        csr[100] = 0x0200;
        csr[103] = 0x0105;
        csr[CSR112_MISSC] = 0;
        csr[114] = 0;
        csr[122] = 0;
        csr[124] = 0;
        txInFrame = false;
        txLastAddress = -1;
        updateIrq();
    }

    @Override
    protected synchronized void resetDevice() {
        hReset();
    }

    @Override
    protected synchronized void deviceDetached() {
        stopPoll();
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

    private boolean dwio() {
        return (bcr[BCR_BSBC] & BCR18_DWIO) != 0;
    }

    synchronized int read(int offset, int size) {
        int none = size == 4 ? -1 : (1 << (8 * size)) - 1;
        if (offset < APROM_SIZE) {
            if (!dwio() && (size == 1 || (size == 2 && (offset & 1) == 0))
                    || dwio() && size == 4 && (offset & 3) == 0) {
                int v = 0;
                for (int i = 0; i < size; i++) {
                    v |= (prom[offset + i] & 0xFF) << (8 * i);
                }
                return v;
            }
            return none;
        }
        int v = none;
        if (!dwio() && size == 2) {
            switch (offset) {
                case WIO_RDP -> v = readCsr(rap) & 0xFFFF;
                case WIO_RAP -> v = rap;
                case WIO_RESET -> {
                    sReset();
                    v = 0;
                }
                case WIO_BDP -> v = readBcr(rap);
                default -> { }
            }
        } else if (dwio() && size == 4) {
            switch (offset) {
                case DWIO_RDP -> v = readCsr(rap);
                case DWIO_RAP -> v = rap;
                case DWIO_RESET -> {
                    sReset();
                    v = 0;
                }
                case DWIO_BDP -> v = readBcr(rap);
                default -> { }
            }
        }
        updateIrq();
        return v;
    }

    synchronized void write(int offset, int size, int value) {
        if (offset < APROM_SIZE) {
            if ((bcr[BCR_MC] & BCR2_APROMWE) != 0 && (!dwio() && (size == 1 || (size == 2 && (offset & 1) == 0))
                    || dwio() && size == 4 && (offset & 3) == 0)) {
                for (int i = 0; i < size; i++) {
                    prom[offset + i] = (byte) (value >>> (8 * i));
                }
            }
            return;
        }
        if (!dwio() && size == 2) {
            switch (offset) {
                case WIO_RDP -> writeCsr(rap, value & 0xFFFF);
                case WIO_RAP -> rap = value & 0x7F;
                case WIO_BDP -> writeBcr(rap, value & 0xFFFF);
                default -> { } // RESET: writes have no effect
            }
        } else if (dwio() && size == 4) {
            switch (offset) {
                case DWIO_RDP -> writeCsr(rap, value & 0xFFFF);
                case DWIO_RAP -> rap = value & 0x7F;
                case DWIO_BDP -> writeBcr(rap, value & 0xFFFF);
                default -> { }
            }
        } else if (!dwio() && size == 4 && offset == WIO_RDP) {
            // A double-word write to RDP selects DWIO; its data is not written anywhere.
            bcr[BCR_BSBC] |= BCR18_DWIO;
            log.debug("double-word I/O mode");
        }
        updateIrq();
    }

    // ---- CSRs ----

    private boolean stoppedOrSuspended() {
        return (csr[CSR0] & CSR0_STOP) != 0 || (csr[CSR5] & CSR5_SPND) != 0;
    }

    private int readCsr(int n) {
        return switch (n) {
            case CSR0 -> {
                int v = csr[CSR0];
                yield (v & (CSR0_BABL | CSR0_CERR | CSR0_MISS | CSR0_MERR)) != 0 ? v | CSR0_ERR : v;
            }
            case CSR16_IADR_LO_ALIAS -> csr[CSR1_IADR_LO];
            case CSR17_IADR_HI_ALIAS -> csr[CSR2_IADR_HI];
            case CSR58_SWS -> readBcr(BCR_SWS);
            // QEMU answers CSR88 with both halves of the chip ID (visible in DWIO mode).
            case CSR88_CHIPID_LO -> csr[CSR89_CHIPID_HI] << 16 | csr[CSR88_CHIPID_LO];
            default -> csr[n];
        };
    }

    private void writeCsr(int n, int v) {
        switch (n) {
            case CSR0 -> writeCsr0(v);
            case CSR1_IADR_LO, CSR2_IADR_HI, 8, 9, 10, 11, 12, 13, 14, CSR15_MODE, CSR72_RCVRC, CSR74_XMTRC,
                    CSR76_RCVRL, CSR78_XMTRL, CSR112_MISSC -> writeWhileStopped(n, v);
            case CSR3 -> csr[CSR3] = v & CSR3_WRITABLE;
            case CSR4 -> {
                int kept = csr[CSR4] & CSR4_W1C & ~v;
                csr[CSR4] = (v & ~CSR4_W1C & ~CSR4_UINTCMD) | kept;
                if ((v & CSR4_UINTCMD) != 0) {
                    csr[CSR4] |= CSR4_UINT;
                }
            }
            case CSR5 -> {
                int kept = csr[CSR5] & CSR5_W1C & ~v;
                csr[CSR5] = (v & ~CSR5_W1C) | kept;
            }
            case CSR16_IADR_LO_ALIAS -> writeWhileStopped(CSR1_IADR_LO, v);
            case CSR17_IADR_HI_ALIAS -> writeWhileStopped(CSR2_IADR_HI, v);
            case CSR58_SWS -> writeBcr(BCR_SWS, v);
            default -> {
                if (n >= 18 && n <= 47) {
                    writeWhileStopped(n, v);
                } else {
                    log.debug("write of {} to CSR{} ignored", String.format("%#06x", v), n);
                }
            }
        }
    }

    private void writeWhileStopped(int n, int v) {
        if (stoppedOrSuspended()) {
            csr[n] = v;
        } else {
            guestError("CSR%d written with %#06x while running (only allowed with STOP or SPND): ignored", n, v);
        }
    }

    private void writeCsr0(int v) {
        csr[CSR0] &= ~(v & CSR0_W1C);
        csr[CSR0] = (csr[CSR0] & ~CSR0_IENA) | (v & CSR0_IENA);
        if ((v & CSR0_STOP) != 0) {
            // STOP wins over INIT and STRT written with it.
            if ((csr[CSR0] & CSR0_STOP) == 0) {
                stop();
            }
            return;
        }
        if ((v & CSR0_INIT) != 0 && (csr[CSR0] & CSR0_INIT) == 0) {
            init();
        }
        if ((v & CSR0_STRT) != 0 && (csr[CSR0] & CSR0_STRT) == 0) {
            start();
        }
        if ((v & CSR0_TDMD) != 0) {
            csr[CSR0] |= CSR0_TDMD;
            transmit();
        }
    }

    private void stop() {
        stopPoll();
        csr[CSR0] = CSR0_STOP;
        csr[CSR4] &= ~(CSR4_MFCO | CSR4_UINTCMD | CSR4_UINT | CSR4_JAB);
        csr[CSR5] &= ~(CSR5_SPND | CSR5_MPINT);
        txInFrame = false;
        txLastAddress = -1;
    }

    private void start() {
        if ((csr[CSR15_MODE] & CSR15_DTX) == 0) {
            csr[CSR0] |= CSR0_TXON;
        }
        if ((csr[CSR15_MODE] & CSR15_DRX) == 0) {
            csr[CSR0] |= CSR0_RXON;
        }
        csr[CSR0] = (csr[CSR0] & ~CSR0_STOP) | CSR0_STRT;
        startPoll();
    }

    // ---- BCRs ----

    private int readBcr(int n) {
        n &= 0x7F;
        return switch (n) {
            case BCR_LNKST, BCR_LED1, BCR_LED2, BCR_LED3 -> {
                int v = bcr[n] & ~BCR4_LEDOUT;
                int active = linkUp() ? BCR4_LNKSTE : 0;
                yield (v & BCR_LED_SOURCES & active) != 0 ? v | BCR4_LEDOUT : v;
            }
            default -> n < BCR_COUNT ? bcr[n] : 0;
        };
    }

    private void writeBcr(int n, int v) {
        n &= 0x7F;
        switch (n) {
            case BCR_SWS -> {
                if (!stoppedOrSuspended()) {
                    guestError("BCR20 (SWSTYLE) written with %#06x while running: ignored", v);
                    return;
                }
                int style = v & BCR20_SWSTYLE;
                bcr[BCR_SWS] = switch (style) {
                    case SWSTYLE_LANCE -> style | BCR20_CSRPCNET;
                    case SWSTYLE_ILACC -> style | BCR20_SSIZE32;
                    case SWSTYLE_PCNET_PCI, SWSTYLE_PCNET_PCI_II -> style | BCR20_SSIZE32 | BCR20_CSRPCNET;
                    default -> {
                        guestError("SWSTYLE %#x is reserved: using 0 (LANCE)", style);
                        yield SWSTYLE_LANCE | BCR20_CSRPCNET;
                    }
                };
                if (style == SWSTYLE_ILACC) {
                    log.warn("SWSTYLE 1 (ILACC) is handled like SWSTYLE 2");
                }
            }
            case BCR_BSBC -> bcr[n] = (v & ~BCR18_DWIO) | (bcr[n] & BCR18_DWIO);
            case BCR_MC, BCR_LNKST, BCR_LED1, BCR_LED2, BCR_LED3, BCR_FDC, BCR_EECAS, BCR_PLAT -> bcr[n] = v;
            default -> log.debug("write of {} to BCR{} ignored", String.format("%#06x", v), n);
        }
    }

    private boolean ssize32() {
        return (bcr[BCR_SWS] & BCR20_SSIZE32) != 0;
    }

    private int swstyle() {
        return bcr[BCR_SWS] & BCR20_SWSTYLE;
    }

    /** In the 16-bit (SWSTYLE 0) layouts addresses are 24 bits; CSR2[15:8] gives bits 31:24. */
    private long physical(long address) {
        if (ssize32()) {
            return address & 0xFFFF_FFFFL;
        }
        return (address & 0xFF_FFFFL) | (long) (csr[CSR2_IADR_HI] & 0xFF00) << 16;
    }

    // ---- interrupts ----

    private void updateIrq() {
        int c0 = csr[CSR0];
        int c4 = csr[CSR4];
        int c5 = csr[CSR5];
        boolean intr = (c0 & ~csr[CSR3] & CSR0_INT_CAUSES) != 0
                || ((c4 >>> 1) & ~c4 & CSR4_RESET) != 0
                || (c4 & CSR4_UINT) != 0
                || ((c5 >>> 1) & c5 & CSR5_INT_ENABLES) != 0;
        csr[CSR0] = intr ? c0 | CSR0_INTR : c0 & ~CSR0_INTR;
        setIrq(intr && (c0 & CSR0_IENA) != 0);
    }

    // ---- initialization ----

    private void init() {
        long iadr = physical((csr[CSR1_IADR_LO] & 0xFFFFL) | (long) (csr[CSR2_IADR_HI] & 0xFFFF) << 16);
        if (!busMasterEnabled()) {
            guestError("INIT with bus mastering off: init block at %#x not read", iadr);
            return;
        }
        int mode;
        int rlen;
        int tlen;
        long rdra;
        long tdra;
        ByteBuffer b;
        if (ssize32()) {
            b = readDma(iadr, 28);
            mode = b.getShort(0) & 0xFFFF;
            rlen = (b.get(2) & 0xF0) >>> 4;
            tlen = (b.get(3) & 0xF0) >>> 4;
            setPadrLadrf(b, 4, 12);
            rdra = b.getInt(20) & 0xFFFF_FFFFL;
            tdra = b.getInt(24) & 0xFFFF_FFFFL;
        } else {
            b = readDma(iadr, 24);
            mode = b.getShort(0) & 0xFFFF;
            setPadrLadrf(b, 2, 8);
            long r = b.getInt(16) & 0xFFFF_FFFFL;
            long t = b.getInt(20) & 0xFFFF_FFFFL;
            rlen = (int) (r >>> 29);
            tlen = (int) (t >>> 29);
            rdra = physical(r);
            tdra = physical(t);
        }
        int rxLength = rlen < 9 ? 1 << rlen : 512;
        int txLength = tlen < 9 ? 1 << tlen : 512;
        csr[CSR15_MODE] = mode;
        csr[CSR6_RXTX_RLEN] = (tlen & 0xF) << 12 | (rlen & 0xF) << 8;
        csr[CSR24_BADRL] = (int) (rdra & 0xFFFF);
        csr[CSR25_BADRU] = (int) (rdra >>> 16);
        csr[CSR30_BADXL] = (int) (tdra & 0xFFFF);
        csr[CSR31_BADXU] = (int) (tdra >>> 16);
        csr[CSR76_RCVRL] = csr[CSR72_RCVRC] = rxLength;
        csr[CSR78_XMTRL] = csr[CSR74_XMTRC] = txLength;
        txInFrame = false;
        txLastAddress = -1;
        csr[CSR0] = (csr[CSR0] & ~CSR0_STOP) | CSR0_INIT | CSR0_IDON;
        log.debug("init: SWSTYLE {}, mode {}, RX ring {}x at {}, TX ring {}x at {}", swstyle(),
                String.format("%#06x", mode), rxLength, String.format("%#x", rdra), txLength,
                String.format("%#x", tdra));
    }

    private void setPadrLadrf(ByteBuffer b, int padr, int ladrf) {
        for (int i = 0; i < 3; i++) {
            csr[CSR12_PADR0 + i] = b.getShort(padr + 2 * i) & 0xFFFF;
        }
        for (int i = 0; i < 4; i++) {
            csr[CSR8_LADRF0 + i] = b.getShort(ladrf + 2 * i) & 0xFFFF;
        }
    }

    private ByteBuffer readDma(long address, int length) {
        byte[] bytes = new byte[length];
        dma().read(address, bytes, 0, length);
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    // ---- descriptors ----

    /**
     * One ring entry, normalised: {@code status} is RMD1/TMD1[31:16] (in SWSTYLE 0 only its high
     * byte exists), {@code bcnt} the BCNT word, {@code misc} RMD2/TMD2 (SWSTYLE 0: RMD3 in the
     * low half, TMD3 in the high half).
     */
    private record Descriptor(long address, long buffer, int bcnt, int status, int misc) {
        int bufferLength() {
            int n = -bcnt & BCNT_MASK;
            return n == 0 ? BCNT_MASK + 1 : n;
        }
    }

    private int descriptorSize() {
        return ssize32() ? 16 : 8;
    }

    private long rxRingBase() {
        return (csr[CSR24_BADRL] & 0xFFFFL) | (long) (csr[CSR25_BADRU] & 0xFFFF) << 16;
    }

    private long txRingBase() {
        return (csr[CSR30_BADXL] & 0xFFFFL) | (long) (csr[CSR31_BADXU] & 0xFFFF) << 16;
    }

    /** The ring counters count down from the ring length to 1; the index counts up from 0. */
    private static int ringIndex(int length, int counter) {
        int len = Math.max(1, length & 0xFFFF);
        int c = counter & 0xFFFF;
        if (c < 1 || c > len) {
            c = len;
        }
        return len - c;
    }

    private void advance(int counterCsr, int lengthCsr) {
        int len = Math.max(1, csr[lengthCsr] & 0xFFFF);
        int c = csr[counterCsr] & 0xFFFF;
        csr[counterCsr] = c <= 1 || c > len ? len : c - 1;
    }

    private long rxDescriptorAddress(int ahead) {
        int len = Math.max(1, csr[CSR76_RCVRL] & 0xFFFF);
        int index = (ringIndex(len, csr[CSR72_RCVRC]) + ahead) % len;
        return physical(rxRingBase() + (long) index * descriptorSize());
    }

    private long txDescriptorAddress() {
        int index = ringIndex(csr[CSR78_XMTRL], csr[CSR74_XMTRC]);
        return physical(txRingBase() + (long) index * descriptorSize());
    }

    private Descriptor loadDescriptor(long address, boolean receive) {
        ByteBuffer b = readDma(address, descriptorSize());
        if (!ssize32()) {
            long buffer = physical((b.getShort(0) & 0xFFFFL) | (long) (b.get(2) & 0xFF) << 16);
            int status = (b.get(3) & 0xFF) << 8;
            int bcnt = b.getShort(4) & 0xFFFF;
            int w3 = b.getShort(6) & 0xFFFF;
            return new Descriptor(address, buffer, bcnt, status, receive ? w3 : w3 << 16);
        }
        long d0 = b.getInt(0) & 0xFFFF_FFFFL;
        int d1 = b.getInt(4);
        int d2 = b.getInt(8);
        if (swstyle() == SWSTYLE_PCNET_PCI_II) {
            return new Descriptor(address, b.getInt(8) & 0xFFFF_FFFFL, d1 & 0xFFFF, d1 >>> 16, (int) d0);
        }
        return new Descriptor(address, d0, d1 & 0xFFFF, d1 >>> 16, d2);
    }

    /** Writes back what the chip owns in a descriptor: misc first, then status (OWN last). */
    private void storeDescriptor(long address, int status, int misc, boolean receive) {
        if (!ssize32()) {
            dma().writeShort(address + 6, receive ? misc & 0xFFFF : misc >>> 16);
            dma().writeByte(address + 3, status >>> 8);
            return;
        }
        dma().writeInt(address + (swstyle() == SWSTYLE_PCNET_PCI_II ? 0 : 8), misc);
        dma().writeShort(address + 6, status);
    }

    // ---- transmit ----

    private void startPoll() {
        if (clock != null && poll == null) {
            try {
                poll = clock.scheduleWithFixedDelay(this::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                log.debug("board clock is shut down: no transmit poll");
            }
        }
    }

    private void stopPoll() {
        if (poll != null) {
            poll.cancel(false);
            poll = null;
        }
    }

    private synchronized void poll() {
        if ((csr[CSR0] & CSR0_TXON) != 0 && (csr[CSR4] & CSR4_DPOLL) == 0 && busMasterEnabled() && attached()) {
            transmit();
            updateIrq();
        }
    }

    /** Walks the TX ring from the current descriptor while the chip owns descriptors. */
    private void transmit() {
        csr[CSR0] &= ~CSR0_TDMD;
        if ((csr[CSR0] & CSR0_TXON) == 0 || (csr[CSR5] & CSR5_SPND) != 0) {
            return;
        }
        if (!busMasterEnabled()) {
            guestError("transmit demand with bus mastering off: TX ring not read");
            return;
        }
        int budget = Math.max(1, csr[CSR78_XMTRL] & 0xFFFF);
        while (budget-- > 0) {
            long address = txDescriptorAddress();
            Descriptor d = loadDescriptor(address, false);
            if ((d.status & TMD1_OWN) == 0) {
                break;
            }
            if ((d.bcnt & BCNT_ONES) != BCNT_ONES) {
                guestError("TX descriptor at %#x: BCNT word %#06x lacks the ones in bits 15:12", address, d.bcnt);
            }
            int status = d.status & ~(TMD1_OWN | TMD1_ERR);
            int misc = 0;
            if ((d.status & TMD1_STP) != 0) {
                txFrame.clear();
                txInFrame = true;
                csr[CSR4] |= CSR4_TXSTRT;
            } else if (!txInFrame) {
                guestError("TX descriptor at %#x continues a frame that has no STP: skipped", address);
            }
            boolean completed = false;
            if (txInFrame) {
                int n = d.bufferLength();
                if (n > txFrame.remaining()) {
                    guestError("TX frame longer than %d bytes: dropped", MAX_FRAME);
                    txInFrame = false;
                    status |= TMD1_ERR;
                    misc |= TMD2_BUFF;
                } else {
                    dma().read(d.buffer, txFrame.array(), txFrame.position(), n);
                    txFrame.position(txFrame.position() + n);
                }
                if (txInFrame && (d.status & TMD1_ENP) != 0) {
                    txInFrame = false;
                    completed = true;
                    if (!send()) {
                        status |= TMD1_ERR;
                        misc |= TMD2_LCAR;
                    }
                }
            }
            storeDescriptor(address, status, misc, false);
            txLastAddress = txInFrame ? address : -1;
            advance(CSR74_XMTRC, CSR78_XMTRL);
            if (completed || (status & TMD1_ERR) != 0) {
                // CSR5.TOKINTD: a frame sent without error sets no TINT, unless LTINTEN is on and
                // its descriptor asks with LTINT; a transmit error always sets TINT.
                boolean interrupt = (status & TMD1_ERR) != 0 || (csr[CSR5] & CSR5_TOKINTD) == 0
                        || ((csr[CSR5] & CSR5_LTINTEN) != 0 && (d.status & TMD1_LTINT) != 0);
                if (interrupt) {
                    csr[CSR0] |= CSR0_TINT;
                }
            }
        }
        if (txInFrame && txLastAddress >= 0) {
            // The rest of the frame was not handed over in time: the FIFO underflows.
            Descriptor last = loadDescriptor(txLastAddress, false);
            storeDescriptor(txLastAddress, last.status | TMD1_ERR, last.misc | TMD2_BUFF | TMD2_UFLO, false);
            guestError("TX frame chain at %#x ends without ENP: underflow", txLastAddress);
            txInFrame = false;
            txLastAddress = -1;
            csr[CSR0] |= CSR0_TINT;
            if ((csr[CSR3] & CSR3_DXSUFLO) == 0) {
                csr[CSR0] &= ~CSR0_TXON;
            }
        }
    }

    /** Sends the gathered frame; false when there is no carrier. */
    private boolean send() {
        int length = txFrame.position();
        if ((csr[CSR4] & CSR4_APAD_XMT) != 0 && length < MIN_FRAME) {
            Arrays.fill(txFrame.array(), length, MIN_FRAME, (byte) 0);
            length = MIN_FRAME;
        }
        byte[] frame = Arrays.copyOf(txFrame.array(), length);
        if ((csr[CSR15_MODE] & CSR15_LOOP) != 0) {
            if ((csr[CSR0] & CSR0_RXON) != 0) {
                receiveFrame(frame, 0, length);
            }
            return true;
        }
        NetPort p = port;
        if (p == null || !p.linkUp()) {
            return false;
        }
        if (length < 14) {
            guestError("runt frame of %d bytes (no APAD_XMT) not sent", length);
            return true;
        }
        p.transmit(frame, 0, length);
        return true;
    }

    // ---- receive ----

    @Override
    public boolean receive(byte[] frame, int offset, int length) {
        if (frame == null || offset < 0 || length <= 0 || offset > frame.length - length) {
            return false;
        }
        synchronized (this) {
            if (!attached() || (csr[CSR15_MODE] & CSR15_LOOP) != 0) {
                return false;
            }
            boolean accepted = receiveFrame(frame, offset, length);
            updateIrq();
            return accepted;
        }
    }

    private boolean receiveFrame(byte[] frame, int offset, int length) {
        if ((csr[CSR0] & (CSR0_STOP | CSR0_RXON)) != CSR0_RXON || (csr[CSR5] & CSR5_SPND) != 0) {
            return false;
        }
        if (length > MAX_RX_FRAME) {
            guestError("frame of %d bytes from the wire is longer than the %d MCNT can count: dropped", length,
                    MAX_RX_FRAME);
            return false;
        }
        int match = addressMatch(frame, offset, length);
        if (match < 0) {
            return false;
        }
        if (!busMasterEnabled()) {
            guestError("frame received with bus mastering off: RX ring not read, frame dropped");
            return false;
        }
        byte[] data = withFcs(frame, offset, length);
        long address = rxDescriptorAddress(0);
        Descriptor d = loadDescriptor(address, true);
        if ((d.status & RMD1_OWN) == 0) {
            missed();
            return false;
        }
        int done = 0;
        int status = RMD1_STP;
        while (true) {
            if ((d.bcnt & BCNT_ONES) != BCNT_ONES) {
                guestError("RX descriptor at %#x: BCNT word %#06x lacks the ones in bits 15:12", address, d.bcnt);
            }
            int n = Math.min(d.bufferLength(), data.length - done);
            dma().write(d.buffer, data, done, n);
            done += n;
            if (done == data.length) {
                status |= RMD1_ENP | match;
                storeDescriptor(address, status, data.length & RMD2_MCNT, true);
                advance(CSR72_RCVRC, CSR76_RCVRL);
                break;
            }
            long nextAddress = rxDescriptorAddress(1);
            Descriptor next = loadDescriptor(nextAddress, true);
            if ((next.status & RMD1_OWN) == 0 || nextAddress == address) {
                // Out of buffers in the middle of the frame: the rest is lost.
                status |= RMD1_ERR | RMD1_BUFF | RMD1_OFLO;
                storeDescriptor(address, status, 0, true);
                advance(CSR72_RCVRC, CSR76_RCVRL);
                break;
            }
            storeDescriptor(address, status, 0, true);
            advance(CSR72_RCVRC, CSR76_RCVRL);
            address = nextAddress;
            d = next;
            status = 0;
        }
        csr[CSR0] |= CSR0_RINT;
        return true;
    }

    private void missed() {
        csr[CSR0] |= CSR0_MISS;
        int c = (csr[CSR112_MISSC] + 1) & 0xFFFF;
        csr[CSR112_MISSC] = c;
        if (c == 0) {
            csr[CSR4] |= CSR4_MFCO;
        }
    }

    /**
     * The frame as it lands in the buffers: padded to 60 bytes (backends may deliver shorter
     * frames than the wire allows) and followed by its FCS; with ASTRP_RCV an 802.3 frame loses
     * its pad and FCS instead.
     */
    private byte[] withFcs(byte[] frame, int offset, int length) {
        if ((csr[CSR4] & CSR4_ASTRP_RCV) != 0 && length >= 14) {
            int typeOrLength = (frame[offset + 12] & 0xFF) << 8 | (frame[offset + 13] & 0xFF);
            if (typeOrLength < 46 && 14 + typeOrLength < length) {
                // An 802.3 frame with pad: pad and FCS are stripped, MCNT counts what is left.
                return Arrays.copyOfRange(frame, offset, offset + 14 + typeOrLength);
            }
        }
        int n = Math.max(length, MIN_FRAME);
        byte[] data = new byte[n + FCS_LENGTH];
        System.arraycopy(frame, offset, data, 0, length);
        CRC32 crc = new CRC32();
        crc.update(data, 0, n);
        long fcs = crc.getValue();
        for (int i = 0; i < FCS_LENGTH; i++) {
            data[n + i] = (byte) (fcs >>> (8 * i));
        }
        return data;
    }

    /**
     * The receive address filter: -1 to drop, else the RMD1 match bit to report (PAM, BAM,
     * LAFM, or none when accepted only because of PROM).
     */
    private int addressMatch(byte[] frame, int offset, int length) {
        if (length < 6) {
            return (csr[CSR15_MODE] & CSR15_PROM) != 0 ? 0 : -1;
        }
        int mode = csr[CSR15_MODE];
        boolean prom = (mode & CSR15_PROM) != 0;
        boolean padr = (mode & CSR15_DRCVPA) == 0;
        for (int i = 0; i < 6 && padr; i++) {
            int own = csr[CSR12_PADR0 + i / 2] >>> (8 * (i & 1)) & 0xFF;
            padr = (frame[offset + i] & 0xFF) == own;
        }
        if (padr) {
            return prom ? 0 : RMD1_PAM;
        }
        boolean broadcast = true;
        for (int i = 0; i < 6; i++) {
            broadcast &= frame[offset + i] == (byte) 0xFF;
        }
        if (broadcast && (mode & CSR15_DRCVBC) == 0) {
            return prom ? 0 : RMD1_BAM;
        }
        if (!broadcast && (frame[offset] & 1) != 0) {
            int hash = ladrfHash(frame, offset);
            if ((csr[CSR8_LADRF0 + hash / 16] >>> (hash % 16) & 1) != 0) {
                return prom ? 0 : RMD1_LAFM;
            }
        }
        return prom ? 0 : -1;
    }

    /** The logical address filter index: the 6 high bits of the (uninverted) CRC-32 of the address. */
    static int ladrfHash(byte[] frame, int offset) {
        CRC32 crc = new CRC32();
        crc.update(frame, offset, 6);
        long register = ~crc.getValue() & 0xFFFF_FFFFL;
        return (int) (register >>> 26);
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
        return readCsr(n & 0x7F);
    }

    /** BCR {@code n} as a driver reads it. */
    public synchronized int bcr(int n) {
        return readBcr(n);
    }
}
