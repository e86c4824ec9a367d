package org.alosj.net.impl.socket;

/**
 * A fixed-size byte ring: the send and receive buffers of TCP. Bytes are copied in once from
 * the application (or the frame) and out once into a frame (or the application); beyond the
 * queued bytes, the free space can hold out-of-order data written at an offset.
 */
public final class RingBuffer {
    private static final byte[] NONE = new byte[0];
    private final int capacity;
    private byte[] data = NONE; // allocated on the first write: a half-open connection holds no buffer
    private int head;
    private int length;

    public RingBuffer(int capacity) {
        this.capacity = capacity;
    }

    public int capacity() {
        return capacity;
    }

    public int length() {
        return length;
    }

    public int free() {
        return capacity - length;
    }

    public boolean isEmpty() {
        return length == 0;
    }

    /** Appends up to {@code n} bytes; returns how many fitted. */
    public int write(byte[] src, int off, int n) {
        int count = Math.min(n, free());
        writeAt(0, src, off, count);
        length += count;
        return count;
    }

    /** Copies into the free space at {@code offset} past the queued bytes, without queueing them. */
    public void writeAt(int offset, byte[] src, int off, int n) {
        if (offset < 0 || n < 0 || offset + n > free()) {
            throw new IndexOutOfBoundsException("ring write at " + offset + " of " + n + " with " + free() + " free");
        }
        if (n == 0) {
            return;
        }
        if (data.length == 0) {
            data = new byte[capacity];
        }
        int start = (head + length + offset) % data.length;
        int first = Math.min(n, data.length - start);
        System.arraycopy(src, off, data, start, first);
        System.arraycopy(src, off + first, data, 0, n - first);
    }

    /** Queues {@code n} bytes already written past the end with {@link #writeAt}. */
    public void commit(int n) {
        if (n < 0 || n > free()) {
            throw new IndexOutOfBoundsException("commit " + n + " with " + free() + " free");
        }
        length += n;
    }

    /** Copies {@code n} queued bytes starting {@code offset} into them, without dequeuing. */
    public void peek(int offset, byte[] dst, int off, int n) {
        if (offset < 0 || n < 0 || offset + n > length) {
            throw new IndexOutOfBoundsException("ring peek at " + offset + " of " + n + " in " + length);
        }
        if (n == 0) {
            return;
        }
        int start = (head + offset) % data.length;
        int first = Math.min(n, data.length - start);
        System.arraycopy(data, start, dst, off, first);
        System.arraycopy(data, 0, dst, off + first, n - first);
    }

    /** Dequeues up to {@code n} bytes into dst; returns how many. */
    public int read(byte[] dst, int off, int n) {
        int count = Math.min(n, length);
        peek(0, dst, off, count);
        drop(count);
        return count;
    }

    public void drop(int n) {
        if (n < 0 || n > length) {
            throw new IndexOutOfBoundsException("drop " + n + " of " + length);
        }
        if (n > 0) {
            head = (head + n) % data.length;
            length -= n;
        }
    }

    /** Forgets the queued bytes (out-of-order data past them is forgotten too). */
    public void clear() {
        head = 0;
        length = 0;
    }
}
