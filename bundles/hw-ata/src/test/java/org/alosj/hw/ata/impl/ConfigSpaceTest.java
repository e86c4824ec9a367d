package org.alosj.hw.ata.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.alosj.hal.board.impl.MachineSettings;
import org.alosj.hal.board.impl.PcMachine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration space against QEMU 7.2's PIIX3 IDE as a Linux guest read it at power-on,
 * and the component that puts the function at 00:01.1 on every machine.
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

    @Test
    void powerOnConfigSpaceEqualsQemusResetDumpByteForByte() throws IOException {
        int[] expected = parseDump(resource("00-01.1_8086_7010.reset.txt"));
        try (IdeRig rig = new IdeRig().plug()) {
            for (int offset = 0; offset < 256; offset++) {
                int at = offset;
                assertEquals(expected[offset], rig.cfgRead(offset, 1), () -> String.format("config byte %#04x", at));
            }
        }
    }

    @Test
    void bar4SizesAsSixteenBytesOfIoAndTheTimingRegistersTakeWhatLinuxWrites() throws IOException {
        String bars = resource("00-01.1_8086_7010.reset.bars").trim();
        long mask = Long.parseLong(bars.substring(bars.indexOf("mask=0x") + 7), 16);
        int[] linux = parseDump(resource("00-01.1_8086_7010.drivers.txt"));
        try (IdeRig rig = new IdeRig().plug()) {
            rig.cfgWrite(0x20, 4, -1);
            assertEquals((int) mask, rig.cfgRead(0x20, 4));
            for (int bar = 0; bar < 4; bar++) {
                rig.cfgWrite(0x10 + 4 * bar, 4, -1);
                assertEquals(0, rig.cfgRead(0x10 + 4 * bar, 4), "compatibility mode: BAR" + bar + " unimplemented");
            }
            int idetim = linux[0x40] | linux[0x41] << 8 | linux[0x42] << 16 | linux[0x43] << 24;
            rig.cfgWrite(0x40, 4, idetim);
            assertEquals(idetim, rig.cfgRead(0x40, 4), "ata_piix's IDETIM values stick");
        }
    }

    @Test
    void theComponentPutsTheFunctionAtSlot1Function1WithItsDisks() throws IOException {
        Path img = IdeRig.image(dir, "d.img", 2048);
        PcMachine machine = new PcMachine(MachineSettings.withRamMiB(32));
        AtaComponent c = new AtaComponent(Map.of("drive.3.file", img.toString(), "drive.3.readonly", "on",
                "drive.1.file", dir.resolve("missing.img").toString()), machine);
        try {
            var io = machine.ioPorts();
            io.outl(0xCF8, 0x8000_0000 | (1 << 3 | 1) << 8);
            assertEquals(0x7010_8086, io.inl(0xCFC));
            assertTrue(c.ide().bus(1).drive(1).image.readOnly(), "index 3: secondary slave, read-only");
            assertEquals(2048, c.ide().bus(1).drive(1).sectors());
            assertEquals(null, c.ide().bus(0).drive(1), "a missing image leaves the position empty");
        } finally {
            c.deactivate();
            machine.powerOff();
        }
        assertTrue(machine.pci().functions().stream().noneMatch(f -> f.deviceId() == 0x7010));
    }
}
