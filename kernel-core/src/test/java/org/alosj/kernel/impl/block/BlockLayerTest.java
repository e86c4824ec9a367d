package org.alosj.kernel.impl.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.alosj.kernel.block.BlockLayer;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.device.DeviceProperties;
import org.alosj.kernel.testkit.FileBlockDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockLayerTest {
    @TempDir
    Path tmp;
    final List<Dictionary<String, Object>> registered = new CopyOnWriteArrayList<>();
    final BlockLayerImpl layer = new BlockLayerImpl((p, props) -> {
        registered.add(props);
        return () -> registered.remove(props);
    }, 100);

    @AfterEach
    void stop() {
        layer.deactivate();
    }

    static byte[] entry(int boot, int type, long start, long sectors) {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) boot).put(new byte[3]).put((byte) type).put(new byte[3]).putInt((int) start).putInt((int) sectors);
        return b.array();
    }

    static void table(byte[] img, long sector, byte[]... entries) {
        int base = (int) (sector * 512);
        for (int i = 0; i < entries.length; i++) {
            System.arraycopy(entries[i], 0, img, base + 446 + 16 * i, 16);
        }
        img[base + 510] = 0x55;
        img[base + 511] = (byte) 0xAA;
    }

    FileBlockDevice attach(String name, byte[] img) throws IOException {
        Path p = tmp.resolve(name + ".img");
        Files.write(p, img);
        FileBlockDevice d = new FileBlockDevice(p, false);
        layer.addDisk(d, new HashMap<>(Map.of(BlockDevice.NAME, name)));
        return d;
    }

    /** util-linux's partx reads the same table: NR START SECTORS per line. */
    static List<String> partx(Path image) throws Exception {
        Process p = new ProcessBuilder("partx", "-g", "-o", "NR,START,SECTORS", image.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        List<String> lines = new ArrayList<>();
        for (String l : out.strip().split("\n")) {
            lines.add(String.join(" ", l.strip().split("\\s+")));
        }
        return lines;
    }

    @Test
    void primary_extended_and_logical_partitions_match_partx() throws Exception {
        byte[] img = new byte[4 << 20];
        table(img, 0, entry(0x80, 0x83, 2048, 2048), entry(0, 0x05, 4096, 4000));
        table(img, 4096, entry(0, 0x83, 63, 1000), entry(0, 0x05, 1100, 1000));
        table(img, 4096 + 1100, entry(0, 0x83, 63, 500));
        attach("hda", img);
        List<String> ours = new ArrayList<>();
        for (BlockLayer.DeviceInfo d : layer.devices()) {
            if (d.parent() != null && d.partition() != 2) {
                ours.add(d.partition() + " " + d.start() + " " + d.sectors());
            }
        }
        List<String> real = partx(tmp.resolve("hda.img"));
        real.removeIf(l -> l.startsWith("2 ")); // the extended container: partx lists it, we do not open it
        assertEquals(real, ours);
        assertEquals(List.of("hda1", "hda5", "hda6"),
                registered.stream().map(p -> (String) p.get(BlockDevice.NAME)).toList());
        assertEquals("hda", registered.get(0).get(BlockLayer.PARENT));
        assertEquals(0x0305, layer.devices().stream().filter(d -> d.name().equals("hda5")).findFirst().orElseThrow()
                .devNumber());
    }

    @Test
    void a_partition_reads_and_writes_inside_its_window_only() throws Exception {
        byte[] img = new byte[1 << 20];
        table(img, 0, entry(0, 0x83, 100, 10));
        FileBlockDevice disk = attach("hdb", img);
        BlockDevice part = layer.device("hdb1").orElseThrow();
        assertEquals(10, part.sectorCount());
        part.write(9, ByteBuffer.wrap(new byte[512]).put(0, (byte) 7));
        ByteBuffer b = ByteBuffer.allocate(512);
        disk.read(109, b);
        assertEquals(7, b.get(0));
        assertThrows(IOException.class, () -> part.read(10, ByteBuffer.allocate(512)));
        assertThrows(IOException.class, () -> part.write(-1, ByteBuffer.allocate(512)));
    }

    @Test
    void bad_tables_are_reported_and_skipped_never_thrown() throws Exception {
        byte[] img = new byte[1 << 20]; // 2048 sectors
        table(img, 0, entry(0, 0x83, 100, 100), entry(0, 0x83, 2000, 5000), entry(0, 0x05, 300, 200));
        table(img, 300, entry(0, 0x83, 10, 20), entry(0, 0x05, 50, 100));
        table(img, 350, entry(0, 0x83, 10, 20), entry(0, 0x05, 50, 100)); // links to itself
        MbrPartitionTable.Result r = MbrPartitionTable.read(new FileBlockDevice(write("bad.img", img), true));
        assertEquals(List.of(1, 3, 5, 6), r.partitions().stream().map(MbrPartitionTable.Partition::number).toList());
        assertTrue(r.problems().stream().anyMatch(p -> p.contains("partition 2") && p.contains("beyond the end")),
                r.problems().toString());
        assertTrue(r.problems().stream().anyMatch(p -> p.contains("loops")), r.problems().toString());
        byte[] fat = new byte[1 << 20];
        table(fat, 0, entry(0x29, 0x83, 100, 100));
        MbrPartitionTable.Result notTable = MbrPartitionTable.read(new FileBlockDevice(write("fat.img", fat), true));
        assertEquals(List.of(), notTable.partitions());
        assertTrue(notTable.problems().get(0).contains("boot indicator 0x29"));
        attach("hde", img); // through the layer: logged, the disk stays usable
        assertTrue(layer.device("hde").isPresent());
    }

    Path write(String name, byte[] img) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, img);
        return p;
    }

    @Test
    void requests_from_many_threads_all_land_and_a_flush_follows_what_came_before() throws Exception {
        FileBlockDevice disk = attach("hdc", new byte[1 << 20]);
        BlockDevice q = layer.device("hdc").orElseThrow();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int id = t;
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 50; i++) {
                        byte[] s = new byte[512];
                        s[0] = (byte) id;
                        s[1] = (byte) i;
                        q.write(id * 100L + i, ByteBuffer.wrap(s));
                    }
                    q.flush();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(8, disk.flushes.get());
        for (int t = 0; t < 8; t++) {
            for (int i = 0; i < 50; i++) {
                ByteBuffer b = ByteBuffer.allocate(512);
                q.read(t * 100L + i, b);
                assertArrayEquals(new byte[] {(byte) t, (byte) i}, new byte[] {b.get(0), b.get(1)});
            }
        }
        assertThrows(IOException.class, () -> q.read(2048, ByteBuffer.allocate(512)));
        assertThrows(IOException.class, () -> q.read(0, ByteBuffer.allocate(100)));
    }

    @Test
    void a_failing_driver_gives_ioexceptions_not_crashes() throws Exception {
        FileBlockDevice disk = attach("hdd", new byte[1 << 20]);
        BlockDevice q = layer.device("hdd").orElseThrow();
        disk.fail();
        assertThrows(IOException.class, () -> q.read(0, ByteBuffer.allocate(512)));
        assertThrows(IOException.class, q::flush);
    }

    @Test
    void a_disk_whose_device_left_the_bus_fails_at_once_without_waiting_for_a_driver() throws Exception {
        Set<String> gone = ConcurrentHashMap.newKeySet();
        // A grace period no test would sit through: the removal must not use it.
        BlockLayerImpl hotplug = new BlockLayerImpl((p, props) -> () -> { }, TimeUnit.HOURS.toMillis(1), gone::contains);
        try {
            Path p = tmp.resolve("vda.img");
            Files.write(p, new byte[1 << 20]);
            FileBlockDevice disk = new FileBlockDevice(p, false);
            Map<String, Object> props = new HashMap<>(Map.of(BlockDevice.NAME, "vda",
                    DeviceProperties.SLOT, "00:02.0"));
            hotplug.addDisk(disk, props);
            BlockDevice q = hotplug.device("vda").orElseThrow();
            q.write(0, ByteBuffer.wrap(new byte[512]));

            gone.add("00:02.0");
            hotplug.removeDisk(disk, props);
            assertTrue(hotplug.device("vda").isEmpty(), "the disk left with its device");
            IOException e = assertThrows(IOException.class, () -> q.write(1, ByteBuffer.wrap(new byte[512])));
            assertEquals("vda: the disk is gone", e.getMessage());
            assertThrows(IOException.class, q::flush);
        } finally {
            hotplug.deactivate();
        }
    }

    @Test
    void a_disk_whose_driver_went_but_device_stayed_waits_for_the_next_driver() throws Exception {
        BlockLayerImpl swap = new BlockLayerImpl((p, props) -> () -> { }, TimeUnit.HOURS.toMillis(1), slot -> false);
        try {
            Path p = tmp.resolve("vda.img");
            Files.write(p, new byte[1 << 20]);
            FileBlockDevice first = new FileBlockDevice(p, false);
            Map<String, Object> props = new HashMap<>(Map.of(BlockDevice.NAME, "vda",
                    DeviceProperties.SLOT, "00:02.0"));
            swap.addDisk(first, props);
            BlockDevice q = swap.device("vda").orElseThrow();
            swap.removeDisk(first, props);
            assertTrue(swap.device("vda").isPresent(), "a driver swap keeps the disk");
            // A write issued in the gap waits for the next driver and lands through it.
            var pending = CompletableFuture.runAsync(() -> {
                try {
                    q.write(3, ByteBuffer.wrap(new byte[512]).put(0, (byte) 0x5A));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            swap.addDisk(new FileBlockDevice(p, false), props);
            pending.get(30, TimeUnit.SECONDS);
            assertEquals(0x5A, Files.readAllBytes(p)[3 * 512]);
        } finally {
            swap.deactivate();
        }
    }
    /**
     * A driver that comes back within the grace period stops the disk's drop timer at once (a
     * swap leaves no thread behind for the grace period), and the take-over counts the requests
     * that waited in the gap.
     */
    @Test
    void a_driver_back_within_the_grace_ends_the_drop_timer_and_counts_the_requests_that_waited() throws Exception {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("kernel.block");
        var seen = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        seen.start();
        log.addAppender(seen);
        log.setLevel(ch.qos.logback.classic.Level.INFO); // the tests' root level is OFF
        BlockLayerImpl swap = new BlockLayerImpl((p, props) -> () -> { }, TimeUnit.HOURS.toMillis(1), slot -> false);
        try {
            Path p = tmp.resolve("vdt.img");
            Files.write(p, new byte[1 << 20]);
            FileBlockDevice first = new FileBlockDevice(p, false);
            Map<String, Object> props = new HashMap<>(Map.of(BlockDevice.NAME, "vdt", DeviceProperties.SLOT, "00:04.0",
                    DeviceProperties.DRIVER, "virtio-pci"));
            swap.addDisk(first, props);
            RequestQueue q = (RequestQueue) swap.device("vdt").orElseThrow();
            long before = q.requestCount();
            swap.removeDisk(first, props);
            Thread timer = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("kblock-gone-vdt")).findFirst().orElseThrow();
            var pending = CompletableFuture.runAsync(() -> {
                try {
                    q.write(5, ByteBuffer.wrap(new byte[512]));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (q.requestCount() == before && System.nanoTime() < deadline) {
                Thread.sleep(1); // until the write is queued, waiting for a driver
            }
            swap.addDisk(new FileBlockDevice(p, false), props);
            pending.get(30, TimeUnit.SECONDS);
            timer.join(TimeUnit.SECONDS.toMillis(30));
            assertTrue(!timer.isAlive(), "the drop timer ended with the take-over, not after the hour's grace");
            assertTrue(seen.list.stream().anyMatch(e -> e.getFormattedMessage()
                    .equals("vdt: driver virtio-pci took over the disk (1 request(s) had waited for it)")),
                    seen.list.toString());
        } finally {
            log.detachAppender(seen);
            log.setLevel(null);
            swap.deactivate();
        }
    }
    /**
     * A driver that is unbinding refuses the request it was just handed ("the device is going
     * away"): the disk was detached meanwhile, so the request goes to the next driver instead of
     * failing (a failed write-back turned ext2 read-only in the middle of a driver restart).
     */
    @Test
    void a_request_the_going_driver_refuses_is_done_by_the_next_driver_not_failed() throws Exception {
        BlockLayerImpl swap = new BlockLayerImpl((p, props) -> () -> { }, TimeUnit.HOURS.toMillis(1), slot -> false);
        try {
            Path p = tmp.resolve("vdr.img");
            Files.write(p, new byte[1 << 20]);
            java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch unbound = new java.util.concurrent.CountDownLatch(1);
            FileBlockDevice first = new FileBlockDevice(p, false);
            BlockDevice going = new BlockDevice() {
                @Override
                public int sectorSize() {
                    return first.sectorSize();
                }

                @Override
                public long sectorCount() {
                    return first.sectorCount();
                }

                @Override
                public boolean readOnly() {
                    return false;
                }

                @Override
                public void read(long lba, ByteBuffer dst) throws IOException {
                    first.read(lba, dst);
                }

                @Override
                public void flush() throws IOException {
                    first.flush();
                }

                @Override
                public void write(long lba, ByteBuffer src) throws IOException {
                    entered.countDown();
                    try {
                        unbound.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IOException("vdr: the device is going away (driver unbound)");
                }
            };
            Map<String, Object> props = new HashMap<>(Map.of(BlockDevice.NAME, "vdr", DeviceProperties.SLOT, "00:05.0"));
            swap.addDisk(going, props);
            BlockDevice q = swap.device("vdr").orElseThrow();
            var pending = CompletableFuture.runAsync(() -> {
                try {
                    q.write(7, ByteBuffer.wrap(new byte[512]).put(0, (byte) 0x6B));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            assertTrue(entered.await(30, TimeUnit.SECONDS), "the write reached the driver");
            swap.removeDisk(going, props); // consumers lose the service, then the driver stops
            unbound.countDown();
            swap.addDisk(new FileBlockDevice(p, false), props);
            pending.get(30, TimeUnit.SECONDS);
            assertEquals(0x6B, Files.readAllBytes(p)[7 * 512], "the next driver wrote it");
            assertEquals(1, ((RequestQueue) q).requeuedCount());
        } finally {
            swap.deactivate();
        }
    }
}
