package org.alosj.hw.e1000.impl;

/**
 * Register offsets and bits of the 8254x family (Intel's PCI/PCI-X Family of Gigabit Ethernet
 * Controllers Software Developer's Manual, section 13) and the 82574 (82574 GbE Controller
 * Datasheet, section 10), spelled as the manuals and Linux's e1000_hw.h spell them. Offsets are
 * bytes into the register BAR.
 */
final class E1000Regs {
    private E1000Regs() {
    }

    // ---- general ----
    static final int CTRL = 0x0000;
    static final int STATUS = 0x0008;
    static final int EECD = 0x0010;
    static final int EERD = 0x0014;
    static final int CTRL_EXT = 0x0018;
    static final int MDIC = 0x0020;
    static final int FCAL = 0x0028;
    static final int FCAH = 0x002C;
    static final int FCT = 0x0030;
    static final int VET = 0x0038;
    static final int ICR = 0x00C0;
    static final int ITR = 0x00C4;
    static final int ICS = 0x00C8;
    static final int IMS = 0x00D0;
    static final int IMC = 0x00D8;
    /** 82574: extended interrupt auto-clear (which MSI-X causes a message clears from ICR). */
    static final int EIAC = 0x00DC;
    /** 82574: interrupt acknowledge auto-mask. */
    static final int IAM = 0x00E0;
    /** 82574: interrupt vector allocation (MSI-X vector and valid bit per cause). */
    static final int IVAR = 0x00E4;
    /** 82574: per-vector interrupt throttling, five registers (stored, not applied: ITR is). */
    static final int EITR0 = 0x00E8;
    static final int RCTL = 0x0100;
    static final int FCTTV = 0x0170;
    static final int TCTL = 0x0400;
    static final int TIPG = 0x0410;
    static final int LEDCTL = 0x0E00;
    static final int PBA = 0x1000;
    static final int RDBAL = 0x2800;
    static final int RDBAH = 0x2804;
    static final int RDLEN = 0x2808;
    static final int RDH = 0x2810;
    static final int RDT = 0x2818;
    static final int RDTR = 0x2820;
    static final int RXDCTL = 0x2828;
    static final int RADV = 0x282C;
    static final int TDBAL = 0x3800;
    static final int TDBAH = 0x3804;
    static final int TDLEN = 0x3808;
    static final int TDH = 0x3810;
    static final int TDT = 0x3818;
    static final int TIDV = 0x3820;
    static final int TXDCTL = 0x3828;
    static final int TADV = 0x382C;
    static final int RXCSUM = 0x5000;
    /** 82574: receive filter control (extended descriptors). */
    static final int RFCTL = 0x5008;
    static final int MTA = 0x5200;
    static final int MTA_COUNT = 128;
    static final int RAL0 = 0x5400;
    static final int RAH0 = 0x5404;
    static final int RA_COUNT = 16;
    static final int VFTA = 0x5600;
    static final int MANC = 0x5820;
    static final int SWSM = 0x5B50;
    static final int FWSM = 0x5B54;

    // ---- statistics (0x4000-0x40FF, clear on read) ----
    static final int STATS_START = 0x4000;
    static final int STATS_END = 0x4100;
    static final int CRCERRS = 0x4000;
    static final int MPC = 0x4010;
    static final int PRC64 = 0x405C;
    static final int PRC127 = 0x4060;
    static final int PRC255 = 0x4064;
    static final int PRC511 = 0x4068;
    static final int PRC1023 = 0x406C;
    static final int PRC1522 = 0x4070;
    static final int GPRC = 0x4074;
    static final int BPRC = 0x4078;
    static final int MPRC = 0x407C;
    static final int GPTC = 0x4080;
    static final int GORCL = 0x4088;
    static final int GORCH = 0x408C;
    static final int GOTCL = 0x4090;
    static final int GOTCH = 0x4094;
    static final int RNBC = 0x40A0;
    static final int RUC = 0x40A4;
    static final int ROC = 0x40AC;
    static final int TORL = 0x40C0;
    static final int TORH = 0x40C4;
    static final int TOTL = 0x40C8;
    static final int TOTH = 0x40CC;
    static final int TPR = 0x40D0;
    static final int TPT = 0x40D4;
    static final int PTC64 = 0x40D8;
    static final int PTC127 = 0x40DC;
    static final int PTC255 = 0x40E0;
    static final int PTC511 = 0x40E4;
    static final int PTC1023 = 0x40E8;
    static final int PTC1522 = 0x40EC;
    static final int MPTC = 0x40F0;
    static final int TSCTC = 0x40F8;
    static final int BPTC = 0x40F4;

    // ---- I/O BAR window ----
    static final int IOADDR = 0x00;
    static final int IODATA = 0x04;

    // ---- CTRL ----
    static final int CTRL_FD = 1;
    static final int CTRL_LRST = 1 << 3;
    static final int CTRL_ASDE = 1 << 5;
    static final int CTRL_SLU = 1 << 6;
    static final int CTRL_ILOS = 1 << 7;
    static final int CTRL_SPD_1000 = 2 << 8;
    static final int CTRL_SWDPIN0 = 1 << 18;
    static final int CTRL_SWDPIN2 = 1 << 20;
    static final int CTRL_RST = 1 << 26;
    static final int CTRL_VME = 1 << 30;
    static final int CTRL_PHY_RST = 1 << 31;

    // ---- STATUS ----
    static final int STATUS_FD = 1;
    static final int STATUS_LU = 1 << 1;
    static final int STATUS_TXOFF = 1 << 4;
    static final int STATUS_SPEED_1000 = 2 << 6;
    static final int STATUS_ASDV_1000 = 2 << 8;
    /** 8254x: the MAC's clock is running; 82574: reserved, reads as QEMU sets it. */
    static final int STATUS_MTXCKOK = 1 << 10;
    static final int STATUS_PHYRA = 1 << 10;
    static final int STATUS_GIO_MASTER_ENABLE = 1 << 19;

    // ---- EECD (8254x microwire) ----
    static final int EECD_SK = 1;
    static final int EECD_CS = 1 << 1;
    static final int EECD_DI = 1 << 2;
    static final int EECD_DO = 1 << 3;
    static final int EECD_FWE_MASK = 3 << 4;
    static final int EECD_REQ = 1 << 6;
    static final int EECD_GNT = 1 << 7;
    static final int EECD_PRES = 1 << 8;
    /** 82574: the NVM was read after reset (auto-read done). */
    static final int EECD_AUTO_RD = 1 << 9;
    /** 82574: NVM size field 14:11, 4 = 64 words... as QEMU reports it. */
    static final int EECD_SIZE_EX_SHIFT = 11;
    static final int EEPROM_READ_OPCODE_MICROWIRE = 0x6;

    // ---- EERD: the 8254x and 82574 layouts differ ----
    static final int EERD_START = 1;
    static final int EERD_8254X_DONE = 1 << 4;
    static final int EERD_8254X_ADDR_SHIFT = 8;
    static final int EERD_82574_DONE = 1 << 1;
    static final int EERD_82574_ADDR_SHIFT = 2;
    static final int EERD_DATA_SHIFT = 16;

    // ---- MDIC ----
    static final int MDIC_DATA_MASK = 0xFFFF;
    static final int MDIC_REG_SHIFT = 16;
    static final int MDIC_PHY_SHIFT = 21;
    static final int MDIC_OP_WRITE = 1 << 26;
    static final int MDIC_OP_READ = 2 << 26;
    static final int MDIC_READY = 1 << 28;
    static final int MDIC_INT_EN = 1 << 29;
    static final int MDIC_ERROR = 1 << 30;

    // ---- interrupt causes (ICR/ICS/IMS/IMC) ----
    static final int ICR_TXDW = 1;
    static final int ICR_TXQE = 1 << 1;
    static final int ICR_LSC = 1 << 2;
    static final int ICR_RXSEQ = 1 << 3;
    static final int ICR_RXDMT0 = 1 << 4;
    static final int ICR_RXO = 1 << 6;
    static final int ICR_RXT0 = 1 << 7;
    static final int ICR_MDAC = 1 << 9;
    static final int ICR_TXD_LOW = 1 << 15;
    static final int ICR_SRPD = 1 << 16;
    /** 82574, MSI-X mode: receive queue 0 and 1, transmit queue 0 and 1 write-back. */
    static final int ICR_RXQ0 = 1 << 20;
    static final int ICR_RXQ1 = 1 << 21;
    static final int ICR_TXQ0 = 1 << 22;
    static final int ICR_TXQ1 = 1 << 23;
    /** 82574, MSI-X mode: one of the other causes (link, overrun, MDI, small packet, ACK, MNG). */
    static final int ICR_OTHER = 1 << 24;
    static final int ICR_ACK = 1 << 17;
    static final int ICR_MNG = 1 << 18;
    /** The causes that also raise OTHER in MSI-X mode. */
    static final int ICR_OTHER_CAUSES = ICR_LSC | ICR_RXO | ICR_MDAC | ICR_SRPD | ICR_ACK | ICR_MNG;
    /** The five MSI-X causes IVAR routes, low bit first: RxQ0, RxQ1, TxQ0, TxQ1, Other. */
    static final int ICR_MSIX_CAUSES = 0x01F0_0000;
    static final int ICR_MSIX_SHIFT = 20;
    /** 82574: set in ICR while any unmasked cause is pending. */
    static final int ICR_INT_ASSERTED = 1 << 31;
    /** The causes a part can signal; the rest of ICS/IMS is reserved. */
    static final int ICR_8254X_CAUSES = 0x0001_F6DF;
    static final int ICR_82574_CAUSES = 0x01F5_F6DF;

    // ---- IVAR: a 4-bit field per MSI-X cause, vector in bits 2:0 and a valid bit ----
    static final int IVAR_FIELD_BITS = 4;
    static final int IVAR_VECTOR_MASK = 0x7;
    static final int IVAR_VALID = 0x8;
    /** Bit 31: transmit interrupts on every write-back (kept, no effect on the model). */
    static final int IVAR_TX_INT_EVERY_WB = 1 << 31;

    // ---- CTRL_EXT (82574) ----
    /** MSI-X: a message clears the IMS bits IAM names for its causes. */
    static final int CTRL_EXT_EIAME = 1 << 24;
    /** A read or write of ICR writes IAM to IMC. */
    static final int CTRL_EXT_IAME = 1 << 27;
    /** PBA support: setting a cause in IMS clears its vector's MSI-X pending bit. */
    static final int CTRL_EXT_PBA_CLR = 1 << 31;

    // ---- RCTL ----
    static final int RCTL_EN = 1 << 1;
    static final int RCTL_SBP = 1 << 2;
    static final int RCTL_UPE = 1 << 3;
    static final int RCTL_MPE = 1 << 4;
    static final int RCTL_LPE = 1 << 5;
    static final int RCTL_LBM_MASK = 3 << 6;
    static final int RCTL_RDMTS_SHIFT = 8;
    static final int RCTL_DTYP_MASK = 3 << 10;
    static final int RCTL_MO_SHIFT = 12;
    static final int RCTL_BAM = 1 << 15;
    static final int RCTL_BSIZE_SHIFT = 16;
    static final int RCTL_VFE = 1 << 18;
    static final int RCTL_BSEX = 1 << 25;
    static final int RCTL_SECRC = 1 << 26;

    // ---- TCTL ----
    static final int TCTL_EN = 1 << 1;
    static final int TCTL_PSP = 1 << 3;

    // ---- RXCSUM / RFCTL ----
    static final int RXCSUM_IPOFL = 1 << 8;
    static final int RXCSUM_TUOFL = 1 << 9;
    static final int RFCTL_EXSTEN = 1 << 15;

    static final int RAH_AV = 1 << 31;

    // ---- legacy receive descriptor (16 bytes) ----
    static final int RDESC_SIZE = 16;
    static final int RXD_STAT_DD = 1;
    static final int RXD_STAT_EOP = 1 << 1;
    static final int RXD_STAT_IXSM = 1 << 2;
    static final int RXD_STAT_UDPCS = 1 << 4;
    static final int RXD_STAT_TCPCS = 1 << 5;
    static final int RXD_STAT_IPCS = 1 << 6;
    static final int RXD_ERR_TCPE = 1 << 5;
    static final int RXD_ERR_IPE = 1 << 6;
    /** Extended descriptors: the error byte sits in bits 31:24 of STATUS_ERROR. */
    static final int RXDEXT_ERR_SHIFT = 24;

    // ---- transmit descriptors (16 bytes) ----
    static final int TDESC_SIZE = 16;
    static final int TXD_CMD_EOP = 1 << 24;
    static final int TXD_CMD_IFCS = 1 << 25;
    static final int TXD_CMD_IC = 1 << 26;
    static final int TXD_CMD_TSE = 1 << 26;
    static final int TXD_CMD_RS = 1 << 27;
    static final int TXD_CMD_RPS = 1 << 28;
    static final int TXD_CMD_DEXT = 1 << 29;
    static final int TXD_CMD_VLE = 1 << 30;
    static final int TXD_CMD_IDE = 1 << 31;
    /** Context descriptor TUCMD: TCP (else UDP), IPv4 (else IPv6). */
    static final int TXD_CMD_TCP = 1 << 24;
    static final int TXD_CMD_IP = 1 << 25;
    static final int TCP_FIN = 0x01;
    static final int TCP_PSH = 0x08;
    static final int TXD_DTYP_MASK = 0xF << 20;
    static final int TXD_DTYP_C = 0;
    static final int TXD_DTYP_D = 1 << 20;
    static final int TXD_STAT_DD = 1;
    static final int TXD_POPTS_IXSM = 1 << 8;
    static final int TXD_POPTS_TXSM = 1 << 9;
    static final int TXD_LENGTH_MASK = 0xFFFF;
    static final int TXD_DTALEN_MASK = 0xF_FFFF;

    // ---- the PHY behind MDIC (IEEE 802.3 clause 22) ----
    static final int PHY_ADDRESS = 1;
    static final int MII_BMCR = 0x00;
    static final int MII_BMSR = 0x01;
    static final int MII_PHYID1 = 0x02;
    static final int MII_PHYID2 = 0x03;
    static final int MII_ANAR = 0x04;
    static final int MII_ANLPAR = 0x05;
    static final int MII_ANER = 0x06;
    static final int MII_CTRL1000 = 0x09;
    static final int MII_STAT1000 = 0x0A;
    static final int M88_PHY_SPEC_CTRL = 0x10;
    static final int M88_PHY_SPEC_STATUS = 0x11;
    static final int M88_EXT_PHY_SPEC_CTRL = 0x14;
    static final int MII_BMCR_RESET = 1 << 15;
    static final int MII_BMCR_LOOPBACK = 1 << 14;
    static final int MII_BMCR_ANRESTART = 1 << 9;
    static final int MII_BMSR_LINK_ST = 1 << 2;
    static final int MII_BMSR_AN_COMP = 1 << 5;
}
