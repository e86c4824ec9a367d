package org.alosj.hw.virtio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The configuration space against QEMU 7.2's virtio-net-pci (transitional 1af4:1000 and modern
 * 1af4:1041) and virtio-blk-pci (transitional 1af4:1001) as a Linux guest read them at power-on,
 * and the BARs' sizes as QEMU's read back after writing all ones.
 */
class ConfigSpaceTest {
    @TempDir
    Path dir;

    private static String resource(String name) throws IOException {
        try (InputStream in = ConfigSpaceTest.class.getResourceAsStream("/qemu-pci/" + name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

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

    private Rig rig(String kind, String mode) throws IOException {
        Rig rig = new Rig();
        if (kind.equals("blk")) {
            rig.blk(Rig.image(dir, "d.img", 2048), mode);
        } else {
            rig.net = new VirtioNetComponent("virtio-net0", "", Integer.toString(Rig.SLOT), mode, rig.machine, null);
        }
        return rig;
    }

    @ParameterizedTest(name = "{0} {1} = {2}")
    @CsvSource({"net, transitional, 00-04.0_1af4_1000", "net, modern, 00-05.0_1af4_1041",
            "blk, transitional, 00-06.0_1af4_1001"})
    void powerOnConfigSpaceEqualsQemusResetDumpByteForByte(String kind, String mode, String dump) throws IOException {
        int[] expected = parseDump(resource(dump + ".reset.txt"));
        try (Rig rig = rig(kind, mode)) {
            for (int offset = 0; offset < 256; offset++) {
                int at = offset;
                assertEquals(expected[offset], rig.cfgRead(offset, 1), () -> String.format("config byte %#04x", at));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} = {2}")
    @CsvSource({"net, transitional, 00-04.0_1af4_1000", "net, modern, 00-05.0_1af4_1041",
            "blk, transitional, 00-06.0_1af4_1001"})
    void barsSizeAsQemusDoWhenWrittenAllOnes(String kind, String mode, String dump) throws IOException {
        Map<String, Long> masks = new HashMap<>();
        for (String line : resource(dump + ".reset.bars").split("\n")) {
            String[] f = line.trim().split("\\s+");
            masks.put(f[0], Long.parseLong(f[2].substring("mask=0x".length()), 16));
        }
        try (Rig rig = rig(kind, mode)) {
            for (int bar = 0; bar < 6; bar++) {
                rig.cfgWrite(0x10 + 4 * bar, 4, -1);
                long want = masks.getOrDefault("BAR" + bar, 0L);
                assertEquals((int) want, rig.cfgRead(0x10 + 4 * bar, 4), "BAR" + bar);
            }
            rig.cfgWrite(0x30, 4, ~1);
            assertEquals(masks.getOrDefault("ROM", 0L).intValue(), rig.cfgRead(0x30, 4), "ROM");
        }
    }
}
