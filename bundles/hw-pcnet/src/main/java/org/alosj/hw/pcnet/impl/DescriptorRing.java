package org.alosj.hw.pcnet.impl;

import static org.alosj.hw.pcnet.impl.PcnetRegisters.*;

import java.nio.ByteBuffer;

/**
 * The receive and transmit descriptor rings in guest memory: where the current descriptor is
 * (CSR24/25 and CSR30/31 give the bases, CSR76/78 the lengths, CSR72/74 count down to the current
 * entry), and a descriptor's layout in each SWSTYLE (0: 8 bytes, 16-bit; 2: 16 bytes, 32-bit;
 * 3: 16 bytes with the words reordered), read into one normal form and written back with OWN last.
 *
 * <p>The caller holds the card's monitor.
 */
final class DescriptorRing {
    /**
     * One ring entry, normalised: {@code status} is RMD1/TMD1[31:16] (in SWSTYLE 0 only its high
     * byte exists), {@code bcnt} the BCNT word, {@code misc} RMD2/TMD2 (SWSTYLE 0: RMD3 in the
     * low half, TMD3 in the high half).
     */
    record Descriptor(long address, long buffer, int bcnt, int status, int misc) {
        int bufferLength() {
            int n = -bcnt & BCNT_MASK;
            return n == 0 ? BCNT_MASK + 1 : n;
        }
    }

    private final RegisterFile regs;
    private final PcnetBus bus;

    DescriptorRing(RegisterFile regs, PcnetBus bus) {
        this.regs = regs;
        this.bus = bus;
    }

    private int descriptorSize() {
        return regs.ssize32() ? 16 : 8;
    }

    private long rxRingBase() {
        return (regs.csr[CSR24_BADRL] & 0xFFFFL) | (long) (regs.csr[CSR25_BADRU] & 0xFFFF) << 16;
    }

    private long txRingBase() {
        return (regs.csr[CSR30_BADXL] & 0xFFFFL) | (long) (regs.csr[CSR31_BADXU] & 0xFFFF) << 16;
    }

    /** The ring counters count down from the ring length to 1; the index counts up from 0. */
    private static int ringIndex(int length, int counter) {
        int len = Math.max(1, length & 0xFFFF);
        int c = counter & 0xFFFF;
        if (c < 1 || c > len) {
            c = len;
        }
        return len - c;
    }

    /** Moves a ring's counter to the next entry, from 1 back to the ring length. */
    void advance(int counterCsr, int lengthCsr) {
        int[] csr = regs.csr;
        int len = Math.max(1, csr[lengthCsr] & 0xFFFF);
        int c = csr[counterCsr] & 0xFFFF;
        csr[counterCsr] = c <= 1 || c > len ? len : c - 1;
    }

    void advanceRx() {
        advance(CSR72_RCVRC, CSR76_RCVRL);
    }

    void advanceTx() {
        advance(CSR74_XMTRC, CSR78_XMTRL);
    }

    /** The receive descriptor {@code ahead} entries past the current one. */
    long rxDescriptorAddress(int ahead) {
        int len = Math.max(1, regs.csr[CSR76_RCVRL] & 0xFFFF);
        int index = (ringIndex(len, regs.csr[CSR72_RCVRC]) + ahead) % len;
        return regs.physical(rxRingBase() + (long) index * descriptorSize());
    }

    long txDescriptorAddress() {
        int index = ringIndex(regs.csr[CSR78_XMTRL], regs.csr[CSR74_XMTRC]);
        return regs.physical(txRingBase() + (long) index * descriptorSize());
    }

    Descriptor load(long address, boolean receive) {
        ByteBuffer b = bus.readDma(address, descriptorSize());
        if (!regs.ssize32()) {
            long buffer = regs.physical((b.getShort(0) & 0xFFFFL) | (long) (b.get(2) & 0xFF) << 16);
            int status = (b.get(3) & 0xFF) << 8;
            int bcnt = b.getShort(4) & 0xFFFF;
            int w3 = b.getShort(6) & 0xFFFF;
            return new Descriptor(address, buffer, bcnt, status, receive ? w3 : w3 << 16);
        }
        long d0 = b.getInt(0) & 0xFFFF_FFFFL;
        int d1 = b.getInt(4);
        int d2 = b.getInt(8);
        if (regs.swstyle() == SWSTYLE_PCNET_PCI_II) {
            return new Descriptor(address, b.getInt(8) & 0xFFFF_FFFFL, d1 & 0xFFFF, d1 >>> 16, (int) d0);
        }
        return new Descriptor(address, d0, d1 & 0xFFFF, d1 >>> 16, d2);
    }

    /** Writes back what the chip owns in a descriptor: misc first, then status (OWN last). */
    void store(long address, int status, int misc, boolean receive) {
        if (!regs.ssize32()) {
            bus.dma().writeShort(address + 6, receive ? misc & 0xFFFF : misc >>> 16);
            bus.dma().writeByte(address + 3, status >>> 8);
            return;
        }
        bus.dma().writeInt(address + (regs.swstyle() == SWSTYLE_PCNET_PCI_II ? 0 : 8), misc);
        bus.dma().writeShort(address + 6, status);
    }
}
