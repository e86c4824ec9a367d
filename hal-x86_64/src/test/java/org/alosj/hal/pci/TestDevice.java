package org.alosj.hal.pci;

import java.util.ArrayList;
import java.util.List;
import org.alosj.hal.bus.IoPortHandler;
import org.alosj.hal.bus.MmioHandler;
import org.alosj.hal.bus.PhysicalMemory;

/**
 * A PCI function for board tests (1234:5678, class ff0000): BAR0 32 bytes of I/O, BAR1 4 KiB of
 * 32-bit memory, BAR2/3 16 KiB of 64-bit memory, BAR4 4 KiB of 32-bit prefetchable memory, BAR5
 * unimplemented, a 64 KiB expansion ROM, a PM capability at 0x40 and an MSI capability at 0x50.
 * Each BAR is a small register file that remembers what was written, and every access it decodes
 * is logged as "BARn r/w offset size".
 */
public final class TestDevice extends PciFunction {
    public static final int IO_SIZE = 32;
    public static final int MEM32_SIZE = 4096;
    public static final int MEM64_SIZE = 16384;
    public static final int PREFETCH_SIZE = 4096;
    public static final int ROM_SIZE = 64 * 1024;
    public static final byte[] ROM_IMAGE = {0x55, (byte) 0xAA, 0x20, 0x00, 'A', 'L', 'O', 'S'};

    public final byte[] ioRegs = new byte[IO_SIZE];
    public final byte[] mem32Regs = new byte[MEM32_SIZE];
    public final byte[] mem64Regs = new byte[MEM64_SIZE];
    public final byte[] prefetchRegs = new byte[PREFETCH_SIZE];
    public final List<String> accesses = new ArrayList<>();
    public int resets;

    /** A function with interrupt pin {@code pin} (1 = INTA#) and header type {@code headerType}. */
    public TestDevice(String name, int pin, int headerType) {
        super(name, 0x1234, 0x5678, 0x01, 0xFF0000, headerType);
        setSubsystem(0x1AF4, 0x1100);
        setInterruptPin(pin);
        setConfigByte(PCI_MIN_GNT, 0x06);
        setConfigByte(PCI_MAX_LAT, 0xFF);
        defineIoBar(0, IO_SIZE, new IoPortHandler() {
            @Override
            public int ioRead(int port, int size) {
                log("BAR0 r", port, size);
                return (int) get(ioRegs, port, size);
            }

            @Override
            public void ioWrite(int port, int size, int value) {
                log("BAR0 w", port, size);
                put(ioRegs, port, size, value);
            }
        });
        defineMemoryBar(1, BarType.MEMORY32, MEM32_SIZE, registers("BAR1", mem32Regs));
        defineMemoryBar(2, BarType.MEMORY64, MEM64_SIZE, registers("BAR2", mem64Regs));
        defineMemoryBar(4, BarType.MEMORY32_PREFETCHABLE, PREFETCH_SIZE, registers("BAR4", prefetchRegs));
        defineRom(ROM_SIZE, ROM_IMAGE);
        int pm = addCapability(0x01, 0x40, 8);
        setConfigWord(pm + 2, 0x0003); // PMC: version 3
        int msi = addCapability(0x05, 0x50, 10);
        setWriteMask(msi + 2, 2, 0x0001); // MSI enable
    }

    public TestDevice(String name) {
        this(name, 1, 0x00);
    }

    private MmioHandler registers(String bar, byte[] regs) {
        return new MmioHandler() {
            @Override
            public long mmioRead(long offset, int size) {
                log(bar + " r", offset, size);
                return get(regs, (int) offset, size);
            }

            @Override
            public void mmioWrite(long offset, int size, long value) {
                log(bar + " w", offset, size);
                put(regs, (int) offset, size, value);
            }
        };
    }

    private synchronized void log(String what, long offset, int size) {
        accesses.add(what + " " + offset + " " + size);
    }

    private static long get(byte[] regs, int offset, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            v |= (regs[offset + i] & 0xFFL) << (8 * i);
        }
        return v;
    }

    private static void put(byte[] regs, int offset, int size, long value) {
        for (int i = 0; i < size; i++) {
            regs[offset + i] = (byte) (value >>> (8 * i));
        }
    }

    /** The device drives its INTx# pin. */
    public void intx(boolean asserted) {
        setIrq(asserted);
    }

    /** Status error bits the device reports (master abort, parity error, …). */
    public void reportStatus(int bits) {
        setStatus(bits);
    }

    /** Memory as this function masters it. */
    public PhysicalMemory busMaster() {
        return dma();
    }

    @Override
    protected void resetDevice() {
        resets++;
    }
}
