package org.alosj.drivers.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.alosj.kernel.device.DeviceProperties;
import org.alosj.kernel.device.NetDevice;
import org.junit.jupiter.api.Test;
import org.alosj.testkit.Wait;

/**
 * virtio-pci's network side: two virtio-net functions on one in-JVM hub, one modern and one
 * through the legacy interface, each a NetDevice of the driver, exchanging frames.
 */
class VirtioNetTest {
    static final String MAC_A = "52:54:00:00:00:0a";
    static final String MAC_B = "52:54:00:00:00:0b";

    static NetDevice nic(Rig rig, String mac) {
        return rig.service(NetDevice.class, "(" + NetDevice.MAC + "=" + mac + ")")
                .orElseThrow(() -> new AssertionError("no NetDevice with MAC " + mac));
    }

    static byte[] frame(String to, String from, int length, int seed) {
        byte[] f = new byte[length];
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) Integer.parseInt(to.substring(3 * i, 3 * i + 2), 16);
            f[6 + i] = (byte) Integer.parseInt(from.substring(3 * i, 3 * i + 2), 16);
        }
        f[12] = (byte) 0x88;
        f[13] = (byte) 0xb5;
        for (int i = 14; i < length; i++) {
            f[i] = (byte) (seed * 31 + i);
        }
        return f;
    }

    @Test
    void twoNicsOnAHubExchangeFramesBothWays() {
        try (Rig rig = new Rig().net(MAC_A, 3, "modern").net(MAC_B, 4, "transitional").boot()) {
            rig.bindDriver();
            NetDevice a = nic(rig, MAC_A);
            NetDevice b = nic(rig, MAC_B);
            assertEquals("00:03.0", rig.reference(NetDevice.class, "(" + NetDevice.MAC + "=" + MAC_A + ")")
                    .getProperty(DeviceProperties.SLOT));
            assertTrue(a.linkUp() && b.linkUp(), "the hub gives carrier");
            assertEquals(1500, a.mtu());
            List<byte[]> atA = new CopyOnWriteArrayList<>();
            List<byte[]> atB = new CopyOnWriteArrayList<>();
            a.setReceiver((dev, f, off, len) -> atA.add(java.util.Arrays.copyOfRange(f, off, off + len)));
            b.setReceiver((dev, f, off, len) -> atB.add(java.util.Arrays.copyOfRange(f, off, off + len)));
            // More frames than either ring holds, of every size from runt to full.
            int count = 600;
            for (int i = 0; i < count; i++) {
                byte[] f = frame(MAC_B, MAC_A, 14 + (i * 7) % 1501, i);
                while (!a.transmit(f, 0, f.length)) {
                    Thread.onSpinWait();
                }
                if (i % 100 == 99) {
                    int expect = i + 1;
                    Wait.until(expect + " frames at B", () -> atB.size() >= expect);
                }
            }
            Wait.until("all frames at B", () -> atB.size() == count);
            for (int i = 0; i < count; i++) {
                assertArrayEquals(frame(MAC_B, MAC_A, 14 + (i * 7) % 1501, i), atB.get(i), "frame " + i);
            }
            byte[] back = frame(MAC_A, MAC_B, 1514, 99);
            assertTrue(b.transmit(back, 0, back.length));
            Wait.until("the answer at A", () -> atA.size() == 1);
            assertArrayEquals(back, atA.get(0));
            NetDevice.Statistics s = a.statistics();
            assertEquals(count, s.txPackets());
            assertEquals(1, nic(rig, MAC_B).statistics().txPackets());
            assertEquals(count, b.statistics().rxPackets());
        }
    }

    @Test
    void unbindingStopsTheNicsAndFreesEverything() {
        try (Rig rig = new Rig().net(MAC_A, 3, "modern").net(MAC_B, 4, "transitional").boot()) {
            long before = rig.dma.bytesInUse();
            rig.bindDriver();
            NetDevice a = nic(rig, MAC_A);
            rig.unbindDriver();
            assertEquals(before, rig.dma.bytesInUse());
            assertTrue(rig.irqs.statistics().stream().allMatch(s -> s.handlers().isEmpty()));
            assertFalse(rig.busMaster(3) || rig.busMaster(4));
            assertFalse(a.linkUp());
            byte[] f = frame(MAC_B, MAC_A, 60, 1);
            assertFalse(a.transmit(f, 0, f.length), "a stopped NIC takes no frame");
        }
    }

    @Test
    void aSecondBindingCarriesFramesAsTheFirstDid() {
        try (Rig rig = new Rig().net(MAC_A, 3, "modern").net(MAC_B, 4, "transitional").boot()) {
            for (int round = 0; round < 3; round++) {
                rig.bindDriver();
                NetDevice a = nic(rig, MAC_A);
                NetDevice b = nic(rig, MAC_B);
                List<byte[]> atB = new CopyOnWriteArrayList<>();
                List<byte[]> atA = new CopyOnWriteArrayList<>();
                b.setReceiver((dev, f, off, len) -> atB.add(java.util.Arrays.copyOfRange(f, off, off + len)));
                a.setReceiver((dev, f, off, len) -> atA.add(java.util.Arrays.copyOfRange(f, off, off + len)));
                for (int i = 0; i < 300; i++) {
                    byte[] f = frame(MAC_B, MAC_A, 1000, i);
                    assertTrue(a.transmit(f, 0, f.length));
                    byte[] g = frame(MAC_A, MAC_B, 800, i);
                    assertTrue(b.transmit(g, 0, g.length));
                    int n = i + 1;
                    Wait.until("round " + round + " frame " + i, () -> atB.size() == n && atA.size() == n);
                }
                rig.unbindDriver();
            }
        }
    }

    @Test
    void framesFlowAgainAfterARebindInTheMiddleOfTraffic() throws Exception {
        try (Rig rig = new Rig().net(MAC_A, 3, "modern").net(MAC_B, 4, "transitional").boot()) {
            for (int round = 0; round < 20; round++) {
                rig.bindDriver();
                NetDevice a = nic(rig, MAC_A);
                NetDevice b = nic(rig, MAC_B);
                java.util.concurrent.atomic.AtomicInteger atA = new java.util.concurrent.atomic.AtomicInteger();
                java.util.concurrent.atomic.AtomicInteger atB = new java.util.concurrent.atomic.AtomicInteger();
                // Each side answers what it receives, as TCP acknowledges: traffic both ways.
                b.setReceiver((dev, f, off, len) -> {
                    atB.incrementAndGet();
                    byte[] g = frame(MAC_A, MAC_B, 60, 0);
                    dev.transmit(g, 0, g.length);
                });
                a.setReceiver((dev, f, off, len) -> atA.incrementAndGet());
                java.util.concurrent.atomic.AtomicBoolean run = new java.util.concurrent.atomic.AtomicBoolean(true);
                Thread sender = new Thread(() -> {
                    byte[] f = frame(MAC_B, MAC_A, 1514, 1);
                    while (run.get()) {
                        if (!a.transmit(f, 0, f.length)) {
                            Thread.onSpinWait();
                        }
                    }
                });
                sender.start();
                int target = 200;
                Wait.until("round " + round + ": traffic both ways", () -> atB.get() > target && atA.get() > target);
                rig.unbindDriver();
                run.set(false);
                sender.join();
            }
        }
    }

    @Test
    void aDeviceThatNeedsAResetIsBoundAgainAndCarriesFramesAfterwards() {
        try (Rig rig = new Rig().net(MAC_A, 3, "modern").net(MAC_B, 4, "transitional").boot()) {
            rig.bindDriver();
            NetDevice a = nic(rig, MAC_A);
            NetDevice b = nic(rig, MAC_B);
            // Break A's receive ring behind the driver's back: its available index jumps by 1000.
            long bar4 = rig.function(3).bars().stream().filter(x -> x.index() == 4).findFirst().orElseThrow().address();
            rig.machine.memory().write(bar4 + ModernTransport.COMMON_Q_SELECT, 2, 0);
            long avail = rig.machine.memory().read(bar4 + ModernTransport.COMMON_Q_AVAILLO, 4);
            int idx = (int) rig.machine.memory().read(avail + 2, 2);
            rig.machine.memory().write(avail + 2, 2, (idx + 1000) & 0xFFFF);
            byte[] f = frame(MAC_A, MAC_B, 100, 1);
            assertTrue(b.transmit(f, 0, f.length));
            // The device sets DEVICE_NEEDS_RESET; the driver unbinds and probes it again.
            Wait.until("a new NetDevice for A", () -> rig.service(NetDevice.class,
                    "(" + NetDevice.MAC + "=" + MAC_A + ")").filter(n -> n != a).isPresent());
            assertFalse(a.linkUp(), "the old instance is stopped");
            assertEquals("virtio-pci", rig.function(3).driver());
            NetDevice again = nic(rig, MAC_A);
            List<byte[]> atA = new CopyOnWriteArrayList<>();
            again.setReceiver((dev, g, off, len) -> atA.add(java.util.Arrays.copyOfRange(g, off, off + len)));
            assertTrue(b.transmit(f, 0, f.length));
            Wait.until("a frame through the reset device", () -> atA.size() == 1);
            assertArrayEquals(f, atA.get(0));
        }
    }

    @Test
    void theDevicesMtuIsTakenAndJumboFramesSpanningReceiveBuffersArriveWhole() {
        // 9000: one receive buffer a frame; 65520 (passt's MTU): a frame spans up to five buffers.
        for (int mtu : new int[] {9000, 65520}) {
            try (Rig rig = new Rig().net(MAC_A, 3, "modern", mtu).net(MAC_B, 4, "transitional", mtu).boot()) {
                rig.bindDriver();
                NetDevice a = nic(rig, MAC_A);
                NetDevice b = nic(rig, MAC_B);
                assertEquals(mtu, a.mtu());
                assertEquals(mtu, b.mtu());
                List<byte[]> atB = new CopyOnWriteArrayList<>();
                b.setReceiver((dev, f, off, len) -> atB.add(java.util.Arrays.copyOfRange(f, off, off + len)));
                // Every size class: small, one buffer, just past a buffer, several buffers, the largest.
                int[] sizes = {60, 1514, 4000, 12274, 16371, 16372, 30000, 14 + mtu};
                int count = 0;
                for (int round = 0; round < 40; round++) {
                    for (int size : sizes) {
                        if (size > 14 + mtu) {
                            continue;
                        }
                        byte[] f = frame(MAC_B, MAC_A, size, count++);
                        while (!a.transmit(f, 0, f.length)) {
                            Thread.onSpinWait();
                        }
                    }
                    int expect = count;
                    Wait.until(expect + " jumbo frames at B", () -> atB.size() >= expect);
                }
                int k = 0;
                for (int round = 0; round < 40; round++) {
                    for (int size : sizes) {
                        if (size > 14 + mtu) {
                            continue;
                        }
                        assertArrayEquals(frame(MAC_B, MAC_A, size, k), atB.get(k), "MTU " + mtu + " frame " + k);
                        k++;
                    }
                }
                assertEquals(0, b.statistics().rxErrors());
                byte[] tooBig = frame(MAC_B, MAC_A, 15 + mtu, 0);
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> a.transmit(tooBig, 0, tooBig.length), "a frame past the MTU is refused");
            }
        }
    }

    @Test
    void aNicWithoutTheMtuFeatureDropsAJumboFrameAndKeepsReceiving() {
        try (Rig rig = new Rig().net(MAC_A, 3, "modern", 9000).net(MAC_B, 4, "modern").boot()) {
            rig.bindDriver();
            NetDevice a = nic(rig, MAC_A);
            NetDevice b = nic(rig, MAC_B);
            assertEquals(1500, b.mtu());
            List<byte[]> atB = new CopyOnWriteArrayList<>();
            b.setReceiver((dev, f, off, len) -> atB.add(java.util.Arrays.copyOfRange(f, off, off + len)));
            byte[] jumbo = frame(MAC_B, MAC_A, 9014, 1);
            assertTrue(a.transmit(jumbo, 0, jumbo.length));
            byte[] small = frame(MAC_B, MAC_A, 1514, 2);
            assertTrue(a.transmit(small, 0, small.length));
            Wait.until("the standard frame at B", () -> atB.size() == 1);
            assertArrayEquals(small, atB.get(0));
            assertEquals(1, b.statistics().rxErrors(), "the jumbo frame spanned buffers past B's MTU");
        }
    }
}
