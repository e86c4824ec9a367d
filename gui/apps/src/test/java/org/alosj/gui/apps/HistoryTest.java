package org.alosj.gui.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HistoryTest {
    @Test
    void keepsTheLastSamplesOldestFirst() {
        History h = new History(3);
        for (int i = 1; i <= 5; i++) {
            h.add(i);
        }
        assertEquals(3, h.size());
        assertEquals(3, h.get(0));
        assertEquals(5, h.get(2));
        assertEquals(5, h.last());
        assertEquals(5, h.max());
    }

    @Test
    void unitsAreBinaryAsFreeHPrintsThem() {
        assertEquals("512 B", Units.bytes(512));
        assertEquals("1.5 KiB", Units.bytes(1536));
        assertEquals("256.0 MiB", Units.bytes(256L << 20));
        assertEquals("2.0 MiB/s", Units.rate(2 << 20));
    }
}
