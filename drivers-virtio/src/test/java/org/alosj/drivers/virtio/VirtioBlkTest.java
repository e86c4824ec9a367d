package org.alosj.drivers.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.device.DeviceProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.alosj.testkit.Wait;

/**
 * virtio-pci's block side on the real board and the real virtio-blk model, bound by the
 * kernel's device manager: disks named by slot order, data checked against the image files
 * through both interfaces, errors as IOExceptions, and unbinding that leaves nothing behind.
 */
class VirtioBlkTest {
    @TempDir
    Path dir;

    static Path image(Path dir, String name, int sectors) throws IOException {
        Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength((long) sectors * 512);
        }
        return p;
    }

    static BlockDevice disk(Rig rig, String name) {
        return rig.service(BlockDevice.class, "(" + BlockDevice.NAME + "=" + name + ")")
                .orElseThrow(() -> new AssertionError("no block device " + name));
    }

    @Test
    void disksAreNamedInSlotOrderAndCarryTheirSlot() throws IOException {
        try (Rig rig = new Rig().blk(image(dir, "b.img", 4096), 7, "modern").blk(image(dir, "a.img", 2048), 5, "transitional")
                .boot()) {
            rig.bindDriver();
            assertEquals("virtio-pci", rig.function(5).driver());
            assertEquals(2048, disk(rig, "vda").sectorCount());
            assertEquals(4096, disk(rig, "vdb").sectorCount());
            var ref = rig.reference(BlockDevice.class, "(" + BlockDevice.NAME + "=vdb)");
            assertEquals("00:07.0", ref.getProperty(DeviceProperties.SLOT));
            assertEquals("virtio-pci", ref.getProperty(DeviceProperties.DRIVER));
            assertEquals("VD7", ref.getProperty("virtio.serial"), "GET_ID");
            assertTrue(rig.busMaster(5) && rig.busMaster(7));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"modern", "transitional"})
    void writesAndReadsMatchTheImageFile(String mode) throws IOException {
        Path img = image(dir, "d.img", 8192);
        try (Rig rig = new Rig().blk(img, 4, mode).boot()) {
            rig.bindDriver();
            BlockDevice vda = disk(rig, "vda");
            // 700 sectors: more than one 128 KiB request.
            byte[] data = new byte[700 * 512];
            new Random(mode.length()).nextBytes(data);
            vda.write(1000, ByteBuffer.wrap(data));
            vda.flush();
            assertArrayEquals(data, Arrays.copyOfRange(Files.readAllBytes(img), 1000 * 512, 1700 * 512));
            ByteBuffer back = ByteBuffer.allocate(data.length);
            vda.read(1000, back);
            assertFalse(back.hasRemaining());
            assertArrayEquals(data, back.array());
        }
    }

    @Test
    void concurrentWritersEachFindTheirOwnBytes() throws Exception {
        Path img = image(dir, "d.img", 16384);
        try (Rig rig = new Rig().blk(img, 4, "modern").boot()) {
            rig.bindDriver();
            BlockDevice vda = disk(rig, "vda");
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<byte[]>> writes = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int thread = t;
                    writes.add(pool.submit(() -> {
                        byte[] data = new byte[64 * 512];
                        new Random(thread).nextBytes(data);
                        for (int i = 0; i < 8; i++) {
                            vda.write(thread * 2048L + i * 64, ByteBuffer.wrap(data));
                        }
                        return data;
                    }));
                }
                // Every writer done before the image is read: a writer still running has not written yet.
                List<byte[]> written = new ArrayList<>();
                for (Future<byte[]> w : writes) {
                    written.add(w.get());
                }
                byte[] file = Files.readAllBytes(img);
                for (int t = 0; t < 8; t++) {
                    byte[] data = written.get(t);
                    for (int i = 0; i < 8; i++) {
                        int at = (t * 2048 + i * 64) * 512;
                        assertArrayEquals(data, Arrays.copyOfRange(file, at, at + data.length), "thread " + t + " chunk " + i);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void requestsOutsideTheDiskAreRefusedBeforeTheDevice() throws IOException {
        try (Rig rig = new Rig().blk(image(dir, "d.img", 64), 4, "modern").boot()) {
            rig.bindDriver();
            BlockDevice vda = disk(rig, "vda");
            IOException e = assertThrows(IOException.class, () -> vda.read(63, ByteBuffer.allocate(1024)));
            assertTrue(e.getMessage().contains("outside the disk (64 sectors)"), e.getMessage());
            assertThrows(IOException.class, () -> vda.write(0, ByteBuffer.allocate(100)));
        }
    }

    @Test
    void unbindingResetsTheDeviceAndLeavesNoMemoryHandlerOrService() throws IOException {
        try (Rig rig = new Rig().blk(image(dir, "d.img", 64), 4, "transitional").boot()) {
            long before = rig.dma.bytesInUse();
            rig.bindDriver();
            assertTrue(rig.dma.bytesInUse() > before, "queue and buffers allocated");
            BlockDevice vda = disk(rig, "vda");
            rig.unbindDriver();
            assertEquals(before, rig.dma.bytesInUse(), "DMA memory freed");
            assertTrue(rig.irqs.statistics().stream().allMatch(s -> s.handlers().isEmpty()), "no IRQ handlers left");
            assertFalse(rig.busMaster(4), "bus mastering off");
            assertTrue(rig.service(BlockDevice.class, null).isEmpty(), "no BlockDevice left");
            IOException e = assertThrows(IOException.class, () -> vda.read(0, ByteBuffer.allocate(512)));
            assertTrue(e.getMessage().contains("going away"), e.getMessage());
            rig.bindDriver();
            byte[] sector = new byte[512];
            Arrays.fill(sector, (byte) 7);
            disk(rig, "vda").write(3, ByteBuffer.wrap(sector));
            ByteBuffer back = ByteBuffer.allocate(512);
            disk(rig, "vda").read(3, back);
            assertArrayEquals(sector, back.array(), "a second binding works as the first");
        }
    }

    @Test
    void aDiskWhoseDeviceNeedsAResetIsBoundAgainAndReadsItsData() throws Exception {
        Path img = image(dir, "d.img", 64);
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(512 * 5);
            f.write("after the reset".getBytes());
        }
        try (Rig rig = new Rig().blk(img, 4, "modern").boot()) {
            rig.bindDriver();
            BlockDevice before = disk(rig, "vda");
            // Move the queue's available index 1000 entries on behind the driver, and ring.
            long bar4 = rig.function(4).bars().stream().filter(x -> x.index() == 4).findFirst().orElseThrow().address();
            var mem = rig.machine.memory();
            mem.write(bar4 + ModernTransport.COMMON_Q_SELECT, 2, 0);
            long avail = mem.read(bar4 + ModernTransport.COMMON_Q_AVAILLO, 4);
            mem.write(avail + 2, 2, (mem.read(avail + 2, 2) + 1000) & 0xFFFF);
            mem.write(bar4 + 0x3000, 2, 0);
            Wait.until("a new BlockDevice vda", () -> rig.service(BlockDevice.class, "(" + BlockDevice.NAME + "=vda)")
                    .filter(d -> d != before).isPresent());
            assertThrows(IOException.class, () -> before.read(0, ByteBuffer.allocate(512)), "the old instance is done");
            ByteBuffer back = ByteBuffer.allocate(512);
            disk(rig, "vda").read(5, back);
            assertEquals("after the reset", new String(back.array(), 0, 15));
        }
    }
}
