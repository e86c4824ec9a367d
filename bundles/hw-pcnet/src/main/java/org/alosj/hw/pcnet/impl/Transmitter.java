package org.alosj.hw.pcnet.impl;

import static org.alosj.hw.pcnet.impl.PcnetRegisters.*;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.alosj.hal.net.NetPort;
import org.alosj.hw.pcnet.impl.DescriptorRing.Descriptor;

/**
 * The transmitter: walks the TX ring while the chip owns descriptors, gathers a frame from STP to
 * ENP, pads it (CSR4.APAD_XMT) and hands it to the cable, or back to the receiver in loopback
 * (CSR15.LOOP); reports underflow when a chain stops short of ENP, and TINT as CSR5.TOKINTD and
 * LTINTEN say.
 *
 * <p>The caller holds the card's monitor.
 */
final class Transmitter {
    private final RegisterFile regs;
    private final DescriptorRing ring;
    private final Receiver receiver;
    private final PcnetBus bus;
    /** The frame being gathered from TX descriptors between STP and ENP. */
    private final ByteBuffer txFrame = ByteBuffer.allocate(MAX_FRAME);
    private boolean txInFrame;
    private long txLastAddress = -1;

    Transmitter(RegisterFile regs, DescriptorRing ring, Receiver receiver, PcnetBus bus) {
        this.regs = regs;
        this.ring = ring;
        this.receiver = receiver;
        this.bus = bus;
    }

    /** Forgets a frame half gathered (reset, STOP, INIT). */
    void reset() {
        txInFrame = false;
        txLastAddress = -1;
    }

    /** Walks the TX ring from the current descriptor while the chip owns descriptors. */
    void transmit() {
        int[] csr = regs.csr;
        csr[CSR0] &= ~CSR0_TDMD;
        if ((csr[CSR0] & CSR0_TXON) == 0 || (csr[CSR5] & CSR5_SPND) != 0) {
            return;
        }
        if (!bus.busMasterEnabled()) {
            bus.guestError("transmit demand with bus mastering off: TX ring not read");
            return;
        }
        int budget = Math.max(1, csr[CSR78_XMTRL] & 0xFFFF);
        while (budget-- > 0) {
            long address = ring.txDescriptorAddress();
            Descriptor d = ring.load(address, false);
            if ((d.status() & TMD1_OWN) == 0) {
                break;
            }
            if ((d.bcnt() & BCNT_ONES) != BCNT_ONES) {
                bus.guestError("TX descriptor at %#x: BCNT word %#06x lacks the ones in bits 15:12", address, d.bcnt());
            }
            int status = d.status() & ~(TMD1_OWN | TMD1_ERR);
            int misc = 0;
            if ((d.status() & TMD1_STP) != 0) {
                txFrame.clear();
                txInFrame = true;
                csr[CSR4] |= CSR4_TXSTRT;
            } else if (!txInFrame) {
                bus.guestError("TX descriptor at %#x continues a frame that has no STP: skipped", address);
            }
            boolean completed = false;
            if (txInFrame) {
                int n = d.bufferLength();
                if (n > txFrame.remaining()) {
                    bus.guestError("TX frame longer than %d bytes: dropped", MAX_FRAME);
                    txInFrame = false;
                    status |= TMD1_ERR;
                    misc |= TMD2_BUFF;
                } else {
                    bus.dma().read(d.buffer(), txFrame.array(), txFrame.position(), n);
                    txFrame.position(txFrame.position() + n);
                }
                if (txInFrame && (d.status() & TMD1_ENP) != 0) {
                    txInFrame = false;
                    completed = true;
                    if (!send()) {
                        status |= TMD1_ERR;
                        misc |= TMD2_LCAR;
                    }
                }
            }
            ring.store(address, status, misc, false);
            txLastAddress = txInFrame ? address : -1;
            ring.advanceTx();
            if (completed || (status & TMD1_ERR) != 0) {
                // CSR5.TOKINTD: a frame sent without error sets no TINT, unless LTINTEN is on and
                // its descriptor asks with LTINT; a transmit error always sets TINT.
                boolean interrupt = (status & TMD1_ERR) != 0 || (csr[CSR5] & CSR5_TOKINTD) == 0
                        || ((csr[CSR5] & CSR5_LTINTEN) != 0 && (d.status() & TMD1_LTINT) != 0);
                if (interrupt) {
                    csr[CSR0] |= CSR0_TINT;
                }
            }
        }
        if (txInFrame && txLastAddress >= 0) {
            // The rest of the frame was not handed over in time: the FIFO underflows.
            Descriptor last = ring.load(txLastAddress, false);
            ring.store(txLastAddress, last.status() | TMD1_ERR, last.misc() | TMD2_BUFF | TMD2_UFLO, false);
            bus.guestError("TX frame chain at %#x ends without ENP: underflow", txLastAddress);
            txInFrame = false;
            txLastAddress = -1;
            csr[CSR0] |= CSR0_TINT;
            if ((csr[CSR3] & CSR3_DXSUFLO) == 0) {
                csr[CSR0] &= ~CSR0_TXON;
            }
        }
    }

    /** Sends the gathered frame; false when there is no carrier. */
    private boolean send() {
        int[] csr = regs.csr;
        int length = txFrame.position();
        if ((csr[CSR4] & CSR4_APAD_XMT) != 0 && length < MIN_FRAME) {
            Arrays.fill(txFrame.array(), length, MIN_FRAME, (byte) 0);
            length = MIN_FRAME;
        }
        byte[] frame = Arrays.copyOf(txFrame.array(), length);
        if ((csr[CSR15_MODE] & CSR15_LOOP) != 0) {
            if ((csr[CSR0] & CSR0_RXON) != 0) {
                receiver.receiveFrame(frame, 0, length);
            }
            return true;
        }
        NetPort p = bus.port();
        if (p == null || !p.linkUp()) {
            return false;
        }
        if (length < 14) {
            bus.guestError("runt frame of %d bytes (no APAD_XMT) not sent", length);
            return true;
        }
        p.transmit(frame, 0, length);
        return true;
    }
}
