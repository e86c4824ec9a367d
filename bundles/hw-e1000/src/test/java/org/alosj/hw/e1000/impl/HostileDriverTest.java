package org.alosj.hw.e1000.impl;

import static org.alosj.hw.e1000.impl.E1000Regs.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A seeded hostile driver: random values in every register the rings and filters use, garbage
 * descriptors (addresses outside RAM, absurd lengths, unknown types), rings whose head and tail
 * lie outside them, frames of every size from the wire, and access widths the registers do not
 * take; on the 82574L also the MSI-X routing (IVAR, EIAC, IAM, CTRL_EXT), its table and PBA
 * and the MSI and MSI-X capabilities in configuration space. Nothing may escape into the board;
 * afterwards a reset brings back a working MAC.
 */
class HostileDriverTest {
    static final int[] TARGETS = {CTRL, STATUS, EECD, EERD, MDIC, ICR, ITR, ICS, IMS, IMC, RCTL, TCTL, RDBAL, RDBAH,
        RDLEN, RDH, RDT, TDBAL, TDBAH, TDLEN, TDH, TDT, RXCSUM, RFCTL, RAL0, RAH0, MTA, VET, GORCH, TOTH,
        CTRL_EXT, EIAC, IAM, IVAR, EITR0};
    static final long MSIX_BAR = 0xFEB0_0000L;

    @ParameterizedTest
    @EnumSource(Part.class)
    void randomRegistersRingsAndFramesNeverThrowAndAResetRecovers(Part part) throws Exception {
        try (Rig rig = new Rig(part)) {
            rig.enable();
            if (part.isPcie()) {
                rig.cfgWrite(0x1c, 4, (int) MSIX_BAR);
            }
            Random random = new Random(0xE1000L + part.ordinal());
            byte[] frame = new byte[2000];
            for (int step = 0; step < 20_000; step++) {
                int what = random.nextInt(10);
                if (what < 5) {
                    int offset = TARGETS[random.nextInt(TARGETS.length)];
                    int value = random.nextInt();
                    if ((offset == RDLEN || offset == TDLEN) && random.nextBoolean()) {
                        value &= 0xFFF; // mostly small rings, sometimes large ones
                    }
                    if (offset == CTRL) {
                        value &= ~CTRL_LRST;
                    }
                    rig.reg(offset, value);
                } else if (what == 5) {
                    rig.reg(random.nextInt(0x20000) & ~3);
                } else if (what == 6) {
                    long at = random.nextBoolean() ? Rig.RX_RING + random.nextInt(0x2000) : Rig.TX_RING + random.nextInt(0x1000);
                    rig.mem.writeLong(at & ~7, random.nextLong());
                } else if (what == 7) {
                    int length = random.nextInt(frame.length) + 1;
                    random.nextBytes(frame);
                    if (random.nextBoolean()) {
                        System.arraycopy(Rig.MAC, 0, frame, 0, 6);
                    }
                    rig.card.receive(frame, 0, length);
                } else if (what == 8) {
                    rig.mem.write(Rig.MMIO + (random.nextInt(0x20000)), 1 + random.nextInt(2), random.nextInt());
                } else if (random.nextBoolean() || !part.isPcie()) {
                    rig.io.write(Rig.IO + random.nextInt(8), 1 << random.nextInt(3), random.nextInt());
                } else {
                    switch (random.nextInt(4)) {
                        // table entries, the read-only PBA and beyond, at every width
                        case 0 -> rig.mem.write(MSIX_BAR + random.nextInt(0x2010), 1 << random.nextInt(4),
                                random.nextLong());
                        case 1 -> rig.mem.read(MSIX_BAR + random.nextInt(0x4000), 1 << random.nextInt(4));
                        // MSI-X and MSI message control, MSI address and data, the command register
                        case 2 -> rig.cfgWrite(0xa2, 2, random.nextInt(0x10000));
                        default -> rig.cfgWrite(new int[] {0xd2, 0xd4, 0xd8, 0xdc, 0x04}[random.nextInt(5)], 2,
                                random.nextInt(0x10000));
                    }
                }
            }
            // A driver that starts over: PCI reset, then the normal bring-up and one frame out.
            rig.card.reset();
            BlockingQueue<byte[]> wire = new LinkedBlockingQueue<>();
            rig.hub.attach("peer", (f, o, l) -> wire.add(Arrays.copyOfRange(f, o, o + l)));
            rig.bringUp(0);
            byte[] f = DataPathTest.frame(DataPathTest.PEER, Rig.MAC, 0x88B5, 100);
            rig.queueTx(0, f);
            rig.reg(TDT, 1);
            byte[] sent = null;
            for (int tries = 0; tries < 100 && (sent == null || sent.length != f.length); tries++) {
                sent = wire.poll(5, TimeUnit.SECONDS);
            }
            assertNotNull(sent);
            assertArrayEquals(f, sent);
        }
    }
}
