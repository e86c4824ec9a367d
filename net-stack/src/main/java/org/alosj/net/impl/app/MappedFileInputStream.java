package org.alosj.net.impl.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * A host file read through memory mappings of up to {@link #WINDOW} bytes at a time: one copy,
 * from the page cache into the caller's array, and no system call a read. (A FileChannel's
 * stream makes a read call that copies into a temporary direct buffer, then copies that into
 * the array: for httpd's bodies that was most of the server's own system time.)
 */
final class MappedFileInputStream extends InputStream {
    static final long WINDOW = 16L << 20;

    private final FileChannel channel;
    private final long size;
    private long position;
    private MappedByteBuffer window;
    private long windowStart;

    /** Reads the first {@code size} bytes of {@code file} (its size when opened). */
    MappedFileInputStream(Path file, long size) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.size = size;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (!channel.isOpen()) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        if (position >= size) {
            return -1;
        }
        if (window == null || position >= windowStart + window.capacity()) {
            window = null; // the old mapping goes with the garbage collector
            windowStart = position;
            window = channel.map(FileChannel.MapMode.READ_ONLY, position, Math.min(WINDOW, size - position));
        }
        int n = (int) Math.min(len, windowStart + window.capacity() - position);
        try {
            window.get((int) (position - windowStart), b, off, n);
        } catch (InternalError e) {
            // the file shrank under the mapping: the page is gone (SIGBUS, turned into this error)
            throw new IOException("the file shrank while it was read, at byte " + position);
        }
        position += n;
        return n;
    }

    @Override
    public long skip(long n) {
        long skipped = Math.max(0, Math.min(n, size - position));
        position += skipped;
        return skipped;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, Math.min(size - position, window == null ? 0
                : Math.max(0, windowStart + window.capacity() - position)));
    }

    @Override
    public void close() throws IOException {
        window = null;
        channel.close();
    }
}
