package org.alosj.drivers.ata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.util.Map;
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

/**
 * ata_piix on the real board and the real PIIX3 IDE model, bound by the kernel's device manager:
 * disks found by position, data through DMA and PIO checked against the image files, errors the
 * device reports turned into IOExceptions, and unbinding that leaves nothing behind.
 */
class AtaPiixDriverTest {
    @TempDir
    Path dir;

    @Test
    void disksAreFoundByPositionAndRegisteredAsBlockDevices() throws IOException {
        Path a = RealAtaRig.image(dir, "a.img", 4096);
        Path d = RealAtaRig.image(dir, "d.img", 2048);
        try (RealAtaRig rig = new RealAtaRig(Map.of(0, a.toString(), 3, d.toString()))) {
            rig.bindDriver(false);
            assertEquals("ata_piix", rig.function().driver());
            assertEquals(List.of("hda", "hdd"), rig.diskNames());
            BlockDevice hda = rig.disk("hda").orElseThrow();
            assertEquals(4096, hda.sectorCount());
            assertEquals(512, hda.sectorSize());
            assertEquals(2048, rig.disk("hdd").orElseThrow().sectorCount());
            var ref = rig.diskReference("hda");
            assertEquals("00:01.1", ref.getProperty(DeviceProperties.SLOT));
            assertEquals("ata_piix", ref.getProperty(DeviceProperties.DRIVER));
            assertEquals("ALOSJ HARDDISK", ref.getProperty(DeviceProperties.MODEL));
            assertEquals("dma", ref.getProperty(AtaPiixDriver.TRANSFER));
            assertTrue(rig.busMaster(), "bus mastering on for DMA");
        }
    }

    @Test
    void aMachineWithoutDisksBindsTheControllerWithNoBlockDevices() {
        try (RealAtaRig rig = new RealAtaRig(Map.of())) {
            rig.bindDriver(false);
            assertEquals("ata_piix", rig.function().driver());
            assertEquals(List.of(), rig.diskNames());
        }
    }

    @ParameterizedTest(name = "pio={0}")
    @ValueSource(booleans = {false, true})
    void sequentialWritesAndReadsMatchTheImageFile(boolean pio) throws IOException {
        Path a = RealAtaRig.image(dir, "a.img", 8192);
        try (RealAtaRig rig = new RealAtaRig(Map.of(1, a.toString()))) {
            rig.bindDriver(pio);
            BlockDevice hdb = rig.disk("hdb").orElseThrow();
            assertEquals(pio ? "pio" : "dma", rig.diskReference("hdb").getProperty(AtaPiixDriver.TRANSFER));
            // 700 sectors: more than one DMA buffer and more than 256 sectors (LBA48 commands).
            byte[] data = new byte[700 * 512];
            new Random(pio ? 1 : 2).nextBytes(data);
            hdb.write(1000, ByteBuffer.wrap(data));
            hdb.flush();
            byte[] file = Files.readAllBytes(a);
            assertArrayEquals(data, Arrays.copyOfRange(file, 1000 * 512, 1700 * 512));
            ByteBuffer back = ByteBuffer.allocateDirect(700 * 512);
            hdb.read(1000, back);
            assertFalse(back.hasRemaining());
            back.flip();
            byte[] got = new byte[data.length];
            back.get(got);
            assertArrayEquals(data, got);
            ByteBuffer one = ByteBuffer.allocate(512);
            hdb.read(17, one);
            assertArrayEquals(RealAtaRig.pattern(17), one.array());
        }
    }

    @Test
    void requestsFromManyThreadsAreQueuedPerChannelAndAllComplete() throws Exception {
        Path a = RealAtaRig.image(dir, "a.img", 4096);
        Path c = RealAtaRig.image(dir, "c.img", 4096);
        try (RealAtaRig rig = new RealAtaRig(Map.of(0, a.toString(), 2, c.toString()))) {
            rig.bindDriver(false);
            BlockDevice hda = rig.disk("hda").orElseThrow();
            BlockDevice hdc = rig.disk("hdc").orElseThrow();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> work = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    BlockDevice disk = t % 2 == 0 ? hda : hdc;
                    int base = t * 100;
                    work.add(pool.submit(() -> {
                        for (int i = 0; i < 20; i++) {
                            ByteBuffer b = ByteBuffer.allocate(4 * 512);
                            disk.read(base + i, b);
                            for (int s = 0; s < 4; s++) {
                                assertArrayEquals(RealAtaRig.pattern(base + i + s),
                                        Arrays.copyOfRange(b.array(), s * 512, s * 512 + 512));
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : work) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aReadOnlyImageRefusesWritesWithTheDevicesAbort() throws IOException {
        Path a = RealAtaRig.image(dir, "ro.img", 1024);
        byte[] before = Files.readAllBytes(a);
        try (RealAtaRig rig = new RealAtaRig(Map.of(0, "!" + a))) {
            rig.bindDriver(false);
            BlockDevice hda = rig.disk("hda").orElseThrow();
            IOException e = assertThrows(IOException.class, () -> hda.write(5, ByteBuffer.allocate(1024)));
            assertTrue(e.getMessage().startsWith("hda: WRITE DMA at LBA 5 failed"), e.getMessage());
            assertTrue(e.getMessage().contains("error 0x04 [ABRT]"), e.getMessage());
            assertTrue(e.getMessage().contains("write-protected"), e.getMessage());
            ByteBuffer ok = ByteBuffer.allocate(512);
            hda.read(5, ok);
            assertArrayEquals(RealAtaRig.pattern(5), ok.array(), "the channel works after the error");
        }
        assertArrayEquals(before, Files.readAllBytes(a));
    }

    @Test
    void readsPastTheEndAndOddSizesAreRefusedBeforeReachingTheDevice() throws IOException {
        Path a = RealAtaRig.image(dir, "a.img", 1024);
        try (RealAtaRig rig = new RealAtaRig(Map.of(0, a.toString()))) {
            rig.bindDriver(false);
            BlockDevice hda = rig.disk("hda").orElseThrow();
            IOException past = assertThrows(IOException.class, () -> hda.read(1023, ByteBuffer.allocate(1024)));
            assertEquals("hda: read of 2 sectors at LBA 1023 is outside the disk (1024 sectors)", past.getMessage());
            IOException odd = assertThrows(IOException.class, () -> hda.read(0, ByteBuffer.allocate(100)));
            assertTrue(odd.getMessage().contains("not a whole number"), odd.getMessage());
        }
    }

    @ParameterizedTest(name = "pio={0}")
    @ValueSource(booleans = {false, true})
    void aTruncatedImageGivesAnIoExceptionWithTheStatusAndErrorBits(boolean pio) throws IOException {
        Path a = RealAtaRig.image(dir, "a.img", 1024);
        try (RealAtaRig rig = new RealAtaRig(Map.of(0, a.toString()))) {
            rig.bindDriver(pio);
            try (RandomAccessFile f = new RandomAccessFile(a.toFile(), "rw")) {
                f.setLength(100 * 512);
            }
            BlockDevice hda = rig.disk("hda").orElseThrow();
            IOException e = assertThrows(IOException.class, () -> hda.read(200, ByteBuffer.allocate(512)));
            assertTrue(e.getMessage().contains("at LBA 200 failed"), e.getMessage());
            assertTrue(e.getMessage().contains("[DRDY DSC ERR]") && e.getMessage().contains("[UNC]"), e.getMessage());
            ByteBuffer ok = ByteBuffer.allocate(512);
            hda.read(3, ok);
            assertArrayEquals(RealAtaRig.pattern(3), ok.array());
        }
    }

    @Test
    void unbindingUnregistersTheDisksAndGivesEverythingBack() throws IOException {
        Path a = RealAtaRig.image(dir, "a.img", 1024);
        try (RealAtaRig rig = new RealAtaRig(Map.of(0, a.toString()))) {
            long dmaBefore = rig.dma.bytesInUse();
            rig.bindDriver(false);
            BlockDevice hda = rig.disk("hda").orElseThrow();
            assertTrue(rig.dma.bytesInUse() > dmaBefore, "PRD table and DMA buffer allocated");
            rig.unbindDriver();
            assertNull(rig.function().driver());
            assertEquals(List.of(), rig.diskNames());
            assertEquals(dmaBefore, rig.dma.bytesInUse(), "DMA memory freed");
            assertFalse(rig.busMaster(), "bus mastering off");
            assertTrue(rig.irqs.statistics().stream().allMatch(s -> s.handlers().isEmpty()), "no IRQ handlers left");
            IOException gone = assertThrows(IOException.class, () -> hda.read(0, ByteBuffer.allocate(512)));
            assertTrue(gone.getMessage().contains("going away"), gone.getMessage());
            // Rebinding claims the same ports and IRQs again: the claims were released.
            rig.bindDriver(true);
            assertEquals(List.of("hda"), rig.diskNames());
            ByteBuffer b = ByteBuffer.allocate(512);
            rig.disk("hda").orElseThrow().read(9, b);
            assertArrayEquals(RealAtaRig.pattern(9), b.array());
        }
    }

    @Test
    void unbindingWhileRequestsAreInFlightLetsThemFinishOrFailCleanly() throws Exception {
        Path a = RealAtaRig.image(dir, "a.img", 8192);
        try (RealAtaRig rig = new RealAtaRig(Map.of(0, a.toString()))) {
            rig.bindDriver(false);
            BlockDevice hda = rig.disk("hda").orElseThrow();
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                List<Future<Integer>> work = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    work.add(pool.submit(() -> {
                        int done = 0;
                        for (int i = 0; i < 200; i++) {
                            try {
                                hda.read(i * 8, ByteBuffer.allocate(8 * 512));
                                done++;
                            } catch (IOException e) {
                                assertTrue(e.getMessage().contains("going away"), e.getMessage());
                                return done;
                            }
                        }
                        return done;
                    }));
                }
                Thread.sleep(5);
                rig.unbindDriver();
                for (Future<Integer> f : work) {
                    f.get(); // every request either completed or failed with a clear IOException
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(List.of(), rig.diskNames());
        }
    }

    @Test
    void dmaRefusedBecauseBusMasteringWasTurnedOffBehindTheDriverIsAClearError() throws IOException {
        Path a = RealAtaRig.image(dir, "a.img", 1024);
        try (RealAtaRig rig = new RealAtaRig(Map.of(0, a.toString()))) {
            rig.bindDriver(false);
            BlockDevice hda = rig.disk("hda").orElseThrow();
            int command = rig.config.read(RealAtaRig.ADDRESS, 0x04, 2);
            rig.config.write(RealAtaRig.ADDRESS, 0x04, 2, command & ~0x4);
            ByteBuffer b = ByteBuffer.allocate(512);
            IOException e = assertThrows(IOException.class, () -> hda.read(4, b));
            assertTrue(e.getMessage().startsWith("hda: READ DMA at LBA 4 failed"), e.getMessage());
            assertTrue(e.getMessage().contains("[ABRT]"), e.getMessage());
            rig.config.write(RealAtaRig.ADDRESS, 0x04, 2, command);
            hda.read(4, b);
            assertArrayEquals(RealAtaRig.pattern(4), b.array());
        }
    }

    @ParameterizedTest(name = "pio={0}")
    @ValueSource(booleans = {false, true})
    void anInterruptThatNeverComesTimesOutResetsTheChannelAndTheNextRequestWorks(boolean pio) throws IOException {
        Path a = RealAtaRig.image(dir, "a.img", 1024);
        try (RealAtaRig rig = new RealAtaRig(Map.of(0, a.toString()))) {
            rig.bindDriver(new AtaPiixDriver(rig.context, pio, 300));
            BlockDevice hda = rig.disk("hda").orElseThrow();
            // Behind the driver's back: nIEN in Device Control keeps INTRQ off the wire.
            rig.machine.ioPorts().outb(0x3F6, 0x02);
            IOException e = assertThrows(IOException.class, () -> hda.read(8, ByteBuffer.allocate(512)));
            assertTrue(e.getMessage().matches("hda: READ (DMA|MULTIPLE) at LBA 8 timed out after 300 ms: .*; channel reset"),
                    e.getMessage());
            ByteBuffer b = ByteBuffer.allocate(512);
            hda.read(8, b);
            assertArrayEquals(RealAtaRig.pattern(8), b.array(), "the reset channel works again");
        }
    }

    @Test
    void aSurpriseRemovalFailsTheRequestsInFlightPromptlyAndUnbinds() throws Exception {
        Path a = RealAtaRig.image(dir, "a.img", 8192);
        try (RealAtaRig rig = new RealAtaRig(Map.of(0, a.toString()))) {
            rig.bindDriver(new AtaPiixDriver(rig.context, false, 60_000));
            BlockDevice hda = rig.disk("hda").orElseThrow();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<IOException> reader = pool.submit(() -> {
                    for (int i = 0; ; i++) {
                        try {
                            hda.read((i * 16) % 8000, ByteBuffer.allocate(16 * 512));
                        } catch (IOException e) {
                            return e;
                        }
                    }
                });
                Thread.sleep(5);
                rig.machine.pci().unplug(rig.machine.pci().functions().stream()
                        .filter(f -> f.deviceId() == 0x7010).findFirst().orElseThrow());
                rig.devices.hotplug(0, 1 << 1); // what the kernel's hot-plug handler does next
                // Far sooner than the 60 s command timeout: the channel thread is told the device is gone.
                IOException e = reader.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertTrue(e.getMessage().contains("hda:"), e.getMessage());
            } finally {
                pool.shutdownNow();
            }
            assertEquals(List.of(), rig.diskNames());
        }
    }

    @ParameterizedTest(name = "pio={0}")
    @ValueSource(booleans = {false, true})
    void sectorsPastTheLba28LimitAreReachedWithLba48Commands(boolean pio) throws IOException {
        long sectors = (1L << 28) + 64; // a sparse 128 GiB image
        Path big = dir.resolve("big.img");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(sectors * 512);
        }
        try (RealAtaRig rig = new RealAtaRig(Map.of(2, big.toString()))) {
            rig.bindDriver(pio);
            BlockDevice hdc = rig.disk("hdc").orElseThrow();
            assertEquals(sectors, hdc.sectorCount());
            long lba = (1L << 28) - 8; // straddles the LBA28 limit
            byte[] data = new byte[32 * 512];
            new Random(3).nextBytes(data);
            hdc.write(lba, ByteBuffer.wrap(data));
            ByteBuffer back = ByteBuffer.allocate(data.length);
            hdc.read(lba, back);
            assertArrayEquals(data, back.array());
            byte[] onHost = new byte[data.length];
            try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "r")) {
                f.seek(lba * 512);
                f.readFully(onHost);
            }
            assertArrayEquals(data, onHost);
            IOException past = assertThrows(IOException.class, () -> hdc.read(sectors - 1, ByteBuffer.allocate(1024)));
            assertTrue(past.getMessage().contains("outside the disk"), past.getMessage());
        }
    }
}
