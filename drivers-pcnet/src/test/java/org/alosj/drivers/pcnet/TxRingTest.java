package org.alosj.drivers.pcnet;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class TxRingTest {
    @Test
    void slotsAreClaimedInOrderAndRetiredOldestFirst() {
        TxRing r = new TxRing(4);
        assertTrue(r.isEmpty());
        assertEquals(0, r.claim());
        assertEquals(1, r.claim());
        assertEquals(0, r.oldest());
        r.retire();
        assertEquals(1, r.oldest());
        assertEquals(1, r.inFlight());
    }

    @Test
    void fullRingRefusesAClaimAndWrapsAfterRetiring() {
        TxRing r = new TxRing(4);
        for (int i = 0; i < 4; i++) {
            assertEquals(i, r.claim());
        }
        assertTrue(r.isFull());
        assertThrows(IllegalStateException.class, r::claim);
        r.retire();
        assertEquals(0, r.claim(), "the head wraps to slot 0");
        assertEquals(1, r.oldest());
    }

    @Test
    void emptyRingHasNothingToRetire() {
        TxRing r = new TxRing(2);
        assertThrows(IllegalStateException.class, r::oldest);
        assertThrows(IllegalStateException.class, r::retire);
    }

    @Test
    void sizeMustBeAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new TxRing(12));
    }
}
