package org.alosj.hw.virtio.impl;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.alosj.hal.board.impl.MachineSettings;
import org.alosj.hal.board.impl.PcMachine;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.testkit.Wait;

/**
 * A PC with one virtio function, and what a driver does to it by hand: configuration cycles
 * through 0xCF8/0xCFC, the common configuration in BAR4 or the legacy registers in BAR0, and
 * one split queue in guest RAM at fixed addresses.
 */
final class Rig implements AutoCloseable {
    static final int SLOT = 4;
    static final int DEVFN = SLOT << 3;
    static final int IO = 0xC000;
    static final long MSIX = 0xFEBC_0000L;
    static final long BAR4 = 0xFE00_0000L;
    static final long RING = 0x10000;
    static final long DATA = 0x40000;

    final PcMachine machine = new PcMachine(MachineSettings.withRamMiB(32));
    final IoPortSpace io = machine.ioPorts();
    final MemoryBus mem = machine.memory();
    VirtioBlkComponent blk;
    VirtioNetComponent net;
    int qsize;
    int availIdx;
    int usedSeen;

    static Path image(Path dir, String name, int sectors) throws IOException {
        Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength((long) sectors * 512);
        }
        return p;
    }

    Rig blk(Path image, String mode) throws IOException {
        blk = new VirtioBlkComponent("virtio-blk0", image.toString(), false, Integer.toString(SLOT), mode, "SER123", machine);
        return this;
    }

    VirtioPci function() {
        return blk != null ? blk.function() : net.function();
    }

    @Override
    public void close() {
        if (blk != null) {
            blk.deactivate();
        }
        if (net != null) {
            net.deactivate();
        }
        machine.powerOff();
    }

    int cfgRead(int offset, int size) {
        io.outl(0xCF8, 0x8000_0000 | DEVFN << 8 | (offset & 0xFC));
        return io.read(0xCFC + (offset & 3), size);
    }

    void cfgWrite(int offset, int size, int value) {
        io.outl(0xCF8, 0x8000_0000 | DEVFN << 8 | (offset & 0xFC));
        io.write(0xCFC + (offset & 3), size, value);
    }

    /** What firmware does: BARs placed, decoding and bus mastering on. */
    void enable() {
        if ((cfgRead(0x10, 4) & 1) != 0) {
            cfgWrite(0x10, 4, IO);
        }
        cfgWrite(0x14, 4, (int) MSIX);
        cfgWrite(0x20, 4, (int) BAR4 | 0xC);
        cfgWrite(0x24, 4, 0);
        cfgWrite(0x04, 2, 0x0007);
    }

    boolean intx() {
        return (cfgRead(0x06, 2) & 0x08) != 0;
    }

    // ---- modern ----

    long common(int off, int size) {
        return mem.read(BAR4 + off, size);
    }

    void common(int off, int size, long value) {
        mem.write(BAR4 + off, size, value);
    }

    int isr() {
        return (int) mem.read(BAR4 + VirtioPci.ISR_OFFSET, 1);
    }

    long deviceConfig(int off, int size) {
        return mem.read(BAR4 + VirtioPci.DEVICE_OFFSET + off, size);
    }

    /** Modern bring-up of queue 0 with {@code size} entries, features {@code features}. */
    void modernUp(long features, int size) {
        enable();
        common(VirtioPci.VIRTIO_PCI_COMMON_STATUS, 1, 0);
        common(VirtioPci.VIRTIO_PCI_COMMON_STATUS, 1, VirtioPci.VIRTIO_CONFIG_S_ACKNOWLEDGE | VirtioPci.VIRTIO_CONFIG_S_DRIVER);
        common(VirtioPci.VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
        common(VirtioPci.VIRTIO_PCI_COMMON_GF, 4, features & 0xFFFF_FFFFL);
        common(VirtioPci.VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
        common(VirtioPci.VIRTIO_PCI_COMMON_GF, 4, features >>> 32);
        common(VirtioPci.VIRTIO_PCI_COMMON_STATUS, 1, 0xB);
        common(VirtioPci.VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
        common(VirtioPci.VIRTIO_PCI_COMMON_Q_SIZE, 2, size);
        qsize = size;
        mem.write(RING, new byte[0x4000], 0, 0x4000);
        common(VirtioPci.VIRTIO_PCI_COMMON_Q_DESCLO, 8, desc(0));
        common(VirtioPci.VIRTIO_PCI_COMMON_Q_AVAILLO, 8, avail());
        common(VirtioPci.VIRTIO_PCI_COMMON_Q_USEDLO, 8, used());
        common(VirtioPci.VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
        common(VirtioPci.VIRTIO_PCI_COMMON_STATUS, 1, 0xF);
    }

    void notifyModern(int queue) {
        mem.write(BAR4 + VirtioPci.NOTIFY_OFFSET + 4L * queue, 2, queue);
    }

    // ---- legacy ----

    /** Legacy bring-up of queue 0 (its size is the device's). */
    void legacyUp(int features) {
        enable();
        io.outb(IO + VirtioPci.VIRTIO_PCI_STATUS, 0);
        io.outb(IO + VirtioPci.VIRTIO_PCI_STATUS, 3);
        io.outl(IO + VirtioPci.VIRTIO_PCI_GUEST_FEATURES, features);
        io.outw(IO + VirtioPci.VIRTIO_PCI_QUEUE_SEL, 0);
        qsize = io.inw(IO + VirtioPci.VIRTIO_PCI_QUEUE_NUM);
        mem.write(RING, new byte[0x8000], 0, 0x8000);
        io.outl(IO + VirtioPci.VIRTIO_PCI_QUEUE_PFN, (int) (RING >>> 12));
        io.outb(IO + VirtioPci.VIRTIO_PCI_STATUS, 7);
    }

    // ---- the ring (legacy layout, which modern bring-up uses too) ----

    long desc(int i) {
        return RING + 16L * i;
    }

    long avail() {
        return RING + 16L * qsize;
    }

    long used() {
        return (avail() + 6 + 2L * qsize + 4095) & -4096;
    }

    void descriptor(int i, long addr, int len, int flags, int next) {
        mem.writeLong(desc(i), addr);
        mem.writeInt(desc(i) + 8, len);
        mem.writeShort(desc(i) + 12, flags);
        mem.writeShort(desc(i) + 14, next);
    }

    void makeAvailable(int head) {
        mem.writeShort(avail() + 4 + 2L * (availIdx % qsize), head);
        availIdx = (availIdx + 1) & 0xFFFF;
        mem.writeShort(avail() + 2, availIdx);
    }

    int usedIdx() {
        return mem.readShort(used() + 2) & 0xFFFF;
    }

    int usedLen(int n) {
        return mem.readInt(used() + 4 + 8L * (n % qsize) + 4);
    }

    int usedId(int n) {
        return mem.readInt(used() + 4 + 8L * (n % qsize));
    }

    /** A blk request in descriptors 0-2: header, data, status. */
    void blkRequest(int type, long sector, long data, int length, boolean deviceWrites) {
        mem.writeInt(DATA - 0x100, type);
        mem.writeInt(DATA - 0x100 + 4, 0);
        mem.writeLong(DATA - 0x100 + 8, sector);
        mem.writeByte(DATA - 0x10, 0xFF);
        descriptor(0, DATA - 0x100, 16, Virtqueue.VRING_DESC_F_NEXT, 1);
        descriptor(1, data, length, Virtqueue.VRING_DESC_F_NEXT | (deviceWrites ? Virtqueue.VRING_DESC_F_WRITE : 0), 2);
        descriptor(2, DATA - 0x10, 1, Virtqueue.VRING_DESC_F_WRITE, 0);
        makeAvailable(0);
    }


    int blkStatus() {
        return mem.readByte(DATA - 0x10);
    }
}
