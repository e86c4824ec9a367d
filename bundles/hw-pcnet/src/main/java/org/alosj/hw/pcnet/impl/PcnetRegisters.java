package org.alosj.hw.pcnet.impl;

/**
 * The Am79C970A's registers and descriptor bits, spelled as datasheet 19436 spells them (QEMU
 * keeps the same in pcnet.h): CSR and BCR numbers and bits, the ring descriptors' status bits,
 * and the frame sizes the chip works with. Every part of the model reads them from here.
 */
final class PcnetRegisters {
    private PcnetRegisters() {
    }

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
}
