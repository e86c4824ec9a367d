package org.alosj.drivers.virtio;

import java.lang.invoke.VarHandle;
import org.alosj.kernel.mem.DmaAllocator;
import org.alosj.kernel.mem.DmaBuffer;

/**
 * The driver side of a split virtqueue (virtio 1.x section 2.7) in one run of DMA memory laid
 * out as the legacy interface requires: the descriptor table from a page boundary, the driver
 * (available) ring after it, the device (used) ring on the next page boundary.
 *
 * <p>Free descriptors form a list the driver keeps in Java ({@code next}); a chain takes them
 * in list order. Guest RAM is plain memory shared with the device's threads, so virtio's
 * barriers are fences: release before the available index, acquire after reading the used
 * index, and a full fence between writing one index and reading the device's event index or
 * flags (virtio_mb). Not thread-safe: the owner serializes adding (under its submit lock) and
 * harvesting (under the same lock, or from the interrupt handler alone when only it harvests).
 */
final class SplitQueue {
    static final int VRING_DESC_SIZE = 16;
    static final int VRING_DESC_F_NEXT = 1;
    static final int VRING_DESC_F_WRITE = 2;
    static final int VRING_DESC_F_INDIRECT = 4;
    static final int VRING_AVAIL_F_NO_INTERRUPT = 1;
    static final int VRING_USED_F_NO_NOTIFY = 1;
    static final int PAGE = 4096;

    /** A chain the device is done with: its token and how many bytes it wrote into it. */
    record Used(Object token, int length) {
    }

    final int index;
    final int size;
    private final Transport transport;
    private final DmaBuffer ring;
    private final int availOff;
    private final int usedOff;
    private final boolean eventIdx;
    private final Object[] tokens;
    private final int[] chainLength;
    private final int[] next;
    private int freeHead;
    private int numFree;
    private int availIdx;
    private int kickedIdx;
    private int lastUsed;

    private SplitQueue(Transport transport, DmaBuffer ring, int index, int size, boolean eventIdx) {
        this.transport = transport;
        this.ring = ring;
        this.index = index;
        this.size = size;
        this.eventIdx = eventIdx;
        this.availOff = VRING_DESC_SIZE * size;
        this.usedOff = align(availOff + 6 + 2 * size);
        this.tokens = new Object[size];
        this.chainLength = new int[size];
        this.next = new int[size];
        for (int i = 0; i < size; i++) {
            next[i] = i + 1;
        }
        this.numFree = size;
    }

    private static int align(int n) {
        return (n + PAGE - 1) & -PAGE;
    }

    static int bytes(int size) {
        return align(align(VRING_DESC_SIZE * size + 6 + 2 * size) + 6 + 8 * size);
    }

    /**
     * Sets up queue {@code index}: {@code wanted} entries on the modern interface (at most the
     * device's maximum), the device's own size on the legacy one.
     *
     * @throws IllegalStateException when the device has no such queue
     */
    static SplitQueue create(Transport transport, DmaAllocator dma, int index, int wanted, boolean eventIdx,
                             String owner) {
        int max = transport.queueMaxSize(index);
        if (max == 0) {
            throw new IllegalStateException(transport.device.address() + ": the device has no queue " + index);
        }
        int size = transport.modern() ? Math.min(max, wanted) : max;
        if (Integer.bitCount(size) != 1) {
            throw new IllegalStateException(String.format("%s: queue %d's size %d is not a power of two",
                    transport.device.address(), index, size));
        }
        DmaBuffer ring = dma.allocate(bytes(size), PAGE, owner);
        try {
            ring.clear();
            SplitQueue q = new SplitQueue(transport, ring, index, size, eventIdx);
            long base = ring.physicalAddress();
            transport.setupQueue(index, size, base, base + q.availOff, base + q.usedOff);
            return q;
        } catch (RuntimeException e) {
            ring.close();
            throw e;
        }
    }

    int free() {
        return numFree;
    }

    /**
     * Adds a chain of {@code addresses.length} buffers, the first {@code readable} of which the
     * device reads and the rest it writes. Returns false (adding nothing) when too few
     * descriptors are free. The device sees it at the next {@link #kick}.
     */
    boolean add(long[] addresses, int[] lengths, int readable, Object token) {
        int n = addresses.length;
        if (n == 0 || n > numFree) {
            return false;
        }
        int head = freeHead;
        int d = head;
        for (int k = 0; k < n; k++) {
            int flags = (k < n - 1 ? VRING_DESC_F_NEXT : 0) | (k >= readable ? VRING_DESC_F_WRITE : 0);
            writeDescriptor(d, addresses[k], lengths[k], flags, k < n - 1 ? next[d] : 0);
            if (k < n - 1) {
                d = next[d];
            }
        }
        freeHead = next[d];
        numFree -= n;
        tokens[head] = token;
        chainLength[head] = n;
        ring.write16(availOff + 4 + 2 * (availIdx % size), head);
        availIdx = (availIdx + 1) & 0xFFFF;
        VarHandle.releaseFence();
        ring.write16(availOff + 2, availIdx); // after the entry: the device may take it from now on
        return true;
    }

    /** Adds one descriptor naming an indirect table of {@code count} descriptors the caller wrote. */
    boolean addIndirect(long table, int count, Object token) {
        if (numFree == 0) {
            return false;
        }
        int head = freeHead;
        writeDescriptor(head, table, count * VRING_DESC_SIZE, VRING_DESC_F_INDIRECT, 0);
        freeHead = next[head];
        numFree--;
        tokens[head] = token;
        chainLength[head] = 1;
        ring.write16(availOff + 4 + 2 * (availIdx % size), head);
        availIdx = (availIdx + 1) & 0xFFFF;
        VarHandle.releaseFence();
        ring.write16(availOff + 2, availIdx);
        return true;
    }

    private void writeDescriptor(int d, long address, int length, int flags, int nextIndex) {
        int at = d * VRING_DESC_SIZE;
        ring.write64(at, address);
        ring.write32(at + 8, length);
        ring.write16(at + 12, flags);
        ring.write16(at + 14, nextIndex);
    }

    /** Tells the device about the chains added since the last kick, if it wants to know. */
    void kick() {
        if (availIdx == kickedIdx) {
            return;
        }
        boolean needed;
        VarHandle.fullFence(); // the available index out before the device's event index is read
        if (eventIdx) {
            int event = ring.read16(usedOff + 4 + 8 * size);
            needed = needEvent(event, availIdx, kickedIdx);
        } else {
            needed = (ring.read16(usedOff) & VRING_USED_F_NO_NOTIFY) == 0;
        }
        kickedIdx = availIdx;
        if (needed) {
            transport.notify(index);
        }
    }

    static boolean needEvent(int event, int newIdx, int oldIdx) {
        return ((newIdx - event - 1) & 0xFFFF) < ((newIdx - oldIdx) & 0xFFFF);
    }

    boolean hasUsed() {
        return lastUsed != ring.read16(usedOff + 2);
    }

    /**
     * The next chain the device has used, or null. Its descriptors are free again.
     *
     * @throws IllegalStateException when the device names a chain the driver never gave it
     */
    Used next() {
        int usedIdx = ring.read16(usedOff + 2);
        if (lastUsed == usedIdx) {
            return null;
        }
        VarHandle.acquireFence(); // the entry below that index was written before it
        int e = usedOff + 4 + 8 * (lastUsed % size);
        int head = ring.read32(e);
        int length = ring.read32(e + 4);
        if (head < 0 || head >= size || tokens[head] == null) {
            throw new IllegalStateException(String.format("%s: queue %d: the device used descriptor %d, which is not in flight",
                    transport.device.address(), index, head));
        }
        Object token = tokens[head];
        tokens[head] = null;
        int d = head;
        for (int k = 1; k < chainLength[head]; k++) {
            d = next[d];
        }
        next[d] = freeHead;
        freeHead = head;
        numFree += chainLength[head];
        lastUsed = (lastUsed + 1) & 0xFFFF;
        return new Used(token, length);
    }

    /**
     * Asks for an interrupt when the device uses the next chain (used_event with event index,
     * else the NO_INTERRUPT flag cleared). Returns whether chains were used meanwhile, which
     * the caller must then harvest itself.
     */
    boolean enableInterrupts() {
        if (eventIdx) {
            ring.write16(availOff + 4 + 2 * size, lastUsed);
        } else {
            ring.write16(availOff, 0);
        }
        VarHandle.fullFence(); // the event index out before the used index is read again
        return hasUsed();
    }

    /** Asks the device not to interrupt for used chains (a hint: it may still do so). */
    void disableInterrupts() {
        if (eventIdx) {
            ring.write16(availOff + 4 + 2 * size, (lastUsed - 1) & 0xFFFF);
        } else {
            ring.write16(availOff, VRING_AVAIL_F_NO_INTERRUPT);
        }
    }

    /** Tokens of the chains still in flight (after the device stopped), for cleanup. */
    java.util.List<Object> inFlight() {
        java.util.List<Object> out = new java.util.ArrayList<>();
        for (Object t : tokens) {
            if (t != null) {
                out.add(t);
            }
        }
        return out;
    }

    /** Gives the ring's memory back; the device must be reset first. */
    void close() {
        ring.close();
    }
}
