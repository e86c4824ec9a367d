package org.alosj.kernel.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.alosj.kernel.device.BlockDevice;

/**
 * A disk backed by an image file, as a driver would present it: whole sectors, bounds checked.
 * {@link #fail()} makes it act like hardware that stopped answering; the counters let a test
 * see what reached the "hardware".
 */
public final class FileBlockDevice implements BlockDevice, AutoCloseable {
    public static final int SECTOR = 512;

    private final FileChannel channel;
    private final long sectors;
    private final boolean readOnly;
    private final AtomicBoolean failing = new AtomicBoolean();
    public final AtomicLong writes = new AtomicLong();
    public final AtomicLong flushes = new AtomicLong();

    public FileBlockDevice(Path image, boolean readOnly) throws IOException {
        this.channel = readOnly ? FileChannel.open(image, StandardOpenOption.READ)
                : FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.sectors = channel.size() / SECTOR;
        this.readOnly = readOnly;
    }

    public void fail() {
        failing.set(true);
    }

    @Override
    public int sectorSize() {
        return SECTOR;
    }

    @Override
    public long sectorCount() {
        return sectors;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    private void check(long lba, int bytes) throws IOException {
        if (failing.get()) {
            throw new IOException("device error");
        }
        if (bytes % SECTOR != 0 || lba < 0 || lba + bytes / SECTOR > sectors) {
            throw new IOException("bad request: lba " + lba + ", " + bytes + " bytes");
        }
    }

    @Override
    public void read(long lba, ByteBuffer dst) throws IOException {
        check(lba, dst.remaining());
        long pos = lba * SECTOR;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos);
            if (n < 0) {
                throw new IOException("short image");
            }
            pos += n;
        }
    }

    @Override
    public void write(long lba, ByteBuffer src) throws IOException {
        if (readOnly) {
            throw new IOException("read-only");
        }
        check(lba, src.remaining());
        long pos = lba * SECTOR;
        while (src.hasRemaining()) {
            pos += channel.write(src, pos);
        }
        writes.incrementAndGet();
    }

    @Override
    public void flush() throws IOException {
        if (failing.get()) {
            throw new IOException("device error");
        }
        channel.force(false);
        flushes.incrementAndGet();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
