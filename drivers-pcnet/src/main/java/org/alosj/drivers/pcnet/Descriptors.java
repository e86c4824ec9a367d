package org.alosj.drivers.pcnet;

import static org.alosj.drivers.pcnet.PcnetRegisters.*;

import java.util.StringJoiner;

/**
 * Encoding and decoding of the SWSTYLE 2 structures the chip reads by DMA: descriptor words and
 * the initialization block. Pure functions over ints, so they are tested without hardware.
 */
final class Descriptors {
    private Descriptors() {
    }

    /** BCNT as MD1 holds it: the two's complement of the length in 12 bits, with the ONES nibble. */
    static int bcnt(int length) {
        if (length <= 0 || length > MD1_BCNT) {
            throw new IllegalArgumentException("descriptor byte count must be 1.." + MD1_BCNT + ", got " + length);
        }
        return MD1_ONES | (-length & MD1_BCNT);
    }

    /** The length a BCNT field encodes (4096 minus its value). */
    static int bcntLength(int md1) {
        return 4096 - (md1 & MD1_BCNT);
    }

    /** RMD1 that hands an empty receive buffer of {@code bufferSize} bytes to the chip. */
    static int rmd1ForChip(int bufferSize) {
        return RMD1_OWN | bcnt(bufferSize);
    }

    /** TMD1 that hands a whole frame of {@code length} bytes in one buffer to the chip. */
    static int tmd1ForChip(int length) {
        return TMD1_OWN | TMD1_STP | TMD1_ENP | bcnt(length);
    }

    /** The same, asking for TINT when the chip is done with it (CSR5 LTINTEN). */
    static int tmd1ForChipWithInterrupt(int length) {
        return tmd1ForChip(length) | TMD1_LTINT;
    }

    static boolean ownedByChip(int md1) {
        return (md1 & RMD1_OWN) != 0; // RMD1_OWN and TMD1_OWN are the same bit
    }

    /** RMD1 of a frame that fits one buffer and arrived intact. */
    static boolean isWholeGoodFrame(int rmd1) {
        return (rmd1 & (RMD1_ERR | RMD1_STP | RMD1_ENP)) == (RMD1_STP | RMD1_ENP);
    }

    /** The message byte count of RMD2: the received frame including its 4-byte FCS. */
    static int mcnt(int rmd2) {
        return rmd2 & RMD2_MCNT;
    }

    /** RMD1's error flags in words, for the log. */
    static String describeRmd1(int rmd1) {
        StringJoiner s = new StringJoiner(" ");
        flag(s, rmd1, RMD1_ERR, "ERR");
        flag(s, rmd1, RMD1_FRAM, "FRAM");
        flag(s, rmd1, RMD1_OFLO, "OFLO");
        flag(s, rmd1, RMD1_CRC, "CRC");
        flag(s, rmd1, RMD1_BUFF, "BUFF");
        flag(s, rmd1, RMD1_STP, "STP");
        flag(s, rmd1, RMD1_ENP, "ENP");
        return s.toString();
    }

    /** TMD2's error flags in words, for the log. */
    static String describeTmd2(int tmd2) {
        StringJoiner s = new StringJoiner(" ");
        flag(s, tmd2, TMD2_BUFF, "BUFF");
        flag(s, tmd2, TMD2_UFLO, "UFLO");
        flag(s, tmd2, TMD2_EXDEF, "EXDEF");
        flag(s, tmd2, TMD2_LCOL, "LCOL");
        flag(s, tmd2, TMD2_LCAR, "LCAR");
        flag(s, tmd2, TMD2_RTRY, "RTRY");
        return s.toString();
    }

    private static void flag(StringJoiner s, int word, int bit, String name) {
        if ((word & bit) != 0) {
            s.add(name);
        }
    }

    /** RLEN/TLEN: a ring length is a power of two from 1 to 512, encoded as its log2. */
    static int ringLengthCode(int entries) {
        if (entries < 1 || entries > 1 << MAX_RING_LOG2 || Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("ring length must be a power of two from 1 to 512, got " + entries);
        }
        return Integer.numberOfTrailingZeros(entries);
    }

    /** The next index in a ring of {@code size} entries (a power of two). */
    static int next(int index, int size) {
        return (index + 1) & (size - 1);
    }

    /**
     * The seven little-endian DWORDs of a SWSTYLE 2 initialization block.
     *
     * @param mac the station address (PADR), 6 bytes
     * @param ladrf the 64-bit logical address filter for multicast
     */
    static int[] initBlock(int mode, int rxEntries, int txEntries, byte[] mac, long ladrf, long rdra, long tdra) {
        if (mac.length != 6) {
            throw new IllegalArgumentException("a MAC is 6 bytes, got " + mac.length);
        }
        if ((rdra & 0xF) != 0 || (tdra & 0xF) != 0 || (rdra >>> 32) != 0 || (tdra >>> 32) != 0) {
            throw new IllegalArgumentException(String.format(
                    "descriptor rings must be 16-byte aligned below 4 GiB, got RDRA %#x TDRA %#x", rdra, tdra));
        }
        int[] w = new int[INIT_BLOCK_SIZE / 4];
        w[IB_MODE_RLEN_TLEN / 4] = (mode & 0xFFFF) | ringLengthCode(rxEntries) << 20 | ringLengthCode(txEntries) << 28;
        w[IB_PADR_LOW / 4] = (mac[0] & 0xFF) | (mac[1] & 0xFF) << 8 | (mac[2] & 0xFF) << 16 | (mac[3] & 0xFF) << 24;
        w[IB_PADR_HIGH / 4] = (mac[4] & 0xFF) | (mac[5] & 0xFF) << 8;
        w[IB_LADRF_LOW / 4] = (int) ladrf;
        w[IB_LADRF_HIGH / 4] = (int) (ladrf >>> 32);
        w[IB_RDRA / 4] = (int) rdra;
        w[IB_TDRA / 4] = (int) tdra;
        return w;
    }
}
