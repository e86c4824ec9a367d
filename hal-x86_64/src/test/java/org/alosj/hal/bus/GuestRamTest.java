package org.alosj.hal.bus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

class GuestRamTest {
    private static final long MIB = 1L << 20;

    @Test
    void ramReadsAsZerosAtPowerOnWithoutBackingMemory() {
        GuestRam ram = new GuestRam(256 * MIB);
        assertEquals(0, ram.read(0, 8));
        assertEquals(0, ram.read(255 * MIB, 4));
        byte[] page = new byte[4096];
        java.util.Arrays.fill(page, (byte) 0x5A);
        ram.read(128 * MIB, page, 0, page.length);
        assertArrayEquals(new byte[4096], page);
        ram.fill(0, 256 * MIB, (byte) 0);
        assertEquals(0, ram.allocatedBytes());
    }

    @Test
    void aWriteBacksOnlyTheChunkItTouches() {
        GuestRam ram = new GuestRam(256 * MIB);
        ram.write(100 * MIB + 8, 8, 0x1122_3344_5566_7788L);
        assertEquals(GuestRam.CHUNK_SIZE, ram.allocatedBytes());
        assertEquals(0x1122_3344_5566_7788L, ram.read(100 * MIB + 8, 8));
        assertEquals(0x7788, ram.read(100 * MIB + 8, 2));
        assertEquals(0, ram.read(100 * MIB, 8));
        assertEquals(0, ram.read(200 * MIB + 8, 8));
    }

    @Test
    void theArrayChunkHandsOutIsTheMemoryReadsAndWritesSee() {
        GuestRam ram = new GuestRam(64 * MIB);
        long offset = 5 * MIB + 0x123;
        byte[] c = ram.chunk(offset);
        c[GuestRam.chunkOffset(offset)] = (byte) 0xAB;
        assertEquals(0xAB, ram.read(offset, 1));
        ram.write(offset + 1, 1, 0xCD);
        assertEquals((byte) 0xCD, c[GuestRam.chunkOffset(offset + 1)]);
        assertSame(c, ram.chunk(offset + 4096));
    }

    @Test
    void accessesAcrossAChunkBoundaryAreSplitLittleEndian() {
        GuestRam ram = new GuestRam(16 * MIB);
        long boundary = GuestRam.CHUNK_SIZE;
        ram.write(boundary - 4, 8, 0x0102_0304_0506_0708L);
        assertEquals(0x0506_0708L, ram.read(boundary - 4, 4));
        assertEquals(0x0102_0304L, ram.read(boundary, 4));
        assertEquals(0x0102_0304_0506_0708L, ram.read(boundary - 4, 8));

        byte[] data = new byte[10_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        ram.write(3 * boundary - 5_000, data, 0, data.length);
        byte[] back = new byte[data.length];
        ram.read(3 * boundary - 5_000, back, 0, back.length);
        assertArrayEquals(data, back);
    }

    @Test
    void aFillWithAValueBacksTheChunksItCovers() {
        GuestRam ram = new GuestRam(16 * MIB);
        ram.fill(GuestRam.CHUNK_SIZE - 16, 32, (byte) 0xFF);
        assertEquals(2 * GuestRam.CHUNK_SIZE, ram.allocatedBytes());
        assertEquals(-1L, ram.read(GuestRam.CHUNK_SIZE - 8, 8));
        ram.fill(GuestRam.CHUNK_SIZE - 8, 8, (byte) 0);
        assertEquals(0, ram.read(GuestRam.CHUNK_SIZE - 8, 8));
        assertEquals(-1L, ram.read(GuestRam.CHUNK_SIZE - 16, 8));
    }

    @Test
    void theLastChunkIsAsLongAsTheRamThatIsLeft() {
        GuestRam ram = new GuestRam(GuestRam.CHUNK_SIZE + 8192);
        ram.write(GuestRam.CHUNK_SIZE + 8184, 8, -1L);
        assertEquals(8192, ram.allocatedBytes());
        assertEquals(8192, ram.chunk(GuestRam.CHUNK_SIZE).length);
        assertThrows(IndexOutOfBoundsException.class, () -> ram.read(GuestRam.CHUNK_SIZE + 8188, 8));
    }

    @Test
    void badWidthsAreRefusedOnUntouchedRamToo() {
        GuestRam ram = new GuestRam(16 * MIB);
        assertThrows(IllegalArgumentException.class, () -> ram.read(0, 3));
        assertThrows(IllegalArgumentException.class, () -> ram.write(0, 3, 0));
    }

    @Test
    void threadsTouchingAFreshChunkTogetherAllKeepTheirStores() throws Exception {
        int threads = 8;
        for (int round = 0; round < 50; round++) {
            GuestRam ram = new GuestRam(16 * MIB);
            long base = 7 * GuestRam.CHUNK_SIZE;
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread w = new Thread(() -> {
                    try {
                        start.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    ram.write(base + 4096L * id, 8, 1000 + id);
                });
                workers.add(w);
                w.start();
            }
            for (Thread w : workers) {
                w.join();
            }
            for (int t = 0; t < threads; t++) {
                assertEquals(1000 + t, ram.read(base + 4096L * t, 8));
            }
            assertEquals(GuestRam.CHUNK_SIZE, ram.allocatedBytes());
        }
    }

    @Test
    void compareAndExchangeIntStoresOnlyOverTheExpectedValue() {
        GuestRam ram = new GuestRam(4 * MIB);
        long at = 3 * MIB + 8;
        assertEquals(0, ram.compareAndExchangeInt(at, 0, 0x1234_5678), "untouched RAM holds zero");
        assertEquals(0x1234_5678L, ram.read(at, 4));
        assertEquals(0x1234_5678, ram.compareAndExchangeInt(at, 7, 9), "a wrong expectation stores nothing");
        assertEquals(0x1234_5678L, ram.read(at, 4));
        assertEquals(0L, ram.read(at + 4, 4), "the neighbour untouched");
        assertThrows(IllegalArgumentException.class, () -> ram.compareAndExchangeInt(at + 2, 0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> ram.compareAndExchangeInt(4 * MIB, 0, 1));
    }
}
