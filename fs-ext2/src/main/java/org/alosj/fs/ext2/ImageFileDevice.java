package org.alosj.fs.ext2;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.alosj.kernel.device.BlockDevice;

/**
 * A BlockDevice over a host image file, 512-byte sectors: what mkfs writes an image through, and
 * what tests and benchmarks mount an image file with. Reads and writes past the end fail with an
 * IOException naming the sector, as a disk would.
 */
public final class ImageFileDevice implements BlockDevice, Closeable {
    public static final int SECTOR_SIZE = 512;

    private final FileChannel channel;
    private final long sectors;
    private final boolean readOnly;
    private final Path path;

    private ImageFileDevice(Path path, FileChannel channel, long sectors, boolean readOnly) {
        this.path = path;
        this.channel = channel;
        this.sectors = sectors;
        this.readOnly = readOnly;
    }

    /** Opens an existing image; its size, rounded down to whole sectors, is the device's. */
    public static ImageFileDevice open(Path image, boolean readOnly) throws IOException {
        FileChannel ch = readOnly ? FileChannel.open(image, StandardOpenOption.READ)
            : FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new ImageFileDevice(image, ch, ch.size() / SECTOR_SIZE, readOnly);
    }

    /** Creates (or empties) an image file of {@code bytes} bytes, sparse: it reads as zeros. */
    public static ImageFileDevice create(Path image, long bytes) throws IOException {
        FileChannel ch = FileChannel.open(image, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        if (bytes > 0) {
            ch.write(ByteBuffer.allocate(1), bytes - 1);
        }
        return new ImageFileDevice(image, ch, bytes / SECTOR_SIZE, false);
    }

    @Override
    public int sectorSize() {
        return SECTOR_SIZE;
    }

    @Override
    public long sectorCount() {
        return sectors;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    private void check(long lba, ByteBuffer buf) throws IOException {
        int n = buf.remaining();
        if (n % SECTOR_SIZE != 0) {
            throw new IOException(path + ": transfer of " + n + " bytes is not whole sectors");
        }
        if (lba < 0 || lba + n / SECTOR_SIZE > sectors) {
            throw new IOException(path + ": sectors " + lba + "+" + n / SECTOR_SIZE + " beyond the " + sectors
                + " sectors of the image");
        }
    }

    @Override
    public void read(long lba, ByteBuffer dst) throws IOException {
        check(lba, dst);
        long pos = lba * SECTOR_SIZE;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos);
            if (n < 0) {
                throw new IOException(path + ": end of file at byte " + pos);
            }
            pos += n;
        }
    }

    @Override
    public void write(long lba, ByteBuffer src) throws IOException {
        if (readOnly) {
            throw new IOException(path + ": opened read-only");
        }
        check(lba, src);
        long pos = lba * SECTOR_SIZE;
        while (src.hasRemaining()) {
            pos += channel.write(src, pos);
        }
    }

    @Override
    public void flush() throws IOException {
        if (!readOnly) {
            channel.force(false);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
