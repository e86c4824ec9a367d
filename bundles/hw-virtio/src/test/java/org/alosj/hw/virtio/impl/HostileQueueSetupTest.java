package org.alosj.hw.virtio.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded hostile driver at queue setup, as the virtio 1.x spec puts the rules: a split queue's
 * size must be a power of two no larger than the device's maximum, and a notification names a
 * queue the driver set up. A size that breaks the rule puts the device in DEVICE_NEEDS_RESET at
 * enable; a notification for a queue that does not exist or was never set up is a guest error
 * and is dropped, touching no memory. Nothing throws into the board, and after a reset the
 * device serves requests again.
 */
class HostileQueueSetupTest {
    static final long VERSION_1 = 1L << 32;

    @TempDir
    Path dir;

    private static int nonPowerOfTwo(Random random) {
        while (true) {
            int size = 1 + random.nextInt(random.nextBoolean() ? 256 : 0x10000);
            if (Integer.bitCount(size) != 1 || size > 256) {
                return size;
            }
        }
    }

    /** A flush through queue 0 completes with OK: the device works. */
    private static void flushWorks(Rig rig) {
        rig.availIdx = 0;
        rig.modernUp(VERSION_1, 16);
        rig.blkRequest(VirtioBlk.VIRTIO_BLK_T_FLUSH, 0, Rig.DATA, 0, false);
        rig.descriptor(0, Rig.DATA - 0x100, 16, Virtqueue.VRING_DESC_F_NEXT, 2);
        rig.notifyModern(0);
        assertEquals(VirtioBlk.VIRTIO_BLK_S_OK, rig.mem.readByte(Rig.DATA - 0x10) & 0xFF);
        assertEquals(0, rig.function().status() & VirtioPci.VIRTIO_CONFIG_S_NEEDS_RESET);
    }

    @Test
    void queueSizesThatAreNotAPowerOfTwoUpToTheMaximumSetNeedsResetAtEnable() throws IOException {
        Random random = new Random(0x5112E);
        try (Rig rig = new Rig().blk(Rig.image(dir, "d.img", 64), "modern")) {
            for (int round = 0; round < 200; round++) {
                int size = nonPowerOfTwo(random);
                rig.modernUp(VERSION_1, size);
                assertEquals(0, rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_ENABLE, 2), "size " + size + ": queue stays off");
                assertEquals(VirtioPci.VIRTIO_CONFIG_S_NEEDS_RESET,
                        rig.common(VirtioPci.VIRTIO_PCI_COMMON_STATUS, 1) & VirtioPci.VIRTIO_CONFIG_S_NEEDS_RESET,
                        "size " + size);
                rig.notifyModern(0);
            }
            flushWorks(rig);
        }
    }

    @Test
    void notificationsForQueuesNeverSetUpAreDroppedAndTouchNoMemory() throws IOException {
        Random random = new Random(0x707);
        try (Rig rig = new Rig().blk(Rig.image(dir, "d.img", 64), "transitional")) {
            rig.enable();
            byte[] garbage = new byte[0x8000];
            random.nextBytes(garbage);
            rig.mem.write(Rig.RING, garbage, 0, garbage.length);
            long errors = rig.function().guestErrors();
            for (int i = 0; i < 500; i++) {
                // modern doorbells anywhere in the notify region, legacy QUEUE_NOTIFY with any index
                rig.mem.write(Rig.BAR4 + VirtioPci.NOTIFY_OFFSET + (random.nextInt(0x1000) & ~1), 2,
                        random.nextInt(0x10000));
                rig.io.outw(Rig.IO + VirtioPci.VIRTIO_PCI_QUEUE_NOTIFY, random.nextInt(0x10000));
            }
            byte[] after = new byte[garbage.length];
            rig.mem.read(Rig.RING, after, 0, after.length);
            assertArrayEquals(garbage, after, "no ring was read or written back");
            assertTrue(rig.function().guestErrors() > errors, "each was logged as a guest error");
            assertEquals(0, rig.function().status() & VirtioPci.VIRTIO_CONFIG_S_NEEDS_RESET);
            flushWorks(rig);
        }
    }
}
