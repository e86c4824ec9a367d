package org.alosj.hw.e1000.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The configuration spaces against QEMU 7.2's: the 82574L byte for byte against its power-on
 * dump as a Linux guest read it (shared/reference/qemu-pci), the 82540EM against what QEMU's
 * e1000 sets up (IDs, revision 3, subsystem 1af4:1100, BAR0 128 KiB memory, BAR1 64 bytes of
 * I/O, a 256 KiB ROM, INTA, no capabilities).
 */
class ConfigSpaceTest {
    static String resource(String name) throws IOException {
        try (InputStream in = ConfigSpaceTest.class.getResourceAsStream("/qemu-pci/" + name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** Parses an {@code lspci -xxx} dump: lines {@code "10: 01 00 …"}. */
    static int[] parseDump(String text) {
        int[] bytes = new int[256];
        for (String line : text.split("\n")) {
            if (!line.matches("[0-9a-f]{2}: .*")) {
                continue;
            }
            int base = Integer.parseInt(line.substring(0, 2), 16);
            String[] hex = line.substring(4).trim().split(" ");
            for (int i = 0; i < hex.length; i++) {
                bytes[base + i] = Integer.parseInt(hex[i], 16);
            }
        }
        return bytes;
    }

    static void assertConfigSpace(int[] expected, Rig rig) {
        for (int offset = 0; offset < 256; offset++) {
            int at = offset;
            assertEquals(expected[offset], rig.cfgRead(offset, 1), () -> String.format("config byte %#04x", at));
        }
    }

    @Test
    void the82574LPowerOnConfigSpaceEqualsQemusResetDumpByteForByte() throws IOException {
        try (Rig rig = new Rig(Part.I82574L)) {
            assertConfigSpace(parseDump(resource("00-03.0_8086_10d3.reset.txt")), rig);
        }
    }

    @Test
    void the82574LBarsSizeAsQemusDo() throws IOException {
        Map<String, Integer> masks = new HashMap<>();
        for (String line : resource("00-03.0_8086_10d3.reset.bars").split("\n")) {
            String[] f = line.trim().split("\\s+");
            masks.put(f[0], (int) Long.parseLong(f[2].substring("mask=0x".length()), 16));
        }
        try (Rig rig = new Rig(Part.I82574L)) {
            for (int bar = 0; bar < 4; bar++) {
                rig.cfgWrite(0x10 + 4 * bar, 4, -1);
                assertEquals(masks.get("BAR" + bar), rig.cfgRead(0x10 + 4 * bar, 4), "BAR" + bar);
            }
            rig.cfgWrite(0x30, 4, ~1);
            assertEquals(masks.get("ROM"), rig.cfgRead(0x30, 4), "ROM: 256 KiB");
        }
    }

    @Test
    void the82540EMConfigSpaceIsQemusE1000() {
        int[] expected = new int[256];
        int[] header = {0x86, 0x80, 0x0e, 0x10, 0, 0, 0, 0, 0x03, 0, 0, 0x02};
        System.arraycopy(header, 0, expected, 0, header.length);
        expected[0x14] = 0x01; // BAR1: I/O
        expected[0x2c] = 0xf4;
        expected[0x2d] = 0x1a;
        expected[0x2e] = 0x00;
        expected[0x2f] = 0x11;
        expected[0x3d] = 0x01; // INTA
        try (Rig rig = new Rig(Part.I82540EM)) {
            assertConfigSpace(expected, rig);
            rig.cfgWrite(0x10, 4, -1);
            assertEquals(0xfffe0000, rig.cfgRead(0x10, 4), "BAR0: 128 KiB of memory");
            rig.cfgWrite(0x14, 4, -1);
            assertEquals(0xffffffc1, rig.cfgRead(0x14, 4), "BAR1: 64 bytes of I/O");
            rig.cfgWrite(0x30, 4, ~1);
            assertEquals(0xfffc0000, rig.cfgRead(0x30, 4), "ROM: 256 KiB");
        }
    }

    @Test
    void theMsiAndMsixEnableBitsAreWritableAndTheRestOfTheCapabilitiesReadOnly() {
        try (Rig rig = new Rig(Part.I82574L)) {
            rig.cfgWrite(0xa2, 2, 0xffff);
            assertEquals(0xc004, rig.cfgRead(0xa2, 2), "MSI-X: enable and function mask writable, table size fixed");
            rig.cfgWrite(0xd2, 2, 0xffff);
            assertEquals(0x00f1, rig.cfgRead(0xd2, 2), "MSI: enable and MME writable, 64-bit fixed");
            rig.cfgWrite(0xc8, 4, 0xffffffff);
            assertEquals(0x0022d001, rig.cfgRead(0xc8, 4), "PM: ID, next and PMC read-only");
            rig.cfgWrite(0xec, 4, 0);
            assertEquals(0x00000411, rig.cfgRead(0xec, 4), "PCIe link capabilities read-only");
        }
    }
}
