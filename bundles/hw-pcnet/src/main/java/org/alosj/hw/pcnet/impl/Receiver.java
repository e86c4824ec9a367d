package org.alosj.hw.pcnet.impl;

import static org.alosj.hw.pcnet.impl.PcnetRegisters.*;

import java.util.Arrays;
import java.util.zip.CRC32;
import org.alosj.hw.pcnet.impl.DescriptorRing.Descriptor;

/**
 * The receiver: the address filter (physical address in CSR12-14, broadcast, the logical address
 * filter in CSR8-11, promiscuous mode), the FCS the wire would have carried, and the frame laid
 * into as many RX descriptors as it needs, from STP to ENP; MISS and the missed-frame counter when
 * the ring has no buffer.
 *
 * <p>The caller holds the card's monitor.
 */
final class Receiver {
    private final RegisterFile regs;
    private final DescriptorRing ring;
    private final PcnetBus bus;

    Receiver(RegisterFile regs, DescriptorRing ring, PcnetBus bus) {
        this.regs = regs;
        this.ring = ring;
        this.bus = bus;
    }

    /** Takes one frame from the wire (or from the transmitter in loopback); false if it was not. */
    boolean receiveFrame(byte[] frame, int offset, int length) {
        int[] csr = regs.csr;
        if ((csr[CSR0] & (CSR0_STOP | CSR0_RXON)) != CSR0_RXON || (csr[CSR5] & CSR5_SPND) != 0) {
            return false;
        }
        if (length > MAX_RX_FRAME) {
            bus.guestError("frame of %d bytes from the wire is longer than the %d MCNT can count: dropped", length,
                    MAX_RX_FRAME);
            return false;
        }
        int match = addressMatch(frame, offset, length);
        if (match < 0) {
            return false;
        }
        if (!bus.busMasterEnabled()) {
            bus.guestError("frame received with bus mastering off: RX ring not read, frame dropped");
            return false;
        }
        byte[] data = withFcs(frame, offset, length);
        long address = ring.rxDescriptorAddress(0);
        Descriptor d = ring.load(address, true);
        if ((d.status() & RMD1_OWN) == 0) {
            missed();
            return false;
        }
        int done = 0;
        int status = RMD1_STP;
        while (true) {
            if ((d.bcnt() & BCNT_ONES) != BCNT_ONES) {
                bus.guestError("RX descriptor at %#x: BCNT word %#06x lacks the ones in bits 15:12", address, d.bcnt());
            }
            int n = Math.min(d.bufferLength(), data.length - done);
            bus.dma().write(d.buffer(), data, done, n);
            done += n;
            if (done == data.length) {
                status |= RMD1_ENP | match;
                ring.store(address, status, data.length & RMD2_MCNT, true);
                ring.advanceRx();
                break;
            }
            long nextAddress = ring.rxDescriptorAddress(1);
            Descriptor next = ring.load(nextAddress, true);
            if ((next.status() & RMD1_OWN) == 0 || nextAddress == address) {
                // Out of buffers in the middle of the frame: the rest is lost.
                status |= RMD1_ERR | RMD1_BUFF | RMD1_OFLO;
                ring.store(address, status, 0, true);
                ring.advanceRx();
                break;
            }
            ring.store(address, status, 0, true);
            ring.advanceRx();
            address = nextAddress;
            d = next;
            status = 0;
        }
        csr[CSR0] |= CSR0_RINT;
        return true;
    }

    private void missed() {
        int[] csr = regs.csr;
        csr[CSR0] |= CSR0_MISS;
        int c = (csr[CSR112_MISSC] + 1) & 0xFFFF;
        csr[CSR112_MISSC] = c;
        if (c == 0) {
            csr[CSR4] |= CSR4_MFCO;
        }
    }

    /**
     * The frame as it lands in the buffers: padded to 60 bytes (backends may deliver shorter
     * frames than the wire allows) and followed by its FCS; with ASTRP_RCV an 802.3 frame loses
     * its pad and FCS instead.
     */
    private byte[] withFcs(byte[] frame, int offset, int length) {
        if ((regs.csr[CSR4] & CSR4_ASTRP_RCV) != 0 && length >= 14) {
            int typeOrLength = (frame[offset + 12] & 0xFF) << 8 | (frame[offset + 13] & 0xFF);
            if (typeOrLength < 46 && 14 + typeOrLength < length) {
                // An 802.3 frame with pad: pad and FCS are stripped, MCNT counts what is left.
                return Arrays.copyOfRange(frame, offset, offset + 14 + typeOrLength);
            }
        }
        int n = Math.max(length, MIN_FRAME);
        byte[] data = new byte[n + FCS_LENGTH];
        System.arraycopy(frame, offset, data, 0, length);
        CRC32 crc = new CRC32();
        crc.update(data, 0, n);
        long fcs = crc.getValue();
        for (int i = 0; i < FCS_LENGTH; i++) {
            data[n + i] = (byte) (fcs >>> (8 * i));
        }
        return data;
    }

    /**
     * The receive address filter: -1 to drop, else the RMD1 match bit to report (PAM, BAM,
     * LAFM, or none when accepted only because of PROM).
     */
    private int addressMatch(byte[] frame, int offset, int length) {
        int[] csr = regs.csr;
        if (length < 6) {
            return (csr[CSR15_MODE] & CSR15_PROM) != 0 ? 0 : -1;
        }
        int mode = csr[CSR15_MODE];
        boolean prom = (mode & CSR15_PROM) != 0;
        boolean padr = (mode & CSR15_DRCVPA) == 0;
        for (int i = 0; i < 6 && padr; i++) {
            int own = csr[CSR12_PADR0 + i / 2] >>> (8 * (i & 1)) & 0xFF;
            padr = (frame[offset + i] & 0xFF) == own;
        }
        if (padr) {
            return prom ? 0 : RMD1_PAM;
        }
        boolean broadcast = true;
        for (int i = 0; i < 6; i++) {
            broadcast &= frame[offset + i] == (byte) 0xFF;
        }
        if (broadcast && (mode & CSR15_DRCVBC) == 0) {
            return prom ? 0 : RMD1_BAM;
        }
        if (!broadcast && (frame[offset] & 1) != 0) {
            int hash = ladrfHash(frame, offset);
            if ((csr[CSR8_LADRF0 + hash / 16] >>> (hash % 16) & 1) != 0) {
                return prom ? 0 : RMD1_LAFM;
            }
        }
        return prom ? 0 : -1;
    }

    /** The logical address filter index: the 6 high bits of the (uninverted) CRC-32 of the address. */
    static int ladrfHash(byte[] frame, int offset) {
        CRC32 crc = new CRC32();
        crc.update(frame, offset, 6);
        long register = ~crc.getValue() & 0xFFFF_FFFFL;
        return (int) (register >>> 26);
    }
}
