package org.alosj.hw.ata.impl;

import org.alosj.hal.storage.DiskImage;
import static org.alosj.hw.ata.impl.Ata.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.alosj.hal.board.impl.MachineSettings;
import org.alosj.hal.board.impl.PcMachine;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.irq.IrqLine;

/**
 * A PC with the PIIX3 IDE function at 00:01.1 and a logic analyser on its two IRQ wires, and the
 * few things a driver does to it: configuration cycles through 0xCF8/0xCFC, task file accesses
 * at 0x1F0/0x3F6 and 0x170/0x376, PRD tables and buffers in guest RAM.
 */
final class IdeRig implements AutoCloseable {
    static final int DEVFN = 1 << 3 | 1;
    static final int BMIBA = 0xC0E0;
    static final int[] CMD = {0x1F0, 0x170};
    static final int[] CTL = {0x3F6, 0x376};

    /** An IRQ wire that remembers its level and how many times it rose. */
    static final class Wire implements IrqLine {
        volatile boolean level;
        volatile int rises;

        @Override
        public synchronized void set(boolean asserted) {
            if (asserted && !level) {
                rises++;
            }
            level = asserted;
        }
    }

    final PcMachine machine = new PcMachine(MachineSettings.withRamMiB(32));
    final IoPortSpace io = machine.ioPorts();
    final MemoryBus mem = machine.memory();
    final Wire[] irq = {new Wire(), new Wire()};
    final Piix3Ide ide = new Piix3Ide("ide", io, irq[0], irq[1]);
    final List<DiskImage> images = new CopyOnWriteArrayList<>();

    IdeRig() {
    }

    /** Creates a raw image of {@code sectors} sectors where sector n is filled with pattern(n). */
    static Path image(Path dir, String name, long sectors) throws IOException {
        Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(sectors * SECTOR_SIZE);
            long filled = Math.min(sectors, 4096);
            byte[] b = new byte[SECTOR_SIZE];
            for (long s = 0; s < filled; s++) {
                fillPattern(b, s);
                f.seek(s * SECTOR_SIZE);
                f.write(b);
            }
        }
        return p;
    }

    static void fillPattern(byte[] b, long sector) {
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (sector * 7 + i * 13 + (i >> 8));
        }
    }

    static byte[] pattern(long sector) {
        byte[] b = new byte[SECTOR_SIZE];
        fillPattern(b, sector);
        return b;
    }

    IdeRig disk(int index, Path file, boolean readOnly) throws IOException {
        DiskImage image = DiskImage.open(file, readOnly);
        images.add(image);
        ide.attachDrive(index >> 1, index & 1, new AtaDrive(image, index & 1, "ALOSJ HARDDISK",
                String.format("AJ%05d", index + 1), "0.1.0"));
        return this;
    }

    IdeRig plug() {
        machine.pci().plug(ide, 1, 1);
        return this;
    }

    /** What firmware and the driver do: BAR4 placed, I/O on, both channels decoded. */
    IdeRig enable(boolean busMaster) {
        cfgWrite(0x20, 4, BMIBA);
        cfgWrite(0x04, 2, busMaster ? 0x0005 : 0x0001);
        cfgWrite(IDETIM_PRIMARY, 2, IDETIM_IDE);
        cfgWrite(IDETIM_SECONDARY, 2, IDETIM_IDE);
        return this;
    }

    @Override
    public void close() throws IOException {
        machine.pci().unplug(ide);
        machine.powerOff();
        for (DiskImage i : images) {
            i.close();
        }
    }

    int cfgRead(int offset, int size) {
        io.outl(0xCF8, 0x8000_0000 | DEVFN << 8 | (offset & 0xFC));
        return io.read(0xCFC + (offset & 3), size);
    }

    void cfgWrite(int offset, int size, int value) {
        io.outl(0xCF8, 0x8000_0000 | DEVFN << 8 | (offset & 0xFC));
        io.write(0xCFC + (offset & 3), size, value);
    }

    // ---- task file ----

    int reg(int ch, int reg) {
        return io.inb(CMD[ch] + reg);
    }

    void reg(int ch, int reg, int value) {
        io.outb(CMD[ch] + reg, value);
    }

    int altStatus(int ch) {
        return io.inb(CTL[ch]);
    }

    void deviceControl(int ch, int value) {
        io.outb(CTL[ch], value);
    }

    void select(int ch, int unit) {
        reg(ch, ATA_REG_DEVICE, DEVICE_LBA | (unit == 1 ? DEVICE_DEV : 0));
    }

    /** Waits (bounded) until BSY clears; returns the alternate status. */
    int waitNotBusy(int ch) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            int s = altStatus(ch);
            if ((s & STATUS_BSY) == 0) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                fail("channel " + ch + " still busy after 10 s, status " + Integer.toHexString(s));
            }
            Thread.onSpinWait();
        }
    }

    /** Waits (bounded) until the bus master reports the device's interrupt; returns BMISX. */
    int awaitBusMasterInterrupt(int ch) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while ((bm(ch, BMISX) & BMISX_IDEINTS) == 0) {
            if (System.nanoTime() > deadline) {
                fail("no interrupt from channel " + ch + " after 10 s, BMISX " + Integer.toHexString(bm(ch, BMISX))
                        + " status " + Integer.toHexString(altStatus(ch)));
            }
            Thread.onSpinWait();
        }
        return bm(ch, BMISX);
    }

    void srst(int ch) {
        deviceControl(ch, DEVICE_CONTROL_SRST);
        deviceControl(ch, 0);
        waitNotBusy(ch);
    }

    void lba28(int ch, int unit, long lba, int count) {
        reg(ch, ATA_REG_DEVICE, DEVICE_LBA | (unit == 1 ? DEVICE_DEV : 0) | (int) (lba >>> 24 & 0xF));
        reg(ch, ATA_REG_SECTOR_COUNT, count & 0xFF);
        reg(ch, ATA_REG_LBA_LOW, (int) lba & 0xFF);
        reg(ch, ATA_REG_LBA_MID, (int) (lba >>> 8) & 0xFF);
        reg(ch, ATA_REG_LBA_HIGH, (int) (lba >>> 16) & 0xFF);
    }

    void lba48(int ch, int unit, long lba, int count) {
        reg(ch, ATA_REG_DEVICE, DEVICE_LBA | (unit == 1 ? DEVICE_DEV : 0));
        reg(ch, ATA_REG_SECTOR_COUNT, count >>> 8 & 0xFF);
        reg(ch, ATA_REG_LBA_LOW, (int) (lba >>> 24) & 0xFF);
        reg(ch, ATA_REG_LBA_MID, (int) (lba >>> 32) & 0xFF);
        reg(ch, ATA_REG_LBA_HIGH, (int) (lba >>> 40) & 0xFF);
        reg(ch, ATA_REG_SECTOR_COUNT, count & 0xFF);
        reg(ch, ATA_REG_LBA_LOW, (int) lba & 0xFF);
        reg(ch, ATA_REG_LBA_MID, (int) (lba >>> 8) & 0xFF);
        reg(ch, ATA_REG_LBA_HIGH, (int) (lba >>> 16) & 0xFF);
    }

    /** Issues a command and waits until the device is not busy; returns the status (clearing INTRQ). */
    int command(int ch, int command) {
        reg(ch, ATA_REG_COMMAND, command);
        waitNotBusy(ch);
        return reg(ch, ATA_REG_STATUS);
    }

    /** Reads one DRQ block of {@code bytes} with 16-bit (or 32-bit) data accesses. */
    byte[] pioIn(int ch, int bytes, boolean dword) {
        byte[] out = new byte[bytes];
        int step = dword ? 4 : 2;
        for (int i = 0; i < bytes; i += step) {
            int v = dword ? io.inl(CMD[ch]) : io.inw(CMD[ch]);
            for (int k = 0; k < step; k++) {
                out[i + k] = (byte) (v >>> (8 * k));
            }
        }
        return out;
    }

    void pioOut(int ch, byte[] data, int offset, int bytes, boolean dword) {
        int step = dword ? 4 : 2;
        for (int i = 0; i < bytes; i += step) {
            int v = 0;
            for (int k = 0; k < step; k++) {
                v |= (data[offset + i + k] & 0xFF) << (8 * k);
            }
            if (dword) {
                io.outl(CMD[ch], v);
            } else {
                io.outw(CMD[ch], v);
            }
        }
    }

    int[] identifyWords(int ch, int unit) {
        select(ch, unit);
        int status = command(ch, IDENTIFY_DEVICE);
        assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_DRQ, status, "IDENTIFY DEVICE status");
        byte[] b = pioIn(ch, SECTOR_SIZE, false);
        int[] w = new int[256];
        for (int i = 0; i < 256; i++) {
            w[i] = (b[2 * i] & 0xFF) | (b[2 * i + 1] & 0xFF) << 8;
        }
        return w;
    }

    static String ataString(int[] w, int from, int words) {
        StringBuilder s = new StringBuilder();
        for (int i = from; i < from + words; i++) {
            s.append((char) (w[i] >> 8)).append((char) (w[i] & 0xFF));
        }
        return s.toString();
    }

    // ---- bus master ----

    int bm(int ch, int reg) {
        return io.inb(BMIBA + 8 * ch + reg);
    }

    void bm(int ch, int reg, int value) {
        io.outb(BMIBA + 8 * ch + reg, value);
    }

    /** Writes a PRD table at {@code table}: pairs of (address, byte count), EOT on the last. */
    void prd(long table, long... regions) {
        for (int i = 0; i < regions.length; i += 2) {
            boolean last = i + 2 >= regions.length;
            mem.writeInt(table + 4L * i, (int) regions[i]);
            mem.writeInt(table + 4L * i + 4, (int) (regions[i + 1] & 0xFFFF) | (last ? PRD_EOT : 0));
        }
    }

    /** Starts the bus master for a transfer to memory (device read) or from memory. */
    void startBusMaster(int ch, long table, boolean toMemory) {
        io.outl(BMIBA + 8 * ch + BMIDTPX, (int) table);
        bm(ch, BMISX, BMISX_ERROR | BMISX_IDEINTS);
        bm(ch, BMICX, (toMemory ? BMICX_RWCON : 0) | BMICX_SSBM);
    }
}
