package org.alosj.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.alosj.fs.ext2.ImageFileDevice;
import org.alosj.kernel.block.BlockLayer;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.fs.MountOptions;
import org.alosj.kernel.vfs.OpenFlags;
import org.alosj.kernel.vfs.Vfs;
import org.alosj.kernel.vfs.VfsContext;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The block layer and the VFS as OSGi services in a real Felix: a disk registered as a
 * BlockDevice service gets its MBR partition registered as a service of its own (with its
 * parent), the VFS mounts it through the ext2 type service, and the disk's service going away
 * takes the partition with it and leaves the mount answering EIO.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class VfsIT {
    @Inject
    BundleContext context;
    @Inject
    Vfs vfs;
    @Inject
    BlockLayer blocks;

    @Configuration
    public Option[] config() {
        return AlosOptions.framework();
    }

    private static String run(String... command) throws Exception {
        return HostCommands.statusAndOutput(command);
    }

    @Test
    public void aDisksPartitionIsAServiceTheVfsMountsAndItLeavesWithTheDisk() throws Exception {
        Path work = Files.createDirectories(Path.of(System.getProperty("alosj.work", "target/work"), "vfsit"));
        Path tree = Files.createDirectories(work.resolve("tree"));
        Files.writeString(tree.resolve("hello"), "from partition 1\n");
        Path image = work.resolve("part.img");
        Files.deleteIfExists(image);
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(8 << 20);
            ByteBuffer mbr = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
            mbr.position(446).put((byte) 0).put(new byte[3]).put((byte) 0x83).put(new byte[3]).putInt(2048).putInt(8192);
            mbr.put(510, (byte) 0x55).put(511, (byte) 0xAA);
            f.write(mbr.array());
        }
        String mkfs = run("mkfs.ext2", "-q", "-F", "-d", tree.toString(), "-E", "offset=1048576", image.toString(),
                "4096");
        assertTrue(mkfs, mkfs.startsWith("0\n"));

        ImageFileDevice disk = ImageFileDevice.open(image, false);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(BlockDevice.NAME, "hdt");
        ServiceRegistration<BlockDevice> reg = context.registerService(BlockDevice.class, disk, props);
        ServiceTracker<BlockDevice, BlockDevice> partitions = new ServiceTracker<>(context,
                context.createFilter("(&(objectClass=" + BlockDevice.class.getName() + ")("
                        + BlockLayer.PARENT + "=hdt))"), null);
        partitions.open();
        try {
            assertNotNull("the partition is registered", partitions.waitForService(10_000));
            ServiceReference<BlockDevice> ref = partitions.getServiceReference();
            assertEquals("hdt1", ref.getProperty(BlockDevice.NAME));
            assertEquals(1, ref.getProperty(BlockLayer.PARTITION));
            assertEquals(2048L, ref.getProperty(BlockLayer.START));
            assertEquals(8192, partitions.getService().sectorCount());

            try (VfsContext c = vfs.createContext(0, 0)) {
                c.mkdir("/mnt/it", 0755);
                c.mount("/dev/hdt1", "/mnt/it", null, MountOptions.readWrite());
                int fd = c.open("/mnt/it/hello", OpenFlags.O_RDONLY, 0);
                ByteBuffer b = ByteBuffer.allocate(100);
                c.read(fd, b);
                c.close(fd);
                assertEquals("from partition 1\n", new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
                fd = c.open("/mnt/it/written", OpenFlags.O_WRONLY | OpenFlags.O_CREAT, 0644);
                c.write(fd, ByteBuffer.wrap("written in felix\n".getBytes(StandardCharsets.UTF_8)));
                c.close(fd);
                c.umount("/mnt/it");
                String fsck = run("e2fsck", "-fn", image + "?offset=1048576");
                assertTrue(fsck, fsck.startsWith("0\n") && !fsck.contains("Fix"));
                assertTrue(run("debugfs", "-R", "cat /written", image + "?offset=1048576").contains("written in felix"));

                c.mount("/dev/hdt1", "/mnt/it", "ext2", MountOptions.readWrite());
                CountDownLatch gone = new CountDownLatch(1);
                ServiceListener l = e -> {
                    if (e.getType() == ServiceEvent.UNREGISTERING) {
                        gone.countDown();
                    }
                };
                context.addServiceListener(l, "(" + BlockLayer.PARENT + "=hdt)");
                reg.unregister();
                reg = null;
                // The block layer keeps a disk for its swap grace period (2 s), then drops it.
                assertTrue("the partition left with its disk", gone.await(30, TimeUnit.SECONDS));
                context.removeServiceListener(l);
                assertNull(partitions.getService());
                assertTrue(blocks.device("hdt1").isEmpty());
                try {
                    c.stat("/mnt/it/hello-not-cached");
                    fail("a mount whose disk is gone answers EIO");
                } catch (FsException e) {
                    assertEquals(e.getMessage(), Errno.EIO, e.errno());
                }
                c.umount("/mnt/it");
            }
        } finally {
            partitions.close();
            if (reg != null) {
                reg.unregister();
            }
            disk.close();
        }
    }
}
