package org.alosj.net.impl.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MappedFileInputStreamTest {
    @TempDir
    Path dir;

    @Test
    void readsTheWholeFileAcrossMappingWindowsInReadsOfAnySize() throws IOException {
        byte[] content = new byte[(int) MappedFileInputStream.WINDOW + 70_001];
        new Random(11).nextBytes(content);
        Path file = Files.write(dir.resolve("big.bin"), content);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] sizes = {1, 7, 65536, 100_003};
        try (MappedFileInputStream in = new MappedFileInputStream(file, content.length)) {
            byte[] buf = new byte[100_003];
            int n;
            int k = 0;
            while ((n = in.read(buf, 0, sizes[k++ % sizes.length])) >= 0) {
                out.write(buf, 0, n);
            }
            assertEquals(-1, in.read());
        }
        assertArrayEquals(content, out.toByteArray());
    }

    @Test
    void readsOnlyTheSizeItWasOpenedWithAndSkips() throws IOException {
        Path file = Files.write(dir.resolve("a.txt"), "hello world".getBytes());
        try (MappedFileInputStream in = new MappedFileInputStream(file, 5)) {
            assertEquals(2, in.skip(2));
            assertArrayEquals("llo".getBytes(), in.readAllBytes());
        }
        try (MappedFileInputStream empty = new MappedFileInputStream(Files.write(dir.resolve("e"), new byte[0]), 0)) {
            assertEquals(-1, empty.read(new byte[4], 0, 4));
        }
    }

    @Test
    void aFileThatShrankOrAClosedStreamIsAnIoErrorNotACrash() throws IOException {
        Path file = Files.write(dir.resolve("s.bin"), new byte[64 * 1024]);
        MappedFileInputStream in = new MappedFileInputStream(file, 64 * 1024);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(4096);
        }
        assertThrows(IOException.class, () -> in.read(new byte[65536], 0, 65536));
        in.close();
        assertThrows(IOException.class, () -> in.read(new byte[1], 0, 1));
    }
}
