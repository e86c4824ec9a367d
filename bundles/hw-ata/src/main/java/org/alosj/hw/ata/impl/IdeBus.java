package org.alosj.hw.ata.impl;

import static org.alosj.hw.ata.impl.Ata.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.alosj.hal.bus.PhysicalMemory;
import org.alosj.hal.irq.IrqLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One IDE channel of the PIIX3: the cable with device 0 and device 1, their command and control
 * block registers, the channel's INTRQ wire (an ISA IRQ in compatibility mode) and its half of the
 * bus-master IDE registers (BMICX, BMISX, BMIDTPX).
 *
 * <p>Registers are handled under the channel's lock, as the host reaches them. Commands that
 * touch the image run on the channel's own worker thread while the device shows BSY, and finish
 * under the lock: the status, DRQ and INTRQ then change as the device finishing would change
 * them. Every command and reset opens a new epoch; work finishing for an older epoch is dropped.
 */
final class IdeBus {
    /** The PCI side: whether the function may master, and memory as it masters it. */
    interface BusMaster {
        boolean enabled();

        PhysicalMemory memory();
    }

    private final Logger log;
    private final String name;
    private final AtaDrive[] drives = new AtaDrive[2];
    private final IrqLine irq;
    private final BusMaster master;
    private final ExecutorService worker;
    /** The worker's staging buffer for DMA (one PRD entry at a time). */
    private final byte[] dmaStage = new byte[PRD_MAX_BYTES];

    private int deviceControl;
    private int selected;
    private boolean irqLevel;
    private volatile long epoch;
    private volatile int bmicx;
    private int bmisx;
    private int bmidtp;
    /** Identifies the DMA transfer in flight; changes when the host stops the bus master. */
    private volatile long dmaToken;
    private boolean dmaInFlight;

    IdeBus(String name, IrqLine irq, BusMaster master) {
        this.name = name;
        this.log = LoggerFactory.getLogger("hw.ata." + name);
        this.irq = irq;
        this.master = master;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name + "-drive");
            t.setDaemon(true);
            return t;
        });
    }

    synchronized void attach(int unit, AtaDrive drive) {
        drives[unit] = drive;
    }

    synchronized AtaDrive drive(int unit) {
        return drives[unit];
    }

    private boolean empty() {
        return drives[0] == null && drives[1] == null;
    }

    /** Stops the worker (the function left the board). */
    void shutdown() {
        synchronized (this) {
            epoch++;
            dmaToken++;
        }
        worker.shutdownNow();
    }

    /** Power-on / PCI reset: devices to their defaults, the bus master idle, INTRQ low. */
    synchronized void reset() {
        epoch++;
        dmaToken++;
        dmaInFlight = false;
        bmicx = 0;
        bmisx = 0;
        bmidtp = 0;
        deviceControl = 0;
        selected = 0;
        for (AtaDrive d : drives) {
            if (d != null) {
                d.phase = AtaDrive.Phase.IDLE;
                d.setSignature();
                d.status = STATUS_DRDY | STATUS_DSC;
                d.intrq = false;
                d.multipleSectors = 0;
                d.writeCache = true;
                d.transferMode = XFER_PIO_FLOW_CONTROL | 4;
                d.heads = 16;
                d.sectorsPerTrack = 63;
            }
        }
        updateIrq();
    }

    // ---- INTRQ ----

    private void updateIrq() {
        AtaDrive d = drives[selected];
        boolean level = d != null && d.intrq && (deviceControl & DEVICE_CONTROL_NIEN) == 0;
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }

    private void raise(AtaDrive d) {
        d.intrq = true;
        bmisx |= BMISX_IDEINTS;
        updateIrq();
    }

    // ---- command block ----

    synchronized int readCommandBlock(int reg, int size) {
        if (empty()) {
            // Nothing on the cable: the host's pull-down holds DD7 low, the rest floats high.
            return reg == ATA_REG_STATUS ? 0x7F : size == 4 ? -1 : (1 << (8 * size)) - 1;
        }
        AtaDrive d = drives[selected];
        if (reg == ATA_REG_DATA) {
            return d == null ? (size == 4 ? -1 : (1 << (8 * size)) - 1) : pioRead(d, size);
        }
        // Device 0 answers for an absent device 1, except that status reads as zero.
        AtaDrive r = d != null ? d : drives[selected ^ 1];
        boolean hob = (deviceControl & DEVICE_CONTROL_HOB) != 0;
        switch (reg) {
            case ATA_REG_ERROR: return r.error;
            case ATA_REG_SECTOR_COUNT: return hob ? r.hobSectorCount : r.sectorCount;
            case ATA_REG_LBA_LOW: return hob ? r.hobLbaLow : r.lbaLow;
            case ATA_REG_LBA_MID: return hob ? r.hobLbaMid : r.lbaMid;
            case ATA_REG_LBA_HIGH: return hob ? r.hobLbaHigh : r.lbaHigh;
            case ATA_REG_DEVICE: return r.device;
            case ATA_REG_STATUS: {
                if (d == null) {
                    return 0;
                }
                int status = d.status;
                d.intrq = false; // reading Status acknowledges the interrupt
                updateIrq();
                return status;
            }
            default: return 0xFF;
        }
    }

    synchronized void writeCommandBlock(int reg, int size, int value) {
        if (empty()) {
            return;
        }
        if (reg == ATA_REG_DATA) {
            AtaDrive d = drives[selected];
            if (d != null) {
                pioWrite(d, size, value);
            }
            return;
        }
        AtaDrive sel = drives[selected];
        if (sel != null && (sel.status & STATUS_BSY) != 0) {
            log.debug("guest error: {} register {} written while the device is busy (ignored)", name, reg);
            return;
        }
        int v = value & 0xFF;
        deviceControl &= ~DEVICE_CONTROL_HOB; // any command block write clears HOB
        if (reg == ATA_REG_COMMAND) {
            if (sel != null) {
                execute(sel, v);
            } else if (v == EXECUTE_DEVICE_DIAGNOSTIC) {
                execute(drives[selected ^ 1], v);
            }
            return;
        }
        for (AtaDrive d : drives) {
            if (d == null) {
                continue;
            }
            switch (reg) {
                case ATA_REG_FEATURES -> { d.hobFeatures = d.features; d.features = v; }
                case ATA_REG_SECTOR_COUNT -> { d.hobSectorCount = d.sectorCount; d.sectorCount = v; }
                case ATA_REG_LBA_LOW -> { d.hobLbaLow = d.lbaLow; d.lbaLow = v; }
                case ATA_REG_LBA_MID -> { d.hobLbaMid = d.lbaMid; d.lbaMid = v; }
                case ATA_REG_LBA_HIGH -> { d.hobLbaHigh = d.lbaHigh; d.lbaHigh = v; }
                case ATA_REG_DEVICE -> d.device = v;
                default -> { }
            }
        }
        if (reg == ATA_REG_DEVICE) {
            selected = (v & DEVICE_DEV) != 0 ? 1 : 0;
            updateIrq();
        }
    }

    // ---- control block ----

    synchronized int readAltStatus() {
        if (empty()) {
            return 0x7F;
        }
        AtaDrive d = drives[selected];
        return d == null ? 0 : d.status;
    }

    synchronized void writeDeviceControl(int value) {
        int old = deviceControl;
        deviceControl = value & (DEVICE_CONTROL_NIEN | DEVICE_CONTROL_SRST | DEVICE_CONTROL_HOB);
        if ((value & DEVICE_CONTROL_SRST) != 0 && (old & DEVICE_CONTROL_SRST) == 0) {
            // SRST asserted: both devices abandon what they were doing and stay busy.
            epoch++;
            dmaToken++;
            dmaInFlight = false;
            for (AtaDrive d : drives) {
                if (d != null) {
                    d.phase = AtaDrive.Phase.IDLE;
                    d.status = STATUS_BSY;
                    d.intrq = false;
                }
            }
        } else if ((value & DEVICE_CONTROL_SRST) == 0 && (old & DEVICE_CONTROL_SRST) != 0) {
            // SRST released: the reset protocol ends with the signature and no interrupt.
            for (AtaDrive d : drives) {
                if (d != null) {
                    d.setSignature();
                    d.status = STATUS_DRDY | STATUS_DSC;
                }
            }
            selected = 0;
        }
        updateIrq();
    }

    // ---- commands ----

    private void execute(AtaDrive d, int command) {
        epoch++;
        d.phase = AtaDrive.Phase.IDLE;
        d.command = command;
        d.error = 0;
        d.status = STATUS_DRDY | STATUS_DSC;
        switch (command) {
            case IDENTIFY_DEVICE -> {
                byte[] id = d.identify();
                System.arraycopy(id, 0, d.buffer, 0, SECTOR_SIZE);
                d.phase = AtaDrive.Phase.PIO_IN;
                d.sectorsLeft = 1;
                d.blockSectors = 1;
                d.drqSectors = 1;
                d.bufferPos = 0;
                d.bufferLength = SECTOR_SIZE;
                d.status = STATUS_DRDY | STATUS_DSC | STATUS_DRQ;
                raise(d);
            }
            case READ_SECTORS, READ_SECTORS_WITHOUT_RETRY -> startPioIn(d, false, 1);
            case READ_SECTORS_EXT -> startPioIn(d, true, 1);
            case READ_MULTIPLE -> startPioIn(d, false, d.multipleSectors);
            case READ_MULTIPLE_EXT -> startPioIn(d, true, d.multipleSectors);
            case WRITE_SECTORS, WRITE_SECTORS_WITHOUT_RETRY -> startPioOut(d, false, 1);
            case WRITE_SECTORS_EXT -> startPioOut(d, true, 1);
            case WRITE_MULTIPLE -> startPioOut(d, false, d.multipleSectors);
            case WRITE_MULTIPLE_EXT -> startPioOut(d, true, d.multipleSectors);
            case READ_DMA, READ_DMA_WITHOUT_RETRY -> startDma(d, false, true);
            case READ_DMA_EXT -> startDma(d, true, true);
            case WRITE_DMA, WRITE_DMA_WITHOUT_RETRY -> startDma(d, false, false);
            case WRITE_DMA_EXT -> startDma(d, true, false);
            case READ_VERIFY_SECTORS, READ_VERIFY_SECTORS_WITHOUT_RETRY, READ_VERIFY_SECTORS_EXT -> {
                if (addressCommand(d, command == READ_VERIFY_SECTORS_EXT) >= 0) {
                    complete(d);
                }
            }
            case SET_MULTIPLE_MODE -> {
                int n = d.sectorCount;
                if (n != 0 && (Integer.bitCount(n) != 1 || n > MAX_MULTIPLE_SECTORS)) {
                    abort(d);
                } else {
                    d.multipleSectors = n;
                    complete(d);
                }
            }
            case SET_FEATURES -> setFeatures(d);
            case FLUSH_CACHE, FLUSH_CACHE_EXT -> flush(d);
            case EXECUTE_DEVICE_DIAGNOSTIC -> {
                for (AtaDrive x : drives) {
                    if (x != null) {
                        x.setSignature();
                        x.status = STATUS_DRDY | STATUS_DSC;
                    }
                }
                selected = 0;
                AtaDrive d0 = drives[0] != null ? drives[0] : d;
                raise(d0);
            }
            case INITIALIZE_DEVICE_PARAMETERS -> {
                if (d.sectorCount == 0) {
                    abort(d);
                } else {
                    d.heads = (d.device & DEVICE_HEAD_MASK) + 1;
                    d.sectorsPerTrack = d.sectorCount;
                    complete(d);
                }
            }
            case GET_MEDIA_STATUS -> {
                if (d.image.readOnly()) {
                    fail(d, ERROR_WP, 0); // write-protected, no media change pending
                } else {
                    abort(d); // a fixed disk: the feature set is not supported
                }
            }
                        case CHECK_POWER_MODE -> {
                d.sectorCount = 0xFF; // active or idle
                complete(d);
            }
            default -> {
                // NOP, IDENTIFY PACKET DEVICE (not a packet device) and everything unsupported.
                if (command != NOP && command != IDENTIFY_PACKET_DEVICE) {
                    log.debug("{}: unsupported command {} aborted", name, String.format("%#04x", command));
                }
                abort(d);
            }
        }
    }

    private void complete(AtaDrive d) {
        d.phase = AtaDrive.Phase.IDLE;
        d.status = STATUS_DRDY | STATUS_DSC;
        raise(d);
    }

    private void abort(AtaDrive d) {
        fail(d, ERROR_ABRT, 0);
    }

    /** Ends the command with an error; {@code extraStatus} may add DF. */
    private void fail(AtaDrive d, int error, int extraStatus) {
        d.phase = AtaDrive.Phase.IDLE;
        d.error = error;
        d.status = STATUS_DRDY | STATUS_DSC | STATUS_ERR | extraStatus;
        raise(d);
    }

    private void failAt(AtaDrive d, int error, int extraStatus, long lba) {
        setAddressRegisters(d, lba, isExt(d.command));
        fail(d, error, extraStatus);
    }

    private static boolean isExt(int command) {
        return switch (command) {
            case READ_SECTORS_EXT, READ_MULTIPLE_EXT, READ_DMA_EXT, WRITE_SECTORS_EXT, WRITE_MULTIPLE_EXT,
                 WRITE_DMA_EXT, READ_VERIFY_SECTORS_EXT, FLUSH_CACHE_EXT -> true;
            default -> false;
        };
    }

    /**
     * Decodes the address and count of a data command into the drive's lba / sectorsLeft and
     * checks them; returns the LBA, or -1 after failing the command (IDNF) for an address out of
     * range.
     */
    private long addressCommand(AtaDrive d, boolean ext) {
        long lba;
        long count;
        if (ext) {
            lba = (long) d.hobLbaHigh << 40 | (long) d.hobLbaMid << 32 | (long) d.hobLbaLow << 24
                    | d.lbaHigh << 16 | d.lbaMid << 8 | d.lbaLow;
            count = d.hobSectorCount << 8 | d.sectorCount;
            if (count == 0) {
                count = 65536;
            }
        } else {
            count = d.sectorCount == 0 ? 256 : d.sectorCount;
            if ((d.device & DEVICE_LBA) != 0) {
                lba = (long) (d.device & DEVICE_HEAD_MASK) << 24 | d.lbaHigh << 16 | d.lbaMid << 8 | d.lbaLow;
            } else {
                int cylinder = d.lbaHigh << 8 | d.lbaMid;
                int head = d.device & DEVICE_HEAD_MASK;
                int sector = d.lbaLow;
                if (sector == 0 || sector > d.sectorsPerTrack || head >= d.heads) {
                    fail(d, ERROR_IDNF, 0);
                    return -1;
                }
                lba = ((long) cylinder * d.heads + head) * d.sectorsPerTrack + sector - 1;
            }
        }
        if (lba + count > d.sectors()) {
            log.debug("{}: {} sectors at LBA {} pass the end of the {}-sector disk", name, count, lba, d.sectors());
            failAt(d, ERROR_IDNF, 0, Math.min(lba, d.sectors()));
            return -1;
        }
        d.lba = lba;
        d.sectorsLeft = count;
        return lba;
    }

    private void setAddressRegisters(AtaDrive d, long lba, boolean ext) {
        d.lbaLow = (int) (lba & 0xFF);
        d.lbaMid = (int) (lba >>> 8 & 0xFF);
        d.lbaHigh = (int) (lba >>> 16 & 0xFF);
        if (ext) {
            d.hobLbaLow = (int) (lba >>> 24 & 0xFF);
            d.hobLbaMid = (int) (lba >>> 32 & 0xFF);
            d.hobLbaHigh = (int) (lba >>> 40 & 0xFF);
        } else {
            d.device = d.device & ~DEVICE_HEAD_MASK | (int) (lba >>> 24 & DEVICE_HEAD_MASK);
        }
    }

    private void setFeatures(AtaDrive d) {
        switch (d.features) {
            case SETFEATURES_WC_ON -> d.writeCache = true;
            case SETFEATURES_WC_OFF -> d.writeCache = false;
            case SETFEATURES_RLA_ON, SETFEATURES_RLA_OFF, SETFEATURES_AAM_OFF -> { }
            case SETFEATURES_XFER -> {
                int mode = d.sectorCount;
                int type = mode & 0xF8;
                int n = mode & 7;
                boolean ok = mode == XFER_PIO_DEFAULT || mode == XFER_PIO_DEFAULT_NO_IORDY
                        || type == XFER_PIO_FLOW_CONTROL && n <= 4
                        || type == XFER_MW_DMA && n <= 2
                        || type == XFER_UDMA && n <= 5;
                if (!ok) {
                    abort(d);
                    return;
                }
                d.transferMode = mode;
            }
            default -> {
                abort(d);
                return;
            }
        }
        complete(d);
    }

    private void flush(AtaDrive d) {
        d.status = STATUS_DRDY | STATUS_DSC | STATUS_BSY;
        long e = epoch;
        submit(() -> {
            IOException failure = null;
            try {
                d.image.flush();
            } catch (IOException ex) {
                failure = ex;
            }
            synchronized (this) {
                if (e != epoch) {
                    return;
                }
                if (failure != null) {
                    log.error("{}: flushing {} failed: {}", name, d.image.path(), failure.getMessage());
                    fail(d, ERROR_ABRT, STATUS_DF);
                } else {
                    complete(d);
                }
            }
        });
    }

    private void submit(Runnable task) {
        try {
            worker.execute(task);
        } catch (RejectedExecutionException e) {
            log.debug("{}: off the board, command dropped", name);
        }
    }

    // ---- PIO ----

    private void startPioIn(AtaDrive d, boolean ext, int drqSectors) {
        if (drqSectors == 0) {
            abort(d); // READ MULTIPLE while multiple mode is off
            return;
        }
        if (addressCommand(d, ext) < 0) {
            return;
        }
        d.phase = AtaDrive.Phase.PIO_IN;
        d.drqSectors = drqSectors;
        fillBlock(d);
    }

    /** Reads the next DRQ block on the worker; DRQ and INTRQ come when it is there. */
    private void fillBlock(AtaDrive d) {
        int n = (int) Math.min(d.drqSectors, d.sectorsLeft);
        d.blockSectors = n;
        d.status = STATUS_DRDY | STATUS_DSC | STATUS_BSY;
        long e = epoch;
        long lba = d.lba;
        submit(() -> {
            byte[] data = new byte[n * SECTOR_SIZE];
            IOException failure = null;
            try {
                d.image.read(lba * SECTOR_SIZE, ByteBuffer.wrap(data));
            } catch (IOException ex) {
                failure = ex;
            }
            synchronized (this) {
                if (e != epoch) {
                    return;
                }
                if (failure != null) {
                    log.error("{}: reading {}: {}", name, d.image.path(), failure.getMessage());
                    failAt(d, ERROR_UNC, 0, lba);
                    return;
                }
                System.arraycopy(data, 0, d.buffer, 0, data.length);
                d.bufferPos = 0;
                d.bufferLength = data.length;
                d.status = STATUS_DRDY | STATUS_DSC | STATUS_DRQ;
                raise(d);
            }
        });
    }

    private int pioRead(AtaDrive d, int size) {
        if (d.phase != AtaDrive.Phase.PIO_IN || (d.status & STATUS_DRQ) == 0) {
            log.debug("guest error: {} data register read without DRQ", name);
            return size == 4 ? -1 : (1 << (8 * size)) - 1;
        }
        int n = size == 4 ? 4 : 2; // the data register is 16 bits wide; 32-bit I/O moves two words
        int v = 0;
        for (int i = 0; i < n && d.bufferPos < d.bufferLength; i++) {
            v |= (d.buffer[d.bufferPos++] & 0xFF) << (8 * i);
        }
        if (d.bufferPos >= d.bufferLength) {
            d.lba += d.blockSectors;
            d.sectorsLeft -= d.blockSectors;
            if (d.sectorsLeft == 0) {
                d.phase = AtaDrive.Phase.IDLE;
                d.status = STATUS_DRDY | STATUS_DSC; // PIO data-in ends without an interrupt
            } else {
                fillBlock(d);
            }
        }
        return v;
    }

    private void startPioOut(AtaDrive d, boolean ext, int drqSectors) {
        if (drqSectors == 0) {
            abort(d);
            return;
        }
        if (addressCommand(d, ext) < 0) {
            return;
        }
        if (d.image.readOnly()) {
            failAt(d, ERROR_ABRT, 0, d.lba);
            return;
        }
        d.phase = AtaDrive.Phase.PIO_OUT;
        d.drqSectors = drqSectors;
        openOutBlock(d);
        // The first DRQ block of a PIO data-out command is requested without an interrupt.
    }

    private void openOutBlock(AtaDrive d) {
        d.blockSectors = (int) Math.min(d.drqSectors, d.sectorsLeft);
        d.bufferPos = 0;
        d.bufferLength = d.blockSectors * SECTOR_SIZE;
        d.status = STATUS_DRDY | STATUS_DSC | STATUS_DRQ;
    }

    private void pioWrite(AtaDrive d, int size, int value) {
        if (d.phase != AtaDrive.Phase.PIO_OUT || (d.status & STATUS_DRQ) == 0) {
            log.debug("guest error: {} data register written without DRQ", name);
            return;
        }
        int n = size == 4 ? 4 : 2;
        for (int i = 0; i < n && d.bufferPos < d.bufferLength; i++) {
            d.buffer[d.bufferPos++] = (byte) (value >>> (8 * i));
        }
        if (d.bufferPos < d.bufferLength) {
            return;
        }
        d.status = STATUS_DRDY | STATUS_DSC | STATUS_BSY;
        byte[] data = Arrays.copyOf(d.buffer, d.bufferLength);
        long lba = d.lba;
        int sectors = d.blockSectors;
        boolean writeThrough = !d.writeCache;
        long e = epoch;
        submit(() -> {
            IOException failure = null;
            try {
                d.image.write(lba * SECTOR_SIZE, ByteBuffer.wrap(data));
                if (writeThrough) {
                    d.image.flush();
                }
            } catch (IOException ex) {
                failure = ex;
            }
            synchronized (this) {
                if (e != epoch) {
                    return;
                }
                if (failure != null) {
                    log.error("{}: writing {}: {}", name, d.image.path(), failure.getMessage());
                    failAt(d, ERROR_ABRT, STATUS_DF, lba);
                    return;
                }
                d.lba += sectors;
                d.sectorsLeft -= sectors;
                if (d.sectorsLeft == 0) {
                    complete(d);
                } else {
                    openOutBlock(d);
                    raise(d);
                }
            }
        });
    }

    // ---- bus-master DMA ----

    private void startDma(AtaDrive d, boolean ext, boolean toMemory) {
        if (addressCommand(d, ext) < 0) {
            return;
        }
        if (!toMemory && d.image.readOnly()) {
            failAt(d, ERROR_ABRT, 0, d.lba);
            return;
        }
        d.phase = AtaDrive.Phase.DMA;
        d.dmaToMemory = toMemory;
        d.status = STATUS_DRDY | STATUS_DSC | STATUS_DRQ; // DMARQ: waiting for the bus master
        dmaInFlight = false;
        if ((bmicx & BMICX_SSBM) != 0) {
            beginTransfer(d);
        }
    }

    private void beginTransfer(AtaDrive d) {
        if (dmaInFlight) {
            return;
        }
        if (((bmicx & BMICX_RWCON) != 0) != d.dmaToMemory) {
            log.warn("guest error: {} bus master direction (RWCON={}) does not match the {} command",
                    name, (bmicx & BMICX_RWCON) != 0 ? 1 : 0, d.dmaToMemory ? "read" : "write");
        }
        if (!master.enabled()) {
            masterAbort(d);
            return;
        }
        dmaInFlight = true;
        long e = epoch;
        long token = dmaToken;
        long prdTable = bmidtp & 0xFFFF_FFFCL;
        long lba = d.lba;
        long bytes = d.sectorsLeft * SECTOR_SIZE;
        boolean toMemory = d.dmaToMemory;
        boolean writeThrough = !d.writeCache;
        submit(() -> runTransfer(d, e, token, prdTable, lba, bytes, toMemory, writeThrough));
    }

    /** PCI bus mastering is off: no cycle can run. The controller flags an error and the device gives up. */
    private void masterAbort(AtaDrive d) {
        log.warn("guest error: {} DMA started with PCI bus mastering off (refused)", name);
        dmaInFlight = false;
        bmisx = (bmisx | BMISX_ERROR) & ~BMISX_BMIDEA;
        failAt(d, ERROR_ABRT, 0, d.lba);
    }

    /** Walks the PRD table on the worker thread, moving one region at a time. */
    private void runTransfer(AtaDrive d, long e, long token, long prdTable, long lba, long bytes, boolean toMemory,
                             boolean writeThrough) {
        long position = lba * SECTOR_SIZE;
        long left = bytes;
        long prd = prdTable;
        boolean exact = false;
        IOException failure = null;
        boolean refused = false;
        while (left > 0) {
            if (e != epoch || token != dmaToken) {
                return; // reset, new command or bus master stopped: abandon quietly
            }
            if (!master.enabled()) {
                refused = true;
                break;
            }
            PhysicalMemory memory = master.memory();
            long base = memory.readInt(prd) & 0xFFFF_FFFEL;
            int control = memory.readInt(prd + 4);
            int length = control & 0xFFFE;
            if (length == 0) {
                length = PRD_MAX_BYTES;
            }
            boolean eot = (control & PRD_EOT) != 0;
            int chunk = (int) Math.min(length, left);
            try {
                if (toMemory) {
                    d.image.read(position, ByteBuffer.wrap(dmaStage, 0, chunk));
                    memory.write(base, dmaStage, 0, chunk);
                } else {
                    memory.read(base, dmaStage, 0, chunk);
                    d.image.write(position, ByteBuffer.wrap(dmaStage, 0, chunk));
                }
            } catch (IOException ex) {
                failure = ex;
                break;
            }
            position += chunk;
            left -= chunk;
            if (left == 0) {
                exact = eot && chunk == length;
            }
            if (eot) {
                break;
            }
            prd = (prd + PRD_SIZE) & 0xFFFF_FFFFL;
        }
        if (failure == null && !refused && left == 0 && !toMemory && writeThrough) {
            try {
                d.image.flush();
            } catch (IOException ex) {
                failure = ex;
            }
        }
        synchronized (this) {
            if (e != epoch || token != dmaToken || d.phase != AtaDrive.Phase.DMA) {
                return;
            }
            dmaInFlight = false;
            if (refused) {
                masterAbort(d);
                return;
            }
            long failedLba = position / SECTOR_SIZE;
            if (failure != null) {
                log.error("{}: DMA {} {}: {}", name, toMemory ? "reading" : "writing", d.image.path(), failure.getMessage());
                bmisx &= ~BMISX_BMIDEA;
                failAt(d, toMemory ? ERROR_UNC : ERROR_ABRT, toMemory ? 0 : STATUS_DF, failedLba);
                return;
            }
            if (left > 0) {
                // The PRD table ended before the transfer: the controller stops without an
                // interrupt and the device keeps waiting for data until the host resets it.
                log.warn("guest error: {} PRD table at {} describes {} bytes fewer than the command moves",
                        name, String.format("%#x", prdTable), left);
                bmisx &= ~BMISX_BMIDEA;
                return;
            }
            d.lba = failedLba;
            d.sectorsLeft = 0;
            if (exact) {
                bmisx &= ~BMISX_BMIDEA;
            }
            complete(d);
        }
    }

    synchronized int readBusMaster(int offset) {
        return switch (offset) {
            case BMICX -> bmicx;
            case BMISX -> bmisx;
            case BMIDTPX, BMIDTPX + 1, BMIDTPX + 2, BMIDTPX + 3 -> bmidtp >>> (8 * (offset - BMIDTPX)) & 0xFF;
            default -> 0;
        };
    }

    synchronized void writeBusMaster(int offset, int value) {
        int v = value & 0xFF;
        switch (offset) {
            case BMICX -> {
                int old = bmicx;
                bmicx = v & (BMICX_SSBM | BMICX_RWCON);
                if ((v & BMICX_SSBM) != 0 && (old & BMICX_SSBM) == 0) {
                    bmisx |= BMISX_BMIDEA;
                    AtaDrive d = drives[selected];
                    if (d != null && d.phase == AtaDrive.Phase.DMA) {
                        beginTransfer(d);
                    }
                } else if ((v & BMICX_SSBM) == 0 && (old & BMICX_SSBM) != 0) {
                    // Stopping the bus master ends any transfer in flight; the device is left
                    // as it is (a host that stops mid-transfer resets it).
                    bmisx &= ~BMISX_BMIDEA;
                    dmaToken++;
                    dmaInFlight = false;
                }
            }
            case BMISX -> {
                bmisx &= ~(v & (BMISX_ERROR | BMISX_IDEINTS));
                bmisx = bmisx & ~(BMISX_DMA0CAP | BMISX_DMA1CAP) | v & (BMISX_DMA0CAP | BMISX_DMA1CAP);
            }
            case BMIDTPX, BMIDTPX + 1, BMIDTPX + 2, BMIDTPX + 3 -> {
                int shift = 8 * (offset - BMIDTPX);
                bmidtp = (bmidtp & ~(0xFF << shift) | v << shift) & ~3;
            }
            default -> { }
        }
    }

    String name() {
        return name;
    }
}
