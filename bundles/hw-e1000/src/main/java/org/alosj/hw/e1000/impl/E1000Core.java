package org.alosj.hw.e1000.impl;

import static org.alosj.hw.e1000.impl.E1000Regs.*;

import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.zip.CRC32;
import org.alosj.hal.bus.PhysicalMemory;
import org.alosj.hal.net.NetPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MAC of the 8254x and 82574: the register file, the PHY behind MDIC, the receive and
 * transmit descriptor rings in guest memory, interrupt causes with ITR throttling, and the
 * statistics counters. The PCI glue ({@link E1000Function}) owns it and decodes the BARs into
 * {@link #read}/{@link #write}.
 *
 * <p>Receive: a frame from the wire passes the address filter (RAL/RAH, MTA, UPE/MPE/BAM) and is
 * written into the buffers of the descriptors from RDH up to (not including) RDT, as many as it
 * needs at the RCTL buffer size; each gets its length and DD (EOP on the last) written back, in
 * the legacy layout or, on the 82574 with RFCTL.EXSTEN, the extended write-back layout with
 * checksum status. Transmit: on a TDT write the descriptors from TDH to TDT are processed in
 * order: legacy (with the IC checksum insertion), context (the offsets for offload) and data
 * descriptors (IXSM/TXSM), gathered up to EOP into one frame, or with TSE cut into MSS-sized
 * segments; RS asks for DD back.
 *
 * <p>Interrupts: events set causes in ICR; {@link E1000Interrupts} masks them with IMS, throttles
 * them with ITR and sends them out on the line or as MSI-X messages.
 *
 * <p>Every method runs under {@code lock}, the PCI function's monitor, which also guards the
 * configuration space: CPU register accesses, frames from the backend's thread and the
 * throttling timer are serialized by it. Guest errors are logged and the model keeps going.
 */
final class E1000Core {
    /** What the PCI function lends the MAC. */
    interface Bus {
        /** Guest memory as the function masters it (refused while bus mastering is off). */
        PhysicalMemory dma();

        boolean busMasterEnabled();

        /** Drives the interrupt (INTx, or a message when MSI is on). */
        void interrupt(boolean asserted);

        /** Whether software enabled MSI-X (then causes go out through IVAR, not {@link #interrupt}). */
        boolean msixEnabled();

        /** Sends MSI-X table entry {@code vector}'s message, or sets its pending bit while masked. */
        void msixMessage(int vector);

        /** Clears the pending bit of MSI-X entry {@code vector} (CTRL_EXT.PBA_support). */
        void msixClearPending(int vector);
    }

    static final int REGISTER_BYTES = 0x20000;
    static final int MIN_FRAME = 60;
    static final int FCS_LENGTH = 4;
    static final int MAX_FRAME = 1518;
    static final int MAX_VLAN_FRAME = 1522;
    /** The longest frame the receive FIFO takes with LPE. */
    static final int MAX_LONG_FRAME = 16384;
    static final int MAX_TX_FRAME = 0x10000;
    /** What one TSO request may carry: headers plus a payload of up to 256 KiB (PAYLEN is 20 bits). */
    static final int MAX_TSO_FRAME = 0x40000 + 0x100;
    static final int ETH_P_VLAN = 0x8100;

    private final Part part;
    private final Eeprom eeprom;
    private final Bus bus;
    private final Logger log;
    private final int[] reg = new int[REGISTER_BYTES / 4];
    private final int[] phy = new int[32];
    private volatile NetPort port;

    // transmit state between descriptors of one frame
    private final byte[] txFrame = new byte[MAX_TSO_FRAME];
    private int txLength;
    private int txPopts;
    private boolean txTso;
    private boolean txVlan;
    private int txVlanTag;
    private final TxOffload.Context txContext = new TxOffload.Context();
    private final TxOffload.Context tsoContext = new TxOffload.Context();

    private final E1000Interrupts interrupts;

    private long guestErrors;

    E1000Core(Object lock, Part part, byte[] mac, Bus bus, ScheduledExecutorService clock, String name) {
        this.part = part;
        this.eeprom = new Eeprom(part, mac);
        this.bus = bus;
        this.log = LoggerFactory.getLogger("hw.e1000." + name);
        this.interrupts = new E1000Interrupts(lock, part, reg, bus, clock, log);
        reset();
    }

    Part part() {
        return part;
    }

    Eeprom eeprom() {
        return eeprom;
    }

    // ---- reset and link ----

    /** Power-on, PCI RST# and CTRL.RST: every MAC register to its default, the address from the EEPROM. */
    void reset() {
        Arrays.fill(reg, 0);
        resetPhy();
        reg[CTRL >> 2] = CTRL_SWDPIN2 | CTRL_SWDPIN0 | CTRL_SPD_1000 | CTRL_SLU | CTRL_FD;
        reg[LEDCTL >> 2] = 0x0000_0602;
        reg[PBA >> 2] = part.isPcie() ? 0x0014_0014 : 0x0010_0030;
        reg[MANC >> 2] = part.isPcie() ? 0 : 0x0006_0000 | 0x0000_0100 | 0x0000_2000 | 0x0080_0000 | 0x0004_0000;
        reg[VET >> 2] = ETH_P_VLAN;
        reg[TIPG >> 2] = part.isPcie() ? 0x0060_2008 : 0x0060_200A;
        reg[RXCSUM >> 2] = RXCSUM_IPOFL;
        reg[ITR >> 2] = 0;
        byte[] mac = eeprom.macAddress();
        reg[RAL0 >> 2] = (mac[0] & 0xFF) | (mac[1] & 0xFF) << 8 | (mac[2] & 0xFF) << 16 | (mac[3] & 0xFF) << 24;
        reg[RAH0 >> 2] = (mac[4] & 0xFF) | (mac[5] & 0xFF) << 8 | RAH_AV;
        eeprom.resetInterface();
        txLength = 0;
        txPopts = 0;
        txTso = false;
        txVlan = false;
        interrupts.reset();
    }

    private void resetPhy() {
        Arrays.fill(phy, 0);
        phy[MII_BMCR] = 0x1140; // 1000 Mb/s, full duplex, autonegotiation on
        phy[MII_BMSR] = 0x7949; // 10/100 half and full, extended status, autonegotiation able
        phy[MII_PHYID1] = 0x0141;
        phy[MII_PHYID2] = part.phyId2;
        phy[MII_ANAR] = 0x0DE1;
        phy[MII_ANLPAR] = 0x01E0;
        phy[MII_CTRL1000] = 0x0E00;
        phy[MII_STAT1000] = 0x3C00;
        phy[M88_PHY_SPEC_CTRL] = 0x0360;
        phy[M88_PHY_SPEC_STATUS] = 0xAC00;
        phy[M88_EXT_PHY_SPEC_CTRL] = 0x0D60;
    }

    /** Connects the cable (null: none); a change of link raises LSC. */
    void setPort(NetPort port) {
        boolean before = linkUp();
        this.port = port;
        if (before != linkUp()) {
            raise(ICR_LSC);
        }
    }

    boolean linkUp() {
        NetPort p = port;
        return p != null && p.linkUp() && (reg[CTRL >> 2] & CTRL_LRST) == 0;
    }

    void detached() {
        interrupts.detached();
    }

    // ---- register file ----

    /** A 32-bit register read at byte offset {@code offset} (aligned) of the register BAR. */
    int read(int offset) {
        if (offset < 0 || offset >= REGISTER_BYTES) {
            return 0;
        }
        int i = offset >> 2;
        switch (offset) {
            case STATUS:
                return status();
            case EECD:
                return part.isPcie() ? EECD_PRES | EECD_AUTO_RD | EECD_GNT | (reg[i] & EECD_REQ)
                        | 2 << EECD_SIZE_EX_SHIFT : eeprom.readEecd();
            case ICR:
                return interrupts.readIcr();
            case ICS:
                return reg[ICR >> 2];
            case IMC:
                return 0;
            default:
                break;
        }
        if (offset >= STATS_START && offset < STATS_END) {
            return readStatistic(offset);
        }
        return reg[i];
    }

    private int status() {
        int v = reg[STATUS >> 2] & STATUS_TXOFF;
        v |= STATUS_FD | STATUS_SPEED_1000 | STATUS_ASDV_1000;
        if (linkUp()) {
            v |= STATUS_LU;
        }
        v |= part.isPcie() ? STATUS_GIO_MASTER_ENABLE | 0x8000_0000 : STATUS_MTXCKOK | 0x8000_0000;
        return v;
    }

    /** Statistics clear when read; a 64-bit counter clears when its high half is read. */
    private int readStatistic(int offset) {
        int i = offset >> 2;
        int v = reg[i];
        switch (offset) {
            case GORCL, GOTCL, TORL, TOTL -> {
                return v;
            }
            case GORCH, GOTCH, TORH, TOTH -> {
                reg[i] = 0;
                reg[i - 1] = 0;
                return v;
            }
            default -> {
                reg[i] = 0;
                return v;
            }
        }
    }

    /** A 32-bit register write. */
    void write(int offset, int value) {
        if (offset < 0 || offset >= REGISTER_BYTES) {
            return;
        }
        int i = offset >> 2;
        switch (offset) {
            case CTRL -> writeCtrl(value);
            case STATUS -> reg[i] = value & STATUS_TXOFF;
            case EECD -> {
                if (part.isPcie()) {
                    reg[i] = value & EECD_REQ;
                } else {
                    eeprom.writeEecd(value);
                }
            }
            case EERD -> writeEerd(value);
            case MDIC -> writeMdic(value);
            case ICR -> interrupts.writeIcr(value);
            case ICS -> interrupts.writeIcs(value);
            case IMS -> interrupts.writeIms(value);
            case IMC -> interrupts.writeImc(value);
            case ITR -> interrupts.writeItr(value);
            case EIAC -> interrupts.writeEiac(value);
            case IVAR -> interrupts.writeIvar(value);
            case RCTL -> reg[i] = value;
            case TCTL -> {
                reg[i] = value;
                transmit();
            }
            case RDBAL, TDBAL -> reg[i] = value & ~0xF;
            case RDLEN, TDLEN -> reg[i] = value & 0xF_FF80;
            case RDH, TDH, RDTR, RADV, TIDV, TADV -> reg[i] = value & 0xFFFF;
            case RDT -> reg[i] = value & 0xFFFF;
            case TDT -> {
                reg[i] = value & 0xFFFF;
                transmit();
            }
            default -> {
                if (offset >= STATS_START && offset < STATS_END) {
                    return; // counters are read-only
                }
                reg[i] = value;
            }
        }
    }

    private void writeCtrl(int value) {
        if ((value & CTRL_RST) != 0) {
            log.debug("CTRL.RST: MAC reset");
            boolean before = linkUp();
            reset();
            if (before != linkUp()) {
                raise(ICR_LSC);
            }
            return;
        }
        boolean before = linkUp();
        reg[CTRL >> 2] = value & ~CTRL_PHY_RST;
        if ((value & CTRL_PHY_RST) != 0) {
            resetPhy();
        }
        if (before != linkUp()) {
            raise(ICR_LSC);
        }
    }

    private void writeEerd(int value) {
        if ((value & EERD_START) == 0) {
            reg[EERD >> 2] = value;
            return;
        }
        int address;
        int done;
        if (part.isPcie()) {
            address = (value >>> EERD_82574_ADDR_SHIFT) & 0x3FFF;
            done = EERD_82574_DONE;
        } else {
            address = (value >>> EERD_8254X_ADDR_SHIFT) & 0xFF;
            done = EERD_8254X_DONE;
        }
        int v = value & ~EERD_START & 0xFFFF;
        if (address < eeprom.size()) {
            v |= eeprom.word(address) << EERD_DATA_SHIFT;
        } else {
            guestError("EERD read of word %#x beyond the %d-word EEPROM", address, eeprom.size());
        }
        reg[EERD >> 2] = v | done;
    }

    private void writeMdic(int value) {
        int phyAddress = (value >>> MDIC_PHY_SHIFT) & 0x1F;
        int register = (value >>> MDIC_REG_SHIFT) & 0x1F;
        int v = value & ~(MDIC_READY | MDIC_ERROR);
        if (phyAddress != PHY_ADDRESS) {
            v |= MDIC_ERROR;
        } else if ((value & MDIC_OP_READ) == MDIC_OP_READ && (value & MDIC_OP_WRITE) == 0) {
            v = (v & ~MDIC_DATA_MASK) | readPhy(register);
        } else if ((value & MDIC_OP_WRITE) == MDIC_OP_WRITE && (value & MDIC_OP_READ) == 0) {
            writePhy(register, value & MDIC_DATA_MASK);
        } else {
            v |= MDIC_ERROR;
        }
        reg[MDIC >> 2] = v | MDIC_READY;
        if ((value & MDIC_INT_EN) != 0) {
            raise(ICR_MDAC);
        }
    }

    private int readPhy(int register) {
        if (register == MII_BMSR) {
            return linkUp() ? phy[MII_BMSR] | MII_BMSR_LINK_ST | MII_BMSR_AN_COMP : phy[MII_BMSR];
        }
        if (register == M88_PHY_SPEC_STATUS) {
            return linkUp() ? phy[register] : phy[register] & ~0x0400;
        }
        return phy[register];
    }

    private void writePhy(int register, int value) {
        switch (register) {
            case MII_BMCR -> {
                if ((value & MII_BMCR_RESET) != 0) {
                    resetPhy();
                } else {
                    phy[MII_BMCR] = value & ~(MII_BMCR_RESET | MII_BMCR_ANRESTART | 0x3F);
                }
            }
            case MII_ANAR, MII_CTRL1000, M88_PHY_SPEC_CTRL, M88_EXT_PHY_SPEC_CTRL -> phy[register] = value;
            default -> log.debug("write of {} to read-only PHY register {} ignored",
                    String.format("%#06x", value), register);
        }
    }

    // ---- interrupts ----

    private void raise(int causes) {
        interrupts.raise(causes);
    }

    /** The interrupt mode changed (MSI, MSI-X or INTx): pending causes are signalled afresh. */
    void interruptModeChanged() {
        interrupts.modeChanged();
    }

    boolean interruptAsserted() {
        return interrupts.asserted();
    }

    // ---- transmit ----

    private long ringBase(int low, int high) {
        return (reg[high >> 2] & 0xFFFF_FFFFL) << 32 | (reg[low >> 2] & 0xFFFF_FFF0L);
    }

    private void transmit() {
        if ((reg[TCTL >> 2] & TCTL_EN) == 0) {
            return;
        }
        int count = reg[TDLEN >> 2] / TDESC_SIZE;
        if (reg[TDH >> 2] == reg[TDT >> 2]) {
            return;
        }
        if (count == 0 || reg[TDH >> 2] >= count || reg[TDT >> 2] >= count) {
            guestError("transmit ring of %d descriptors with TDH %d, TDT %d: not processed", count, reg[TDH >> 2],
                    reg[TDT >> 2]);
            return;
        }
        if (!bus.busMasterEnabled()) {
            guestError("TDT written with bus mastering off: transmit ring not read");
            return;
        }
        long base = ringBase(TDBAL, TDBAH);
        PhysicalMemory mem = bus.dma();
        int cause = 0;
        for (int budget = count; budget > 0 && reg[TDH >> 2] != reg[TDT >> 2]; budget--) {
            long d = base + (long) reg[TDH >> 2] * TDESC_SIZE;
            long buffer = mem.readLong(d);
            int lower = mem.readInt(d + 8);
            int upper = mem.readInt(d + 12);
            processTxDescriptor(mem, buffer, lower, upper);
            if ((lower & (TXD_CMD_RS | TXD_CMD_RPS)) != 0) {
                mem.writeInt(d + 12, (upper & ~0xF) | TXD_STAT_DD);
                cause |= ICR_TXDW;
            }
            reg[TDH >> 2] = (reg[TDH >> 2] + 1) % count;
        }
        raise(cause | ICR_TXQE);
    }

    private void processTxDescriptor(PhysicalMemory mem, long buffer, int lower, int upper) {
        boolean extended = (lower & TXD_CMD_DEXT) != 0;
        int length;
        if (!extended) {
            length = lower & TXD_LENGTH_MASK;
        } else if ((lower & TXD_DTYP_MASK) == TXD_DTYP_C) {
            TxOffload.Context c = (lower & TXD_CMD_TSE) != 0 ? tsoContext : txContext;
            c.ipcss = (int) (buffer & 0xFF);
            c.ipcso = (int) (buffer >>> 8 & 0xFF);
            c.ipcse = (int) (buffer >>> 16 & 0xFFFF);
            c.tucss = (int) (buffer >>> 32 & 0xFF);
            c.tucso = (int) (buffer >>> 40 & 0xFF);
            c.tucse = (int) (buffer >>> 48 & 0xFFFF);
            c.payloadLength = lower & TXD_DTALEN_MASK;
            c.tcp = (lower & TXD_CMD_TCP) != 0;
            c.ipv4 = (lower & TXD_CMD_IP) != 0;
            c.headerLength = upper >>> 8 & 0xFF;
            c.mss = upper >>> 16;
            return;
        } else if ((lower & TXD_DTYP_MASK) == TXD_DTYP_D) {
            length = lower & TXD_DTALEN_MASK;
            if (txLength == 0) {
                txPopts = upper & (TXD_POPTS_IXSM | TXD_POPTS_TXSM);
                txTso = (lower & TXD_CMD_TSE) != 0;
            }
        } else {
            guestError("transmit descriptor of unknown type %#x skipped", (lower & TXD_DTYP_MASK) >>> 20);
            return;
        }
        if ((lower & TXD_CMD_VLE) != 0 && (lower & TXD_CMD_EOP) != 0) {
            txVlan = (reg[CTRL >> 2] & CTRL_VME) != 0;
            txVlanTag = upper >>> 16;
        }
        int limit = txTso ? MAX_TSO_FRAME : MAX_TX_FRAME;
        if (length > limit - txLength) {
            if (txLength <= limit) {
                guestError("transmit %s longer than %d bytes: dropped", txTso ? "TSO request" : "frame", limit);
            }
            txLength = limit + 1;
        } else {
            mem.read(buffer, txFrame, txLength, length);
            txLength += length;
        }
        if ((lower & TXD_CMD_EOP) == 0) {
            return;
        }
        if (txTso) {
            if (txLength <= MAX_TSO_FRAME) {
                segment();
            }
        } else if (txLength <= MAX_TX_FRAME) {
            if (!extended && (lower & TXD_CMD_IC) != 0) {
                int cso = lower >>> 16 & 0xFF;
                int css = upper >>> 8 & 0xFF;
                insertChecksum(txFrame, txLength, css, cso, 0);
            }
            if (extended && (txPopts & TXD_POPTS_TXSM) != 0) {
                insertChecksum(txFrame, txLength, txContext.tucss, txContext.tucso, txContext.tucse);
            }
            if (extended && (txPopts & TXD_POPTS_IXSM) != 0) {
                insertChecksum(txFrame, txLength, txContext.ipcss, txContext.ipcso, txContext.ipcse);
            }
            send(txFrame, txLength);
        }
        txLength = 0;
        txPopts = 0;
        txTso = false;
        txVlan = false;
    }

    private void insertChecksum(byte[] data, int length, int start, int at, int end) {
        if (!TxOffload.insertChecksum(data, length, start, at, end)) {
            guestError("checksum offload with start %d, offset %d, end %d on a %d-byte frame: not inserted", start,
                    at, end, length);
        }
    }

    /** TCP segmentation of the gathered request (see {@link TxOffload#segment}). */
    private void segment() {
        java.util.List<byte[]> segments;
        try {
            segments = TxOffload.segment(txFrame, txLength, tsoContext, txPopts);
        } catch (IllegalArgumentException e) {
            guestError("TSO request dropped: %s", e.getMessage());
            return;
        }
        for (int i = 0; i < segments.size(); i++) {
            byte[] frame = segments.get(i);
            send(frame, frame.length);
            if (i > 0) {
                increment(TSCTC);
            }
        }
    }

    private void send(byte[] data, int length) {
        byte[] frame;
        if (txVlan) {
            frame = new byte[length + 4];
            System.arraycopy(data, 0, frame, 0, 12);
            frame[12] = (byte) (reg[VET >> 2] >>> 8);
            frame[13] = (byte) reg[VET >> 2];
            frame[14] = (byte) (txVlanTag >>> 8);
            frame[15] = (byte) txVlanTag;
            System.arraycopy(data, 12, frame, 16, length - 12);
            length += 4;
        } else {
            frame = Arrays.copyOf(data, length);
        }
        if (length < MIN_FRAME && (reg[TCTL >> 2] & TCTL_PSP) != 0) {
            frame = Arrays.copyOf(frame, MIN_FRAME);
            length = MIN_FRAME;
        }
        if (length < 14) {
            guestError("runt frame of %d bytes not sent", length);
            return;
        }
        boolean loopback = (phy[MII_BMCR] & MII_BMCR_LOOPBACK) != 0 || (reg[RCTL >> 2] & RCTL_LBM_MASK) != 0;
        if (loopback) {
            receiveFrame(frame, 0, length);
        } else {
            NetPort p = port;
            if (p == null || !linkUp()) {
                return; // no carrier: the frame goes nowhere, as on an unplugged cable
            }
            p.transmit(frame, 0, length);
        }
        countTransmitted(frame, length + FCS_LENGTH);
    }

    private void countTransmitted(byte[] frame, int wireLength) {
        increment(GPTC);
        increment(TPT);
        add64(GOTCL, wireLength);
        add64(TOTL, wireLength);
        if (isBroadcast(frame, 0)) {
            increment(BPTC);
        } else if ((frame[0] & 1) != 0) {
            increment(MPTC);
        }
        increment(sizeBucket(PTC64, wireLength));
    }

    // ---- receive ----

    /** A frame from the backend; false when it was not taken (receiver off, no descriptors, filtered). */
    boolean receive(byte[] frame, int offset, int length) {
        boolean loopback = (phy[MII_BMCR] & MII_BMCR_LOOPBACK) != 0 || (reg[RCTL >> 2] & RCTL_LBM_MASK) != 0;
        if (loopback || !linkUp()) {
            return false;
        }
        return receiveFrame(frame, offset, length);
    }

    private boolean receiveFrame(byte[] frame, int offset, int length) {
        int rctl = reg[RCTL >> 2];
        if ((rctl & RCTL_EN) == 0) {
            return false;
        }
        byte[] data;
        if (length < MIN_FRAME) {
            data = Arrays.copyOfRange(frame, offset, offset + MIN_FRAME);
            Arrays.fill(data, length, MIN_FRAME, (byte) 0);
        } else {
            data = Arrays.copyOfRange(frame, offset, offset + length);
        }
        int size = data.length;
        int limit = (rctl & RCTL_LPE) != 0 ? MAX_LONG_FRAME : MAX_VLAN_FRAME - FCS_LENGTH;
        if (size > limit && (rctl & RCTL_SBP) == 0) {
            increment(ROC);
            return false;
        }
        if (!accepted(data)) {
            return false;
        }
        if (!bus.busMasterEnabled()) {
            guestError("frame received with bus mastering off: dropped");
            return false;
        }
        int count = reg[RDLEN >> 2] / RDESC_SIZE;
        int head = reg[RDH >> 2];
        int tail = reg[RDT >> 2];
        if (count == 0 || head >= count || tail >= count) {
            guestError("receive ring of %d descriptors with RDH %d, RDT %d: frame dropped", count, head, tail);
            return false;
        }
        boolean secrc = (rctl & RCTL_SECRC) != 0;
        byte[] stored = secrc ? data : withFcs(data);
        int bufferSize = bufferSize(rctl);
        int needed = (stored.length + bufferSize - 1) / bufferSize;
        int free = (tail - head + count) % count;
        if (free < needed) {
            increment(RNBC);
            increment(MPC);
            raise(ICR_RXO);
            return false;
        }
        boolean extended = part.isPcie() && (reg[RFCTL >> 2] & RFCTL_EXSTEN) != 0;
        int checksumStatus = receiveChecksums(data, extended);
        PhysicalMemory mem = bus.dma();
        long base = ringBase(RDBAL, RDBAH);
        int done = 0;
        while (done < stored.length) {
            long d = base + (long) reg[RDH >> 2] * RDESC_SIZE;
            long buffer = mem.readLong(d);
            int n = Math.min(bufferSize, stored.length - done);
            boolean last = done + n == stored.length;
            if (buffer != 0 || extended) {
                mem.write(buffer, stored, done, n);
            }
            int status = RXD_STAT_DD | (last ? RXD_STAT_EOP : 0);
            if (extended) {
                int errors = last ? checksumStatus >>> 16 : 0;
                int stat = status | (last ? checksumStatus & 0xFFFF : 0);
                mem.writeInt(d, 0);
                mem.writeShort(d + 4, 0);
                mem.writeShort(d + 6, last ? packetChecksum(data) : 0);
                mem.writeShort(d + 12, n);
                mem.writeShort(d + 14, 0);
                mem.writeInt(d + 8, stat | errors << RXDEXT_ERR_SHIFT);
            } else {
                int stat = status | (last ? checksumStatus & 0xFF : 0);
                int errors = last ? checksumStatus >>> 16 & 0xFF : 0;
                mem.writeShort(d + 8, n);
                mem.writeShort(d + 10, last ? packetChecksum(data) : 0);
                mem.writeShort(d + 14, 0);
                mem.writeShort(d + 12, stat | errors << 8);
            }
            done += n;
            reg[RDH >> 2] = (reg[RDH >> 2] + 1) % count;
        }
        countReceived(data, stored.length + (secrc ? FCS_LENGTH : 0));
        int cause = ICR_RXT0;
        int left = (reg[RDT >> 2] - reg[RDH >> 2] + count) % count;
        int threshold = count >> (((rctl >>> RCTL_RDMTS_SHIFT) & 3) + 1);
        if (left <= threshold) {
            cause |= ICR_RXDMT0;
        }
        raise(cause);
        return true;
    }

    private static int bufferSize(int rctl) {
        int code = (rctl >>> RCTL_BSIZE_SHIFT) & 3;
        if ((rctl & RCTL_BSEX) != 0 && code != 0) {
            return 16384 >> (code - 1);
        }
        return 2048 >> code;
    }

    private static byte[] withFcs(byte[] data) {
        byte[] out = Arrays.copyOf(data, data.length + FCS_LENGTH);
        CRC32 crc = new CRC32();
        crc.update(data, 0, data.length);
        long fcs = crc.getValue();
        for (int i = 0; i < FCS_LENGTH; i++) {
            out[data.length + i] = (byte) (fcs >>> (8 * i));
        }
        return out;
    }

    /** The raw 16-bit sum from RXCSUM.PCSS to the end, for the legacy checksum field. */
    private int packetChecksum(byte[] data) {
        int start = reg[RXCSUM >> 2] & 0xFF;
        if (start >= data.length) {
            return 0;
        }
        return Checksum.fold(Checksum.sum(data, start, data.length - start, 0));
    }

    /**
     * Receive checksum offload: status bits in the low 16 bits, error bits in the high ones. With
     * neither offload on, or for a frame that is not IPv4, IXSM (legacy) says "ignore".
     */
    private int receiveChecksums(byte[] data, boolean extended) {
        int rxcsum = reg[RXCSUM >> 2];
        boolean ipOffload = (rxcsum & RXCSUM_IPOFL) != 0;
        boolean l4Offload = (rxcsum & RXCSUM_TUOFL) != 0;
        int type = (data[12] & 0xFF) << 8 | (data[13] & 0xFF);
        if ((!ipOffload && !l4Offload) || type != 0x0800 || data.length < 34 || (data[14] & 0xF0) != 0x40) {
            return extended ? 0 : RXD_STAT_IXSM;
        }
        int ihl = (data[14] & 0x0F) * 4;
        int total = (data[16] & 0xFF) << 8 | (data[17] & 0xFF);
        if (ihl < 20 || 14 + ihl > data.length || total < ihl || 14 + total > data.length) {
            return extended ? 0 : RXD_STAT_IXSM;
        }
        int status = 0;
        int errors = 0;
        if (ipOffload) {
            status |= RXD_STAT_IPCS;
            if (Checksum.fold(Checksum.sum(data, 14, ihl, 0)) != 0xFFFF) {
                errors |= RXD_ERR_IPE;
            }
        }
        int protocol = data[23] & 0xFF;
        boolean fragment = ((data[20] & 0x3F) | data[21]) != 0;
        if (l4Offload && !fragment && (protocol == 6 || protocol == 17)) {
            int l4 = 14 + ihl;
            int l4Length = total - ihl;
            boolean udpWithoutSum = protocol == 17 && l4Length >= 8 && data[l4 + 6] == 0 && data[l4 + 7] == 0;
            if (!udpWithoutSum && l4Length >= (protocol == 6 ? 20 : 8)) {
                long pseudo = Checksum.sum(data, 26, 8, 0) + protocol + l4Length;
                status |= protocol == 17 && extended ? RXD_STAT_UDPCS : RXD_STAT_TCPCS;
                if (Checksum.fold(Checksum.sum(data, l4, l4Length, pseudo)) != 0xFFFF) {
                    errors |= RXD_ERR_TCPE;
                }
            }
        }
        return status | errors << 16;
    }

    private void countReceived(byte[] data, int wireLength) {
        increment(GPRC);
        increment(TPR);
        add64(GORCL, wireLength);
        add64(TORL, wireLength);
        if (isBroadcast(data, 0)) {
            increment(BPRC);
        } else if ((data[0] & 1) != 0) {
            increment(MPRC);
        }
        increment(sizeBucket(PRC64, wireLength));
    }

    /** The destination filter: exact addresses, the multicast table, promiscuous and broadcast modes. */
    private boolean accepted(byte[] data) {
        int rctl = reg[RCTL >> 2];
        boolean multicast = (data[0] & 1) != 0;
        if (isBroadcast(data, 0)) {
            return (rctl & RCTL_BAM) != 0 || (rctl & RCTL_MPE) != 0;
        }
        if (!multicast) {
            if ((rctl & RCTL_UPE) != 0) {
                return true;
            }
            int low = (data[0] & 0xFF) | (data[1] & 0xFF) << 8 | (data[2] & 0xFF) << 16 | (data[3] & 0xFF) << 24;
            int high = (data[4] & 0xFF) | (data[5] & 0xFF) << 8;
            for (int n = 0; n < RA_COUNT; n++) {
                int rah = reg[(RAH0 >> 2) + 2 * n];
                if ((rah & RAH_AV) != 0 && reg[(RAL0 >> 2) + 2 * n] == low && (rah & 0xFFFF) == high) {
                    return true;
                }
            }
            return false;
        }
        if ((rctl & RCTL_MPE) != 0) {
            return true;
        }
        int hash = multicastHash(data, (rctl >>> RCTL_MO_SHIFT) & 3);
        return (reg[(MTA >> 2) + (hash >>> 5)] >>> (hash & 31) & 1) != 0;
    }

    /** The 12 bits of the destination address RCTL.MO selects, indexing the 4096-bit MTA. */
    static int multicastHash(byte[] data, int mo) {
        int a4 = data[4] & 0xFF;
        int a5 = data[5] & 0xFF;
        int v = switch (mo) {
            case 0 -> a4 >>> 4 | a5 << 4;
            case 1 -> a4 >>> 3 | a5 << 5;
            case 2 -> a4 >>> 2 | a5 << 6;
            default -> a4 | a5 << 8;
        };
        return v & 0xFFF;
    }

    private static boolean isBroadcast(byte[] data, int offset) {
        for (int i = 0; i < 6; i++) {
            if (data[offset + i] != (byte) 0xFF) {
                return false;
            }
        }
        return true;
    }

    // ---- statistics ----

    private void increment(int offset) {
        int i = offset >> 2;
        if (reg[i] != -1) {
            reg[i]++;
        }
    }

    private void add64(int lowOffset, int n) {
        int i = lowOffset >> 2;
        long v = (reg[i] & 0xFFFF_FFFFL) | (long) reg[i + 1] << 32;
        v += n;
        reg[i] = (int) v;
        reg[i + 1] = (int) (v >>> 32);
    }

    /** PRC64/PTC64 and the five buckets after them: 64, 65–127, 128–255, 256–511, 512–1023, 1024–1522. */
    private static int sizeBucket(int first, int wireLength) {
        int bucket = wireLength <= 64 ? 0 : wireLength <= 127 ? 1 : wireLength <= 255 ? 2 : wireLength <= 511 ? 3
                : wireLength <= 1023 ? 4 : 5;
        return first + 4 * bucket;
    }

    // ---- diagnostics ----

    private void guestError(String format, Object... args) {
        long n = guestErrors++;
        if (n < 20 || n % 1000 == 0) {
            log.warn("guest error: {}", String.format(format, args));
        }
    }

    void guestErrorAccess(long offset, int size) {
        guestError("%d-byte access at register offset %#x ignored: the registers take 32-bit accesses", size, offset);
    }

    void guestErrorVector(int vector, int vectors) {
        guestError("IVAR routes a cause to MSI-X vector %d, the table has %d: not sent", vector, vectors);
    }

    void guestErrorMessage(long address) {
        guestError("interrupt message to %#x with bus mastering off: not sent", address);
    }

    void guestErrorIoAddress(int address) {
        guestError("IODATA access with IOADDR %#x, which names no register", address);
    }

    long guestErrors() {
        return guestErrors;
    }
}
