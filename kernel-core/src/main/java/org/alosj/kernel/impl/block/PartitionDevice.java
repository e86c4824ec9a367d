package org.alosj.kernel.impl.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.alosj.kernel.device.BlockDevice;

/** A partition: a window of its disk's sectors, through the disk's request queue. */
final class PartitionDevice implements BlockDevice {
    final String name;
    final RequestQueue disk;
    final int number;
    final long start;
    private final long sectors;

    PartitionDevice(String name, RequestQueue disk, int number, long start, long sectors) {
        this.name = name;
        this.disk = disk;
        this.number = number;
        this.start = start;
        this.sectors = sectors;
    }

    @Override
    public int sectorSize() {
        return disk.sectorSize();
    }

    @Override
    public long sectorCount() {
        return sectors;
    }

    @Override
    public boolean readOnly() {
        return disk.readOnly();
    }

    private void check(long lba, int bytes, String what) throws IOException {
        long n = bytes / disk.sectorSize();
        if (lba < 0 || lba > sectors - n) {
            throw new IOException(name + ": " + what + " of sectors " + lba + "-" + (lba + n - 1)
                    + " beyond the end of the partition (" + sectors + " sectors)");
        }
    }

    @Override
    public void read(long lba, ByteBuffer dst) throws IOException {
        check(lba, dst.remaining(), "read");
        disk.read(start + lba, dst);
    }

    @Override
    public void write(long lba, ByteBuffer src) throws IOException {
        check(lba, src.remaining(), "write");
        disk.write(start + lba, src);
    }

    @Override
    public void flush() throws IOException {
        disk.flush();
    }

    @Override
    public String toString() {
        return name;
    }
}
