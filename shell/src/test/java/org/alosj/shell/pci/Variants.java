package org.alosj.shell.pci;

import java.util.ArrayList;
import java.util.List;

/**
 * Config spaces derived from the PCnet's that reach lspci's corner cases: unnamed IDs and
 * classes, prog-ifs, command and status bits, unassigned, 64-bit and disabled BARs and ROMs,
 * and every capability format we decode, including broken and looped chains.
 */
final class Variants {
    private Variants() {
    }

    static List<byte[]> of(byte[] base) {
        List<byte[]> out = new ArrayList<>();
        out.add(set(base, 0x3d, 0, 0x3c, 5));                          // no pin, line 5
        out.add(set(base, 0x09, 0x80));                                 // prog-if on an unnamed class
        out.add(set(base, 0x0a, 0x77));                                 // unknown subclass
        out.add(set(base, 0x0a, 0x77, 0x0b, 0x77));                     // unknown class
        out.add(set(base, 0x00, 0x34, 0x01, 0x12));                     // unknown vendor
        out.add(set(base, 0x02, 0x99, 0x03, 0x99));                     // unknown device
        out.add(set(base, 0x2c, 0x34, 0x2d, 0x12, 0x2e, 0x11));         // unknown subsystem vendor
        out.add(set(base, 0x2c, 0x22, 0x2d, 0x10, 0x2e, 0x11));         // known vendor, unknown subsystem
        out.add(set(base, 0x2c, 0x22, 0x2d, 0x10, 0x2e, 0x00, 0x2f, 0x20)); // subsystem = device
        out.add(set(base, 0x2c, 0xff, 0x2d, 0xff, 0x2e, 0x01));         // subsystem vendor ffff
        out.add(set(base, 0x0b, 0x01, 0x0a, 0x01, 0x09, 0x8a));         // IDE, named prog-if
        out.add(set(base, 0x0b, 0x01, 0x0a, 0x01, 0x09, 0x81));         // IDE, prog-if spelled out
        out.add(set(base, 0x0b, 0x01, 0x0a, 0x01, 0x09, 0x00, 0x08, 0)); // IDE prog-if 00, no rev
        out.add(set(base, 0x04, 0x8f, 0x05, 0x03, 0x06, 0xe0));         // every flag
        out.add(set(base, 0x04, 0x20, 0x06, 0x80, 0x07, 0x04));         // slow devsel, no master
        out.add(set(base, 0x07, 0x06));                                 // devsel ??
        out.add(set(base, 0x0e, 0x80));                                 // multi-function
        out.add(set(base, 0x04, 0x04));                                 // decoding off
        out.add(bars(base, 1, 0, 0));                                   // unassigned I/O, no memory, no ROM
        out.add(bars(base, 0xc, 0x8, 0xfea80001));                      // 64-bit above 4G, ROM enabled
        out.add(set(bars(base, 0xe000000c, 1, 0xfea80001), 0x04, 0x05)); // memory off: ROM disabled by cmd
        out.add(bars(base, 2, 0, 0));                                   // below-1M type
        out.add(bars(base, 0xfebf0008, 0, 0x00000001));                 // prefetchable 32-bit, ROM enabled at 0
        out.add(caps(base, 0x01, 0x03, 0x06, 0x05, 0x81, 0x01, 0x11, 0x03, 0xc0));
        out.add(caps(base, 0x02, 0x12, 0x34, 0x03, 0, 0, 0x04, 0x12, 0x34, 0x06, 0, 0, 0x07, 0, 0));
        out.add(caps(base, 0x0a, 0x12, 0x34, 0x0b, 0, 0, 0x0c, 0, 0, 0x0d, 0, 0, 0x0e, 0, 0, 0x0f, 0, 0));
        out.add(caps(base, 0x12, 0x12, 0x00, 0x13, 0x06, 0x03, 0x14, 0x12, 0x00, 0x00, 0, 0, 0x15, 0x12, 0x34,
                0x20, 0x12, 0x34));
        out.add(caps(base, 0x05, 0x8a, 0x01, 0x05, 0x70, 0x00, 0x11, 0x00, 0x80, 0x11, 0xff, 0x47));
        List<Integer> express = new ArrayList<>();
        for (int t = 0; t < 12; t++) {
            express.add(0x10);
            express.add(t << 4 | 2);
            express.add(t == 4 || t == 6 ? 1 : 2);
        }
        out.add(caps(base, express.stream().mapToInt(Integer::intValue).toArray()));
        out.add(caps(base, 0x09, 0x10, 2, 0x01, 0x03, 0x06));            // vendor-specific, not virtio
        byte[] virtio = caps(base, 0x09, 0x10, 1, 0x09, 0x10, 2, 0x09, 0x10, 3, 0x09, 0x10, 4, 0x09, 0x14, 5,
                0x09, 0x10, 9);
        out.add(set(virtio, 0x00, 0xf4, 0x01, 0x1a, 0x02, 0x41, 0x03, 0x10));
        out.add(set(virtio, 0x00, 0xf4, 0x01, 0x1a, 0x02, 0x00, 0x03, 0x11)); // outside virtio's range
        byte[] loop = set(base, 0x06, 0x90, 0x34, 0x40, 0x40, 0x01, 0x41, 0x40);
        out.add(loop);
        out.add(set(base, 0x06, 0x90, 0x34, 0x40, 0x40, 0xff, 0x41, 0x00)); // broken chain
        out.add(set(base, 0x06, 0x90, 0x34, 0x00));                         // empty list
        out.add(set(base, 0x06, 0x90, 0x34, 0x43, 0x40, 0x05, 0x41, 0x00, 0x42, 0x8a, 0x43, 0x01)); // pointer & ~3
        return out;
    }

    /** A copy with byte {@code pairs[2i]} set to {@code pairs[2i+1]}. */
    static byte[] set(byte[] base, int... pairs) {
        byte[] c = base.clone();
        for (int i = 0; i < pairs.length; i += 2) {
            c[pairs[i]] = (byte) pairs[i + 1];
        }
        return c;
    }

    static byte[] bars(byte[] base, long bar0, long bar1, long rom) {
        byte[] c = base.clone();
        put32(c, 0x10, bar0);
        put32(c, 0x14, bar1);
        put32(c, 0x30, rom);
        return c;
    }

    /** A capability list at 0x40, 0x10 apart: triples of ID and the two bytes after the next pointer. */
    static byte[] caps(byte[] base, int... triples) {
        byte[] c = base.clone();
        c[0x06] |= 0x10;
        c[0x34] = 0x40;
        int where = 0x40;
        for (int i = 0; i < triples.length; i += 3) {
            c[where] = (byte) triples[i];
            c[where + 1] = (byte) (i + 3 < triples.length ? where + 0x10 : 0);
            c[where + 2] = (byte) triples[i + 1];
            c[where + 3] = (byte) triples[i + 2];
            where += 0x10;
        }
        return c;
    }

    static void put32(byte[] c, int offset, long v) {
        for (int i = 0; i < 4; i++) {
            c[offset + i] = (byte) (v >> 8 * i);
        }
    }
}
