package org.alosj.hw.ata.impl;

import static org.alosj.hw.ata.impl.Ata.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ATA device and the PIIX3 IDE function at register level, as ATA/ATAPI-7, ACS and the
 * 82371SB datasheet describe them: reset and signature, IDENTIFY DEVICE, PIO data-in and
 * data-out with 16- and 32-bit data accesses, LBA28 and LBA48 addressing, multiple mode,
 * bus-master DMA through PRD tables, and the error outputs.
 */
class ModelTest {
    @TempDir
    Path dir;
    IdeRig rig;
    Path disk0;

    @BeforeEach
    void build() throws IOException {
        disk0 = IdeRig.image(dir, "hda.img", 8192);
        rig = new IdeRig().disk(0, disk0, false).plug().enable(true);
    }

    @AfterEach
    void close() throws IOException {
        rig.close();
    }

    // ---- decoding and reset ----

    @Test
    void legacyPortsAreDecodedOnlyWithIoSpaceAndIdeDecodeEnabled() throws IOException {
        rig.cfgWrite(IDETIM_PRIMARY, 2, 0);
        assertEquals(0xFF, rig.altStatus(0), "0x3F6 floats with IDETIM.IDE off");
        rig.cfgWrite(IDETIM_PRIMARY, 2, IDETIM_IDE);
        assertEquals(STATUS_DRDY | STATUS_DSC, rig.altStatus(0));
        rig.cfgWrite(0x04, 2, 0);
        assertEquals(0xFF, rig.reg(0, ATA_REG_STATUS), "0x1F7 floats with I/O space off");
        assertEquals(0xFF, rig.io.inb(IdeRig.BMIBA + BMISX), "BAR4 is off too");
    }

    @Test
    void softwareResetLeavesTheAtaSignatureAndNoInterrupt() {
        rig.reg(0, ATA_REG_LBA_MID, 0x55);
        int rises = rig.irq[0].rises;
        rig.deviceControl(0, DEVICE_CONTROL_SRST);
        assertEquals(STATUS_BSY, rig.altStatus(0) & STATUS_BSY, "busy while SRST is set");
        rig.deviceControl(0, 0);
        rig.waitNotBusy(0);
        assertEquals(1, rig.reg(0, ATA_REG_SECTOR_COUNT));
        assertEquals(1, rig.reg(0, ATA_REG_LBA_LOW));
        assertEquals(0, rig.reg(0, ATA_REG_LBA_MID));
        assertEquals(0, rig.reg(0, ATA_REG_LBA_HIGH));
        assertEquals(DIAGNOSTIC_PASSED, rig.reg(0, ATA_REG_ERROR));
        assertEquals(STATUS_DRDY | STATUS_DSC, rig.reg(0, ATA_REG_STATUS));
        assertEquals(rises, rig.irq[0].rises, "SRST raises no interrupt");
    }

    @Test
    void anAbsentDeviceReadsAsAbsent() {
        rig.select(0, 1);
        assertEquals(0, rig.reg(0, ATA_REG_STATUS), "device 0 answers for an absent device 1 with status 00h");
        rig.reg(0, ATA_REG_COMMAND, IDENTIFY_DEVICE);
        assertEquals(0, rig.altStatus(0), "no device executes a command for the absent device 1");
        assertFalse(rig.irq[0].level);
        assertEquals(0x7F, rig.reg(1, ATA_REG_STATUS), "an empty cable floats, DD7 pulled down");
        rig.reg(1, ATA_REG_SECTOR_COUNT, 0x55);
        assertEquals(0xFF, rig.reg(1, ATA_REG_SECTOR_COUNT), "no device latches registers on an empty cable");
    }

    // ---- IDENTIFY ----

    @Test
    void identifyDeviceReportsGeometryCapacitiesAndCapabilitiesAsTheSpecWordsSay() {
        int[] w = rig.identifyWords(0, 0);
        assertEquals(0x0040, w[0], "ATA device, not removable");
        assertEquals("AJ00001", IdeRig.ataString(w, 10, 10).trim());
        assertEquals("0.1.0", IdeRig.ataString(w, 23, 4).trim());
        assertEquals("ALOSJ HARDDISK", IdeRig.ataString(w, 27, 20).trim());
        assertEquals(0x8000 | MAX_MULTIPLE_SECTORS, w[47]);
        assertEquals(1 << 9, w[49] & 1 << 9, "LBA supported");
        assertEquals(1 << 8, w[49] & 1 << 8, "DMA supported");
        assertEquals(0, w[59], "multiple mode off at power-on");
        assertEquals(8192, w[60] | w[61] << 16, "LBA28 capacity");
        assertEquals(0x0007, w[63] & 0xFF, "multiword DMA modes 0-2");
        assertEquals(1 << 10, w[83] & 1 << 10, "48-bit address feature set");
        assertEquals(1 << 13 | 1 << 12, w[83] & (1 << 13 | 1 << 12), "FLUSH CACHE and FLUSH CACHE EXT");
        assertEquals(0x4000, w[83] & 0xC000);
        assertEquals(8192, w[100] | w[101] << 16);
        assertEquals(0, w[102] | w[103]);
        assertEquals(0xA5, w[255] & 0xFF, "integrity word signature");
        int sum = 0;
        for (int x : w) {
            sum += (x & 0xFF) + (x >> 8);
        }
        assertEquals(0, sum & 0xFF, "checksum: all 512 bytes sum to zero");
        assertEquals(STATUS_DRDY | STATUS_DSC, rig.altStatus(0), "DRQ drops after the last word");
    }

    @Test
    void setMultipleModeIsReportedInWord59AndRefusesNonPowersOfTwo() {
        rig.select(0, 0);
        rig.reg(0, ATA_REG_SECTOR_COUNT, 8);
        assertEquals(STATUS_DRDY | STATUS_DSC, rig.command(0, SET_MULTIPLE_MODE));
        assertEquals(0x0108, rig.identifyWords(0, 0)[59]);
        rig.reg(0, ATA_REG_SECTOR_COUNT, 3);
        assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_ERR, rig.command(0, SET_MULTIPLE_MODE));
        assertEquals(ERROR_ABRT, rig.reg(0, ATA_REG_ERROR));
        assertEquals(0x0108, rig.identifyWords(0, 0)[59], "setting unchanged");
    }

    @Test
    void setTransferModeSelectsTheDmaModeWordsShow() {
        rig.select(0, 0);
        rig.reg(0, ATA_REG_FEATURES, SETFEATURES_XFER);
        rig.reg(0, ATA_REG_SECTOR_COUNT, XFER_MW_DMA | 2);
        assertEquals(STATUS_DRDY | STATUS_DSC, rig.command(0, SET_FEATURES));
        assertEquals(0x0407, rig.identifyWords(0, 0)[63]);
        rig.reg(0, ATA_REG_FEATURES, SETFEATURES_XFER);
        rig.reg(0, ATA_REG_SECTOR_COUNT, XFER_UDMA | 7);
        assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_ERR, rig.command(0, SET_FEATURES));
    }

    // ---- PIO ----

    @Test
    void readSectorsLba28Returns16BitWordsOneInterruptPerSector() {
        int rises = rig.irq[0].rises;
        rig.lba28(0, 0, 100, 3);
        rig.reg(0, ATA_REG_COMMAND, READ_SECTORS);
        for (int s = 0; s < 3; s++) {
            assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_DRQ, rig.waitNotBusy(0) & ~STATUS_ERR);
            assertTrue(rig.irq[0].level, "INTRQ before each DRQ block");
            assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_DRQ, rig.reg(0, ATA_REG_STATUS));
            assertFalse(rig.irq[0].level, "reading Status clears INTRQ");
            assertArrayEquals(IdeRig.pattern(100 + s), rig.pioIn(0, SECTOR_SIZE, false), "sector " + (100 + s));
        }
        assertEquals(STATUS_DRDY | STATUS_DSC, rig.waitNotBusy(0));
        assertEquals(rises + 3, rig.irq[0].rises);
    }

    @Test
    void thirtyTwoBitDataAccessesMoveTwoWordsEach() {
        rig.lba28(0, 0, 7, 1);
        rig.reg(0, ATA_REG_COMMAND, READ_SECTORS);
        rig.waitNotBusy(0);
        assertArrayEquals(IdeRig.pattern(7), rig.pioIn(0, SECTOR_SIZE, true));
        byte[] data = new byte[SECTOR_SIZE];
        Arrays.fill(data, (byte) 0x5A);
        rig.lba28(0, 0, 9, 1);
        rig.reg(0, ATA_REG_COMMAND, WRITE_SECTORS);
        assertEquals(STATUS_DRQ, rig.waitNotBusy(0) & STATUS_DRQ);
        rig.pioOut(0, data, 0, SECTOR_SIZE, true);
        assertEquals(STATUS_DRDY | STATUS_DSC, rig.waitNotBusy(0));
        assertArrayEquals(data, sectorOf(disk0, 9));
    }

    @Test
    void writeMultipleTransfersDrqBlocksOfTheMultipleCount() throws IOException {
        rig.select(0, 0);
        rig.reg(0, ATA_REG_SECTOR_COUNT, 4);
        rig.command(0, SET_MULTIPLE_MODE);
        byte[] data = new byte[10 * SECTOR_SIZE];
        new java.util.Random(1).nextBytes(data);
        int rises = rig.irq[0].rises;
        rig.lba48(0, 0, 200, 10);
        rig.reg(0, ATA_REG_COMMAND, WRITE_MULTIPLE_EXT);
        int[] blocks = {4, 4, 2};
        int at = 0;
        for (int b : blocks) {
            assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_DRQ, rig.waitNotBusy(0));
            rig.reg(0, ATA_REG_STATUS);
            rig.pioOut(0, data, at, b * SECTOR_SIZE, false);
            at += b * SECTOR_SIZE;
        }
        assertEquals(STATUS_DRDY | STATUS_DSC, rig.waitNotBusy(0));
        assertEquals(rises + 3, rig.irq[0].rises, "an interrupt per block after the first, and one at the end");
        byte[] onDisk = Files.readAllBytes(disk0);
        assertArrayEquals(data, Arrays.copyOfRange(onDisk, 200 * SECTOR_SIZE, 210 * SECTOR_SIZE));

        rig.lba28(0, 0, 200, 10);
        rig.reg(0, ATA_REG_COMMAND, READ_MULTIPLE);
        byte[] back = new byte[10 * SECTOR_SIZE];
        at = 0;
        for (int b : blocks) {
            rig.waitNotBusy(0);
            System.arraycopy(rig.pioIn(0, b * SECTOR_SIZE, false), 0, back, at, b * SECTOR_SIZE);
            at += b * SECTOR_SIZE;
        }
        assertArrayEquals(data, back);
    }

    @Test
    void readMultipleWithoutMultipleModeIsAborted() {
        rig.lba28(0, 0, 0, 1);
        assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_ERR, rig.command(0, READ_MULTIPLE));
        assertEquals(ERROR_ABRT, rig.reg(0, ATA_REG_ERROR));
    }

    @Test
    void lba48ReachesSectorsPastTheLba28LimitAndHobReadsThePreviousBytes() throws IOException {
        long big = LBA28_LIMIT + 64;
        Path file = dir.resolve("big.img");
        try (var f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(big * SECTOR_SIZE);
            f.seek((LBA28_LIMIT + 5) * SECTOR_SIZE);
            f.write(IdeRig.pattern(42));
        }
        rig.close();
        rig = new IdeRig().disk(2, file, false).plug().enable(true);
        int[] w = rig.identifyWords(1, 0);
        assertEquals(0x0FFF_FFFF, w[60] | w[61] << 16, "LBA28 capacity caps at 0FFFFFFFh");
        assertEquals(big, (w[100] | (long) w[101] << 16 | (long) w[102] << 32));

        rig.lba48(1, 0, LBA28_LIMIT + 5, 1);
        rig.deviceControl(1, DEVICE_CONTROL_HOB);
        assertEquals(0x10, rig.reg(1, ATA_REG_LBA_LOW), "HOB: LBA (31:24)");
        rig.deviceControl(1, 0);
        assertEquals(0x05, rig.reg(1, ATA_REG_LBA_LOW));
        rig.reg(1, ATA_REG_COMMAND, READ_SECTORS_EXT);
        rig.waitNotBusy(1);
        assertArrayEquals(IdeRig.pattern(42), rig.pioIn(1, SECTOR_SIZE, false));

        rig.lba28(1, 0, LBA28_LIMIT - 1, 2);
        rig.reg(1, ATA_REG_COMMAND, READ_SECTORS);
        rig.waitNotBusy(1);
        rig.pioIn(1, SECTOR_SIZE, false);
        rig.waitNotBusy(1);
        rig.pioIn(1, SECTOR_SIZE, false);
        assertEquals(STATUS_DRDY | STATUS_DSC, rig.waitNotBusy(1), "LBA28 reads up to its limit");
    }

    // ---- errors ----

    @Test
    void readingPastTheEndFailsWithIdnfAndTheFirstBadAddress() {
        rig.lba28(0, 0, 8190, 4);
        assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_ERR, rig.command(0, READ_SECTORS));
        assertEquals(ERROR_IDNF, rig.reg(0, ATA_REG_ERROR));
        assertEquals(8190 & 0xFF, rig.reg(0, ATA_REG_LBA_LOW));
        rig.lba48(0, 0, 1L << 40, 1);
        assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_ERR, rig.command(0, READ_DMA_EXT));
        assertEquals(ERROR_IDNF, rig.reg(0, ATA_REG_ERROR));
    }

    @Test
    void aTruncatedImageReadsAsAnUncorrectableError() throws IOException {
        try (var f = new java.io.RandomAccessFile(disk0.toFile(), "rw")) {
            f.setLength(100 * SECTOR_SIZE); // the image shrinks under the running machine
        }
        rig.lba28(0, 0, 150, 1);
        assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_ERR, rig.command(0, READ_SECTORS));
        assertEquals(ERROR_UNC, rig.reg(0, ATA_REG_ERROR));
        assertEquals(150, rig.reg(0, ATA_REG_LBA_LOW));
    }

    @Test
    void aReadOnlyDiskAbortsWritesAndKeepsItsData() throws IOException {
        Path ro = IdeRig.image(dir, "ro.img", 64);
        rig.close();
        rig = new IdeRig().disk(1, ro, true).plug().enable(true);
        rig.lba28(0, 1, 3, 1);
        assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_ERR, rig.command(0, WRITE_SECTORS));
        assertEquals(ERROR_ABRT, rig.reg(0, ATA_REG_ERROR));
        rig.lba28(0, 1, 3, 1);
        assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_ERR, rig.command(0, WRITE_DMA));
        assertArrayEquals(IdeRig.pattern(3), sectorOf(ro, 3));
    }

    @Test
    void aReadOnlyDiskSaysItIsAWriteProtectedRemovableMediumAndAFixedOneDoesNot() throws IOException {
        Path ro = IdeRig.image(dir, "ro.img", 64);
        rig.close();
        rig = new IdeRig().disk(0, IdeRig.image(dir, "rw.img", 64), false).disk(1, ro, true).plug().enable(true);
        int[] fixed = rig.identifyWords(0, 0);
        assertEquals(0x0040, fixed[0] & 0x00C0, "word 0: fixed");
        assertEquals(0, fixed[127] & 3, "word 127: no Removable Media Status Notification");
        rig.select(0, 0);
        assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_ERR, rig.command(0, GET_MEDIA_STATUS));
        assertEquals(ERROR_ABRT, rig.reg(0, ATA_REG_ERROR), "a fixed disk has no media status");
        int[] removable = rig.identifyWords(0, 1);
        assertEquals(0x0080, removable[0] & 0x00C0, "word 0: removable medium");
        assertEquals(1, removable[127] & 3, "word 127: Removable Media Status Notification supported");
        rig.select(0, 1);
        assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_ERR, rig.command(0, GET_MEDIA_STATUS));
        assertEquals(ERROR_WP, rig.reg(0, ATA_REG_ERROR), "GET MEDIA STATUS: write-protected");
    }

    @Test
    void unsupportedCommandsAndNopAreAborted() {
        rig.select(0, 0);
        assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_ERR, rig.command(0, 0x57));
        assertEquals(ERROR_ABRT, rig.reg(0, ATA_REG_ERROR));
        assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_ERR, rig.command(0, NOP));
        assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_ERR, rig.command(0, IDENTIFY_PACKET_DEVICE));
    }

    @Test
    void nienMasksIntrqWithoutLosingThePendingInterrupt() {
        rig.deviceControl(0, DEVICE_CONTROL_NIEN);
        rig.select(0, 0);
        rig.reg(0, ATA_REG_COMMAND, FLUSH_CACHE);
        rig.waitNotBusy(0);
        assertFalse(rig.irq[0].level, "nIEN holds INTRQ off");
        rig.deviceControl(0, 0);
        assertTrue(rig.irq[0].level, "the pending interrupt shows once nIEN clears");
        assertEquals(STATUS_DRDY | STATUS_DSC, rig.reg(0, ATA_REG_STATUS));
        assertFalse(rig.irq[0].level);
    }

    // ---- bus-master DMA ----

    @Test
    void readDmaScattersThroughAPrdTableWhoseRegionsCrossPages() {
        long table = 0x10000;
        // 3 sectors into three regions: 1000 bytes ending past a page, 24 bytes, then 512 bytes.
        rig.prd(table, 0x20E00, 1000, 0x30000, 24, 0x40FF0, 512);
        rig.lba28(0, 0, 10, 3);
        rig.reg(0, ATA_REG_COMMAND, READ_DMA);
        assertEquals(STATUS_DRQ, rig.altStatus(0) & STATUS_DRQ, "waiting for the bus master");
        rig.startBusMaster(0, table, true);
        int bmisx = rig.awaitBusMasterInterrupt(0);
        assertEquals(0, bmisx & BMISX_BMIDEA, "PRD table used up exactly: not active any more");
        assertEquals(0, bmisx & BMISX_ERROR);
        assertTrue(rig.irq[0].level);
        assertEquals(STATUS_DRDY | STATUS_DSC, rig.reg(0, ATA_REG_STATUS));
        rig.bm(0, BMICX, 0);
        byte[] all = new byte[3 * SECTOR_SIZE];
        for (int s = 0; s < 3; s++) {
            System.arraycopy(IdeRig.pattern(10 + s), 0, all, s * SECTOR_SIZE, SECTOR_SIZE);
        }
        assertArrayEquals(Arrays.copyOfRange(all, 0, 1000), ram(0x20E00, 1000));
        assertArrayEquals(Arrays.copyOfRange(all, 1000, 1024), ram(0x30000, 24));
        assertArrayEquals(Arrays.copyOfRange(all, 1024, 1536), ram(0x40FF0, 512));
    }

    @Test
    void writeDmaExtGathersFromMemoryAndALargerPrdTableLeavesTheBusMasterActive() {
        long table = 0x10000;
        byte[] data = new byte[0x10000 + SECTOR_SIZE];
        new java.util.Random(2).nextBytes(data);
        rig.mem.write(0x100000, data, 0, 0x10000);
        rig.mem.write(0x200000, data, 0x10000, SECTOR_SIZE);
        rig.prd(table, 0x100000, 0 /* 64 KiB */, 0x200000, 4096);
        rig.lba48(0, 0, 1000, data.length / SECTOR_SIZE);
        rig.reg(0, ATA_REG_COMMAND, WRITE_DMA_EXT);
        rig.startBusMaster(0, table, false);
        int bmisx = rig.awaitBusMasterInterrupt(0);
        assertEquals(BMISX_BMIDEA, bmisx & BMISX_BMIDEA, "PRD table longer than the transfer: still active");
        rig.bm(0, BMICX, 0);
        assertEquals(0, rig.bm(0, BMISX) & BMISX_BMIDEA);
        assertEquals(STATUS_DRDY | STATUS_DSC, rig.reg(0, ATA_REG_STATUS));
        byte[] onDisk = new byte[data.length];
        for (int s = 0; s < data.length / SECTOR_SIZE; s++) {
            System.arraycopy(sectorOf(disk0, 1000 + s), 0, onDisk, s * SECTOR_SIZE, SECTOR_SIZE);
        }
        assertArrayEquals(data, onDisk);
    }

    @Test
    void dmaIsRefusedWhileBusMasteringIsOff() {
        rig.cfgWrite(0x04, 2, 0x0001);
        long table = 0x10000;
        rig.prd(table, 0x20000, SECTOR_SIZE);
        rig.mem.write(0x20000, new byte[SECTOR_SIZE], 0, SECTOR_SIZE);
        rig.lba28(0, 0, 1, 1);
        rig.reg(0, ATA_REG_COMMAND, READ_DMA);
        rig.startBusMaster(0, table, true);
        int bmisx = rig.awaitBusMasterInterrupt(0);
        assertEquals(BMISX_ERROR, bmisx & (BMISX_ERROR | BMISX_BMIDEA), "error, not active");
        assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_ERR, rig.reg(0, ATA_REG_STATUS));
        assertEquals(ERROR_ABRT, rig.reg(0, ATA_REG_ERROR));
        assertArrayEquals(new byte[SECTOR_SIZE], ram(0x20000, SECTOR_SIZE), "no byte reached memory");
    }

    @Test
    void aPrdTableShorterThanTheTransferStopsWithoutAnInterruptUntilReset() {
        long table = 0x10000;
        rig.prd(table, 0x20000, SECTOR_SIZE);
        rig.lba28(0, 0, 1, 2);
        int rises = rig.irq[0].rises;
        rig.reg(0, ATA_REG_COMMAND, READ_DMA);
        rig.startBusMaster(0, table, true);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while ((rig.bm(0, BMISX) & BMISX_BMIDEA) != 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(0, rig.bm(0, BMISX) & (BMISX_BMIDEA | BMISX_IDEINTS), "stopped, no interrupt");
        assertEquals(rises, rig.irq[0].rises);
        assertEquals(STATUS_DRQ, rig.altStatus(0) & STATUS_DRQ, "the device still wants data");
        rig.bm(0, BMICX, 0);
        rig.srst(0);
        assertEquals(STATUS_DRDY | STATUS_DSC, rig.altStatus(0));
    }

    @Test
    void aCorruptPrdTablePointingOutsideRamNeitherHangsNorThrows() {
        long table = 0x10000;
        rig.prd(table, 0xFFFF_0000L, 0); // 64 KiB of nothing: open bus
        rig.lba28(0, 0, 0, 2);
        rig.reg(0, ATA_REG_COMMAND, READ_DMA);
        rig.startBusMaster(0, table, true);
        rig.awaitBusMasterInterrupt(0);
        assertEquals(STATUS_DRDY | STATUS_DSC, rig.reg(0, ATA_REG_STATUS), "the device finished; the data went nowhere");
        rig.bm(0, BMICX, 0);
        // A table that is all ones (read from where no RAM is) is one region at FFFFFFFEh with EOT.
        rig.lba28(0, 0, 0, 1);
        rig.reg(0, ATA_REG_COMMAND, READ_DMA);
        rig.startBusMaster(0, 0xFFFF_FF00L, true);
        rig.awaitBusMasterInterrupt(0);
        assertEquals(STATUS_DRDY | STATUS_DSC, rig.reg(0, ATA_REG_STATUS));
    }

    @Test
    void bmisxErrorAndInterruptBitsClearByWritingOnesAndCapabilityBitsHold() {
        rig.select(0, 0);
        rig.command(0, FLUSH_CACHE);
        assertEquals(BMISX_IDEINTS, rig.bm(0, BMISX) & BMISX_IDEINTS, "IDEINTS follows INTRQ");
        rig.bm(0, BMISX, BMISX_DMA0CAP);
        assertEquals(BMISX_DMA0CAP | BMISX_IDEINTS, rig.bm(0, BMISX));
        rig.bm(0, BMISX, BMISX_DMA0CAP | BMISX_IDEINTS);
        assertEquals(BMISX_DMA0CAP, rig.bm(0, BMISX));
        rig.io.outl(IdeRig.BMIBA + BMIDTPX, 0x12345677);
        assertEquals(0x12345674, rig.io.inl(IdeRig.BMIBA + BMIDTPX), "dword aligned");
    }

    @Test
    void bothDevicesOnOneCableAnswerForThemselvesAndLatchEveryRegisterWrite() throws IOException {
        Path disk1 = IdeRig.image(dir, "hdb.img", 2048);
        rig.close();
        rig = new IdeRig().disk(0, disk0, false).disk(1, disk1, false).plug().enable(true);
        int[] w0 = rig.identifyWords(0, 0);
        int[] w1 = rig.identifyWords(0, 1);
        assertEquals(8192, w0[60]);
        assertEquals(2048, w1[60]);
        assertEquals("AJ00002", IdeRig.ataString(w1, 10, 10).trim());
        assertEquals(0x0300, w1[93] & 0x0F00, "word 93: reset results of device 1");
        rig.select(0, 0);
        rig.reg(0, ATA_REG_LBA_MID, 0x42);
        rig.select(0, 1);
        assertEquals(0x42, rig.reg(0, ATA_REG_LBA_MID), "device 1 latched the write made while device 0 was selected");
        rig.lba28(0, 1, 2047, 1);
        rig.reg(0, ATA_REG_COMMAND, READ_SECTORS);
        rig.waitNotBusy(0);
        assertArrayEquals(IdeRig.pattern(2047), rig.pioIn(0, SECTOR_SIZE, false));
    }

    @Test
    void executeDeviceDiagnosticRestoresTheSignatureAndInterrupts() {
        rig.reg(0, ATA_REG_LBA_HIGH, 0x33);
        assertEquals(STATUS_DRDY | STATUS_DSC, rig.command(0, EXECUTE_DEVICE_DIAGNOSTIC));
        assertEquals(DIAGNOSTIC_PASSED, rig.reg(0, ATA_REG_ERROR));
        assertEquals(0, rig.reg(0, ATA_REG_LBA_HIGH));
        assertEquals(1, rig.reg(0, ATA_REG_SECTOR_COUNT));
    }

    @Test
    void chsAddressingFollowsTheTranslationInitializeDeviceParametersSets() {
        rig.reg(0, ATA_REG_DEVICE, 0x0F); // 16 heads
        rig.reg(0, ATA_REG_SECTOR_COUNT, 32);
        assertEquals(STATUS_DRDY | STATUS_DSC, rig.command(0, INITIALIZE_DEVICE_PARAMETERS));
        // cylinder 2, head 3, sector 5 = (2 * 16 + 3) * 32 + 4 = LBA 1124
        rig.reg(0, ATA_REG_DEVICE, 0x03);
        rig.reg(0, ATA_REG_SECTOR_COUNT, 1);
        rig.reg(0, ATA_REG_LBA_LOW, 5);
        rig.reg(0, ATA_REG_LBA_MID, 2);
        rig.reg(0, ATA_REG_LBA_HIGH, 0);
        rig.reg(0, ATA_REG_COMMAND, READ_SECTORS);
        rig.waitNotBusy(0);
        assertArrayEquals(IdeRig.pattern(1124), rig.pioIn(0, SECTOR_SIZE, false));
        rig.reg(0, ATA_REG_DEVICE, 0x03);
        rig.reg(0, ATA_REG_LBA_LOW, 0); // sectors count from 1
        assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_ERR, rig.command(0, READ_SECTORS));
        assertEquals(ERROR_IDNF, rig.reg(0, ATA_REG_ERROR));
    }

    @Test
    void writeCacheOffIsReportedInWord85AndWritesStillLand() {
        rig.select(0, 0);
        rig.reg(0, ATA_REG_FEATURES, SETFEATURES_WC_OFF);
        assertEquals(STATUS_DRDY | STATUS_DSC, rig.command(0, SET_FEATURES));
        assertEquals(0, rig.identifyWords(0, 0)[85] & 1 << 5, "write cache disabled");
        byte[] data = new byte[SECTOR_SIZE];
        Arrays.fill(data, (byte) 0x77);
        rig.lba28(0, 0, 3, 1);
        rig.reg(0, ATA_REG_COMMAND, WRITE_SECTORS);
        rig.waitNotBusy(0);
        rig.pioOut(0, data, 0, SECTOR_SIZE, false);
        assertEquals(STATUS_DRDY | STATUS_DSC, rig.waitNotBusy(0));
        assertArrayEquals(data, sectorOf(disk0, 3));
        rig.reg(0, ATA_REG_FEATURES, 0x99);
        assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_ERR, rig.command(0, SET_FEATURES), "unknown subcommand");
    }

    @Test
    void theDataRegisterWithoutDrqReadsAllOnesAndWritesAreDropped() {
        rig.select(0, 0);
        assertEquals(0xFFFF, rig.io.inw(IdeRig.CMD[0]));
        rig.io.outw(IdeRig.CMD[0], 0x1234);
        assertEquals(STATUS_DRDY | STATUS_DSC, rig.altStatus(0), "nothing changed");
    }

    private byte[] ram(long address, int length) {
        byte[] b = new byte[length];
        rig.mem.read(address, b, 0, length);
        return b;
    }

    private static byte[] sectorOf(Path file, long sector) {
        try (var f = new java.io.RandomAccessFile(file.toFile(), "r")) {
            byte[] b = new byte[SECTOR_SIZE];
            f.seek(sector * SECTOR_SIZE);
            f.readFully(b);
            return b;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
