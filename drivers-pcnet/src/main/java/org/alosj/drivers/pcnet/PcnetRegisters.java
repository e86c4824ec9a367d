package org.alosj.drivers.pcnet;

/**
 * The Am79C970A register map as the datasheet (AMD publication 19436) names it: the I/O
 * resources of BAR0 in both access modes, the CSRs and BCRs this driver touches, the SWSTYLE 2
 * initialization block and descriptor layouts. Constants only.
 */
final class PcnetRegisters {
    private PcnetRegisters() {
    }

    // ---- I/O resources (BAR0, 32 bytes) ----
    static final int IO_SIZE = 0x20;
    static final int APROM = 0x00; // 16 bytes; the station address is bytes 0..5

    /** Word I/O (WIO), the mode after H_RESET: 16-bit accesses. */
    static final int WIO_RDP = 0x10;
    static final int WIO_RAP = 0x12;
    static final int WIO_RESET = 0x14;
    static final int WIO_BDP = 0x16;

    /** Double-word I/O (DWIO), entered by a 32-bit write to RDP: 32-bit accesses. */
    static final int DWIO_RDP = 0x10;
    static final int DWIO_RAP = 0x14;
    static final int DWIO_RESET = 0x18;
    static final int DWIO_BDP = 0x1C;

    // ---- CSR0: controller status and control ----
    static final int CSR0 = 0;
    static final int CSR0_INIT = 0x0001;
    static final int CSR0_STRT = 0x0002;
    static final int CSR0_STOP = 0x0004;
    static final int CSR0_TDMD = 0x0008;
    static final int CSR0_TXON = 0x0010;
    static final int CSR0_RXON = 0x0020;
    static final int CSR0_IENA = 0x0040;
    static final int CSR0_INTR = 0x0080;
    static final int CSR0_IDON = 0x0100;
    static final int CSR0_TINT = 0x0200;
    static final int CSR0_RINT = 0x0400;
    static final int CSR0_MERR = 0x0800;
    static final int CSR0_MISS = 0x1000;
    static final int CSR0_CERR = 0x2000;
    static final int CSR0_BABL = 0x4000;
    static final int CSR0_ERR = 0x8000;
    /** The status bits that clear when written with 1. */
    static final int CSR0_W1C = CSR0_BABL | CSR0_CERR | CSR0_MISS | CSR0_MERR | CSR0_RINT | CSR0_TINT | CSR0_IDON;

    static final int CSR1 = 1;   // IADR[15:0]: initialization block address, low
    static final int CSR2 = 2;   // IADR[31:16]
    static final int CSR3 = 3;   // interrupt masks and deferral control
    static final int CSR4 = 4;   // test and features control
    static final int CSR5 = 5;   // extended control and interrupt 1
    /** Transmit OK Interrupt Disable: a frame sent without error sets no TINT... */
    static final int CSR5_TOKINTD = 0x8000;
    /** ...unless LTINTEN is on and its descriptor has LTINT (Last Transmit Interrupt). */
    static final int CSR5_LTINTEN = 0x4000;
    static final int CSR15 = 15; // mode (loaded from the init block's MODE)
    static final int CSR88 = 88; // chip ID, low
    static final int CSR89 = 89; // chip ID, high

    /** CSR88/89: bits 11..0 are AMD's manufacturer ID with bit 0 set; bits 27..12 the part. */
    static final int CHIP_ID_AMD = 0x003;
    static final int PART_AM79C970 = 0x2420;
    static final int PART_AM79C970A = 0x2621;
    static final int PART_AM79C971 = 0x2623;
    static final int PART_AM79C972 = 0x2624;
    static final int PART_AM79C973 = 0x2625;
    static final int PART_AM79C978 = 0x2626;
    static final int PART_AM79C975 = 0x2627;

    // ---- BCRs ----
    static final int BCR4 = 4; // LED0 status; after H_RESET it shows link status
    static final int BCR4_LNKSTE = 0x0040;
    static final int BCR4_LEDOUT = 0x8000;
    static final int BCR18 = 18; // burst and bus control
    static final int BCR18_DWIO = 0x0080;
    static final int BCR20 = 20; // software style
    static final int BCR20_SWSTYLE = 0x00FF;
    static final int BCR20_SSIZE32 = 0x0100;
    /** PCnet-PCI style: 32-bit init block and 16-byte descriptors, RMD1/TMD1 hold the status. */
    static final int SWSTYLE_PCNET_PCI = 2;

    // ---- SWSTYLE 2 initialization block (28 bytes, DWORD aligned) ----
    static final int INIT_BLOCK_SIZE = 28;
    static final int IB_MODE_RLEN_TLEN = 0x00; // MODE[15:0], RLEN[23:20], TLEN[31:28]
    static final int IB_PADR_LOW = 0x04;
    static final int IB_PADR_HIGH = 0x08;
    static final int IB_LADRF_LOW = 0x0C;
    static final int IB_LADRF_HIGH = 0x10;
    static final int IB_RDRA = 0x14;
    static final int IB_TDRA = 0x18;
    static final int MODE_NORMAL = 0x0000; // no promiscuous, no loopback, FCS added by the chip
    /** Log2 ring lengths above 9 mean 512 entries; 512 is the SWSTYLE 2 maximum. */
    static final int MAX_RING_LOG2 = 9;

    // ---- SWSTYLE 2 descriptors (16 bytes, 16-byte aligned) ----
    static final int DESCRIPTOR_SIZE = 16;
    static final int MD0 = 0x0; // buffer address
    static final int MD1 = 0x4; // status and BCNT
    static final int MD2 = 0x8; // RX: MCNT and counts; TX: error flags
    static final int MD3 = 0xC; // user space

    static final int RMD1_OWN = 0x8000_0000;
    static final int RMD1_ERR = 0x4000_0000;
    static final int RMD1_FRAM = 0x2000_0000;
    static final int RMD1_OFLO = 0x1000_0000;
    static final int RMD1_CRC = 0x0800_0000;
    static final int RMD1_BUFF = 0x0400_0000;
    static final int RMD1_STP = 0x0200_0000;
    static final int RMD1_ENP = 0x0100_0000;
    static final int RMD2_MCNT = 0x0000_0FFF;

    static final int TMD1_OWN = 0x8000_0000;
    static final int TMD1_ERR = 0x4000_0000;
    static final int TMD1_ADD_FCS = 0x2000_0000;
    static final int TMD1_LTINT = 0x1000_0000;
    static final int TMD1_STP = 0x0200_0000;
    static final int TMD1_ENP = 0x0100_0000;
    static final int TMD2_BUFF = 0x8000_0000;
    static final int TMD2_UFLO = 0x4000_0000;
    static final int TMD2_EXDEF = 0x2000_0000;
    static final int TMD2_LCOL = 0x1000_0000;
    static final int TMD2_LCAR = 0x0800_0000;
    static final int TMD2_RTRY = 0x0400_0000;

    /** MD1 bits 15..12 must be ones; BCNT (bits 11..0) is the buffer length, negated. */
    static final int MD1_ONES = 0x0000_F000;
    static final int MD1_BCNT = 0x0000_0FFF;
}
