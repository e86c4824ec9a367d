package org.alosj.drivers.ata;

/**
 * What IDENTIFY DEVICE told about a disk (ATA/ATAPI-7 table 16): strings from words 10–19,
 * 23–26 and 27–46, capacity from words 60–61 or, with the 48-bit feature set (word 83 bit 10),
 * 100–103, DMA support (word 49 bit 8) and the largest READ/WRITE MULTIPLE block (word 47).
 */
record AtaIdentity(String model, String serial, String firmware, long sectors, boolean lba48, boolean dma,
                   int maxMultiple, boolean flushCache) {

    static AtaIdentity parse(int[] w) {
        if (w.length != 256) {
            throw new IllegalArgumentException("IDENTIFY data is 256 words, got " + w.length);
        }
        if ((w[0] & 0x8000) != 0) {
            throw new IllegalArgumentException(String.format("not an ATA device: IDENTIFY word 0 is %#06x", w[0]));
        }
        boolean lba = (w[49] & 1 << 9) != 0;
        if (!lba) {
            throw new IllegalArgumentException("the device does not support LBA addressing (IDENTIFY word 49 bit 9)");
        }
        boolean lba48 = (w[83] & 0xC000) == 0x4000 && (w[83] & 1 << 10) != 0;
        long lba28 = (w[60] & 0xFFFFL) | (w[61] & 0xFFFFL) << 16;
        long lba48Sectors = (w[100] & 0xFFFFL) | (w[101] & 0xFFFFL) << 16 | (w[102] & 0xFFFFL) << 32
                | (w[103] & 0xFFFFL) << 48;
        long sectors = lba48 && lba48Sectors > 0 ? lba48Sectors : lba28;
        int maxMultiple = (w[47] & 0xFF00) == 0x8000 ? w[47] & 0xFF : 0;
        boolean flushCache = (w[83] & 0xC000) == 0x4000 && (w[83] & 1 << 12) != 0;
        return new AtaIdentity(string(w, 27, 20), string(w, 10, 10), string(w, 23, 4), sectors, lba48,
                (w[49] & 1 << 8) != 0, Integer.highestOneBit(Math.min(maxMultiple, 16)), flushCache);
    }

    private static String string(int[] w, int from, int words) {
        StringBuilder s = new StringBuilder();
        for (int i = from; i < from + words; i++) {
            char hi = (char) (w[i] >> 8 & 0xFF);
            char lo = (char) (w[i] & 0xFF);
            s.append(hi >= 0x20 && hi < 0x7F ? hi : ' ').append(lo >= 0x20 && lo < 0x7F ? lo : ' ');
        }
        return s.toString().trim();
    }
}
