package org.alosj.hw.virtio.impl;

import org.alosj.hal.storage.DiskImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.nio.charset.StandardCharsets;
import org.alosj.hal.bus.MemoryBus;

/**
 * virtio-blk (virtio 1.x section 5.2) over a raw image, as QEMU's {@code virtio-blk-pci}
 * presents it: one request queue of {@value #QUEUE_SIZE}; a request is a chain of a 16-byte
 * header {le32 type, le32 reserved, le64 sector} the device reads, the data (read for OUT,
 * written for IN) and one status byte the device writes last. Features: SIZE_MAX, SEG_MAX,
 * GEOMETRY, BLK_SIZE, TOPOLOGY, FLUSH, and RO for a read-only image.
 *
 * <p>Requests run in the thread that notified the queue, as QEMU runs them in the vCPU thread
 * without an I/O thread: the chain is done (and the interrupt raised) before the notification
 * write returns. A request the device can read but not serve (outside the disk, not whole
 * sectors, a write to a read-only image, an I/O error of the host) completes with IOERR; a chain
 * without a header or a status byte is a driver bug that sets DEVICE_NEEDS_RESET.
 */
public final class VirtioBlk extends VirtioPci {
    public static final int PCI_CLASS_STORAGE_SCSI = 0x010000;
    static final int QUEUE_SIZE = 256;
    /** QEMU's legacy BAR for virtio-blk: 128 bytes of I/O. */
    static final int LEGACY_IO_SIZE = 0x80;
    static final int MSIX_VECTORS = 2;

    // ---- feature bits ----
    public static final int VIRTIO_BLK_F_SIZE_MAX = 1;
    public static final int VIRTIO_BLK_F_SEG_MAX = 2;
    public static final int VIRTIO_BLK_F_GEOMETRY = 4;
    public static final int VIRTIO_BLK_F_RO = 5;
    public static final int VIRTIO_BLK_F_BLK_SIZE = 6;
    public static final int VIRTIO_BLK_F_FLUSH = 9;
    public static final int VIRTIO_BLK_F_TOPOLOGY = 10;

    // ---- struct virtio_blk_config ----
    public static final int VIRTIO_BLK_CFG_CAPACITY = 0x00;
    public static final int VIRTIO_BLK_CFG_SIZE_MAX = 0x08;
    public static final int VIRTIO_BLK_CFG_SEG_MAX = 0x0C;
    public static final int VIRTIO_BLK_CFG_CYLINDERS = 0x10;
    public static final int VIRTIO_BLK_CFG_HEADS = 0x12;
    public static final int VIRTIO_BLK_CFG_SECTORS = 0x13;
    public static final int VIRTIO_BLK_CFG_BLK_SIZE = 0x14;
    public static final int VIRTIO_BLK_CFG_PHYSICAL_BLOCK_EXP = 0x18;
    public static final int VIRTIO_BLK_CFG_WRITEBACK = 0x20;
    public static final int VIRTIO_BLK_CFG_NUM_QUEUES = 0x22;
    static final int CONFIG_SIZE = 0x3C;

    // ---- requests ----
    public static final int VIRTIO_BLK_T_IN = 0;
    public static final int VIRTIO_BLK_T_OUT = 1;
    public static final int VIRTIO_BLK_T_FLUSH = 4;
    public static final int VIRTIO_BLK_T_GET_ID = 8;
    public static final int VIRTIO_BLK_S_OK = 0;
    public static final int VIRTIO_BLK_S_IOERR = 1;
    public static final int VIRTIO_BLK_S_UNSUPP = 2;
    static final int REQUEST_HEADER_SIZE = 16;
    public static final int VIRTIO_BLK_ID_BYTES = 20;
    static final int SECTOR_SIZE = DiskImage.SECTOR_SIZE;
    /** The largest segment and the most segments a request may have (SIZE_MAX, SEG_MAX). */
    static final int SIZE_MAX = 1 << 20;
    static final int SEG_MAX = QUEUE_SIZE - 2;
    static final int HEADS = 16;
    static final int SECTORS_PER_TRACK = 63;
    private static final int STAGE_SIZE = 1 << 16;

    private final DiskImage image;
    private final byte[] serial;
    private final byte[] stage = new byte[STAGE_SIZE];
    private final byte[] header = new byte[REQUEST_HEADER_SIZE];
    private long requests;

    VirtioBlk(String name, MemoryBus bus, Mode mode, DiskImage image, String serial) {
        super(name, bus, VIRTIO_ID_BLOCK, PCI_DEVICE_ID_VIRTIO_BLOCK, PCI_CLASS_STORAGE_SCSI, mode, LEGACY_IO_SIZE,
                MSIX_VECTORS, new int[] {QUEUE_SIZE});
        this.image = image;
        this.serial = serial.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    protected long deviceFeatures() {
        long f = 1L << VIRTIO_BLK_F_SIZE_MAX | 1L << VIRTIO_BLK_F_SEG_MAX | 1L << VIRTIO_BLK_F_GEOMETRY
                | 1L << VIRTIO_BLK_F_BLK_SIZE | 1L << VIRTIO_BLK_F_FLUSH | 1L << VIRTIO_BLK_F_TOPOLOGY;
        return image.readOnly() ? f | 1L << VIRTIO_BLK_F_RO : f;
    }

    @Override
    protected int deviceConfigSize() {
        return CONFIG_SIZE;
    }

    @Override
    protected long readDeviceConfig(int offset, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            v |= (long) configByte(offset + i) << (8 * i);
        }
        return v;
    }

    private int configByte(int at) {
        long sectors = image.sectors();
        long cylinders = Math.min(0xFFFF, sectors / (HEADS * SECTORS_PER_TRACK));
        if (at < VIRTIO_BLK_CFG_SIZE_MAX) {
            return (int) (sectors >>> (8 * at)) & 0xFF;
        }
        if (at < VIRTIO_BLK_CFG_SEG_MAX) {
            return SIZE_MAX >>> (8 * (at - VIRTIO_BLK_CFG_SIZE_MAX)) & 0xFF;
        }
        if (at < VIRTIO_BLK_CFG_CYLINDERS) {
            return SEG_MAX >>> (8 * (at - VIRTIO_BLK_CFG_SEG_MAX)) & 0xFF;
        }
        return switch (at) {
            case VIRTIO_BLK_CFG_CYLINDERS -> (int) cylinders & 0xFF;
            case VIRTIO_BLK_CFG_CYLINDERS + 1 -> (int) (cylinders >>> 8) & 0xFF;
            case VIRTIO_BLK_CFG_HEADS -> HEADS;
            case VIRTIO_BLK_CFG_SECTORS -> SECTORS_PER_TRACK;
            case VIRTIO_BLK_CFG_BLK_SIZE -> SECTOR_SIZE & 0xFF;
            case VIRTIO_BLK_CFG_BLK_SIZE + 1 -> SECTOR_SIZE >>> 8;
            case VIRTIO_BLK_CFG_WRITEBACK -> 1;
            case VIRTIO_BLK_CFG_NUM_QUEUES -> 1;
            default -> 0;
        };
    }

    @Override
    protected void resetVirtioDevice() {
        // No request outlives the notification that brought it: nothing in flight to drop.
    }

    @Override
    protected void queueNotified(Virtqueue q) throws Virtqueue.GuestError {
        Virtqueue.Chain chain;
        while (live() && (chain = pop(q)) != null) {
            int written = serve(chain);
            push(q, chain, written);
            requests++;
        }
        publish(q);
    }

    /** Serves one request; returns the bytes written into the chain (data and status). */
    private int serve(Virtqueue.Chain chain) throws Virtqueue.GuestError {
        long readable = chain.readableBytes();
        long writable = chain.writableBytes();
        if (readable < REQUEST_HEADER_SIZE || writable < 1) {
            throw new Virtqueue.GuestError(String.format(
                    "request at descriptor %d has %d readable and %d writable bytes: no header or no status byte",
                    chain.head(), readable, writable));
        }
        var mem = dma();
        chain.gather(mem, 0, header, 0, REQUEST_HEADER_SIZE);
        ByteBuffer h = ByteBuffer.wrap(header).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int type = h.getInt(0);
        long sector = h.getLong(8);
        long statusAt = writable - 1;
        int status;
        long dataWritten = 0;
        switch (type) {
            case VIRTIO_BLK_T_IN -> {
                long length = writable - 1;
                status = checkRange(sector, length, "read");
                if (status == VIRTIO_BLK_S_OK) {
                    status = transfer(chain, sector, length, true);
                    dataWritten = status == VIRTIO_BLK_S_OK ? length : 0;
                }
            }
            case VIRTIO_BLK_T_OUT -> {
                long length = readable - REQUEST_HEADER_SIZE;
                status = image.readOnly() ? VIRTIO_BLK_S_IOERR : checkRange(sector, length, "write");
                if (image.readOnly()) {
                    guestError("write of %d bytes at sector %d to the read-only %s", length, sector, image.path());
                }
                if (status == VIRTIO_BLK_S_OK) {
                    status = transfer(chain, sector, length, false);
                }
            }
            case VIRTIO_BLK_T_FLUSH -> {
                status = VIRTIO_BLK_S_OK;
                try {
                    image.flush();
                } catch (IOException e) {
                    log.error("{}: flush of {} failed: {}", name(), image.path(), e.getMessage());
                    status = VIRTIO_BLK_S_IOERR;
                }
            }
            case VIRTIO_BLK_T_GET_ID -> {
                int n = (int) Math.min(VIRTIO_BLK_ID_BYTES, writable - 1);
                byte[] id = new byte[n];
                System.arraycopy(serial, 0, id, 0, Math.min(serial.length, n));
                chain.scatter(mem, 0, id, 0, n);
                dataWritten = n;
                status = VIRTIO_BLK_S_OK;
            }
            default -> {
                guestError("request type %d is not supported", type);
                status = VIRTIO_BLK_S_UNSUPP;
            }
        }
        stage[0] = (byte) status;
        chain.scatter(mem, statusAt, stage, 0, 1);
        return (int) Math.min(Integer.MAX_VALUE, dataWritten + 1);
    }

    private int checkRange(long sector, long length, String what) {
        if (length % SECTOR_SIZE != 0) {
            guestError("%s of %d bytes at sector %d is not a whole number of sectors", what, length, sector);
            return VIRTIO_BLK_S_IOERR;
        }
        long count = length / SECTOR_SIZE;
        if (sector < 0 || sector > image.sectors() || count > image.sectors() - sector) {
            guestError("%s of %d sectors at sector %d is outside the disk (%d sectors)", what, count, sector,
                    image.sectors());
            return VIRTIO_BLK_S_IOERR;
        }
        return VIRTIO_BLK_S_OK;
    }

    /**
     * Moves the data between the image and the chain: a read straight into guest RAM when every
     * data buffer is plain RAM (as QEMU maps a DMA buffer), otherwise through the staging buffer.
     */
    private int transfer(Virtqueue.Chain chain, long sector, long length, boolean read) {
        var mem = dma();
        long done = 0;
        try {
            if (read && readInPlace(chain, sector * SECTOR_SIZE, length)) {
                return VIRTIO_BLK_S_OK;
            }
            while (done < length) {
                int n = (int) Math.min(STAGE_SIZE, length - done);
                ByteBuffer b = ByteBuffer.wrap(stage, 0, n);
                long at = sector * SECTOR_SIZE + done;
                if (read) {
                    image.read(at, b);
                    chain.scatter(mem, done, stage, 0, n);
                } else {
                    chain.gather(mem, REQUEST_HEADER_SIZE + done, stage, 0, n);
                    image.write(at, b);
                }
                done += n;
            }
            return VIRTIO_BLK_S_OK;
        } catch (IOException e) {
            log.error("{}: {} of {} bytes at sector {} failed: {}", name(), read ? "read" : "write", length, sector,
                    e.getMessage());
            return VIRTIO_BLK_S_IOERR;
        }
    }

    /**
     * Reads {@code length} bytes of the image from {@code position} into the chain's writable
     * buffers where they lie in guest RAM; false, having read nothing, when one of them is not a
     * single run of RAM (or bus mastering is off).
     */
    private boolean readInPlace(Virtqueue.Chain chain, long position, long length) throws IOException {
        List<ByteBuffer> targets = new ArrayList<>();
        long left = length;
        int[] at = new int[1];
        for (Virtqueue.Segment s : chain.writable()) {
            if (left == 0) {
                break;
            }
            int n = (int) Math.min(s.length(), left);
            byte[] ram = mapForWrite(s.address(), n, at);
            if (ram == null) {
                return false;
            }
            targets.add(ByteBuffer.wrap(ram, at[0], n));
            left -= n;
        }
        if (left != 0) {
            return false; // the staging path reports the short chain as it always has
        }
        long p = position;
        for (ByteBuffer b : targets) {
            int n = b.remaining();
            image.read(p, b);
            p += n;
        }
        return true;
    }

    /** Requests served since power-on (tests, diagnostics). */
    public synchronized long requests() {
        return requests;
    }

    DiskImage image() {
        return image;
    }
}
