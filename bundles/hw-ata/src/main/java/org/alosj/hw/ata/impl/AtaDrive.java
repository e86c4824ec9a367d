package org.alosj.hw.ata.impl;

import org.alosj.hal.storage.DiskImage;
import static org.alosj.hw.ata.impl.Ata.*;

import java.nio.charset.StandardCharsets;

/**
 * One ATA disk: its identity, its copy of the command block registers (both devices on a cable
 * latch every register write; only the selected one executes commands), its status, error and
 * INTRQ, its settings (multiple count, write cache, transfer mode, CHS translation) and the
 * state of the command in progress. Guarded by the {@link IdeBus} it sits on.
 */
final class AtaDrive {
    /** What the command in progress is doing with the data. */
    enum Phase { IDLE, PIO_IN, PIO_OUT, DMA }

    final DiskImage image;
    final int unit;
    final String model;
    final String serial;
    final String firmware;

    // Command block registers; the hob* fields are the previous contents (48-bit FIFO).
    int features;
    int hobFeatures;
    int sectorCount;
    int hobSectorCount;
    int lbaLow;
    int hobLbaLow;
    int lbaMid;
    int hobLbaMid;
    int lbaHigh;
    int hobLbaHigh;
    int device;
    int status;
    int error;
    boolean intrq;

    // Settings.
    /** Sectors per DRQ block of READ/WRITE MULTIPLE; 0 while multiple mode is off. */
    int multipleSectors;
    boolean writeCache = true;
    /** SET TRANSFER MODE value in effect (PIO flow control mode 4 until told otherwise). */
    int transferMode = XFER_PIO_FLOW_CONTROL | 4;
    int heads = 16;
    int sectorsPerTrack = 63;

    // The command in progress.
    Phase phase = Phase.IDLE;
    int command;
    long lba;
    long sectorsLeft;
    /** Sectors in the DRQ block being transferred, and per DRQ block for this command. */
    int blockSectors;
    int drqSectors;
    boolean dmaToMemory;
    byte[] buffer = new byte[MAX_MULTIPLE_SECTORS * SECTOR_SIZE];
    int bufferPos;
    int bufferLength;

    AtaDrive(DiskImage image, int unit, String model, String serial, String firmware) {
        this.image = image;
        this.unit = unit;
        this.model = model;
        this.serial = serial;
        this.firmware = firmware;
        setSignature();
        status = STATUS_DRDY | STATUS_DSC;
    }

    /** The image's sectors, as far as 48-bit LBA reaches. */
    long sectors() {
        return Math.min(image.sectors(), Ata.LBA48_LIMIT - 1);
    }

    /** The ATA device signature and diagnostic code, as after a reset. */
    void setSignature() {
        sectorCount = 1;
        lbaLow = 1;
        lbaMid = 0;
        lbaHigh = 0;
        hobSectorCount = hobLbaLow = hobLbaMid = hobLbaHigh = hobFeatures = 0;
        device = 0;
        error = DIAGNOSTIC_PASSED;
    }

    /** Cylinders of the default translation (at most 16383, as ATA caps CHS). */
    int cylinders() {
        return (int) Math.min(16383, sectors() / (16 * 63));
    }

    /** The 256 words IDENTIFY DEVICE returns (ATA/ATAPI-7 volume 1 table 16, ACS word 255). */
    byte[] identify() {
        int[] w = new int[256];
        long n = sectors();
        // ATA device, fixed; a read-only image is a removable medium that says it is write-protected
        // (the Removable Media Status Notification feature set, word 127, and GET MEDIA STATUS's WP),
        // the one way ATA has to tell a host not to write.
        w[0] = image.readOnly() ? 0x0080 : 0x0040;
        w[127] = image.readOnly() ? 0x0001 : 0x0000;
        w[1] = cylinders();
        w[3] = 16;
        w[6] = 63;
        putString(w, 10, 20, serial);
        putString(w, 23, 8, firmware);
        putString(w, 27, 40, model);
        w[47] = 0x8000 | MAX_MULTIPLE_SECTORS;
        w[49] = 1 << 11 | 1 << 9 | 1 << 8; // IORDY, LBA, DMA
        w[50] = 0x4000;
        w[51] = 0x0200; // PIO data transfer cycle timing mode (obsolete): mode 2
        w[53] = 1 << 2 | 1 << 1; // words 88 and 64-70 valid
        int curCylinders = (int) Math.min(65535, Math.min(n, 16383L * heads * sectorsPerTrack) / (heads * sectorsPerTrack));
        w[54] = curCylinders;
        w[55] = heads;
        w[56] = sectorsPerTrack;
        long chsCapacity = (long) curCylinders * heads * sectorsPerTrack;
        w[57] = (int) (chsCapacity & 0xFFFF);
        w[58] = (int) (chsCapacity >>> 16 & 0xFFFF);
        w[59] = multipleSectors == 0 ? 0 : 0x0100 | multipleSectors;
        long lba28 = Math.min(n, LBA28_LIMIT - 1);
        w[60] = (int) (lba28 & 0xFFFF);
        w[61] = (int) (lba28 >>> 16);
        w[63] = 0x0007 | ((transferMode & 0xF8) == XFER_MW_DMA ? 0x100 << (transferMode & 7) : 0);
        w[64] = 0x0003; // PIO modes 3 and 4
        w[65] = 120;
        w[66] = 120;
        w[67] = 120;
        w[68] = 120;
        w[80] = 0x00F0; // ATA/ATAPI-4 to -7
        w[82] = 1 << 14 | 1 << 5; // NOP, volatile write cache
        w[83] = 0x4000 | 1 << 13 | 1 << 12 | 1 << 10; // FLUSH CACHE EXT, FLUSH CACHE, 48-bit address
        w[84] = 0x4000;
        w[85] = 1 << 14 | (writeCache ? 1 << 5 : 0);
        w[86] = 1 << 13 | 1 << 12 | 1 << 10;
        w[87] = 0x4000;
        w[88] = 0x003F | ((transferMode & 0xF8) == XFER_UDMA ? 0x100 << (transferMode & 7) : 0);
        w[93] = unit == 0 ? 0x4000 | 0x0B : 0x4000 | 0x0300; // reset results: CSEL/jumper, diagnostics passed
        w[100] = (int) (n & 0xFFFF);
        w[101] = (int) (n >>> 16 & 0xFFFF);
        w[102] = (int) (n >>> 32 & 0xFFFF);
        w[103] = (int) (n >>> 48 & 0xFFFF);
        w[106] = 0x4000; // one logical sector per physical sector, 512 bytes
        byte[] out = new byte[SECTOR_SIZE];
        for (int i = 0; i < 255; i++) {
            out[2 * i] = (byte) w[i];
            out[2 * i + 1] = (byte) (w[i] >>> 8);
        }
        // Word 255: signature A5h and a checksum making all 512 bytes sum to zero (ACS 7.16.7.88).
        out[510] = (byte) 0xA5;
        int sum = 0;
        for (int i = 0; i < 511; i++) {
            sum += out[i] & 0xFF;
        }
        out[511] = (byte) -sum;
        return out;
    }

    /** ATA strings: two characters a word, the first in the high byte, padded with spaces. */
    private static void putString(int[] w, int word, int length, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < length; i += 2) {
            int hi = i < b.length ? b[i] & 0xFF : ' ';
            int lo = i + 1 < b.length ? b[i + 1] & 0xFF : ' ';
            w[word + i / 2] = hi << 8 | lo;
        }
    }

    @Override
    public String toString() {
        return "ATA disk " + unit + " (" + image.path() + ")";
    }
}
