package org.alosj.fs.ext2.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.alosj.fs.ext2.ImageFileDevice;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FileSystem;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.fs.MountOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mkfs reached as the FileSystemFormatter service: what the shell's mkfs.ext2 calls. */
class Ext2FormatterTest {
    @TempDir
    Path work;

    @Test
    void formatsTheWholeDeviceWithTheLabelAndTheTypeMountsIt() throws Exception {
        Path image = work.resolve("d.img");
        String summary;
        try (ImageFileDevice device = ImageFileDevice.create(image, 8L << 20)) {
            summary = new Ext2Formatter().format(device, "fresh");
        }
        assertEquals("ext2", new Ext2Formatter().name());
        assertTrue(summary.startsWith("8192 blocks of 1024 bytes, "), summary);
        byte[] sb = Arrays.copyOfRange(Files.readAllBytes(image), 1024, 2048);
        assertEquals(0xEF53, (sb[56] & 0xFF) | (sb[57] & 0xFF) << 8, "s_magic");
        assertEquals("fresh", new String(sb, 120, 5, StandardCharsets.ISO_8859_1), "s_volume_name");
        assertEquals(0, sb[125], "s_volume_name is NUL-padded");
        try (ImageFileDevice device = ImageFileDevice.open(image, true)) {
            FileSystem fs = new Ext2FileSystemType().mount(device, "d", MountOptions.readOnlyMount());
            assertEquals(FileType.DIRECTORY, fs.getattr(fs.lookup(fs.rootIno(), "lost+found")).type());
            fs.unmount();
        }
    }

    @Test
    void noLabelLeavesTheVolumeNameEmpty() throws Exception {
        Path image = work.resolve("n.img");
        try (ImageFileDevice device = ImageFileDevice.create(image, 4L << 20)) {
            new Ext2Formatter().format(device, null);
        }
        byte[] sb = Arrays.copyOfRange(Files.readAllBytes(image), 1024, 2048);
        assertEquals(0, sb[120], "s_volume_name");
    }

    @Test
    void aReadOnlyDeviceIsErofs() throws Exception {
        Path image = work.resolve("ro.img");
        ImageFileDevice.create(image, 4L << 20).close();
        try (ImageFileDevice device = ImageFileDevice.open(image, true)) {
            FsException e = assertThrows(FsException.class, () -> new Ext2Formatter().format(device, "x"));
            assertEquals(Errno.EROFS, e.errno());
        }
    }
}
