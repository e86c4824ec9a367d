package org.alosj.hal.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A raw disk image: sector {@code n} is bytes {@code [512n, 512n + 512)} of the file. The size
 * is fixed when the image is opened (a trailing partial sector is not part of the disk); a
 * file that shrinks afterwards reads as an unrecoverable error, never as zeros.
 * The back end of every disk model (IDE, virtio-blk), as QEMU's raw format is theirs.
 */
public final class DiskImage implements AutoCloseable {
    public static final int SECTOR_SIZE = 512;

    private final Path path;
    private final FileChannel channel;
    private final boolean readOnly;
    private final long sectors;

    private DiskImage(Path path, FileChannel channel, boolean readOnly, long sectors) {
        this.path = path;
        this.channel = channel;
        this.readOnly = readOnly;
        this.sectors = sectors;
    }

    public static DiskImage open(Path path, boolean readOnly) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException("disk image " + path + " does not exist or is not a regular file");
        }
        FileChannel ch = readOnly ? FileChannel.open(path, StandardOpenOption.READ)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long sectors = ch.size() / SECTOR_SIZE;
        if (sectors == 0) {
            ch.close();
            throw new IOException("disk image " + path + " is smaller than one sector (" + Files.size(path) + " bytes)");
        }
        return new DiskImage(path, ch, readOnly, sectors);
    }

    public Path path() {
        return path;
    }

    public boolean readOnly() {
        return readOnly;
    }

    public long sectors() {
        return sectors;
    }

    /** Fills {@code dst} from byte {@code position} of the disk; a short file is an error. */
    public void read(long position, ByteBuffer dst) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, at);
            if (n < 0) {
                throw new IOException(String.format("%s ends at byte %d, before sector %d", path, at,
                        at / SECTOR_SIZE));
            }
            at += n;
        }
    }

    public void write(long position, ByteBuffer src) throws IOException {
        if (readOnly) {
            throw new IOException(path + " is read-only");
        }
        long at = position;
        while (src.hasRemaining()) {
            at += channel.write(src, at);
        }
    }

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
