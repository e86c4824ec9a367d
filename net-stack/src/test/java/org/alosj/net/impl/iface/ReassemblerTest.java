package org.alosj.net.impl.iface;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ReassemblerTest {
    static final long S = 1_000_000_000L;

    @Test
    void fragments_in_any_order_make_the_whole_datagram() {
        Reassembler r = new Reassembler();
        byte[] data = new byte[3000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        assertNull(r.add(0, 1, 2, 7, 17, 2960, false, data, 2960, 40));
        assertNull(r.add(0, 1, 2, 7, 17, 0, true, data, 0, 1480));
        Reassembler.Datagram d = r.add(0, 1, 2, 7, 17, 1480, true, data, 1480, 1480);
        assertNotNull(d);
        assertArrayEquals(data, Arrays.copyOf(d.payload(), d.length()));
        assertEquals(0, r.pending());
    }

    @Test
    void an_incomplete_datagram_is_given_up_after_30_seconds() {
        Reassembler r = new Reassembler();
        byte[] data = new byte[16];
        assertNull(r.add(0, 1, 2, 7, 17, 0, true, data, 0, 8));
        r.expire(29 * S);
        assertEquals(1, r.pending());
        r.expire(31 * S);
        assertEquals(0, r.pending());
        assertEquals(1, r.timedOut());
    }

    @Test
    void at_most_16_datagrams_are_reassembled_at_once_the_oldest_gives_way() {
        Reassembler r = new Reassembler();
        byte[] data = new byte[8];
        for (int id = 0; id < 40; id++) {
            r.add(id, 1, 2, id, 17, 0, true, data, 0, 8);
        }
        assertEquals(Reassembler.MAX_DATAGRAMS, r.pending());
        assertEquals(40 - Reassembler.MAX_DATAGRAMS, r.dropped());
    }

    @Test
    void a_fragment_reaching_past_65535_bytes_is_dropped() {
        Reassembler r = new Reassembler();
        byte[] data = new byte[1000];
        assertNull(r.add(0, 1, 2, 7, 17, 65000, false, data, 0, 1000));
        assertEquals(0, r.pending());
        assertEquals(1, r.dropped());
    }
}
