package org.alosj.drivers.ata;

import static org.alosj.drivers.ata.AtaRegisters.SECTOR_SIZE;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.alosj.kernel.device.BlockDevice;

/**
 * One ATA disk as a BlockDevice: checks the request, then queues it on its channel, whose worker
 * runs the commands one at a time. Named by position: hda primary master, hdb primary slave, hdc
 * and hdd on the secondary channel.
 */
final class AtaDisk implements BlockDevice {
    private final IdeChannel channel;
    final String name;
    final int unit;
    final AtaIdentity identity;
    /** Whether this disk moves data by bus-master DMA (else PIO). */
    final boolean dma;
    /** Sectors per DRQ block of READ/WRITE MULTIPLE, 0 when multiple mode is off. */
    volatile int multiple;
    /** The medium said it is write-protected (GET MEDIA STATUS: WP). */
    final boolean writeProtected;

    AtaDisk(IdeChannel channel, String name, int unit, AtaIdentity identity, boolean dma, boolean writeProtected) {
        this.channel = channel;
        this.name = name;
        this.unit = unit;
        this.identity = identity;
        this.dma = dma;
        this.writeProtected = writeProtected;
    }

    @Override
    public int sectorSize() {
        return SECTOR_SIZE;
    }

    @Override
    public long sectorCount() {
        return identity.sectors();
    }

    /**
     * Fixed ATA disks cannot say they are write-protected; a removable medium does, through the
     * Removable Media Status Notification feature set (as a read-only image is presented).
     */
    @Override
    public boolean readOnly() {
        return writeProtected;
    }

    private void check(long lba, ByteBuffer buffer, String what) throws IOException {
        int bytes = buffer.remaining();
        if (bytes % SECTOR_SIZE != 0) {
            throw new IOException(String.format("%s: %s of %d bytes is not a whole number of %d-byte sectors",
                    name, what, bytes, SECTOR_SIZE));
        }
        long count = bytes / SECTOR_SIZE;
        if (lba < 0 || lba > sectorCount() - count) {
            throw new IOException(String.format("%s: %s of %d sectors at LBA %d is outside the disk (%d sectors)",
                    name, what, count, lba, sectorCount()));
        }
    }

    @Override
    public void read(long lba, ByteBuffer dst) throws IOException {
        check(lba, dst, "read");
        if (dst.hasRemaining()) {
            channel.submit(this, IdeChannel.Op.READ, lba, dst);
        }
    }

    @Override
    public void write(long lba, ByteBuffer src) throws IOException {
        check(lba, src, "write");
        if (src.hasRemaining()) {
            channel.submit(this, IdeChannel.Op.WRITE, lba, src);
        }
    }

    @Override
    public void flush() throws IOException {
        channel.submit(this, IdeChannel.Op.FLUSH, 0, null);
    }

    @Override
    public String toString() {
        return name + " (" + identity.model() + ", " + identity.sectors() + " sectors, " + (dma ? "DMA" : "PIO") + ")";
    }
}
