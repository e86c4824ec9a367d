package org.alosj.drivers.pcnet;

/**
 * Bookkeeping of the transmit ring: {@code head} is the next slot the driver fills, {@code tail}
 * the oldest slot handed to the chip and not yet reclaimed. Slots from tail up to head (mod size)
 * are in flight. Not thread-safe: the caller holds the driver's register lock.
 */
final class TxRing {
    private final int size;
    private int head;
    private int tail;
    private int inFlight;

    TxRing(int size) {
        Descriptors.ringLengthCode(size); // power of two, 1..512
        this.size = size;
    }

    int size() {
        return size;
    }

    int inFlight() {
        return inFlight;
    }

    boolean isFull() {
        return inFlight == size;
    }

    boolean isEmpty() {
        return inFlight == 0;
    }

    /** Takes the next free slot for a frame; the caller fills it and gives it to the chip. */
    int claim() {
        if (isFull()) {
            throw new IllegalStateException("transmit ring full (" + size + " in flight)");
        }
        int slot = head;
        head = Descriptors.next(head, size);
        inFlight++;
        return slot;
    }

    /** The oldest slot in flight. */
    int oldest() {
        if (isEmpty()) {
            throw new IllegalStateException("transmit ring empty");
        }
        return tail;
    }

    /** The oldest slot is done (the chip gave it back). */
    void retire() {
        oldest();
        tail = Descriptors.next(tail, size);
        inFlight--;
    }
}
