package org.alosj.drivers.virtio;

import static org.alosj.drivers.virtio.VirtioNetTest.MAC_A;
import static org.alosj.drivers.virtio.VirtioNetTest.MAC_B;
import static org.alosj.drivers.virtio.VirtioNetTest.frame;
import static org.alosj.drivers.virtio.VirtioNetTest.nic;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.device.NetDevice;
import org.alosj.kernel.irq.Interrupts.VectorStats;
import org.alosj.kernel.pci.PciAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.alosj.testkit.Wait;

/**
 * The driver on the real board uses MSI-X when the function offers it with the modern
 * interface: entry 0 for configuration changes (msix_config) and one entry a queue
 * (queue_msix_vector), each a kernel vector the board's APIC raises; the INTx line stays quiet.
 * A legacy-only function, whose MSI-X the driver cannot route, keeps INTx. Unbinding turns MSI-X
 * off and frees every vector.
 */
class VirtioMsixTest {
    static final int PCI_INTERRUPT_LINE = 0x3C;
    /** Where the model's MSI-X capability sits when it has the modern interface. */
    static final int MSIX_CAP = 0x98;
    static final int PCI_MSIX_FLAGS_ENABLE = 0x8000;

    @TempDir
    Path dir;

    private static AtomicLong sentinelOnIntx(Rig rig, int slot) {
        int line = rig.config.read(new PciAddress(0, slot, 0), PCI_INTERRUPT_LINE, 1);
        AtomicLong count = new AtomicLong();
        rig.irqs.register(line, "sentinel " + slot, irq -> {
            count.incrementAndGet();
            return true;
        });
        return count;
    }

    private static List<VectorStats> vectorsOf(Rig rig, String slot) {
        return rig.irqs.vectorStatistics().stream().filter(v -> v.source().startsWith(slot + "/")).toList();
    }

    @Test
    void framesBothWaysArriveByMsixWithOneVectorAQueueAndIntxIsNeverAsserted() {
        try (Rig rig = new Rig().net(MAC_A, 3, "modern").net(MAC_B, 4, "transitional").boot()) {
            AtomicLong intxA = sentinelOnIntx(rig, 3);
            AtomicLong intxB = sentinelOnIntx(rig, 4);
            rig.bindDriver();
            NetDevice a = nic(rig, MAC_A);
            NetDevice b = nic(rig, MAC_B);
            List<VectorStats> va = vectorsOf(rig, "00:03.0");
            assertEquals(List.of("virtio 00:03.0-0", "virtio 00:03.0-1", "virtio 00:03.0-2"),
                    va.stream().map(VectorStats::handler).toList(), "config, receive queue, transmit queue");
            assertTrue(va.stream().allMatch(v -> v.chip().equals("PCI-MSI-X")));
            assertEquals(3, vectorsOf(rig, "00:04.0").size());
            List<byte[]> atB = new java.util.concurrent.CopyOnWriteArrayList<>();
            b.setReceiver((dev, f, off, len) -> atB.add(java.util.Arrays.copyOfRange(f, off, off + len)));
            for (int i = 0; i < 50; i++) {
                byte[] f = frame(MAC_B, MAC_A, 60 + i, i);
                while (!a.transmit(f, 0, f.length)) {
                    Thread.onSpinWait();
                }
            }
            Wait.until("fifty frames at B", () -> atB.size() == 50);
            assertArrayEquals(frame(MAC_B, MAC_A, 60 + 49, 49), atB.get(49));
            Wait.until("A's transmit completions", () -> vectorsOf(rig, "00:03.0").get(2).count() > 0);
            assertTrue(vectorsOf(rig, "00:04.0").get(1).count() > 0, "B's receive vector fired");
            assertEquals(0, vectorsOf(rig, "00:04.0").get(2).count(), "B sent nothing");
            assertEquals(0, intxA.get() + intxB.get(), "INTx never asserted");
            int flags = rig.config.read(new PciAddress(0, 3, 0), MSIX_CAP + 2, 2);
            assertEquals(PCI_MSIX_FLAGS_ENABLE, flags & (PCI_MSIX_FLAGS_ENABLE | 0x4000), "enabled, not function-masked");
        }
    }

    @Test
    void unbindingTurnsMsixOffAndFreesEveryVector() {
        try (Rig rig = new Rig().net(MAC_A, 3, "modern").boot()) {
            rig.bindDriver();
            assertEquals(3, rig.irqs.vectorStatistics().size());
            rig.unbindDriver();
            assertEquals(List.of(), rig.irqs.vectorStatistics());
            assertEquals(0, rig.config.read(new PciAddress(0, 3, 0), MSIX_CAP + 2, 2) & PCI_MSIX_FLAGS_ENABLE);
        }
    }

    @Test
    void aLegacyOnlyFunctionKeepsIntx() {
        try (Rig rig = new Rig().net(MAC_A, 3, "legacy").net(MAC_B, 4, "modern").boot()) {
            rig.bindDriver();
            assertEquals(List.of(), vectorsOf(rig, "00:03.0"));
            assertTrue(rig.irqs.statistics().stream().anyMatch(l -> l.handlers().contains("virtio_net 00:03.0")));
            List<byte[]> atA = new java.util.concurrent.CopyOnWriteArrayList<>();
            nic(rig, MAC_A).setReceiver((dev, f, off, len) -> atA.add(f));
            byte[] f = frame(MAC_A, MAC_B, 100, 1);
            assertTrue(nic(rig, MAC_B).transmit(f, 0, f.length));
            Wait.until("the frame at the legacy NIC, by INTx", () -> atA.size() == 1);
        }
    }

    @Test
    void aDiskCompletesRequestsOnItsQueueVector() throws Exception {
        Path img = VirtioBlkTest.image(dir, "m.img", 2048);
        try (Rig rig = new Rig().blk(img, 5, "modern").boot()) {
            AtomicLong intx = sentinelOnIntx(rig, 5);
            rig.bindDriver();
            BlockDevice vda = VirtioBlkTest.disk(rig, "vda");
            byte[] data = new byte[4096];
            new java.util.Random(5).nextBytes(data);
            vda.write(8, ByteBuffer.wrap(data));
            ByteBuffer back = ByteBuffer.allocate(4096);
            vda.read(8, back);
            assertArrayEquals(data, back.array());
            List<VectorStats> v = vectorsOf(rig, "00:05.0");
            assertEquals(2, v.size(), "config and the request queue");
            assertTrue(v.get(1).count() > 0, "completions came on the queue's vector");
            assertEquals(0, intx.get(), "INTx never asserted");
        }
    }
}
