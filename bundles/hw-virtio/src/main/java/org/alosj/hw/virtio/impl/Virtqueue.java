package org.alosj.hw.virtio.impl;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.bus.PhysicalMemory;

/**
 * The device side of one split virtqueue (virtio 1.x section 2.7): the descriptor table, the
 * driver (available) ring and the device (used) ring in guest RAM, walked by bus-master DMA.
 *
 * <p>Layout: a descriptor is 16 bytes {le64 addr, le32 len, le16 flags, le16 next}; the driver
 * ring {le16 flags, le16 idx, le16 ring[size], le16 used_event}; the device ring
 * {le16 flags, le16 idx, {le32 id, le32 len}[size], le16 avail_event}. Indexes run free modulo
 * 2^16.
 *
 * <p>Nothing the driver wrote is trusted: a head or next index past the table, a chain longer
 * than the table (a loop), an indirect table that is not a whole number of descriptors or sits
 * inside another, a readable descriptor after a writable one, a buffer outside RAM or an
 * available index that moved by more than the queue size each raise {@link GuestError}, which
 * the transport turns into DEVICE_NEEDS_RESET. All state is guarded by the owning device's
 * monitor.
 *
 * <p>Memory ordering: guest RAM is plain memory the driver's threads share with this one, so
 * the barriers virtio asks of a device are explicit fences: acquire after reading the driver's
 * index, release before publishing the device's, and a full fence between publishing an index
 * and reading the other side's event index (store then load, which even x86 reorders).
 */
final class Virtqueue {
    static final int VRING_DESC_SIZE = 16;
    static final int VRING_DESC_F_NEXT = 1;
    static final int VRING_DESC_F_WRITE = 2;
    static final int VRING_DESC_F_INDIRECT = 4;
    static final int VRING_AVAIL_F_NO_INTERRUPT = 1;
    static final int VRING_USED_F_NO_NOTIFY = 1;
    static final int VRING_USED_ELEM_SIZE = 8;
    /** The legacy interface's alignment of the used ring (VIRTIO_PCI_VRING_ALIGN). */
    static final int VIRTIO_PCI_VRING_ALIGN = 4096;
    /** Longest buffer one descriptor may name: more than any device here moves at once. */
    static final long MAX_DESCRIPTOR_LENGTH = 1L << 30;

    /** A driver mistake the device cannot work around. */
    static final class GuestError extends Exception {
        GuestError(String message) {
            super(message, null, false, false);
        }
    }

    /** One guest buffer: {@code length} bytes at {@code address}. */
    record Segment(long address, int length) {
    }

    /** A descriptor chain popped from the driver ring: what the device reads, then what it writes. */
    record Chain(int head, List<Segment> readable, List<Segment> writable) {
        long readableBytes() {
            long n = 0;
            for (Segment s : readable) {
                n += s.length();
            }
            return n;
        }

        long writableBytes() {
            long n = 0;
            for (Segment s : writable) {
                n += s.length();
            }
            return n;
        }

        /** Copies {@code length} bytes from position {@code from} of the readable buffers. */
        void gather(PhysicalMemory mem, long from, byte[] dst, int offset, int length) {
            copy(readable, mem, from, dst, offset, length, false);
        }

        /** Copies {@code length} bytes to position {@code to} of the writable buffers. */
        void scatter(PhysicalMemory mem, long to, byte[] src, int offset, int length) {
            copy(writable, mem, to, src, offset, length, true);
        }

        private static void copy(List<Segment> segments, PhysicalMemory mem, long position, byte[] data, int offset,
                                 int length, boolean toGuest) {
            long skip = position;
            int done = 0;
            for (Segment s : segments) {
                if (done == length) {
                    return;
                }
                if (skip >= s.length()) {
                    skip -= s.length();
                    continue;
                }
                int n = (int) Math.min(s.length() - skip, length - done);
                if (toGuest) {
                    mem.write(s.address() + skip, data, offset + done, n);
                } else {
                    mem.read(s.address() + skip, data, offset + done, n);
                }
                done += n;
                skip = 0;
            }
            if (done < length) {
                throw new IndexOutOfBoundsException("chain holds " + done + " of " + length + " bytes from " + position);
            }
        }
    }

    final int index;
    final int maxSize;
    int size;
    long desc;
    long avail;
    long used;
    boolean enabled;
    int msixVector = VirtioPci.VIRTIO_MSI_NO_VECTOR;
    private int lastAvail;
    private int usedIdx;
    private int publishedIdx;
    /** The used index at the last interrupt (event index), valid once one was sent. */
    private int signalledUsed;
    private boolean signalledUsedValid;

    Virtqueue(int index, int maxSize) {
        this.index = index;
        this.maxSize = maxSize;
        reset();
    }

    void reset() {
        size = maxSize;
        desc = 0;
        avail = 0;
        used = 0;
        enabled = false;
        msixVector = VirtioPci.VIRTIO_MSI_NO_VECTOR;
        lastAvail = 0;
        usedIdx = 0;
        publishedIdx = 0;
        signalledUsed = 0;
        signalledUsedValid = false;
    }

    /** The legacy interface's layout: everything in one run from the page frame {@code pfn}. */
    void setLegacyAddress(long pfn) {
        if (pfn == 0) {
            reset();
            return;
        }
        size = maxSize;
        desc = pfn * VIRTIO_PCI_VRING_ALIGN;
        avail = desc + (long) size * VRING_DESC_SIZE;
        long availEnd = avail + 4 + 2L * size + 2;
        used = (availEnd + VIRTIO_PCI_VRING_ALIGN - 1) & -VIRTIO_PCI_VRING_ALIGN;
        enabled = true;
        lastAvail = 0;
        usedIdx = 0;
        publishedIdx = 0;
        signalledUsedValid = false;
    }

    boolean ready() {
        return enabled && desc != 0 && avail != 0 && used != 0;
    }

    /**
     * Where the three rings do not lie wholly in guest RAM, why; null when they do. A ring in a
     * device's registers would have the device write its own doorbells.
     */
    String ringsOutsideRam(MemoryBus bus) {
        long[][] rings = {{desc, (long) VRING_DESC_SIZE * size}, {avail, 6 + 2L * size},
            {used, 6 + (long) VRING_USED_ELEM_SIZE * size}};
        String[] names = {"descriptor table", "driver ring", "device ring"};
        for (int i = 0; i < rings.length; i++) {
            long at = rings[i][0];
            long len = rings[i][1];
            if (at < 0 || at + len < at || bus.ramOffset(at) < 0 || bus.ramOffset(at + len - 1) < 0) {
                return String.format("queue %d's %s at %#x (%d bytes) is outside guest RAM", index, names[i], at, len);
            }
        }
        return null;
    }

    /** Entries the driver has made available that the device has not taken yet. */
    int pending(PhysicalMemory mem) throws GuestError {
        int availIdx = mem.readShort(avail + 2) & 0xFFFF;
        VarHandle.acquireFence(); // the entries below that index were written before it
        int n = (availIdx - lastAvail) & 0xFFFF;
        if (n > size) {
            throw new GuestError(String.format("queue %d: available index %d moved %d entries past %d, more than the queue size %d",
                    index, availIdx, n, lastAvail, size));
        }
        return n;
    }

    /**
     * Takes the next available chain, or returns null when there is none.
     *
     * @param indirect whether VIRTIO_F_RING_INDIRECT_DESC was negotiated
     * @param eventIdx whether VIRTIO_F_RING_EVENT_IDX was negotiated: the device then publishes
     *     avail_event to say which index it wants to be notified at
     */
    Chain pop(MemoryBus bus, PhysicalMemory mem, boolean indirect, boolean eventIdx) throws GuestError {
        if (pending(mem) == 0) {
            if (!eventIdx) {
                return null;
            }
            // Ask to be notified when the driver makes the next entry available, then look
            // again: an entry added before the driver could see avail_event raises no notification.
            mem.writeShort(used + 4 + (long) VRING_USED_ELEM_SIZE * size, lastAvail);
            VarHandle.fullFence();
            if (pending(mem) == 0) {
                return null;
            }
        }
        int head = mem.readShort(avail + 4 + 2L * (lastAvail % size)) & 0xFFFF;
        if (head >= size) {
            throw new GuestError(String.format("queue %d: available ring entry %d names descriptor %d of %d",
                    index, lastAvail, head, size));
        }
        Chain chain = walk(bus, mem, head, indirect);
        lastAvail = (lastAvail + 1) & 0xFFFF;
        if (eventIdx) {
            mem.writeShort(used + 4 + (long) VRING_USED_ELEM_SIZE * size, lastAvail);
        }
        return chain;
    }

    /** Gives back the last {@code count} chains popped (not used), as if never taken. */
    void unpop(int count) {
        lastAvail = (lastAvail - count) & 0xFFFF;
    }

    private Chain walk(MemoryBus bus, PhysicalMemory mem, int head, boolean indirectAllowed) throws GuestError {
        List<Segment> readable = new ArrayList<>();
        List<Segment> writable = new ArrayList<>();
        long table = desc;
        int tableSize = size;
        int i = head;
        boolean inIndirect = false;
        int seen = 0;
        while (true) {
            if (++seen > tableSize) {
                throw new GuestError(String.format("queue %d: the chain at head %d is longer than its table of %d (a loop?)",
                        index, head, tableSize));
            }
            long d = table + (long) i * VRING_DESC_SIZE;
            long addr = mem.readLong(d);
            long len = mem.readInt(d + 8) & 0xFFFF_FFFFL;
            int flags = mem.readShort(d + 12) & 0xFFFF;
            int next = mem.readShort(d + 14) & 0xFFFF;
            if ((flags & VRING_DESC_F_INDIRECT) != 0) {
                if (!indirectAllowed) {
                    throw new GuestError(String.format("queue %d: descriptor %d is INDIRECT, which was not negotiated", index, i));
                }
                if (inIndirect) {
                    throw new GuestError(String.format("queue %d: an indirect table names another indirect table", index));
                }
                if ((flags & VRING_DESC_F_NEXT) != 0) {
                    throw new GuestError(String.format("queue %d: descriptor %d has both INDIRECT and NEXT", index, i));
                }
                if (len == 0 || len % VRING_DESC_SIZE != 0 || len / VRING_DESC_SIZE > 0xFFFF) {
                    throw new GuestError(String.format("queue %d: indirect table of %d bytes is not 1-65535 descriptors",
                            index, len));
                }
                checkRam(bus, addr, len);
                table = addr;
                tableSize = (int) (len / VRING_DESC_SIZE);
                i = 0;
                seen = 0;
                inIndirect = true;
                continue;
            }
            if (len > MAX_DESCRIPTOR_LENGTH) {
                throw new GuestError(String.format("queue %d: descriptor %d is %d bytes long", index, i, len));
            }
            checkRam(bus, addr, len);
            if ((flags & VRING_DESC_F_WRITE) != 0) {
                writable.add(new Segment(addr, (int) len));
            } else {
                if (!writable.isEmpty()) {
                    throw new GuestError(String.format("queue %d: descriptor %d is device-readable after a writable one",
                            index, i));
                }
                readable.add(new Segment(addr, (int) len));
            }
            if ((flags & VRING_DESC_F_NEXT) == 0) {
                return new Chain(head, readable, writable);
            }
            if (next >= tableSize) {
                throw new GuestError(String.format("queue %d: descriptor %d's next %d is past its table of %d",
                        index, i, next, tableSize));
            }
            i = next;
        }
    }

    /** A buffer must lie in guest RAM (its first and last byte decode to RAM). */
    private void checkRam(MemoryBus bus, long addr, long len) throws GuestError {
        if (len == 0) {
            return;
        }
        if (addr < 0 || addr + len < addr || bus.ramOffset(addr) < 0 || bus.ramOffset(addr + len - 1) < 0) {
            throw new GuestError(String.format("queue %d: buffer of %d bytes at %#x is outside guest RAM", index, len, addr));
        }
    }

    /** Puts a chain on the device ring with the number of bytes the device wrote into it. */
    void push(PhysicalMemory mem, int head, int written) {
        long e = used + 4 + (long) VRING_USED_ELEM_SIZE * (usedIdx % size);
        mem.writeInt(e, head);
        mem.writeInt(e + 4, written);
        usedIdx = (usedIdx + 1) & 0xFFFF;
    }

    /**
     * Publishes the used entries pushed so far (the index store comes after the entries);
     * false when there were none.
     */
    boolean flushUsed(PhysicalMemory mem) {
        if (usedIdx == publishedIdx) {
            return false;
        }
        VarHandle.releaseFence(); // the entries before the index that publishes them
        mem.writeShort(used + 2, usedIdx);
        publishedIdx = usedIdx;
        VarHandle.fullFence(); // the index out before the driver's event index or flags are read
        return true;
    }

    /**
     * Whether the driver wants an interrupt for the entries published since the last one: the
     * driver ring's NO_INTERRUPT flag, or with event index its used_event (vring_need_event).
     */
    boolean needsInterrupt(PhysicalMemory mem, boolean eventIdx) {
        if (!eventIdx) {
            return (mem.readShort(avail) & VRING_AVAIL_F_NO_INTERRUPT) == 0;
        }
        int old = signalledUsed;
        boolean valid = signalledUsedValid;
        signalledUsed = usedIdx;
        signalledUsedValid = true;
        if (!valid) {
            return true;
        }
        int event = mem.readShort(avail + 4 + 2L * size) & 0xFFFF;
        return needEvent(event, usedIdx, old);
    }

    /** vring_need_event: whether {@code event} lies in (old, new]. */
    static boolean needEvent(int event, int newIdx, int oldIdx) {
        return ((newIdx - event - 1) & 0xFFFF) < ((newIdx - oldIdx) & 0xFFFF);
    }

    int lastAvail() {
        return lastAvail;
    }

    int usedIdx() {
        return usedIdx;
    }
}
