package org.alosj.drivers.ata;

/**
 * The driver's view of the hardware: ATA task file registers, bits and commands (ATA/ATAPI-7,
 * ACS) and the PIIX bus-master IDE registers (SFF-8038i), spelled as the standards spell them.
 */
final class AtaRegisters {
    private AtaRegisters() {
    }

    static final int SECTOR_SIZE = 512;

    // Command block (legacy base 0x1F0 / 0x170).
    static final int ATA_REG_DATA = 0;
    static final int ATA_REG_ERROR = 1;
    static final int ATA_REG_FEATURES = 1;
    static final int ATA_REG_SECTOR_COUNT = 2;
    static final int ATA_REG_LBA_LOW = 3;
    static final int ATA_REG_LBA_MID = 4;
    static final int ATA_REG_LBA_HIGH = 5;
    static final int ATA_REG_DEVICE = 6;
    static final int ATA_REG_STATUS = 7;
    static final int ATA_REG_COMMAND = 7;
    static final int COMMAND_BLOCK_SIZE = 8;
    /** Control block: Alternate Status / Device Control (0x3F6 / 0x376). */
    static final int ATA_REG_ALT_STATUS = 0;
    static final int ATA_REG_DEVICE_CONTROL = 0;

    static final int[] LEGACY_COMMAND_BLOCK = {0x1F0, 0x170};
    static final int[] LEGACY_CONTROL_BLOCK = {0x3F6, 0x376};
    static final int[] LEGACY_IRQ = {14, 15};

    static final int STATUS_ERR = 0x01;
    static final int STATUS_DRQ = 0x08;
    static final int STATUS_DSC = 0x10;
    static final int STATUS_DF = 0x20;
    static final int STATUS_DRDY = 0x40;
    static final int STATUS_BSY = 0x80;

    static final int ERROR_AMNF = 0x01;
    static final int ERROR_ABRT = 0x04;
    static final int ERROR_IDNF = 0x10;
    static final int ERROR_UNC = 0x40;
    static final int ERROR_ICRC = 0x80;

    static final int DEVICE_LBA = 0x40;
    static final int DEVICE_DEV = 0x10;

    static final int DEVICE_CONTROL_NIEN = 0x02;
    static final int DEVICE_CONTROL_SRST = 0x04;

    static final int READ_SECTORS = 0x20;
    static final int READ_SECTORS_EXT = 0x24;
    static final int READ_DMA_EXT = 0x25;
    static final int READ_MULTIPLE_EXT = 0x29;
    static final int WRITE_SECTORS = 0x30;
    static final int WRITE_SECTORS_EXT = 0x34;
    static final int WRITE_DMA_EXT = 0x35;
    static final int WRITE_MULTIPLE_EXT = 0x39;
    static final int READ_MULTIPLE = 0xC4;
    static final int WRITE_MULTIPLE = 0xC5;
    static final int SET_MULTIPLE_MODE = 0xC6;
    static final int READ_DMA = 0xC8;
    static final int WRITE_DMA = 0xCA;
    static final int FLUSH_CACHE = 0xE7;
    /** Removable Media Status Notification: answers WP in the error register for a write-protected medium. */
    static final int GET_MEDIA_STATUS = 0xDA;
    static final int ERROR_WP = 0x40;
    static final int FLUSH_CACHE_EXT = 0xEA;
    static final int IDENTIFY_DEVICE = 0xEC;
    static final int SET_FEATURES = 0xEF;

    static final int SETFEATURES_XFER = 0x03;
    static final int XFER_PIO_4 = 0x0C;
    static final int XFER_MW_DMA_2 = 0x22;

    /** Device signature in LBA Mid / LBA High after reset. */
    static final int ATAPI_SIGNATURE_MID = 0x14;
    static final int ATAPI_SIGNATURE_HIGH = 0xEB;

    // PIIX configuration space.
    static final int IDETIM_PRIMARY = 0x40;
    static final int IDETIM_SECONDARY = 0x42;
    static final int IDETIM_IDE = 0x8000;

    // Bus-master IDE registers in BAR4 (channel c at 8 * c).
    static final int BMIBA_BAR = 4;
    static final int BMICX = 0;
    static final int BMISX = 2;
    static final int BMIDTPX = 4;
    static final int BMICX_SSBM = 0x01;
    static final int BMICX_RWCON = 0x08;
    static final int BMISX_BMIDEA = 0x01;
    static final int BMISX_ERROR = 0x02;
    static final int BMISX_IDEINTS = 0x04;
    static final int BMISX_DMA0CAP = 0x20;
    static final int BMISX_DMA1CAP = 0x40;
    static final int PRD_EOT = 0x8000_0000;
    /** A PRD region may not cross a 64 KiB boundary; regions are at most 64 KiB. */
    static final int PRD_REGION = 0x10000;

    static String describeStatus(int status) {
        StringBuilder b = new StringBuilder();
        String[] names = {"ERR", "IDX", "CORR", "DRQ", "DSC", "DF", "DRDY", "BSY"};
        for (int bit = 7; bit >= 0; bit--) {
            if ((status & 1 << bit) != 0) {
                b.append(b.length() == 0 ? "" : " ").append(names[bit]);
            }
        }
        return b.toString();
    }

    static String describeError(int error) {
        StringBuilder b = new StringBuilder();
        String[] names = {"AMNF", "TK0NF", "ABRT", "MCR", "IDNF", "MC", "UNC", "ICRC"};
        for (int bit = 7; bit >= 0; bit--) {
            if ((error & 1 << bit) != 0) {
                b.append(b.length() == 0 ? "" : " ").append(names[bit]);
            }
        }
        return b.toString();
    }
}
