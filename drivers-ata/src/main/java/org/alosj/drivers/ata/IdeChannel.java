package org.alosj.drivers.ata;

import static org.alosj.drivers.ata.AtaRegisters.*;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.alosj.kernel.irq.InterruptRegistration;
import org.alosj.kernel.mem.DmaBuffer;
import org.alosj.kernel.pci.IoRegion;
import org.alosj.kernel.pci.PciDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One IDE channel in compatibility mode: its legacy task file ports and ISA IRQ, its half of the
 * bus-master registers, and the disks found on it. Requests from any thread queue here; the
 * channel's own kernel thread runs them one at a time, as the cable allows only one command at
 * a time. The interrupt handler only acknowledges the device (reads Status, clears IDEINTS) and
 * wakes that thread, which moves PIO data and copies DMA buffers.
 *
 * <p>Waits: commands end on INTRQ, with a timeout after which the channel is reset; only the
 * short waits the protocol allows (400 ns after selecting a device, BSY after a reset, DRQ of
 * the first PIO data-out block) poll Alternate Status, and those are bounded.
 */
final class IdeChannel {
    private static final Logger LOG = LoggerFactory.getLogger("drivers.ata_piix");

    enum Op { READ, WRITE, FLUSH }

    /** How long a command may take before the channel is reset (ATA allows a device 30 s). */
    static final long COMMAND_TIMEOUT_MS = 10_000;
    private final long commandTimeoutMs;
    /** How long BSY may stay on after a reset. */
    static final long RESET_TIMEOUT_MS = 5_000;
    /** The DMA bounce buffer (256 KiB: five PRD regions at most, as it may straddle 64 KiB boundaries). */
    static final int DMA_BUFFER_SIZE = 4 * PRD_REGION;
    static final int LBA28_MAX_SECTORS = 256;

    private record Request(AtaDisk disk, Op op, long lba, ByteBuffer buffer, CompletableFuture<Void> done) {
    }

    private static final Request STOP = new Request(null, null, 0, null, null);

    private final PciDevice device;
    private final int channel;
    private final String name;
    private final IoRegion cmd;
    private final IoRegion ctl;
    private final IoRegion bm;
    private final int bmBase;
    private final Semaphore irqSignal = new Semaphore(0);
    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final List<AtaDisk> disks = new ArrayList<>();
    private final byte[] stage;
    private volatile int irqStatus;
    private volatile int irqBmisx;
    private volatile boolean closing;
    private InterruptRegistration irq;
    private DmaBuffer prdTable;
    private DmaBuffer dmaBuffer;
    private Thread worker;

    /**
     * @param bm the bus-master register window (BAR4), or null for PIO only
     */
    IdeChannel(PciDevice device, int channel, IoRegion bm, long commandTimeoutMs) {
        this.commandTimeoutMs = commandTimeoutMs;
        this.device = device;
        this.channel = channel;
        this.name = "ata" + (channel + 1);
        this.cmd = device.legacyIoRegion(LEGACY_COMMAND_BLOCK[channel], COMMAND_BLOCK_SIZE);
        this.ctl = device.legacyIoRegion(LEGACY_CONTROL_BLOCK[channel], 1);
        this.bm = bm;
        this.bmBase = 8 * channel;
        this.stage = bm != null ? new byte[DMA_BUFFER_SIZE] : null;
    }

    String name() {
        return name;
    }

    List<AtaDisk> disks() {
        return List.copyOf(disks);
    }

    // ---- bring-up ----

    /**
     * Resets the channel, finds its ATA disks (signature, IDENTIFY DEVICE) and sets them up.
     * Returns the disks found; the channel is ready for requests. Nothing here throws for an
     * empty or odd channel: it just has no disks.
     */
    List<AtaDisk> probe(boolean forcePio) throws InterruptedException {
        irq = device.requestLegacyIrq(LEGACY_IRQ[channel], "ata_piix " + name, this::handleInterrupt);
        if (bm != null && !forcePio) {
            prdTable = device.dma().allocate(4096, 4096, "ata_piix " + name + " PRD table");
            dmaBuffer = device.dma().allocate(DMA_BUFFER_SIZE, 4096, "ata_piix " + name + " DMA buffer");
            bm.out8(bmBase + BMICX, 0);
            bm.out8(bmBase + BMISX, BMISX_ERROR | BMISX_IDEINTS);
        }
        int status = ctl.in8(ATA_REG_ALT_STATUS);
        if (status == 0xFF) {
            LOG.info("{}: nothing decodes the task file (status reads FFh)", name);
            return List.of();
        }
        if (!softReset()) {
            LOG.warn("{}: BSY stayed on {} ms after a software reset; channel skipped", name, RESET_TIMEOUT_MS);
            return List.of();
        }
        int caps = 0;
        for (int unit = 0; unit < 2; unit++) {
            AtaDisk disk = probeUnit(unit, forcePio);
            if (disk != null) {
                disks.add(disk);
                if (disk.dma) {
                    caps |= unit == 0 ? BMISX_DMA0CAP : BMISX_DMA1CAP;
                }
            }
        }
        if (bm != null) {
            bm.out8(bmBase + BMISX, caps);
        }
        worker = new Thread(this::run, "ata_piix-" + name);
        worker.setDaemon(true);
        worker.start();
        return disks();
    }

    /** SRST with interrupts off, then wait (bounded) for BSY to clear. */
    private boolean softReset() {
        ctl.out8(ATA_REG_DEVICE_CONTROL, DEVICE_CONTROL_SRST | DEVICE_CONTROL_NIEN);
        LockSupport.parkNanos(5_000); // SRST must stay set at least 5 µs
        ctl.out8(ATA_REG_DEVICE_CONTROL, DEVICE_CONTROL_NIEN);
        LockSupport.parkNanos(2_000_000); // devices set BSY within 2 ms
        boolean ready = waitNotBusy(RESET_TIMEOUT_MS * 1_000_000L);
        ctl.out8(ATA_REG_DEVICE_CONTROL, 0);
        return ready;
    }

    private AtaDisk probeUnit(int unit, boolean forcePio) throws InterruptedException {
        select(unit);
        int status = ctl.in8(ATA_REG_ALT_STATUS);
        if (status == 0 || status == 0x7F || status == 0xFF) {
            return null; // absent: device 0 answers 00h for a missing device 1, an empty cable floats
        }
        int mid = cmd.in8(ATA_REG_LBA_MID);
        int high = cmd.in8(ATA_REG_LBA_HIGH);
        if (mid == ATAPI_SIGNATURE_MID && high == ATAPI_SIGNATURE_HIGH) {
            LOG.info("{}.{}: ATAPI device, not driven by ata_piix's disk support", name, unit);
            return null;
        }
        if (mid != 0 || high != 0) {
            LOG.info("{}.{}: unknown signature {}/{}, skipped", name, unit, Integer.toHexString(mid),
                    Integer.toHexString(high));
            return null;
        }
        int[] words = new int[256];
        try {
            identify(unit, words);
        } catch (IOException e) {
            LOG.warn("{}.{}: IDENTIFY DEVICE failed: {}", name, unit, e.getMessage());
            return null;
        }
        AtaIdentity id;
        try {
            id = AtaIdentity.parse(words);
        } catch (IllegalArgumentException e) {
            LOG.warn("{}.{}: {}", name, unit, e.getMessage());
            return null;
        }
        boolean dma = dmaBuffer != null && id.dma() && !forcePio;
        String diskName = "hd" + (char) ('a' + 2 * channel + unit);
        boolean writeProtected = (words[127] & 3) == 1 && writeProtected(unit);
        AtaDisk disk = new AtaDisk(this, diskName, unit, id, dma, writeProtected);
        try {
            nonData(unit, SET_FEATURES, SETFEATURES_XFER, dma ? XFER_MW_DMA_2 : XFER_PIO_4, "SET FEATURES");
            if (id.maxMultiple() > 1) {
                nonData(unit, SET_MULTIPLE_MODE, 0, id.maxMultiple(), "SET MULTIPLE MODE");
                disk.multiple = id.maxMultiple();
            }
        } catch (IOException e) {
            LOG.warn("{}: setting up the transfer mode failed ({}); using single-sector PIO", diskName, e.getMessage());
        }
        LOG.info("{}: {} serial {} firmware {}, {} sectors ({} MiB){}{}, {}", diskName, id.model(), id.serial(),
                id.firmware(), id.sectors(), id.sectors() >> 11, id.lba48() ? ", LBA48" : "",
                writeProtected ? ", write-protected" : "",
                dma ? "bus-master DMA" : disk.multiple > 1 ? "PIO, " + disk.multiple + " sectors per interrupt" : "PIO");
        return disk;
    }

    // ---- requests ----

    /** Queues a request and waits for it. */
    void submit(AtaDisk disk, Op op, long lba, ByteBuffer buffer) throws IOException {
        if (closing) {
            throw new IOException(disk.name + ": the device is going away (driver unbound)");
        }
        Request r = new Request(disk, op, lba, buffer, new CompletableFuture<>());
        queue.add(r);
        try {
            r.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(disk.name + ": interrupted while waiting for " + op);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw new IOException(io.getMessage(), io);
            }
            throw new IOException(disk.name + ": " + op + " failed: " + cause, cause);
        }
    }

    private void run() {
        while (true) {
            Request r;
            try {
                r = queue.take();
            } catch (InterruptedException e) {
                break;
            }
            if (r == STOP) {
                break;
            }
            try {
                execute(r);
                r.done().complete(null);
            } catch (IOException e) {
                r.done().completeExceptionally(e);
            } catch (InterruptedException e) {
                r.done().completeExceptionally(new InterruptedIOException(r.disk().name + ": channel stopping"));
                break;
            } catch (RuntimeException e) {
                LOG.error("{}: {} failed: {}", r.disk().name, r.op(), e.toString(), e);
                r.done().completeExceptionally(new IOException(r.disk().name + ": " + r.op() + " failed: " + e, e));
            }
        }
        // Anything left (queued while stopping) fails cleanly.
        for (Request r; (r = queue.poll()) != null; ) {
            if (r != STOP) {
                r.done().completeExceptionally(new IOException(r.disk().name + ": the device is going away"));
            }
        }
    }

    private void execute(Request r) throws IOException, InterruptedException {
        AtaDisk disk = r.disk();
        switch (r.op()) {
            case FLUSH -> {
                if (disk.identity.flushCache()) {
                    nonData(disk.unit, disk.identity.lba48() ? FLUSH_CACHE_EXT : FLUSH_CACHE, 0, 0, "FLUSH CACHE");
                }
            }
            case READ, WRITE -> {
                boolean read = r.op() == Op.READ;
                ByteBuffer buf = r.buffer().duplicate().order(ByteOrder.LITTLE_ENDIAN);
                long lba = r.lba();
                int maxSectors = disk.identity.lba48() ? 65536 : LBA28_MAX_SECTORS;
                if (disk.dma) {
                    maxSectors = Math.min(maxSectors, DMA_BUFFER_SIZE / SECTOR_SIZE);
                }
                while (buf.hasRemaining()) {
                    int count = (int) Math.min(maxSectors, buf.remaining() / SECTOR_SIZE);
                    boolean ext = needsLba48(lba, count);
                    if (ext && !disk.identity.lba48()) {
                        throw new IOException(String.format("%s: LBA %d+%d needs 48-bit addressing, which the disk lacks",
                                disk.name, lba, count));
                    }
                    transfer(disk, read, lba, count, ext, buf);
                    lba += count;
                }
                r.buffer().position(r.buffer().limit());
            }
        }
    }

    private static boolean needsLba48(long lba, int count) {
        return lba + count > (1L << 28) - 1 || count > LBA28_MAX_SECTORS;
    }

    private void transfer(AtaDisk disk, boolean read, long lba, int count, boolean ext, ByteBuffer buf)
            throws IOException, InterruptedException {
        if (disk.dma) {
            dmaTransfer(disk, read, lba, count, ext, buf);
        } else {
            pioTransfer(disk, read, lba, count, ext, buf);
        }
    }

    private void dmaTransfer(AtaDisk disk, boolean read, long lba, int count, boolean ext, ByteBuffer buf)
            throws IOException, InterruptedException {
        int bytes = count * SECTOR_SIZE;
        if (!read) {
            buf.get(stage, 0, bytes);
            dmaBuffer.write(0, stage, 0, bytes);
        }
        // One PRD entry per piece of the buffer that does not cross a 64 KiB boundary, EOT on the last.
        long address = dmaBuffer.physicalAddress();
        long end = address + bytes;
        int entry = 0;
        while (address < end) {
            long next = Math.min(end, (address & ~(PRD_REGION - 1L)) + PRD_REGION);
            int length = (int) (next - address);
            prdTable.write32(8 * entry, (int) address);
            prdTable.write32(8 * entry + 4, (length & 0xFFFF) | (next == end ? PRD_EOT : 0));
            address = next;
            entry++;
        }
        int direction = read ? BMICX_RWCON : 0;
        bm.out32(bmBase + BMIDTPX, (int) prdTable.physicalAddress());
        bm.out8(bmBase + BMICX, direction);
        bm.out8(bmBase + BMISX, bm.in8(bmBase + BMISX) | BMISX_ERROR | BMISX_IDEINTS);
        int command = read ? (ext ? READ_DMA_EXT : READ_DMA) : (ext ? WRITE_DMA_EXT : WRITE_DMA);
        issue(disk.unit, command, lba, count, ext);
        bm.out8(bmBase + BMICX, direction | BMICX_SSBM);
        int status;
        try {
            status = awaitInterrupt(disk, command, lba);
        } finally {
            bm.out8(bmBase + BMICX, direction);
        }
        int bmisx = irqBmisx;
        if ((bmisx & BMISX_ERROR) != 0 && (status & STATUS_ERR) == 0) {
            throw new IOException(String.format("%s: %s at LBA %d: bus-master DMA error (BMISX %#04x)",
                    disk.name, commandName(command), lba, bmisx));
        }
        checkStatus(disk, command, lba, status);
        if (read) {
            dmaBuffer.read(0, stage, 0, bytes);
            buf.put(stage, 0, bytes);
        }
    }

    private void pioTransfer(AtaDisk disk, boolean read, long lba, int count, boolean ext, ByteBuffer buf)
            throws IOException, InterruptedException {
        int perBlock = disk.multiple > 1 ? disk.multiple : 1;
        int command;
        if (read) {
            command = perBlock > 1 ? (ext ? READ_MULTIPLE_EXT : READ_MULTIPLE) : (ext ? READ_SECTORS_EXT : READ_SECTORS);
        } else {
            command = perBlock > 1 ? (ext ? WRITE_MULTIPLE_EXT : WRITE_MULTIPLE)
                    : (ext ? WRITE_SECTORS_EXT : WRITE_SECTORS);
        }
        issue(disk.unit, command, lba, count, ext);
        int left = count;
        if (read) {
            while (left > 0) {
                int status = awaitInterrupt(disk, command, lba);
                checkStatus(disk, command, lba, status);
                if ((status & STATUS_DRQ) == 0) {
                    throw new IOException(String.format("%s: %s at LBA %d: no data (status %#04x [%s])",
                            disk.name, commandName(command), lba, status, describeStatus(status)));
                }
                int block = Math.min(perBlock, left);
                for (int i = 0; i < block * SECTOR_SIZE / 4; i++) {
                    buf.putInt(cmd.in32(ATA_REG_DATA));
                }
                left -= block;
            }
            // PIO data-in ends without an interrupt: the status after the last block tells.
            if (!waitNotBusy(commandTimeoutMs * 1_000_000L)) {
                recover(disk, command, lba);
            }
            checkStatus(disk, command, lba, ctl.in8(ATA_REG_ALT_STATUS));
        } else {
            // The first block is requested without an interrupt: wait for DRQ (bounded).
            int status = waitDrq();
            while (left > 0) {
                checkStatus(disk, command, lba, status);
                if ((status & STATUS_DRQ) == 0) {
                    throw new IOException(String.format("%s: %s at LBA %d: the device asks for no data (status %#04x [%s])",
                            disk.name, commandName(command), lba, status, describeStatus(status)));
                }
                int block = Math.min(perBlock, left);
                for (int i = 0; i < block * SECTOR_SIZE / 4; i++) {
                    cmd.out32(ATA_REG_DATA, buf.getInt());
                }
                left -= block;
                status = awaitInterrupt(disk, command, lba);
            }
            checkStatus(disk, command, lba, status);
        }
    }

    /** Reads IDENTIFY DEVICE's 256 words with 16-bit accesses. */
    private void identify(int unit, int[] words) throws IOException, InterruptedException {
        select(unit);
        irqSignal.drainPermits();
        cmd.out8(ATA_REG_COMMAND, IDENTIFY_DEVICE);
        int status = awaitInterrupt(null, IDENTIFY_DEVICE, 0);
        if ((status & (STATUS_ERR | STATUS_DF)) != 0 || (status & STATUS_DRQ) == 0) {
            throw new IOException(String.format("status %#04x [%s] error %#04x [%s]", status, describeStatus(status),
                    cmd.in8(ATA_REG_ERROR), describeError(cmd.in8(ATA_REG_ERROR))));
        }
        for (int i = 0; i < 256; i++) {
            words[i] = cmd.in16(ATA_REG_DATA);
        }
    }

    /** GET MEDIA STATUS: whether the medium is write-protected (WP in the error register). */
    private boolean writeProtected(int unit) throws InterruptedException {
        select(unit);
        irqSignal.drainPermits();
        cmd.out8(ATA_REG_COMMAND, GET_MEDIA_STATUS);
        try {
            int status = awaitInterrupt(null, GET_MEDIA_STATUS, 0);
            return (status & STATUS_ERR) != 0 && (cmd.in8(ATA_REG_ERROR) & ERROR_WP) != 0;
        } catch (IOException e) {
            LOG.warn("{}.{}: GET MEDIA STATUS failed: {}", name, unit, e.getMessage());
            return false;
        }
    }

    private void nonData(int unit, int command, int features, int count, String what)
            throws IOException, InterruptedException {
        select(unit);
        irqSignal.drainPermits();
        cmd.out8(ATA_REG_FEATURES, features);
        cmd.out8(ATA_REG_SECTOR_COUNT, count);
        cmd.out8(ATA_REG_COMMAND, command);
        int status = awaitInterrupt(null, command, 0);
        if ((status & (STATUS_ERR | STATUS_DF)) != 0) {
            int error = cmd.in8(ATA_REG_ERROR);
            throw new IOException(String.format("%s: %s failed: status %#04x [%s] error %#04x [%s]", name, what,
                    status, describeStatus(status), error, describeError(error)));
        }
    }

    /** Selects the device, programs the address and count, and writes the command. */
    private void issue(int unit, int command, long lba, int count, boolean ext) {
        int dev = DEVICE_LBA | (unit == 1 ? DEVICE_DEV : 0);
        if (ext) {
            select(unit);
            cmd.out8(ATA_REG_SECTOR_COUNT, count >>> 8 & 0xFF);
            cmd.out8(ATA_REG_LBA_LOW, (int) (lba >>> 24) & 0xFF);
            cmd.out8(ATA_REG_LBA_MID, (int) (lba >>> 32) & 0xFF);
            cmd.out8(ATA_REG_LBA_HIGH, (int) (lba >>> 40) & 0xFF);
        } else {
            dev |= (int) (lba >>> 24) & 0x0F;
            cmd.out8(ATA_REG_DEVICE, dev);
            settle();
        }
        cmd.out8(ATA_REG_SECTOR_COUNT, count & 0xFF);
        cmd.out8(ATA_REG_LBA_LOW, (int) lba & 0xFF);
        cmd.out8(ATA_REG_LBA_MID, (int) (lba >>> 8) & 0xFF);
        cmd.out8(ATA_REG_LBA_HIGH, (int) (lba >>> 16) & 0xFF);
        irqSignal.drainPermits();
        cmd.out8(ATA_REG_COMMAND, command);
    }

    private void select(int unit) {
        cmd.out8(ATA_REG_DEVICE, DEVICE_LBA | (unit == 1 ? DEVICE_DEV : 0));
        settle();
    }

    /** The 400 ns after a device selection, counted as four Alternate Status reads. */
    private void settle() {
        for (int i = 0; i < 4; i++) {
            ctl.in8(ATA_REG_ALT_STATUS);
        }
    }

    private boolean waitNotBusy(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        for (int spins = 0; ; spins++) {
            if ((ctl.in8(ATA_REG_ALT_STATUS) & STATUS_BSY) == 0) {
                return true;
            }
            if (System.nanoTime() - deadline > 0 || Thread.currentThread().isInterrupted()) {
                return false;
            }
            if (spins > 100) {
                LockSupport.parkNanos(20_000);
            }
        }
    }

    /** The first DRQ of a PIO data-out command; the device asserts it within microseconds. */
    private int waitDrq() {
        long deadline = System.nanoTime() + commandTimeoutMs * 1_000_000L;
        for (int spins = 0; ; spins++) {
            int status = ctl.in8(ATA_REG_ALT_STATUS);
            if ((status & STATUS_BSY) == 0 && (status & (STATUS_DRQ | STATUS_ERR | STATUS_DF)) != 0) {
                return status;
            }
            if (System.nanoTime() - deadline > 0 || Thread.currentThread().isInterrupted()) {
                return status;
            }
            if (spins > 100) {
                LockSupport.parkNanos(20_000);
            }
        }
    }

    private int awaitInterrupt(AtaDisk disk, int command, long lba) throws IOException, InterruptedException {
        if (!irqSignal.tryAcquire(commandTimeoutMs, TimeUnit.MILLISECONDS)) {
            recover(disk, command, lba);
        }
        return irqStatus;
    }

    /** A command timed out: stop the bus master, reset the channel, fail the request. */
    private void recover(AtaDisk disk, int command, long lba) throws IOException {
        int status = ctl.in8(ATA_REG_ALT_STATUS);
        if (bm != null) {
            bm.out8(bmBase + BMICX, 0);
        }
        boolean ready = softReset();
        String who = disk == null ? name : disk.name;
        LOG.error("{}: {} at LBA {} timed out after {} ms (status {}); channel reset{}", who, commandName(command),
                lba, commandTimeoutMs, String.format("%#04x", status), ready ? "" : " failed");
        throw new IOException(String.format("%s: %s at LBA %d timed out after %d ms: status %#04x [%s]; channel reset",
                who, commandName(command), lba, commandTimeoutMs, status, describeStatus(status)));
    }

    private void checkStatus(AtaDisk disk, int command, long lba, int status) throws IOException {
        if ((status & (STATUS_ERR | STATUS_DF)) == 0) {
            return;
        }
        int error = cmd.in8(ATA_REG_ERROR);
        long at = failedLba(disk, command);
        throw new IOException(String.format("%s: %s at LBA %d failed%s: status %#04x [%s] error %#04x [%s]%s",
                disk.name, commandName(command), lba, at >= 0 && at != lba ? " (device reports LBA " + at + ")" : "",
                status, describeStatus(status), error, describeError(error),
                isWrite(command) && (error & ERROR_ABRT) != 0 ? "; the disk refused the write (write-protected?)" : ""));
    }

    private long failedLba(AtaDisk disk, int command) {
        long low = cmd.in8(ATA_REG_LBA_LOW) | cmd.in8(ATA_REG_LBA_MID) << 8 | cmd.in8(ATA_REG_LBA_HIGH) << 16;
        if (isExt(command)) {
            ctl.out8(ATA_REG_DEVICE_CONTROL, 0x80); // HOB
            long high = cmd.in8(ATA_REG_LBA_LOW) | cmd.in8(ATA_REG_LBA_MID) << 8 | (long) cmd.in8(ATA_REG_LBA_HIGH) << 16;
            ctl.out8(ATA_REG_DEVICE_CONTROL, 0);
            return high << 24 | low;
        }
        return (cmd.in8(ATA_REG_DEVICE) & 0x0FL) << 24 | low;
    }

    private static boolean isExt(int command) {
        return command == READ_SECTORS_EXT || command == READ_DMA_EXT || command == READ_MULTIPLE_EXT
                || command == WRITE_SECTORS_EXT || command == WRITE_DMA_EXT || command == WRITE_MULTIPLE_EXT;
    }

    private static boolean isWrite(int command) {
        return command == WRITE_SECTORS || command == WRITE_SECTORS_EXT || command == WRITE_DMA
                || command == WRITE_DMA_EXT || command == WRITE_MULTIPLE || command == WRITE_MULTIPLE_EXT;
    }

    static String commandName(int command) {
        return switch (command) {
            case READ_SECTORS -> "READ SECTORS";
            case READ_SECTORS_EXT -> "READ SECTORS EXT";
            case READ_DMA -> "READ DMA";
            case READ_DMA_EXT -> "READ DMA EXT";
            case READ_MULTIPLE -> "READ MULTIPLE";
            case READ_MULTIPLE_EXT -> "READ MULTIPLE EXT";
            case WRITE_SECTORS -> "WRITE SECTORS";
            case WRITE_SECTORS_EXT -> "WRITE SECTORS EXT";
            case WRITE_DMA -> "WRITE DMA";
            case WRITE_DMA_EXT -> "WRITE DMA EXT";
            case WRITE_MULTIPLE -> "WRITE MULTIPLE";
            case WRITE_MULTIPLE_EXT -> "WRITE MULTIPLE EXT";
            case FLUSH_CACHE -> "FLUSH CACHE";
            case FLUSH_CACHE_EXT -> "FLUSH CACHE EXT";
            case IDENTIFY_DEVICE -> "IDENTIFY DEVICE";
            case SET_FEATURES -> "SET FEATURES";
            case SET_MULTIPLE_MODE -> "SET MULTIPLE MODE";
            default -> String.format("command %#04x", command);
        };
    }

    // ---- interrupt context ----

    /** Acknowledges the device and wakes the channel's thread; never blocks. */
    private boolean handleInterrupt(int line) {
        int bmisx = 0;
        if (bm != null) {
            bmisx = bm.in8(bmBase + BMISX);
            if ((bmisx & BMISX_IDEINTS) == 0) {
                return false; // the controller saw no INTRQ from this channel
            }
        }
        int alt = ctl.in8(ATA_REG_ALT_STATUS);
        if ((alt & STATUS_BSY) != 0) {
            return false;
        }
        int status = cmd.in8(ATA_REG_STATUS); // reading Status deasserts INTRQ
        if (bm != null) {
            bm.out8(bmBase + BMISX, bmisx & (BMISX_DMA0CAP | BMISX_DMA1CAP) | BMISX_IDEINTS | BMISX_ERROR);
        }
        irqBmisx = bmisx;
        irqStatus = status;
        irqSignal.release();
        return true;
    }

    // ---- unbinding ----

    /**
     * Lets the queued requests finish, stops the thread, the bus master and interrupts, and frees
     * the DMA memory. New requests fail from the moment this starts.
     */
    void close() {
        closing = true;
        Thread w = worker;
        if (w != null) {
            queue.add(STOP);
            if (!device.present()) {
                w.interrupt(); // surprise removal: nothing will ever answer the request in flight
            }
            try {
                w.join(2 * commandTimeoutMs + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (w.isAlive()) {
                w.interrupt();
                LOG.warn("{}: the channel thread did not stop in time; interrupted", name);
            }
        }
        if (device.present()) {
            if (bm != null) {
                bm.out8(bmBase + BMICX, 0);
            }
            ctl.out8(ATA_REG_DEVICE_CONTROL, DEVICE_CONTROL_NIEN);
        }
        if (irq != null) {
            irq.close();
            irq = null;
        }
        if (prdTable != null) {
            prdTable.close();
            prdTable = null;
        }
        if (dmaBuffer != null) {
            dmaBuffer.close();
            dmaBuffer = null;
        }
    }
}
