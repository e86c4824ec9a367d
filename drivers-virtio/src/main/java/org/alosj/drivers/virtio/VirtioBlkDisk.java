package org.alosj.drivers.virtio;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.irq.InterruptRegistration;
import org.alosj.kernel.pci.MessageInterrupts;
import org.alosj.kernel.mem.DmaBuffer;
import org.alosj.kernel.pci.PciDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A virtio-blk device (virtio 1.x section 5.2) as a BlockDevice. Requests from any thread take
 * one of {@value #SLOTS} request slots, each with its own header, status byte, indirect table
 * and a DMA bounce buffer of up to {@value #MAX_CHUNK} bytes; a larger request goes through its
 * slot in pieces. The chain is header (device reads), data (reads or writes), status (writes),
 * in an indirect table when VIRTIO_RING_F_INDIRECT_DESC was negotiated, else three ring
 * descriptors. The interrupt handler harvests used chains and completes their requests.
 *
 * <p>Locking: {@code lock} covers the queue (adding, kicking, harvesting), which callers and
 * the interrupt handler share. Closing fails new requests at once, waits for those in flight,
 * then resets the device before any memory is freed.
 */
final class VirtioBlkDisk implements BlockDevice {
    private static final Logger LOG = LoggerFactory.getLogger("drivers.virtio_blk");

    // ---- features ----
    static final int VIRTIO_BLK_F_SIZE_MAX = 1;
    static final int VIRTIO_BLK_F_SEG_MAX = 2;
    static final int VIRTIO_BLK_F_RO = 5;
    static final int VIRTIO_BLK_F_BLK_SIZE = 6;
    static final int VIRTIO_BLK_F_FLUSH = 9;
    // ---- configuration ----
    static final int VIRTIO_BLK_CFG_CAPACITY = 0x00;
    static final int VIRTIO_BLK_CFG_SIZE_MAX = 0x08;
    static final int VIRTIO_BLK_CFG_SEG_MAX = 0x0C;
    static final int VIRTIO_BLK_CFG_BLK_SIZE = 0x14;
    // ---- requests ----
    static final int VIRTIO_BLK_T_IN = 0;
    static final int VIRTIO_BLK_T_OUT = 1;
    static final int VIRTIO_BLK_T_FLUSH = 4;
    static final int VIRTIO_BLK_T_GET_ID = 8;
    static final int VIRTIO_BLK_S_OK = 0;
    static final int VIRTIO_BLK_S_IOERR = 1;
    static final int VIRTIO_BLK_S_UNSUPP = 2;
    static final int VIRTIO_BLK_ID_BYTES = 20;

    static final int SECTOR_SIZE = 512;
    static final int SLOTS = 16;
    static final int MAX_CHUNK = 128 * 1024;
    static final int QUEUE_SIZE = 128;
    /** How long a request may take before the disk is declared dead (the device answers at once). */
    static final long REQUEST_TIMEOUT_MS = 30_000;
    // Layout of a slot's control page.
    static final int HEADER = 0;
    static final int STATUS = 16;
    static final int TABLE = 64;

    /** One request slot: its control page, its bounce buffer and the request in it. */
    private static final class Slot {
        final DmaBuffer control;
        final DmaBuffer data;
        CompletableFuture<Integer> done;

        Slot(DmaBuffer control, DmaBuffer data) {
            this.control = control;
            this.data = data;
        }
    }

    final String name;
    private final PciDevice device;
    private final Transport transport;
    private final SplitQueue queue;
    private final boolean indirect;
    private final long sectors;
    private final boolean readOnly;
    private final boolean flushSupported;
    private final int chunk;
    private final int segmentMax;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayBlockingQueue<Slot> idle = new ArrayBlockingQueue<>(SLOTS);
    private final List<Slot> slots = new ArrayList<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final InterruptRegistration irq;
    /** MSI-X entries 0 (configuration) and 1 (the request queue), or null on INTx. */
    private final MessageInterrupts msix;
    private volatile boolean started;
    /** What to do when the device asks for a reset: the driver binds it again (from another thread). */
    private final Runnable onNeedsReset;
    private volatile boolean broken;
    /** Set once the device was reset on the way out: the handler leaves it alone from then on. */
    private volatile boolean quiesced;
    /** What GET_ID said, set once during bring-up. */
    private volatile String serialValue;

    private VirtioBlkDisk(String name, PciDevice device, Transport transport, long features, Runnable onNeedsReset) {
        this.name = name;
        this.onNeedsReset = onNeedsReset;
        this.device = device;
        this.transport = transport;
        this.indirect = (features & 1L << Transport.VIRTIO_RING_F_INDIRECT_DESC) != 0;
        this.readOnly = (features & 1L << VIRTIO_BLK_F_RO) != 0;
        this.flushSupported = (features & 1L << VIRTIO_BLK_F_FLUSH) != 0;
        int blkSize = (features & 1L << VIRTIO_BLK_F_BLK_SIZE) != 0 ? transport.config32(VIRTIO_BLK_CFG_BLK_SIZE) : SECTOR_SIZE;
        if (blkSize != SECTOR_SIZE) {
            LOG.info("{}: the device's block size is {}; requests are made of 512-byte sectors all the same", name, blkSize);
        }
        int sizeMax = (features & 1L << VIRTIO_BLK_F_SIZE_MAX) != 0 ? transport.config32(VIRTIO_BLK_CFG_SIZE_MAX) : 0;
        int segMax = (features & 1L << VIRTIO_BLK_F_SEG_MAX) != 0 ? transport.config32(VIRTIO_BLK_CFG_SEG_MAX) : 0;
        this.segmentMax = sizeMax >= 4096 ? Math.min(MAX_CHUNK, sizeMax & ~(SECTOR_SIZE - 1)) : MAX_CHUNK;
        int segments = segMax >= 1 ? Math.min(segMax, 3) : 3;
        this.chunk = Math.max(SECTOR_SIZE, Math.min(MAX_CHUNK, segmentMax * segments) & ~(SECTOR_SIZE - 1));
        this.sectors = transport.config64(VIRTIO_BLK_CFG_CAPACITY);
        MessageInterrupts m = VirtioNetNic.enableMsix(device, transport, name,
                List.of(this::configInterrupt, this::queueInterrupt));
        try {
            this.queue = SplitQueue.create(transport, device.dma(), 0, QUEUE_SIZE,
                    (features & 1L << Transport.VIRTIO_RING_F_EVENT_IDX) != 0, "virtio_blk " + name + " queue");
        } catch (RuntimeException e) {
            if (m != null) {
                m.close();
            }
            throw e;
        }
        InterruptRegistration registration = null;
        try {
            for (int i = 0; i < SLOTS; i++) {
                DmaBuffer control = device.dma().allocate(4096, 4096, "virtio_blk " + name + " request");
                DmaBuffer data;
                try {
                    data = device.dma().allocate(chunk, 4096, "virtio_blk " + name + " buffer");
                } catch (RuntimeException e) {
                    control.close();
                    throw e;
                }
                Slot s = new Slot(control, data);
                slots.add(s);
                idle.add(s);
            }
            if (m == null) {
                registration = device.requestIrq("virtio_blk " + name, this::handleInterrupt);
            }
        } catch (RuntimeException e) {
            if (m != null) {
                m.close();
            }
            freeMemory();
            queue.close();
            throw e;
        }
        this.irq = registration;
        this.msix = m;
        this.started = true;
    }

    /** How the device interrupts: {@code PCI-MSI-X} or {@code INTx}. */
    String interruptMode() {
        return msix != null ? msix.kind() : "INTx";
    }

    // ---- interrupt context, MSI-X: one vector a source, no ISR to read ----

    private boolean configInterrupt(int vector) {
        if (!started || quiesced) {
            return false;
        }
        if ((transport.status() & Transport.VIRTIO_CONFIG_S_NEEDS_RESET) != 0 && !broken) {
            LOG.error("{}: the device set DEVICE_NEEDS_RESET; failing its requests and binding it again", name);
            broken = true;
            failInFlight(new IOException(name + ": the device needs a reset (DEVICE_NEEDS_RESET)"));
            onNeedsReset.run();
        }
        return true;
    }

    private boolean queueInterrupt(int vector) {
        if (!started || quiesced) {
            return false;
        }
        harvest();
        return true;
    }

    /**
     * Brings the device up: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK (modern), the
     * queue, DRIVER_OK. On failure the device is left reset and everything taken is given back.
     */
    static VirtioBlkDisk open(String name, PciDevice device, Transport transport, Runnable onNeedsReset) {
        transport.reset();
        transport.addStatus(Transport.VIRTIO_CONFIG_S_ACKNOWLEDGE);
        transport.addStatus(Transport.VIRTIO_CONFIG_S_DRIVER);
        long offered = transport.deviceFeatures();
        long wanted = 1L << VIRTIO_BLK_F_SIZE_MAX | 1L << VIRTIO_BLK_F_SEG_MAX | 1L << VIRTIO_BLK_F_RO
                | 1L << VIRTIO_BLK_F_BLK_SIZE | 1L << VIRTIO_BLK_F_FLUSH
                | 1L << Transport.VIRTIO_RING_F_INDIRECT_DESC | 1L << Transport.VIRTIO_RING_F_EVENT_IDX
                | (transport.modern() ? 1L << Transport.VIRTIO_F_VERSION_1 : 0);
        long features = offered & wanted;
        VirtioDevices.negotiate(transport, features);
        device.setBusMaster(true);
        VirtioBlkDisk disk;
        try {
            disk = new VirtioBlkDisk(name, device, transport, features, onNeedsReset);
        } catch (RuntimeException e) {
            transport.reset();
            transport.addStatus(Transport.VIRTIO_CONFIG_S_FAILED);
            device.setBusMaster(false);
            throw e;
        }
        transport.addStatus(Transport.VIRTIO_CONFIG_S_DRIVER_OK);
        disk.identify();
        LOG.info("{}: {} virtio-blk ({}), {} sectors ({} MiB){}{}{}", device.address(), name, transport.describe(),
                disk.sectors, disk.sectors >> 11, disk.readOnly ? ", read-only" : "",
                disk.indirect ? ", indirect descriptors" : "", disk.serial().isEmpty() ? "" : ", serial " + disk.serial());
        return disk;
    }

    /** GET_ID, where the device supports it: its serial, or empty. */
    private void identify() {
        try {
            byte[] id = new byte[VIRTIO_BLK_ID_BYTES];
            int status = run(VIRTIO_BLK_T_GET_ID, 0, id, 0, VIRTIO_BLK_ID_BYTES, true);
            int n = 0;
            while (n < id.length && id[n] != 0) {
                n++;
            }
            serialValue = status == VIRTIO_BLK_S_OK ? new String(id, 0, n, java.nio.charset.StandardCharsets.US_ASCII) : "";
        } catch (IOException e) {
            serialValue = "";
        }
    }

    String serial() {
        return serialValue == null ? "" : serialValue;
    }

    // ---- BlockDevice ----

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

    private void check(long lba, ByteBuffer buffer, String what) throws IOException {
        int bytes = buffer.remaining();
        if (bytes % SECTOR_SIZE != 0) {
            throw new IOException(String.format("%s: %s of %d bytes is not a whole number of %d-byte sectors",
                    name, what, bytes, SECTOR_SIZE));
        }
        long count = bytes / SECTOR_SIZE;
        if (lba < 0 || lba > sectors - count) {
            throw new IOException(String.format("%s: %s of %d sectors at LBA %d is outside the disk (%d sectors)",
                    name, what, count, lba, sectors));
        }
    }

    @Override
    public void read(long lba, ByteBuffer dst) throws IOException {
        check(lba, dst, "read");
        transfer(VIRTIO_BLK_T_IN, lba, dst);
    }

    @Override
    public void write(long lba, ByteBuffer src) throws IOException {
        check(lba, src, "write");
        if (readOnly && src.hasRemaining()) {
            throw new IOException(name + ": the disk is read-only (VIRTIO_BLK_F_RO)");
        }
        transfer(VIRTIO_BLK_T_OUT, lba, src);
    }

    @Override
    public void flush() throws IOException {
        if (flushSupported) {
            expectOk(run(VIRTIO_BLK_T_FLUSH, 0, null, 0, 0, false), VIRTIO_BLK_T_FLUSH, 0);
        }
    }

    private void transfer(int type, long lba, ByteBuffer buffer) throws IOException {
        boolean in = type == VIRTIO_BLK_T_IN;
        byte[] stage = new byte[Math.min(chunk, buffer.remaining())];
        long sector = lba;
        while (buffer.hasRemaining()) {
            int n = Math.min(chunk, buffer.remaining());
            if (!in) {
                buffer.get(stage, 0, n);
            }
            expectOk(run(type, sector, stage, 0, n, in), type, sector);
            if (in) {
                buffer.put(stage, 0, n);
            }
            sector += n / SECTOR_SIZE;
        }
    }

    private void expectOk(int status, int type, long sector) throws IOException {
        if (status == VIRTIO_BLK_S_OK) {
            return;
        }
        String what = switch (type) {
            case VIRTIO_BLK_T_IN -> "read";
            case VIRTIO_BLK_T_OUT -> "write";
            case VIRTIO_BLK_T_FLUSH -> "flush";
            default -> "request " + type;
        };
        throw new IOException(String.format("%s: %s at sector %d failed: status %d (%s)", name, what, sector, status,
                status == VIRTIO_BLK_S_IOERR ? "VIRTIO_BLK_S_IOERR" : status == VIRTIO_BLK_S_UNSUPP
                        ? "VIRTIO_BLK_S_UNSUPP" : "unknown"));
    }

    /**
     * One request through a slot: copies {@code length} bytes of {@code data} in (for the device
     * to read) or out (after the device wrote them), and returns the device's status byte.
     */
    private int run(int type, long sector, byte[] data, int offset, int length, boolean deviceWrites) throws IOException {
        if (closing.get() || broken) {
            throw new IOException(name + ": the device is going away (driver unbound)");
        }
        Slot slot;
        try {
            while ((slot = idle.poll(100, TimeUnit.MILLISECONDS)) == null) {
                if (closing.get() || broken) {
                    throw new IOException(name + ": the device is going away (driver unbound)");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(name + ": interrupted while waiting for a request slot");
        }
        try {
            if (closing.get() || broken) {
                throw new IOException(name + ": the device is going away (driver unbound)");
            }
            slot.control.write32(HEADER, type);
            slot.control.write32(HEADER + 4, 0);
            slot.control.write64(HEADER + 8, sector);
            slot.control.write8(STATUS, 0xFF);
            if (length > 0 && !deviceWrites) {
                slot.data.write(0, data, offset, length);
            }
            int dataSegments = length == 0 ? 0 : (length + segmentMax - 1) / segmentMax;
            long[] addresses = new long[2 + dataSegments];
            int[] lengths = new int[addresses.length];
            addresses[0] = slot.control.physicalAddress() + HEADER;
            lengths[0] = 16;
            for (int i = 0; i < dataSegments; i++) {
                addresses[1 + i] = slot.data.physicalAddress() + (long) i * segmentMax;
                lengths[1 + i] = Math.min(segmentMax, length - i * segmentMax);
            }
            addresses[addresses.length - 1] = slot.control.physicalAddress() + STATUS;
            lengths[lengths.length - 1] = 1;
            int readable = deviceWrites ? 1 : 1 + dataSegments;
            slot.done = new CompletableFuture<>();
            lock.lock();
            try {
                boolean added;
                if (indirect) {
                    for (int i = 0; i < addresses.length; i++) {
                        int at = TABLE + 16 * i;
                        int flags = (i < addresses.length - 1 ? SplitQueue.VRING_DESC_F_NEXT : 0)
                                | (i >= readable ? SplitQueue.VRING_DESC_F_WRITE : 0);
                        slot.control.write64(at, addresses[i]);
                        slot.control.write32(at + 8, lengths[i]);
                        slot.control.write16(at + 12, flags);
                        slot.control.write16(at + 14, i + 1);
                    }
                    added = queue.addIndirect(slot.control.physicalAddress() + TABLE, addresses.length, slot);
                } else {
                    added = queue.add(addresses, lengths, readable, slot);
                }
                if (!added) {
                    // Sixteen slots of at most five descriptors fit a 128-entry queue: this is a bug.
                    throw new IOException(name + ": no room in the queue for a request");
                }
                queue.kick();
            } finally {
                lock.unlock();
            }
            int status;
            try {
                status = slot.done.get(REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                // The device still owns the slot's memory: wait for it before reusing the slot.
                awaitQuietly(slot);
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(name + ": interrupted while waiting for the device");
            } catch (ExecutionException e) {
                throw new IOException(name + ": " + e.getCause().getMessage(), e.getCause());
            } catch (TimeoutException e) {
                broken = true;
                LOG.error("{}: the device did not complete a request in {} ms; disk failed", name, REQUEST_TIMEOUT_MS);
                throw new IOException(name + ": the device did not answer in " + REQUEST_TIMEOUT_MS + " ms");
            }
            if (length > 0 && deviceWrites && status == VIRTIO_BLK_S_OK) {
                slot.data.read(0, data, offset, length);
            }
            return status;
        } finally {
            if (!broken) {
                idle.add(slot);
            }
        }
    }

    private static void awaitQuietly(Slot slot) {
        try {
            slot.done.get(REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the slot's request failed or the device is dead; either way it is over
        }
    }

    // ---- interrupt context ----

    private boolean handleInterrupt(int line) {
        // Quiesced first: a handler still running as the next driver takes the device over must
        // not read (and so clear) the ISR that is now that driver's.
        int isr;
        lock.lock(); // close() sets quiesced under it
        try {
            if (quiesced) {
                return false;
            }
            isr = transport.readIsr();
        } finally {
            lock.unlock();
        }
        if (isr == 0xFF && !device.present()) {
            return false;
        }
        if ((isr & (Transport.VIRTIO_PCI_ISR_QUEUE | Transport.VIRTIO_PCI_ISR_CONFIG)) == 0) {
            return false;
        }
        if ((isr & Transport.VIRTIO_PCI_ISR_CONFIG) != 0
                && (transport.status() & Transport.VIRTIO_CONFIG_S_NEEDS_RESET) != 0) {
            if (!broken) {
                LOG.error("{}: the device set DEVICE_NEEDS_RESET; failing its requests and binding it again", name);
                broken = true;
                failInFlight(new IOException(name + ": the device needs a reset (DEVICE_NEEDS_RESET)"));
                onNeedsReset.run();
            }
            return true;
        }
        harvest();
        return true;
    }

    private void harvest() {
        lock.lock();
        try {
            do {
                SplitQueue.Used u;
                while ((u = queue.next()) != null) {
                    Slot slot = (Slot) u.token();
                    slot.done.complete(slot.control.read8(STATUS));
                }
            } while (queue.enableInterrupts());
        } catch (IllegalStateException e) {
            LOG.error("{}: {}", name, e.getMessage());
            broken = true;
        } finally {
            lock.unlock();
        }
    }

    private void failInFlight(IOException e) {
        lock.lock();
        try {
            for (Object t : queue.inFlight()) {
                CompletableFuture<Integer> f = ((Slot) t).done;
                if (f != null) {
                    f.completeExceptionally(e);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- unbinding ----

    /**
     * Fails new requests, lets those in flight finish, resets the device (its DMA stops), then
     * gives back the interrupt handler, the queue and the buffers. Idempotent.
     */
    void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        boolean present = device.present();
        if (present && !broken) {
            // Every slot back in the idle queue means nothing is in flight.
            List<Slot> taken = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REQUEST_TIMEOUT_MS);
            while (taken.size() < SLOTS && System.nanoTime() < deadline) {
                try {
                    Slot s = idle.poll(100, TimeUnit.MILLISECONDS);
                    if (s != null) {
                        taken.add(s);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        lock.lock();
        try {
            quiesced = true;
            if (present) {
                transport.reset();
            }
        } finally {
            lock.unlock();
        }
        failInFlight(new IOException(name + ": the device went away"));
        if (msix != null) {
            msix.close();
        }
        if (irq != null) {
            irq.close();
        }
        lock.lock();
        try {
            queue.close();
            freeMemory();
        } finally {
            lock.unlock();
        }
        if (present) {
            device.setBusMaster(false);
        }
        LOG.info("{}: {} stopped{}", device.address(), name, present ? "" : " (device gone)");
    }

    private void freeMemory() {
        for (Slot s : slots) {
            s.control.close();
            s.data.close();
        }
        slots.clear();
    }

    @Override
    public String toString() {
        return name + " (virtio-blk, " + sectors + " sectors)";
    }
}
