package org.alosj.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.alosj.fs.ext2.ImageFileDevice;
import org.alosj.kernel.fs.FileSystem;
import org.alosj.kernel.fs.FileSystemType;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.MountOptions;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The fs-ext2 bundle in a real Felix: its "ext2" FileSystemType service mounts an image the real
 * mkfs.ext2 made, reads and writes it, and e2fsck and debugfs agree afterwards.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class Ext2IT {
    @Inject
    BundleContext context;

    @Configuration
    public Option[] config() {
        return AlosOptions.framework();
    }

    private static String run(String... command) throws Exception {
        return HostCommands.statusAndOutput(command);
    }

    @Test
    public void ext2ServiceMountsARealImageReadWrite() throws Exception {
        Collection<ServiceReference<FileSystemType>> refs =
            context.getServiceReferences(FileSystemType.class, "(" + FileSystemType.TYPE + "=ext2)");
        assertEquals(1, refs.size());
        FileSystemType ext2 = context.getService(refs.iterator().next());
        assertTrue(ext2.requiresDevice());

        Path work = Files.createDirectories(Path.of(System.getProperty("alosj.work", "target/work"), "ext2it"));
        Path tree = Files.createDirectories(work.resolve("tree/etc"));
        Files.writeString(tree.resolve("motd"), "hello from mkfs.ext2\n");
        Path image = work.resolve("disk.img");
        Files.deleteIfExists(image);
        String mkfs = run("mkfs.ext2", "-q", "-F", "-b", "1024", "-d", tree.getParent().toString(), image.toString(), "8M");
        assertTrue(mkfs, mkfs.startsWith("0\n"));

        try (ImageFileDevice disk = ImageFileDevice.open(image, false)) {
            FileSystem fs = ext2.mount(disk, "hda1", MountOptions.readWrite());
            long etc = fs.lookup(fs.rootIno(), "etc");
            long motd = fs.lookup(etc, "motd");
            ByteBuffer b = ByteBuffer.allocate(100);
            int n = fs.read(motd, 0, b);
            assertEquals("hello from mkfs.ext2\n", new String(b.array(), 0, n, StandardCharsets.UTF_8));
            long log = fs.create(etc, "written-in-felix", FileType.REGULAR, 0644, 0, 0);
            byte[] data = new byte[200_000];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 31);
            }
            assertEquals(data.length, fs.write(log, 0, ByteBuffer.wrap(data)));
            fs.unmount();
            String fsck = run("e2fsck", "-fn", image.toString());
            assertTrue(fsck, fsck.startsWith("0\n"));
            assertFalse(fsck, fsck.contains("Fix"));
            Process cat = new ProcessBuilder("debugfs", "-R", "cat /etc/written-in-felix", image.toString()).start();
            byte[] back = cat.getInputStream().readAllBytes();
            assertTrue(cat.waitFor(60, TimeUnit.SECONDS));
            assertArrayEquals(data, back);
        }
    }
}
