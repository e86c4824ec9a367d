package org.alosj.drivers.e1000e;

/**
 * The driver's view of the 8254x/82574 register set (the manuals' names, as Linux's
 * e1000_hw.h and e1000e's hw.h spell them). A deliberate copy of what the device model
 * declares: the driver and the hardware share no code, only the datasheet.
 */
final class E1000Hw {
    private E1000Hw() {
    }

    static final int CTRL = 0x0000;
    static final int STATUS = 0x0008;
    static final int EERD = 0x0014;
    static final int ICR = 0x00C0;
    static final int ITR = 0x00C4;
    static final int IMS = 0x00D0;
    static final int IMC = 0x00D8;
    static final int RCTL = 0x0100;
    static final int TCTL = 0x0400;
    static final int TIPG = 0x0410;
    static final int RDBAL = 0x2800;
    static final int RDBAH = 0x2804;
    static final int RDLEN = 0x2808;
    static final int RDH = 0x2810;
    static final int RDT = 0x2818;
    static final int TDBAL = 0x3800;
    static final int TDBAH = 0x3804;
    static final int TDLEN = 0x3808;
    static final int TDH = 0x3810;
    static final int TDT = 0x3818;
    static final int RXCSUM = 0x5000;
    static final int RFCTL = 0x5008;
    static final int MTA = 0x5200;
    static final int MTA_COUNT = 128;
    static final int RAL0 = 0x5400;
    static final int RAH0 = 0x5404;
    static final int RA_COUNT = 16;

    static final int CTRL_ASDE = 1 << 5;
    static final int CTRL_SLU = 1 << 6;
    static final int CTRL_LRST = 1 << 3;
    static final int CTRL_ILOS = 1 << 7;
    static final int CTRL_RST = 1 << 26;
    static final int CTRL_PHY_RST = 1 << 31;
    static final int STATUS_LU = 1 << 1;

    static final int EERD_START = 1;
    static final int EERD_8254X_DONE = 1 << 4;
    static final int EERD_8254X_ADDR_SHIFT = 8;
    static final int EERD_82574_DONE = 1 << 1;
    static final int EERD_82574_ADDR_SHIFT = 2;
    static final int EERD_DATA_SHIFT = 16;
    static final int EEPROM_WORDS = 64;
    static final int EEPROM_CHECKSUM_SUM = 0xBABA;

    static final int ICR_TXDW = 1;
    static final int ICR_TXQE = 1 << 1;
    static final int ICR_LSC = 1 << 2;
    static final int ICR_RXDMT0 = 1 << 4;
    static final int ICR_RXO = 1 << 6;
    static final int ICR_RXT0 = 1 << 7;
    /** 82574, MSI-X mode: receive queue 0, transmit queue 0 and "other" causes. */
    static final int ICR_RXQ0 = 1 << 20;
    static final int ICR_TXQ0 = 1 << 22;
    static final int ICR_OTHER = 1 << 24;
    /** 82574: the MSI-X causes EIAC can auto-clear. */
    static final int EIAC_MASK_82574 = 0x01F0_0000;

    // ---- 82574 MSI-X routing ----
    static final int CTRL_EXT = 0x0018;
    static final int EIAC = 0x00DC;
    static final int IAM = 0x00E0;
    static final int IVAR = 0x00E4;
    /** IVAR: a 4-bit field per cause (RxQ0 bits 3:0, TxQ0 11:8, Other 19:16), vector plus valid bit. */
    static final int IVAR_VALID = 0x8;
    static final int IVAR_RXQ0_SHIFT = 0;
    static final int IVAR_TXQ0_SHIFT = 8;
    static final int IVAR_OTHER_SHIFT = 16;
    /** IVAR bit 31: transmit interrupts on every descriptor write-back. */
    static final int IVAR_TX_INT_EVERY_WB = 1 << 31;
    /** CTRL_EXT: IAM applies when a message is sent (EIAME), or on an ICR access (IAME). */
    static final int CTRL_EXT_EIAME = 1 << 24;
    static final int CTRL_EXT_IAME = 1 << 27;
    /** CTRL_EXT: setting a cause in IMS clears its vector's pending bit. */
    static final int CTRL_EXT_PBA_CLR = 1 << 31;

    static final int RCTL_EN = 1 << 1;
    static final int RCTL_MPE = 1 << 4;
    static final int RCTL_BAM = 1 << 15;
    static final int RCTL_SECRC = 1 << 26;
    /** BSIZE 00 without BSEX: 2048-byte buffers. */
    static final int RCTL_BSIZE_2048 = 0;
    static final int RCTL_RDMTS_HALF = 0;

    static final int TCTL_EN = 1 << 1;
    static final int TCTL_PSP = 1 << 3;
    static final int TCTL_CT_SHIFT = 4;
    static final int TCTL_COLD_SHIFT = 12;
    static final int TIPG_DEFAULT = 0x0060_2008;

    static final int RFCTL_EXSTEN = 1 << 15;

    static final int RAH_AV = 1 << 31;

    /** Missed packets: frames the MAC dropped for want of a descriptor (clears on read). */
    static final int MPC = 0x4010;

    // descriptors
    static final int DESCRIPTOR_SIZE = 16;
    static final int RXD_STAT_DD = 1;
    static final int RXD_STAT_EOP = 1 << 1;
    /** Legacy write-back: length at 8, status at 12, errors at 13. */
    static final int RXD_LENGTH = 8;
    static final int RXD_STATUS = 12;
    static final int RXD_ERRORS = 13;
    /** Extended write-back: status and errors at 8 (errors in 31:24), length at 12. */
    static final int RXD_EXT_STATUS_ERROR = 8;
    static final int RXD_EXT_LENGTH = 12;
    static final int RXD_ERR_FRAME = 0x97; // CE, SE, SEQ, CXE, RXE: the frame itself is bad

    static final int TXD_CMD_EOP = 1 << 24;
    static final int TXD_CMD_IFCS = 1 << 25;
    static final int TXD_CMD_RS = 1 << 27;
    static final int TXD_STAT_DD = 1;
}
