package org.alosj.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The block device over an image file: the disk models' DiskImage, with a disk's bounds. */
class ImageFileDeviceTest {
    @TempDir
    Path dir;

    @Test
    void theSizeIsTheFilesInWholeSectorsAndSectorsReadBackAsWritten() throws IOException {
        Path image = Files.write(dir.resolve("odd.img"), new byte[3 * 512 + 100]);
        try (ImageFileDevice device = ImageFileDevice.open(image, false)) {
            assertEquals(3, device.sectorCount(), "a trailing partial sector is not part of the disk");
            byte[] sector = new byte[512];
            sector[0] = 0x55;
            sector[511] = (byte) 0xAA;
            device.write(2, ByteBuffer.wrap(sector));
            device.flush();
            ByteBuffer back = ByteBuffer.allocate(512);
            device.read(2, back);
            assertArrayEquals(sector, back.array());
        }
        assertEquals(0x55, Files.readAllBytes(image)[1024]);
    }

    @Test
    void aMissingFileOrOneSmallerThanASectorIsRefusedSayingSo() throws IOException {
        IOException missing = assertThrows(IOException.class, () -> ImageFileDevice.open(dir.resolve("none.img"), true));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        Path tiny = Files.write(dir.resolve("tiny.img"), new byte[100]);
        IOException small = assertThrows(IOException.class, () -> ImageFileDevice.open(tiny, true));
        assertTrue(small.getMessage().contains("smaller than one sector"), small.getMessage());
        IOException directory = assertThrows(IOException.class, () -> ImageFileDevice.open(dir, true));
        assertTrue(directory.getMessage().contains("not a regular file"), directory.getMessage());
    }

    @Test
    void transfersPastTheEndOrOfPartSectorsFailNamingThem() throws IOException {
        try (ImageFileDevice device = ImageFileDevice.create(dir.resolve("new.img"), 4 * 512)) {
            assertEquals(4, device.sectorCount());
            IOException past = assertThrows(IOException.class, () -> device.read(3, ByteBuffer.allocate(1024)));
            assertTrue(past.getMessage().contains("sectors 3+2 beyond the 4 sectors"), past.getMessage());
            IOException part = assertThrows(IOException.class, () -> device.write(0, ByteBuffer.allocate(100)));
            assertTrue(part.getMessage().contains("not whole sectors"), part.getMessage());
            ByteBuffer zeros = ByteBuffer.allocate(4 * 512);
            device.read(0, zeros);
            assertArrayEquals(new byte[4 * 512], zeros.array(), "a new image reads as zeros");
        }
    }

    @Test
    void aReadOnlyDeviceRefusesWrites() throws IOException {
        Path image = Files.write(dir.resolve("ro.img"), new byte[1024]);
        try (ImageFileDevice device = ImageFileDevice.open(image, true)) {
            assertTrue(device.readOnly());
            IOException e = assertThrows(IOException.class, () -> device.write(0, ByteBuffer.allocate(512)));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        }
    }
}
