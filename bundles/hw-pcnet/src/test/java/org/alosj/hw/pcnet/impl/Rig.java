package org.alosj.hw.pcnet.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.alosj.hal.board.impl.MachineSettings;
import org.alosj.hal.board.impl.PcMachine;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.net.NetBackend;
import org.alosj.hw.netdev.impl.Hub;

/**
 * A PC with one PCnet, and the few things a driver does to it: configuration cycles through
 * 0xCF8/0xCFC, register accesses through the I/O BAR, rings and buffers in guest RAM.
 */
final class Rig implements AutoCloseable {
    static final int SLOT = 3;
    static final int DEVFN = SLOT << 3;
    static final int IO = 0xC080;
    static final long MMIO = 0xFEBC_4000L;
    static final byte[] MAC = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

    static final long INIT_BLOCK = 0x10000;
    static final long RX_RING = 0x11000;
    static final long TX_RING = 0x12000;
    static final long RX_BUFFERS = 0x20000;
    static final long TX_BUFFERS = 0x40000;
    static final int BUFFER_SIZE = 1536;
    static final int RING_LOG2 = 2;
    static final int RING = 1 << RING_LOG2;

    final PcMachine machine = new PcMachine(MachineSettings.withRamMiB(32));
    final IoPortSpace io = machine.ioPorts();
    final MemoryBus mem = machine.memory();
    final Hub hub = new Hub("lan0");
    final NetBackend backend;
    final PcnetComponent nic;
    final Am79C970A card;
    int style;

    Rig() {
        this(hub -> hub);
    }

    /** {@code backendOf} picks the NIC's backend given the rig's hub (null: no cable). */
    Rig(Function<Hub, NetBackend> backendOf) {
        backend = backendOf.apply(hub);
        nic = new PcnetComponent("pcnet0", "", Integer.toString(SLOT), machine, backend);
        card = nic.card();
    }

    @Override
    public void close() {
        nic.deactivate();
        if (backend instanceof AutoCloseable c && backend != hub) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        hub.close();
        machine.powerOff();
    }

    // ---- configuration mechanism #1 ----

    int cfgRead(int offset, int size) {
        io.outl(0xCF8, 0x8000_0000 | DEVFN << 8 | (offset & 0xFC));
        return io.read(0xCFC + (offset & 3), size);
    }

    void cfgWrite(int offset, int size, int value) {
        io.outl(0xCF8, 0x8000_0000 | DEVFN << 8 | (offset & 0xFC));
        io.write(0xCFC + (offset & 3), size, value);
    }

    /** What firmware does: BARs placed, I/O, memory and bus mastering on. */
    void enable() {
        cfgWrite(0x10, 4, IO);
        cfgWrite(0x14, 4, (int) MMIO);
        cfgWrite(0x04, 2, 0x0007);
    }

    boolean intxAsserted() {
        return (cfgRead(0x06, 2) & 0x08) != 0;
    }

    // ---- word I/O ----

    int csr(int n) {
        io.outw(IO + 0x12, n);
        return io.inw(IO + 0x10);
    }

    void csr(int n, int value) {
        io.outw(IO + 0x12, n);
        io.outw(IO + 0x10, value);
    }

    int bcr(int n) {
        io.outw(IO + 0x12, n);
        return io.inw(IO + 0x16);
    }

    void bcr(int n, int value) {
        io.outw(IO + 0x12, n);
        io.outw(IO + 0x16, value);
    }

    void softReset() {
        io.inw(IO + 0x14);
    }

    // ---- rings ----

    /** SWSTYLE 3 swaps the buffer address (RMD2/TMD2) and the message word (RMD0/TMD0). */
    private int bufferWord() {
        return style == 3 ? 8 : 0;
    }

    private int miscWord() {
        return style == 3 ? 0 : 8;
    }

    long rxDescriptor(int i) {
        return RX_RING + (long) i * (style == 0 ? 8 : 16);
    }

    long txDescriptor(int i) {
        return TX_RING + (long) i * (style == 0 ? 8 : 16);
    }

    /** Hands RX descriptor {@code i} to the chip (or takes it back) with a fresh buffer. */
    void rxDescriptor(int i, boolean own) {
        long d = rxDescriptor(i);
        long buf = RX_BUFFERS + (long) i * 0x800;
        int bcnt = -BUFFER_SIZE & 0xFFFF;
        if (style == 0) {
            mem.writeShort(d, (int) buf);
            mem.writeShort(d + 4, bcnt);
            mem.writeShort(d + 6, 0);
            mem.writeShort(d + 2, (int) (buf >>> 16) & 0xFF | (own ? 0x8000 : 0));
        } else {
            mem.writeInt(d + bufferWord(), (int) buf);
            mem.writeInt(d + miscWord(), 0);
            mem.writeInt(d + 4, (own ? PcnetRegisters.RMD1_OWN << 16 : 0) | bcnt);
        }
    }

    /** RMD1 status bits (bits 31:16 in SWSTYLE 2; the high byte of RMD1 in SWSTYLE 0). */
    int rxStatus(int i) {
        long d = rxDescriptor(i);
        return style == 0 ? mem.readShort(d + 2) & 0xFF00 : mem.readShort(d + 6) & 0xFFFF;
    }

    int rxMessageCount(int i) {
        long d = rxDescriptor(i);
        return (style == 0 ? mem.readShort(d + 6) : mem.readInt(d + miscWord())) & 0xFFF;
    }

    byte[] rxBuffer(int i, int length) {
        byte[] b = new byte[length];
        mem.read(RX_BUFFERS + (long) i * 0x800, b, 0, length);
        return b;
    }

    /** Queues {@code frame} in TX descriptor {@code i} (one buffer, STP and ENP), OWN set last. */
    void queueTx(int i, byte[] frame) {
        queueTx(i, frame, 0);
    }

    /** The same with more TMD1 status bits (e.g. LTINT). */
    void queueTx(int i, byte[] frame, int extraStatus) {
        long d = txDescriptor(i);
        long buf = TX_BUFFERS + (long) i * 0x800;
        mem.write(buf, frame, 0, frame.length);
        int bcnt = -frame.length & 0xFFFF;
        int status = PcnetRegisters.TMD1_OWN | PcnetRegisters.TMD1_STP | PcnetRegisters.TMD1_ENP | extraStatus;
        if (style == 0) {
            mem.writeShort(d, (int) buf);
            mem.writeShort(d + 4, bcnt);
            mem.writeShort(d + 6, 0);
            mem.writeShort(d + 2, (int) (buf >>> 16) & 0xFF | status);
        } else {
            mem.writeInt(d + bufferWord(), (int) buf);
            mem.writeInt(d + miscWord(), 0);
            mem.writeInt(d + 4, status << 16 | bcnt);
        }
    }

    int txStatus(int i) {
        long d = txDescriptor(i);
        return style == 0 ? mem.readShort(d + 2) & 0xFF00 : mem.readShort(d + 6) & 0xFFFF;
    }

    int txMisc(int i) {
        long d = txDescriptor(i);
        return style == 0 ? mem.readShort(d + 6) << 16 : mem.readInt(d + miscWord());
    }

    /**
     * The Linux pcnet32 bring-up, in SWSTYLE {@code style}: reset, style, APAD_XMT, init block,
     * INIT → IDON, acknowledge, STRT; every RX descriptor owned by the chip.
     */
    void bringUp(int swstyle, int mode, long ladrf) {
        style = swstyle;
        enable();
        softReset();
        bcr(20, swstyle);
        csr(4, 0x0915);
        for (int i = 0; i < RING; i++) {
            rxDescriptor(i, true);
            mem.write(txDescriptor(i), new byte[16], 0, style == 0 ? 8 : 16);
        }
        if (swstyle == 0) {
            mem.writeShort(INIT_BLOCK, mode);
            mem.write(INIT_BLOCK + 2, MAC, 0, 6);
            mem.writeLong(INIT_BLOCK + 8, ladrf);
            mem.writeInt(INIT_BLOCK + 16, (int) RX_RING | RING_LOG2 << 29);
            mem.writeInt(INIT_BLOCK + 20, (int) TX_RING | RING_LOG2 << 29);
        } else {
            mem.writeShort(INIT_BLOCK, mode);
            mem.writeByte(INIT_BLOCK + 2, RING_LOG2 << 4);
            mem.writeByte(INIT_BLOCK + 3, RING_LOG2 << 4);
            mem.write(INIT_BLOCK + 4, MAC, 0, 6);
            mem.writeShort(INIT_BLOCK + 10, 0);
            mem.writeLong(INIT_BLOCK + 12, ladrf);
            mem.writeInt(INIT_BLOCK + 20, (int) RX_RING);
            mem.writeInt(INIT_BLOCK + 24, (int) TX_RING);
        }
        csr(1, (int) INIT_BLOCK & 0xFFFF);
        csr(2, (int) (INIT_BLOCK >>> 16));
        csr(0, PcnetRegisters.CSR0_INIT | PcnetRegisters.CSR0_IENA);
        int c0 = csr(0);
        assertTrue((c0 & PcnetRegisters.CSR0_IDON) != 0, () -> "IDON after INIT, CSR0=" + Integer.toHexString(c0));
        csr(0, PcnetRegisters.CSR0_IDON | PcnetRegisters.CSR0_IENA);
        csr(0, PcnetRegisters.CSR0_STRT | PcnetRegisters.CSR0_IENA);
        assertEquals(0x0073, csr(0), "CSR0 after STRT: INIT STRT TXON RXON IENA");
    }

    static boolean waitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(2);
        }
        return condition.getAsBoolean();
    }
}
