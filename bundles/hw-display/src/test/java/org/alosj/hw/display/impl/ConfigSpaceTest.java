package org.alosj.hw.display.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.alosj.testkit.RealPeers;
import org.junit.jupiter.api.Test;

/**
 * The configuration space QEMU gives the adapter (vga-pci.c, bochs-display.c; QEMU's PCI core
 * fills the subsystem with 1af4:1100): the same 64-byte header for both personalities but the
 * class, BAR0 a 16 MiB prefetchable frame buffer, BAR2 4 KiB of registers, no interrupt pin and
 * no capabilities on a conventional PCI bus.
 */
class ConfigSpaceTest {
    static String header(boolean std) {
        String klass = std ? "00 03" : "80 03";
        return "00: 34 12 11 11 00 00 00 00 02 00 " + klass + " 00 00 00 00\n"
                + "10: 08 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
                + "20: 00 00 00 00 00 00 00 00 00 00 00 00 f4 1a 00 11\n"
                + "30: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n";
    }

    static String dump(Rig rig) {
        StringBuilder sb = new StringBuilder();
        for (int row = 0; row < 0x40; row += 16) {
            sb.append(String.format("%02x:", row));
            for (int i = 0; i < 16; i++) {
                sb.append(String.format(" %02x", rig.cfgRead(row + i, 1)));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @Test
    void stdVgaHeaderIsQemusVgaClass0300Revision2() {
        try (Rig rig = new Rig(true)) {
            assertEquals(header(true), dump(rig));
        }
    }

    @Test
    void bochsDisplayHeaderIsClass0380() {
        try (Rig rig = new Rig(false)) {
            assertEquals(header(false), dump(rig));
        }
    }

    @Test
    void barsSizeAs16MiBPrefetchableFramebufferAnd4KiBRegisters() {
        try (Rig rig = new Rig(true)) {
            rig.cfgWrite(0x10, 4, -1);
            assertEquals(0xFF00_0008, rig.cfgRead(0x10, 4));
            rig.cfgWrite(0x14, 4, -1);
            assertEquals(0, rig.cfgRead(0x14, 4), "BAR1 is not implemented");
            rig.cfgWrite(0x18, 4, -1);
            assertEquals(0xFFFF_F000, rig.cfgRead(0x18, 4));
            rig.cfgWrite(0x30, 4, -1);
            assertEquals(0, rig.cfgRead(0x30, 4), "no expansion ROM");
        }
    }

    @Test
    void realLspciDecodesTheDumpAsAVgaController() throws IOException, InterruptedException {
        RealPeers.requireTool("lspci", "decode the adapter's configuration space");
        try (Rig rig = new Rig(true)) {
            rig.placed();
            Path file = Files.createTempFile("vga", ".lspci");
            try {
                Files.writeString(file, "00:02.0 x\n" + dump(rig) + "\n");
                Process p = new ProcessBuilder("lspci", "-F", file.toString(), "-v", "-O", "hwdb.disable=1")
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(0, p.waitFor(), out);
                assertTrue(out.contains("VGA compatible controller"), out);
                assertTrue(out.contains("1234:1111") || out.contains("QEMU"), out);
                assertTrue(out.contains("(rev 02)"), out);
                assertTrue(out.contains("Memory at fd000000 (32-bit, prefetchable) [size=16M]")
                        || out.contains("Memory at fd000000 (32-bit, prefetchable)"), out);
                assertTrue(out.contains("Memory at febf0000 (32-bit, non-prefetchable)"), out);
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }
}
