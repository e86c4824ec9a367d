package org.alosj.cpu.x86_64.impl;

/**
 * SSE4.2's CRC32 (F2 0F 38 F0/F1): accumulates a CRC-32C (Castagnoli, polynomial 11EDC6F41h,
 * bit-reflected, no inversions: software does those) over a 1-, 2-, 4- or 8-byte source into
 * the 32 low bits of the destination, which it zero-extends. It changes no flags and needs no
 * SSE state, so it is an ordinary integer instruction here.
 */
final class Crc32c {
    /** The polynomial with its bits reversed, for the least-significant-bit-first form. */
    private static final int REFLECTED_POLY = 0x82F6_3B78;
    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? c >>> 1 ^ REFLECTED_POLY : c >>> 1;
            }
            TABLE[i] = c;
        }
    }

    private Crc32c() {
    }

    static int update(int crc, long data, int bytes) {
        for (int i = 0; i < bytes; i++) {
            crc = crc >>> 8 ^ TABLE[(crc ^ (int) (data >>> (8 * i))) & 0xFF];
        }
        return crc;
    }

    static void execute(SystemInstructions cpu, Insn in) {
        long src = in.rm >= 0 ? cpu.getReg(in.rm, in.size) : cpu.mem.read(cpu.ea(in), in.size);
        int crc = (int) cpu.getReg(in.reg, 4);
        cpu.setReg(in.reg, 4, update(crc, src, in.size) & 0xFFFF_FFFFL);
    }
}
