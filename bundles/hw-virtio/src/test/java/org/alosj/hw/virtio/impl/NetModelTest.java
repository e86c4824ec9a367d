package org.alosj.hw.virtio.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.alosj.hal.net.NetPort;
import org.alosj.hw.netdev.impl.Hub;
import org.junit.jupiter.api.Test;
import org.alosj.testkit.Wait;

/**
 * virtio-net driven by hand: frames from a hub into receive chains with the header each
 * interface expects, mergeable buffers, transmit with a checksum the device completes, and a
 * seeded hostile driver that never gets an exception into the board.
 */
class NetModelTest {
    static final long VERSION_1 = 1L << VirtioPci.VIRTIO_F_VERSION_1;

    /** One queue laid out by hand at {@code base}. */
    static final class Q {
        final Rig rig;
        final int index;
        final long base;
        final int size;
        int availIdx;

        Q(Rig rig, int index, long base, int size) {
            this.rig = rig;
            this.index = index;
            this.base = base;
            this.size = size;
            rig.mem.write(base, new byte[0x4000], 0, 0x4000);
        }

        long avail() {
            return base + 16L * size;
        }

        long used() {
            return (avail() + 6 + 2L * size + 4095) & -4096;
        }

        void setUpModern() {
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_SELECT, 2, index);
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_SIZE, 2, size);
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_DESCLO, 8, base);
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_AVAILLO, 8, avail());
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_USEDLO, 8, used());
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
        }

        void setUpLegacy() {
            rig.io.outw(Rig.IO + VirtioPci.VIRTIO_PCI_QUEUE_SEL, index);
            rig.io.outl(Rig.IO + VirtioPci.VIRTIO_PCI_QUEUE_PFN, (int) (base >>> 12));
        }

        /** Descriptor {@code d} as a one-buffer chain, made available. */
        void offer(int d, long addr, int len, boolean writable) {
            long at = base + 16L * d;
            rig.mem.writeLong(at, addr);
            rig.mem.writeInt(at + 8, len);
            rig.mem.writeShort(at + 12, writable ? Virtqueue.VRING_DESC_F_WRITE : 0);
            rig.mem.writeShort(at + 14, 0);
            rig.mem.writeShort(avail() + 4 + 2L * (availIdx % size), d);
            availIdx = (availIdx + 1) & 0xFFFF;
            rig.mem.writeShort(avail() + 2, availIdx);
        }

        int usedIdx() {
            return rig.mem.readShort(used() + 2) & 0xFFFF;
        }

        int usedLen(int n) {
            return rig.mem.readInt(used() + 4 + 8L * (n % size) + 4);
        }
    }

    static byte[] frame(int length, int seed) {
        byte[] f = new byte[length];
        Arrays.fill(f, 0, 6, (byte) 0xFF);
        f[6] = 0x52;
        f[12] = (byte) 0x88;
        f[13] = (byte) 0xB5;
        for (int i = 14; i < length; i++) {
            f[i] = (byte) (seed + i);
        }
        return f;
    }

    /** A rig with a virtio-net on a hub and a second port on the hub that records what it hears. */
    static final class NetRig implements AutoCloseable {
        final Rig rig = new Rig();
        final Hub hub = new Hub("n0");
        final List<byte[]> heard = new CopyOnWriteArrayList<>();
        final NetPort peer;

        NetRig(String mode) {
            this(mode, 0);
        }

        NetRig(String mode, int hostMtu) {
            rig.net = new VirtioNetComponent("virtio-net0", "52:54:00:12:34:56", Integer.toString(Rig.SLOT), mode,
                    hostMtu, rig.machine, hub);
            peer = hub.attach("peer", (f, off, len) -> heard.add(Arrays.copyOfRange(f, off, off + len)));
        }

        @Override
        public void close() {
            peer.close();
            rig.close();
            hub.close();
        }

        void modernUp(long features, Q... queues) {
            rig.enable();
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_STATUS, 1, 0);
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_STATUS, 1, 3);
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_GF, 4, features & 0xFFFF_FFFFL);
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_GF, 4, features >>> 32);
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_STATUS, 1, 0xB);
            for (Q q : queues) {
                q.setUpModern();
            }
            rig.common(VirtioPci.VIRTIO_PCI_COMMON_STATUS, 1, 0xF);
        }
    }

    @Test
    void theMacAndTheLinkAreInTheDeviceConfiguration() {
        try (NetRig n = new NetRig("transitional")) {
            n.rig.enable();
            for (int i = 0; i < 6; i++) {
                assertEquals(new int[] {0x52, 0x54, 0, 0x12, 0x34, 0x56}[i], n.rig.deviceConfig(i, 1), "MAC byte " + i);
                assertEquals(n.rig.deviceConfig(i, 1), n.rig.io.inb(Rig.IO + VirtioPci.VIRTIO_PCI_CONFIG_OFF + i));
            }
            assertEquals(VirtioNet.VIRTIO_NET_S_LINK_UP, n.rig.deviceConfig(VirtioNet.VIRTIO_NET_CFG_STATUS, 2));
        }
    }

    @Test
    void aModernDriverGetsFramesAfterATwelveByteHeaderWithNumBuffersOne() {
        try (NetRig n = new NetRig("modern")) {
            Q rx = new Q(n.rig, 0, 0x10000, 16);
            n.modernUp(VERSION_1, rx);
            for (int d = 0; d < 4; d++) {
                rx.offer(d, 0x40000 + 0x800L * d, 0x800, true);
            }
            n.rig.notifyModern(0);
            byte[] f = frame(100, 1);
            n.peer.transmit(f, 0, f.length);
            Wait.until("the frame in the receive queue's used ring", () -> rx.usedIdx() == 1);
            assertEquals(12 + 100, rx.usedLen(0));
            assertEquals(1, n.rig.mem.readShort(0x40000 + VirtioNet.HDR_NUM_BUFFERS));
            byte[] got = new byte[100];
            n.rig.mem.read(0x40000 + 12, got, 0, 100);
            assertArrayEquals(f, got);
            assertTrue(n.rig.intx());
        }
    }

    @Test
    void aLegacyDriverWithoutMergeableBuffersGetsATenByteHeader() {
        try (NetRig n = new NetRig("transitional")) {
            n.rig.enable();
            n.rig.io.outb(Rig.IO + VirtioPci.VIRTIO_PCI_STATUS, 0);
            n.rig.io.outb(Rig.IO + VirtioPci.VIRTIO_PCI_STATUS, 3);
            n.rig.io.outl(Rig.IO + VirtioPci.VIRTIO_PCI_GUEST_FEATURES, 1 << VirtioNet.VIRTIO_NET_F_MAC);
            Q rx = new Q(n.rig, 0, 0x10000, 256);
            rx.setUpLegacy();
            n.rig.io.outb(Rig.IO + VirtioPci.VIRTIO_PCI_STATUS, 7);
            rx.offer(0, 0x40000, 0x800, true);
            byte[] f = frame(60, 2);
            n.peer.transmit(f, 0, f.length);
            Wait.until("the frame in the receive queue's used ring", () -> rx.usedIdx() == 1);
            assertEquals(10 + 60, rx.usedLen(0));
            byte[] got = new byte[60];
            n.rig.mem.read(0x40000 + 10, got, 0, 60);
            assertArrayEquals(f, got);
        }
    }

    @Test
    void mergeableBuffersSpreadABigFrameOverSeveralChains() {
        try (NetRig n = new NetRig("modern")) {
            Q rx = new Q(n.rig, 0, 0x10000, 16);
            n.modernUp(VERSION_1 | 1L << VirtioNet.VIRTIO_NET_F_MRG_RXBUF, rx);
            for (int d = 0; d < 8; d++) {
                rx.offer(d, 0x40000 + 0x1000L * d, 512, true);
            }
            byte[] f = frame(1514, 3);
            n.peer.transmit(f, 0, f.length);
            Wait.until("three frames in the receive queue's used ring", () -> rx.usedIdx() == 3);
            assertEquals(3, n.rig.mem.readShort(0x40000 + VirtioNet.HDR_NUM_BUFFERS), "1526 bytes in 512-byte buffers");
            assertEquals(512, rx.usedLen(0));
            assertEquals(512, rx.usedLen(1));
            assertEquals(1526 - 1024, rx.usedLen(2));
            byte[] got = new byte[1514];
            n.rig.mem.read(0x40000 + 12, got, 0, 500);
            n.rig.mem.read(0x41000, got, 500, 512);
            n.rig.mem.read(0x42000, got, 1012, 502);
            assertArrayEquals(f, got);
        }
    }

    @Test
    void hostMtuIsOfferedAsVirtioNetFMtuWithTheMtuInTheDeviceConfiguration() {
        try (NetRig plain = new NetRig("modern")) {
            plain.rig.enable();
            plain.rig.common(VirtioPci.VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
            assertEquals(0, plain.rig.common(VirtioPci.VIRTIO_PCI_COMMON_DF, 4) & 1L << VirtioNet.VIRTIO_NET_F_MTU,
                    "no host_mtu, no VIRTIO_NET_F_MTU (as QEMU)");
        }
        try (NetRig n = new NetRig("modern", 9000)) {
            n.rig.enable();
            n.rig.common(VirtioPci.VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
            assertTrue((n.rig.common(VirtioPci.VIRTIO_PCI_COMMON_DF, 4) & 1L << VirtioNet.VIRTIO_NET_F_MTU) != 0);
            assertEquals(9000, n.rig.deviceConfig(VirtioNet.VIRTIO_NET_CFG_MTU, 2));
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new NetRig("modern", 67));
    }

    @Test
    void withMtuNegotiatedAFrameLargerThanTheMtuNeverReachesTheDriver() {
        try (NetRig n = new NetRig("modern", 1000)) {
            Q rx = new Q(n.rig, 0, 0x10000, 16);
            n.modernUp(VERSION_1 | 1L << VirtioNet.VIRTIO_NET_F_MRG_RXBUF | 1L << VirtioNet.VIRTIO_NET_F_MTU, rx);
            for (int d = 0; d < 8; d++) {
                rx.offer(d, 0x40000 + 0x1000L * d, 0x1000, true);
            }
            byte[] big = frame(1015, 5);
            n.peer.transmit(big, 0, big.length);
            byte[] fits = frame(1014, 6);
            n.peer.transmit(fits, 0, fits.length);
            Wait.until("the frame in the receive queue's used ring", () -> rx.usedIdx() == 1);
            assertEquals(12 + 1014, rx.usedLen(0), "only the frame within MTU + 14");
            assertEquals(1, ((VirtioNet) n.rig.function()).counters()[0]);
        }
    }

    @Test
    void withNoReceiveBufferTheFrameIsDroppedAndCounted() {
        try (NetRig n = new NetRig("modern")) {
            Q rx = new Q(n.rig, 0, 0x10000, 16);
            n.modernUp(VERSION_1, rx);
            byte[] f = frame(60, 4);
            n.peer.transmit(f, 0, f.length);
            Wait.until("the frame counted", () -> ((VirtioNet) n.rig.function()).counters()[0] == 1);
            assertEquals(0, rx.usedIdx());
        }
    }

    @Test
    void aFrameInOneBufferOrSpreadOverSeveralIsSentByteForByte() {
        try (NetRig n = new NetRig("modern")) {
            Q rx = new Q(n.rig, 0, 0x10000, 16);
            Q tx = new Q(n.rig, 1, 0x20000, 16);
            n.modernUp(VERSION_1, rx, tx);
            // One descriptor: the header and the whole frame (the device reads it where it lies).
            byte[] whole = frame(1514, 3);
            n.rig.mem.write(0x50000, new byte[12], 0, 12);
            n.rig.mem.write(0x5000C, whole, 0, whole.length);
            tx.offer(0, 0x50000, 12 + whole.length, false);
            n.rig.notifyModern(1);
            // Three chained descriptors: the header, then the frame in two pieces (gathered).
            byte[] spread = frame(900, 8);
            n.rig.mem.write(0x60000, new byte[12], 0, 12);
            n.rig.mem.write(0x61000, spread, 0, 500);
            n.rig.mem.write(0x62000, spread, 500, 400);
            long[][] pieces = {{0x60000, 12}, {0x61000, 500}, {0x62000, 400}};
            for (int k = 0; k < 3; k++) {
                long at = tx.base + 16L * (1 + k);
                n.rig.mem.writeLong(at, pieces[k][0]);
                n.rig.mem.writeInt(at + 8, (int) pieces[k][1]);
                n.rig.mem.writeShort(at + 12, k < 2 ? Virtqueue.VRING_DESC_F_NEXT : 0);
                n.rig.mem.writeShort(at + 14, k < 2 ? 2 + k : 0);
            }
            n.rig.mem.writeShort(tx.avail() + 4 + 2L * tx.availIdx, 1);
            tx.availIdx++;
            n.rig.mem.writeShort(tx.avail() + 2, tx.availIdx);
            n.rig.notifyModern(1);
            assertEquals(2, tx.usedIdx());
            Wait.until("two frames on the wire", () -> n.heard.size() == 2);
            // What the driver writes into its buffers afterwards is not what was sent.
            n.rig.mem.write(0x5000C, new byte[whole.length], 0, whole.length);
            assertArrayEquals(whole, n.heard.get(0));
            assertArrayEquals(spread, n.heard.get(1));
        }
    }

    @Test
    void transmitCompletesThePartialChecksumTheDriverAsksFor() {
        try (NetRig n = new NetRig("modern")) {
            Q rx = new Q(n.rig, 0, 0x10000, 16);
            Q tx = new Q(n.rig, 1, 0x20000, 16);
            n.modernUp(VERSION_1 | 1L << VirtioNet.VIRTIO_NET_F_CSUM, rx, tx);
            // An Ethernet + IPv4 + UDP frame whose UDP checksum field holds the pseudo-header sum.
            byte[] f = frame(14 + 20 + 8 + 6, 5);
            f[12] = 0x08;
            f[13] = 0x00;
            long hdr = 0x50000;
            n.rig.mem.write(hdr, new byte[12], 0, 12);
            n.rig.mem.writeByte(hdr, VirtioNet.VIRTIO_NET_HDR_F_NEEDS_CSUM);
            n.rig.mem.writeShort(hdr + 6, 34);  // csum_start: the UDP header
            n.rig.mem.writeShort(hdr + 8, 6);   // csum_offset: the UDP checksum field
            f[34 + 6] = 0x12;
            f[34 + 7] = 0x34;
            n.rig.mem.write(hdr + 12, f, 0, f.length);
            tx.offer(0, hdr, 12 + f.length, false);
            n.rig.notifyModern(1);
            assertEquals(1, tx.usedIdx());
            Wait.until("a frame on the wire", () -> n.heard.size() == 1);
            byte[] sent = n.heard.get(0);
            long sum = 0x1234; // the pseudo-header sum the driver left in the field, as a receiver adds it
            for (int i = 34; i < sent.length; i += 2) {
                sum += (sent[i] & 0xFF) << 8 | (i + 1 < sent.length ? sent[i + 1] & 0xFF : 0);
            }
            while (sum >>> 16 != 0) {
                sum = (sum & 0xFFFF) + (sum >>> 16);
            }
            assertEquals(0xFFFF, sum, "pseudo-header and data from csum_start sum to all ones with the checksum in place");
            assertArrayEquals(Arrays.copyOfRange(f, 0, 40), Arrays.copyOfRange(sent, 0, 40));
            assertFalse(sent[40] == 0x12 && sent[41] == 0x34, "the checksum field was filled in");
        }
    }

    @Test
    void hostileRingsAndRegistersNeverThrowIntoTheBoard() {
        Random random = new Random(7);
        try (NetRig n = new NetRig("transitional")) {
            for (int round = 0; round < 200; round++) {
                int size = 1 << random.nextInt(5);
                Q rx = new Q(n.rig, 0, 0x10000, size);
                Q tx = new Q(n.rig, 1, 0x20000, size);
                n.modernUp(VERSION_1 | 1L << VirtioNet.VIRTIO_NET_F_MRG_RXBUF | 1L << VirtioPci.VIRTIO_RING_F_INDIRECT_DESC
                        | 1L << VirtioNet.VIRTIO_NET_F_CSUM, rx, tx);
                for (Q q : new Q[] {rx, tx}) {
                    for (int i = 0; i < size; i++) {
                        long addr = random.nextBoolean() ? 0x40000 + random.nextInt(0x10000) : random.nextLong();
                        long at = q.base + 16L * i;
                        n.rig.mem.writeLong(at, addr);
                        n.rig.mem.writeInt(at + 8, random.nextBoolean() ? random.nextInt(2048) : random.nextInt());
                        n.rig.mem.writeShort(at + 12, random.nextInt(8));
                        n.rig.mem.writeShort(at + 14, random.nextInt(size + 2));
                        n.rig.mem.writeShort(q.avail() + 4 + 2L * i, random.nextInt(size + 1));
                    }
                    n.rig.mem.writeShort(q.avail() + 2, random.nextInt(size + 1));
                }
                // Headers with random flags, checksum positions and GSO types in the buffers.
                byte[] junk = new byte[0x10000];
                random.nextBytes(junk);
                n.rig.mem.write(0x40000, junk, 0, junk.length);
                n.rig.notifyModern(random.nextInt(3));
                byte[] f = frame(14 + random.nextInt(1500), round);
                n.peer.transmit(f, 0, f.length);
                n.rig.common(random.nextInt(VirtioPci.COMMON_CFG_SIZE) & ~1, 2, random.nextInt(0x10000));
                n.rig.io.outb(Rig.IO + random.nextInt(0x20), random.nextInt(256));
                n.rig.mem.write(Rig.MSIX + random.nextInt(0x1000), 4, random.nextInt());
            }
            assertTrue(n.rig.function().guestErrors() > 0);
            assertFalse(n.rig.function().attached() && n.rig.function().status() == -1);
        }
    }
}
