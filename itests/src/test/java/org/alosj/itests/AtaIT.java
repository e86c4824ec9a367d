package org.alosj.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.concurrent.atomic.AtomicReference;
import javax.inject.Inject;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.pci.PciDeviceManager;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The PIIX3 IDE model and ata_piix in a real Felix with the real bundles: a disk configured
 * through Configuration Admin (the function is hot-plugged at 00:01.1 on a running machine),
 * bound by the device manager, written and read as a BlockDevice, and a stream of writes that
 * survives stopping and starting the driver bundle with no block lost.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AtaIT {
    static final String ATA_PID = "org.alosj.hw.ata";
    static final String DRIVER_PID = "org.alosj.drivers.ata";
    static final long WAIT = 20_000;
    static final int BLOCK = 64 * 1024;

    @Inject
    BundleContext context;
    @Inject
    ConfigurationAdmin admin;
    @Inject
    PciDeviceManager pci;

    private Path image;

    @Configuration
    public Option[] config() {
        return AlosOptions.framework("hw-ata", "drivers-ata");
    }

    @Before
    public void attachDisk() throws Exception {
        Path work = Path.of(System.getProperty("alosj.work", "target/work"));
        Files.createDirectories(work);
        image = Files.createTempFile(work, "hda", ".img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(32L << 20);
        }
        Dictionary<String, Object> d = new Hashtable<>();
        d.put("drive.0.file", image.toString());
        admin.getConfiguration(ATA_PID, "?").update(d);
        Machines.await("hda registered by ata_piix", WAIT, () -> disk() != null);
    }

    @After
    public void detachDisk() throws Exception {
        admin.getConfiguration(ATA_PID, "?").delete();
        admin.getConfiguration(DRIVER_PID, "?").delete();
        Machines.await("hda gone", WAIT, () -> disk() == null);
        // Let the replugged controller settle (bound again, with no disk) before the next test.
        Machines.await("00:01.1 bound again", WAIT,
                () -> Machines.driverOf(pci, "00:01.1").filter("ata_piix"::equals).isPresent());
        Files.deleteIfExists(image);
    }

    private BlockDevice disk() {
        try {
            Collection<ServiceReference<BlockDevice>> refs = context.getServiceReferences(BlockDevice.class,
                    "(" + BlockDevice.NAME + "=hda)");
            return refs.isEmpty() ? null : context.getService(refs.iterator().next());
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private String transfer() throws Exception {
        Collection<ServiceReference<BlockDevice>> refs = context.getServiceReferences(BlockDevice.class,
                "(" + BlockDevice.NAME + "=hda)");
        return refs.isEmpty() ? null : (String) refs.iterator().next().getProperty("ata.transfer");
    }

    private Bundle driverBundle() {
        for (Bundle b : context.getBundles()) {
            if ("org.alosj.drivers.ata".equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("the ata driver bundle is not installed");
    }

    private static byte[] block(int n) {
        byte[] b = new byte[BLOCK];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (n * 131 + i * 7 + (i >> 9));
        }
        return b;
    }

    @Test
    public void the_disk_is_bound_at_00_01_1_and_reads_back_what_it_wrote() throws Exception {
        assertEquals("ata_piix", Machines.driverOf(pci, "00:01.1").orElse(null));
        BlockDevice hda = disk();
        assertEquals(65536, hda.sectorCount());
        assertEquals("dma", transfer());
        hda.write(128, ByteBuffer.wrap(block(1)));
        hda.flush();
        ByteBuffer back = ByteBuffer.allocate(BLOCK);
        hda.read(128, back);
        assertArrayEquals(block(1), back.array());
        byte[] onHost = new byte[BLOCK];
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "r")) {
            f.seek(128 * 512L);
            f.readFully(onHost);
        }
        assertArrayEquals("the image file holds the block", block(1), onHost);
    }

    @Test
    public void the_pio_option_rebinds_the_disk_without_dma() throws Exception {
        Dictionary<String, Object> d = new Hashtable<>();
        d.put("pio", "true");
        admin.getConfiguration(DRIVER_PID, "?").update(d);
        Machines.await("hda back on PIO", WAIT, () -> {
            try {
                return "pio".equals(transfer());
            } catch (Exception e) {
                return false;
            }
        });
        BlockDevice hda = disk();
        hda.write(0, ByteBuffer.wrap(block(7)));
        ByteBuffer back = ByteBuffer.allocate(BLOCK);
        hda.read(0, back);
        assertArrayEquals(block(7), back.array());
    }

    @Test
    public void a_stream_of_writes_survives_stopping_and_starting_the_driver_with_no_block_lost() throws Exception {
        int blocks = 256;
        int[] version = new int[blocks];
        java.util.concurrent.atomic.AtomicBoolean swapping = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger retried = new java.util.concurrent.atomic.AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // The writer goes round the first 16 MiB until the swaps are over, then finishes its round.
        Thread writer = new Thread(() -> {
            try {
                for (int round = 1; ; round++) {
                    boolean last = !swapping.get();
                    for (int n = 0; n < blocks; n++) {
                        int v = round * blocks + n;
                        while (true) {
                            BlockDevice hda = disk();
                            if (hda == null) {
                                Thread.sleep(1); // the driver is being swapped: wait for the disk
                                continue;
                            }
                            try {
                                hda.write((long) n * (BLOCK / 512), ByteBuffer.wrap(block(v)));
                                version[n] = v;
                                break;
                            } catch (IOException e) {
                                if (!e.getMessage().contains("going away")) {
                                    throw e;
                                }
                                retried.incrementAndGet();
                            }
                        }
                    }
                    if (last) {
                        return;
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "ata-writer");
        writer.start();
        Bundle driver = driverBundle();
        for (int swap = 0; swap < 5; swap++) {
            Thread.sleep(30);
            driver.stop();
            assertFalse("the disk goes with its driver", disk() != null);
            driver.start();
            assertNotNull("the disk comes back with its driver", disk());
        }
        swapping.set(false);
        writer.join(WAIT);
        assertFalse("the writer finished", writer.isAlive());
        if (failure.get() != null) {
            throw new AssertionError("the writer failed", failure.get());
        }
        BlockDevice hda = disk();
        for (int n = 0; n < blocks; n++) {
            ByteBuffer back = ByteBuffer.allocate(BLOCK);
            hda.read((long) n * (BLOCK / 512), back);
            assertArrayEquals("block " + n + " holds its last write", block(version[n]), back.array());
        }
        assertTrue(Machines.driverOf(pci, "00:01.1").filter("ata_piix"::equals).isPresent());
    }
}
