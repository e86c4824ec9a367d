package org.alosj.hw.e1000.impl;

import static org.alosj.hw.e1000.impl.E1000Regs.*;

import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.alosj.hal.board.impl.MachineSettings;
import org.alosj.hal.board.impl.PcMachine;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.net.NetBackend;
import org.alosj.hw.netdev.impl.Hub;

/**
 * A PC with one 82540EM or 82574L in slot 3, and what a driver does to it: configuration
 * cycles through 0xCF8/0xCFC, registers through the memory BAR (or the I/O window), rings and
 * buffers in guest RAM.
 */
final class Rig implements AutoCloseable {
    static final int SLOT = 3;
    static final int DEVFN = SLOT << 3;
    static final long MMIO = 0xFEB8_0000L;
    static final int IO = 0xC080;
    static final byte[] MAC = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

    static final long RX_RING = 0x10000;
    static final long TX_RING = 0x11000;
    static final long RX_BUFFERS = 0x20000;
    static final long TX_BUFFERS = 0x40000;
    static final int BUFFER_SIZE = 2048;
    static final int RING = 8;

    final PcMachine machine = new PcMachine(MachineSettings.withRamMiB(32));
    final IoPortSpace io = machine.ioPorts();
    final MemoryBus mem = machine.memory();
    final Hub hub = new Hub("lan0");
    final NetBackend backend;
    final Part part;
    private final NicPlug plug;
    final E1000Function card;

    Rig(Part part) {
        this(part, hub -> hub);
    }

    /** {@code backendOf} picks the NIC's backend given the rig's hub (null: no cable). */
    Rig(Part part, Function<Hub, NetBackend> backendOf) {
        this.part = part;
        backend = backendOf.apply(hub);
        plug = new NicPlug(part, "nic0", "", Integer.toString(SLOT), machine, backend);
        card = plug.card();
    }

    @Override
    public void close() {
        plug.unplug();
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

    int ioBar() {
        return part.isPcie() ? 2 : 1;
    }

    /** What firmware and the driver do: BARs placed, memory, I/O and bus mastering on. */
    void enable() {
        cfgWrite(0x10, 4, (int) MMIO);
        cfgWrite(0x10 + 4 * ioBar(), 4, IO);
        cfgWrite(0x04, 2, 0x0007);
    }

    boolean intxAsserted() {
        return (cfgRead(0x06, 2) & 0x08) != 0;
    }

    int reg(int offset) {
        return mem.readInt(MMIO + offset);
    }

    void reg(int offset, int value) {
        mem.writeInt(MMIO + offset, value);
    }

    // ---- rings ----

    /** Gives receive descriptor {@code i} a buffer (cleared status). */
    void rxDescriptor(int i) {
        long d = RX_RING + 16L * i;
        mem.writeLong(d, RX_BUFFERS + (long) i * BUFFER_SIZE);
        mem.writeLong(d + 8, 0);
    }

    /** A legacy transmit descriptor for {@code frame}, with EOP, IFCS and RS. */
    void queueTx(int i, byte[] frame) {
        queueTx(i, frame, TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS, 0);
    }

    void queueTx(int i, byte[] frame, int command, int upper) {
        long buf = TX_BUFFERS + (long) i * BUFFER_SIZE;
        mem.write(buf, frame, 0, frame.length);
        long d = TX_RING + 16L * i;
        mem.writeLong(d, buf);
        mem.writeInt(d + 8, command | frame.length);
        mem.writeInt(d + 12, upper);
    }

    int txStatus(int i) {
        return mem.readInt(TX_RING + 16L * i + 12) & 0xF;
    }

    /**
     * Linux's bring-up in short: reset, rings, receive address from the EEPROM (the MAC loaded
     * it), RCTL with broadcast accept and CRC stripping, TCTL, every receive descriptor but one
     * given to the MAC.
     */
    void bringUp(int rctlExtra) {
        enable();
        reg(CTRL, CTRL_RST);
        reg(IMC, -1);
        for (int i = 0; i < RING; i++) {
            rxDescriptor(i);
            mem.writeLong(TX_RING + 16L * i, 0);
            mem.writeLong(TX_RING + 16L * i + 8, 0);
        }
        reg(RDBAL, (int) RX_RING);
        reg(RDBAH, 0);
        reg(RDLEN, RING * 16);
        reg(RDH, 0);
        reg(RDT, RING - 1);
        reg(TDBAL, (int) TX_RING);
        reg(TDBAH, 0);
        reg(TDLEN, RING * 16);
        reg(TDH, 0);
        reg(TDT, 0);
        reg(RCTL, RCTL_EN | RCTL_BAM | RCTL_SECRC | rctlExtra);
        reg(TCTL, TCTL_EN | TCTL_PSP);
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
