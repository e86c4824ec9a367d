package org.alosj.hw.netdev.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.alosj.hal.net.FrameReceiver;
import org.alosj.hal.net.NetPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HubTest {
    private final Hub hub = new Hub("lan0");

    @AfterEach
    void close() {
        hub.close();
    }

    private static FrameReceiver into(BlockingQueue<byte[]> q) {
        return (f, o, l) -> q.add(Arrays.copyOfRange(f, o, o + l));
    }

    private static byte[] frame(int tag) {
        byte[] f = TestFrames.arpRequest(TestFrames.mac("52:54:00:12:34:56"), TestFrames.ip(10, 0, 2, 15),
                TestFrames.ip(10, 0, 2, tag));
        return f;
    }

    @Test
    void aFrameGoesToEveryOtherPortButNotBackToItsSender() throws Exception {
        BlockingQueue<byte[]> a = new LinkedBlockingQueue<>();
        BlockingQueue<byte[]> b = new LinkedBlockingQueue<>();
        BlockingQueue<byte[]> c = new LinkedBlockingQueue<>();
        NetPort pa = hub.attach("a", into(a));
        hub.attach("b", into(b));
        hub.attach("c", into(c));
        byte[] f = frame(1);
        pa.transmit(f, 0, f.length);
        assertArrayEquals(f, b.poll(5, TimeUnit.SECONDS));
        assertArrayEquals(f, c.poll(5, TimeUnit.SECONDS));
        assertNull(a.poll(200, TimeUnit.MILLISECONDS), "the sender must not hear its own frame");
        assertTrue(pa.linkUp());
    }

    @Test
    void theFrameIsCopiedBeforeTransmitReturns() throws Exception {
        BlockingQueue<byte[]> b = new LinkedBlockingQueue<>();
        NetPort pa = hub.attach("a", (f, o, l) -> true);
        hub.attach("b", into(b));
        byte[] f = frame(2);
        byte[] expected = f.clone();
        byte[] padded = new byte[f.length + 10];
        System.arraycopy(f, 0, padded, 5, f.length);
        pa.transmit(padded, 5, f.length);
        Arrays.fill(padded, (byte) 0);
        assertArrayEquals(expected, b.poll(5, TimeUnit.SECONDS));
    }

    @Test
    void malformedTransmitsAreRefusedAndTheHubKeepsGoing() throws Exception {
        BlockingQueue<byte[]> b = new LinkedBlockingQueue<>();
        NetPort pa = hub.attach("a", (f, o, l) -> true);
        hub.attach("b", into(b));
        pa.transmit(null, 0, 60);
        pa.transmit(new byte[13], 0, 13);
        pa.transmit(new byte[70000], 0, 65536);
        pa.transmit(new byte[60], 10, 60);
        pa.transmit(new byte[60], -1, 20);
        assertEquals(5, hub.refused());
        byte[] f = frame(3);
        pa.transmit(f, 0, f.length);
        assertArrayEquals(f, b.poll(5, TimeUnit.SECONDS));
        assertNull(b.poll(100, TimeUnit.MILLISECONDS));
    }

    @Test
    void aReceiverThatThrowsIsContained() throws Exception {
        BlockingQueue<byte[]> c = new LinkedBlockingQueue<>();
        NetPort pa = hub.attach("a", (f, o, l) -> true);
        hub.attach("bad", (f, o, l) -> {
            throw new IllegalStateException("receiver bug");
        });
        hub.attach("c", into(c));
        for (int i = 0; i < 3; i++) {
            byte[] f = frame(10 + i);
            pa.transmit(f, 0, f.length);
            assertArrayEquals(f, c.poll(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void aClosedPortNeitherSendsNorReceives() throws Exception {
        BlockingQueue<byte[]> b = new LinkedBlockingQueue<>();
        NetPort pa = hub.attach("a", (f, o, l) -> true);
        NetPort pb = hub.attach("b", into(b));
        pb.close();
        assertEquals(1, hub.portCount());
        byte[] f = frame(4);
        pa.transmit(f, 0, f.length);
        assertNull(b.poll(200, TimeUnit.MILLISECONDS));
        pa.close();
        pa.transmit(f, 0, f.length);
        assertEquals(0, hub.portCount());
    }

    @Test
    void badIdsAreRejectedWithTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Hub("a)(b"));
        assertNotNull(e.getMessage());
        assertTrue(e.getMessage().contains("a)(b"), e.getMessage());
    }
}
