package org.alosj.hal.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A raw image as the disk models see it: whole sectors, a fixed size, read-only when asked. */
class DiskImageTest {
    @TempDir
    Path dir;

    @Test
    void wholeSectorsReadAndWrittenAtTheirOffsets() throws IOException {
        Path file = dir.resolve("disk.img");
        Files.write(file, new byte[3 * 512 + 100]);
        try (DiskImage image = DiskImage.open(file, false)) {
            assertEquals(3, image.sectors(), "a trailing partial sector is not part of the disk");
            byte[] sector = new byte[512];
            sector[0] = 0x55;
            sector[511] = (byte) 0xAA;
            image.write(512, ByteBuffer.wrap(sector));
            image.flush();
            ByteBuffer back = ByteBuffer.allocate(512);
            image.read(512, back);
            assertArrayEquals(sector, back.array());
        }
        assertEquals(0x55, Files.readAllBytes(file)[512]);
    }

    @Test
    void aReadOnlyImageRefusesWrites() throws IOException {
        Path file = dir.resolve("ro.img");
        Files.write(file, new byte[1024]);
        try (DiskImage image = DiskImage.open(file, true)) {
            assertTrue(image.readOnly());
            IOException e = assertThrows(IOException.class, () -> image.write(0, ByteBuffer.allocate(512)));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        }
    }

    @Test
    void aFileThatShrinksReadsAsAnErrorNotAsZeros() throws IOException {
        Path file = dir.resolve("shrinks.img");
        Files.write(file, new byte[4 * 512]);
        try (DiskImage image = DiskImage.open(file, false)) {
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.setLength(512);
            }
            IOException e = assertThrows(IOException.class, () -> image.read(2 * 512, ByteBuffer.allocate(512)));
            assertTrue(e.getMessage().contains("before sector 2"), e.getMessage());
        }
    }

    @Test
    void missingAndTinyImagesAreRefusedByName() throws IOException {
        IOException missing = assertThrows(IOException.class, () -> DiskImage.open(dir.resolve("none.img"), false));
        assertTrue(missing.getMessage().contains("none.img"), missing.getMessage());
        Path tiny = dir.resolve("tiny.img");
        Files.write(tiny, new byte[100]);
        IOException small = assertThrows(IOException.class, () -> DiskImage.open(tiny, false));
        assertTrue(small.getMessage().contains("smaller than one sector"), small.getMessage());
    }
}
