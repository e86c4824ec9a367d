package org.alosj.fs.ext2;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.alosj.hal.storage.DiskImage;
import org.alosj.kernel.device.BlockDevice;

/**
 * A BlockDevice over a host image file, 512-byte sectors: what mkfs writes an image through, and
 * what tests and benchmarks mount an image file with. The image is the disk models' own
 * {@link DiskImage} (opened, sized and read the same way); this adds the block device's checks:
 * reads and writes past the end fail with an IOException naming the sectors, as a disk would.
 */
public final class ImageFileDevice implements BlockDevice, Closeable {
    public static final int SECTOR_SIZE = DiskImage.SECTOR_SIZE;

    private final DiskImage image;

    private ImageFileDevice(DiskImage image) {
        this.image = image;
    }

    /**
     * Opens an existing image; its size, rounded down to whole sectors, is the device's. A file
     * that is missing, not a regular file or smaller than one sector is an IOException.
     */
    public static ImageFileDevice open(Path image, boolean readOnly) throws IOException {
        return new ImageFileDevice(DiskImage.open(image, readOnly));
    }

    /** Creates (or empties) an image file of {@code bytes} bytes, sparse: it reads as zeros. */
    public static ImageFileDevice create(Path image, long bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            if (bytes > 0) {
                ch.write(ByteBuffer.allocate(1), bytes - 1);
            }
        }
        return open(image, false);
    }

    @Override
    public int sectorSize() {
        return SECTOR_SIZE;
    }

    @Override
    public long sectorCount() {
        return image.sectors();
    }

    @Override
    public boolean readOnly() {
        return image.readOnly();
    }

    private void check(long lba, ByteBuffer buf) throws IOException {
        int n = buf.remaining();
        if (n % SECTOR_SIZE != 0) {
            throw new IOException(image.path() + ": transfer of " + n + " bytes is not whole sectors");
        }
        long sectors = image.sectors();
        if (lba < 0 || lba + n / SECTOR_SIZE > sectors) {
            throw new IOException(image.path() + ": sectors " + lba + "+" + n / SECTOR_SIZE + " beyond the " + sectors
                + " sectors of the image");
        }
    }

    @Override
    public void read(long lba, ByteBuffer dst) throws IOException {
        check(lba, dst);
        image.read(lba * SECTOR_SIZE, dst);
    }

    @Override
    public void write(long lba, ByteBuffer src) throws IOException {
        if (image.readOnly()) {
            throw new IOException(image.path() + ": opened read-only");
        }
        check(lba, src);
        image.write(lba * SECTOR_SIZE, src);
    }

    @Override
    public void flush() throws IOException {
        image.flush();
    }

    @Override
    public void close() throws IOException {
        image.close();
    }
}
