package org.alosj.hw.ata.impl;

/**
 * Register offsets, bits and command codes of ATA/ATAPI-7 and ACS (ATA8), spelled as the
 * standard spells them, and the PIIX3's bus-master IDE registers (SFF-8038i), spelled as the
 * 82371SB datasheet spells them.
 */
final class Ata {
    private Ata() {
    }

    /** Bytes per logical sector. */
    static final int SECTOR_SIZE = 512;

    // ---- command block registers (offsets from 0x1F0 / 0x170) ----
    static final int ATA_REG_DATA = 0;
    /** Error when read, Features when written. */
    static final int ATA_REG_ERROR = 1;
    static final int ATA_REG_FEATURES = 1;
    static final int ATA_REG_SECTOR_COUNT = 2;
    static final int ATA_REG_LBA_LOW = 3;
    static final int ATA_REG_LBA_MID = 4;
    static final int ATA_REG_LBA_HIGH = 5;
    static final int ATA_REG_DEVICE = 6;
    /** Status when read, Command when written. */
    static final int ATA_REG_STATUS = 7;
    static final int ATA_REG_COMMAND = 7;
    static final int COMMAND_BLOCK_SIZE = 8;

    // ---- control block: Alternate Status when read, Device Control when written (0x3F6 / 0x376) ----
    static final int CONTROL_BLOCK_OFFSET = 0x206;

    // ---- Status ----
    static final int STATUS_ERR = 0x01;
    static final int STATUS_DRQ = 0x08;
    /** Obsolete in ATA-7 (DSC, seek complete); disks still report it and drivers expect it. */
    static final int STATUS_DSC = 0x10;
    static final int STATUS_DF = 0x20;
    static final int STATUS_DRDY = 0x40;
    static final int STATUS_BSY = 0x80;

    // ---- Error ----
    static final int ERROR_ABRT = 0x04;
    static final int ERROR_IDNF = 0x10;
    static final int ERROR_UNC = 0x40;
    /** GET MEDIA STATUS: the medium is write-protected (same bit as UNC, another command). */
    static final int ERROR_WP = 0x40;
    /** After reset or EXECUTE DEVICE DIAGNOSTIC: device 0 passed, device 1 passed or absent. */
    static final int DIAGNOSTIC_PASSED = 0x01;

    // ---- Device ----
    static final int DEVICE_LBA = 0x40;
    static final int DEVICE_DEV = 0x10;
    static final int DEVICE_HEAD_MASK = 0x0F;

    // ---- Device Control ----
    static final int DEVICE_CONTROL_NIEN = 0x02;
    static final int DEVICE_CONTROL_SRST = 0x04;
    static final int DEVICE_CONTROL_HOB = 0x80;

    // ---- commands ----
    static final int NOP = 0x00;
    static final int READ_SECTORS = 0x20;
    static final int READ_SECTORS_WITHOUT_RETRY = 0x21;
    static final int READ_SECTORS_EXT = 0x24;
    static final int READ_DMA_EXT = 0x25;
    static final int READ_MULTIPLE_EXT = 0x29;
    static final int WRITE_SECTORS = 0x30;
    static final int WRITE_SECTORS_WITHOUT_RETRY = 0x31;
    static final int WRITE_SECTORS_EXT = 0x34;
    static final int WRITE_DMA_EXT = 0x35;
    static final int WRITE_MULTIPLE_EXT = 0x39;
    static final int READ_VERIFY_SECTORS = 0x40;
    static final int READ_VERIFY_SECTORS_WITHOUT_RETRY = 0x41;
    static final int READ_VERIFY_SECTORS_EXT = 0x42;
    static final int EXECUTE_DEVICE_DIAGNOSTIC = 0x90;
    static final int INITIALIZE_DEVICE_PARAMETERS = 0x91;
    static final int IDENTIFY_PACKET_DEVICE = 0xA1;
    static final int READ_MULTIPLE = 0xC4;
    static final int WRITE_MULTIPLE = 0xC5;
    static final int SET_MULTIPLE_MODE = 0xC6;
    static final int READ_DMA = 0xC8;
    static final int READ_DMA_WITHOUT_RETRY = 0xC9;
    static final int WRITE_DMA = 0xCA;
    static final int WRITE_DMA_WITHOUT_RETRY = 0xCB;
    static final int CHECK_POWER_MODE = 0xE5;
    /** Removable Media Status Notification feature set (ATA/ATAPI-5 8.21). */
    static final int GET_MEDIA_STATUS = 0xDA;
    static final int FLUSH_CACHE = 0xE7;
    static final int FLUSH_CACHE_EXT = 0xEA;
    static final int IDENTIFY_DEVICE = 0xEC;
    static final int SET_FEATURES = 0xEF;

    // ---- SET FEATURES subcommands (Features register) ----
    static final int SETFEATURES_WC_ON = 0x02;
    static final int SETFEATURES_XFER = 0x03;
    static final int SETFEATURES_AAM_OFF = 0xC2;
    static final int SETFEATURES_RLA_OFF = 0x55;
    static final int SETFEATURES_WC_OFF = 0x82;
    static final int SETFEATURES_RLA_ON = 0xAA;

    /** SET TRANSFER MODE values (Sector Count): mode type in bits 7:3, mode in 2:0. */
    static final int XFER_PIO_DEFAULT = 0x00;
    static final int XFER_PIO_DEFAULT_NO_IORDY = 0x01;
    static final int XFER_PIO_FLOW_CONTROL = 0x08;
    static final int XFER_MW_DMA = 0x20;
    static final int XFER_UDMA = 0x40;

    /** The largest DRQ block READ/WRITE MULTIPLE supports (IDENTIFY word 47). */
    static final int MAX_MULTIPLE_SECTORS = 16;

    static final long LBA28_LIMIT = 1L << 28;
    static final long LBA48_LIMIT = 1L << 48;

    // ---- PIIX3 configuration registers ----
    /** IDE timing, primary (0x40) and secondary (0x42) channel. */
    static final int IDETIM_PRIMARY = 0x40;
    static final int IDETIM_SECONDARY = 0x42;
    /** IDETIM bit 15: the channel's legacy ports are decoded. */
    static final int IDETIM_IDE = 0x8000;
    /** IDETIM bits the PIIX3 implements (11:10 are reserved). */
    static final int IDETIM_WRITABLE = 0xF3FF;
    /** Slave IDE timing (PIIX3). */
    static final int SIDETIM = 0x44;
    /** BAR4: the bus-master IDE I/O registers, 16 bytes. */
    static final int BMIBA_BAR = 4;
    static final int BMIBA_SIZE = 16;

    // ---- bus-master IDE registers (offsets within a channel's 8 bytes of BAR4) ----
    static final int BMICX = 0;
    static final int BMISX = 2;
    static final int BMIDTPX = 4;
    /** BMICX: start/stop bus master. */
    static final int BMICX_SSBM = 0x01;
    /** BMICX: bus master read/write control: 1 = bus master writes memory (device to memory). */
    static final int BMICX_RWCON = 0x08;
    /** BMISX: bus master IDE active. */
    static final int BMISX_BMIDEA = 0x01;
    /** BMISX: IDE DMA error (write 1 to clear). */
    static final int BMISX_ERROR = 0x02;
    /** BMISX: IDE interrupt status (write 1 to clear). */
    static final int BMISX_IDEINTS = 0x04;
    static final int BMISX_DMA0CAP = 0x20;
    static final int BMISX_DMA1CAP = 0x40;

    /** A Physical Region Descriptor: base (bit 0 zero), byte count (0 = 64 KiB), EOT in bit 31. */
    static final int PRD_SIZE = 8;
    static final int PRD_EOT = 0x8000_0000;
    static final int PRD_MAX_BYTES = 0x10000;
}
