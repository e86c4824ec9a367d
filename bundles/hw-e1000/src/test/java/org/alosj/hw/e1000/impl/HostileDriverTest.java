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
 * take. Nothing may escape into the board; afterwards a reset brings back a working MAC.
 */
class HostileDriverTest {
    static final int[] TARGETS = {CTRL, STATUS, EECD, EERD, MDIC, ICR, ITR, ICS, IMS, IMC, RCTL, TCTL, RDBAL, RDBAH,
        RDLEN, RDH, RDT, TDBAL, TDBAH, TDLEN, TDH, TDT, RXCSUM, RFCTL, RAL0, RAH0, MTA, VET, GORCH, TOTH};

    @ParameterizedTest
    @EnumSource(Part.class)
    void randomRegistersRingsAndFramesNeverThrowAndAResetRecovers(Part part) throws Exception {
        try (Rig rig = new Rig(part)) {
            rig.enable();
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
                } else {
                    rig.io.write(Rig.IO + random.nextInt(8), 1 << random.nextInt(3), random.nextInt());
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
