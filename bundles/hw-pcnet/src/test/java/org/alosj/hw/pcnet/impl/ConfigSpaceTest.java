package org.alosj.hw.pcnet.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration space against QEMU 7.2's pcnet as a Linux guest read it at power-on. */
class ConfigSpaceTest {
    private static String resource(String name) throws IOException {
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

    @Test
    void powerOnConfigSpaceEqualsQemusResetDumpByteForByte() throws IOException {
        int[] expected = parseDump(resource("00-02.0_1022_2000.reset.txt"));
        try (Rig rig = new Rig()) {
            for (int offset = 0; offset < 256; offset++) {
                int actual = rig.cfgRead(offset, 1);
                int at = offset;
                assertEquals(expected[offset], actual, () -> String.format("config byte %#04x", at));
            }
        }
    }

    @Test
    void barsSizeAsQemusDoWhenWrittenAllOnes() throws IOException {
        Map<String, Long> masks = new HashMap<>();
        for (String line : resource("00-02.0_1022_2000.reset.bars").split("\n")) {
            String[] f = line.trim().split("\\s+");
            masks.put(f[0], Long.parseLong(f[2].substring("mask=0x".length()), 16));
        }
        try (Rig rig = new Rig()) {
            rig.cfgWrite(0x10, 4, -1);
            assertEquals(masks.get("BAR0").intValue(), rig.cfgRead(0x10, 4), "BAR0: 32 bytes of I/O");
            rig.cfgWrite(0x14, 4, -1);
            assertEquals(masks.get("BAR1").intValue(), rig.cfgRead(0x14, 4), "BAR1: 32 bytes of memory");
            rig.cfgWrite(0x30, 4, ~1);
            assertEquals(masks.get("ROM").intValue(), rig.cfgRead(0x30, 4), "ROM: 256 KiB");
        }
    }
}
