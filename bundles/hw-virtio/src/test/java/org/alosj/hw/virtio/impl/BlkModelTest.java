package org.alosj.hw.virtio.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * virtio-blk driven by hand through both interfaces: requests as the spec lays them out, the
 * image file as the witness, and the driver mistakes the device answers with
 * DEVICE_NEEDS_RESET rather than an exception.
 */
class BlkModelTest {
    static final long VERSION_1 = 1L << VirtioPci.VIRTIO_F_VERSION_1;
    static final long INDIRECT = 1L << VirtioPci.VIRTIO_RING_F_INDIRECT_DESC;
    static final long EVENT_IDX = 1L << VirtioPci.VIRTIO_RING_F_EVENT_IDX;

    @TempDir
    Path dir;

    @Test
    void modernFeaturesConfigurationAndQueueSizeAreQemus() throws IOException {
        try (Rig rig = new Rig().blk(Rig.image(dir, "d.img", 4096), "transitional")) {
            rig.enable();
            assertEquals(1, rig.common(VirtioPci.VIRTIO_PCI_COMMON_NUMQ, 2));
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
            assertEquals(1, rig.common(VirtioPci.VIRTIO_PCI_COMMON_DF, 4) & 1, "VERSION_1");
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
            long low = rig.common(VirtioPci.VIRTIO_PCI_COMMON_DF, 4);
            for (int bit : new int[] {VirtioBlk.VIRTIO_BLK_F_SIZE_MAX, VirtioBlk.VIRTIO_BLK_F_SEG_MAX,
                    VirtioBlk.VIRTIO_BLK_F_BLK_SIZE, VirtioBlk.VIRTIO_BLK_F_FLUSH, VirtioPci.VIRTIO_RING_F_INDIRECT_DESC,
                    VirtioPci.VIRTIO_RING_F_EVENT_IDX}) {
                assertTrue((low & 1L << bit) != 0, "feature bit " + bit);
            }
            assertEquals(4096, rig.deviceConfig(VirtioBlk.VIRTIO_BLK_CFG_CAPACITY, 8));
            assertEquals(512, rig.deviceConfig(VirtioBlk.VIRTIO_BLK_CFG_BLK_SIZE, 4));
            assertEquals(254, rig.deviceConfig(VirtioBlk.VIRTIO_BLK_CFG_SEG_MAX, 4));
            assertEquals(256, rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_SIZE, 2));
            assertEquals(0, rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_NOFF, 2));
            // The legacy header sees the same device: low features, queue size, configuration at 0x14.
            assertEquals(low, rig.io.inl(Rig.IO + VirtioPci.VIRTIO_PCI_HOST_FEATURES) & 0xFFFF_FFFFL);
            assertEquals(256, rig.io.inw(Rig.IO + VirtioPci.VIRTIO_PCI_QUEUE_NUM));
            assertEquals(4096, rig.io.inl(Rig.IO + VirtioPci.VIRTIO_PCI_CONFIG_OFF));
        }
    }

    @Test
    void aModernWriteThenReadReachesTheImageAndInterruptsThroughTheIsr() throws IOException {
        Path img = Rig.image(dir, "d.img", 4096);
        try (Rig rig = new Rig().blk(img, "modern")) {
            rig.modernUp(VERSION_1, 16);
            byte[] data = new byte[4096];
            new Random(1).nextBytes(data);
            rig.mem.write(Rig.DATA, data, 0, data.length);
            rig.blkRequest(VirtioBlk.VIRTIO_BLK_T_OUT, 100, Rig.DATA, data.length, false);
            rig.notifyModern(0);
            assertEquals(1, rig.usedIdx());
            assertEquals(VirtioBlk.VIRTIO_BLK_S_OK, rig.blkStatus());
            assertEquals(1, rig.usedLen(0), "only the status byte was written");
            assertTrue(rig.intx(), "INTA while the ISR holds the queue bit");
            assertEquals(VirtioPci.VIRTIO_PCI_ISR_QUEUE, rig.isr());
            assertFalse(rig.intx(), "reading the ISR deasserts INTA");
            assertArrayEquals(data, Arrays.copyOfRange(Files.readAllBytes(img), 100 * 512, 100 * 512 + 4096));

            rig.mem.write(Rig.DATA, new byte[4096], 0, 4096);
            rig.blkRequest(VirtioBlk.VIRTIO_BLK_T_IN, 100, Rig.DATA, 4096, true);
            rig.notifyModern(0);
            assertEquals(2, rig.usedIdx());
            assertEquals(4097, rig.usedLen(1));
            byte[] back = new byte[4096];
            rig.mem.read(Rig.DATA, back, 0, back.length);
            assertArrayEquals(data, back);
        }
    }

    @Test
    void aLegacyDriverReadsThroughThePfnLayout() throws IOException {
        Path img = Rig.image(dir, "d.img", 64);
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(512 * 7);
            f.write("sector seven".getBytes());
        }
        try (Rig rig = new Rig().blk(img, "transitional")) {
            rig.legacyUp(1 << VirtioBlk.VIRTIO_BLK_F_BLK_SIZE);
            assertEquals(256, rig.qsize);
            rig.blkRequest(VirtioBlk.VIRTIO_BLK_T_IN, 7, Rig.DATA, 512, true);
            rig.io.outw(Rig.IO + VirtioPci.VIRTIO_PCI_QUEUE_NOTIFY, 0);
            assertEquals(VirtioBlk.VIRTIO_BLK_S_OK, rig.blkStatus());
            byte[] back = new byte[12];
            rig.mem.read(Rig.DATA, back, 0, 12);
            assertEquals("sector seven", new String(back));
            assertEquals(VirtioPci.VIRTIO_PCI_ISR_QUEUE, rig.io.inb(Rig.IO + VirtioPci.VIRTIO_PCI_ISR));
            assertEquals(0, rig.io.inb(Rig.IO + VirtioPci.VIRTIO_PCI_ISR), "the ISR clears on read");
        }
    }

    @Test
    void anIndirectTableCarriesAWholeRequest() throws IOException {
        Path img = Rig.image(dir, "d.img", 64);
        try (Rig rig = new Rig().blk(img, "modern")) {
            rig.modernUp(VERSION_1 | INDIRECT, 8);
            long table = Rig.DATA + 0x8000;
            long header = Rig.DATA + 0x9000;
            rig.mem.writeInt(header, VirtioBlk.VIRTIO_BLK_T_GET_ID);
            rig.mem.writeLong(header + 8, 0);
            writeDesc(rig, table, 0, header, 16, Virtqueue.VRING_DESC_F_NEXT, 1);
            writeDesc(rig, table, 1, Rig.DATA, 20, Virtqueue.VRING_DESC_F_NEXT | Virtqueue.VRING_DESC_F_WRITE, 2);
            writeDesc(rig, table, 2, header + 0x100, 1, Virtqueue.VRING_DESC_F_WRITE, 0);
            rig.descriptor(0, table, 48, Virtqueue.VRING_DESC_F_INDIRECT, 0);
            rig.makeAvailable(0);
            rig.notifyModern(0);
            assertEquals(VirtioBlk.VIRTIO_BLK_S_OK, rig.mem.readByte(header + 0x100));
            byte[] id = new byte[6];
            rig.mem.read(Rig.DATA, id, 0, 6);
            assertEquals("SER123", new String(id));
        }
    }

    private static void writeDesc(Rig rig, long table, int i, long addr, int len, int flags, int next) {
        rig.mem.writeLong(table + 16L * i, addr);
        rig.mem.writeInt(table + 16L * i + 8, len);
        rig.mem.writeShort(table + 16L * i + 12, flags);
        rig.mem.writeShort(table + 16L * i + 14, next);
    }

    @Test
    void requestsOutsideTheDiskFailWithIoerrAndTheDeviceGoesOn() throws IOException {
        try (Rig rig = new Rig().blk(Rig.image(dir, "d.img", 64), "modern")) {
            rig.modernUp(VERSION_1, 16);
            rig.blkRequest(VirtioBlk.VIRTIO_BLK_T_IN, 63, Rig.DATA, 1024, true);
            rig.notifyModern(0);
            assertEquals(VirtioBlk.VIRTIO_BLK_S_IOERR, rig.blkStatus());
            rig.blkRequest(VirtioBlk.VIRTIO_BLK_T_IN, 0, Rig.DATA, 100, true);
            rig.notifyModern(0);
            assertEquals(VirtioBlk.VIRTIO_BLK_S_IOERR, rig.blkStatus(), "not whole sectors");
            rig.blkRequest(77, 0, Rig.DATA, 512, true);
            rig.notifyModern(0);
            assertEquals(VirtioBlk.VIRTIO_BLK_S_UNSUPP, rig.blkStatus());
            rig.blkRequest(VirtioBlk.VIRTIO_BLK_T_IN, 63, Rig.DATA, 512, true);
            rig.notifyModern(0);
            assertEquals(VirtioBlk.VIRTIO_BLK_S_OK, rig.blkStatus());
            assertEquals(0, rig.function().status() & VirtioPci.VIRTIO_CONFIG_S_NEEDS_RESET);
        }
    }

    @Test
    void aLoopedChainSetsNeedsResetAndAResetBringsTheDeviceBack() throws IOException {
        try (Rig rig = new Rig().blk(Rig.image(dir, "d.img", 64), "modern")) {
            rig.modernUp(VERSION_1, 16);
            rig.descriptor(0, Rig.DATA, 16, Virtqueue.VRING_DESC_F_NEXT, 1);
            rig.descriptor(1, Rig.DATA, 16, Virtqueue.VRING_DESC_F_NEXT, 0);
            rig.makeAvailable(0);
            rig.notifyModern(0);
            int status = (int) rig.common(VirtioPci.VIRTIO_PCI_COMMON_STATUS, 1);
            assertEquals(VirtioPci.VIRTIO_CONFIG_S_NEEDS_RESET, status & VirtioPci.VIRTIO_CONFIG_S_NEEDS_RESET);
            assertEquals(VirtioPci.VIRTIO_PCI_ISR_CONFIG, rig.isr(), "a configuration interrupt tells the driver");
            assertEquals(0, rig.usedIdx(), "nothing was used");
            rig.availIdx = 0;
            rig.modernUp(VERSION_1, 16);
            assertEquals(0xF, rig.common(VirtioPci.VIRTIO_PCI_COMMON_STATUS, 1));
            rig.blkRequest(VirtioBlk.VIRTIO_BLK_T_FLUSH, 0, Rig.DATA, 0, false);
            rig.descriptor(0, Rig.DATA - 0x100, 16, Virtqueue.VRING_DESC_F_NEXT, 2);
            rig.notifyModern(0);
            assertEquals(VirtioBlk.VIRTIO_BLK_S_OK, rig.blkStatus());
        }
    }

    @Test
    void hostileRingsNeverThrowIntoTheBoard() throws IOException {
        Random random = new Random(42);
        try (Rig rig = new Rig().blk(Rig.image(dir, "d.img", 64), "transitional")) {
            for (int round = 0; round < 300; round++) {
                rig.availIdx = 0;
                rig.modernUp(VERSION_1 | INDIRECT | EVENT_IDX, 1 << random.nextInt(5));
                for (int i = 0; i < rig.qsize; i++) {
                    long addr = random.nextBoolean() ? Rig.DATA + random.nextInt(0x10000) : random.nextLong();
                    rig.descriptor(i, addr, random.nextBoolean() ? random.nextInt(64) : random.nextInt(),
                            random.nextInt(8), random.nextInt(rig.qsize + 2));
                }
                rig.mem.writeShort(rig.avail() + 2, random.nextInt(8) == 0 ? random.nextInt(0x10000)
                        : random.nextInt(rig.qsize + 1));
                for (int i = 0; i < rig.qsize; i++) {
                    rig.mem.writeShort(rig.avail() + 4 + 2L * i, random.nextInt(rig.qsize + 1));
                }
                rig.notifyModern(random.nextInt(3));
                // Register fuzz: random writes anywhere in the common configuration and the legacy BAR.
                rig.common(random.nextInt(VirtioPci.COMMON_CFG_SIZE) & ~1, 2, random.nextInt(0x10000));
                rig.io.outb(Rig.IO + random.nextInt(0x80), random.nextInt(256));
            }
            assertTrue(rig.function().guestErrors() > 0);
        }
    }

    @Test
    void ringsInTheDevicesOwnRegistersAreRefusedWithNeedsReset() throws IOException {
        try (Rig rig = new Rig().blk(Rig.image(dir, "d.img", 64), "modern")) {
            rig.enable();
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_STATUS, 1, 0);
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_STATUS, 1, 3);
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_GF, 4, 1);
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_STATUS, 1, 0xB);
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_SIZE, 2, 16);
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_DESCLO, 8, Rig.RING);
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_AVAILLO, 8, Rig.RING + 0x1000);
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_USEDLO, 8, Rig.BAR4 + VirtioPci.NOTIFY_OFFSET); // its own doorbell
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
            assertEquals(0, rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_ENABLE, 2), "the queue stays disabled");
            assertEquals(VirtioPci.VIRTIO_CONFIG_S_NEEDS_RESET,
                    rig.common(VirtioPci.VIRTIO_PCI_COMMON_STATUS, 1) & VirtioPci.VIRTIO_CONFIG_S_NEEDS_RESET);
        }
    }

    @Test
    void withMsixEnabledAUsedBufferWritesTheVectorsMessageAndAMaskedOneWaitsInThePba() throws IOException {
        try (Rig rig = new Rig().blk(Rig.image(dir, "d.img", 64), "modern")) {
            rig.modernUp(VERSION_1, 16);
            long message = 0x30000;
            rig.mem.writeLong(Rig.MSIX, message);          // vector 0: address
            rig.mem.writeInt(Rig.MSIX + 8, 0x4321);        // data
            rig.mem.writeInt(Rig.MSIX + 12, 1);            // still masked
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_MSIX, 2, 0);
            assertEquals(0, rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_MSIX, 2));
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_MSIX, 2, 7);
            assertEquals(VirtioPci.VIRTIO_MSI_NO_VECTOR, rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_MSIX, 2),
                    "a vector past the table reads back as NO_VECTOR");
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_MSIX, 2, 0);
            rig.cfgWrite(0x98 + 2, 2, 0x8000); // MSI-X enable
            rig.blkRequest(VirtioBlk.VIRTIO_BLK_T_IN, 0, Rig.DATA, 512, true);
            rig.notifyModern(0);
            assertEquals(VirtioBlk.VIRTIO_BLK_S_OK, rig.blkStatus());
            assertEquals(0, rig.mem.readInt(message), "masked: no message yet");
            assertEquals(1, rig.mem.readByte(Rig.MSIX + VirtioPci.MSIX_PBA_OFFSET), "pending bit for vector 0");
            assertFalse(rig.intx(), "no INTx while MSI-X is enabled");
            rig.mem.writeInt(Rig.MSIX + 12, 0); // unmask
            assertEquals(0x4321, rig.mem.readInt(message), "the pending message goes out on unmasking");
            assertEquals(0, rig.mem.readByte(Rig.MSIX + VirtioPci.MSIX_PBA_OFFSET));
            rig.mem.writeInt(message, 0);
            rig.blkRequest(VirtioBlk.VIRTIO_BLK_T_IN, 1, Rig.DATA, 512, true);
            rig.notifyModern(0);
            assertEquals(0x4321, rig.mem.readInt(message), "an unmasked vector fires at once");
        }
    }

    @Test
    void theFunctionMaskHoldsEveryVectorInThePbaWhichSoftwareCannotWrite() throws IOException {
        try (Rig rig = new Rig().blk(Rig.image(dir, "f.img", 64), "modern")) {
            rig.modernUp(VERSION_1, 16);
            long message = 0x30000;
            rig.mem.writeLong(Rig.MSIX, message);
            rig.mem.writeInt(Rig.MSIX + 8, 0x55);
            rig.mem.writeInt(Rig.MSIX + 12, 0);            // the vector itself unmasked
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_MSIX, 2, 0);
            rig.cfgWrite(0x98 + 2, 2, 0xC000);             // MSI-X enable with the function masked
            rig.blkRequest(VirtioBlk.VIRTIO_BLK_T_IN, 0, Rig.DATA, 512, true);
            rig.notifyModern(0);
            assertEquals(0, rig.mem.readInt(message), "function masked: no message");
            assertEquals(1, rig.mem.readByte(Rig.MSIX + VirtioPci.MSIX_PBA_OFFSET), "pending bit for vector 0");
            rig.mem.writeInt(Rig.MSIX + VirtioPci.MSIX_PBA_OFFSET, 0);
            assertEquals(1, rig.mem.readByte(Rig.MSIX + VirtioPci.MSIX_PBA_OFFSET), "the PBA is read-only");
            assertFalse(rig.intx(), "no INTx while MSI-X is enabled, masked or not");
            rig.cfgWrite(0x98 + 2, 2, 0x8000);             // lift the function mask
            assertEquals(0x55, rig.mem.readInt(message), "the pending message goes out");
            assertEquals(0, rig.mem.readByte(Rig.MSIX + VirtioPci.MSIX_PBA_OFFSET));
        }
    }
}
